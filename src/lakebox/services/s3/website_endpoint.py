"""A bucket's static website: what S3's website endpoint (`bucket.s3-website-<region>.<domain>`)
answers, from the website configuration that PutBucketWebsite stored.

Why it reads objects through the provider's own GetObject: a website is read by anonymous
browsers, so each object is served exactly as an unsigned GetObject of it would be, through the
same access check (an object must be public, by its ACL or the bucket policy, or the site answers
403), the same conditional and range handling, and the same headers. What differs is around it,
as S3 documents for website endpoints:
- only GET and HEAD are allowed (405 otherwise), and no request is authenticated; the bucket's
  CORS rules apply, to preflights too, as on the REST endpoint;
- errors are HTML pages, not XML, and carry `x-amz-error-*` headers;
- a folder (`/`, `/docs/`) is served by its index document, and `/docs` is redirected (302) to
  `/docs/` when only `docs/<index document>` exists;
- an object stored with `x-amz-website-redirect-location` is a redirect (301) to that place;
- the redirects of website_routing.py: RedirectAllRequestsTo and the routing rules;
- a 403 or 404 is answered with the error document, if one is configured, under the error's own
  status code (S3 documents it for the 4xx errors a page read can meet; a 405 never gets it); when
  that document cannot be read either, the HTML page says both.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Optional
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

from ...auth import AuthInfo
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...protocol.http import BytesBody, Headers, HttpRequest, HttpResponse
from ...protocol.parsers import create_parser
from ...protocol.serializers import create_serializer
from ...protocol.serializers.rest_xml import close_body, host_id
from ...protocol.serializers.s3 import SERVER
from ...protocol.specs import load_service_model
from . import website_routing as routing
from .errors import no_such_bucket, s3_error
from .website import WEBSITE

log = logging.getLogger("lakebox.s3.website")

#: The request headers a website GET passes on to the object read; anything else (authorization,
#: query parameters such as versionId) plays no part on a website endpoint.
_READ_HEADERS = ("if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "range")
_ALLOWED_METHODS = ("GET", "HEAD")
_ERROR_DOCUMENT_HEADING = "An Error Occurred While Attempting to Retrieve a Custom Error Document"


def website_key(path: str) -> str:
    """The object key a website request's path names: the path without its leading `/`, decoded."""
    raw = path[1:] if path.startswith("/") else path
    return unquote(raw, encoding="utf-8", errors="replace")


class WebsiteEndpoint:
    """Serves the website requests of one S3 provider (it needs `dispatch` and `stored_config`)."""

    def __init__(self, provider):
        self.provider = provider
        self.model = load_service_model("s3")

    def serve(self, ctx: RequestContext, bucket: Optional[str]) -> HttpResponse:
        request = ctx.request
        key = website_key(request.path)
        ctx.params = {"Bucket": bucket or "", "Key": key}
        try:
            config = self._config(bucket)
            if request.method == "OPTIONS" and "origin" in request.headers:
                return self._preflight(ctx, bucket, key)
            if request.method not in _ALLOWED_METHODS:
                raise s3_error("MethodNotAllowed", "The specified method is not allowed against this resource.",
                               Method=request.method, ResourceType="OBJECT")
            everything = routing.redirect_all(config, request.scheme, request.path)
            if everything is not None:
                return self._redirect(ctx, everything)
            ruled = routing.rule_redirect(config, key, request.scheme, request.host)
            response = self._redirect(ctx, ruled) if ruled is not None else self._page(ctx, config, bucket, key)
        except AwsError as error:
            response = self._error_page(ctx, error)
        if bucket and "origin" in request.headers:
            for name, value in self.provider.cors_headers_for(self._rest_view(ctx, bucket, key)).items():
                response.headers[name] = value
        return response

    def _preflight(self, ctx: RequestContext, bucket: str, key: str) -> HttpResponse:
        """A browser's CORS preflight, judged by the bucket's CORS rules as on the REST endpoint."""
        headers = _headers(ctx.request_id)
        for name, value in self.provider.preflight(self._rest_view(ctx, bucket, key)).items():
            headers[name] = value
        headers["Content-Length"] = "0"
        return HttpResponse(200, headers, b"")

    @staticmethod
    def _rest_view(ctx: RequestContext, bucket: str, key: str) -> RequestContext:
        """The request as the REST endpoint would see it (path style), for the bucket's CORS rules."""
        request = HttpRequest(method=ctx.request.method, path=f"/{quote(bucket, safe='')}/{quote(key, safe='/~')}",
                              headers=ctx.request.headers, scheme=ctx.request.scheme, client=ctx.request.client)
        return RequestContext(request=request, request_id=ctx.request_id, service="s3")

    def _config(self, bucket: Optional[str]) -> dict:
        if not bucket:
            raise no_such_bucket("")
        _, config = self.provider.stored_config({"Bucket": bucket}, WEBSITE)
        if config is None:
            raise s3_error("NoSuchWebsiteConfiguration", BucketName=bucket)
        return config

    def _page(self, ctx: RequestContext, config: dict, bucket: str, key: str) -> HttpResponse:
        """The object the key names (or its folder's index document), or what S3 answers instead."""
        request = ctx.request
        try:
            return self._object(ctx, bucket, routing.index_key(key, config), request.headers)
        except AwsError as error:
            if error.status not in (403, 404):
                raise
            if key and not key.endswith("/") and self._exists(ctx, bucket, routing.index_key(key + "/", config)):
                return self._redirect(ctx, routing.folder_redirect(key))
            ruled = routing.rule_redirect(config, key, request.scheme, request.host, error.status)
            if ruled is not None:
                return self._redirect(ctx, ruled)
            document = (config.get("ErrorDocument") or {}).get("Key")
            if document is None:
                raise
            try:
                page = self._object(ctx, bucket, document, Headers())
            except AwsError as document_error:
                return self._error_page(ctx, error, document_error)
            if page.status == 200:
                page.status = error.status
            return page

    def _exists(self, ctx: RequestContext, bucket: str, key: str) -> bool:
        try:
            close_body(self._read(ctx, bucket, key, Headers(), "HeadObject")[1].body)
        except AwsError:
            return False
        return True

    def _object(self, ctx: RequestContext, bucket: str, key: str, headers: Headers) -> HttpResponse:
        """An anonymous GetObject (HeadObject for HEAD) of `key`; a redirect if the object is one."""
        operation = "HeadObject" if ctx.request.method == "HEAD" else "GetObject"
        result, response = self._read(ctx, bucket, key, headers, operation)
        location = result.get("WebsiteRedirectLocation")
        if location and response.status in (200, 206):
            close_body(response.body)
            return self._redirect(ctx, routing.Redirect(location, routing.DEFAULT_REDIRECT_CODE))
        return response

    def _read(self, ctx: RequestContext, bucket: str, key: str, headers: Headers,
              operation_name: str) -> tuple[dict, HttpResponse]:
        model = self.model
        operation = model.operation_model(operation_name)
        request = HttpRequest(
            method="HEAD" if operation_name == "HeadObject" else "GET",
            path=f"/{quote(bucket, safe='')}/{quote(key, safe='/~')}",
            headers=Headers((name, headers[name]) for name in _READ_HEADERS if name in headers),
            body=BytesBody(b""), scheme=ctx.request.scheme, client=ctx.request.client,
        )
        inner = RequestContext(request=request, request_id=ctx.request_id, service="s3", service_model=model,
                               operation=operation, region=ctx.region, auth=AuthInfo())
        inner.params = create_parser(model).parse(request, operation, {"Bucket": bucket, "Key": key})
        result = self.provider.dispatch(inner, inner.params)
        return result, create_serializer(model).serialize_response(operation, result, ctx.request_id)

    def _redirect(self, ctx: RequestContext, redirect: routing.Redirect) -> HttpResponse:
        headers = _headers(ctx.request_id)
        headers["Location"] = redirect.location
        headers["Content-Length"] = "0"
        return HttpResponse(redirect.status, headers, b"")

    def _error_page(self, ctx: RequestContext, error: AwsError,
                    document_error: Optional[AwsError] = None) -> HttpResponse:
        body = error_page(error, ctx.request_id, document_error)
        headers = _headers(ctx.request_id)
        headers["Content-Type"] = "text/html; charset=utf-8"
        headers["x-amz-error-code"] = error.code
        headers["x-amz-error-message"] = error.message
        for name, value in _detail_fields(error):
            headers[f"x-amz-error-detail-{name}"] = _latin1(value)
        for name, value in error.headers.items():
            headers[name] = value
        headers["Content-Length"] = str(len(body))
        return HttpResponse(error.status, headers, b"" if ctx.request.method == "HEAD" else body)


def error_page(error: AwsError, request_id: str, document_error: Optional[AwsError] = None) -> bytes:
    """S3's HTML error page for a website request, line by line as S3 writes it."""
    title = f"{error.status} {_reason(error.status)}"
    lines = ["<html>", f"<head><title>{title}</title></head>", "<body>", f"<h1>{title}</h1>", "<ul>",
             f"<li>Code: {escape(error.code)}</li>", f"<li>Message: {escape(error.message)}</li>"]
    lines += [f"<li>{escape(name)}: {escape(value)}</li>" for name, value in _detail_fields(error)]
    lines += [f"<li>RequestId: {request_id}</li>", f"<li>HostId: {host_id(request_id)}</li>", "</ul>"]
    if document_error is not None:
        lines += [f"<h3>{_ERROR_DOCUMENT_HEADING}</h3>", "<ul>", f"<li>Code: {escape(document_error.code)}</li>",
                  f"<li>Message: {escape(document_error.message)}</li>"]
        lines += [f"<li>{escape(name)}: {escape(value)}</li>" for name, value in _detail_fields(document_error)]
        lines.append("</ul>")
    lines += ["<hr/>", "</body>", "</html>", ""]
    return "\n".join(lines).encode("utf-8")


def _detail_fields(error: AwsError) -> list[tuple[str, str]]:
    return [(name, str(value)) for name, value in error.fields.items()
            if value is not None and name not in ("RequestId", "HostId")]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _headers(request_id: str) -> Headers:
    headers = Headers()
    headers["x-amz-request-id"] = request_id
    headers["x-amz-id-2"] = host_id(request_id)
    headers["Server"] = SERVER
    return headers
