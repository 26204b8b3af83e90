"""Test plumbing between botocore (the oracle) and lakebox's json/query parsers and serializers.

botocore serializes requests into plain dicts and parses responses from plain dicts; these helpers
turn those into lakebox's `HttpRequest`/`HttpResponse` and back, and can wire a real botocore client
to lakebox in-process (no sockets) through the client's `before-send` event.
"""

from __future__ import annotations

from typing import Callable, Optional
from urllib.parse import urlencode, urlsplit

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.config import Config

from lakebox.protocol.errors import AwsError
from lakebox.protocol.http import BytesBody, Headers, HttpRequest, HttpResponse
from lakebox.protocol.parsers.json import JSONRequestParser
from lakebox.protocol.parsers.query import QueryRequestParser
from lakebox.protocol.serializers.json import JSONResponseSerializer
from lakebox.protocol.serializers.query import QueryResponseSerializer
from lakebox.protocol.specs import load_service_model

#: The services whose protocols (json and query) these tests cover.
SERVICES = ("sts", "glue", "athena", "kinesis", "firehose", "emr", "redshift", "redshift-data", "redshift-serverless",
            "logs")

PARSERS = {"json": JSONRequestParser, "query": QueryRequestParser}
SERIALIZERS = {"json": JSONResponseSerializer, "query": QueryResponseSerializer}


def parser_for(service: str):
    model = load_service_model(service)
    return PARSERS[model.protocol](model)


def serializer_for(service: str):
    model = load_service_model(service)
    return SERIALIZERS[model.protocol](model)


def operation_cases(services=SERVICES) -> list:
    """One pytest param per operation, with the id "service:Operation"."""
    cases = []
    for service in services:
        for name in load_service_model(service).operation_names:
            cases.append(pytest.param(service, name, id=f"{service}:{name}"))
    return cases


def error_shape_cases(services=SERVICES) -> list:
    cases = []
    for service in services:
        for shape in load_service_model(service).error_shapes:
            cases.append(pytest.param(service, shape.name, id=f"{service}:{shape.name}"))
    return cases


def http_request_from_botocore(serialized: dict) -> HttpRequest:
    """An HttpRequest from `Serializer.serialize_to_request` output, encoded as botocore sends it."""
    body = serialized["body"]
    if isinstance(body, dict):  # the query serializer leaves form encoding to the HTTP layer
        body = urlencode(body, doseq=True)
    if isinstance(body, str):
        body = body.encode("utf-8")
    query = serialized.get("query_string") or ""
    if isinstance(query, dict):
        query = urlencode(query, doseq=True)
    return HttpRequest(
        method=serialized["method"],
        path=serialized["url_path"],
        query=query,
        headers=Headers(list(serialized["headers"].items())),
        body=BytesBody(body or b""),
    )


def botocore_response(response: HttpResponse) -> dict:
    """The response dict botocore's parsers read (headers case-insensitive, as urllib3 gives them)."""
    return {
        "status_code": response.status,
        "headers": HeadersDict(response.headers.items()),
        "body": response.body_bytes(),
    }


class _RawBody:
    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **kwargs):
        yield self._data


Handler = Callable[[str, dict], Optional[dict]]


def lakebox_client(service: str, handler: Handler):
    """A real botocore client whose requests are parsed by lakebox and answered by `handler`.

    `handler(operation_name, params)` returns the result dict or raises AwsError; lakebox's
    serializer renders either, and the client parses it exactly as it would parse AWS.
    """
    session = botocore.session.get_session()
    client = session.create_client(
        service,
        region_name="us-east-1",
        endpoint_url="http://lakebox.test",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    parser = parser_for(service)
    serializer = serializer_for(service)

    def send(request, **kwargs):
        url = urlsplit(request.url)
        body = request.body or b""
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode("utf-8")
        http_request = HttpRequest(
            method=request.method,
            path=url.path or "/",
            query=url.query,
            headers=Headers([(k, v if isinstance(v, str) else v.decode()) for k, v in request.headers.items()]),
            body=BytesBody(body),
        )
        operation = None
        try:
            operation, uri_params = parser.find_operation(http_request)
            params = parser.parse(http_request, operation, uri_params)
            response = serializer.serialize_response(operation, handler(operation.name, params) or {}, "req-test")
        except AwsError as error:
            response = serializer.serialize_error(error, operation, "req-test")
        return AWSResponse(request.url, response.status, dict(response.headers.items()), _RawBody(response.body_bytes()))

    client.meta.events.register("before-send", send)
    return client
