"""Object, bucket and multipart metadata in SQLite (`<data>/.lakebox/meta.db`).

WAL mode lets readers run while one writer commits. `synchronous=NORMAL` is WAL's durable-on-crash
setting: a commit is in the WAL (the OS's hands) before the write is acknowledged, so it survives the
process being killed (`kill -9`); only an OS crash or power loss can drop the last commits, and then
the object file itself, fsynced before its rename, is still there and is adopted with a computed
ETag. FULL would fsync the WAL under the single writer lock and serialize every PUT on it. Following SQLite's own model, there is one writer
connection behind a lock and one reader connection per thread (DESIGN D7, and datasette's pattern).

The `objects` table describes the *current* version of each key. For a plain file it records the
file's size, mtime_ns and inode: when they no longer match, the file was replaced from outside (or
lakebox died between the rename and the commit) and the file is the truth. `location` is NULL for
a plain file and the hidden-store path otherwise. `bucket_config` keeps one JSON document per
bucket and configuration name (tagging, policy, ACL ...), forgotten with the bucket.

Versioning: `buckets.versioning` is the bucket's state, `objects.version_id` the current version's
id (NULL is the "null" version), and `object_versions` holds noncurrent versions and delete markers
(version_id 'null' for the null version), ordered per key by `seq`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterator, Optional

from .api import NULL_VERSION, BucketInfo, ObjectMeta, PartInfo, UploadInfo
from .schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION
from .sqlite_db import SqliteDatabase

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: Stay well below SQLite's bound-parameter limit in `IN (...)` lookups.
_IN_BATCH = 500

#: How long an abort of a completed or aborted upload still succeeds: S3 answers 204 for some hours.
FINISHED_UPLOAD_MEMORY_NS = 24 * 3600 * 10**9


def ns_to_datetime(ns: int) -> datetime:
    return _EPOCH + timedelta(microseconds=ns // 1000)


def datetime_to_ns(value: datetime) -> int:
    delta = value - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 10**9 + delta.microseconds * 1000


@dataclass
class ObjectRow:
    """One row of `objects`: the current version of a key and the file that holds it."""

    bucket: str
    key: str
    etag: str
    size: int
    last_modified_ns: int
    mtime_ns: Optional[int]
    inode: Optional[int]
    location: Optional[str] = None
    meta: ObjectMeta = field(default_factory=ObjectMeta)
    checksums: dict[str, str] = field(default_factory=dict)
    checksum_type: Optional[str] = None
    parts: Optional[list[PartInfo]] = None
    version_id: Optional[str] = None
    # Only rows of object_versions have these.
    is_delete_marker: bool = False
    seq: int = 0
    superseded_ns: Optional[int] = None

    def fingerprint(self) -> tuple:
        return (self.size, self.mtime_ns, self.inode)


def _json(value) -> str:
    # Most objects carry no user metadata, tags or extras: "{}" without a trip through the encoder.
    return "{}" if not value and isinstance(value, dict) else json.dumps(value)


def _meta_values(meta: ObjectMeta) -> tuple:
    return (meta.content_type, _json(meta.system), _json(meta.user), _json(meta.tags),
            meta.storage_class, _json(meta.encryption), None if meta.acl is None else _json(meta.acl),
            _json(meta.extra))


def _dict(text: str) -> dict:
    # Most objects have no user metadata, tags or checksums: skip the parser for them (listings).
    return {} if text == "{}" else json.loads(text)


def _meta_from(r: sqlite3.Row) -> ObjectMeta:
    return ObjectMeta(content_type=r["content_type"], system=_dict(r["system_meta"]),
                      user=_dict(r["user_meta"]), tags=_dict(r["tags"]),
                      storage_class=r["storage_class"], encryption=_dict(r["encryption"]),
                      acl=None if r["acl"] is None else json.loads(r["acl"]), extra=_dict(r["extra"]))


def _parts_json(parts: Optional[list[PartInfo]]) -> Optional[str]:
    if parts is None:
        return None
    return json.dumps([[p.part_number, p.etag, p.size, datetime_to_ns(p.last_modified), p.checksums]
                       for p in parts])


def _parts_from(text: Optional[str]) -> Optional[list[PartInfo]]:
    if text is None:
        return None
    return [PartInfo(n, etag, size, ns_to_datetime(ns), checksums)
            for n, etag, size, ns, checksums in json.loads(text)]


def _inode_in(inode: Optional[int]) -> Optional[int]:
    # st_ino is unsigned 64-bit (overlayfs sets high bits); SQLite integers are signed.
    return inode - (1 << 64) if inode is not None and inode >= (1 << 63) else inode


def _inode_out(value: Optional[int]) -> Optional[int]:
    return value + (1 << 64) if value is not None and value < 0 else value


def _object_from(r: sqlite3.Row) -> ObjectRow:
    return ObjectRow(bucket=r["bucket"], key=r["key"], etag=r["etag"], size=r["size"],
                     last_modified_ns=r["last_modified_ns"], mtime_ns=r["mtime_ns"], inode=_inode_out(r["inode"]),
                     location=r["location"], meta=_meta_from(r), checksums=_dict(r["checksums"]),
                     checksum_type=r["checksum_type"], parts=_parts_from(r["parts"]),
                     version_id=r["version_id"])


def _upload_from(r: sqlite3.Row) -> UploadInfo:
    return UploadInfo(bucket=r["bucket"], key=r["key"], upload_id=r["upload_id"],
                      initiated=ns_to_datetime(r["initiated_ns"]), meta=_meta_from(r),
                      checksum_algorithm=r["checksum_algorithm"], checksum_type=r["checksum_type"],
                      key_token=r["key_token"])


class MetadataDB(SqliteDatabase):
    def __init__(self, path: str):
        super().__init__(path, foreign_keys=True)
        self._bucket_cache: dict[str, BucketInfo] = {}
        self._config_cache: dict[tuple[str, str], Optional[str]] = {}
        self._bucket_cache_lock = threading.Lock()
        self._bucket_generation = 0
        self._migrate()

    # The names this class's methods use for the shared connection rules (sqlite_db.py).
    _read = SqliteDatabase.read
    _write = SqliteDatabase.write

    def _migrate(self) -> None:
        """Create the schema, or bring an older database up to SCHEMA_VERSION, in one transaction.

        The version is read again inside the write transaction: another store opening the same
        folder at the same moment (tests do that) must not run a migration twice.
        """
        if self.read("PRAGMA user_version")[0][0] >= SCHEMA_VERSION:
            return
        with self.write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            scripts = [SCHEMA] if version == 0 else [MIGRATIONS[v] for v in range(version + 1, SCHEMA_VERSION + 1)]
            for script in scripts:
                for statement in _statements(script):
                    conn.execute(statement)
            if version < SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # Buckets

    def insert_bucket(self, info: BucketInfo, config: Optional[dict[str, dict]] = None) -> None:
        """Record a bucket, with its first configuration documents, in one transaction."""
        try:
            with self._write() as db:
                db.execute("INSERT OR REPLACE INTO buckets (name, account_id, region, created_ns, versioning) "
                           "VALUES (?, ?, ?, ?, ?)",
                           (info.name, info.account_id, info.region, datetime_to_ns(info.created), info.versioning))
                # A row left by a bucket of the same name that was forgotten uncleanly must not carry over.
                db.execute("DELETE FROM bucket_config WHERE bucket = ?", (info.name,))
                for name, value in (config or {}).items():
                    db.execute("INSERT INTO bucket_config (bucket, name, value) VALUES (?, ?, ?)",
                               (info.name, name, json.dumps(value)))
        finally:
            self._forget_cached_bucket(info.name)

    def get_bucket(self, name: str) -> Optional[BucketInfo]:
        # Every request asks for its bucket; bucket rows change rarely and only through this object
        # (one process per data folder), so they are cached. A generation counter keeps a read that
        # raced with a bucket write from caching what it saw.
        cached = self._bucket_cache.get(name)
        if cached is not None:
            return cached
        generation = self._bucket_generation
        rows = self._read("SELECT * FROM buckets WHERE name = ?", (name,))
        info = _bucket_from(rows[0]) if rows else None
        if info is not None:
            with self._bucket_cache_lock:
                if generation == self._bucket_generation:
                    self._bucket_cache[name] = info
        return info

    def _forget_cached_bucket(self, name: str) -> None:
        with self._bucket_cache_lock:
            self._bucket_generation += 1
            self._bucket_cache.pop(name, None)
            for cache_key in [k for k in self._config_cache if k[0] == name]:
                del self._config_cache[cache_key]

    def list_buckets(self) -> list[BucketInfo]:
        return [_bucket_from(r) for r in self._read("SELECT * FROM buckets ORDER BY name")]

    def delete_bucket(self, name: str) -> None:
        """Forget a bucket and everything recorded in it."""
        try:
            with self._write() as db:
                for table in ("objects", "object_versions", "uploads", "bucket_config"):
                    db.execute(f"DELETE FROM {table} WHERE bucket = ?", (name,))
                db.execute("DELETE FROM buckets WHERE name = ?", (name,))
        finally:
            self._forget_cached_bucket(name)

    def get_bucket_config(self, bucket: str, name: str) -> Optional[dict]:
        # Requests consult settings (lifecycle, encryption, replication ...) on every write and
        # read; they change only through this object, so their JSON text is cached (absent ones
        # too), under the same generation rule as bucket rows. Parsed anew: callers may mutate.
        cache_key = (bucket, name)
        if cache_key in self._config_cache:
            text = self._config_cache[cache_key]
            return None if text is None else json.loads(text)
        generation = self._bucket_generation
        rows = self._read("SELECT value FROM bucket_config WHERE bucket = ? AND name = ?", (bucket, name))
        text = rows[0][0] if rows else None
        with self._bucket_cache_lock:
            if generation == self._bucket_generation:
                self._config_cache[cache_key] = text
        return None if text is None else json.loads(text)

    def put_bucket_config(self, bucket: str, name: str, value: dict) -> bool:
        """Store `value`; False (nothing written) when the bucket has no row, so that a configuration
        can never outlive a bucket deleted at the same moment."""
        try:
            with self._write() as db:
                cursor = db.execute("INSERT OR REPLACE INTO bucket_config (bucket, name, value) "
                                    "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM buckets WHERE name = ?)",
                                    (bucket, name, json.dumps(value), bucket))
                return cursor.rowcount > 0
        finally:
            self._forget_cached_bucket(bucket)

    def delete_bucket_config(self, bucket: str, name: str) -> None:
        try:
            with self._write() as db:
                db.execute("DELETE FROM bucket_config WHERE bucket = ? AND name = ?", (bucket, name))
        finally:
            self._forget_cached_bucket(bucket)

    # Objects

    def get_object(self, bucket: str, key: str) -> Optional[ObjectRow]:
        rows = self._read("SELECT * FROM objects WHERE bucket = ? AND key = ?", (bucket, key))
        return _object_from(rows[0]) if rows else None

    def get_objects(self, bucket: str, keys: list[str]) -> dict[str, ObjectRow]:
        found: dict[str, ObjectRow] = {}
        for start in range(0, len(keys), _IN_BATCH):
            batch = keys[start:start + _IN_BATCH]
            marks = ",".join("?" * len(batch))
            for r in self._read(f"SELECT * FROM objects WHERE bucket = ? AND key IN ({marks})", [bucket, *batch]):
                found[r["key"]] = _object_from(r)
        return found

    def put_object(self, row: ObjectRow) -> None:
        with self._write() as db:
            _upsert_object(db, row)

    def replace_object(self, row: ObjectRow) -> Optional[str]:
        """Make `row` the current object of its key; return the hidden-store location of the row it
        replaced (None when there was none, or it described a plain file).

        The old row is read inside the write transaction rather than beforehand through a reader:
        one transaction instead of two on every PUT, and what is returned is exactly what the new
        row overwrote. Concurrent PUTs share that transaction (group commit).
        """
        def replace(db: sqlite3.Connection) -> Optional[str]:
            old = db.execute("SELECT location FROM objects WHERE bucket = ? AND key = ?",
                             (row.bucket, row.key)).fetchone()
            _upsert_object(db, row)
            return old[0] if old is not None else None

        return self.write_grouped(replace)

    def put_objects_if_unchanged(self, pairs: list[tuple[ObjectRow, Optional[ObjectRow]]]) -> list[bool]:
        """Write each `new` whose key's row is still `expected` (None: no row); one transaction.

        For caching what was computed from a file without holding the key's lock: a writer always
        commits after its rename, so checking inside the write transaction that nobody committed
        since `expected` was read is enough to never overwrite a newer object's row.
        """
        written = []
        with self._write() as db:
            for new, expected in pairs:
                r = db.execute("SELECT * FROM objects WHERE bucket = ? AND key = ?", (new.bucket, new.key)).fetchone()
                if same_object(_object_from(r) if r else None, expected):
                    _upsert_object(db, new)
                    written.append(True)
                else:
                    written.append(False)
        return written

    def delete_object(self, bucket: str, key: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM objects WHERE bucket = ? AND key = ?", (bucket, key))

    def hidden_locations(self) -> set[str]:
        """Every hidden-store file a row refers to, current or (once versioning exists) not."""
        return {r[0] for table in ("objects", "object_versions")
                for r in self._read(f"SELECT location FROM {table} WHERE location IS NOT NULL")}

    def has_key(self, bucket: str, key: str) -> bool:
        return bool(self._read("SELECT 1 FROM objects WHERE bucket = ? AND key = ?", (bucket, key)))

    def has_hidden(self, bucket: str) -> bool:
        return bool(self._read("SELECT 1 FROM objects WHERE bucket = ? AND location IS NOT NULL LIMIT 1",
                               (bucket,)))

    def iter_hidden(self, bucket: str, from_key: str, batch: int = 256) -> Iterator[ObjectRow]:
        """Hidden-store objects with key >= `from_key`, in key (UTF-8 byte) order.

        Keyset pagination rather than one open cursor, so a caller that stops early leaves no read
        transaction behind. SQLite's BINARY collation compares UTF-8 bytes: the order S3 lists in.
        """
        sql = ("SELECT * FROM objects WHERE bucket = ? AND location IS NOT NULL AND key {} ? "
               "ORDER BY key LIMIT ?")
        rows = self._read(sql.format(">="), (bucket, from_key, batch))
        while rows:
            for r in rows:
                yield _object_from(r)
            if len(rows) < batch:
                return
            rows = self._read(sql.format(">"), (bucket, rows[-1]["key"], batch))

    # Versions (see lake_versions.py for the order of files and commits)

    def set_versioning(self, bucket: str, status: str) -> bool:
        try:
            with self._write() as db:
                return db.execute("UPDATE buckets SET versioning = ? WHERE name = ?", (status, bucket)).rowcount > 0
        finally:
            self._forget_cached_bucket(bucket)

    def get_version(self, bucket: str, key: str, version_id: Optional[str]) -> Optional[ObjectRow]:
        rows = self._read("SELECT * FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?",
                          (bucket, key, version_id or NULL_VERSION))
        return _version_from(rows[0]) if rows else None

    def newest_version(self, bucket: str, key: str) -> Optional[ObjectRow]:
        rows = self._read("SELECT * FROM object_versions WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1",
                          (bucket, key))
        return _version_from(rows[0]) if rows else None

    def archive_version(self, row: ObjectRow, location: str, superseded_ns: int) -> None:
        """Record the current object `row` as a noncurrent version kept at `location` (step one of
        replacing or deleting it; the objects row stays until the new state is committed)."""
        archived = ObjectRow(**{**row.__dict__, "location": location})
        self.write_grouped(lambda db: _insert_version(db, archived, superseded_ns))

    def put_current(self, row: ObjectRow, *, drop_null: bool = False, upload_id: Optional[str] = None) -> Optional[str]:
        """Make `row` the current object; with `drop_null`, forget the key's noncurrent null version
        (a write while versioning is suspended replaces it) and return its hidden location.
        Concurrent writers share the transaction (group commit)."""
        def put(db: sqlite3.Connection) -> Optional[str]:
            dropped = None
            if drop_null:
                dropped = _delete_version(db, row.bucket, row.key, NULL_VERSION)
            _upsert_object(db, row)
            if upload_id is not None:
                _finish_upload(db, upload_id)
            return dropped

        return self.write_grouped(put)

    def add_delete_marker(self, marker: ObjectRow, now_ns: int, *, drop_null: bool) -> Optional[str]:
        """Remove the key's current row and record `marker` as its newest version, in one commit;
        returns the hidden location of a null version that the marker replaced."""
        with self._write() as db:
            dropped = _delete_version(db, marker.bucket, marker.key, NULL_VERSION) if drop_null else None
            db.execute("DELETE FROM objects WHERE bucket = ? AND key = ?", (marker.bucket, marker.key))
            _insert_version(db, marker, None)
            return dropped

    def delete_version(self, bucket: str, key: str, version_id: Optional[str]) -> Optional[str]:
        with self._write() as db:
            return _delete_version(db, bucket, key, version_id or NULL_VERSION)

    def promote_version(self, version: ObjectRow, current: ObjectRow) -> None:
        """Make the noncurrent `version` the current object `current`, in one commit."""
        with self._write() as db:
            db.execute("DELETE FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?",
                       (version.bucket, version.key, version.version_id or NULL_VERSION))
            _upsert_object(db, current)

    def put_version_meta(self, row: ObjectRow) -> None:
        with self._write() as db:
            db.execute("UPDATE object_versions SET content_type = ?, system_meta = ?, user_meta = ?, tags = ?, "
                       "storage_class = ?, encryption = ?, acl = ?, extra = ? "
                       "WHERE bucket = ? AND key = ? AND version_id = ?",
                       (*_meta_values(row.meta), row.bucket, row.key, row.version_id or NULL_VERSION))

    def iter_versions(self, bucket: str, from_key: str, inclusive: bool, prefix: str = "",
                      batch: int = 500) -> Iterator[ObjectRow]:
        """Noncurrent versions and markers with key >= (or >) `from_key`, by key then newest first."""
        op = ">=" if inclusive else ">"
        last: Optional[tuple] = None
        while True:
            if last is None:
                rows = self._read(f"SELECT * FROM object_versions WHERE bucket = ? AND key {op} ? AND key >= ? "
                                  "ORDER BY key, seq DESC LIMIT ?", (bucket, from_key, prefix, batch))
            else:
                rows = self._read("SELECT * FROM object_versions WHERE bucket = ? AND "
                                  "(key > ? OR (key = ? AND seq < ?)) ORDER BY key, seq DESC LIMIT ?",
                                  (bucket, last[0], last[0], last[1], batch))
            for r in rows:
                if prefix and not r["key"].startswith(prefix):
                    return
                yield _version_from(r)
            if len(rows) < batch:
                return
            last = (rows[-1]["key"], rows[-1]["seq"])

    def has_versions(self, bucket: str) -> bool:
        return bool(self._read("SELECT 1 FROM object_versions WHERE bucket = ? LIMIT 1", (bucket,)))

    def shadowed_versions(self) -> list[tuple[ObjectRow, ObjectRow]]:
        """(current, noncurrent) pairs that share a version id: left by a process that died between
        archiving a version and committing its successor (see LakeStore's recovery)."""
        rows = self._read("SELECT v.* FROM object_versions v JOIN objects o ON o.bucket = v.bucket AND "
                          "o.key = v.key AND coalesce(o.version_id, 'null') = v.version_id")
        pairs = []
        for r in rows:
            current = self.get_object(r["bucket"], r["key"])
            if current is not None:
                pairs.append((current, _version_from(r)))
        return pairs

    # Multipart uploads

    def insert_upload(self, upload: UploadInfo) -> None:
        with self._write() as db:
            db.execute("INSERT INTO uploads (upload_id, bucket, key, initiated_ns, content_type, system_meta, "
                       "user_meta, tags, storage_class, encryption, acl, extra, checksum_algorithm, checksum_type, "
                       "key_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (upload.upload_id, upload.bucket, upload.key, datetime_to_ns(upload.initiated),
                        *_meta_values(upload.meta), upload.checksum_algorithm, upload.checksum_type,
                        upload.key_token))

    def get_upload(self, upload_id: str) -> Optional[UploadInfo]:
        rows = self._read("SELECT * FROM uploads WHERE upload_id = ?", (upload_id,))
        return _upload_from(rows[0]) if rows else None

    def list_uploads(self, bucket: str, from_key: str) -> Iterator[UploadInfo]:
        """Uploads with key >= `from_key`, by key and then upload id (which sorts by initiation)."""
        for r in self._read("SELECT * FROM uploads WHERE bucket = ? AND key >= ? ORDER BY key, upload_id",
                            (bucket, from_key)):
            yield _upload_from(r)

    def bucket_upload_ids(self, bucket: str) -> list[str]:
        return [r[0] for r in self._read("SELECT upload_id FROM uploads WHERE bucket = ?", (bucket,))]

    def delete_upload(self, upload_id: str) -> None:
        """Forget an aborted upload (its parts go with it), remembering for a while that it ended."""
        with self._write() as db:
            _finish_upload(db, upload_id)

    def upload_finished_lately(self, bucket: str, key: str, upload_id: str) -> bool:
        """Whether this upload of this key was completed or aborted within FINISHED_UPLOAD_MEMORY_NS."""
        rows = self._read("SELECT finished_ns FROM finished_uploads WHERE upload_id = ? AND bucket = ? AND key = ?",
                          (upload_id, bucket, key))
        return bool(rows) and rows[0][0] >= time.time_ns() - FINISHED_UPLOAD_MEMORY_NS

    def put_part(self, upload_id: str, part: PartInfo, file: str) -> Optional[str]:
        """Record a part stored in `file`; return the file of the part it replaced, if any."""
        with self._write() as db:
            old = db.execute("SELECT file FROM parts WHERE upload_id = ? AND part_number = ?",
                             (upload_id, part.part_number)).fetchone()
            db.execute("INSERT OR REPLACE INTO parts (upload_id, part_number, etag, size, last_modified_ns, "
                       "checksums, file) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (upload_id, part.part_number, part.etag, part.size, datetime_to_ns(part.last_modified),
                        json.dumps(part.checksums), file))
        return old[0] if old else None

    def get_part_files(self, upload_id: str) -> dict[int, str]:
        return {r[0]: r[1] for r in self._read("SELECT part_number, file FROM parts WHERE upload_id = ?",
                                                (upload_id,))}

    def get_parts(self, upload_id: str) -> list[PartInfo]:
        return [PartInfo(r["part_number"], r["etag"], r["size"], ns_to_datetime(r["last_modified_ns"]),
                         json.loads(r["checksums"]))
                for r in self._read("SELECT * FROM parts WHERE upload_id = ? ORDER BY part_number", (upload_id,))]

    def complete_upload(self, row: ObjectRow, upload_id: str) -> None:
        """Record the assembled object and forget the upload, in one transaction."""
        with self._write() as db:
            _upsert_object(db, row)
            _finish_upload(db, upload_id)


def _finish_upload(db: sqlite3.Connection, upload_id: str) -> None:
    """Delete an upload that was completed or aborted and note when it ended (dropping notes older
    than FINISHED_UPLOAD_MEMORY_NS), in the caller's transaction."""
    now = time.time_ns()
    db.execute("DELETE FROM finished_uploads WHERE finished_ns < ?", (now - FINISHED_UPLOAD_MEMORY_NS,))
    db.execute("INSERT OR REPLACE INTO finished_uploads (upload_id, bucket, key, finished_ns) "
               "SELECT upload_id, bucket, key, ? FROM uploads WHERE upload_id = ?", (now, upload_id))
    db.execute("DELETE FROM uploads WHERE upload_id = ?", (upload_id,))


def _delete_version(db: sqlite3.Connection, bucket: str, key: str, version_id: str) -> Optional[str]:
    """Delete one row of object_versions; the hidden location it held (for the caller to unlink)."""
    r = db.execute("SELECT location FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?",
                   (bucket, key, version_id)).fetchone()
    if r is None:
        return None
    db.execute("DELETE FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?", (bucket, key, version_id))
    return r[0] or ""


def same_object(a: Optional[ObjectRow], b: Optional[ObjectRow]) -> bool:
    """Whether two reads of a key's row saw the same write (nobody committed in between)."""
    if a is None or b is None:
        return a is b
    return (a.etag, a.fingerprint(), a.location, a.last_modified_ns) == \
        (b.etag, b.fingerprint(), b.location, b.last_modified_ns)


def _bucket_from(r: sqlite3.Row) -> BucketInfo:
    return BucketInfo(r["name"], r["account_id"], r["region"], ns_to_datetime(r["created_ns"]), r["versioning"])


_OBJECT_FIELDS = ("bucket, key, version_id, etag, size, last_modified_ns, mtime_ns, inode, location, content_type, "
                  "system_meta, user_meta, tags, storage_class, encryption, acl, extra, checksums, checksum_type, "
                  "parts")


def _object_values(row: ObjectRow) -> tuple:
    return (row.bucket, row.key, row.version_id, row.etag, row.size, row.last_modified_ns, row.mtime_ns,
            _inode_in(row.inode), row.location, *_meta_values(row.meta), json.dumps(row.checksums),
            row.checksum_type, _parts_json(row.parts))


def _upsert_object(db: sqlite3.Connection, row: ObjectRow) -> None:
    db.execute(f"INSERT OR REPLACE INTO objects ({_OBJECT_FIELDS}) VALUES ({','.join('?' * 20)})",
               _object_values(row))


def _version_from(r: sqlite3.Row) -> ObjectRow:
    row = _object_from(r)
    row.version_id = None if r["version_id"] == NULL_VERSION else r["version_id"]
    row.is_delete_marker = bool(r["is_delete_marker"])
    row.seq = r["seq"]
    row.superseded_ns = r["superseded_ns"]
    return row


def _insert_version(db: sqlite3.Connection, row: ObjectRow, superseded_ns: Optional[int]) -> int:
    """Add `row` as the newest entry of its key in object_versions; its seq is returned."""
    seq = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM object_versions WHERE bucket = ? AND key = ?",
                     (row.bucket, row.key)).fetchone()[0]
    values = list(_object_values(row))
    values[2] = row.version_id or NULL_VERSION
    db.execute(f"INSERT OR REPLACE INTO object_versions ({_OBJECT_FIELDS}, is_delete_marker, seq, superseded_ns) "
               f"VALUES ({','.join('?' * 23)})", (*values, int(row.is_delete_marker), seq, superseded_ns))
    return seq


def _statements(script: str) -> list[str]:
    """Split a schema script into statements (ours hold no `;` inside strings or triggers)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [stmt.strip() for stmt in "\n".join(lines).split(";") if stmt.strip()]
