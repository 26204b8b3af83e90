"""The SQLite schema of `<data>/.lakebox/meta.db` (see metadata.py for how it is used).

`PRAGMA user_version` holds SCHEMA_VERSION. A new database gets SCHEMA at once; an older one runs
the MIGRATIONS above its version, each in one transaction, so data folders made by an earlier
lakebox keep working.
"""

SCHEMA_VERSION = 5

_META_COLUMNS = """
    content_type TEXT,
    system_meta TEXT NOT NULL DEFAULT '{}',
    user_meta TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '{}',
    storage_class TEXT NOT NULL DEFAULT 'STANDARD',
    encryption TEXT NOT NULL DEFAULT '{}',
    -- JSON access control list chosen by the provider; NULL: the default (owner FULL_CONTROL).
    acl TEXT,
    -- JSON the provider records besides (restore, retention, legal hold, replication ...).
    extra TEXT NOT NULL DEFAULT '{}'"""

_OBJECT_COLUMNS = f"""
    etag TEXT NOT NULL,
    size INTEGER NOT NULL,
    last_modified_ns INTEGER NOT NULL,
    -- With size: the fingerprint of the file this row describes. A mismatch means the file was
    -- replaced from outside (or the process died before this commit): the file is the truth.
    mtime_ns INTEGER,
    inode INTEGER,
    -- NULL: the plain file at <data>/s3/<bucket>/<key>; else a path under <data>/.lakebox/.
    location TEXT,
    {_META_COLUMNS.strip()},
    checksums TEXT NOT NULL DEFAULT '{{}}',
    checksum_type TEXT,
    -- JSON [[part_number, etag, size, last_modified_ns, checksums], ...] for multipart objects.
    parts TEXT"""

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS buckets (
    name TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    -- NULL (never enabled), 'Enabled' or 'Suspended': used once versioning is implemented.
    versioning TEXT
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS objects (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    version_id TEXT,{_OBJECT_COLUMNS},
    PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
-- Listing merges the folder walk with these; the partial index keeps that cheap in big buckets.
CREATE INDEX IF NOT EXISTS objects_hidden ON objects (bucket, key) WHERE location IS NOT NULL;

-- Non-current versions and delete markers. version_id 'null' is the null version. Every row's
-- bytes are in the hidden store (location); seq orders a key's versions (higher is newer).
CREATE TABLE IF NOT EXISTS object_versions (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    version_id TEXT NOT NULL,
    is_delete_marker INTEGER NOT NULL DEFAULT 0,{_OBJECT_COLUMNS},
    seq INTEGER NOT NULL DEFAULT 0,
    -- When a newer version superseded this one (noncurrent lifecycle rules count from it).
    superseded_ns INTEGER,
    PRIMARY KEY (bucket, key, version_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS versions_by_key ON object_versions (bucket, key, seq);

CREATE TABLE IF NOT EXISTS uploads (
    upload_id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    initiated_ns INTEGER NOT NULL,{_META_COLUMNS},
    checksum_algorithm TEXT,
    checksum_type TEXT,
    -- Which object the key held when the upload was created ('' for none, NULL for uploads made
    -- before lakebox kept it): a conditional completion conflicts if the key has changed since.
    key_token TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads (bucket, key, upload_id);

CREATE TABLE IF NOT EXISTS parts (
    upload_id TEXT NOT NULL REFERENCES uploads (upload_id) ON DELETE CASCADE,
    part_number INTEGER NOT NULL,
    etag TEXT NOT NULL,
    size INTEGER NOT NULL,
    last_modified_ns INTEGER NOT NULL,
    checksums TEXT NOT NULL DEFAULT '{{}}',
    -- A fresh file name per upload of the part, so that a crash between the rename and the commit
    -- can never pair the row of one upload with the bytes of another.
    file TEXT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;
"""

_FINISHED_UPLOADS = """
-- Uploads completed or aborted lately. S3 answers an abort of such an upload with 204 for some
-- hours (SDK cleanup code aborts after completing); rows older than a day are dropped.
CREATE TABLE IF NOT EXISTS finished_uploads (
    upload_id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    finished_ns INTEGER NOT NULL
) WITHOUT ROWID;
-- Each finish drops the notes older than a day: by time, not by a scan of the table.
CREATE INDEX IF NOT EXISTS finished_uploads_by_time ON finished_uploads (finished_ns);
"""

SCHEMA += _FINISHED_UPLOADS

_BUCKET_CONFIG = """
-- One JSON document per bucket and configuration name (tagging, policy, acl ...). Deleted with
-- the bucket, in the same transaction.
CREATE TABLE IF NOT EXISTS bucket_config (
    bucket TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (bucket, name)
) WITHOUT ROWID;
"""

SCHEMA += _BUCKET_CONFIG

#: version -> the script that brings a database of the version before up to it.
MIGRATIONS = {
    2: "ALTER TABLE objects ADD COLUMN acl TEXT;\n"
       "ALTER TABLE object_versions ADD COLUMN acl TEXT;\n"
       "ALTER TABLE uploads ADD COLUMN acl TEXT;\n" + _BUCKET_CONFIG,
    3: "ALTER TABLE objects ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';\n"
       "ALTER TABLE object_versions ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';\n"
       "ALTER TABLE uploads ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';\n"
       "ALTER TABLE object_versions ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;\n"
       "ALTER TABLE object_versions ADD COLUMN superseded_ns INTEGER;\n"
       "CREATE INDEX IF NOT EXISTS versions_by_key ON object_versions (bucket, key, seq);\n",
    4: "ALTER TABLE uploads ADD COLUMN key_token TEXT;\n",
    5: _FINISHED_UPLOADS,
}

