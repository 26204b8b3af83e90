"""Redshift audit logging: EnableLogging, DisableLogging, DescribeLoggingStatus, and the logs themselves.

What a cluster with logging on records, in the formats of AWS's "Database audit logging" page:
- connectionlog: `authenticated`, `initiating session`, `disconnecting session` (with its duration)
  and `authentication failure`, one pipe-separated line each, the fields of STL_CONNECTION_LOG's row
  for the same event (engines/redshift/connection_log.py);
- useractivitylog: every statement a session runs,
  `'<time> UTC [ db=<db> user=<user> pid=<pid> userid=<id> xid=<xid> ]' LOG: <sql>`;
- userlog: CREATE, ALTER and DROP USER statements.

Where they go, as LogDestinationType says:
- `cloudwatch`: at once, to the log group `/aws/redshift/cluster/<cluster>/<log type>`, stream
  `<cluster>`, through lakebox's CloudWatch Logs;
- `s3`: buffered, then written as gzip objects named as AWS names them,
  `<prefix>AWSLogs/<account>/redshift/<region>/<yyyy>/<MM>/<dd>/<account>_redshift_<region>_<cluster>_<log type>_<yyyy-MM-ddTHH:mm>.gz`,
  once the oldest buffered line is a minute old (AWS delivers within the hour), and whenever logging
  is turned off or the cluster stops. A second delivery in the same minute adds a gzip member to
  that object.

As on AWS, the useractivitylog is written only when the cluster's parameter group sets
`enable_user_activity_logging` to true (parameter_groups.py).
Lines buffered for S3 are in memory: a `kill -9` loses at most the last minute of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import logging
import re
import threading
import time
from typing import Any, Optional

from ...engines.redshift.connection_log import ConnectionEvent
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...storage.api import ObjectMeta
from ...storage.errors import StorageError
from ..periodic import PeriodicPass

log = logging.getLogger("lakebox.redshift")

LOG_TYPES = ("connectionlog", "userlog", "useractivitylog")
#: Seconds a line waits in the S3 buffer at most.
FLUSH_AFTER = 60.0
_USER_DDL = re.compile(r"^\s*(CREATE|ALTER|DROP)\s+USER\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?\"?([A-Za-z0-9_$.@+-]+)", re.I)
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def _fault(code: str, message: str, status: int = 400) -> AwsError:
    return AwsError(code, message, status)


def logging_status(doc: dict, deliveries: Optional[dict] = None) -> dict:
    """DescribeLoggingStatus's answer for a cluster document (and its S3 deliveries so far)."""
    settings = {**(doc.get("Logging") or {}), **(deliveries or {})}
    out: dict[str, Any] = {"LoggingEnabled": bool(settings.get("LoggingEnabled"))}
    for name in ("BucketName", "S3KeyPrefix", "LogDestinationType", "LogExports", "LastFailureMessage"):
        if settings.get(name):
            out[name] = settings[name]
    for name in ("LastSuccessfulDeliveryTime", "LastFailureTime"):
        if settings.get(name):
            out[name] = dt.datetime.fromisoformat(settings[name])
    return out


def check_settings(params: dict, lake: Any, account: str) -> dict:
    """The Logging settings EnableLogging asks for, checked as Redshift checks them."""
    destination = params.get("LogDestinationType") or ("s3" if params.get("BucketName") else None)
    if destination not in ("s3", "cloudwatch"):
        raise _fault("InvalidParameterValue", "LogDestinationType must be s3 or cloudwatch; give BucketName for "
                                              "s3.")
    exports = list(params.get("LogExports") or [])
    unknown = [e for e in exports if e not in LOG_TYPES]
    if unknown:
        raise _fault("InvalidParameterValue", f"Invalid log export type {unknown[0]}. Valid values are "
                                              f"{', '.join(LOG_TYPES)}.")
    settings: dict[str, Any] = {"LoggingEnabled": True, "LogDestinationType": destination,
                                "LogExports": exports or list(LOG_TYPES)}
    if destination == "cloudwatch":
        if params.get("BucketName") or params.get("S3KeyPrefix"):
            raise _fault("InvalidParameterCombination", "BucketName and S3KeyPrefix cannot be given when "
                                                        "LogDestinationType is cloudwatch.")
        return settings
    bucket = params.get("BucketName") or ""
    if not _BUCKET.fullmatch(bucket):
        raise _fault("InvalidS3BucketNameFault", f"The S3 bucket name {bucket} is invalid.")
    info = lake.get_bucket(bucket)
    if info is None or info.account_id != account:
        raise _fault("BucketNotFoundFault", f"Cannot find S3 bucket: {bucket}")
    prefix = params.get("S3KeyPrefix") or ""
    if len(prefix) > 512 or any(ord(c) < 32 for c in prefix) or "\\" in prefix:
        raise _fault("InvalidS3KeyPrefixFault", f"The S3 key prefix {prefix!r} is not valid.")
    settings.update({"BucketName": bucket, "S3KeyPrefix": prefix})
    return settings


class AuditLogger:
    """Receives the lines clusters log and delivers them where each cluster's settings say."""

    def __init__(self, lake: Any, clock: Any):
        self.lake, self.clock = lake, clock
        self.logs: Any = None  # the CloudWatch Logs provider, set once the providers are built
        self._lock = threading.Lock()
        #: (account, cluster, log type) -> (settings, region, first line's wall time, lines)
        self._buffers: dict[tuple[str, str, str], tuple[dict, str, float, list[str]]] = {}
        #: (account, cluster) -> LastSuccessfulDeliveryTime / LastFailureTime / LastFailureMessage
        self.deliveries: dict[tuple[str, str], dict[str, str]] = {}
        self._timer = PeriodicPass("redshift-audit-logs", 5.0, self.flush_due, log)
        self._timer.start()

    def now(self) -> dt.datetime:
        return self.clock.now()

    # -- recording ----------------------------------------------------------------------------------

    @staticmethod
    def enabled(doc: dict) -> bool:
        return bool((doc.get("Logging") or {}).get("LoggingEnabled"))

    def record(self, doc: dict, log_type: str, line: str) -> None:
        settings = doc.get("Logging") or {}
        if not self.enabled(doc) or log_type not in settings.get("LogExports", LOG_TYPES):
            return
        account, cluster, region = doc["Account"], doc["ClusterIdentifier"], doc["Region"]
        if settings.get("LogDestinationType") == "cloudwatch":
            if self.logs is not None:
                stamp = int(self.now().timestamp() * 1000)
                self.logs.write_events(account, region, f"/aws/redshift/cluster/{cluster}/{log_type}", cluster,
                                       [(stamp, line)])
            return
        with self._lock:
            key = (account, cluster, log_type)
            entry = self._buffers.get(key)
            if entry is None or entry[0] != settings:
                if entry is not None:
                    self._deliver(key, entry)
                entry = self._buffers[key] = (dict(settings), region, time.monotonic(), [])
            entry[3].append(line)

    def user_statement(self, doc: dict, database: str, user: str, pid: int, sql: str, *,
                       user_activity: bool) -> None:
        """The lines a statement adds: its useractivitylog line (when the cluster's parameter group has
        enable_user_activity_logging on), and a userlog line for user DDL."""
        if not self.enabled(doc):
            return
        moment = self.now()
        if user_activity:
            self.record(doc, "useractivitylog", f"'{moment:%Y-%m-%dT%H:%M:%SZ} UTC [ db={database} "
                                                f"user={user} pid={pid} userid=100 xid={pid} ]' LOG: {sql.strip()}")
        match = _USER_DDL.match(sql)
        if match is not None:
            action, name = match.group(1).lower(), match.group(2)
            self.record(doc, "userlog", "|".join(["100", name, " ", action, "0", "0", "0", " ", str(pid), str(pid),
                                                  _connection_time(moment)]))

    def connection(self, doc: dict, event: ConnectionEvent) -> None:
        """A connectionlog line: the event STL_CONNECTION_LOG also records, its fields in that order."""
        if not self.enabled(doc):
            return
        fields = [str(v) for v in dataclasses.astuple(event)]
        fields[1] = _connection_time(event.recordtime.replace(tzinfo=dt.timezone.utc))
        self.record(doc, "connectionlog", "|".join(fields))

    # -- delivering ---------------------------------------------------------------------------------

    def flush_due(self) -> None:
        with self._lock:
            due = [k for k, entry in self._buffers.items() if time.monotonic() - entry[2] >= FLUSH_AFTER]
            for key in due:
                self._deliver(key, self._buffers.pop(key))

    def flush(self, account: str, cluster: str) -> None:
        """Deliver what a cluster has buffered (logging turned off, or the cluster stopping)."""
        with self._lock:
            for key in [k for k in self._buffers if k[:2] == (account, cluster)]:
                self._deliver(key, self._buffers.pop(key))

    def _deliver(self, key: tuple[str, str, str], entry: tuple[dict, str, float, list[str]]) -> None:
        account, cluster, log_type = key
        settings, region, _, lines = entry
        if not lines:
            return
        moment = self.now().astimezone(dt.timezone.utc)
        name = (f"{settings.get('S3KeyPrefix') or ''}AWSLogs/{account}/redshift/{region}/{moment:%Y/%m/%d}/"
                f"{account}_redshift_{region}_{cluster}_{log_type}_{moment:%Y-%m-%dT%H:%M}.gz")
        member = gzip.compress(("\n".join(lines) + "\n").encode("utf-8"))
        bucket = settings["BucketName"]
        status = self.deliveries.setdefault((account, cluster), {})
        try:
            existing = self.lake.head_object(bucket, name)
            if existing is not None:  # a second delivery in the same minute: one more gzip member
                with self.lake.open_object(existing) as reader:
                    member = b"".join(reader) + member
            self.lake.put_object(bucket, name, member, ObjectMeta(content_type="application/x-gzip"))
            status["LastSuccessfulDeliveryTime"] = moment.isoformat()
            log.info("redshift cluster %s: %d %s line(s) delivered to s3://%s/%s", cluster, len(lines), log_type,
                     bucket, name)
        except StorageError as exc:
            status.update(LastFailureTime=moment.isoformat(), LastFailureMessage=str(exc))
            log.warning("redshift cluster %s: %s lines not delivered to s3://%s: %s", cluster, log_type, bucket, exc)

    def close(self) -> None:
        self._timer.stop()
        with self._lock:
            for key in list(self._buffers):
                self._deliver(key, self._buffers.pop(key))


def _connection_time(moment: dt.datetime) -> str:
    """The connection log's time format: `Fri, 27 Nov 2026 12:00:00:123`."""
    moment = moment.astimezone(dt.timezone.utc)
    return f"{moment:%a, %d %b %Y %H:%M:%S}:{moment.microsecond // 1000:03d}"


class LoggingMixin:
    """The three operations; needs the provider's store, lake, `_cluster`, `runtime` and `audit`."""

    def enable_logging(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._cluster(ctx, params["ClusterIdentifier"])
            settings = check_settings(params, self.lake, ctx.account_id)
            self.audit.flush(ctx.account_id, doc["ClusterIdentifier"])
            doc["Logging"] = settings
            self._save_doc(ctx.account_id, doc)
        log.info("redshift cluster %s: audit logging (%s) to %s", doc["ClusterIdentifier"],
                 ", ".join(settings["LogExports"]), settings.get("BucketName") or "CloudWatch Logs")
        return self._logging_status(ctx, doc)

    def disable_logging(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._cluster(ctx, params["ClusterIdentifier"])
            self.audit.flush(ctx.account_id, doc["ClusterIdentifier"])
            doc["Logging"] = {"LoggingEnabled": False}
            self._save_doc(ctx.account_id, doc)
        return self._logging_status(ctx, doc)

    def describe_logging_status(self, ctx: RequestContext, params: dict) -> dict:
        return self._logging_status(ctx, self._cluster(ctx, params["ClusterIdentifier"]))

    def _logging_status(self, ctx: RequestContext, doc: dict) -> dict:
        return logging_status(doc, self.audit.deliveries.get((ctx.account_id, doc["ClusterIdentifier"])))

    def _save_doc(self, account: str, doc: dict) -> None:
        self.store.put(account, doc)
        runtime = self.runtime(account, doc["ClusterIdentifier"])
        if runtime is not None:
            runtime.doc = doc
