"""Redshift Serverless: namespaces (the data: databases, users, the admin login) and workgroups (the
compute: an endpoint), on the same SQL engine and Postgres listener as provisioned clusters.

A namespace's databases are DuckDB files under `<data>/.lakebox/redshift-serverless/<account>/<id>/`.
A workgroup serves its namespace: CreateWorkgroup starts the listener (port 5439 by default, the next
free one when taken, as clusters do) and the workgroup is AVAILABLE at once; psql, redshift_connector
and the Data API (`WorkgroupName`) run SQL there, with everything a cluster's SQL does (COPY, UNLOAD,
Spectrum over the Glue catalog). GetCredentials gives the caller's IAM identity (`IAM:<user>`,
`IAMR:<role>`) a temporary password, as on AWS.

Snapshots (snapshots.py) copy a namespace's databases, and RestoreFromSnapshot puts them back.

AWS's rules kept: names of 3 to 64 lowercase letters, digits and hyphens; one workgroup per
namespace; a namespace with a workgroup cannot be deleted; the admin password follows Redshift's
rules, and a namespace made without one has no password login; base capacity 8 to 1024 RPUs in
steps of 8 (default 128); ports 5431-5455 and 8191-8215. Recorded, not enforced: capacity, VPC
settings, KMS keys, log exports and config parameters.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import shutil
import threading
import uuid
from pathlib import Path
from typing import Any, Optional

from ...passwords import password_hash
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...storage.sqlite_db import SqliteDatabase
from ..base import Provider
from ..redshift.provider import iam_database_user, weak_password
from ..redshift.runtime import ClusterRuntime
from ..redshift.store import DocTable
from .snapshots import ServerlessSnapshotsMixin, finish_restores

log = logging.getLogger("lakebox.redshift")

DEFAULT_PORT = 5439
DEFAULT_BASE_CAPACITY = 128
PORTS = set(range(5431, 5456)) | set(range(8191, 8216))
_NAME = re.compile(r"[a-z0-9-]{3,64}")
_DB_NAME = re.compile(r"[a-z_][a-z0-9_$]{0,126}")
_SCHEMA = [f"CREATE TABLE {table} (account TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, "
           "PRIMARY KEY (account, name))" for table in ("namespaces", "workgroups", "snapshots")]


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


def not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message, 400)


def conflict(message: str) -> AwsError:
    return AwsError("ConflictException", message, 400)


def _check_name(kind: str, name: str) -> None:
    if not _NAME.fullmatch(name):
        raise validation(f"{kind} name {name} is not valid: use 3 to 64 lowercase letters, digits and hyphens.")


def shown(doc: dict) -> dict:
    """A namespace or workgroup as the API shows it: without lakebox's `_` keys, its date a datetime."""
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    out["creationDate"] = dt.datetime.fromisoformat(doc["creationDate"])
    return out


def _tags(given: Optional[list]) -> list[dict]:
    return [{"key": t["key"], "value": t.get("value", "")} for t in given or []]


class RedshiftServerlessProvider(ServerlessSnapshotsMixin, Provider):
    service_name = "redshift-serverless"

    def __init__(self, config: Any, *, redshift: Any):
        super().__init__(config)
        #: The provisioned service: its lake, catalog and TLS context serve workgroups too.
        self.redshift = redshift
        self.root = Path(config.data_dir) / ".lakebox" / "redshift-serverless"
        self.db = SqliteDatabase(self.root / "serverless.db")
        self.db.apply_schema(_SCHEMA, version=1)
        self.namespaces = DocTable(self.db, "namespaces", "name", "namespaceName")
        self.workgroups = DocTable(self.db, "workgroups", "name", "workgroupName")
        self.snapshots = DocTable(self.db, "snapshots", "name", "snapshotName")
        self.lock = threading.RLock()
        self.runtimes: dict[tuple[str, str], ClusterRuntime] = {}
        for namespace in self.namespaces.all():
            finish_restores(self.root / namespace["_Account"] / namespace["namespaceId"])
        for workgroup in self.workgroups.all():
            namespace = self.namespaces.get(workgroup["_Account"], workgroup["namespaceName"])
            if namespace is not None:
                self._start(workgroup, namespace)

    def close(self) -> None:
        for runtime in list(self.runtimes.values()):
            runtime.close()
        self.runtimes.clear()
        self.db.close()

    def state(self) -> dict:
        return {"state": "running", "workgroups": len(self.runtimes)}

    # -- the SQL runtime of a workgroup ---------------------------------------------------------------

    def runtime(self, account: str, workgroup: str) -> Optional[ClusterRuntime]:
        return self.runtimes.get((account, workgroup))

    def _cluster_doc(self, workgroup: dict, namespace: dict) -> dict:
        """What the shared runtime reads of a cluster, from the namespace (data, logins) and the workgroup."""
        return {**namespace["_Cluster"], "ClusterIdentifier": workgroup["workgroupName"],
                "Account": workgroup["_Account"], "Region": workgroup["_Region"],
                "Endpoint": {"Address": self.config.host, "Port": workgroup["port"]}}

    def _start(self, workgroup: dict, namespace: dict) -> None:
        account, name = workgroup["_Account"], workgroup["workgroupName"]
        runtime = ClusterRuntime(
            self._cluster_doc(workgroup, namespace), self.root / account / namespace["namespaceId"],
            lake=self.redshift.lake, glue_catalog=self.redshift.glue_catalog, account=account,
            region=workgroup["_Region"], tls=self.redshift.tls_context(),
            save_users=lambda users: self._save_field(account, workgroup["namespaceName"], name, "Users", users),
            save_databases=lambda dbs: self._save_field(account, workgroup["namespaceName"], name, "Databases", dbs))
        port = runtime.start(self.config.host, workgroup["port"])
        self.runtimes[(account, name)] = runtime
        if port != workgroup["port"]:
            workgroup["port"] = workgroup["endpoint"]["port"] = port
            runtime.doc["Endpoint"]["Port"] = port
            self.workgroups.put(account, workgroup)
        log.info("redshift serverless workgroup %s (namespace %s) listening on %s:%d", name,
                 workgroup["namespaceName"], self.config.host, port)

    def _save_field(self, account: str, namespace_name: str, workgroup_name: str, field: str, value: Any) -> dict:
        with self.lock:
            namespace = self.namespaces.get(account, namespace_name)
            namespace["_Cluster"][field] = value
            self.namespaces.put(account, namespace)
            return self._cluster_doc(self.workgroups.get(account, workgroup_name), namespace)

    def _stop(self, account: str, workgroup: str) -> None:
        runtime = self.runtimes.pop((account, workgroup), None)
        if runtime is not None:
            runtime.close()

    # -- namespaces ---------------------------------------------------------------------------------

    def _namespace(self, ctx: RequestContext, name: str) -> dict:
        doc = self.namespaces.get(ctx.account_id, name)
        if doc is None or doc["_Region"] != ctx.region:
            raise not_found(f"Namespace {name} not found.")
        return doc

    def create_namespace(self, ctx: RequestContext, params: dict) -> dict:
        name = params["namespaceName"]
        _check_name("Namespace", name)
        db_name = params.get("dbName") or "dev"
        if not _DB_NAME.fullmatch(db_name):
            raise validation(f"Database name {db_name} is not valid: use lowercase letters, digits, underscores "
                             "and dollar signs, starting with a letter or underscore.")
        admin, password = params.get("adminUsername"), params.get("adminUserPassword")
        if bool(admin) != bool(password) and not params.get("manageAdminPassword"):
            raise validation("adminUsername and adminUserPassword must be given together.")
        if password and weak_password(password):
            raise validation("The admin user password must be 8 to 64 characters, with at least one uppercase "
                             "letter, one lowercase letter and one number, and cannot contain /, @, \", ', \\ "
                             "or spaces.")
        namespace_id = str(uuid.uuid4())
        doc = {
            "namespaceName": name, "namespaceId": namespace_id, "status": "AVAILABLE", "dbName": db_name,
            "namespaceArn": f"arn:aws:redshift-serverless:{ctx.region}:{ctx.account_id}:namespace/{namespace_id}",
            "creationDate": dt.datetime.now(dt.timezone.utc).isoformat(),
            "iamRoles": list(params.get("iamRoles") or []), "logExports": list(params.get("logExports") or []),
            "_Account": ctx.account_id, "_Region": ctx.region, "_Tags": _tags(params.get("tags")),
            # No password given: nobody logs in with one (GetCredentials still works).
            "_Cluster": {"MasterUsername": admin or "admin", "DBName": db_name,
                         "PasswordHash": password_hash(password or secrets.token_urlsafe(32))},
        }
        if admin:
            doc["adminUsername"] = admin
        for name_ in ("defaultIamRoleArn", "kmsKeyId"):
            if params.get(name_):
                doc[name_] = params[name_]
        with self.lock:
            if self.namespaces.get(ctx.account_id, name) is not None:
                raise conflict(f"Namespace {name} already exists.")
            self.namespaces.put(ctx.account_id, doc)
        return {"namespace": shown(doc)}

    def get_namespace(self, ctx: RequestContext, params: dict) -> dict:
        return {"namespace": shown(self._namespace(ctx, params["namespaceName"]))}

    def list_namespaces(self, ctx: RequestContext, params: dict) -> dict:
        docs = [d for d in self.namespaces.all(ctx.account_id) if d["_Region"] == ctx.region]
        chunk, token = _page(docs, "namespaceName", params)
        return {"namespaces": [shown(d) for d in chunk], "nextToken": token}

    def update_namespace(self, ctx: RequestContext, params: dict) -> dict:
        with self.lock:
            doc = self._namespace(ctx, params["namespaceName"])
            password = params.get("adminUserPassword")
            if params.get("adminUsername") and not password:
                raise validation("adminUsername and adminUserPassword must be given together.")
            if password:
                if weak_password(password):
                    raise validation("The admin user password must be 8 to 64 characters, with at least one "
                                     "uppercase letter, one lowercase letter and one number.")
                doc["_Cluster"]["PasswordHash"] = password_hash(password)
                if params.get("adminUsername"):
                    doc["adminUsername"] = doc["_Cluster"]["MasterUsername"] = params["adminUsername"]
            for name in ("defaultIamRoleArn", "kmsKeyId"):
                if params.get(name):
                    doc[name] = params[name]
            for name in ("iamRoles", "logExports"):
                if params.get(name) is not None:
                    doc[name] = list(params[name])
            self.namespaces.put(ctx.account_id, doc)
            for workgroup in self._workgroups_of(ctx.account_id, doc["namespaceName"]):
                runtime = self.runtime(ctx.account_id, workgroup["workgroupName"])
                if runtime is not None:
                    runtime.doc = self._cluster_doc(workgroup, doc)
        return {"namespace": shown(doc)}

    def delete_namespace(self, ctx: RequestContext, params: dict) -> dict:
        with self.lock:
            doc = self._namespace(ctx, params["namespaceName"])
            if self._workgroups_of(ctx.account_id, doc["namespaceName"]):
                raise conflict(f"Namespace {doc['namespaceName']} has a workgroup: delete the workgroup first.")
            if params.get("finalSnapshotName"):
                self.create_snapshot(ctx, {"namespaceName": doc["namespaceName"],
                                           "snapshotName": params["finalSnapshotName"],
                                           "retentionPeriod": params.get("finalSnapshotRetentionPeriod")})
            self.namespaces.delete(ctx.account_id, doc["namespaceName"])
            shutil.rmtree(self.root / ctx.account_id / doc["namespaceId"], ignore_errors=True)
        doc["status"] = "DELETING"
        return {"namespace": shown(doc)}

    # -- workgroups ---------------------------------------------------------------------------------

    def _workgroups_of(self, account: str, namespace_name: str) -> list[dict]:
        return [w for w in self.workgroups.all(account) if w["namespaceName"] == namespace_name]

    def _workgroup(self, ctx: RequestContext, name: str) -> dict:
        doc = self.workgroups.get(ctx.account_id, name)
        if doc is None or doc["_Region"] != ctx.region:
            raise not_found(f"Workgroup {name} not found.")
        return doc

    def create_workgroup(self, ctx: RequestContext, params: dict) -> dict:
        name = params["workgroupName"]
        _check_name("Workgroup", name)
        capacity = _capacity(params.get("baseCapacity"), DEFAULT_BASE_CAPACITY, "baseCapacity")
        port = params.get("port") or DEFAULT_PORT
        if port not in PORTS:
            raise validation(f"Port {port} is not valid: use 5431-5455 or 8191-8215.")
        workgroup_id = str(uuid.uuid4())
        doc = {
            "workgroupName": name, "workgroupId": workgroup_id, "namespaceName": params["namespaceName"],
            "workgroupArn": f"arn:aws:redshift-serverless:{ctx.region}:{ctx.account_id}:workgroup/{workgroup_id}",
            "baseCapacity": capacity, "status": "AVAILABLE", "port": port,
            "endpoint": {"address": self.config.host, "port": port, "vpcEndpoints": []},
            "enhancedVpcRouting": bool(params.get("enhancedVpcRouting", False)),
            "publiclyAccessible": bool(params.get("publiclyAccessible", False)),
            "configParameters": list(params.get("configParameters") or []),
            "securityGroupIds": list(params.get("securityGroupIds") or []),
            "subnetIds": list(params.get("subnetIds") or []), "trackName": params.get("trackName") or "current",
            "creationDate": dt.datetime.now(dt.timezone.utc).isoformat(),
            "_Account": ctx.account_id, "_Region": ctx.region, "_Tags": _tags(params.get("tags")),
        }
        if params.get("maxCapacity") is not None:
            doc["maxCapacity"] = _capacity(params["maxCapacity"], None, "maxCapacity")
        with self.lock:
            namespace = self._namespace(ctx, params["namespaceName"])
            if self.workgroups.get(ctx.account_id, name) is not None:
                raise conflict(f"Workgroup {name} already exists.")
            if self._workgroups_of(ctx.account_id, namespace["namespaceName"]):
                raise conflict(f"Namespace {namespace['namespaceName']} already has a workgroup.")
            self.workgroups.put(ctx.account_id, doc)
            try:
                self._start(doc, namespace)
            except Exception:
                self.workgroups.delete(ctx.account_id, name)
                raise
            doc = self.workgroups.get(ctx.account_id, name)
        return {"workgroup": shown(doc)}

    def get_workgroup(self, ctx: RequestContext, params: dict) -> dict:
        return {"workgroup": shown(self._workgroup(ctx, params["workgroupName"]))}

    def list_workgroups(self, ctx: RequestContext, params: dict) -> dict:
        docs = [d for d in self.workgroups.all(ctx.account_id) if d["_Region"] == ctx.region]
        chunk, token = _page(docs, "workgroupName", params)
        return {"workgroups": [shown(d) for d in chunk], "nextToken": token}

    def update_workgroup(self, ctx: RequestContext, params: dict) -> dict:
        with self.lock:
            doc = self._workgroup(ctx, params["workgroupName"])
            if params.get("baseCapacity") is not None:
                doc["baseCapacity"] = _capacity(params["baseCapacity"], None, "baseCapacity")
            if params.get("maxCapacity") is not None:
                doc["maxCapacity"] = _capacity(params["maxCapacity"], None, "maxCapacity")
            for name in ("enhancedVpcRouting", "publiclyAccessible", "trackName"):
                if params.get(name) is not None:
                    doc[name] = params[name]
            for name in ("configParameters", "securityGroupIds", "subnetIds"):
                if params.get(name) is not None:
                    doc[name] = list(params[name])
            restart = params.get("port") is not None and params["port"] != doc["port"]
            if restart:
                if params["port"] not in PORTS:
                    raise validation(f"Port {params['port']} is not valid: use 5431-5455 or 8191-8215.")
                doc["port"] = doc["endpoint"]["port"] = params["port"]
            self.workgroups.put(ctx.account_id, doc)
            if restart:
                self._stop(ctx.account_id, doc["workgroupName"])
                self._start(doc, self.namespaces.get(ctx.account_id, doc["namespaceName"]))
                doc = self.workgroups.get(ctx.account_id, doc["workgroupName"])
        return {"workgroup": shown(doc)}

    def delete_workgroup(self, ctx: RequestContext, params: dict) -> dict:
        with self.lock:
            doc = self._workgroup(ctx, params["workgroupName"])
            self._stop(ctx.account_id, doc["workgroupName"])
            self.workgroups.delete(ctx.account_id, doc["workgroupName"])
        doc["status"] = "DELETING"
        return {"workgroup": shown(doc)}

    # -- credentials --------------------------------------------------------------------------------

    def get_credentials(self, ctx: RequestContext, params: dict) -> dict:
        if not params.get("workgroupName"):
            raise validation("workgroupName must be given: lakebox workgroups have no custom domain names.")
        doc = self._workgroup(ctx, params["workgroupName"])
        runtime = self.runtime(ctx.account_id, doc["workgroupName"])
        seconds = params.get("durationSeconds") or 900
        if not 900 <= seconds <= 3600:
            raise validation("durationSeconds must be between 900 and 3600.")
        if params.get("dbName") and params["dbName"] not in runtime.database_names:
            raise not_found(f"Database {params['dbName']} not found in workgroup {doc['workgroupName']}.")
        login = iam_database_user(self.redshift.sts.get_caller_identity(ctx, {})["Arn"])
        password = runtime.temporary_login(login, seconds)
        now = dt.datetime.now(dt.timezone.utc)
        return {"dbUser": login, "dbPassword": password, "expiration": now + dt.timedelta(seconds=seconds),
                "nextRefreshTime": now + dt.timedelta(seconds=seconds)}

    # -- tags ---------------------------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, arn: str) -> tuple[DocTable, dict]:
        for table, field in ((self.namespaces, "namespaceArn"), (self.workgroups, "workgroupArn"),
                             (self.snapshots, "snapshotArn")):
            for doc in table.all(ctx.account_id):
                if doc.get(field) == arn:
                    return table, doc
        raise not_found(f"Resource {arn} not found.")

    def tag_resource(self, ctx: RequestContext, params: dict) -> dict:
        with self.lock:
            table, doc = self._tagged(ctx, params["resourceArn"])
            tags = {t["key"]: t["value"] for t in doc["_Tags"]}
            tags.update({t["key"]: t.get("value", "") for t in params["tags"]})
            if len(tags) > 200:
                raise AwsError("TooManyTagsException", "A resource can have at most 200 tags.", 400)
            doc["_Tags"] = [{"key": k, "value": v} for k, v in tags.items()]
            table.put(ctx.account_id, doc)
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict) -> dict:
        with self.lock:
            table, doc = self._tagged(ctx, params["resourceArn"])
            doc["_Tags"] = [t for t in doc["_Tags"] if t["key"] not in set(params["tagKeys"])]
            table.put(ctx.account_id, doc)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict) -> dict:
        return {"tags": self._tagged(ctx, params["resourceArn"])[1]["_Tags"]}


def _capacity(value: Optional[int], default: Optional[int], name: str) -> int:
    value = default if value is None else value
    if value is None or not 8 <= value <= 1024 or value % 8:
        raise validation(f"{name} {value} is not valid: use 8 to 1024 RPUs, in steps of 8.")
    return value


def _page(docs: list[dict], key: str, params: dict) -> tuple[list[dict], Optional[str]]:
    limit = params.get("maxResults") or 100
    after = params.get("nextToken")
    if after:
        docs = [d for d in docs if d[key] > after]
    chunk = docs[:limit]
    return chunk, (chunk[-1][key] if len(docs) > limit else None)
