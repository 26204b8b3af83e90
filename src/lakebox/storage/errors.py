"""Plain domain errors raised by the storage layer; the S3 provider maps them to AWS errors."""

from __future__ import annotations

from typing import Optional

__all__ = [
    "StorageError",
    "NoSuchBucketError",
    "BucketExistsError",
    "BucketNotEmptyError",
    "NoSuchKeyError",
    "NoSuchUploadError",
    "InvalidPartError",
    "InvalidPartOrderError",
    "EntityTooSmallError",
    "BadDigestError",
    "ChecksumMismatchError",
    "IncompleteBodyError",
    "InvalidBucketNameError",
    "InvalidKeyError",
    "KeyTooLongError",
    "ObjectChangedError",
    "EmptyPartListError",
    "InvalidVersionIdError",
    "KeyChangedError",
]


class StorageError(Exception):
    pass


class NoSuchBucketError(StorageError):
    def __init__(self, bucket: str):
        super().__init__(bucket)
        self.bucket = bucket


class BucketExistsError(StorageError):
    def __init__(self, existing):
        super().__init__(existing.name)
        self.existing = existing


class BucketNotEmptyError(StorageError):
    pass


class NoSuchKeyError(StorageError):
    def __init__(self, bucket: str, key: str):
        super().__init__(key)
        self.bucket = bucket
        self.key = key


class NoSuchUploadError(StorageError):
    pass


class InvalidPartError(StorageError):
    """A part named on completion that was not uploaded, or not with that ETag or checksum."""

    def __init__(self, message: str, part_number: Optional[int] = None):
        super().__init__(message)
        self.part_number = part_number


class InvalidPartOrderError(StorageError):
    pass


class EntityTooSmallError(StorageError):
    def __init__(self, part_number: int, size: int):
        super().__init__(f"part {part_number} is {size} bytes")
        self.part_number = part_number
        self.size = size


class BadDigestError(StorageError):
    """The Content-MD5 the client sent does not match the bytes received.

    Both digests (base64) are kept because S3 names them in its error (ExpectedDigest, CalculatedDigest).
    """

    def __init__(self, expected: Optional[str] = None, calculated: Optional[str] = None):
        super().__init__(f"Content-MD5 {expected} does not match {calculated}")
        self.expected = expected
        self.calculated = calculated


class ChecksumMismatchError(StorageError):
    def __init__(self, algorithm: str, expected: str, computed: str):
        super().__init__(f"{algorithm}: expected {expected}, computed {computed}")
        self.algorithm = algorithm
        self.expected = expected
        self.computed = computed


class IncompleteBodyError(StorageError):
    """Fewer (or more) bytes arrived than Content-Length announced."""


class InvalidBucketNameError(StorageError):
    """The name breaks S3's bucket naming rules, so it cannot name a folder under `<data>/s3/`."""


class InvalidKeyError(StorageError):
    """The key is empty or not valid UTF-8; AWS accepts neither."""


class KeyTooLongError(StorageError):
    """The key is longer than the 1024 UTF-8 bytes AWS allows."""


class ObjectChangedError(StorageError):
    """The object was replaced or removed after the `ObjectInfo` in hand was read.

    Raised by reads that must return the bytes that `ObjectInfo` describes (its headers may already
    be on the wire). The caller reads the object again and retries, or fails the request.
    """

    def __init__(self, bucket: str, key: str):
        super().__init__(key)
        self.bucket = bucket
        self.key = key


class KeyChangedError(StorageError):
    """A conditional CompleteMultipartUpload found its key written or deleted since the upload was created."""

    def __init__(self, bucket: str, key: str):
        super().__init__(key)
        self.bucket = bucket
        self.key = key


class EmptyPartListError(StorageError):
    """CompleteMultipartUpload named no parts (AWS answers MalformedXML)."""


class InvalidVersionIdError(StorageError):
    """A version id that lakebox cannot have minted (AWS: InvalidArgument "Invalid version id")."""

    def __init__(self, version_id: str):
        super().__init__(version_id)
        self.version_id = version_id


class NoSuchVersionError(StorageError):
    def __init__(self, bucket: str, key: str, version_id: str):
        super().__init__(f"{bucket}/{key} has no version {version_id}")
        self.bucket, self.key, self.version_id = bucket, key, version_id
