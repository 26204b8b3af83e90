"""`parse_auth`: read what a request claims about its authentication, without checking any signature.

Four forms are recognised, as S3 does: the SigV4 Authorization header, the SigV4 presigned query
(X-Amz-*), the SigV2 Authorization header (`AWS AKID:signature`) and the SigV2 presigned query
(AWSAccessKeyId/Signature/Expires; botocore 1.43 still presigns S3 URLs this way unless the client
is configured with signature_version='s3v4'). Malformed authentication is rejected here, in every
auth mode, with the error S3 gives; signatures and clocks are checked later, in strict mode only.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Optional
from urllib.parse import unquote

from ..protocol.http import HttpRequest
from . import errors
from .clock import ISO_BASIC, parse_any_date, parse_http_date, parse_iso_basic
from .info import (
    ANONYMOUS,
    MAX_PRESIGN_SECONDS,
    PAYLOAD_LITERALS,
    SIGNED_STREAMING,
    SIGV2_HEADER,
    SIGV2_QUERY,
    SIGV4_ALGORITHM,
    SIGV4_HEADER,
    SIGV4_QUERY,
    SIGV4A_ALGORITHM,
    SIGV4A_HEADER,
    AuthInfo,
)

_HEX_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_SCOPE_DATE = re.compile(r"^\d{8}$")
_SIGV4_QUERY_PARAMS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders")


def parse_auth(request: HttpRequest) -> AuthInfo:
    """What the request claims; raises AwsError for malformed authentication (see module doc)."""
    header = request.headers.get("authorization")
    query = first_query_values(request.query)
    has_v4_query = any(name in query for name in _SIGV4_QUERY_PARAMS)
    has_v2_query = "AWSAccessKeyId" in query or "Signature" in query
    header_value = (header or "").strip()
    mechanisms = sum((bool(header_value), has_v4_query, has_v2_query))
    if mechanisms > 1:
        raise errors.only_one_auth_mechanism(header_value or query.get("X-Amz-Algorithm", ""))

    if has_v4_query:
        info = _parse_sigv4_query(query)
    elif has_v2_query:
        info = _parse_sigv2_query(query)
    elif header_value:
        info = _parse_header(request, header_value)
    else:
        # An empty Authorization header counts as none: S3 answers it like an anonymous request.
        info = AuthInfo(kind=ANONYMOUS)

    info.raw_path = request.path
    info.raw_query = request.query
    info.content_sha256 = request.headers.get("x-amz-content-sha256")
    if info.security_token is None:
        info.security_token = request.headers.get("x-amz-security-token")
    _check_content_sha256(info)
    return info


def first_query_values(raw_query: str) -> dict[str, str]:
    """Decoded query parameters, first value wins (auth parameters never repeat)."""
    out: dict[str, str] = {}
    for piece in raw_query.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        out.setdefault(unquote(name), unquote(value))
    return out


def _check_content_sha256(info: AuthInfo) -> None:
    value = info.content_sha256
    if value is None:
        return
    if info.kind == ANONYMOUS and value in SIGNED_STREAMING:
        raise errors.anonymous_signed_streaming()
    # Only S3 defines the literals; other services just carry a digest, which they never check here.
    if info.service in (None, "s3") and value not in PAYLOAD_LITERALS and not _HEX_SHA256.match(value):
        raise errors.invalid_content_sha256(value)


# -- Authorization header ----------------------------------------------------------------------------


def _parse_header(request: HttpRequest, value: str) -> AuthInfo:
    scheme, _, rest = value.partition(" ")
    if scheme == SIGV4_ALGORITHM:
        info = _parse_sigv4_header(rest, value)
        info.kind = SIGV4_HEADER
        _take_header_date(request, info, sigv4=True)
        return info
    if scheme == SIGV4A_ALGORITHM:
        # SigV4a scopes have no region; the regions are in X-Amz-Region-Set. Parsed so open mode can
        # route the request; strict mode cannot verify ECDSA signatures and says so.
        info = _parse_sigv4_header(rest, value, with_region=False)
        info.kind = SIGV4A_HEADER
        region_set = request.headers.get("x-amz-region-set") or ""
        first = region_set.split(",")[0].strip()
        info.region = first if first and first != "*" else None
        _take_header_date(request, info, sigv4=True)
        return info
    if scheme == "AWS":
        return _parse_sigv2_header(request, rest.strip(), value)
    raise errors.unsupported_authorization_type(value)


def _parse_sigv4_header(rest: str, whole: str, with_region: bool = True) -> AuthInfo:
    components: dict[str, str] = {}
    for part in rest.split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, val = part.partition("=")
        if not sep:
            raise errors.header_malformed_component(part)
        components[name.strip()] = val.strip()
    credential = components.get("Credential")
    signed = components.get("SignedHeaders")
    signature = components.get("Signature")
    if credential is None or signed is None or signature is None:
        raise errors.header_missing_components()
    info = AuthInfo(signature=signature, algorithm=whole.partition(" ")[0])
    problem = _take_credential(info, credential, "", with_region)
    if problem:
        raise errors.header_malformed(problem)
    info.signed_headers = tuple(h.strip().lower() for h in signed.split(";") if h.strip())
    return info


def _take_credential(info: AuthInfo, credential: str, prefix: str, with_region: bool = True) -> Optional[str]:
    """Fill access key and scope from `AKID/yyyymmdd/region/service/aws4_request`; a message when malformed."""
    parts = credential.split("/")
    expected = 5 if with_region else 4
    # Access keys never contain "/", but be tolerant of it by taking the scope from the right.
    if len(parts) < expected or not all(parts):
        return errors.credential_malformed(prefix)
    scope = parts[-(expected - 1):]
    access_key = "/".join(parts[: -(expected - 1)])
    date, terminal = scope[0], scope[-1]
    if terminal != "aws4_request":
        return errors.credential_bad_terminal(prefix, terminal)
    if not _SCOPE_DATE.match(date) or parse_iso_basic(date + "T000000Z") is None:
        return errors.credential_bad_date(prefix, date)
    info.access_key = access_key
    info.credential_date = date
    if with_region:
        info.region, info.service = scope[1], scope[2]
    else:
        info.service = scope[1]
    return None


def _take_header_date(request: HttpRequest, info: AuthInfo, sigv4: bool) -> None:
    """X-Amz-Date wins over Date; either may carry the time (botocore signs with Date when one is set)."""
    amz = request.headers.get("x-amz-date")
    if amz is not None:
        text = amz.strip()
        moment = parse_iso_basic(text) if sigv4 else parse_any_date(text)
    else:
        text = (request.headers.get("date") or "").strip()
        moment = parse_http_date(text) if text else None
    if moment is None:
        raise errors.missing_date()
    info.amz_date = moment
    info.date_text = text
    if sigv4:
        # The string to sign carries the time in ISO basic form, whichever header it came from.
        info.timestamp = text if amz is not None else moment.strftime(ISO_BASIC)


def _parse_sigv2_header(request: HttpRequest, rest: str, whole: str) -> AuthInfo:
    access_key, sep, signature = rest.rpartition(":")
    if not sep or not access_key or not signature or " " in rest:
        raise errors.sigv2_header_invalid(whole)
    info = AuthInfo(kind=SIGV2_HEADER, access_key=access_key, signature=signature, service="s3", algorithm="AWS")
    _take_header_date(request, info, sigv4=False)
    return info


# -- presigned query ---------------------------------------------------------------------------------


def _parse_sigv4_query(query: dict[str, str]) -> AuthInfo:
    if any(name not in query for name in _SIGV4_QUERY_PARAMS) or "X-Amz-Expires" not in query:
        raise errors.query_params_error(errors.QUERY_MISSING_PARAMS)
    if query["X-Amz-Algorithm"] != SIGV4_ALGORITHM:
        raise errors.query_params_error(errors.QUERY_BAD_ALGORITHM)
    info = AuthInfo(kind=SIGV4_QUERY, signature=query["X-Amz-Signature"], algorithm=SIGV4_ALGORITHM)
    problem = _take_credential(info, query["X-Amz-Credential"], errors.QUERY_CREDENTIAL_PREFIX)
    if problem:
        raise errors.query_params_error(problem)
    text = query["X-Amz-Date"]
    moment = parse_iso_basic(text)
    if moment is None:
        raise errors.query_params_error(errors.QUERY_BAD_DATE)
    if text[:8] != info.credential_date:
        raise errors.query_date_mismatch(info.credential_date or "", text[:8])
    info.amz_date, info.date_text, info.timestamp = moment, text, text
    info.expires = _presign_seconds(query["X-Amz-Expires"])
    info.expires_at = moment + timedelta(seconds=info.expires)
    info.signed_headers = tuple(h.strip().lower() for h in query["X-Amz-SignedHeaders"].split(";") if h.strip())
    info.security_token = query.get("X-Amz-Security-Token")
    return info


def _presign_seconds(text: str) -> int:
    value = text.strip()
    digits = value[1:] if value[:1] in "+-" else value
    if not digits.isdigit():
        raise errors.query_params_error(errors.QUERY_EXPIRES_NOT_NUMBER)
    seconds = int(value)
    if seconds < 0:
        raise errors.query_params_error(errors.QUERY_EXPIRES_NEGATIVE)
    if seconds > MAX_PRESIGN_SECONDS:
        raise errors.query_params_error(errors.QUERY_EXPIRES_TOO_LARGE)
    return seconds


def _parse_sigv2_query(query: dict[str, str]) -> AuthInfo:
    access_key = query.get("AWSAccessKeyId")
    signature = query.get("Signature")
    expires = query.get("Expires")
    if not access_key or not signature or expires is None:
        raise errors.sigv2_query_incomplete()
    text = expires.strip()
    if not text.isdigit():
        raise errors.sigv2_bad_expires(expires)
    try:
        expires_at = datetime.fromtimestamp(int(text), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        # Far beyond year 9999: it never expires in any meaningful sense.
        expires_at = datetime.max.replace(tzinfo=timezone.utc)
    return AuthInfo(
        kind=SIGV2_QUERY,
        access_key=access_key,
        signature=signature,
        service="s3",
        algorithm="AWS",
        expires_at=expires_at,
        date_text=expires,
        security_token=query.get("x-amz-security-token"),
    )
