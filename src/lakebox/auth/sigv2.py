"""SigV2 for S3 (HMAC-SHA1 over the string to sign), as header auth and as presigned query auth.

    StringToSign = VERB \\n Content-MD5 \\n Content-Type \\n Date-or-Expires \\n
                   CanonicalizedAmzHeaders CanonicalizedResource

The resource is the path, bucket first even for virtual-host requests, plus the S3 subresources in
the query. As with SigV4, the few forms that real clients produce are all tried (botocore's list of
subresources and the shorter documented one; `Date` or an empty date line when x-amz-date is set;
for presigned URLs sent without a Content-Type, the one botocore copies into the query).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from typing import Iterator, Optional
from urllib.parse import unquote

from ..protocol.http import HttpRequest
from . import errors
from .info import SIGV2_QUERY, AuthInfo

#: Subresources S3's documentation lists for the canonical resource.
DOCUMENTED_SUBRESOURCES = frozenset(
    {
        "acl", "delete", "lifecycle", "location", "logging", "notification", "partNumber", "policy",
        "requestPayment", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website",
        "response-content-type", "response-content-language", "response-expires", "response-cache-control",
        "response-content-disposition", "response-content-encoding",
    }
)  # fmt: skip
#: The longer list SDKs sign with today (newer subresources such as tagging and cors included).
SDK_SUBRESOURCES = DOCUMENTED_SUBRESOURCES | frozenset(
    {
        "accelerate", "analytics", "cors", "defaultObjectAcl", "inventory", "metrics", "object-lock",
        "replication", "restore", "select", "select-type", "storageClass", "tagging",
    }
)  # fmt: skip


def sign_v2(secret_key: str, string_to_sign: str) -> str:
    digest = hmac.new(secret_key.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _query_pairs(raw_query: str) -> list[tuple[str, str, bool]]:
    """(raw name, decoded value, had '=') for each query piece."""
    out = []
    for piece in raw_query.split("&"):
        if piece:
            name, sep, value = piece.partition("=")
            out.append((name, unquote(value), bool(sep)))
    return out


def _subresources(raw_query: str, names: frozenset[str], keep_equals: bool) -> str:
    items = []
    for name, value, had_equals in _query_pairs(raw_query):
        if name not in names:
            continue
        # `?uploads` and `?uploads=` both occur on the wire; signers copy whichever they built.
        items.append(f"{name}={value}" if value or (had_equals and keep_equals) else name)
    items.sort(key=lambda item: item.partition("=")[0])
    return "?" + "&".join(items) if items else ""


def _resource_paths(request: HttpRequest, info: AuthInfo, virtual_host_bucket: Optional[str]) -> list[str]:
    raw = info.raw_path or request.path or "/"
    if virtual_host_bucket:
        path = f"/{virtual_host_bucket}{raw}"
    else:
        # When the gateway has rewritten a virtual-host request to path style, request.path is the
        # resource (bucket first); otherwise the two are the same.
        path = request.path or "/"
    if path.count("/") == 1 and path != "/":
        # A bucket-level request: botocore signs `/bucket/` even when it sends `/bucket`.
        return [path + "/", path]
    return [path]


def _amz_headers(request: HttpRequest, info: AuthInfo) -> str:
    collected: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        lname = name.lower()
        if lname.startswith("x-amz-"):
            collected.setdefault(lname, []).append(value.strip())
    if info.kind == SIGV2_QUERY:
        # Presigners move the x-amz-* headers they signed into the query (the security token, say).
        for name, value, _ in _query_pairs(info.raw_query):
            lname = unquote(name).lower()
            if lname.startswith("x-amz-") and lname not in collected:
                collected[lname] = [value.strip()]
    return "".join(f"{name}:{','.join(collected[name])}\n" for name in sorted(collected))


def _standard_header(request: HttpRequest, info: AuthInfo, name: str) -> list[str]:
    """Content-MD5 or Content-Type as the string to sign has it: the request's header.

    botocore's SigV2 presigner copies the two into the URL's query as well. S3 signs the header,
    so a request that sends another Content-Type than the signed one fails; only a request that
    sends none at all is checked against the URL's copy, for clients that cannot set headers.
    """
    header = request.headers.get(name)
    if info.kind != SIGV2_QUERY or header is not None:
        return [(header or "").strip()]
    in_query = next((v for n, v, _ in _query_pairs(info.raw_query) if unquote(n).lower() == name), None)
    return _unique([in_query.strip(), ""] if in_query is not None else [""])


def _date_lines(request: HttpRequest, info: AuthInfo) -> list[str]:
    if info.kind == SIGV2_QUERY:
        return [info.date_text or ""]
    date = (request.headers.get("date") or "").strip()
    # AWS's rule: with x-amz-date set, the Date line is empty. botocore signs its Date header anyway.
    return _unique([date, ""]) if "x-amz-date" in request.headers else [date]


def strings_to_sign(request: HttpRequest, info: AuthInfo, virtual_host_bucket: Optional[str] = None) -> Iterator[str]:
    """The SigV2 string to sign in its most likely form first, then the tolerated variants."""
    query = info.raw_query if info.raw_path else request.query
    method = request.method.upper()
    amz = _amz_headers(request, info)
    resources = [
        path + _subresources(query, names, keep)
        for path in _resource_paths(request, info, virtual_host_bucket)
        for names in (SDK_SUBRESOURCES, DOCUMENTED_SUBRESOURCES)
        for keep in (True, False)
    ]
    md5s = _standard_header(request, info, "content-md5")
    types = _standard_header(request, info, "content-type")
    dates = _date_lines(request, info)
    for resource, md5, ctype, date in itertools.product(_unique(resources), md5s, types, dates):
        yield f"{method}\n{md5}\n{ctype}\n{date}\n{amz}{resource}"


def verify_sigv2(
    request: HttpRequest, info: AuthInfo, secret_key: str, virtual_host_bucket: Optional[str] = None
) -> None:
    """Raise SignatureDoesNotMatch unless the request carries the signature `secret_key` gives."""
    provided = (info.signature or "").strip().encode("utf-8")
    first: Optional[str] = None
    for sts in strings_to_sign(request, info, virtual_host_bucket):
        if hmac.compare_digest(sign_v2(secret_key, sts).encode("ascii"), provided):
            return
        if first is None:
            first = sts
    raise errors.signature_does_not_match(info.access_key, info.signature, first)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
