"""botocore's own S3 client as the oracle for lakebox's S3 protocol tests (DESIGN D1).

A real client (path-style, endpoint http://localhost:4566, dummy credentials) runs every S3
customization a user's call goes through: copy-source quoting, checksums, SSE-C key handling,
XML escaping. A `before-send` hook stops the request before the network:

- `request_for` captures what the client would have sent, as a lakebox `HttpRequest`;
- `call` answers the client with a lakebox `HttpResponse` and returns what boto3 users get back.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any, Optional
from urllib.parse import urlsplit

import botocore.session
from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from urllib3.response import HTTPResponse as Urllib3Response

from lakebox.protocol.http import BytesBody, Headers, HttpRequest, HttpResponse

ENDPOINT = "http://localhost:4566"


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _read_body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    return body.read()


class S3Oracle:
    def __init__(self):
        session = botocore.session.get_session()
        self.client = session.create_client(
            "s3",
            region_name="us-east-1",
            endpoint_url=ENDPOINT,
            aws_access_key_id="AKIDLAKEBOXTEST",
            aws_secret_access_key="lakebox-secret",
            config=Config(
                s3={"addressing_style": "path"},
                retries={"total_max_attempts": 1},
                # Checksums are computed only where S3 requires them, and responses are not
                # validated against the made-up checksum values of the example outputs.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )
        self.client.meta.events.register("before-send", self._before_send)
        self._reply: Optional[HttpResponse] = None
        self.sent = None

    def _before_send(self, request, **kwargs):
        self.sent = request
        reply = self._reply or HttpResponse(status=200)
        body = reply.body_bytes()
        headers = {name: value for name, value in reply.headers.items()}
        raw = Urllib3Response(
            body=io.BytesIO(body),
            headers=headers,
            status=reply.status,
            preload_content=False,
            request_method=request.method,  # a HEAD response's Content-Length announces no body
        )
        return AWSResponse(request.url, reply.status, headers, raw)

    def request_for(self, operation_name: str, params: dict) -> HttpRequest:
        """What the client sends for `operation_name(**params)`, as the gateway would hand it on."""
        self._reply = None
        try:
            getattr(self.client, xform_name(operation_name))(**params)
        except (ClientError, ET.ParseError):
            pass  # the canned empty 200 does not satisfy every output; the request is what counts
        sent = self.sent
        url = urlsplit(sent.url)
        headers = Headers((_text(k), _text(v)) for k, v in sent.headers.items())
        if "host" not in headers:
            headers.add("host", url.netloc)
        return HttpRequest(
            method=sent.method,
            path=url.path or "/",
            query=url.query,
            headers=headers,
            body=BytesBody(_read_body(sent.body)),
        )

    def call(self, operation_name: str, params: dict, reply: HttpResponse) -> dict:
        """The client's parsed result (or ClientError.response) when the server answers `reply`."""
        self._reply = reply
        try:
            return getattr(self.client, xform_name(operation_name))(**params)
        except ClientError as exc:
            return exc.response
        finally:
            self._reply = None
