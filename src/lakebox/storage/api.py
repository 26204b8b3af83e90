"""The records that `LakeStore` takes and returns, and the contract of its methods.

This module is the contract between the S3 provider and the storage layer; `lake.py` implements it.
Times are timezone-aware UTC datetimes. ETags are stored and returned WITHOUT quotes
(``"9b2cf535f27731c974343645a3985328"`` or ``"…-3"`` for multipart); the provider quotes them.
Checksums are dicts ``{"CRC32": "<base64>", ...}`` keyed by the model's ChecksumAlgorithm names.

LakeStore (storage/lake.py) methods, all blocking and thread-safe:

Buckets
  create_bucket(name, account_id, region) -> BucketInfo        raises BucketExistsError(existing BucketInfo)
  get_bucket(name) -> BucketInfo | None
  list_buckets(account_id: str | None = None) -> list[BucketInfo]   sorted by name
  delete_bucket(name) -> None                                  raises NoSuchBucketError, BucketNotEmptyError

Objects
  put_object(bucket, key, body, meta: ObjectMeta, *, content_length: int | None = None,
             checksum_algorithms: Iterable[str] = (), expected: dict | Callable[[], dict] | None = None,
             precondition: Callable[[ObjectInfo | None], None] | None = None) -> ObjectInfo
      `body` has .read(n). The bytes go to a temp file while MD5 and the requested checksums are
      computed; `expected` ({"MD5": b64, "CRC32": b64, ...}; a callable is evaluated after the body
      is read, for aws-chunked trailers) is verified (BadDigestError for MD5, ChecksumMismatchError);
      `content_length`, when given, must match the bytes read (IncompleteBodyError);
      then fsync, `precondition(current)` is called under the key's lock (it raises to refuse), rename,
      metadata commit. Nothing changes when any step fails.
  head_object(bucket, key) -> ObjectInfo | None                raises NoSuchBucketError
  open_object(info, start=0, end=None) -> Iterator[bytes]      bytes [start, end] inclusive, in chunks of
                                                               up to 1 MiB; has .close()
  delete_object(bucket, key) -> bool                           True if something was deleted
  copy_object(src: ObjectInfo, dst_bucket, dst_key, meta: ObjectMeta, *, checksum_algorithms=(),
              precondition=None) -> ObjectInfo                 copies the bytes server-side; onto itself
                                                               only the metadata changes
  set_object_tags(bucket, key, tags: dict[str, str]) -> ObjectInfo   raises NoSuchKeyError
  list_objects(bucket, prefix="", delimiter=None, start_after="", max_keys=1000) -> ListResult
      Keys in UTF-8 byte order. With a delimiter, keys under a common prefix collapse into it; each
      common prefix counts once toward max_keys. `start_after` excludes keys <= it, and a common
      prefix <= it. Files that appeared in the folder from outside are listed with a computed ETag.
      lakebox's own temp/staging files never appear.

Multipart
  create_multipart_upload(bucket, key, meta: ObjectMeta, checksum_algorithm=None,
                          checksum_type=None) -> UploadInfo
  get_upload(bucket, key, upload_id) -> UploadInfo             raises NoSuchUploadError
  upload_part(upload: UploadInfo, part_number, body, *, content_length=None, expected=None,
              checksum_algorithms=()) -> PartInfo
  upload_part_copy(upload: UploadInfo, part_number, src: ObjectInfo, start: int, end: int) -> PartInfo
  list_parts(upload: UploadInfo) -> list[PartInfo]              by part number
  complete_multipart_upload(upload: UploadInfo, parts: list[tuple[int, str, dict]],
                            precondition=None) -> ObjectInfo
      parts: (part_number, etag without quotes, checksums given by the client). Raises
      InvalidPartOrderError, InvalidPartError, EntityTooSmallError (every part but the last >= 5 MiB).
      ETag is md5(concat(binary part md5s))-N. The upload is gone afterwards.
  abort_multipart_upload(upload: UploadInfo) -> None
  list_multipart_uploads(bucket, prefix="", delimiter=None, key_marker="", upload_id_marker="",
                         max_uploads=1000) -> UploadListResult
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

STANDARD = "STANDARD"


@dataclass
class BucketInfo:
    name: str
    account_id: str
    region: str
    created: datetime


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


@dataclass
class PartInfo:
    part_number: int
    etag: str
    size: int
    last_modified: datetime
    checksums: dict[str, str] = field(default_factory=dict)


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
    version_id: Optional[str] = None


@dataclass
class UploadInfo:
    bucket: str
    key: str
    upload_id: str
    initiated: datetime
    meta: ObjectMeta = field(default_factory=ObjectMeta)
    checksum_algorithm: Optional[str] = None
    checksum_type: Optional[str] = None


@dataclass
class ListResult:
    objects: list[ObjectInfo]
    common_prefixes: list[str]
    is_truncated: bool
    #: The last key or common prefix returned, for markers and continuation tokens.
    next_marker: Optional[str] = None


@dataclass
class UploadListResult:
    uploads: list[UploadInfo]
    common_prefixes: list[str]
    is_truncated: bool
    next_key_marker: Optional[str] = None
    next_upload_id_marker: Optional[str] = None
