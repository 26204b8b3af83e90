"""The lake folder and its metadata (DESIGN D2).

`LakeStore` keeps the current version of every S3 object as a plain file at
`<data>/s3/<bucket>/<key>`, and its metadata in SQLite (WAL). Hidden state (temp files, multipart
parts, keys that cannot be plain files) lives under `<data>/.lakebox/`. May import the standard
library, awscrt and xxhash (checksums) and `lakebox.storage.*` only; never the protocol layer or a
service.

Modules: api (records and the contract), errors, lake (LakeStore and buckets), lake_base (shared
plumbing), lake_objects, lake_multipart, listing, bucket_config (per-bucket configuration
documents), keys (key -> path rules), dirfd (symlink-proof navigation), atomic (durable writes),
dir_sync (directory fsyncs shared by concurrent renames), ingest (receiving bodies), checksums,
metadata + schema (SQLite), locks; shard_log and record_page hold Kinesis shards.
"""

from .api import (  # noqa: F401
    BucketInfo,
    ListResult,
    ObjectHandle,
    ObjectInfo,
    ObjectMeta,
    PartInfo,
    UploadInfo,
    UploadListResult,
)
from .errors import *  # noqa: F401,F403
from .lake import LakeStore  # noqa: F401
