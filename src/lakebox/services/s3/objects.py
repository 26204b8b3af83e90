"""Single-object reads and writes: PutObject, GetObject, HeadObject, DeleteObject.

Why they live together: GET and HEAD must agree header for header (HEAD is a GET without the body),
and PUT decides what they answer. The body is never held in memory: PutObject hands the request
stream to storage, which hashes while it writes; GetObject hands back storage's chunk iterator.
"""

from __future__ import annotations

from typing import Any, Optional

from ...protocol.context import RequestContext
from ...protocol.http import BytesBody
from ...storage.api import NULL_VERSION, BucketInfo, ObjectInfo
from . import checksums, restore, sse_c
from .common import S3Base, check_version_id, log, never_given_out, with_retries
from .conditions import (
    NOT_MODIFIED,
    ByteRange,
    all_of,
    check_read,
    delete_precondition,
    parse_range,
    refuse_directory_only,
    refuse_unsupported_write_conditions,
    write_precondition,
)
from .encryption import bucket_rule
from .expiration import expiration_fields
from .errors import invalid_argument, invalid_request, s3_error, translated
from .headers import check_customer_key, check_key, object_fields, object_meta, quote_etag, write_fields
from .object_lock import lock_fields
from .tagging import parse_tagging_header
from .versioning import deletion_fields

MAX_PUT_BYTES = 5 * 1024**3
MAX_PART_NUMBER = 10000

#: GetObject's response-* query parameters: the input member, the output member it overrides, and
#: the query parameter's name (which S3 names when it refuses a value).
_RESPONSE_OVERRIDES = {
    "ResponseCacheControl": ("CacheControl", "response-cache-control"),
    "ResponseContentDisposition": ("ContentDisposition", "response-content-disposition"),
    "ResponseContentEncoding": ("ContentEncoding", "response-content-encoding"),
    "ResponseContentLanguage": ("ContentLanguage", "response-content-language"),
    "ResponseContentType": ("ContentType", "response-content-type"),
}


def _check_header_value(name: str, value: str) -> None:
    """A response-* value becomes a response header, and HTTP headers are ISO-8859-1: S3 refuses
    what cannot be written so (400) rather than send a header it cannot encode."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise invalid_argument("Header value cannot be represented using ISO-8859-1.", name, value) from None


def request_body(ctx: RequestContext, params: dict) -> Any:
    """The stream to read an upload from (the gateway may have swapped in an aws-chunked decoder)."""
    body = params.get("Body")
    if body is None:
        return ctx.request.body
    if isinstance(body, (bytes, bytearray)):
        return BytesBody(bytes(body))
    return body


def declared_length(ctx: RequestContext, body: Any) -> Optional[int]:
    """How many payload bytes the client announced, or None for chunked bodies of unknown length.

    An aws-chunked body announces its decoded size in x-amz-decoded-content-length; its
    Content-Length counts the chunk framing too, so it must not be compared with the payload.
    """
    headers = ctx.request.headers
    decoded = headers.get("x-amz-decoded-content-length")
    chunked_payload = hasattr(body, "trailers") or (headers.get("x-amz-content-sha256") or "").startswith("STREAMING-")
    if decoded is not None:
        try:
            length = int(decoded)
        except ValueError:
            length = -1
        if length < 0:
            raise invalid_argument("Invalid x-amz-decoded-content-length", "x-amz-decoded-content-length", decoded)
        return length
    if chunked_payload:
        return None
    length_header = headers.get("content-length")
    if length_header is not None:
        try:
            return int(length_header)
        except ValueError:
            raise invalid_argument("Invalid Content-Length", "Content-Length", length_header) from None
    if "chunked" in (headers.get("transfer-encoding") or "").lower():
        return None
    raise s3_error("MissingContentLength")


def check_part_number(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= MAX_PART_NUMBER:
        raise invalid_argument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", value)
    return number


class ObjectsMixin(S3Base):
    def put_object(self, ctx: RequestContext, params: dict) -> dict:
        bucket_info = self.require_bucket(params)
        bucket = bucket_info.name
        key = params["Key"]
        check_key(key)
        refuse_unsupported_write_conditions(params)
        body = request_body(ctx, params)
        length = declared_length(ctx, body)
        if length is not None and length > MAX_PUT_BYTES:
            raise s3_error("EntityTooLarge", ProposedSize=length, MaxSizeAllowed=MAX_PUT_BYTES)
        meta = object_meta(ctx, params, parse_tagging_header(params.get("Tagging")),
                           bucket_rule(self.store, bucket))
        meta.acl = self.acl_for_write(ctx, bucket_info, params)
        meta.extra.update(self.object_lock_for_write(ctx, bucket_info, params, put=True))
        body, algorithms, expected = checksums.write_checksums(ctx, params, body)
        body, algorithms, expected = sse_c.seal_object(meta, params, body, algorithms, expected)
        with translated(bucket=bucket, key=key):
            info = self.store.put_object(
                bucket, key, body, meta,
                content_length=length,
                checksum_algorithms=algorithms,
                expected=expected,
                precondition=write_precondition(params, key),
            )
        log.debug("put s3://%s/%s (%d bytes)", bucket, key, info.size)
        self.replicate_after_write(info)
        info = sse_c.plain_view(info)
        out = write_fields(info)
        out.update(expiration_fields(self.store, bucket, info))
        out.update(checksums.fields(info.checksums, info.checksum_type))
        return out

    def get_object(self, ctx: RequestContext, params: dict) -> dict:
        return self._read(ctx, params, with_body=True)

    def head_object(self, ctx: RequestContext, params: dict) -> dict:
        return self._read(ctx, params, with_body=False)

    def _read(self, ctx: RequestContext, params: dict, with_body: bool) -> dict:
        bucket = self.require_bucket(params)
        key = params["Key"]
        with translated(bucket=bucket.name, key=key):
            return with_retries(lambda: self._read_once(ctx, params, bucket, key, with_body))

    def _read_once(self, ctx: RequestContext, params: dict, bucket: BucketInfo, key: str, with_body: bool) -> dict:
        info = self.object_for(bucket, params)
        # An archived object: x-amz-restore, and its bytes only through a finished restore.
        archive = restore.read_fields(info, self.config.clock.now(), with_body)
        customer_key = check_customer_key(info, params)
        sse_c.check_read_headers(ctx.request.headers)
        info = sse_c.plain_view(info)
        if params.get("PartNumber") is not None and params.get("Range"):
            raise invalid_request("Cannot specify both Range header and partNumber query parameter")

        if check_read(info, params, self.config.clock.now()) == NOT_MODIFIED:
            return {"__status__": NOT_MODIFIED, "ETag": quote_etag(info.etag), "LastModified": info.last_modified}

        out = object_fields(info)
        if params.get("VersionId") is None:  # S3 leaves it out of a read that names a version
            out.update(expiration_fields(self.store, bucket.name, info))
        out.update(archive)
        out.update(lock_fields(info))
        if bucket.versioning and not info.version_id:
            out["VersionId"] = NULL_VERSION
        selected, described = self._selection(info, params)
        out.update(described)
        if selected is None:
            out["ContentLength"] = info.size
        else:
            out["__status__"] = 206
            out["ContentLength"] = selected.length
            if selected.length:
                out["ContentRange"] = selected.content_range(info.size)

        if info.meta.tags:
            if with_body:
                out["TagCount"] = len(info.meta.tags)
            else:
                # HeadObject's model has no TagCount, but S3 sends the header on HEAD too.
                out.setdefault("__headers__", {})["x-amz-tagging-count"] = str(len(info.meta.tags))
        self._apply_overrides(ctx, params, out)

        if with_body:
            start, end = (0, None) if selected is None else (selected.start, selected.end)
            out["Body"] = sse_c.decrypted(self.store.open_object(info, start, end), info, customer_key, start)
        return out

    def _selection(self, info: ObjectInfo, params: dict) -> tuple[Optional[ByteRange], dict]:
        """The bytes a read asks for (None: all of them), and the members that describe them.

        Checksums are only sent for bytes they describe: the whole object, or one part of a
        multipart object (its own part checksum). botocore verifies the body against them.
        """
        want_checksums = (params.get("ChecksumMode") or "").upper() == "ENABLED"
        number = params.get("PartNumber")
        if number is not None:
            number = check_part_number(number)
            selected = self._part_range(info, number)
            described: dict = {}
            source = info.checksums
            if info.parts:
                described["PartsCount"] = len(info.parts)
                source = next(p for p in info.parts if p.part_number == number).checksums
            if want_checksums:
                described.update(checksums.fields(source, info.checksum_type))
            return selected, described
        selected = parse_range(params.get("Range"), info.size)
        # A range that covers the whole object is described by the object's checksum (as S3 does).
        whole = selected is None or (selected.start == 0 and selected.end >= info.size - 1)
        if not (want_checksums and whole):
            return selected, {}
        return selected, checksums.fields(info.checksums, info.checksum_type)

    @staticmethod
    def _part_range(info: ObjectInfo, number: int) -> ByteRange:
        """The bytes of part `number`; an object not made by multipart upload is its own part 1."""
        if not info.parts:
            if number != 1:
                raise s3_error("InvalidPartNumber", PartNumberRequested=number, ActualPartCount=1)
            return ByteRange(0, info.size - 1)
        start = 0
        for part in info.parts:
            if part.part_number == number:
                return ByteRange(start, start + part.size - 1)  # empty (end < start) for a 0-byte part
            start += part.size
        raise s3_error("InvalidPartNumber", PartNumberRequested=number, ActualPartCount=len(info.parts))

    @staticmethod
    def _apply_overrides(ctx: RequestContext, params: dict, out: dict) -> None:
        """response-* query parameters replace the stored headers in this one response."""
        for param, (member, query_name) in _RESPONSE_OVERRIDES.items():
            if params.get(param) is not None:
                _check_header_value(query_name, params[param])
                out[member] = params[param]
        raw_expires = ctx.request.query_dict().get("response-expires")
        if raw_expires is not None:
            _check_header_value("response-expires", raw_expires)
            out.setdefault("__headers__", {})["Expires"] = raw_expires

    def delete_object(self, ctx: RequestContext, params: dict) -> dict:
        bucket_info = self.require_bucket(params)
        bucket = bucket_info.name
        key = params["Key"]
        check_key(key)
        version = params.get("VersionId")
        if version is not None:
            check_version_id(version, bucket_info)
            if never_given_out(self.store, bucket, key, version):
                raise s3_error("InvalidArgument", "Invalid version id specified", ArgumentName="versionId",
                               ArgumentValue=version)
        self.check_bypass_applicable(bucket_info, params)
        refuse_directory_only(params)
        # If-Match is checked under the key's lock, against the object (or version) deleted.
        condition = delete_precondition(key, params.get("IfMatch"))
        # Only a permanent delete (of a version) can be refused by Object Lock.
        guard = self.deletion_guard(params) if version is not None else None
        with translated(bucket=bucket, key=key):
            outcome = self.store.delete_object(bucket, key, version, all_of(condition, guard))
        # Deleting a key (or version) that does not exist succeeds too: S3 deletes are idempotent.
        log.debug("deleted s3://%s/%s version %s (existed: %s, marker: %s)", bucket, key, outcome.version_id,
                  outcome.removed, outcome.delete_marker)
        self.replicate_after_delete(bucket, key, outcome, version)
        return {"__status__": 204, **deletion_fields(outcome, version)}
