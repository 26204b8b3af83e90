"""SSE-C: objects encrypted at rest with the customer's own key, which lakebox never stores.

Why a module of its own: the customer key touches every path an object's bytes take (PUT, POST,
GET and HEAD, ranged and partNumber reads, copies, multipart parts and part copies), and every one
of them must validate the x-amz-server-side-encryption-customer-* headers the way S3 does.

The cipher is AES-256 in CTR mode (sse_c_cipher.py), so the ciphertext is as long as the plaintext
and any byte can be decrypted on its own. What an object records in `ObjectMeta.encryption` (the
`lakebox:` entries are private: `headers.encryption_fields` never echoes them):
- the key's MD5 (`SSECustomerKeyMD5`, which S3 echoes) to recognise the key, never the key itself;
- `lakebox:iv`, a random IV, for an object written in one piece (PUT, POST, copy);
- `lakebox:salt`, a random salt per multipart upload: part N is encrypted on its own with
  IV = sha256(salt || N)[:16], and a read decrypts part by part along `ObjectInfo.parts`;
- `lakebox:checksum:<ALG>`, the checksums of the plaintext (storage can only hash the ciphertext
  it receives), answered on reads instead of storage's.

ETag: storage's MD5 of the stored bytes, i.e. of the ciphertext. Like S3's SSE-C ETags it is not
the MD5 of the data, and two uploads of the same data get different ETags (fresh IV each time).

Decisions that differ from AWS, each for a reason: a wrong key on a read is 400 (AWS: 403
AccessDenied), because ceph/s3-tests expects 400; SSE-C multipart objects answer no checksums (their
parts were hashed as ciphertext by storage).

May import the standard library, lakebox.storage, this package's errors and sse_c_cipher.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Optional

from ...storage import checksums as lake_checksums
from ...storage.api import ObjectInfo, ObjectMeta, PartInfo, UploadInfo
from .errors import invalid_argument, invalid_request, s3_error
from .sse_c_cipher import BLOCK, ChunkReader, DecryptedChunks, Expected, SealingReader, Segment, part_iv

ALGORITHM = "AES256"
KEY_BYTES = 32

#: Request member prefixes of the two customer-key triples.
OBJECT = "SSECustomer"
COPY_SOURCE = "CopySourceSSECustomer"

KEY_MD5 = "SSECustomerKeyMD5"
IV = "lakebox:iv"
SALT = "lakebox:salt"
CHECKSUM = "lakebox:checksum:"

#: S3 names the plain SSE header in every customer-key error, whichever header was at fault.
_ARGUMENT = "x-amz-server-side-encryption"
_REQUIRES = "Requests specifying Server Side Encryption with Customer provided keys must provide "
_STORED_ENCRYPTED = ("The object was stored using a form of Server Side Encryption. The correct parameters "
                     "must be provided to retrieve the object.")
_PART_NEEDS_KEY = ("The multipart upload initiate requested encryption. Subsequent part requests must include "
                   "the appropriate encryption parameters.")
_PART_OTHER_KEY = "The provided encryption parameters did not match the ones used originally."
_BLOCKED = ("This bucket has blocked upload requests that specify Server Side Encryption with Customer provided "
            "keys (SSE-C). Please specify a different server-side encryption type")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# -- the customer's key: headers -> key ----------------------------------------------------------


@dataclass(frozen=True)
class CustomerKey:
    key: bytes = field(repr=False)
    md5: str


def requested(params: dict, prefix: str = OBJECT) -> bool:
    """Whether the request names any of the three customer-key headers."""
    return any(params.get(prefix + name) is not None for name in ("Algorithm", "Key", "KeyMD5"))


def customer_key(params: dict, prefix: str = OBJECT, *, strict_length: bool = True) -> Optional[CustomerKey]:
    """The key a request gives, validated in S3's order; None when it names none.

    S3 compares the MD5 before the key's length (a 24-byte key with a wrong MD5 gets the MD5 error).
    A read (`strict_length=False`) does not check the length at all: a key of the wrong length is
    simply not the object's key.
    """
    if not requested(params, prefix):
        return None
    algorithm = params.get(prefix + "Algorithm")
    encoded = params.get(prefix + "Key")
    given_md5 = params.get(prefix + "KeyMD5")
    if algorithm is None:
        raise invalid_argument(_REQUIRES + "a valid encryption algorithm.", _ARGUMENT)
    if algorithm != ALGORITHM:
        raise s3_error("InvalidEncryptionAlgorithmError", ArgumentName=_ARGUMENT, ArgumentValue=algorithm)
    if not encoded:
        raise invalid_argument(_REQUIRES + "an appropriate secret key.", _ARGUMENT)
    if not given_md5:
        raise invalid_argument(_REQUIRES + "the client calculated MD5 of the secret key.", _ARGUMENT)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_argument("The secret key was invalid for the specified algorithm.", _ARGUMENT) from None
    digest = _b64(hashlib.md5(key).digest())
    if given_md5.strip() != digest:
        raise invalid_argument("The calculated MD5 hash of the key did not match the hash that was provided.",
                               _ARGUMENT)
    if strict_length and len(key) != KEY_BYTES:
        raise invalid_argument("The secret key was invalid for the specified algorithm.", _ARGUMENT)
    return CustomerKey(key, digest)


def write_record(params: dict, blocked: bool) -> dict[str, str]:
    """What a write with SSE-C headers records (before its IV or salt is chosen)."""
    key = customer_key(params)
    if blocked:
        raise s3_error("AccessDenied", _BLOCKED)
    return {"SSECustomerAlgorithm": ALGORITHM, KEY_MD5: key.md5}


def wrong_key() -> Exception:
    # AWS answers 403 AccessDenied with this message; ceph/s3-tests (and the issue) expect 400.
    return invalid_argument(_REQUIRES + "the correct secret key.", _ARGUMENT)


def check_customer_key(info: ObjectInfo, params: dict, prefix: str = OBJECT) -> Optional[bytes]:
    """The key to read `info` with (None: not SSE-C), or S3's error for a missing or wrong one.

    Used by GET, HEAD, GetObjectAttributes (prefix SSECustomer) and copy sources (CopySourceSSECustomer).
    Customer-key headers on an object stored without one are refused too, as S3 does.
    """
    stored = info.meta.encryption.get(KEY_MD5)
    given = customer_key(params, prefix, strict_length=False)
    if stored is None:
        if given is not None:
            raise invalid_request("The encryption parameters are not applicable to this object.")
        return None
    if given is None:
        raise invalid_request(_STORED_ENCRYPTED)
    if given.md5 != stored:
        raise wrong_key()
    return given.key


def check_read_headers(headers: Any) -> None:
    """GET and HEAD take no x-amz-server-side-encryption header: S3 answers 400 to one."""
    value = headers.get("x-amz-server-side-encryption")
    if value is not None:
        raise invalid_argument("x-amz-server-side-encryption header is not supported for this operation.",
                               _ARGUMENT, value)


def check_part_customer_key(meta: ObjectMeta, params: dict) -> Optional[bytes]:
    """UploadPart / UploadPartCopy: the key the upload was created with, or S3's 400."""
    stored = meta.encryption.get(KEY_MD5)
    given = customer_key(params)
    if (stored is None) != (given is None):
        raise invalid_request(_PART_NEEDS_KEY)
    if given is None:
        return None
    if given.md5 != stored:
        raise invalid_request(_PART_OTHER_KEY)
    return given.key


def check_completion_key(upload: UploadInfo, params: dict) -> None:
    """CompleteMultipartUpload needs the key only for an upload with a checksum algorithm (as AWS
    documents); a key that is given must be the upload's."""
    stored = upload.meta.encryption.get(KEY_MD5)
    if stored is None:
        return
    given = customer_key(params)
    if given is None:
        if upload.checksum_algorithm:
            raise invalid_request(_PART_NEEDS_KEY)
        return
    if given.md5 != stored:
        raise invalid_request(_PART_OTHER_KEY)


# -- the layout of an object's IVs --------------------------------------------------------------


def is_sealed(record: dict[str, str]) -> bool:
    """Whether an object's bytes on disk are ciphertext (SSE-C objects written before lakebox
    encrypted them record the key's MD5 but are plain)."""
    return IV in record or SALT in record


def object_segments(info: ObjectInfo) -> list[Segment]:
    record = info.meta.encryption
    if info.parts and SALT in record:
        salt = base64.b64decode(record[SALT])
        segments, start = [], 0
        for part in info.parts:
            segments.append(Segment(start, part.size, part_iv(salt, part.part_number)))
            start += part.size
        return segments
    return [Segment(0, None, base64.b64decode(record[IV]))]


def decrypted(chunks, info: ObjectInfo, key: Optional[bytes], start: int = 0):
    """`chunks` (read from `start`) as plaintext; unchanged for an object that is not ciphertext."""
    if key is None or not is_sealed(info.meta.encryption):
        return chunks
    return DecryptedChunks(chunks, key, object_segments(info), start)


# -- what the areas call -------------------------------------------------------------------------


def seal_object(meta: ObjectMeta, params: dict, body: Any, algorithms: Iterable[str],
                expected: Expected) -> tuple[Any, list[str], Expected]:
    """(body, algorithms, expected) for storage's put_object: for an SSE-C `meta`, the body is
    encrypted under a fresh IV (recorded in `meta`) and storage neither computes nor verifies
    checksums, because the reader does that over the plaintext."""
    if KEY_MD5 not in meta.encryption:
        return body, list(algorithms), expected
    key = customer_key(params)
    iv = os.urandom(BLOCK)
    meta.encryption[IV] = _b64(iv)

    def record(checksums: dict[str, str]) -> None:
        # Storage commits an object's metadata only after reading its whole body, so these are
        # committed with the object.
        meta.encryption.update({CHECKSUM + a: v for a, v in checksums.items()})

    return SealingReader(body, key.key, iv, algorithms, expected, record), [], None


def start_upload(meta: ObjectMeta) -> None:
    """CreateMultipartUpload: an SSE-C upload gets the salt its part IVs derive from."""
    if KEY_MD5 in meta.encryption:
        meta.encryption[SALT] = _b64(os.urandom(BLOCK))


def seal_part(upload: UploadInfo, key: Optional[bytes], number: int, body: Any, algorithms: Iterable[str],
              expected: Expected) -> tuple[Any, list[str], Expected]:
    """(body, algorithms, expected) for storage's upload_part, as `seal_object` does for objects.

    Storage still computes the upload's own algorithm over the ciphertext; those values only serve
    to match the parts named on completion and are never answered (see `plain_view`).
    """
    record = upload.meta.encryption
    if key is None or SALT not in record:
        return body, list(algorithms), expected
    wanted = list(algorithms) + ([upload.checksum_algorithm] if upload.checksum_algorithm else [])
    iv = part_iv(base64.b64decode(record[SALT]), number)
    return SealingReader(body, key, iv, wanted, expected), [], None


def plain_part(part: PartInfo, body: Any) -> PartInfo:
    """The part as its writer sees it: with the plaintext checksums of a sealed part."""
    if isinstance(body, SealingReader):
        return replace(part, checksums=dict(body.checksums or {}))
    return part


def completion_parts(upload: UploadInfo, parts: list) -> list:
    """The parts CompleteMultipartUpload hands storage: a sealed upload's part checksums in storage are
    over the ciphertext, so the plaintext ones the client names cannot be compared with them."""
    if SALT not in upload.meta.encryption:
        return parts
    return [(number, etag, {}) for number, etag, _ in parts]


def plain_view(info: ObjectInfo) -> ObjectInfo:
    """`info` with the checksums of the plaintext in place of storage's, for a sealed object.

    An object written in one piece has them in its record; a multipart one has none to answer
    (storage combined its parts' ciphertext checksums).
    """
    record = info.meta.encryption
    if not is_sealed(record):
        return info
    plain = {name[len(CHECKSUM):]: value for name, value in record.items() if name.startswith(CHECKSUM)}
    if info.parts:
        plain = {}
    return replace(info, checksums=plain, checksum_type=lake_checksums.FULL_OBJECT if plain else None,
                   parts=[replace(p, checksums={}) for p in info.parts])


def needs_streaming(src: ObjectInfo, meta: ObjectMeta) -> bool:
    """Whether a copy must pass the bytes through lakebox (to decrypt or to encrypt them) rather
    than letting storage copy them as they are."""
    return is_sealed(src.meta.encryption) or KEY_MD5 in meta.encryption


def copy_object(store, src: ObjectInfo, bucket: str, key: str, meta: ObjectMeta, params: dict, *,
                checksum_algorithms: Iterable[str], precondition) -> ObjectInfo:
    """CopyObject through lakebox: the source decrypted with its copy-source key, the destination
    encrypted with the request's key (or stored plain)."""
    source_key = check_customer_key(src, params, COPY_SOURCE)
    chunks = decrypted(store.open_object(src), src, source_key)
    try:
        body, algorithms, expected = seal_object(meta, params, ChunkReader(chunks), checksum_algorithms, None)
        return store.put_object(bucket, key, body, meta, content_length=src.size, checksum_algorithms=algorithms,
                                expected=expected, precondition=precondition)
    finally:
        chunks.close()


def copy_part(store, upload: UploadInfo, number: int, src: ObjectInfo, start: int, end: int,
              params: dict) -> PartInfo:
    """UploadPartCopy through lakebox, for an SSE-C source or an SSE-C upload."""
    source_key = check_customer_key(src, params, COPY_SOURCE)
    part_key = check_part_customer_key(upload.meta, params)
    chunks = decrypted(store.open_object(src, start, end), src, source_key, start)
    try:
        body, algorithms, expected = seal_part(upload, part_key, number, ChunkReader(chunks), [], None)
        length = max(0, min(end, src.size - 1) - start + 1)
        part = store.upload_part(upload, number, body, content_length=length,
                                 expected=expected, checksum_algorithms=algorithms)
    finally:
        chunks.close()
    return plain_part(part, body)
