"""ListParts and ListMultipartUploads: what is staged, and which uploads are in progress.

Why apart from the upload steps: both are paginated listings with S3's marker rules (a part-number
marker past the last part, an upload-id marker that must name one of the key marker's uploads, a
common prefix ending a page), and clients that resume interrupted transfers page through them
until the markers say they are done. Getting a marker wrong makes them loop or stop early.
"""

from __future__ import annotations

from typing import Any

from ...protocol.context import RequestContext
from ...storage import errors as st
from ...storage.api import STANDARD, PartInfo, UploadInfo
from . import acl, checksums
from .common import S3Base
from .errors import invalid_argument, translated
from .expiration import abort_fields
from .headers import initiator, owner, quote_etag, whole_seconds
from .listing import PAGE_LIMIT, encoding_type, max_keys, url_encode


class MultipartListingMixin(S3Base):
    def list_parts(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        key, upload_id = params["Key"], params["UploadId"]
        with translated(bucket=bucket.name, key=key, upload_id=upload_id):
            upload = self.store.get_upload(bucket.name, key, upload_id)
        marker = _int_param(params.get("PartNumberMarker"), "part-number-marker", 0)
        limit = min(_int_param(params.get("MaxParts"), "max-parts", PAGE_LIMIT), PAGE_LIMIT)
        with translated(bucket=upload.bucket, key=upload.key, upload_id=upload.upload_id):
            remaining = [p for p in self.store.list_parts(upload) if p.part_number > marker]
        page = remaining[:limit]
        out: dict[str, Any] = {
            "Bucket": upload.bucket,
            "Key": upload.key,
            "UploadId": upload.upload_id,
            "PartNumberMarker": marker,
            # A marker at or past the last part gives an empty page, and S3 then answers 0.
            "NextPartNumberMarker": page[-1].part_number if page else 0,
            "MaxParts": limit,
            "IsTruncated": len(remaining) > len(page),
            "Parts": [_part_entry(p, upload) for p in page],
            # The account whose write made the upload (its ACL owner); the bucket owner by default.
            "Initiator": initiator(acl.owner_of(upload.meta.acl, bucket.account_id)),
            "Owner": owner(acl.owner_of(upload.meta.acl, bucket.account_id)),
            "StorageClass": upload.meta.storage_class or STANDARD,
        }
        if upload.checksum_algorithm:
            out["ChecksumAlgorithm"] = upload.checksum_algorithm
            out["ChecksumType"] = upload.checksum_type
        if not out["Parts"]:
            del out["Parts"]
        out.update(abort_fields(self.store, upload))
        return out

    def list_multipart_uploads(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        encode = url_encode if encoding_type(params) else (lambda value: value)
        prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or None
        key_marker = params.get("KeyMarker") or ""
        # S3 ignores upload-id-marker unless key-marker is given too.
        upload_id_marker = (params.get("UploadIdMarker") or "") if key_marker else ""
        if upload_id_marker:
            self._check_upload_id_marker(bucket.name, key_marker, upload_id_marker)
        limit = max_keys(params, "MaxUploads", "max-uploads")
        if limit == 0:
            uploads, prefixes, truncated = [], [], False
        else:
            with translated(bucket=bucket.name):
                res = self.store.list_multipart_uploads(
                    bucket.name, prefix=prefix, delimiter=delimiter, key_marker=key_marker,
                    upload_id_marker=upload_id_marker, max_uploads=min(limit, PAGE_LIMIT),
                )
            uploads, prefixes, truncated = res.uploads, res.common_prefixes, res.is_truncated
        # The next markers name the page's last upload, truncated or not, and never a common prefix:
        # a page of prefixes only has empty ones even when truncated (recorded on S3, 2026), and a
        # client resumes from its last prefix as the key marker.
        next_key, next_id = (uploads[-1].key, uploads[-1].upload_id) if uploads else ("", "")
        out: dict[str, Any] = {
            "Bucket": bucket.name,
            "KeyMarker": encode(key_marker),
            "UploadIdMarker": upload_id_marker,
            # Both always present: empty when the page lists no upload.
            "NextKeyMarker": encode(next_key),
            "NextUploadIdMarker": next_id,
            "MaxUploads": limit,
            "IsTruncated": truncated,
        }
        if params.get("Prefix") is not None:
            out["Prefix"] = encode(prefix)
        if delimiter is not None:
            out["Delimiter"] = encode(delimiter)
        if uploads:
            out["Uploads"] = [_upload_entry(u, encode, bucket.account_id) for u in uploads]
        if prefixes:
            out["CommonPrefixes"] = [{"Prefix": encode(p)} for p in prefixes]
        if encoding_type(params):
            out["EncodingType"] = "url"
        return out

    def _check_upload_id_marker(self, bucket: str, key_marker: str, upload_id_marker: str) -> None:
        """S3 refuses an upload-id marker that is not one of the key marker's uploads."""
        try:
            self.store.get_upload(bucket, key_marker, upload_id_marker)
        except st.NoSuchUploadError:
            raise invalid_argument("Invalid uploadId marker", "upload-id-marker", upload_id_marker) from None


def _int_param(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise invalid_argument(f"Argument {name} must be an integer between 0 and 2147483647", name, value)
    return number


def _part_entry(part: PartInfo, upload: UploadInfo) -> dict[str, Any]:
    entry = {
        "PartNumber": part.part_number,
        "LastModified": whole_seconds(part.last_modified),
        "ETag": quote_etag(part.etag),
        "Size": part.size,
    }
    # S3 keeps part checksums only for an upload created with an algorithm; without one, the
    # checksum an SDK sends with each part is checked on arrival but not listed.
    if upload.checksum_algorithm:
        part_fields = checksums.fields(part.checksums)
        part_fields.pop("ChecksumType", None)  # describes whole objects only
        entry.update(part_fields)
    return entry


def _upload_entry(upload: UploadInfo, encode, account_id: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "UploadId": upload.upload_id,
        "Key": encode(upload.key),
        "Initiated": whole_seconds(upload.initiated),
        "StorageClass": upload.meta.storage_class or STANDARD,
        "Owner": owner(acl.owner_of(upload.meta.acl, account_id)),
        "Initiator": initiator(acl.owner_of(upload.meta.acl, account_id)),
    }
    if upload.checksum_algorithm:
        entry["ChecksumAlgorithm"] = upload.checksum_algorithm
        entry["ChecksumType"] = upload.checksum_type
    return entry
