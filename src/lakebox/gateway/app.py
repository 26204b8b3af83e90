"""The ASGI application: turns ASGI messages into an `HttpRequest`, runs the handler chain in a
worker thread, and streams the `HttpResponse` back.

Bodies stream both ways. A request body is pulled from ASGI `receive` on demand by the worker thread
(`AsgiBody`), so a 5 GiB upload goes straight to its temp file; `Expect: 100-continue` is answered
by the server when the body is first read, and not at all when the request fails before that.
Response bodies that are iterators are read chunk by chunk in the thread pool. A body that is an
async iterator (a Kinesis event stream, which mostly waits) runs on the event loop itself, so a
waiting stream holds no thread; such a body is ended cleanly when the server shuts down
(`begin_shutdown`), instead of holding the graceful shutdown open for as long as it would run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

from ..config import Config
from ..protocol.context import RequestContext
from ..protocol.errors import AwsError, internal_error
from ..protocol.http import BodyStream, BytesBody, ClientGone, Headers, HttpRequest
from ..services import build_providers
from ..storage.blocking import WouldBlock, inline_section
from .handlers import build_chain
from .routing import warm_up

log = logging.getLogger("lakebox.request")

#: Bodies up to this size are read before dispatch, and response bodies up to this size are read in
#: the worker thread: both save thread hops on the small-object path that dominates request rates.
#: (A small body with `Expect: 100-continue` is not read early: the client waits for the verdict.)
SMALL_BODY = 1 << 20


def request_timeout() -> AwsError:
    """S3's answer to a client that stops sending its body (AWS waits about 20 s)."""
    return AwsError("RequestTimeout", "Your socket connection to the server was not read from or written to "
                                      "within the timeout period. Idle connections will be closed.", 400)


class AsgiBody(BodyStream):
    """A request body read from ASGI `receive`, called from a worker thread. A wait of more than
    `idle_timeout` seconds for the next bytes is S3's RequestTimeout."""

    def __init__(self, receive, loop: asyncio.AbstractEventLoop, length: Optional[int], idle_timeout: float):
        super().__init__()
        self._receive = receive
        self._loop = loop
        self._buffer = bytearray()
        self._done = False
        self._idle_timeout = idle_timeout
        self.length = length

    def _pull(self) -> None:
        pending = asyncio.run_coroutine_threadsafe(self._receive(), self._loop)
        try:
            message = pending.result(self._idle_timeout)
        except concurrent.futures.TimeoutError:
            pending.cancel()
            raise request_timeout() from None
        if message["type"] == "http.disconnect":
            self._done = True
            raise ClientGone("client disconnected while sending the body")
        self._buffer += message.get("body", b"")
        if not message.get("more_body", False):
            self._done = True

    @property
    def fully_received(self) -> bool:
        return self._done

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            while not self._done:
                self._pull()
            data = bytes(self._buffer)
            self._buffer.clear()
            return data
        while len(self._buffer) < size and not self._done:
            self._pull()
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


class UnsentBody(BodyStream):
    """A body the client stopped sending before the request was handled: reading it is `error`."""

    fully_received = False

    def __init__(self, error: AwsError):
        super().__init__()
        self.error = error

    def read(self, size: int = -1) -> bytes:
        raise self.error


async def _read_small_body(receive, idle_timeout: float) -> bytes:
    chunks = []
    while True:
        try:
            # asyncio.timeout, not wait_for: no extra task per chunk on the small-PUT path.
            async with asyncio.timeout(idle_timeout):
                message = await receive()
        except TimeoutError:
            raise request_timeout() from None
        if message["type"] == "http.disconnect":
            raise ClientGone("client disconnected while sending the body")
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _request(scope, headers: Headers, body: BodyStream) -> HttpRequest:
    raw_path = scope.get("raw_path") or scope["path"].encode()
    return HttpRequest(
        method=scope["method"],
        path=raw_path.decode("latin-1"),
        query=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        body=body,
        scheme=scope.get("scheme", "http"),
        client=(scope.get("client") or (None,))[0],
    )


def _header_bytes(value) -> bytes:
    """A header value on the wire: ISO-8859-1 (one byte a character, as it was read), or UTF-8 for
    a character beyond it. Serializers keep headers in range; this only keeps a slip from
    becoming a failed response."""
    text = str(value)
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _resource(ctx: RequestContext) -> str:
    params = ctx.params or {}
    if "Bucket" in params:
        return params["Bucket"] + ("/" + params["Key"] if params.get("Key") else "")
    for name in ("StreamName", "DeliveryStreamName", "DatabaseName", "Name", "ClusterIdentifier", "logGroupName"):
        if isinstance(params.get(name), str):
            return params[name]
    return ""


class LakeboxApp:
    """The whole server as one ASGI callable."""

    def __init__(self, config: Config):
        self.config = config
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.providers = build_providers(config)
        self.chain = build_chain(config, self.providers)
        warm_up()
        self.executor = ThreadPoolExecutor(max_workers=int(os.environ.get("LAKEBOX_WORKERS", "8")), thread_name_prefix="lakebox-worker")
        self.shutting_down = asyncio.Event()

    def begin_shutdown(self) -> None:
        """End the open async (event-stream) bodies: called on the event loop when shutdown starts."""
        self.shutting_down.set()

    def close(self) -> None:
        for provider in self.providers.values():
            provider.close()
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        await self._http(scope, receive, send)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope, receive, send) -> None:
        loop = asyncio.get_running_loop()
        headers = Headers((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
        length_header = headers.get("content-length")
        length = int(length_header) if length_header and length_header.isdigit() else None
        chunked = "chunked" in (headers.get("transfer-encoding") or "").lower()
        expects_continue = (headers.get("expect") or "").lower() == "100-continue"
        if length == 0 or (length is None and not chunked):
            body: BodyStream = BytesBody(b"")
            if expects_continue:
                # Asking for the (empty) body makes the server send `100 Continue`, which clients
                # like botocore wait for even when there is nothing to send.
                await receive()
        elif length is not None and length <= SMALL_BODY and not expects_continue:
            # A client that asks `Expect: 100-continue` waits to learn whether the request is
            # refused (403, 404) before it sends the body, as S3 answers it: such a body, however
            # small, is read only once the handler chain asks for it.
            try:
                body = BytesBody(await _read_small_body(receive, self.config.body_idle_timeout))
            except AwsError as error:
                body = UnsentBody(error)
            except ClientGone:
                log.info("client went away while sending the body of %s %s", scope["method"], scope["path"])
                return
        else:
            body = AsgiBody(receive, loop, length, self.config.body_idle_timeout)
        request_id = os.urandom(8).hex().upper()  # S3's form: 16 upper-case hex digits
        ctx = RequestContext(request=_request(scope, headers, body), request_id=request_id)
        if scope["method"] in ("GET", "HEAD") and isinstance(body, BytesBody) and body.length == 0:
            # Small reads are answered right here, saving two thread hand-offs; anything that could
            # block (see storage.blocking) raises WouldBlock first and goes to a worker instead.
            try:
                with inline_section():
                    self._handle(ctx)
            except WouldBlock:
                headers = Headers((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
                ctx = RequestContext(request=_request(scope, headers, BytesBody(b"")), request_id=request_id)
                await loop.run_in_executor(self.executor, self._handle, ctx)
        else:
            await loop.run_in_executor(self.executor, self._handle, ctx)
        if not body.fully_received:
            # The request failed before its body was read (often before `100 Continue` was sent).
            # Whatever the client still sends must not be parsed as the next request: close.
            ctx.response.headers["Connection"] = "close"
        await self._send_response(ctx, send, loop, receive)
        self._log(ctx)

    def _handle(self, ctx: RequestContext) -> None:
        """The handler chain, then (still in the worker) the body of a small streamed response."""
        self.chain.handle(ctx)
        body = ctx.response.body
        length = getattr(body, "length", None)
        if not isinstance(body, (bytes, bytearray)) and length is not None and length <= SMALL_BODY:
            try:
                ctx.response.body = b"".join(body)
            except Exception as exc:  # noqa: BLE001 - rendered like any failure inside the chain
                log.exception("reading the response body failed (request id %s)", ctx.request_id)
                ctx.error = exc
                ctx.response = self.chain.render_error(ctx, internal_error(ctx.request_id))
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()

    async def _send_response(self, ctx: RequestContext, send, loop, receive=None) -> None:
        response = ctx.response
        raw_headers = [(k.encode("latin-1"), _header_bytes(v)) for k, v in response.headers.items()]
        body = response.body
        if isinstance(body, (bytes, bytearray)):
            # RFC 9110: no Content-Length on 204; on 304 it would describe the object, not this reply.
            if response.status not in (204, 304) and not any(k.lower() == b"content-length" for k, _ in raw_headers):
                raw_headers.append((b"content-length", str(len(body)).encode()))
            await send({"type": "http.response.start", "status": response.status, "headers": raw_headers})
            await send({"type": "http.response.body", "body": bytes(body)})
            return
        await send({"type": "http.response.start", "status": response.status, "headers": raw_headers})
        if hasattr(body, "__aiter__"):
            await self._send_async_body(body, send, receive)
            return
        if getattr(body, "in_memory", False):
            # Chunks of a body already in memory: no thread needed; each send waits for the
            # socket to drain, so a chunk's memory is free again before the next is joined.
            for chunk in body:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        iterator = iter(body)
        # A client that hangs up ends a streamed body (uvicorn drops what is sent after that
        # silently): a long event stream or a large download stops instead of running to its end.
        watcher = asyncio.ensure_future(_wait_for_disconnect(receive)) if receive is not None else None
        # One chunk is read ahead: a worker reads the next chunk while this one is being sent, so
        # the disk and the socket overlap (a 256 MiB GET is 256 such steps). Only one read is ever
        # in flight, so the iterator is never used by two threads at once.
        ahead = loop.run_in_executor(self.executor, next, iterator, None)
        try:
            while watcher is None or not watcher.done():
                chunk = await ahead
                if chunk is None:
                    break
                ahead = loop.run_in_executor(self.executor, next, iterator, None)
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            if watcher is not None:
                watcher.cancel()
            if not ahead.done():
                # The body is closed only once the read that is still running has returned.
                await asyncio.gather(ahead, return_exceptions=True)
            close = getattr(body, "close", None)
            if close is not None:
                close()

    async def _send_async_body(self, body, send, receive) -> None:
        """Send an async body until it ends, the client hangs up or the server shuts down; the last
        two end it between chunks, with a well-formed end of the HTTP body."""
        iterator = body.__aiter__()
        stops = [asyncio.ensure_future(self.shutting_down.wait())]
        if receive is not None:
            stops.append(asyncio.ensure_future(_wait_for_disconnect(receive)))
        try:
            while True:
                step = asyncio.ensure_future(iterator.__anext__())
                await asyncio.wait([step, *stops], return_when=asyncio.FIRST_COMPLETED)
                if not step.done():
                    step.cancel()
                    await asyncio.gather(step, return_exceptions=True)
                    break
                try:
                    chunk = step.result()
                except StopAsyncIteration:
                    break
                except Exception:  # noqa: BLE001 - the status line is sent: end the body, log why
                    log.exception("a streamed response failed")
                    break
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            for stop in stops:
                stop.cancel()
            aclose = getattr(body, "aclose", None)
            if aclose is not None:
                await aclose()

    def _log(self, ctx: RequestContext) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        ms = (time.perf_counter() - ctx.started) * 1000
        status = ctx.response.status if ctx.response is not None else 0
        error = getattr(ctx.error, "code", "") if ctx.error is not None else ""
        operation = ctx.operation_name
        if ctx.operation is None:
            operation = f"{ctx.request.method} {ctx.request.path[:200]}"
        log.info(
            "%s %s %s %.1fms %s%s",
            ctx.service or "-",
            operation,
            status,
            ms,
            _resource(ctx),
            f" {error}" if error else "",
        )


async def _wait_for_disconnect(receive) -> None:
    """Return once the client has gone (any request body still unread is drained meanwhile)."""
    while (await receive())["type"] != "http.disconnect":
        pass
