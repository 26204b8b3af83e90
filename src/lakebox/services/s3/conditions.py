"""Preconditions and byte ranges: S3's rules for If-*, x-amz-copy-source-if-* and Range headers.

Why here: the same ETag and date comparisons decide a GET's 304/412, a copy's 412 and a conditional
write's or delete's 412/404, and the precedence between them is subtle (S3 follows RFC 7232: If-Match
wins over If-Unmodified-Since, If-None-Match over If-Modified-Since). One module keeps those rules
consistent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Optional

from ...storage.api import ObjectInfo
from .errors import invalid_argument, invalid_request, no_such_key, precondition_failed, s3_error
from .headers import unquote_etag

NOT_MODIFIED = 304


# -- comparisons ---------------------------------------------------------------------------------


def etag_matches(header: str, etag: str) -> bool:
    """True when an If-Match / If-None-Match list names `etag` (or is `*`)."""
    for item in header.split(","):
        item = item.strip()
        if item == "*" or unquote_etag(item) == etag:
            return True
    return False


def parse_date(value: Any) -> Optional[datetime]:
    """A conditional header's date, or None when it is unreadable (S3 then ignores the condition)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            try:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def _modified_after(info: ObjectInfo, when: datetime) -> bool:
    # Last-Modified is sent with one-second resolution, so compare at that resolution: a client that
    # echoes the header back must see the object as unmodified.
    return int(info.last_modified.timestamp()) > int(when.timestamp())


# -- GET / HEAD ----------------------------------------------------------------------------------


def _failed_condition(info: ObjectInfo, params: dict, prefix: str = "",
                      now: Optional[datetime] = None) -> Optional[str]:
    """The first of the four read conditions that fails, with S3's precedence, or None.

    If-Match outranks If-Unmodified-Since and If-None-Match outranks If-Modified-Since (RFC 7232):
    the date condition counts only when its ETag twin is absent. `prefix` selects the copy-source
    variants (`CopySourceIfMatch` ...). The result names the failing condition: "If-Match",
    "If-Unmodified-Since", "If-None-Match" or "If-Modified-Since". An If-Modified-Since later than
    `now` (the service clock) is ignored, as RFC 9110 says and S3 does: such a date is invalid.
    """
    if_match = params.get(prefix + "IfMatch")
    if if_match is not None:
        if not etag_matches(if_match, info.etag):
            return "If-Match"
    else:
        since = parse_date(params.get(prefix + "IfUnmodifiedSince"))
        if since is not None and _modified_after(info, since):
            return "If-Unmodified-Since"
    if_none_match = params.get(prefix + "IfNoneMatch")
    if if_none_match is not None:
        if etag_matches(if_none_match, info.etag):
            return "If-None-Match"
    else:
        since = parse_date(params.get(prefix + "IfModifiedSince"))
        if since is not None and (now is None or since <= now) and not _modified_after(info, since):
            return "If-Modified-Since"
    return None


def check_read(info: ObjectInfo, params: dict, now: Optional[datetime] = None) -> Optional[int]:
    """Raise 412 for a failed If-Match / If-Unmodified-Since; return 304 when the client's copy is fresh."""
    failed = _failed_condition(info, params, now=now)
    if failed in ("If-Match", "If-Unmodified-Since"):
        raise precondition_failed(failed)
    return NOT_MODIFIED if failed is not None else None


def check_copy_source(info: ObjectInfo, params: dict, now: Optional[datetime] = None) -> None:
    """x-amz-copy-source-if-*: the same precedence as reads, but every failure is a 412."""
    failed = _failed_condition(info, params, prefix="CopySource", now=now)
    if failed is not None:
        raise precondition_failed("x-amz-copy-source-" + failed)


# -- conditional writes --------------------------------------------------------------------------

_UNACCEPTED_VALUE = "We don't accept the provided value of {} header for this API"


def refuse_unsupported_write_conditions(params: dict, *, star_only: bool = False) -> None:
    """S3's 501 NotImplemented for write conditions it does not evaluate, checked before anything else.

    A write may carry If-Match or If-None-Match, never both. With `star_only` the values are held to
    what S3 takes on CopyObject: If-None-Match only as `*`, If-Match only as an ETag. PutObject and
    CompleteMultipartUpload stay lenient there (an ETag in If-None-Match is compared, `If-Match: *`
    means "any current object"), as Ceph and MinIO answer and the S3 compatibility suite expects.
    """
    if_match, if_none_match = params.get("IfMatch"), params.get("IfNoneMatch")
    if if_match is not None and if_none_match is not None:
        raise s3_error("NotImplemented", Header="If-Match,If-None-Match",
                       additionalMessage="Multiple conditional request headers present in the request")
    if not star_only:
        return
    if if_none_match is not None and if_none_match.strip() != "*":
        raise s3_error("NotImplemented", Header="If-None-Match",
                       additionalMessage=_UNACCEPTED_VALUE.format("If-None-Match"))
    if if_match is not None and if_match.strip() == "*":
        raise s3_error("NotImplemented", Header="If-Match", additionalMessage=_UNACCEPTED_VALUE.format("If-Match"))


def write_precondition(params: dict, key: str) -> Optional[Callable[[Optional[ObjectInfo]], None]]:
    """The check a conditional write runs under the key's lock, against the object it would replace.

    Delta and Iceberg writers commit with `If-None-Match: *`, so the check must happen atomically with
    the rename; that is why it is handed to storage rather than evaluated here up front.
    """
    if_match = params.get("IfMatch")
    if_none_match = params.get("IfNoneMatch")
    if if_match is None and if_none_match is None:
        return None

    def check(current: Optional[ObjectInfo]) -> None:
        if if_none_match is not None and current is not None and etag_matches(if_none_match, current.etag):
            raise precondition_failed("If-None-Match")
        if if_match is not None:
            if current is None:
                raise no_such_key(key)
            if not etag_matches(if_match, current.etag):
                raise precondition_failed("If-Match")

    return check


# -- conditional deletes -------------------------------------------------------------------------

Check = Callable[[Optional[ObjectInfo]], None]


def delete_precondition(key: str, etag: Optional[str] = None, last_modified: Any = None,
                        size: Any = None) -> Optional[Check]:
    """The check a conditional delete runs under the key's lock, or None for a plain delete.

    DeleteObject takes If-Match (each DeleteObjects entry its ETag, LastModifiedTime and Size): the
    object must still be the one the client saw, else 412 and it stays; a key with no object to
    compare is 404 NoSuchKey. DeleteObject's x-amz-if-match-last-modified-time and
    x-amz-if-match-size are for directory buckets: on a general purpose bucket S3 answers 501
    NotImplemented naming the header, before it looks at If-Match (see `refuse_directory_only`).
    """
    if etag is None and last_modified is None and size is None:
        return None
    when = parse_date(last_modified)
    if last_modified is not None and when is None:
        raise invalid_argument("Invalid date", "x-amz-if-match-last-modified-time", last_modified)

    def check(current: Optional[ObjectInfo]) -> None:
        if current is None:
            raise no_such_key(key)
        if etag is not None and not etag_matches(etag, current.etag):
            raise precondition_failed("If-Match")
        # Last-Modified is known to the client only to the second.
        if when is not None and int(current.last_modified.timestamp()) != int(when.timestamp()):
            raise precondition_failed("x-amz-if-match-last-modified-time")
        if size is not None and int(size) != current.size:
            raise precondition_failed("x-amz-if-match-size")

    return check


def refuse_directory_only(params: dict) -> None:
    """S3's answer to DeleteObject's directory-bucket conditions on a general purpose bucket."""
    for member, header in (("IfMatchLastModifiedTime", "x-amz-if-match-last-modified-time"),
                           ("IfMatchSize", "x-amz-if-match-size")):
        if params.get(member) is not None:
            raise s3_error("NotImplemented", Header=header)


def all_of(*checks: Optional[Check]) -> Optional[Check]:
    """One storage precondition running each given check in turn (None when none is given)."""
    present = [check for check in checks if check is not None]
    if len(present) <= 1:
        return present[0] if present else None

    def check(current: Optional[ObjectInfo]) -> None:
        for one in present:
            one(current)

    return check


# -- ranges --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return max(0, self.end - self.start + 1)

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: Optional[str], size: int) -> Optional[ByteRange]:
    """The range a GET asks for, or None to serve the whole object.

    As on S3, a header it cannot read, or one with several ranges, is ignored (200 with the whole
    object); a readable range that falls outside the object is 416 InvalidRange.
    """
    if not header:
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    if first == "":  # suffix: the last N bytes
        count = int(last)
        if count == 0 or size == 0:
            raise _unsatisfiable(header, size)
        return ByteRange(max(0, size - count), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None  # syntactically invalid (last before first): ignored, as RFC 9110 says
    if start >= size:
        raise _unsatisfiable(header, size)
    end = int(last) if last else size - 1
    return ByteRange(start, min(end, size - 1))


def _unsatisfiable(header: str, size: int):
    return s3_error("InvalidRange", RangeRequested=header, ActualObjectSize=size)


_COPY_RANGE = re.compile(r"^bytes=(\d+)-(\d+)$")


def parse_copy_range(header: Optional[str], size: int) -> ByteRange:
    """x-amz-copy-source-range: stricter than Range, it must be exactly `bytes=first-last`."""
    if header is None:
        return ByteRange(0, size - 1)
    match = _COPY_RANGE.match(header.strip())
    if not match:
        raise invalid_argument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last "
            "are the zero-based offsets of the first and last bytes to copy",
            "x-amz-copy-source-range", header)
    start, end = int(match.group(1)), int(match.group(2))
    if start > end:
        raise invalid_argument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last "
            "are the zero-based offsets of the first and last bytes to copy",
            "x-amz-copy-source-range", header)
    # A range that starts beyond the source is a 400 InvalidRequest on S3. One that only ends beyond
    # it S3 answers 400 InvalidArgument ("Range specified is not valid for source object of size: N");
    # lakebox keeps InvalidRange there, the code the S3 compatibility suite requires.
    if start >= size:
        raise invalid_request("The specified copy range is invalid for the source object size")
    if end >= size:
        raise s3_error("InvalidRange", RangeRequested=header, ActualObjectSize=size)
    return ByteRange(start, end)
