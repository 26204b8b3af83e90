"""Object tags: the x-amz-tagging header on writes, and Put/Get/DeleteObjectTagging.

Why the limits are checked here: S3 refuses a bad tag set as a whole (InvalidTag) and leaves the
object's previous tags untouched, so validation has to finish before anything reaches storage.
Lifecycle rules and replication filter on these tags in later issues.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional
from urllib.parse import parse_qsl

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import S3Base, log
from .errors import invalid_argument, invalid_tag, no_such_key, s3_error, translated

MAX_TAGS = 10
MAX_KEY_CHARS = 128
MAX_VALUE_CHARS = 256

# Letters, digits and white space in any script, plus the symbols AWS allows: + - = . _ : / @
_ALLOWED = re.compile(r"^[\w\s+\-=.:/@]*$", re.UNICODE)


def validate_tags(pairs: Iterable[tuple[str, str]], limit: int = MAX_TAGS,
                  too_many: Optional[str] = None) -> dict[str, str]:
    """A checked tag dict from (key, value) pairs, refusing what S3 refuses with InvalidTag.

    Objects take up to 10 tags, and S3 answers an eleventh with BadRequest (as AWS answers
    PutObject and PutObjectTagging; ceph/s3-tests expects InvalidTag there). Buckets (`limit`,
    `too_many`) take more, and more than that is InvalidTag with their own message.
    """
    tags: dict[str, str] = {}
    for key, value in pairs:
        if key in tags:
            raise invalid_tag("Cannot provide multiple Tags with the same key", key)
        if not key or len(key) > MAX_KEY_CHARS:
            raise invalid_tag(f"The TagKey you have provided is too long, max {MAX_KEY_CHARS}", key)
        if len(value) > MAX_VALUE_CHARS:
            raise invalid_tag(f"The TagValue you have provided is too long, max {MAX_VALUE_CHARS}", key, value)
        if key.lower().startswith("aws:"):
            raise invalid_tag("Your TagKey cannot be prefixed with aws:", key)
        if not _ALLOWED.match(key):
            raise invalid_tag("The TagKey you have provided is invalid", key)
        if not _ALLOWED.match(value):
            raise invalid_tag("The TagValue you have provided is invalid", key, value)
        tags[key] = value
    if len(tags) > limit:
        if too_many is None:
            raise s3_error("BadRequest", f"Object tags cannot be greater than {MAX_TAGS}")
        raise invalid_tag(too_many)
    return tags


_BAD_HEADER = ("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters "
               "without tag name duplicates.")


def parse_tagging_header(value: Optional[str]) -> dict[str, str]:
    """x-amz-tagging is a URL query string (`k1=v1&k2`); a bare key means an empty value.

    S3 refuses a header that repeats a tag name, or that decodes to characters no tag may hold (a
    sign it is not URL-query form, like `k1=v1,k2=v2`), as InvalidArgument about the header; the
    tag limits (count, lengths, `aws:`) are InvalidTag as for PutObjectTagging.
    """
    if not value:
        return {}
    pairs = parse_qsl(value, keep_blank_values=True)
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names) or not all(_ALLOWED.match(n) and _ALLOWED.match(v) for n, v in pairs):
        raise invalid_argument(_BAD_HEADER, "x-amz-tagging", value)
    return validate_tags(pairs)


def tag_set(tags: dict[str, str]) -> list[dict[str, str]]:
    # S3 answers tag sets ordered by key.
    return [{"Key": k, "Value": tags[k]} for k in sorted(tags)]


class TaggingMixin(S3Base):
    def put_object_tagging(self, ctx: RequestContext, params: dict) -> dict:
        raw = (params.get("Tagging") or {}).get("TagSet") or []
        tags = validate_tags((str(t.get("Key", "")), str(t.get("Value", ""))) for t in raw)
        info = self._set_tags(ctx, params, tags)
        log.debug("set %d tags on s3://%s/%s", len(tags), info.bucket, info.key)
        return self._version_of(params, info)

    def get_object_tagging(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        try:
            info = self.object_for(bucket, params, method=ctx.request.method)
        except AwsError as error:
            if error.code == "NoSuchKey":
                # This call alone names the missing key with its bucket ("bucket/key").
                raise no_such_key(f"{bucket.name}/{params['Key']}") from None
            raise
        return {"TagSet": tag_set(info.meta.tags), **self._version_of(params, info)}

    def delete_object_tagging(self, ctx: RequestContext, params: dict) -> dict:
        info = self._set_tags(ctx, params, {})
        log.debug("deleted tags of s3://%s/%s", info.bucket, info.key)
        return {"__status__": 204, **self._version_of(params, info)}

    def _set_tags(self, ctx: RequestContext, params: dict, tags: dict[str, str]):
        bucket = self.require_bucket(params)
        key = params["Key"]
        # NoSuchKey / NoSuchVersion / a delete marker's 405 (naming this request's method)
        self.object_for(bucket, params, method=ctx.request.method)
        with translated(bucket=bucket.name, key=key):
            return self.store.update_object_meta(bucket.name, key, params.get("VersionId"), tags=tags)

    @staticmethod
    def _version_of(params: dict, info) -> dict:
        version = info.version_id or params.get("VersionId")
        return {"VersionId": version} if version else {}
