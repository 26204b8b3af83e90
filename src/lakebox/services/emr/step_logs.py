"""A step's driver logs, published where EMR puts them: `<LogUri>/<cluster-id>/steps/<step-id>/`.

The driver writes `stdout` and `stderr` into the step's run folder while it runs; when the step ends,
each is gzipped into `stdout.gz` / `stderr.gz` and written through the lake's API (temp file, fsync,
rename, metadata), so the objects have ETags and listings like any other. EMR uploads its logs a few
minutes after the fact; here they are in place before the step's final state is committed, so a
client that sees FAILED can read the `FailureDetails.LogFile` at once.

A cluster without a LogUri keeps its logs in the run folder only. A LogUri whose bucket does not exist
is logged and skipped: as on EMR, a missing log destination does not fail the step.
"""

from __future__ import annotations

import gzip
import logging
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Optional

from ...storage.api import ObjectMeta
from ...storage.errors import NoSuchBucketError, StorageError

log = logging.getLogger("lakebox.emr")

_LOG_URI = re.compile(r"^s3[an]?://([^/]+)/?(.*)$")
LOG_NAMES = ("stdout", "stderr")


def record_exit(log_dir: Path, code: int) -> None:
    """End the driver's stderr the way EMR's command-runner does ("Command exiting with ret '1'"),
    after the Python traceback of a failed driver: spark-submit sends a Python driver's own stderr to
    its stdout, and the step's stderr is the log EMR users open first."""
    lines = []
    if code != 0:
        stdout = _tail(Path(log_dir) / "stdout")
        marker = "Traceback (most recent call last)"
        if marker in stdout:
            lines.append(stdout[stdout.rindex(marker):].rstrip("\n"))
    lines.append(f"Command exiting with ret '{code}'")
    with open(Path(log_dir) / "stderr", "a", encoding="utf-8") as err:
        err.write("\n".join(lines) + "\n")


def _tail(path: Path, size: int = 64 * 1024) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            handle.seek(max(0, handle.tell() - size))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def log_location(log_uri: Optional[str], cluster_id: str, step_id: str) -> Optional[tuple[str, str, str]]:
    """(bucket, key prefix, URI prefix) of the step's logs, or None when the cluster has no S3 LogUri."""
    match = _LOG_URI.match(log_uri or "")
    if not match:
        return None
    bucket, prefix = match.group(1), match.group(2)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    key_prefix = f"{prefix}{cluster_id}/steps/{step_id}/"
    scheme = (log_uri or "").split("://", 1)[0]
    return bucket, key_prefix, f"{scheme}://{bucket}/{key_prefix}"


def publish(lake: Any, log_uri: Optional[str], cluster_id: str, step_id: str, log_dir: Path) -> Optional[str]:
    """Write the step's stdout.gz and stderr.gz under the LogUri; the URI of stderr.gz, or None."""
    where = log_location(log_uri, cluster_id, step_id)
    if where is None:
        return None
    bucket, key_prefix, uri_prefix = where
    try:
        for name in LOG_NAMES:
            _put_gzip(lake, bucket, f"{key_prefix}{name}.gz", Path(log_dir) / name)
    except NoSuchBucketError:
        log.warning("emr %s step %s: logs not written to %s: bucket %s does not exist", cluster_id, step_id,
                    uri_prefix, bucket)
        return None
    except StorageError as exc:
        log.warning("emr %s step %s: logs not written to %s: %s: %s", cluster_id, step_id, uri_prefix,
                    type(exc).__name__, exc)
        return None
    return f"{uri_prefix}stderr.gz"


def _put_gzip(lake: Any, bucket: str, key: str, source: Path) -> None:
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as spool:
        with gzip.GzipFile(fileobj=spool, mode="wb", mtime=0) as packed:
            if source.exists():
                with open(source, "rb") as raw:
                    shutil.copyfileobj(raw, packed)
        spool.seek(0)
        lake.put_object(bucket, key, spool, ObjectMeta(content_type="application/x-gzip"))
