"""Signed requests for the auth tests, made by botocore's own signers and clients (the oracle).

Each helper signs a botocore AWSRequest (or captures what a real boto3 client would send) and turns
it into the `HttpRequest` the gateway would build from the wire: headers as Latin-1 text, a Host
header, the raw path and query.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Callable, Optional
from urllib.parse import urlsplit

import boto3
from botocore.auth import HmacV1Auth, HmacV1QueryAuth, S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials

from lakebox.protocol.http import BodyStream, BytesBody, Headers, HttpRequest

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
CREDENTIALS = Credentials(ACCESS_KEY, SECRET_KEY)
ENDPOINT = "http://localhost:4566"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _text(value) -> str:
    return value.decode("latin-1") if isinstance(value, (bytes, bytearray)) else str(value)


def _body_bytes(body) -> bytes:
    if body is None:
        return b""
    if hasattr(body, "read"):
        if hasattr(body, "seek"):
            body.seek(0)
        return body.read()
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def to_http(request, body: Optional[BodyStream] = None) -> HttpRequest:
    """An HttpRequest as the gateway would see the (signed) botocore request on the wire."""
    parts = urlsplit(request.url)
    headers = Headers((_text(k), _text(v)) for k, v in request.headers.items())
    if "host" not in headers:
        default = {"http": 80, "https": 443}[parts.scheme]
        host = parts.hostname if parts.port in (None, default) else f"{parts.hostname}:{parts.port}"
        headers.add("host", host)
    return HttpRequest(
        method=request.method,
        path=parts.path or "/",
        query=parts.query,
        headers=headers,
        body=body if body is not None else BytesBody(_body_bytes(request.body)),
        scheme=parts.scheme,
    )


def aws_request(method: str, url: str, headers: Optional[dict] = None, body: bytes = b"") -> AWSRequest:
    return AWSRequest(method=method, url=url, headers=dict(headers or {}), data=body)


def sign_s3_v4(method: str, url: str, headers=None, body: bytes = b"", region: str = "us-east-1") -> HttpRequest:
    request = aws_request(method, url, headers, body)
    S3SigV4Auth(CREDENTIALS, "s3", region).add_auth(request)
    return to_http(request)


def sign_v4(service: str, method: str, url: str, headers=None, body: bytes = b"", region: str = "us-east-1"):
    """Generic SigV4 (the JSON and query services); also used for S3 with a preset payload header."""
    request = aws_request(method, url, headers, body)
    SigV4Auth(CREDENTIALS, service, region).add_auth(request)
    return to_http(request)


def presign_s3_v4(method: str, url: str, expires: int = 3600, headers=None, region: str = "us-east-1"):
    request = aws_request(method, url, headers)
    S3SigV4QueryAuth(CREDENTIALS, "s3", region, expires=expires).add_auth(request)
    return to_http(request)


def sign_s3_v2(method: str, url: str, headers=None, body: bytes = b"", auth_path: Optional[str] = None):
    request = aws_request(method, url, headers, body)
    request.auth_path = auth_path
    HmacV1Auth(CREDENTIALS).add_auth(request)
    return to_http(request)


def presign_s3_v2(method: str, url: str, expires: int = 3600, headers=None):
    request = aws_request(method, url, headers)
    HmacV1QueryAuth(CREDENTIALS, expires=expires).add_auth(request)
    return to_http(request)


def client(service: str, endpoint: str = ENDPOINT, region: str = "us-east-1", **config):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"max_attempts": 0}, **config),
    )


class _EmptyRaw:
    def stream(self, *args, **kwargs):
        return iter([b""])


def captured(service: str, call: Callable, endpoint: str = ENDPOINT, region: str = "us-east-1", **config):
    """The requests a real boto3 client sends for `call(client)`, captured instead of sent."""
    sent: list[HttpRequest] = []

    def before_send(request, **kwargs):
        sent.append(to_http(request))
        # An empty 200 answers the client; whatever it makes of the reply is irrelevant here.
        return AWSResponse(request.url, 200, {}, _EmptyRaw())

    c = client(service, endpoint, region, **config)
    c.meta.events.register("before-send", before_send)
    try:
        call(c)
    except Exception:  # noqa: BLE001 - parsing the fake reply may fail; the request is what we want
        pass
    assert sent, "the client sent nothing"
    return sent


def from_url(method: str, url: str, headers: Optional[dict] = None, body: bytes = b"") -> HttpRequest:
    """A request for a presigned URL, as curl or a browser would send it."""
    parts = urlsplit(url)
    all_headers = Headers([("host", parts.netloc)] + list((headers or {}).items()))
    return HttpRequest(method=method, path=parts.path, query=parts.query, headers=all_headers, body=BytesBody(body))


class TrickleBody(BodyStream):
    """A transport that hands out at most `step` bytes per read, and counts what was taken."""

    def __init__(self, data: bytes, step: int = 7):
        super().__init__()
        self._data = io.BytesIO(data)
        self._step = step
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._step
        out = self._data.read(min(size, self._step))
        self.consumed += len(out)
        return out
