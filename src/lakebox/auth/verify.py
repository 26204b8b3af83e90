"""`verify_signature`: strict mode's check of a request against the secret of its access key.

Open mode (the default) accepts any key and never calls this. The order of checks is S3's: the
request time first (a stale or skewed request fails the same way whatever its signature), then the
signature itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from ..protocol.http import HttpRequest
from . import errors
from .clock import check_time
from .info import ANONYMOUS, SIGV2_HEADER, SIGV2_QUERY, SIGV4_HEADER, SIGV4_QUERY, SIGV4A_HEADER, AuthInfo
from .sigv2 import verify_sigv2
from .sigv4 import check_presigned_headers, verify_sigv4


def verify_signature(
    request: HttpRequest,
    info: AuthInfo,
    secret_key: str,
    now: datetime,
    *,
    virtual_host_bucket: Optional[str] = None,
) -> None:
    """Raise AwsError unless `info` describes a valid, current signature made with `secret_key`.

    `now` is the wall clock. `virtual_host_bucket` is only needed for SigV2 when the caller has not
    rewritten a virtual-host request to path style (the SigV2 resource starts with the bucket).
    """
    if info.kind == ANONYMOUS:
        raise errors.access_denied()
    if info.kind == SIGV4A_HEADER:
        raise errors.sigv4a_not_supported()
    check_time(info, now)
    if info.kind in (SIGV4_HEADER, SIGV4_QUERY):
        check_presigned_headers(request, info)
        verify_sigv4(request, info, secret_key)
    elif info.kind in (SIGV2_HEADER, SIGV2_QUERY):
        verify_sigv2(request, info, secret_key, virtual_host_bucket)
    else:  # pragma: no cover - parse_auth produces no other kinds
        raise ValueError(f"unknown auth kind {info.kind!r}")
