"""CopyObject, and the x-amz-copy-source handling it shares with UploadPartCopy.

Why apart from objects.py: a copy has its own rules (metadata and tagging directives, the
copy-source-if-* preconditions, S3's refusal of a pointless copy onto itself), and the bytes never
pass through the provider: storage copies them server-side. Only SSE-C sources and destinations are
streamed through lakebox, to decrypt or encrypt them (sse_c.copy_object).
"""

from __future__ import annotations

import functools
import re
from typing import Optional
from urllib.parse import parse_qs, unquote_plus

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...storage.api import NULL_VERSION, ObjectInfo, ObjectMeta
from . import checksums, restore, sse_c
from .common import S3Base, log, with_retries
from .conditions import check_copy_source, refuse_unsupported_write_conditions, write_precondition
from .encryption import bucket_rule
from .expiration import expiration_fields
from .errors import invalid_argument, invalid_request, translated
from .headers import (
    check_acl,
    check_customer_key,
    check_key,
    encryption,
    encryption_fields,
    object_meta,
    quote_etag,
    storage_class,
    whole_seconds,
)
from .hosts import split_s3_host
from .tagging import parse_tagging_header

MAX_COPY_BYTES = 5 * 1024**3

_SELF_COPY = (
    "This copy request is illegal because it is trying to copy an object to itself without changing the "
    "object's metadata, storage class, website redirect location or encryption attributes."
)

#: Request members whose presence makes a copy onto itself a real change, as S3 counts it.
_SELF_COPY_CHANGES = ("StorageClass", "ServerSideEncryption", "SSEKMSKeyId", "WebsiteRedirectLocation",
                      "SSECustomerAlgorithm")


#: A copy source given as the object's URL. A bucket name never holds a colon, so a scheme cannot
#: be read as one.
_URL_SOURCE = re.compile(r"^[a-z][a-z0-9+.-]*://(?P<host>[^/]*)(?P<path>.*)$", re.IGNORECASE)


def parse_copy_source(value: str) -> tuple[str, str, Optional[str]]:
    """`bucket/key[?versionId=...]`, URL-encoded as SDKs send it, into (bucket, key, version id).

    The `?` that starts the version is literal while a `?` inside the key arrives as %3F, so the
    split happens before decoding. A `+` is a space, as in a form: some SDKs (Go's) encode spaces so,
    and S3 reads them so; SDKs that mean a plus send %2B. S3 also takes the object's URL,
    `scheme://host/key` virtual-host style or `scheme://host/bucket/key` path style (`_url_path`).
    """
    path, _, query = value.partition("?")
    version = None
    if query:
        version = (parse_qs(query, keep_blank_values=True).get("versionId") or [None])[0]
        if version == "":
            raise invalid_argument("Version id cannot be the empty string", "versionId", "")
    path = _url_path(unquote_plus(path))
    if path.startswith("/"):
        path = path[1:]
    bucket, _, key = path.partition("/")
    if not bucket or not key:
        # sic: S3 names the header in ArgumentValue too, not the value it was sent.
        raise invalid_argument("Invalid copy source object key", "x-amz-copy-source", "x-amz-copy-source")
    return bucket, key, version


def _url_path(source: str) -> str:
    """A copy source given as a URL, as `bucket/key`: the bucket from a virtual-host URL's host
    (`http://bucket.s3.localhost.localstack.cloud:4566/key`), else the path's first segment
    (`http://s3.localhost.localstack.cloud:4566/bucket/key`). Any other source is returned as it is."""
    url = _URL_SOURCE.match(source)
    if url is None:
        return source
    host = split_s3_host(url.group("host"))
    if host is not None and host.bucket:
        return host.bucket + url.group("path")
    return url.group("path")


class CopyMixin(S3Base):
    def copy_source(self, params: dict) -> ObjectInfo:
        """The object x-amz-copy-source names, after its preconditions held."""
        src_bucket, src_key, version = parse_copy_source(params["CopySource"])
        expected_owner = params.get("ExpectedSourceBucketOwner")
        src_info = self.require_bucket({"Bucket": src_bucket, "ExpectedBucketOwner": expected_owner})
        try:
            src = self.resolve_object(src_info, src_key, version)
        except AwsError as exc:
            if exc.code == "MethodNotAllowed":
                raise invalid_request("The source of a copy request may not specifically refer to a delete "
                                      "marker by version id.") from None
            raise
        restore.check_source_readable(src, self.config.clock.now())
        check_customer_key(src, params, sse_c.COPY_SOURCE)
        check_copy_source(src, params, self.config.clock.now())
        return sse_c.plain_view(src)

    def copy_object(self, ctx: RequestContext, params: dict) -> dict:
        refuse_unsupported_write_conditions(params, star_only=True)
        bucket_info = self.require_bucket(params)
        bucket = bucket_info.name
        key = params["Key"]
        check_key(key)
        check_acl(params)
        # A copy is a new object: its ACL comes from this request, never from the source.
        new_acl = self.acl_for_write(ctx, bucket_info, params)
        with translated(bucket=bucket, key=key):
            return with_retries(lambda: self._copy_once(ctx, params, bucket, key, new_acl))

    def _copy_once(self, ctx: RequestContext, params: dict, bucket: str, key: str, new_acl) -> dict:
        directive = _directive(params, "MetadataDirective", "metadata")
        tag_directive = _directive(params, "TaggingDirective", "tagging")
        src = self.copy_source(params)
        if src.size > MAX_COPY_BYTES:
            raise invalid_request(
                "The specified copy source is larger than the maximum allowable size for a copy source: "
                f"{MAX_COPY_BYTES}")
        # Copying an older version onto its own key restores it: that is a change. A source that names
        # its version id is let through even when that version is the latest one, as S3 does.
        named_version = parse_copy_source(params["CopySource"])[2] is not None
        same_object = src.bucket == bucket and src.key == key and src.is_latest and not named_version
        rule = bucket_rule(self.store, bucket)
        # S3 lets a copy onto itself through when the bucket has a default encryption configured.
        if same_object and directive != "REPLACE" and not any(params.get(m) for m in _SELF_COPY_CHANGES) \
                and rule is None:
            raise invalid_request(_SELF_COPY)

        tags = parse_tagging_header(params.get("Tagging")) if tag_directive == "REPLACE" else dict(src.meta.tags)
        if directive == "REPLACE":
            meta = object_meta(ctx, params, tags, rule)
        else:
            meta = ObjectMeta(
                content_type=src.meta.content_type,
                system=dict(src.meta.system),
                user=dict(src.meta.user),
                tags=tags,
                storage_class=storage_class(params),
                encryption=encryption(ctx, params, rule),
            )
            if params.get("WebsiteRedirectLocation") is not None:
                meta.system["x-amz-website-redirect-location"] = params["WebsiteRedirectLocation"]
        meta.acl = new_acl
        # The copy's own lock (or the bucket's default): never the source's, as on S3.
        meta.extra.update(self.object_lock_for_write(ctx, self.require_bucket(params), params))

        copy = self.store.copy_object
        if sse_c.needs_streaming(src, meta):
            copy = functools.partial(sse_c.copy_object, self.store, params=params)
        info = copy(
            src, bucket, key, meta,
            checksum_algorithms=_copy_algorithms(params, src),
            precondition=write_precondition(params, key),
        )
        log.debug("copied s3://%s/%s to s3://%s/%s", src.bucket, src.key, bucket, key)
        self.replicate_after_write(info)
        info = sse_c.plain_view(info)
        result = {"ETag": quote_etag(info.etag), "LastModified": whole_seconds(info.last_modified)}
        result.update(checksums.fields(info.checksums, info.checksum_type))
        out = {"CopyObjectResult": result}
        out.update(expiration_fields(self.store, bucket, info))
        out.update(encryption_fields(info.meta))
        if src.version_id:
            out["CopySourceVersionId"] = src.version_id
        if info.version_id:
            out["VersionId"] = info.version_id
        elif self.require_bucket(params).versioning:
            out["VersionId"] = NULL_VERSION  # a suspended bucket's copy is its null version
        return out


def _directive(params: dict, member: str, what: str) -> str:
    value = params.get(member)
    if value is None or value == "":
        return "COPY"
    if value not in ("COPY", "REPLACE"):
        raise invalid_argument(f"Unknown {what} directive.", f"x-amz-{what}-directive", value)
    return value


def _copy_algorithms(params: dict, src: ObjectInfo) -> list[str]:
    """The checksum a copy gets: the one asked for, else the source's full-object one, else the default."""
    asked = checksums.normalize_algorithm(params.get("ChecksumAlgorithm"), "x-amz-checksum-algorithm")
    if asked:
        return [asked]
    kept = [a for a, v in src.checksums.items() if a in checksums.DIGEST_SIZES and v and "-" not in v]
    return kept or [checksums.DEFAULT_ALGORITHM]
