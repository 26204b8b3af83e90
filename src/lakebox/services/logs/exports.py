"""Export tasks: CreateExportTask, DescribeExportTasks and CancelExportTask.

Why it writes for real: an export is how a pipeline gets logs into the lake (and from there to
Athena or a crawler), so the task writes the group's events to S3 the way AWS lays them out:

    aws-logs-write-test                                      (AWS's permission check, at the root)
    <destinationPrefix>/<taskId>/<logStreamName>/000000.gz   (one per stream with events)

each line `<ISO 8601 timestamp with ms>Z <message>`, events from `from` to `to` inclusive, in time
order. Objects go through the S3 service's `LakeStore.put_object`, so they get an ETag, a CRC64NVME
checksum and a metadata row like any object.

The task runs inside the request, on the gateway's worker thread (D7: the event loop never waits):
the row is RUNNING while files are written and COMPLETED (or FAILED) once they all exist, so a
DescribeExportTasks that follows always sees the final state. A cancel that lands meanwhile (from
another request) stops the export between streams. A task found RUNNING at start-up was cut off by
a crash or a stop, and is marked FAILED. Each state change is one transaction in the logs store.
"""

from __future__ import annotations

import datetime as dt
import gzip
import tempfile
import uuid
from typing import Any, Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...storage.api import ObjectMeta
from ...storage.errors import StorageError
from . import store as st
from .common import decode_token, encode_token, invalid, not_found

DEFAULT_PREFIX = "exportedlogs"
DESCRIBE_LIMIT = 50
WRITE_TEST_KEY = "aws-logs-write-test"
WRITE_TEST_BODY = b"Permission Check Successful"
#: What DescribeExportTasks says next to each status code.
STATUS_MESSAGES = {"PENDING": "Pending", "RUNNING": "Started successfully", "COMPLETED": "Completed successfully",
                   "CANCELLED": "Cancelled by user", "FAILED": "Failed"}
_ACTIVE = ("PENDING", "RUNNING")
#: Gzip output is spooled in memory up to this size, then on disk.
_SPOOL_BYTES = 8 << 20


class ExportsMixin:
    store: st.LogsStore
    lake: Any

    def create_export_task(self, ctx: RequestContext, params: dict) -> dict:
        group = self._group(ctx, params["logGroupName"])
        bucket = params["destination"]
        if self.lake is None or self.lake.get_bucket(bucket) is None:
            raise invalid("The given bucket does not exist. Please make sure the bucket is valid.")
        start, end = params["from"], params["to"]
        if start > end:
            raise invalid("The start time must be before the end time.")
        prefix = (params.get("destinationPrefix") or DEFAULT_PREFIX).strip("/") or DEFAULT_PREFIX
        task_id = str(uuid.uuid4())
        with self.store.write() as db:
            active = db.execute(f"SELECT 1 FROM export_tasks WHERE account = ? AND region = ? AND status IN "
                                f"({', '.join('?' * len(_ACTIVE))})", (ctx.account_id, ctx.region, *_ACTIVE))
            if active.fetchone() is not None:
                # AWS allows one active (PENDING or RUNNING) export task per account.
                raise AwsError("LimitExceededException", "Resource limit exceeded.", 400)
            db.execute("INSERT INTO export_tasks (id, account, region, name, group_name, stream_prefix, from_ms, "
                       "to_ms, destination, destination_prefix, status, created_ms) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'RUNNING', ?)",
                       (task_id, ctx.account_id, ctx.region, params.get("taskName"), group.name,
                        params.get("logStreamNamePrefix"), start, end, bucket, prefix, self._now_ms()))
        try:
            self._run_export(task_id, group, bucket, prefix, params.get("logStreamNamePrefix"), start, end)
        except StorageError as exc:
            # The bucket went away (or refused a key) after the task started: AWS reports such a
            # failure in the task's status, not in CreateExportTask's answer.
            self._finish_export(task_id, "FAILED", f"Failed to write to the destination bucket: {exc}")
        except BaseException:
            self._finish_export(task_id, "FAILED", STATUS_MESSAGES["FAILED"])
            raise
        else:
            self._finish_export(task_id, "COMPLETED", STATUS_MESSAGES["COMPLETED"])
        return {"taskId": task_id}

    def _run_export(self, task_id: str, group: st.GroupRow, bucket: str, prefix: str,
                    stream_prefix: Optional[str], start: int, end: int) -> None:
        self.lake.put_object(bucket, WRITE_TEST_KEY, WRITE_TEST_BODY,
                             ObjectMeta(content_type="application/octet-stream"))
        window_start = self._window_start(group, start)
        for stream in self.store.streams_of(group, prefix=stream_prefix):
            if self._export_status(task_id) != "RUNNING":
                return  # cancelled meanwhile
            events = self.store.group_events(group, [stream.id], start=window_start, end=end + 1)
            with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
                wrote = False
                with gzip.GzipFile(fileobj=spool, mode="wb") as out:
                    for event in events:
                        out.write(f"{iso_timestamp(event.ts)} {event.message}\n".encode("utf-8"))
                        wrote = True
                if not wrote:
                    continue
                spool.seek(0)
                self.lake.put_object(bucket, f"{prefix}/{task_id}/{stream.name}/000000.gz", spool,
                                     ObjectMeta(content_type="application/x-gzip"),
                                     checksum_algorithms=("CRC64NVME",))

    def _export_status(self, task_id: str) -> Optional[str]:
        rows = self.store.read("SELECT status FROM export_tasks WHERE id = ?", (task_id,))
        return rows[0]["status"] if rows else None

    def _finish_export(self, task_id: str, status: str, message: str) -> None:
        """Move a RUNNING task to its end state; a task cancelled meanwhile stays CANCELLED."""
        with self.store.write() as db:
            db.execute("UPDATE export_tasks SET status = ?, message = ?, completed_ms = ? "
                       "WHERE id = ? AND status = 'RUNNING'", (status, message, self._now_ms(), task_id))

    def describe_export_tasks(self, ctx: RequestContext, params: dict) -> dict:
        limit = params.get("limit") or DESCRIBE_LIMIT
        after = decode_token(params.get("nextToken"), "export-tasks")
        sql = "SELECT * FROM export_tasks WHERE account = ? AND region = ?"
        args: list = [ctx.account_id, ctx.region]
        if params.get("taskId"):
            sql += " AND id = ?"
            args.append(params["taskId"])
        if params.get("statusCode"):
            sql += " AND status = ?"
            args.append(params["statusCode"])
        if after is not None:
            sql += " AND (created_ms, id) < (?, ?)"
            args += list(after)
        rows = self.store.read(sql + " ORDER BY created_ms DESC, id DESC LIMIT ?", [*args, limit + 1])
        result: dict = {"exportTasks": [_task_output(r) for r in rows[:limit]]}
        if len(rows) > limit:
            last = rows[limit - 1]
            result["nextToken"] = encode_token("export-tasks", [last["created_ms"], last["id"]])
        return result

    def cancel_export_task(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.write() as db:
            row = db.execute("SELECT status FROM export_tasks WHERE id = ? AND account = ? AND region = ?",
                             (params["taskId"], ctx.account_id, ctx.region)).fetchone()
            if row is None:
                raise not_found("The specified export task does not exist.")
            if row["status"] not in _ACTIVE:
                raise AwsError("InvalidOperationException", "The specified export task has already finished", 400)
            db.execute("UPDATE export_tasks SET status = 'CANCELLED', message = ?, completed_ms = ? WHERE id = ?",
                       (STATUS_MESSAGES["CANCELLED"], self._now_ms(), params["taskId"]))
        return {}


def fail_interrupted_exports(store: st.LogsStore) -> None:
    """At start-up: a task still PENDING or RUNNING was cut off when lakebox stopped."""
    with store.write() as db:
        db.execute("UPDATE export_tasks SET status = 'FAILED', message = ? WHERE status IN ('PENDING', 'RUNNING')",
                   ("The export was interrupted when lakebox stopped.",))


def iso_timestamp(ms: int) -> str:
    """`2024-05-01T12:00:00.123Z`, the timestamp an exported line starts with."""
    moment = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _task_output(row) -> dict:
    out: dict = {"taskId": row["id"], "taskName": row["name"], "logGroupName": row["group_name"],
                 "from": row["from_ms"], "to": row["to_ms"], "destination": row["destination"],
                 "destinationPrefix": row["destination_prefix"],
                 "status": {"code": row["status"], "message": row["message"] or STATUS_MESSAGES[row["status"]]},
                 "executionInfo": {"creationTime": row["created_ms"]}}
    if row["completed_ms"] is not None:
        out["executionInfo"]["completionTime"] = row["completed_ms"]
    return {k: v for k, v in out.items() if v is not None}
