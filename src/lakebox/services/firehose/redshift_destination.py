"""The Redshift destination: records staged in S3, then loaded with COPY into a lakebox cluster.

As Firehose does it: each delivery first writes its records to the S3Configuration bucket (the
intermediate objects, compressed as that configuration says), then runs
`COPY <DataTableName> [(<DataTableColumns>)] FROM 's3://...' <CopyOptions>` on the cluster that
ClusterJDBCURL names (`jdbc:redshift://<host>:<port>/<database>`), as Username with Password.
A COPY that fails leaves the object in S3 and writes an error record ("redshift-failed") under the
ErrorOutputPrefix; the records are not loaded twice.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Optional

from ...protocol.errors import AwsError

JDBC_URL = re.compile(r"jdbc:redshift://([^:/]+):(\d+)/([A-Za-z0-9_$]+)")


def invalid(message: str) -> AwsError:
    return AwsError("InvalidArgumentException", message, 400)


def from_create(config: dict) -> dict:
    """The RedshiftDestinationDescription kept for a stream (its S3Configuration is the stream's S3
    destination; the password is kept, never shown)."""
    if not JDBC_URL.fullmatch(config.get("ClusterJDBCURL") or ""):
        raise invalid("ClusterJDBCURL must be jdbc:redshift://<host>:<port>/<database>.")
    if not (config.get("CopyCommand") or {}).get("DataTableName"):
        raise invalid("CopyCommand.DataTableName must be specified.")
    if config.get("SecretsManagerConfiguration", {}).get("Enabled"):
        raise invalid("lakebox serves no Secrets Manager: give Username and Password.")
    if not config.get("Username") or not config.get("Password"):
        raise invalid("Username and Password must be specified for the Redshift destination.")
    for processor in (config.get("ProcessingConfiguration") or {}).get("Processors") or []:
        if processor.get("Type") == "Lambda":
            raise invalid("lakebox runs no Lambda functions: a Lambda processor cannot be used.")
    if (config.get("S3Configuration") or {}).get("CompressionFormat") not in (None, "UNCOMPRESSED", "GZIP"):
        raise invalid("The Redshift destination's S3Configuration CompressionFormat must be UNCOMPRESSED or GZIP, "
                      "which COPY can read.")
    description = {k: copy.deepcopy(v) for k, v in config.items() if k not in ("S3Configuration",)}
    description.setdefault("S3BackupMode", "Disabled")
    description.setdefault("CloudWatchLoggingOptions", {"Enabled": False})
    description.setdefault("RetryOptions", {"DurationInSeconds": 3600})
    return description


def apply_update(current: dict, update: dict) -> dict:
    merged = {**copy.deepcopy(current), **{k: copy.deepcopy(v) for k, v in update.items() if k != "S3Update"}}
    return from_create(merged)


def shown(description: dict) -> dict:
    return {k: v for k, v in description.items() if k != "Password"}


def copy_statement(config: dict, bucket: str, key: str, compression: str) -> str:
    command = config["CopyCommand"]
    columns = f" ({command['DataTableColumns']})" if command.get("DataTableColumns") else ""
    options = command.get("CopyOptions") or ""
    if compression == "GZIP" and "gzip" not in options.lower():
        options = f"{options} GZIP".strip()
    return (f"COPY {command['DataTableName']}{columns} FROM 's3://{bucket}/{key}' "
            f"IAM_ROLE '{config.get('RoleARN', '')}' {options}").strip()


def load(redshift: Any, account: str, config: dict, bucket: str, key: str, compression: str) -> Optional[str]:
    """Run the COPY for one staged object; None on success, else why it failed."""
    from ...engines.redshift import RedshiftError

    host, port, database = JDBC_URL.fullmatch(config["ClusterJDBCURL"]).groups()
    runtime = next((r for (a, _), r in (redshift.runtimes if redshift is not None else {}).items()
                    if a == account and r.doc["Endpoint"]["Port"] == int(port)), None)
    if runtime is None:
        return f"No available cluster listens on port {port} ({config['ClusterJDBCURL']})."
    try:
        session = runtime.authenticate(config["Username"], config["Password"], database)
        try:
            session.execute(copy_statement(config, bucket, key, compression))
        finally:
            session.close()  # an open session would hold its database (DROP DATABASE waits for it)
    except RedshiftError as exc:
        return exc.message
    except Exception as exc:  # noqa: BLE001 - PgAuthError and kin: the load failed, say why
        return str(exc)
    return None
