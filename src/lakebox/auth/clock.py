"""Request times: parsing the date formats signatures use, and the checks against the wall clock.

The checks take `now` from the caller, always the wall clock: a service clock that tests move
forward (lifecycle expiry, for example) must never make a fresh signature look stale.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Optional

from . import errors
from .info import MAX_SKEW_SECONDS, SIGV2_QUERY, SIGV4_QUERY, AuthInfo

ISO_BASIC = "%Y%m%dT%H%M%SZ"

# S3 treats request times before the epoch as no date at all (AccessDenied), not as a skewed clock.
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_iso_basic(text: str) -> Optional[datetime]:
    """`20260101T000000Z` -> aware UTC datetime; None when malformed."""
    # Sliced by hand: strptime costs more than the rest of parsing an Authorization header.
    if len(text) != 16 or text[8] != "T" or text[15] != "Z" or not (text[:8] + text[9:15]).isdigit():
        return None
    try:
        moment = datetime(int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[9:11]), int(text[11:13]),
                          int(text[13:15]), tzinfo=timezone.utc)
    except ValueError:
        return None
    return moment if moment >= _EPOCH else None


def parse_http_date(text: str) -> Optional[datetime]:
    """An RFC 7231 / RFC 1123 date (`Thu, 01 Jan 2026 00:00:00 GMT`) -> aware UTC datetime, or None."""
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return moment if moment >= _EPOCH else None


def parse_any_date(text: str) -> Optional[datetime]:
    """Either format; x-amz-date carries ISO basic for SigV4 and an HTTP date for SigV2 clients."""
    text = text.strip()
    return parse_iso_basic(text) or parse_http_date(text)


def utc(now: datetime) -> datetime:
    """Naive datetimes from callers are taken as UTC."""
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now.astimezone(timezone.utc)


def check_expiry(info: AuthInfo, now: datetime) -> None:
    """Raise AccessDenied "Request has expired" for a presigned URL past its expiry on the wall clock.

    Unlike the rest of `check_time` this does not depend on trusting the signer: an expired URL is
    expired whatever key signed it, so open mode applies it too.
    """
    if info.kind in (SIGV4_QUERY, SIGV2_QUERY) and info.expires_at is not None:
        now = utc(now)
        if now > info.expires_at:
            raise errors.request_expired(now, info.expires_at, info.expires)


def check_time(info: AuthInfo, now: datetime) -> None:
    """Raise when the request is outside its validity window on the wall clock `now`.

    Header auth must be within 15 minutes of now. A presigned URL is valid from its signing time
    (with the same 15 minutes of tolerance for a client clock that runs ahead) until it expires.
    """
    now = utc(now)
    skew = timedelta(seconds=MAX_SKEW_SECONDS)
    if info.kind in (SIGV4_QUERY, SIGV2_QUERY):
        check_expiry(info, now)
        if info.amz_date is not None and info.amz_date - now > skew:
            raise errors.request_not_yet_valid(now, info.date_text or "")
        return
    if info.amz_date is None:
        raise errors.missing_date()
    if abs(now - info.amz_date) > skew:
        raise errors.request_time_too_skewed(now, info.date_text or "", MAX_SKEW_SECONDS)
