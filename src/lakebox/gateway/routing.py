"""Which service a request is for, and S3 virtual-host addressing.

Order of evidence, as AWS's own front ends use it: `X-Amz-Target` (json services), the SigV4
credential scope (header or presigned query), the query protocol's `Action`, and otherwise S3 —
which covers SigV2 query auth, anonymous requests, CORS preflight and POST form uploads.
"""

from __future__ import annotations

import functools
from typing import Optional
from urllib.parse import parse_qsl, quote

from ..protocol.http import HttpRequest
from ..protocol.specs import SERVICE_NAMES, load_service_model
from ..services.s3.hosts import split_s3_host


@functools.lru_cache(maxsize=None)
def _target_prefixes() -> dict[str, str]:
    out = {}
    for name in SERVICE_NAMES:
        prefix = load_service_model(name).metadata.get("targetPrefix")
        if prefix:
            out[prefix] = name
    return out


@functools.lru_cache(maxsize=None)
def _signing_names() -> dict[str, str]:
    out = {}
    for name in SERVICE_NAMES:
        md = load_service_model(name).metadata
        out[md.get("signingName") or md["endpointPrefix"]] = name
        out.setdefault(md["endpointPrefix"], name)
    return out


@functools.lru_cache(maxsize=None)
def _query_actions() -> dict[str, list[str]]:
    """Action name -> query-protocol services that define it."""
    out: dict[str, list[str]] = {}
    for name in SERVICE_NAMES:
        model = load_service_model(name)
        if model.protocol == "query":
            for op in model.operation_names:
                out.setdefault(op, []).append(name)
    return out


@functools.lru_cache(maxsize=None)
def _query_versions() -> dict[str, str]:
    return {load_service_model(n).api_version: n for n in SERVICE_NAMES if load_service_model(n).protocol == "query"}


def warm_up() -> None:
    """Load every model and routing table now, so the first request does not pay for it."""
    _target_prefixes()
    _signing_names()
    _query_actions()
    _query_versions()


def service_for_target(target: Optional[str]) -> Optional[str]:
    if not target or "." not in target:
        return None
    return _target_prefixes().get(target.rsplit(".", 1)[0])


def service_for_signing_name(signing_name: Optional[str]) -> Optional[str]:
    return _signing_names().get(signing_name or "")


def query_form(request: HttpRequest) -> dict[str, str]:
    """The query protocol's parameters, from the query string and a form-encoded body."""
    params = dict(request.query_params())
    ctype = (request.headers.get("content-type") or "").lower()
    if request.method == "POST" and ctype.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(request.body_bytes().decode("utf-8", "replace"), keep_blank_values=True))
    return params


def service_for_action(request: HttpRequest, scoped: Optional[str]) -> Optional[str]:
    """A query-protocol service named by `Action` (and `Version` when two services share an action)."""
    if request.method not in ("GET", "POST") or "x-amz-target" in request.headers:
        return None
    ctype = (request.headers.get("content-type") or "").lower()
    if request.method == "POST" and not ctype.startswith("application/x-www-form-urlencoded"):
        return None
    if request.method == "GET" and "Action=" not in request.query:
        return None
    form = query_form(request)
    action = form.get("Action")
    if not action:
        return None
    candidates = _query_actions().get(action, [])
    if scoped in candidates:
        return scoped
    by_version = _query_versions().get(form.get("Version", ""))
    if by_version:
        return by_version
    return candidates[0] if len(candidates) == 1 else None


def virtual_host_bucket(host: str) -> Optional[str]:
    """The bucket named by a virtual-host style Host header (`bucket.localhost:4566`), if any.

    None for a static-website endpoint (`bucket.s3-website-us-east-1.amazonaws.com`): those are
    answered by the bucket's website (gateway/website.py) before routing, never as REST requests.
    """
    parts = split_s3_host(host)
    if parts is None or parts.website:
        return None
    return parts.bucket


def to_path_style(request: HttpRequest, bucket: str) -> None:
    """Rewrite a virtual-host request in place so the S3 parser only ever sees path style."""
    rest = request.path if request.path.startswith("/") else "/" + request.path
    request.path = "/" + quote(bucket, safe="") + ("" if rest == "/" else rest)
