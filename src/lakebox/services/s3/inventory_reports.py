"""S3 Inventory, for real: the inventory configurations of every bucket are turned into report files
in their destination bucket, on their schedule (daily or weekly) of the service clock.

Why: an inventory is how a data lake lists itself for Athena or Spark without calling List, and
pipelines that read inventories need the files, laid out as S3 lays them out:
- the list: `<prefix>/<source-bucket>/<config-id>/data/<uuid>.csv.gz` (CSV with every value quoted,
  no header, keys URL-encoded), `.orc` (ZLIB) or `.parquet` (Snappy), with S3's column names;
- `<prefix>/<source-bucket>/<config-id>/<YYYY-MM-DDTHH-MMZ>/manifest.json`, naming the files with
  their size and MD5, and `manifest.checksum`, the MD5 of manifest.json;
- `<prefix>/<source-bucket>/<config-id>/hive/dt=<YYYY-MM-DD-HH-MM>/symlink.txt`, for Hive and Athena.
The columns are Bucket and Key, then VersionId, IsLatest and IsDeleteMarker when the configuration
lists all versions, then the optional fields asked for, in S3's order.

When: the first report at the first pass after the configuration appears (S3 takes up to 48
hours), then one a day or one a week of service-clock time. Passes run every minute of wall
time and at once when the clock jumps, so `lakebox clock advance 1d` returns with the next daily
report written. A destination bucket that does not exist gets nothing (S3 delivers nothing
either) and is tried again at the next due time.

Not done: a Weekly report lands 7 days after the last one, not on Sundays; ObjectAccessControlList,
ObjectOwner and LifecycleExpirationDate columns are left empty; the destination's bucket policy
is not required.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import logging
import threading
import uuid
from typing import Any, Callable, Iterator
from urllib.parse import quote_plus

from ...storage import errors as st
from ...storage.api import ObjectInfo, ObjectMeta
from ..periodic import ClockedWorker
from . import object_lock
from .id_configurations import INVENTORY

log = logging.getLogger("lakebox.s3.inventory")

DEFAULT_INTERVAL = 60.0
#: Per source bucket: {config id: ISO time of the last report}.
STATE = "inventory-state"
_PERIODS = {"Daily": dt.timedelta(days=1), "Weekly": dt.timedelta(days=7)}
_PAGE = 1000

#: The optional fields in the order S3 writes them, with their ORC/Parquet column names and types
#: (type names: pyarrow is imported when a columnar report is written, not with the S3 service).
_OPTIONAL = [
    ("Size", "size", "int64"),
    ("LastModifiedDate", "last_modified_date", "timestamp"),
    ("ETag", "e_tag", "string"),
    ("StorageClass", "storage_class", "string"),
    ("IsMultipartUploaded", "is_multipart_uploaded", "bool"),
    ("ReplicationStatus", "replication_status", "string"),
    ("EncryptionStatus", "encryption_status", "string"),
    ("ObjectLockRetainUntilDate", "object_lock_retain_until_date", "timestamp"),
    ("ObjectLockMode", "object_lock_mode", "string"),
    ("ObjectLockLegalHoldStatus", "object_lock_legal_hold_status", "string"),
    ("IntelligentTieringAccessTier", "intelligent_tiering_access_tier", "string"),
    ("BucketKeyStatus", "bucket_key_status", "string"),
    ("ChecksumAlgorithm", "checksum_algorithm", "string"),
    ("ObjectAccessControlList", "object_access_control_list", "string"),
    ("ObjectOwner", "object_owner", "string"),
    ("LifecycleExpirationDate", "lifecycle_expiration_date", "timestamp"),
]
_FIXED = [("Bucket", "bucket", "string"), ("Key", "key", "string")]
_VERSIONS = [("VersionId", "version_id", "string"), ("IsLatest", "is_latest", "bool"),
             ("IsDeleteMarker", "is_delete_marker", "bool")]
_EXTENSIONS = {"CSV": ".csv.gz", "ORC": ".orc", "Parquet": ".parquet"}


def columns_for(config: dict) -> list[tuple[str, str, str]]:
    """(field, column, type) of a configuration's report, in S3's order."""
    asked = set(config.get("OptionalFields") or [])
    columns = list(_FIXED)
    if config.get("IncludedObjectVersions") == "All":
        columns += _VERSIONS
    return columns + [column for column in _OPTIONAL if column[0] in asked]


def _encryption_status(meta: ObjectMeta) -> str:
    record = meta.encryption or {"ServerSideEncryption": "AES256"}
    if record.get("SSECustomerAlgorithm"):
        return "SSE-C"
    return {"AES256": "SSE-S3", "aws:kms": "SSE-KMS", "aws:kms:dsse": "DSSE-KMS"}.get(
        record.get("ServerSideEncryption") or "", "NOT-SSE")


def row_values(bucket: str, info: ObjectInfo) -> dict[str, Any]:
    """Every field S3 can report for one version (a delete marker has no size, ETag ...)."""
    meta = info.meta
    row: dict[str, Any] = {"Bucket": bucket, "Key": info.key, "VersionId": info.version_id or "null",
                           "IsLatest": info.is_latest, "IsDeleteMarker": info.is_delete_marker,
                           "LastModifiedDate": info.last_modified}
    if info.is_delete_marker:
        return row
    retention = object_lock.retention_of(info)
    row.update({
        "Size": info.size,
        "ETag": info.etag,
        "StorageClass": meta.storage_class or "STANDARD",
        "IsMultipartUploaded": bool(info.parts) or "-" in info.etag,
        "ReplicationStatus": meta.extra.get("replication"),
        "EncryptionStatus": _encryption_status(meta),
        "ObjectLockRetainUntilDate": retention[1] if retention else None,
        "ObjectLockMode": retention[0] if retention else None,
        "ObjectLockLegalHoldStatus": object_lock.legal_hold_of(info),
        "IntelligentTieringAccessTier": "FREQUENT" if meta.storage_class == "INTELLIGENT_TIERING" else None,
        "BucketKeyStatus": "ENABLED" if (meta.encryption or {}).get("BucketKeyEnabled") == "true" else "DISABLED",
        "ChecksumAlgorithm": ",".join(sorted(info.checksums)) or None,
    })
    return row


def _csv_text(field: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if field == "Key":
        return quote_plus(value, safe="/")
    return str(value)


def encode_report(rows: list[dict], columns: list, file_format: str) -> bytes:
    """The inventory file's bytes in `file_format` (CSV gzip, ORC zlib or Parquet snappy)."""
    if file_format == "CSV":
        text = io.StringIO()
        writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for row in rows:
            writer.writerow([_csv_text(field, row.get(field)) for field, _, _ in columns])
        return gzip.compress(text.getvalue().encode("utf-8"), mtime=0)
    import pyarrow as pa

    types = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_(), "timestamp": pa.timestamp("ms", tz="UTC")}
    schema = pa.schema([pa.field(name, types[kind]) for _, name, kind in columns])
    table = pa.table({name: pa.array([row.get(field) for row in rows], type=types[kind])
                      for field, name, kind in columns}, schema=schema)
    sink = io.BytesIO()
    if file_format == "ORC":
        from pyarrow import orc

        orc.write_table(table, sink, compression="zlib")
    else:
        import pyarrow.parquet as pq

        pq.write_table(table, sink, compression="snappy")
    return sink.getvalue()


def file_schema(columns: list, file_format: str) -> str:
    """The manifest's description of the columns, in the notation of each format."""
    if file_format == "CSV":
        return ", ".join(field for field, _, _ in columns)
    names = {"string": "string", "int64": "bigint", "bool": "boolean", "timestamp": "timestamp"}
    if file_format == "ORC":
        return "struct<" + ",".join(f"{name}:{names[kind]}" for _, name, kind in columns) + ">"
    parts = []
    for field, name, kind in columns:
        required = "required" if field in ("Bucket", "Key") else "optional"
        if kind == "string":
            parts.append(f"{required} binary {name} (UTF8);")
        elif kind == "bool":
            parts.append(f"{required} boolean {name};")
        elif kind == "int64":
            parts.append(f"{required} int64 {name};")
        else:
            parts.append(f"{required} int64 {name} (TIMESTAMP_MILLIS);")
    return "message s3.inventory { " + " ".join(parts) + "}"


class InventoryWorker(ClockedWorker):
    """Writes the reports that are due, on a timer and when the service clock jumps."""

    def __init__(self, store: Any, now: Callable[[], dt.datetime], *, interval: float = DEFAULT_INTERVAL):
        self.store = store
        self.now = now
        self._pass_lock = threading.Lock()
        super().__init__("lakebox-inventory", interval, log)

    def run_once(self) -> list[str]:
        """Write every report that is due; the keys of the manifests written."""
        written: list[str] = []
        with self._pass_lock:
            now = self.now()
            for bucket in self.store.list_buckets():
                try:
                    configs = self.store.get_bucket_config(bucket.name, INVENTORY.document) or {}
                    if configs:
                        written += self._bucket_pass(bucket.name, configs, now)
                except st.NoSuchBucketError:
                    continue  # deleted while we walked
        return written

    def _bucket_pass(self, bucket: str, configs: dict, now: dt.datetime) -> list[str]:
        state = dict(self.store.get_bucket_config(bucket, STATE) or {})
        written = []
        for config_id, config in sorted(configs.items()):
            last = state.get(config_id)
            period = _PERIODS.get((config.get("Schedule") or {}).get("Frequency"), _PERIODS["Daily"])
            if not config.get("IsEnabled") or (last and now - dt.datetime.fromisoformat(last) < period):
                continue
            state[config_id] = now.isoformat()
            try:
                manifest = self.write_report(bucket, config, now)
            except st.NoSuchBucketError as exc:
                log.warning("inventory %r of bucket %s: destination bucket %s does not exist; nothing delivered",
                            config_id, bucket, exc)
                continue
            finally:
                self.store.put_bucket_config(bucket, STATE, {k: v for k, v in state.items() if k in configs})
            written.append(manifest)
        return written

    def write_report(self, bucket: str, config: dict, now: dt.datetime) -> str:
        """List the bucket as `config` asks and deliver the files; the manifest's key."""
        destination = config["Destination"]["S3BucketDestination"]
        target = destination["Bucket"].rsplit(":", 1)[-1]
        file_format = destination.get("Format", "CSV")
        base = "/".join(p for p in ((destination.get("Prefix") or "").strip("/"), bucket, config["Id"]) if p)
        columns = columns_for(config)
        rows = [row_values(bucket, info) for info in self._versions(bucket, config)]
        body = encode_report(rows, columns, file_format)
        meta = ObjectMeta(content_type="application/octet-stream", encryption=_report_encryption(destination))
        data_key = f"{base}/data/{uuid.uuid4()}{_EXTENSIONS.get(file_format, '.csv.gz')}"
        self.store.put_object(target, data_key, body, meta)
        stamp = now.astimezone(dt.timezone.utc)
        manifest = {
            "sourceBucket": bucket,
            "destinationBucket": destination["Bucket"],
            "version": "2016-11-30",
            "creationTimestamp": str(int(stamp.timestamp() * 1000)),
            "fileFormat": file_format,
            "fileSchema": file_schema(columns, file_format),
            "files": [{"key": data_key, "size": len(body), "MD5checksum": hashlib.md5(body).hexdigest()}],
        }
        manifest_bytes = json.dumps(manifest, indent=2).encode("utf-8")
        folder = f"{base}/{stamp.strftime('%Y-%m-%dT%H-%MZ')}"
        json_meta = ObjectMeta(content_type="application/json", encryption=meta.encryption)
        self.store.put_object(target, f"{folder}/manifest.json", manifest_bytes, json_meta)
        self.store.put_object(target, f"{base}/hive/dt={stamp.strftime('%Y-%m-%d-%H-%M')}/symlink.txt",
                              f"s3://{target}/{data_key}\n".encode("utf-8"),
                              ObjectMeta(content_type="text/plain", encryption=meta.encryption))
        # The checksum last: S3 documents its arrival as the sign that a report is complete.
        self.store.put_object(target, f"{folder}/manifest.checksum",
                              hashlib.md5(manifest_bytes).hexdigest().encode("ascii"),
                              ObjectMeta(content_type="text/plain", encryption=meta.encryption))
        log.info("inventory %r of bucket %s: %d rows to s3://%s/%s", config["Id"], bucket, len(rows), target,
                 data_key)
        return f"{folder}/manifest.json"

    def _versions(self, bucket: str, config: dict) -> Iterator[ObjectInfo]:
        """The versions a report lists: all of them, or the current objects (no delete markers)."""
        every = config.get("IncludedObjectVersions") == "All"
        prefix = (config.get("Filter") or {}).get("Prefix") or ""
        key_marker, version_marker = "", ""
        while True:
            page = self.store.list_object_versions(bucket, prefix=prefix, key_marker=key_marker,
                                                   version_id_marker=version_marker, max_keys=_PAGE)
            for info in page.versions:
                if every or (info.is_latest and not info.is_delete_marker):
                    yield info
            if not page.is_truncated or page.next_key_marker is None:
                return
            key_marker, version_marker = page.next_key_marker, page.next_version_id_marker or ""


def _report_encryption(destination: dict) -> dict[str, str]:
    """The encryption the configuration asks for its files (SSE-S3 by default, as every object)."""
    kms = (destination.get("Encryption") or {}).get("SSEKMS")
    if kms is not None:
        return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms.get("KeyId", "")}
    return {"ServerSideEncryption": "AES256"}

