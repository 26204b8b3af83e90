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
from .common import S3Base, log
from .errors import invalid_tag, translated

MAX_TAGS = 10
MAX_KEY_CHARS = 128
MAX_VALUE_CHARS = 256

# Letters, digits and white space in any script, plus the symbols AWS allows: + - = . _ : / @
_ALLOWED = re.compile(r"^[\w\s+\-=.:/@]*$", re.UNICODE)


def validate_tags(pairs: Iterable[tuple[str, str]], limit: int = MAX_TAGS,
                  too_many: str = f"Object tags cannot be greater than {MAX_TAGS}") -> dict[str, str]:
    """A checked tag dict from (key, value) pairs, refusing what S3 refuses with InvalidTag.

    Objects take up to 10 tags; buckets (`limit`, `too_many`) take more, with their own message.
    """
    tags: dict[str, str] = {}
    for key, value in pairs:
        if key in tags:
            raise invalid_tag("Cannot provide multiple Tags with the same key", key)
        if not key or len(key) > MAX_KEY_CHARS:
            raise invalid_tag(f"The TagKey you have provided is too long, max {MAX_KEY_CHARS}", key)
        if len(value) > MAX_VALUE_CHARS:
            raise invalid_tag(f"The TagValue you have provided is too long, max {MAX_VALUE_CHARS}", key)
        if key.lower().startswith("aws:"):
            raise invalid_tag("Your TagKey cannot be prefixed with aws:", key)
        if not _ALLOWED.match(key):
            raise invalid_tag("The TagKey you have provided is invalid", key)
        if not _ALLOWED.match(value):
            raise invalid_tag("The TagValue you have provided is invalid", key)
        tags[key] = value
    if len(tags) > limit:
        raise invalid_tag(too_many)
    return tags


def parse_tagging_header(value: Optional[str]) -> dict[str, str]:
    """x-amz-tagging is a URL query string (`k1=v1&k2`); a bare key means an empty value."""
    if not value:
        return {}
    return validate_tags(parse_qsl(value, keep_blank_values=True))


def tag_set(tags: dict[str, str]) -> list[dict[str, str]]:
    # S3 answers tag sets ordered by key.
    return [{"Key": k, "Value": tags[k]} for k in sorted(tags)]


class TaggingMixin(S3Base):
    def put_object_tagging(self, ctx: RequestContext, params: dict) -> dict:
        raw = (params.get("Tagging") or {}).get("TagSet") or []
        tags = validate_tags((str(t.get("Key", "")), str(t.get("Value", ""))) for t in raw)
        info = self._set_tags(params, tags)
        log.debug("set %d tags on s3://%s/%s", len(tags), info.bucket, info.key)
        return self._version_of(params, info)

    def get_object_tagging(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        info = self.object_for(bucket, params)
        return {"TagSet": tag_set(info.meta.tags), **self._version_of(params, info)}

    def delete_object_tagging(self, ctx: RequestContext, params: dict) -> dict:
        info = self._set_tags(params, {})
        log.debug("deleted tags of s3://%s/%s", info.bucket, info.key)
        return {"__status__": 204, **self._version_of(params, info)}

    def _set_tags(self, params: dict, tags: dict[str, str]):
        bucket = self.require_bucket(params)
        key = params["Key"]
        self.object_for(bucket, params)  # NoSuchKey / NoSuchVersion / a delete marker's 405
        with translated(bucket=bucket.name, key=key):
            return self.store.update_object_meta(bucket.name, key, params.get("VersionId"), tags=tags)

    @staticmethod
    def _version_of(params: dict, info) -> dict:
        version = info.version_id or params.get("VersionId")
        return {"VersionId": version} if version else {}
