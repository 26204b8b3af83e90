"""SigV4 (AWS4-HMAC-SHA256): canonical request, signing key, signature check, chunk signature chain.

The canonical request is built from the request as it arrived (`AuthInfo.raw_path`/`raw_query`),
because the gateway may rewrite a virtual-host path before the check. Clients disagree in small
ways about encoding (which characters a path or query leaves unescaped, `+` in a query, UTF-8 in a
header that the server decoded as Latin-1), so the check tries the few plausible canonical forms,
the spec's form first, and accepts the request when one of them carries the same signature. Every
form signs the same method, resource, headers and payload, so this widens nothing an attacker could
use; a mismatch reports the spec's form, which is what S3 shows in its error body.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from typing import Iterator
from urllib.parse import quote, unquote, unquote_plus

from ..protocol.http import HttpRequest
from . import errors
from .info import EMPTY_SHA256, SIGV4_ALGORITHM, SIGV4_QUERY, UNSIGNED_PAYLOAD, AuthInfo


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """The derived key: HMAC chain over the scope date, region, service and `aws4_request`."""
    key = hmac.new(("AWS4" + secret_key).encode("utf-8"), date.encode("utf-8"), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def hmac_hex(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def uri_encode(text: str, safe: str = "") -> str:
    """SigV4's UriEncode: everything but A-Z a-z 0-9 - _ . ~ (and `safe`) as %XX of its UTF-8 bytes."""
    return quote(text, safe=safe)


def normalize_path(path: str) -> str:
    """RFC 3986 dot-segment removal plus dropping empty segments, as AWS wants for non-S3 services."""
    out: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if out:
                out.pop()
        else:
            out.append(segment)
    trailing = "/" if path.endswith("/") and out else ""
    return "/" + "/".join(out) + trailing


def canonical_uris(raw_path: str, service: str | None) -> list[str]:
    path = raw_path or "/"
    if service == "s3":
        # S3 encodes the path once and never normalizes it: `a/../b` and `a//b` are real keys.
        forms = [uri_encode(unquote(path), safe="/"), path]
    else:
        # Everyone else: normalize, then encode the (already encoded) path a second time.
        forms = [uri_encode(normalize_path(path), safe="/"), uri_encode(path, safe="/")]
    return _unique(forms)


def canonical_queries(raw_query: str, presigned: bool) -> list[str]:
    pairs = []
    for piece in raw_query.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        # The signature cannot sign itself: a presigned URL's canonical query leaves it out.
        if presigned and unquote(name) == "X-Amz-Signature":
            continue
        pairs.append((name, value))

    def spec(decode) -> str:
        encoded = sorted((uri_encode(decode(n)), uri_encode(decode(v))) for n, v in pairs)
        return "&".join(f"{n}={v}" for n, v in encoded)

    forms = [spec(unquote)]
    if "+" in raw_query:
        forms.append(spec(unquote_plus))
    forms.append("&".join(f"{n}={v}" for n, v in sorted(pairs)))
    return _unique(forms)


def _trimmed(value: str) -> str:
    return " ".join(value.split())


def _as_utf8(value: str) -> str:
    """A header the server decoded as Latin-1 but the client wrote as UTF-8, read back as UTF-8."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def canonical_header_blocks(request: HttpRequest, names: tuple[str, ...]) -> list[str]:
    """The canonical headers block (each `name:value` line, newline-terminated)."""
    values = {name: request.headers.get_all(name) for name in names}
    forms = []
    for fix in (str, _as_utf8):
        lines = [f"{name}:{','.join(_trimmed(fix(v)) for v in values[name])}\n" for name in names]
        forms.append("".join(lines))
    return _unique(forms)


def payload_hashes(request: HttpRequest, info: AuthInfo) -> list[str]:
    header = request.headers.get("x-amz-content-sha256")
    if info.service != "s3":
        # Other services sign the body's digest; their bodies are small control-plane documents.
        return [header] if header is not None else [sha256_hex(request.body_bytes())]
    if info.kind == SIGV4_QUERY:
        # Presigned S3 URLs sign UNSIGNED-PAYLOAD, unless the signer put a digest in the URL or header.
        query_value = _query_value(info.raw_query, "X-Amz-Content-Sha256")
        return _unique([v for v in (query_value, header, UNSIGNED_PAYLOAD) if v is not None])
    if header is None:
        raise errors.missing_content_sha256()
    return [header]


def _query_value(raw_query: str, wanted: str) -> str | None:
    for piece in raw_query.split("&"):
        name, _, value = piece.partition("=")
        if unquote(name) == wanted:
            return unquote(value)
    return None


def canonical_requests(request: HttpRequest, info: AuthInfo) -> Iterator[str]:
    """The canonical request in the spec's form first, then the tolerated variants."""
    names = info.signed_headers
    signed = ";".join(names)
    uris = canonical_uris(info.raw_path or request.path, info.service)
    queries = canonical_queries(info.raw_query if info.raw_path else request.query, info.kind == SIGV4_QUERY)
    headers = canonical_header_blocks(request, names)
    payloads = payload_hashes(request, info)
    method = request.method.upper()
    for uri, query, block, payload in itertools.product(uris, queries, headers, payloads):
        yield f"{method}\n{uri}\n{query}\n{block}\n{signed}\n{payload}"


def string_to_sign(info: AuthInfo, canonical_request: str) -> str:
    digest = sha256_hex(canonical_request.encode("utf-8"))
    return f"{SIGV4_ALGORITHM}\n{info.timestamp}\n{info.credential_scope}\n{digest}"


#: Headers S3 lets a presigned request carry unsigned although they start with x-amz-.
_UNSIGNED_AMZ_ALLOWED = frozenset({"x-amz-content-sha256"})


def check_presigned_headers(request: HttpRequest, info: AuthInfo) -> None:
    """S3 refuses a presigned request with x-amz-* headers that X-Amz-SignedHeaders leaves out.

    A presigned URL fixes what its signer allowed; an extra `x-amz-acl`, `x-amz-meta-*` or
    `x-amz-copy-source` added by whoever holds the URL would otherwise take effect unsigned.
    S3 also wants the Host header signed.
    """
    if info.kind != SIGV4_QUERY or info.service != "s3":
        return
    signed = set(info.signed_headers)
    present = {name.lower() for name, _ in request.headers.items()}
    missing = sorted(
        name for name in present
        if name.startswith("x-amz-") and name not in signed and name not in _UNSIGNED_AMZ_ALLOWED
    )
    if "host" not in signed:
        missing.insert(0, "host")
    if missing:
        raise errors.headers_not_signed(missing)


def verify_sigv4(request: HttpRequest, info: AuthInfo, secret_key: str) -> None:
    """Raise SignatureDoesNotMatch unless the request carries the signature `secret_key` gives."""
    key = signing_key(secret_key, info.credential_date or "", info.region or "", info.service or "")
    provided = (info.signature or "").strip().lower().encode("utf-8")
    first: tuple[str, str] | None = None
    for canonical in canonical_requests(request, info):
        sts = string_to_sign(info, canonical)
        if hmac.compare_digest(hmac_hex(key, sts).encode("ascii"), provided):
            return
        if first is None:
            first = (sts, canonical)
    sts, canonical = first if first else (None, None)
    raise errors.signature_does_not_match(info.access_key, info.signature, sts, canonical)


class ChunkSignatureChain:
    """The aws-chunked signature chain: each chunk signs its data and the previous signature.

    It starts from the seed (the request's own signature); the final, empty chunk is signed like the
    others, and the trailer signature (for *-TRAILER payloads) continues from the final chunk's.
    """

    def __init__(self, key: bytes, timestamp: str, scope: str, seed_signature: str):
        self._key = key
        self._prefix = f"{timestamp}\n{scope}\n"
        self.previous = seed_signature

    @classmethod
    def for_request(cls, info: AuthInfo, secret_key: str) -> "ChunkSignatureChain":
        key = signing_key(secret_key, info.credential_date or "", info.region or "", info.service or "")
        return cls(key, info.timestamp or "", info.credential_scope, (info.signature or "").lower())

    def next_chunk(self, data_sha256: str) -> str:
        """The signature the next chunk must carry; the chain moves on to it."""
        sts = f"AWS4-HMAC-SHA256-PAYLOAD\n{self._prefix}{self.previous}\n{EMPTY_SHA256}\n{data_sha256}"
        self.previous = hmac_hex(self._key, sts)
        return self.previous

    def trailer(self, canonical_trailers: str) -> str:
        """The x-amz-trailer-signature for the trailer lines (`name:value\\n` each)."""
        digest = sha256_hex(canonical_trailers.encode("utf-8"))
        sts = f"AWS4-HMAC-SHA256-TRAILER\n{self._prefix}{self.previous}\n{digest}"
        return hmac_hex(self._key, sts)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
