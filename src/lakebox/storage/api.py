"""The records that `LakeStore` takes and returns, and the contract of its methods.

This module is the contract between the S3 provider and the storage layer; `lake.py` implements it.
Times are timezone-aware UTC datetimes. ETags are stored and returned WITHOUT quotes
(``"9b2cf535f27731c974343645a3985328"`` or ``"…-3"`` for multipart); the provider quotes them.
Checksums are dicts ``{"CRC32": "<base64>", ...}`` keyed by the model's ChecksumAlgorithm names.
Errors are the plain domain errors of storage/errors.py.

LakeStore(data_dir, *, default_account="000000000000", default_region="us-east-1", now_ns=time.time_ns);
close().
The defaults are given to bucket folders that appear in `<data>/s3/` without lakebox (adopted).
Methods, all blocking and thread-safe. Every method taking a key raises InvalidKeyError (empty, not
UTF-8) or KeyTooLongError (> 1024 bytes); every method taking a bucket raises NoSuchBucketError.

Buckets
  create_bucket(name, account_id, region, config: dict[str, dict] | None = None, versioning=None) -> BucketInfo
      raises BucketExistsError(existing BucketInfo), InvalidBucketNameError (S3's core naming rules).
      `config` ({name: document}) is the bucket's first configuration (see below), committed with
      the bucket's row, so a bucket never exists without the settings it was created with.
  get_bucket(name) -> BucketInfo | None
  list_buckets(account_id: str | None = None) -> list[BucketInfo]   sorted by name
  delete_bucket(name) -> None                                  raises NoSuchBucketError, BucketNotEmptyError;
                                                               aborts the bucket's multipart uploads
  A bucket is its folder: a folder made from outside is adopted, one removed from outside is forgotten.

Objects
  put_object(bucket, key, body, meta: ObjectMeta, *, content_length: int | None = None,
             checksum_algorithms: Iterable[str] = (), expected: dict | Callable[[], dict] | None = None,
             precondition: Callable[[ObjectInfo | None], None] | None = None,
             version_id: str | None = None) -> ObjectInfo
      `body` has .read(n) (bytes are accepted too); it is read in chunks of at most 1 MiB until it
      returns b"". The bytes go to a temp file while MD5 and the requested checksums are computed;
      `expected` ({"MD5": b64, "CRC32": b64, ...}; a callable is evaluated after the body is read, for
      aws-chunked trailers) is verified: "MD5" is Content-MD5 (BadDigestError), any other algorithm
      raises ChecksumMismatchError (also when it was not in `checksum_algorithms`: it is computed).
      `content_length`, when given, must match the bytes read (IncompleteBodyError);
      then fsync, `precondition(current)` is called under the key's lock (it raises to refuse), rename,
      metadata commit. Nothing changes when any step fails.
      `version_id`: in an ENABLED bucket, the id the new version gets instead of a fresh one
      (replication keeps the source's ids); the caller makes sure the key has no version with it.
      Stored checksums: the requested algorithms plus those in `expected` ("MD5" only if requested);
      checksum_type is "FULL_OBJECT" when there are any.
  head_object(bucket, key) -> ObjectInfo | None                raises NoSuchBucketError
  open_object(info, start=0, end=None) -> ObjectReader         iterator of the bytes [start, end] inclusive
      (end clamped to the last byte), in chunks of up to 1 MiB, read lazily; .close() (also a context
      manager), .length. It reads exactly the bytes `info` describes: if the object was replaced since
      `info` was read it raises ObjectChangedError (read the object again and retry, or fail the
      request), if it was deleted NoSuchKeyError.
  delete_object(bucket, key) -> bool                           True if something was deleted
  copy_object(src: ObjectInfo, dst_bucket, dst_key, meta: ObjectMeta, *, checksum_algorithms=(),
              precondition=None) -> ObjectInfo                 copies the bytes server-side; onto itself
                                                               only the metadata changes
      The copy is a single-part object: ETag = MD5 of the bytes. Checksums: those in
      `checksum_algorithms` (the provider decides, e.g. the source's); none are carried over
      implicitly. Onto itself, with no algorithms, the existing checksums stay. Raises
      ObjectChangedError / NoSuchKeyError as open_object does for `src`.
  set_object_tags(bucket, key, tags: dict[str, str]) -> ObjectInfo   raises NoSuchKeyError
  set_object_acl(bucket, key, acl: dict | None) -> ObjectInfo          raises NoSuchKeyError; like tags,
                                                               changes neither the bytes nor LastModified
  list_objects(bucket, prefix="", delimiter=None, start_after="", max_keys=1000) -> ListResult
      Keys in UTF-8 byte order. With a delimiter, keys under a common prefix collapse into it; each
      common prefix counts once toward max_keys. `start_after` excludes keys <= it, and a common
      prefix <= it. Files that appeared in the folder from outside are listed with a computed ETag.
      lakebox's own temp/staging files never appear. max_keys=0 returns nothing, not truncated.
  Files in the folder that are not objects: symlinks, special files, names starting with
  ".lakebox" (any case), names with control characters or not UTF-8, paths over 1024 bytes.

Versioning (a bucket's `versioning` is None, ENABLED or SUSPENDED)
  set_versioning(bucket, status) -> BucketInfo
  In a versioned bucket every write (put, copy, complete) keeps the object it replaces as a
  noncurrent version, except the "null" version while SUSPENDED, which is replaced; new versions get
  a fresh id when ENABLED and the null id (None) when SUSPENDED. The current version stays the plain
  file; noncurrent versions and delete markers live in the hidden store and `object_versions`.
  head_object(bucket, key) answers the current version only (None behind a delete marker).
  head_version(bucket, key, version_id) -> ObjectInfo | None   any version or delete marker; "null"
                                                               (or None) names the null version
  latest_delete_marker(bucket, key) -> ObjectInfo | None       the marker hiding the key, if any
  delete_object(bucket, key, version_id=None, precondition=None, *, marker_version_id=None) -> DeleteOutcome
      Without a version id: unversioned buckets remove the object; versioned ones add a delete
      marker (ENABLED: a new id; SUSPENDED: the null marker, replacing the null version). With one:
      that version or marker is removed for good; when it was the newest, the next newest real
      version becomes current (the plain file again), so deleting a delete marker restores the key.
      `precondition(current ObjectInfo | None)` runs under the key's lock. `marker_version_id`: in
      an ENABLED bucket, the id a new delete marker gets instead of a fresh one (replication).
  list_object_versions(bucket, prefix="", delimiter=None, key_marker="", version_id_marker="",
                       max_keys=1000) -> VersionListResult
      Resumes after the marker's version, or where it stood when it was deleted since (its id tells,
      see version_ids.py). Raises InvalidVersionIdError for a marker lakebox cannot have minted.
  update_object_meta(bucket, key, version_id=None, *, extra_updates=None, **changes) -> ObjectInfo
      replace fields of ObjectMeta (tags, acl, storage_class, extra ...) of the current object or of
      one version; bytes and LastModified stay. `extra_updates` merges keys into `extra` under the
      key's lock (None removes one), so features with their own keys never lose each other's.
      raises NoSuchKeyError / NoSuchVersionError.
  Timestamps (LastModified, initiation, bucket creation) come from the store's `now_ns` (the service
  clock), so that lifecycle rules can be watched by moving the clock.

Bucket configuration (tagging, policy, ACL, public access block ...; one JSON document per name)
  get_bucket_config(bucket, name) -> dict | None               None when never set (or deleted)
  put_bucket_config(bucket, name, value: dict) -> None         replaces the document, in one commit
  delete_bucket_config(bucket, name) -> None                   no error when it was not set
  All raise NoSuchBucketError for an unknown bucket. Names are the provider's; storage only keeps
  the documents, and forgets them with the bucket (a bucket created again under the same name
  starts with none).

For engines reading the folder directly
  bucket_path(bucket) -> str                                   `<data>/s3/<bucket>`
  object_path(bucket, key) -> str | None                       the plain file of the current object;
                                                               None when missing or in the hidden store

Multipart
  create_multipart_upload(bucket, key, meta: ObjectMeta, checksum_algorithm=None,
                          checksum_type=None) -> UploadInfo
      checksum_type defaults to FULL_OBJECT for CRC64NVME, COMPOSITE for other algorithms. Upload ids
      sort in initiation order. The upload records which object the key holds (`key_token`).
  get_upload(bucket, key, upload_id) -> UploadInfo             raises NoSuchUploadError
  upload_part(upload: UploadInfo, part_number, body, *, content_length=None, expected=None,
              checksum_algorithms=()) -> PartInfo              as put_object; the upload's algorithm is
                                                               always computed; raises NoSuchUploadError
  upload_part_copy(upload: UploadInfo, part_number, src: ObjectInfo, start: int, end: int,
                   checksum_algorithms=()) -> PartInfo                  the upload's algorithm too
  list_parts(upload: UploadInfo) -> list[PartInfo]              by part number; raises NoSuchUploadError
  complete_multipart_upload(upload: UploadInfo, parts: list[tuple[int, str, dict]],
                            precondition=None, default_algorithm=None) -> ObjectInfo
      parts: (part_number, etag with or without quotes, checksums given by the client). Raises
      EmptyPartListError (no parts: AWS says MalformedXML), InvalidPartOrderError (not strictly
      ascending), InvalidPartError (not uploaded, other ETag, or a given checksum that differs from
      the stored one; carries the part number), EntityTooSmallError (every part but the last
      >= 5 MiB), NoSuchUploadError.
      ETag is md5(concat(binary part md5s))-N. With a checksum algorithm: COMPOSITE is
      "<b64 of the algorithm over the concatenated binary part checksums>-N"; FULL_OBJECT is the
      whole object's checksum (combined from the part CRCs, or computed while assembling).
      An upload without an algorithm gets a FULL_OBJECT `default_algorithm` checksum when one is
      given, and its object records its parts without their checksums.
      With a `precondition` (a conditional completion), once it holds, the key must still hold the
      object it held when the upload was created: a write or delete of the key since raises
      KeyChangedError (S3: 409 ConditionalRequestConflict).
      The upload is gone afterwards; when anything fails (precondition included) it stays.
  abort_multipart_upload(upload: UploadInfo) -> None           raises NoSuchUploadError
  upload_finished_lately(bucket, key, upload_id) -> bool        the upload was completed or aborted
                                                               within the last day
  list_multipart_uploads(bucket, prefix="", delimiter=None, key_marker="", upload_id_marker="",
                         max_uploads=1000) -> UploadListResult
      By key, then initiation. key_marker excludes smaller keys, and uploads of that key unless
      upload_id_marker is given (then only greater ids stay); common prefixes <= key_marker are
      excluded, as in list_objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

STANDARD = "STANDARD"
ENABLED = "Enabled"
SUSPENDED = "Suspended"
#: How S3 names the version of an object written while versioning was off or suspended.
NULL_VERSION = "null"


@dataclass
class BucketInfo:
    name: str
    account_id: str
    region: str
    created: datetime
    #: None (versioning never enabled), ENABLED or SUSPENDED.
    versioning: Optional[str] = None


@dataclass
class ObjectMeta:
    """What a writer chooses about an object, besides its bytes."""

    content_type: Optional[str] = None
    #: Content-Encoding, Content-Disposition, Content-Language, Cache-Control, Expires, as header
    #: names mapped to the raw header values.
    system: dict[str, str] = field(default_factory=dict)
    #: x-amz-meta-* without the prefix, names lower-cased.
    user: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    storage_class: str = STANDARD
    #: {"ServerSideEncryption": "AES256", "SSEKMSKeyId": ..., "BucketKeyEnabled": "true", ...}
    encryption: dict[str, str] = field(default_factory=dict)
    #: The object's access control list, a JSON-able dict whose shape the provider chooses (storage
    #: only keeps it); None means the default: the owner has FULL_CONTROL and nobody else anything.
    acl: Optional[dict] = None
    #: What the provider records besides (restore state, retention, legal hold, replication status
    #: ...): a JSON-able dict that storage keeps with the version and never interprets.
    extra: dict = field(default_factory=dict)


@dataclass
class PartInfo:
    part_number: int
    etag: str
    size: int
    last_modified: datetime
    checksums: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ObjectHandle:
    """Where an object's bytes are and which file they were described from. Opaque to callers.

    `LakeStore` sets it on every `ObjectInfo` it returns, so that reading the object later opens
    exactly the file that the info (ETag, size) describes, or fails with ObjectChangedError.
    """

    #: Path of the hidden-store file relative to `<data>/.lakebox/`; None for the plain file.
    location: Optional[str]
    size: int
    mtime_ns: int
    inode: int


@dataclass
class ObjectInfo:
    bucket: str
    key: str
    size: int
    etag: str
    last_modified: datetime
    meta: ObjectMeta = field(default_factory=ObjectMeta)
    checksums: dict[str, str] = field(default_factory=dict)
    checksum_type: Optional[str] = None  # FULL_OBJECT / COMPOSITE
    #: For objects made by CompleteMultipartUpload: the parts, for partNumber GETs and PartsCount.
    parts: list[PartInfo] = field(default_factory=list)
    #: None for the "null" version (written while versioning was off or suspended).
    version_id: Optional[str] = None
    is_delete_marker: bool = False
    #: False for a noncurrent version (or a delete marker that is not the newest).
    is_latest: bool = True
    #: When a newer version superseded this one; None for the latest.
    noncurrent_since: Optional[datetime] = None
    #: Set by LakeStore; None on an ObjectInfo built elsewhere (the store then looks the object up).
    handle: Optional[ObjectHandle] = field(default=None, repr=False, compare=False)


@dataclass
class UploadInfo:
    bucket: str
    key: str
    upload_id: str
    initiated: datetime
    meta: ObjectMeta = field(default_factory=ObjectMeta)
    checksum_algorithm: Optional[str] = None
    checksum_type: Optional[str] = None
    #: Which object the key held when the upload was created ("" for none), in storage's own terms;
    #: None for an upload recorded before lakebox kept it (its completion is then never a conflict).
    key_token: Optional[str] = None


@dataclass
class ListResult:
    objects: list[ObjectInfo]
    common_prefixes: list[str]
    is_truncated: bool
    #: The last key or common prefix returned, for markers and continuation tokens.
    next_marker: Optional[str] = None


@dataclass
class VersionListResult:
    #: Versions and delete markers: keys in UTF-8 byte order, each key's versions newest first.
    versions: list[ObjectInfo]
    common_prefixes: list[str]
    is_truncated: bool
    next_key_marker: Optional[str] = None
    next_version_id_marker: Optional[str] = None


@dataclass
class DeleteOutcome:
    """What a DeleteObject did: removed a version, or added a delete marker (versioned buckets)."""

    #: The version removed, or the id of the marker added; None for the "null" version.
    version_id: Optional[str] = None
    delete_marker: bool = False
    #: Whether anything existed to delete (unversioned buckets), or a version was removed.
    removed: bool = False


@dataclass
class UploadListResult:
    uploads: list[UploadInfo]
    common_prefixes: list[str]
    is_truncated: bool
    next_key_marker: Optional[str] = None
    next_upload_id_marker: Optional[str] = None
