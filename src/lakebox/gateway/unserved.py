"""Requests signed for an AWS service lakebox does not run: a clear 501 the caller's SDK can read.

Without this step such a request (SNS's CreateTopic, a KMS key, an SQS queue) would fall through to
S3, the service for requests with no credential scope, and come back as a puzzling S3
`MethodNotAllowed`. Instead it gets `NotImplemented`, naming the service and the operation, in the
error envelope of its protocol family, told apart by the request itself (the full model of a
service lakebox does not load is not at hand):
- `X-Amz-Target` (awsJson): a JSON body with `__type`;
- a form-encoded body or an `Action` query (query and ec2): an XML `ErrorResponse`;
- the signing names of the rest-xml services (S3 Express One Zone's `s3express`, which botocore's
  S3 client uses for ListDirectoryBuckets and CreateSession, CloudFront, Route 53 ...): S3's XML
  `Error` document;
- anything else (rest-json): a JSON body plus the `x-amzn-ErrorType` header.
501 `NotImplemented` is lakebox's convention for what it does not implement (README, "Protocol
conventions").
"""

from __future__ import annotations

import json
from typing import Optional
from xml.sax.saxutils import escape

from ..protocol.http import Headers, HttpRequest, HttpResponse
from . import routing

CODE = "NotImplemented"
STATUS = 501

#: Signing names of rest-xml services: their clients read an XML `Error` document.
REST_XML_SIGNING_NAMES = frozenset({"s3express", "s3-outposts", "s3-object-lambda", "cloudfront", "route53"})


def is_unserved(signing_name: Optional[str]) -> bool:
    """True for a credential scope that names a service lakebox does not run."""
    return bool(signing_name) and routing.service_for_signing_name(signing_name) is None


def response(request: HttpRequest, signing_name: str, request_id: str) -> HttpResponse:
    operation = _operation(request)
    message = (f"lakebox does not serve the AWS service '{signing_name}'"
               f"{f' (operation {operation})' if operation else ''}; the request was not run.")
    target = request.headers.get("x-amz-target")
    if target:
        return _json(message, request_id, "application/x-amz-json-1.1")
    if _is_query(request):
        body = ("<ErrorResponse><Error><Type>Sender</Type>"
                f"<Code>{CODE}</Code><Message>{escape(message)}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        return HttpResponse(status=STATUS, headers=_headers(request_id, "text/xml", body), body=body)
    if signing_name in REST_XML_SIGNING_NAMES:
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{CODE}</Code><Message>{escape(message)}'
                f"</Message><RequestId>{request_id}</RequestId></Error>").encode()
        return HttpResponse(status=STATUS, headers=_headers(request_id, "application/xml", body), body=body)
    reply = _json(message, request_id, "application/json")
    reply.headers["x-amzn-ErrorType"] = CODE
    return reply


def _operation(request: HttpRequest) -> Optional[str]:
    target = request.headers.get("x-amz-target")
    if target and "." in target:
        return target.rsplit(".", 1)[1]
    if _is_query(request):
        return routing.query_form(request).get("Action")
    return None


def _is_query(request: HttpRequest) -> bool:
    content_type = (request.headers.get("content-type") or "").lower()
    return content_type.startswith("application/x-www-form-urlencoded") or "Action=" in request.query


def _json(message: str, request_id: str, content_type: str) -> HttpResponse:
    body = json.dumps({"__type": CODE, "message": message}).encode()
    return HttpResponse(status=STATUS, headers=_headers(request_id, content_type, body), body=body)


def _headers(request_id: str, content_type: str, body: bytes) -> Headers:
    return Headers([("Content-Type", content_type), ("Content-Length", str(len(body))),
                    ("x-amzn-RequestId", request_id), ("x-amz-request-id", request_id)])
