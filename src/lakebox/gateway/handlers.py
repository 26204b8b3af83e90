"""The handler chain: small steps, in the order a request needs them.

Each handler takes the `RequestContext` and either fills in more of it or sets `ctx.response` to end
the chain early. A new concern is a new handler, not an `if` inside an existing one.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Callable, Iterable, Optional

from .. import auth
from ..config import Config
from ..protocol.context import RequestContext
from ..protocol.http import ClientGone
from ..auth import json_errors
from ..auth.errors import incomplete_body
from ..protocol.errors import AwsError, internal_error
from ..protocol.parsers import create_parser
from ..protocol.serializers import create_serializer
from ..protocol.serializers.rest_xml import close_body
from ..protocol.specs import load_service_model
from ..protocol.validation import validate_input
from ..services.base import Provider
from ..storage.blocking import WouldBlock, check_may_block, in_inline_section
from . import cbor, cors, internal, json_front_end, routing, unserved, website

log = logging.getLogger("lakebox.gateway")

Handler = Callable[[RequestContext], None]


class RouteService:
    """Pick the target service and region; rewrite S3 virtual-host requests to path style."""

    def __call__(self, ctx: RequestContext) -> None:
        request = ctx.request
        try:
            info = auth.parse_auth(request)
        except AwsError as error:
            if request.method == "OPTIONS":
                # S3 answers a CORS preflight without authenticating it: whatever the URL claims
                # about its signature, the preflight is judged by the bucket's CORS rules alone.
                info = auth.AuthInfo()
            else:
                # Malformed auth still deserves the target service's error envelope, and an S3 error
                # its bucket (path style), so that the bucket's CORS rules still apply to the answer.
                self._set_service(ctx, self._pick(request, None))
                self._path_style(ctx)
                if ctx.service_model.protocol == "json":
                    raise json_errors.for_request(request, error) from None
                raise
        ctx.auth = info
        if unserved.is_unserved(info.service) and routing.service_for_target(request.headers.get("x-amz-target")) is None:
            ctx.service = info.service
            ctx.response = unserved.response(request, info.service, ctx.request_id)
            return
        self._set_service(ctx, self._pick(request, routing.service_for_signing_name(info.service)))
        if getattr(info, "region", None):
            ctx.region = info.region
        self._path_style(ctx)

    @staticmethod
    def _path_style(ctx: RequestContext) -> None:
        """Rewrite an S3 virtual-host request (`bucket.localhost:4566/key`) to path style."""
        if ctx.service != "s3":
            return
        bucket = routing.virtual_host_bucket(ctx.request.host)
        if bucket:
            ctx.virtual_bucket = bucket
            routing.to_path_style(ctx.request, bucket)

    @staticmethod
    def _pick(request, scoped: Optional[str]) -> str:
        return (
            routing.service_for_target(request.headers.get("x-amz-target"))
            or routing.service_for_action(request, scoped)
            or scoped
            or "s3"
        )

    @staticmethod
    def _set_service(ctx: RequestContext, service: str) -> None:
        ctx.service = service
        ctx.service_model = load_service_model(service)
        if ctx.service_model.protocol != "rest-xml":
            # S3's request ids are 16 hex digits (the gateway's default); the json and query
            # services answer a UUID, in x-amzn-RequestId and the body's RequestId.
            ctx.request_id = str(uuid.uuid4())


class Authenticate:
    """Map the access key to its account and check what the mode asks for, on the wall clock.

    - A configured key's signature is always checked (both modes): a key with a known secret that
      signs wrongly is a broken client, not an anonymous one.
    - Temporary credentials issued by STS act as their account; their signature is checked in
      both modes, their session token and expiry in strict mode.
    - Access keys IAM issued (CreateAccessKey) act as their user's account; their signature is
      checked in both modes, and an Inactive key is refused.
    - Strict mode refuses unknown keys; open mode maps them to the default account unchecked.
    - An expired presigned URL is refused in every mode: its expiry is part of the URL.
    - Unsigned S3 requests go on to the provider, which allows them only where an ACL makes them
      public (a browser-form upload carries its own signed policy, checked by the provider).
      Unsigned requests to the other services are refused in strict mode, except for the
      operations the model marks unsigned (AssumeRoleWithWebIdentity).
    """

    def __init__(self, config: Config):
        self.config = config

    def __call__(self, ctx: RequestContext) -> None:
        info = ctx.auth
        ctx.access_key = getattr(info, "access_key", None)
        ctx.account_id = self.config.account_for(ctx.access_key)
        secret: Optional[str] = None
        try:
            secret = self._check(ctx)
        except AwsError as error:
            raise _auth_error_for_protocol(error, ctx.service_model.protocol) from None
        ctx.request.body = auth.decode_body(ctx.request, info, secret)
        encoding = ctx.request.headers.get("content-encoding")
        if encoding is not None and "aws-chunked" in encoding.lower():
            stored = auth.stored_content_encoding(encoding)
            if stored:
                ctx.request.headers["content-encoding"] = stored
            else:
                ctx.request.headers.pop("content-encoding")

    def _check(self, ctx: RequestContext) -> Optional[str]:
        """Verify what must be verified; the secret key when the signature was checked."""
        info = ctx.auth
        strict = self.config.auth == "strict"
        now = dt.datetime.now(dt.timezone.utc)
        if info.kind == "anonymous":
            if strict and ctx.service != "s3" and not _unsigned_operation(ctx):
                raise AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
            return None
        cred = self.config.credentials.get(info.access_key or "")
        if cred is not None:
            auth.verify_signature(ctx.request, info, cred.secret_key, now)
            return cred.secret_key
        session = self.config.sessions.get(info.access_key)
        if session is not None:
            # Temporary credentials from STS: their token and expiry count in strict mode only, and
            # the expiry is on the service clock that wrote their Expiration.
            if strict:
                auth.check_session_token(info, session, self.config.clock.now())
            auth.verify_signature(ctx.request, info, session.secret_key, now)
            return session.secret_key
        issued = self.config.issued_keys(info.access_key) if self.config.issued_keys and info.access_key else None
        if issued is not None:
            # A key IAM issued: its signature is checked in both modes, and a deactivated key is
            # refused as AWS refuses it.
            if not issued.active:
                raise auth.invalid_access_key_id(info.access_key)
            auth.verify_signature(ctx.request, info, issued.secret_key, now)
            issued.note_use(info.service or ctx.service, ctx.region)
            return issued.secret_key
        if strict:
            raise auth.invalid_access_key_id(info.access_key)
        auth.check_expiry(info, now)
        return None


def _unsigned_operation(ctx: RequestContext) -> bool:
    """Whether a query-protocol request names an operation its model calls unsigned (STS's
    AssumeRoleWithWebIdentity and AssumeRoleWithSAML, which carry their own proof of identity)."""
    if ctx.service_model is None or ctx.service_model.protocol != "query":
        return False
    action = routing.query_form(ctx.request).get("Action") or ""
    if action not in ctx.service_model.operation_names:
        return False
    return ctx.service_model.operation_model(action).auth_type == "none"


#: S3's auth error codes as the json and query services spell them (S3 keeps its own).
_AUTH_ERRORS = {
    "json": {
        "InvalidAccessKeyId": ("UnrecognizedClientException", 400,
                               "The security token included in the request is invalid."),
        "SignatureDoesNotMatch": ("InvalidSignatureException", 400, None),
        "RequestTimeTooSkewed": ("InvalidSignatureException", 400, "Signature expired: the request time is "
                                 "more than 15 minutes from the current time."),
        "InvalidToken": ("UnrecognizedClientException", 400, "The security token included in the request is invalid."),
        "ExpiredToken": ("ExpiredTokenException", 400, "The security token included in the request is expired"),
    },
    "query": {
        "InvalidAccessKeyId": ("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
        "InvalidToken": ("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
        "ExpiredToken": ("ExpiredToken", 403, "The security token included in the request is expired"),
        "RequestTimeTooSkewed": ("SignatureDoesNotMatch", 403, "Signature expired: the request time is "
                                 "more than 15 minutes from the current time."),
    },
}


def _auth_error_for_protocol(error: AwsError, protocol: str) -> AwsError:
    mapped = _AUTH_ERRORS.get(protocol, {}).get(error.code)
    if mapped is None:
        return error
    code, status, message = mapped
    return AwsError(code, message or error.message, status)


class ParseRequest:
    """Find the operation and read its input, validated against the model.

    When the input is bad, a caller who may not run the operation at all gets AccessDenied rather
    than a description of its mistake, as on AWS: the provider's `check_access` (if it has one)
    runs first on what the URI alone says, then its `check_target` (a missing bucket, say).
    """

    def __init__(self, providers: dict[str, Provider]):
        self.providers = providers

    def __call__(self, ctx: RequestContext) -> None:
        parser = create_parser(ctx.service_model)
        operation, uri_params = parser.find_operation(ctx.request)
        ctx.operation = operation
        try:
            ctx.params = parser.parse(ctx.request, operation, uri_params)
            validate_input(ctx.params, operation, ctx.service)
        except AwsError:
            # What the provider checks before the input is read wins over the input's faults:
            # access first, then that the target exists (each optional).
            provider = self.providers.get(ctx.service or "")
            for step in ("check_access", "check_target"):
                check = getattr(provider, step, None)
                if check is not None:
                    check(ctx, dict(uri_params))
            raise


#: Reads cheap enough to answer on the event loop (see `LakeboxApp`): a metadata look-up and at most
#: a small file read. Anything else met inline is handed to a worker.
INLINE_OPERATIONS = frozenset({"GetObject", "HeadObject", "HeadBucket", "GetObjectTagging", "GetBucketLocation"})


class Dispatch:
    """Call the provider's method for the operation (501 NotImplemented when it has none)."""

    def __init__(self, providers: dict[str, Provider]):
        self.providers = providers

    def __call__(self, ctx: RequestContext) -> None:
        if in_inline_section() and ctx.operation_name not in INLINE_OPERATIONS:
            check_may_block()
        provider = self.providers.get(ctx.service or "")
        if provider is None:
            from ..protocol.errors import not_implemented

            raise not_implemented(ctx.operation_name)
        result = provider.dispatch(ctx, ctx.params or {})
        serializer = create_serializer(ctx.service_model)
        ctx.response = serializer.serialize_response(ctx.operation, result, ctx.request_id)


class HandlerChain:
    """Runs the handlers in order until one sets the response, then the response handlers on that
    response, whether a result or a rendered error; renders errors with the target service's serializer."""

    def __init__(self, handlers: Iterable[Handler], response_handlers: Iterable[Handler] = ()):
        self.handlers = list(handlers)
        self.response_handlers = list(response_handlers)

    def handle(self, ctx: RequestContext) -> RequestContext:
        self._run(ctx, self._request_phase)
        if self.response_handlers:
            self._run(ctx, self._response_phase)
        return ctx

    def _request_phase(self, ctx: RequestContext) -> None:
        for handler in self.handlers:
            handler(ctx)
            if ctx.response is not None:
                break

    def _response_phase(self, ctx: RequestContext) -> None:
        for handler in self.response_handlers:
            handler(ctx)

    def _run(self, ctx: RequestContext, phase: Handler) -> None:
        try:
            phase(ctx)
        except WouldBlock:
            raise  # the gateway runs the request again on a worker thread
        except AwsError as error:
            ctx.error = error
            self._replace_response(ctx, self.render_error(ctx, error))
        except ClientGone as gone:
            # Nobody is left to answer; the request log line says what happened.
            ctx.error = gone
            log.info("client went away while sending the body of %s %s (request id %s)",
                     ctx.service, ctx.operation_name, ctx.request_id)
            self._replace_response(ctx, self.render_error(ctx, incomplete_body()))
        except Exception as exc:  # noqa: BLE001 - the client must never see a stack trace
            ctx.error = exc
            log.exception("internal error in %s %s (request id %s)", ctx.service, ctx.operation_name, ctx.request_id)
            self._replace_response(ctx, self.render_error(ctx, internal_error(ctx.request_id)))

    @staticmethod
    def _replace_response(ctx: RequestContext, response) -> None:
        # A response step that fails replaces a response whose streamed body must be released.
        if ctx.response is not None:
            close_body(ctx.response.body)
        ctx.response = response

    @staticmethod
    def render_error(ctx: RequestContext, error: AwsError):
        model = ctx.service_model or load_service_model("s3")
        try:
            return create_serializer(model).serialize_error(error, ctx.operation, ctx.request_id)
        except Exception:  # noqa: BLE001 - last resort, still no stack trace to the client
            log.exception("could not render %r (request id %s)", error, ctx.request_id)
            return internal.plain_error(500, "InternalError", ctx.request_id)


def build_chain(config: Config, providers: dict[str, Provider]) -> HandlerChain:
    return HandlerChain(
        [
            internal.InternalRoutes(config, providers),
            website.StaticWebsite(providers),  # unsigned, HTML: before any S3 REST step
            RouteService(),
            json_front_end.JsonFrontEnd(),  # CORS and method checks of the json services' front end
            cors.Preflight(providers),  # unsigned by nature, so before Authenticate
            Authenticate(config),
            ParseRequest(providers),
            Dispatch(providers),
        ],
        response_handlers=[cors.CorsHeaders(providers), cbor.CborResponses()],
    )
