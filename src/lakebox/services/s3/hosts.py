"""S3's endpoint host names: which bucket a Host header (or a URL's host) names.

Why a module of its own: the gateway reads the Host header to rewrite virtual-host requests to path
style, and the S3 areas read hosts too (a copy source given as a URL, the `Location` of a form
upload); services never import the gateway, so the grammar lives here, below both. Pure functions
of a string; imports only the standard library.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional
from urllib.parse import quote

#: Domains under which the labels before S3's endpoint labels (below) name a bucket, virtual-host
#: style. Under the local domains the endpoint labels are optional (`bucket.localhost`); under AWS's
#: own they are required (`bucket.s3.us-west-2.amazonaws.com`). Longest first: the first that ends a
#: host wins.
VIRTUAL_HOST_BASES = ("localhost.localstack.cloud", "localhost", "amazonaws.com")
_ENDPOINT_LABELS_REQUIRED = frozenset({"amazonaws.com"})

_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d+"
#: The endpoint labels AWS puts between a bucket and its domain: `s3`, `s3.<region>`, the legacy
#: `s3-<region>`, dual-stack and FIPS forms, Transfer Acceleration; and the static-website forms.
#: A bucket name may itself end in labels like these (`my.s3.data`), so only these exact forms count,
#: and only once: `data.s3.localhost` is bucket `data`, as `data.s3.amazonaws.com` is on AWS.
_S3_HOST = re.compile(
    rf"^(?:(?P<bucket>.+)\.)?(?:"
    rf"(?P<endpoint>s3(?:-fips)?(?:\.dualstack)?(?:[.-]{_REGION})?|s3-external-1|s3-accelerate(?:\.dualstack)?)"
    rf"|(?P<website>s3-website(?:[.-]{_REGION})?))$"
)
_REGIONAL_ENDPOINT = re.compile(rf"^s3[.-]{_REGION}$")


class S3Host(NamedTuple):
    """A Host header read as an S3 endpoint: `bucket.s3.us-west-2.localhost.localstack.cloud:4566`
    is bucket `bucket`, endpoint labels `s3.us-west-2`, domain `localhost.localstack.cloud`, port
    `:4566`. `bucket` is None for a path-style endpoint (`s3.us-west-2.localhost`)."""

    bucket: Optional[str]
    endpoint: str  # "" when the host has none (`bucket.localhost`)
    domain: str
    port: str  # with its colon, or ""
    website: bool


def split_s3_host(host: str) -> Optional[S3Host]:
    """The parts of an S3 Host header under one of `VIRTUAL_HOST_BASES`; None for any other host
    (an IP address, a custom name), which can only be path style."""
    hostname, port = host, ""
    if not host.endswith("]") and ":" in host:
        hostname, sep, digits = host.rpartition(":")
        port = sep + digits
    hostname = hostname.lower().rstrip(".")
    if not hostname or hostname.replace(".", "").isdigit() or hostname.startswith("["):
        return None
    for domain in VIRTUAL_HOST_BASES:
        if not hostname.endswith("." + domain):
            continue
        labels = hostname[: -len(domain) - 1]
        match = _S3_HOST.match(labels)
        if match is None:
            if domain in _ENDPOINT_LABELS_REQUIRED:
                return None
            return S3Host(labels, "", domain, port, False)
        website = match.group("website")
        return S3Host(match.group("bucket"), website or match.group("endpoint"), domain, port, bool(website))
    return None


def location_host(host: str) -> str:
    """The host S3 names in an object's URL (a form upload's `Location`) for a request to `host`.

    AWS answers a regional virtual-host request (`b.s3.us-west-2.amazonaws.com`) with the global
    form (`b.s3.amazonaws.com`), which has a certificate for every region; other hosts are kept.
    """
    parts = split_s3_host(host)
    if parts is None or not parts.bucket or not _REGIONAL_ENDPOINT.match(parts.endpoint):
        return host
    return f"{parts.bucket}.s3.{parts.domain}{parts.port}"


def object_url(scheme: str, host: str, bucket: str, key: str, virtual: bool, key_safe: str = "/") -> str:
    """An object's URL as S3 names it in a response (a form upload's or a completed multipart
    upload's `Location`), addressed the way the request was: virtual-host style (through
    `location_host`) or path style. `key_safe`: the characters of the key left unencoded."""
    path = quote(key, safe=key_safe)
    if virtual:
        return f"{scheme}://{location_host(host)}/{path}"
    return f"{scheme}://{host}/{quote(bucket, safe='')}/{path}"
