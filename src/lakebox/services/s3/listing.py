"""ListObjects (v1) and ListObjectsV2 over the lake folder.

Why both, and so exactly: Spark, s3fs, pyarrow and the AWS CLI each paginate differently (markers,
continuation tokens, delimiters), and a wrong NextMarker or KeyCount makes them loop or miss files.
Storage does the ordered walk (UTF-8 byte order, delimiter roll-up); this module applies S3's
request rules and response quirks on top of it.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Optional
from urllib.parse import quote

from ...protocol.context import RequestContext
from ...storage.api import STANDARD, ListResult, ObjectInfo
from . import acl, checksums, restore
from .common import S3Base
from .errors import invalid_argument, translated
from .headers import owner, quote_etag, whole_seconds

#: S3 never returns more than this many entries per page, whatever max-keys asks.
PAGE_LIMIT = 1000


def url_encode(value: str) -> str:
    """S3's encoding-type=url: percent-encode everything but unreserved characters and '/'."""
    return quote(value, safe="/")


def encode_token(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii")


def decode_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        raise invalid_argument("The continuation token provided is incorrect", "continuation-token", token) from None


def max_keys(params: dict, member: str = "MaxKeys", name: str = "maxKeys") -> int:
    value = params.get(member)
    if value is None:
        return PAGE_LIMIT
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0 or number > 2147483647:
        raise invalid_argument(f"Argument {name} must be an integer between 0 and 2147483647", name, value)
    return number


def encoding_type(params: dict) -> Optional[str]:
    """"url" or None; S3 refuses any other value, the empty one included."""
    value = params.get("EncodingType")
    if value is None:
        return None
    if str(value).lower() != "url":
        raise invalid_argument("Invalid Encoding Method specified in Request", "encoding-type", value)
    return "url"


def _with_region(out: dict, region: str) -> dict:
    """S3 names the bucket's region in a listing's headers (outside the model), as HeadBucket does;
    clients that guess regions read it."""
    out["__headers__"] = {"x-amz-bucket-region": region}
    return out


class ListingMixin(S3Base):
    def list_objects(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        encode = _encoder(params)
        prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or None
        marker = params.get("Marker") or ""
        limit = max_keys(params)
        result = self._walk(bucket.name, prefix, delimiter, marker, limit)
        out: dict[str, Any] = {
            "Name": bucket.name,
            # v1 sends Prefix as given even with encoding-type=url (and botocore decodes v1 that way).
            "Prefix": prefix,
            "Marker": encode(marker),
            "MaxKeys": limit,
            "IsTruncated": result.is_truncated,
            "Contents": [_entry(o, encode, bucket.account_id) for o in result.objects],
            "CommonPrefixes": [{"Prefix": encode(p)} for p in result.common_prefixes],
        }
        # v1 sends NextMarker only with a delimiter; without one, clients continue from the last key.
        if delimiter is not None:
            out["Delimiter"] = encode(delimiter)
            if result.is_truncated and result.next_marker is not None:
                out["NextMarker"] = encode(result.next_marker)
        if encoding_type(params):
            out["EncodingType"] = "url"
        restore.add_restore_status(out["Contents"], result.objects, params, self.config.clock.now)
        return _with_region(_drop_empty(out), bucket.region)

    def list_objects_v2(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        encode = _encoder(params)
        prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or None
        token = params.get("ContinuationToken")
        start_after = params.get("StartAfter") or ""
        # A continuation token wins over start-after: it already lies past it.
        # An empty token reads as none (what S3's documentation leaves open; clients send it when
        # paging starts from an unset variable).
        resume = decode_token(token) if token else start_after
        limit = max_keys(params)
        result = self._walk(bucket.name, prefix, delimiter, resume, limit)
        fetch_owner = bool(params.get("FetchOwner"))
        out: dict[str, Any] = {
            "Name": bucket.name,
            "Prefix": encode(prefix),
            "MaxKeys": limit,
            "KeyCount": len(result.objects) + len(result.common_prefixes),
            "IsTruncated": result.is_truncated,
            "Contents": [_entry(o, encode, bucket.account_id if fetch_owner else None) for o in result.objects],
            "CommonPrefixes": [{"Prefix": encode(p)} for p in result.common_prefixes],
        }
        if delimiter is not None:
            out["Delimiter"] = encode(delimiter)
        if token is not None:
            out["ContinuationToken"] = token
        if params.get("StartAfter") is not None:
            # "If StartAfter was sent with the request, it is included in the response" (S3's API
            # reference), continuation token or not.
            out["StartAfter"] = encode(start_after)
        if result.is_truncated and result.next_marker is not None:
            out["NextContinuationToken"] = encode_token(result.next_marker)
        if encoding_type(params):
            out["EncodingType"] = "url"
        restore.add_restore_status(out["Contents"], result.objects, params, self.config.clock.now)
        return _with_region(_drop_empty(out), bucket.region)

    def _walk(self, bucket: str, prefix: str, delimiter: Optional[str], after: str, limit: int) -> ListResult:
        if limit == 0:
            # S3 answers max-keys=0 with an empty, untruncated page.
            return ListResult(objects=[], common_prefixes=[], is_truncated=False)
        with translated(bucket=bucket):
            return self.store.list_objects(
                bucket, prefix=prefix, delimiter=delimiter, start_after=after, max_keys=min(limit, PAGE_LIMIT)
            )


def _encoder(params: dict):
    return url_encode if encoding_type(params) else (lambda value: value)


def _entry(info: ObjectInfo, encode, account_id: Optional[str]) -> dict:
    entry: dict[str, Any] = {
        "Key": encode(info.key),
        "LastModified": whole_seconds(info.last_modified),
        "ETag": quote_etag(info.etag),
        "Size": info.size,
        "StorageClass": info.meta.storage_class or STANDARD,
    }
    algorithms = [a for a in info.checksums if a in checksums.DIGEST_SIZES]
    if algorithms:
        entry["ChecksumAlgorithm"] = algorithms
        entry["ChecksumType"] = checksums.fields(info.checksums, info.checksum_type).get("ChecksumType")
    if account_id is not None:
        entry["Owner"] = owner(acl.owner_of(info.meta.acl, account_id))
    return entry


def _drop_empty(out: dict) -> dict:
    # Contents and CommonPrefixes are absent, not empty, when there is nothing to list.
    if not out["Contents"]:
        del out["Contents"]
    return _drop_empty_prefixes(out)


def _drop_empty_prefixes(out: dict) -> dict:
    if not out["CommonPrefixes"]:
        del out["CommonPrefixes"]
    return out
