"""Request-header helpers shared by the S3 areas: what a writer chose about an object, and how it reads back.

Why a module of its own: PutObject, CopyObject and CreateMultipartUpload all turn the same headers
(Content-*, Cache-Control, Expires, x-amz-meta-*, storage class, SSE) into an `ObjectMeta`, and GET,
HEAD and the write responses all turn an `ObjectInfo` back into the same output members. Doing it
once keeps those operations in agreement with each other.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import datetime
from email.utils import format_datetime
from typing import Any, Optional

from ...protocol.context import RequestContext
from ...storage.api import STANDARD, ObjectInfo, ObjectMeta
from . import sse_c
from .errors import invalid_argument, s3_error
from .sse_c import check_customer_key, check_part_customer_key  # noqa: F401 - the read-side checks

#: S3's own default when a writer names no Content-Type.
DEFAULT_CONTENT_TYPE = "binary/octet-stream"

MAX_KEY_BYTES = 1024
MAX_USER_METADATA_BYTES = 2048

#: Output member -> the header stored in `ObjectMeta.system` (the raw value is kept, as S3 does).
SYSTEM_HEADERS = {
    "CacheControl": "Cache-Control",
    "ContentDisposition": "Content-Disposition",
    "ContentEncoding": "Content-Encoding",
    "ContentLanguage": "Content-Language",
    "WebsiteRedirectLocation": "x-amz-website-redirect-location",
}

#: The storage classes of a general purpose bucket. The model's others belong to other kinds of
#: storage (OUTPOSTS, SNOW, EXPRESS_ONEZONE in directory buckets, FSX_* access points), so a write
#: naming one gets InvalidStorageClass here, as on AWS.
STORAGE_CLASSES = frozenset(
    {
        "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
        "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR",
    }
)

CANNED_ACLS = frozenset(
    {
        "private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
        "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write",
    }
)

SSE_ALGORITHMS = frozenset({"AES256", "aws:kms", "aws:kms:dsse", "aws:fsx"})


# -- ETags, dates, keys, owners ------------------------------------------------------------------


def whole_seconds(moment):
    """A time as S3's documents give object and bucket times: to the second (`...:04.000Z`), the
    precision of Last-Modified, in listings, ListBuckets, parts, uploads and copy results alike."""
    return moment.replace(microsecond=0) if moment is not None else None


def quote_etag(etag: str) -> str:
    """Storage keeps ETags bare; every S3 response carries them in double quotes."""
    return f'"{etag}"'


def unquote_etag(value: str) -> str:
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def http_date(value: datetime) -> str:
    return format_datetime(value, usegmt=True)


def check_key(key: str) -> None:
    size = len(key.encode("utf-8"))
    if size > MAX_KEY_BYTES:
        raise s3_error("KeyTooLongError", Size=size, MaxSizeAllowed=MAX_KEY_BYTES)


#: Who owns what an unsigned request writes, stored where an account id would be (an AWS account
#: id is 12 digits, so this names none), and the canonical id S3 gives that anonymous user.
ANONYMOUS = "anonymous"
ANONYMOUS_CANONICAL_ID = "65a011a29cdf8ec533ec3d1ccaae921c"


def canonical_id(account_id: str) -> str:
    """A stable 64-hex canonical user id per account, the form S3 uses for owners and grantees;
    S3's own 32-hex id for the anonymous user."""
    if account_id == ANONYMOUS:
        return ANONYMOUS_CANONICAL_ID
    return hashlib.sha256(f"lakebox-canonical-user:{account_id}".encode()).hexdigest()


def owner(account_id: str) -> dict:
    """An Owner element: the canonical id only. S3 stopped answering DisplayName in 2025 (and
    ListBuckets, the ACLs and the listings' owners no longer carry one)."""
    return {"ID": canonical_id(account_id)}


def initiator(account_id: str) -> dict:
    """A multipart upload's Initiator. Unlike owners it still has a DisplayName on S3 (recorded in
    2026): for an account, its name beside the canonical id."""
    return {"ID": canonical_id(account_id), "DisplayName": f"lakebox-{account_id}"}


# -- what a writer chose: headers -> ObjectMeta --------------------------------------------------


def check_acl(params: dict) -> None:
    """Canned ACLs are accepted (enforcement comes later) but a misspelt one is refused, as S3 does."""
    acl = params.get("ACL")
    if acl is not None and acl not in CANNED_ACLS:
        raise invalid_argument("", "x-amz-acl", acl)


def storage_class(params: dict) -> str:
    value = params.get("StorageClass")
    if value is None or value == "":
        return STANDARD
    if value not in STORAGE_CLASSES:
        raise s3_error("InvalidStorageClass", StorageClassRequested=value)
    return value


def user_metadata(params: dict) -> dict[str, str]:
    """x-amz-meta-* with lower-cased names, refusing more than S3's 2 KB of user metadata."""
    user = {str(k).lower(): str(v) for k, v in (params.get("Metadata") or {}).items()}
    size = sum(len(k.encode("utf-8")) + len(v.encode("utf-8")) for k, v in user.items())
    if size > MAX_USER_METADATA_BYTES:
        raise s3_error("MetadataTooLarge", Size=size, MaxSizeAllowed=MAX_USER_METADATA_BYTES)
    return user


def system_metadata(ctx: RequestContext, params: dict) -> dict[str, str]:
    system = {}
    for member, header in SYSTEM_HEADERS.items():
        value = params.get(member)
        if value is not None:
            system[header] = str(value)
    expires = raw_expires(ctx, params)
    if expires is not None:
        system["Expires"] = expires
    return system


def raw_expires(ctx: RequestContext, params: dict) -> Optional[str]:
    """Expires as the client wrote it: S3 stores the header verbatim, even when it is not a date."""
    raw = ctx.request.headers.get("Expires")
    if raw is not None:
        return raw
    value = params.get("Expires")
    if isinstance(value, datetime):
        return http_date(value)
    return None if value is None else str(value)


def encryption(ctx: RequestContext, params: dict, bucket_rule: Optional[dict] = None) -> dict[str, str]:
    """The encryption an object records: what the request names, else the bucket's default rule
    (`bucket_rule`, see encryption.py; None is S3's own default, SSE-S3, as on AWS since 2023).

    SSE-KMS records the key ARN, context and bucket key; objects stay plain files. SSE-C records the
    key's MD5, never the key (sse_c.py encrypts the bytes and adds what it needs to decrypt them).
    """
    sse = params.get("ServerSideEncryption")
    kms_key = params.get("SSEKMSKeyId")
    rule = bucket_rule or {}
    if sse_c.requested(params):
        if sse is not None:
            raise invalid_argument(
                "Server Side Encryption with Customer provided key is incompatible with the encryption "
                "method specified", "x-amz-server-side-encryption", sse)
        blocked = (rule.get("BlockedEncryptionTypes") or {}).get("EncryptionType") or []
        return sse_c.write_record(params, "SSE-C" in blocked)
    if sse is None:
        if kms_key is not None:
            raise invalid_argument(
                "Server Side Encryption with AWS KMS managed key requires HTTP header "
                "x-amz-server-side-encryption : aws:kms", "x-amz-server-side-encryption-aws-kms-key-id",
                kms_key)
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        sse, kms_key, bucket_key = default.get("SSEAlgorithm") or "AES256", default.get("KMSMasterKeyID"), None
    else:
        if sse not in SSE_ALGORITHMS:
            raise invalid_argument("The encryption method specified is not supported",
                                   "x-amz-server-side-encryption", sse)
        if kms_key is not None and not sse.startswith("aws:kms"):
            raise invalid_argument(
                "Server Side Encryption with AWS KMS managed key requires HTTP header "
                "x-amz-server-side-encryption : aws:kms", "x-amz-server-side-encryption-aws-kms-key-id",
                kms_key)
        bucket_key = params.get("BucketKeyEnabled")
    record = {"ServerSideEncryption": sse}
    if sse.startswith("aws:kms"):
        record["SSEKMSKeyId"] = kms_key_arn(ctx, kms_key)
        context = params.get("SSEKMSEncryptionContext")
        if context:
            _check_encryption_context(context)
            record["SSEKMSEncryptionContext"] = context
        if bucket_key is None:
            # Without the header an SSE-KMS write uses the bucket's S3 Bucket Key setting.
            bucket_key = rule.get("BucketKeyEnabled")
        if bucket_key and sse == "aws:kms":  # DSSE-KMS has no bucket keys
            record["BucketKeyEnabled"] = "true"
    return record


def _check_encryption_context(value: str) -> None:
    """x-amz-server-side-encryption-context must be base64 of a JSON object of strings, as S3 checks."""
    try:
        document = json.loads(base64.b64decode(value, validate=True).decode("utf-8"))
    except ValueError:
        document = None
    if not isinstance(document, dict) or not all(isinstance(v, str) for v in document.values()):
        raise invalid_argument(
            "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding "
            "JSON which represents a string-string map", "x-amz-server-side-encryption-context", value)


def kms_key_arn(ctx: RequestContext, key_id: Optional[str]) -> str:
    """S3 echoes a full key ARN; with no key named it uses the account's `aws/s3` managed key."""
    if key_id and key_id.startswith("arn:"):
        return key_id
    if not key_id:
        key_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"lakebox:aws/s3:{ctx.account_id}:{ctx.region}"))
    if key_id.startswith("alias/"):
        return f"arn:aws:kms:{ctx.region}:{ctx.account_id}:{key_id}"
    return f"arn:aws:kms:{ctx.region}:{ctx.account_id}:key/{key_id}"


def object_meta(ctx: RequestContext, params: dict, tags: Optional[dict[str, str]] = None,
                bucket_rule: Optional[dict] = None) -> ObjectMeta:
    """Everything a PutObject / CreateMultipartUpload / CopyObject(REPLACE) request says about an object
    (`bucket_rule`: the bucket's default encryption, see `encryption`)."""
    check_acl(params)
    return ObjectMeta(
        content_type=params.get("ContentType") or None,
        system=system_metadata(ctx, params),
        user=user_metadata(params),
        tags=dict(tags or {}),
        storage_class=storage_class(params),
        encryption=encryption(ctx, params, bucket_rule),
    )


# -- how it reads back: ObjectInfo -> output members ---------------------------------------------


def encryption_fields(meta: ObjectMeta) -> dict[str, Any]:
    record = meta.encryption or {"ServerSideEncryption": "AES256"}
    out: dict[str, Any] = {}
    for name in ("ServerSideEncryption", "SSEKMSKeyId", "SSECustomerAlgorithm", "SSECustomerKeyMD5",
                 "SSEKMSEncryptionContext"):
        if record.get(name):
            out[name] = record[name]
    if record.get("BucketKeyEnabled") == "true":
        out["BucketKeyEnabled"] = True
    return out


def object_fields(info: ObjectInfo) -> dict[str, Any]:
    """The members GET and HEAD share, with the raw header values that S3 echoes verbatim."""
    meta = info.meta
    out: dict[str, Any] = {
        "ETag": quote_etag(info.etag),
        "LastModified": info.last_modified,
        "ContentType": meta.content_type or DEFAULT_CONTENT_TYPE,
        "AcceptRanges": "bytes",
        "Metadata": dict(meta.user),
    }
    headers: dict[str, str] = {}
    for member, header in SYSTEM_HEADERS.items():
        if header in meta.system:
            out[member] = meta.system[header]
    if "Expires" in meta.system:
        # botocore exposes the raw value as ExpiresString, so it goes out untouched.
        headers["Expires"] = meta.system["Expires"]
    if meta.storage_class and meta.storage_class != STANDARD:
        out["StorageClass"] = meta.storage_class
    out.update(encryption_fields(meta))
    if info.version_id:
        out["VersionId"] = info.version_id
    if meta.extra.get("replication"):  # PENDING, COMPLETED, FAILED or REPLICA (replication_worker.py)
        out["ReplicationStatus"] = meta.extra["replication"]
    if headers:
        out["__headers__"] = headers
    return out


def write_fields(info: ObjectInfo) -> dict[str, Any]:
    """What a write (PutObject, CompleteMultipartUpload) answers about the object it made."""
    out: dict[str, Any] = {"ETag": quote_etag(info.etag)}
    out.update(encryption_fields(info.meta))
    if info.version_id:
        out["VersionId"] = info.version_id
    return out
