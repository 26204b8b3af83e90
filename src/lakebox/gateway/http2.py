"""HTTP/2 over cleartext (h2c, prior knowledge): each stream is one ASGI request to the same app.

Why: AWS endpoints speak HTTP/2, and some SDKs use nothing else for some services. The JavaScript
SDK v3 sends every Kinesis call over HTTP/2, and the Java SDK's async Kinesis client (and so the
KCL) does the same for SubscribeToShard. Against `http://` endpoints they open the connection with
the HTTP/2 preface ("prior knowledge"), with no HTTP/1.1 upgrade to fall back from.

The framing, HPACK and flow-control state machine is the `h2` library's; this module only moves
bytes between it and the transport, and turns streams into ASGI scopes and messages:
- a request body is handed to the app chunk by chunk, and each chunk's flow-control credit is
  given back only when the app has taken it, so a slow consumer slows the client down;
- a response body is sent as the peer's flow-control windows allow, and waits when they are full
  or when the transport's write buffer is (the server protocol's pause/resume_writing);
- once a request is complete, `receive()` waits for the stream's end and then answers
  `http.disconnect`, as uvicorn does for HTTP/1.1: a streamed response (SubscribeToShard) stops
  when the client resets its stream or drops the connection.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections import deque
from email.utils import formatdate
from typing import Optional
from urllib.parse import unquote

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

log = logging.getLogger("lakebox.gateway")

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

#: Streams a client may have open at once on one connection (RFC 9113 suggests at least 100).
MAX_CONCURRENT_STREAMS = 128
#: Request-body bytes a client may send ahead of the app, per stream and per connection; larger
#: than the protocol's 64 KiB default so that an upload does not stall on every window update.
STREAM_WINDOW = 1 << 20
CONNECTION_WINDOW = 16 << 20

#: How long a finished connection stays open for the client's last frames before it is closed.
LINGER_SECONDS = 1.0

#: The GOAWAY frame type (RFC 9113 section 6.8).
_GOAWAY = 0x7

#: Headers that describe an HTTP/1.1 connection, which HTTP/2 forbids in a message (RFC 9113 8.2.2).
_CONNECTION_HEADERS = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade"})


class _Stream:
    """One request and its response, as the ASGI app sees them."""

    __slots__ = ("id", "chunks", "body_ended", "body_done", "closed", "response_done", "wake", "window")

    def __init__(self, stream_id: int):
        self.id = stream_id
        #: Request body chunks not yet taken by the app, with their flow-controlled lengths.
        self.chunks: deque[tuple[bytes, int]] = deque()
        self.body_ended = False  # the client ended its side of the stream
        self.body_done = False  # the app was told there is no more body
        self.closed = False  # reset by either side, or the connection is gone
        self.response_done = False
        self.wake = asyncio.Event()  # something for receive() to look at
        self.window = asyncio.Event()  # send windows may have grown

    def poke(self) -> None:
        self.wake.set()
        self.window.set()


class Http2Session:
    """The HTTP/2 side of one server connection; the protocol object feeds it and flushes for it."""

    def __init__(self, *, app, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop, tasks: set,
                 server: Optional[tuple], client: Optional[tuple], scheme: str, root_path: str = "",
                 idle_timeout: float = 30.0):
        self.app = app
        self.transport = transport
        self.loop = loop
        self.tasks = tasks
        self.server, self.client, self.scheme, self.root_path = server, client, scheme, root_path
        self.streams: dict[int, _Stream] = {}
        self.closing = False
        self.can_write = asyncio.Event()
        self.can_write.set()
        self._inbox = bytearray()
        self._preface_pending = True
        self._ended = False
        #: A connection with no open stream for this long is ended (GOAWAY), as HTTP/1.1 keep-alive
        #: connections are: idle clients hold no socket for ever.
        self.idle_timeout = idle_timeout
        self._idle_timer: Optional[asyncio.TimerHandle] = None
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding=None))
        self.conn.local_settings = h2.settings.Settings(client=False, initial_values={
            h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: MAX_CONCURRENT_STREAMS,
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: STREAM_WINDOW,
        })
        self.conn.initiate_connection()
        self.conn.increment_flow_control_window(CONNECTION_WINDOW - self.conn.inbound_flow_control_window)
        self.flush()
        self._arm_idle_timer()

    def _arm_idle_timer(self) -> None:
        self._idle_timer = self.loop.call_later(self.idle_timeout, self._idle)

    def _idle(self) -> None:
        self._idle_timer = None
        if not self.streams:
            self.shutdown()

    # -- from the transport

    def data_received(self, data: bytes) -> None:
        if self._ended:
            return  # the connection is closing: what the client still sends is read and dropped
        self._inbox += data
        frames, goaway_codes = self._take_frames()
        if frames:
            try:
                events = self.conn.receive_data(frames)
            except h2.exceptions.ProtocolError as exc:
                # h2 has queued the GOAWAY the error calls for; send it and end the connection.
                log.info("HTTP/2 protocol error from %s: %s", self.client, exc)
                self.flush()
                self._close_all()
                self.transport.close()
                return
            for event in events:
                self._handle(event)
            self.flush()
        for code in goaway_codes:  # after the requests that came before it have started
            self._peer_goaway(code)

    def _take_frames(self) -> tuple[bytes, list[int]]:
        """The complete frames received so far for h2, and the error codes of the client's GOAWAY
        frames among them, which are handled here.

        Why: `h2` treats a received GOAWAY as the end of the connection, and drops what it has not
        sent yet. For HTTP/2 a GOAWAY without an error only means "no new streams": the streams
        already open still get their answers (RFC 9113 section 6.8). The JavaScript SDK, which uses
        one connection per request, sends it as soon as the response headers arrive, while the
        body is still to come.
        """
        out, goaway_codes = bytearray(), []
        if self._preface_pending:
            if len(self._inbox) < len(PREFACE):
                return b"", goaway_codes
            out += self._inbox[: len(PREFACE)]
            del self._inbox[: len(PREFACE)]
            self._preface_pending = False
        while len(self._inbox) >= 9:
            length = int.from_bytes(self._inbox[:3], "big")
            if length > self.conn.max_inbound_frame_size:
                out += self._inbox  # h2 reports the oversized frame (FRAME_SIZE_ERROR)
                self._inbox.clear()
                break
            if len(self._inbox) < 9 + length:
                break
            frame = bytes(self._inbox[: 9 + length])
            del self._inbox[: 9 + length]
            if frame[3] == _GOAWAY and length >= 8:
                goaway_codes.append(int.from_bytes(frame[13:17], "big"))
            else:
                out += frame
        return bytes(out), goaway_codes

    def _peer_goaway(self, error_code: int) -> None:
        self.closing = True
        if error_code != 0:
            self._close_all()
            self.transport.close()
        elif not self.streams:
            self._end_connection()

    def _handle(self, event) -> None:
        if isinstance(event, h2.events.RequestReceived):
            self._start(event.stream_id, event.headers, ended=event.stream_ended is not None)
        elif isinstance(event, h2.events.DataReceived):
            stream = self.streams.get(event.stream_id)
            if stream is None or stream.body_done:
                self._credit(event.stream_id, event.flow_controlled_length)  # nobody will read it
            else:
                stream.chunks.append((event.data, event.flow_controlled_length))
                stream.wake.set()
        elif isinstance(event, (h2.events.StreamEnded, h2.events.TrailersReceived)):
            stream = self.streams.get(event.stream_id)
            if stream is not None:
                stream.body_ended = True
                stream.wake.set()
        elif isinstance(event, h2.events.StreamReset):
            stream = self.streams.get(event.stream_id)
            if stream is not None:
                stream.closed = True
                stream.poke()
        elif isinstance(event, (h2.events.WindowUpdated, h2.events.RemoteSettingsChanged)):
            for stream in self.streams.values():
                stream.window.set()

    def connection_lost(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self._close_all()
        self.can_write.set()

    def pause_writing(self) -> None:
        self.can_write.clear()

    def resume_writing(self) -> None:
        self.can_write.set()

    def shutdown(self) -> None:
        """Graceful shutdown: no new streams (GOAWAY); the connection closes once the open ones end."""
        if self.closing:
            return
        self.closing = True
        self.flush()
        # Written by hand: after h2's own close_connection() it would refuse to send anything more,
        # and the open streams still have their answers to finish.
        payload = struct.pack(">II", self.conn.highest_inbound_stream_id, h2.errors.ErrorCodes.NO_ERROR)
        self.transport.write(struct.pack(">I", len(payload))[1:] + bytes([_GOAWAY, 0]) + b"\0\0\0\0" + payload)
        if not self.streams:
            self._end_connection()

    def _end_connection(self) -> None:
        """End the connection once everything is answered: send what is left, then FIN, and close
        after a moment. Closing at once would make the kernel answer the client's late frames
        (WINDOW_UPDATEs for the last response) with a reset, which can destroy that response
        before the client has read it."""
        if self._ended:
            return
        self._ended = True
        self.flush()
        if self.transport.can_write_eof() and not self.transport.is_closing():
            try:
                self.transport.write_eof()
            except OSError:  # the client is already gone (ENOTCONN): there is nobody to send FIN to
                pass
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data and not self.transport.is_closing():
            self.transport.write(data)

    def _close_all(self) -> None:
        for stream in self.streams.values():
            stream.closed = True
            stream.poke()

    def _credit(self, stream_id: int, length: int) -> None:
        """Give back the flow-control credit of received body bytes (the stream's, if still open)."""
        if length <= 0:
            return
        try:
            self.conn.acknowledge_received_data(length, stream_id)
        except h2.exceptions.StreamClosedError:
            self.conn.increment_flow_control_window(length)
        except h2.exceptions.ProtocolError:
            return
        self.flush()

    # -- one stream

    def _start(self, stream_id: int, headers, ended: bool) -> None:
        if self.closing:
            self.conn.reset_stream(stream_id, h2.errors.ErrorCodes.REFUSED_STREAM)
            return
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        stream = _Stream(stream_id)
        stream.body_ended = ended
        self.streams[stream_id] = stream
        task = self.loop.create_task(self._run(stream, self._scope(headers, ended)))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _scope(self, headers, ended: bool) -> dict:
        pseudo: dict[bytes, bytes] = {}
        plain: list[tuple[bytes, bytes]] = []
        for name, value in headers:
            if name.startswith(b":"):
                pseudo[name] = value
            else:
                plain.append((name, value))
        if not any(name == b"host" for name, _ in plain) and b":authority" in pseudo:
            # SigV4 signs the Host header; an HTTP/2 request carries it as :authority.
            plain.insert(0, (b"host", pseudo[b":authority"]))
        if not ended and not any(name == b"content-length" for name, _ in plain):
            # A body of unknown length is DATA frames until END_STREAM; the gateway reads it the way
            # it reads an HTTP/1.1 chunked body.
            plain.append((b"transfer-encoding", b"chunked"))
        raw_path, _, query = pseudo.get(b":path", b"/").partition(b"?")
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "2",
            "method": pseudo.get(b":method", b"GET").decode("latin-1"),
            "scheme": pseudo.get(b":scheme", self.scheme.encode()).decode("latin-1"),
            "path": unquote(raw_path.decode("latin-1")),
            "raw_path": raw_path,
            "query_string": query,
            "root_path": self.root_path,
            "headers": plain,
            "server": self.server,
            "client": self.client,
        }

    async def _run(self, stream: _Stream, scope: dict) -> None:
        start: Optional[dict] = None  # the app's http.response.start, sent with its first body part
        started = False

        async def receive() -> dict:
            while True:
                if stream.chunks:
                    data, length = stream.chunks.popleft()
                    self._credit(stream.id, length)
                    more = not (stream.body_ended and not stream.chunks)
                    stream.body_done = not more
                    return {"type": "http.request", "body": data, "more_body": more}
                if stream.body_ended and not stream.body_done:
                    stream.body_done = True
                    return {"type": "http.request", "body": b"", "more_body": False}
                if stream.closed or (stream.body_done and stream.response_done):
                    return {"type": "http.disconnect"}
                stream.wake.clear()
                await stream.wake.wait()

        async def send(message: dict) -> None:
            nonlocal start, started
            if stream.closed or stream.response_done:
                return
            kind = message["type"]
            if kind == "http.response.start":
                start = message
                return
            if kind != "http.response.body" or start is None:
                return
            body = bytes(message.get("body", b""))
            more = bool(message.get("more_body", False))
            if not started:
                started = True
                self._send_headers(stream, start, end_stream=not body and not more)
                if not body and not more:
                    self._response_sent(stream)
                    return
            await self._send_data(stream, body, end_stream=not more)
            if not more:
                self._response_sent(stream)

        try:
            await self.app(scope, receive, send)
        except Exception:  # noqa: BLE001 - as uvicorn: log, answer 500 if nothing was sent yet
            log.exception("the application failed on HTTP/2 stream %s", stream.id)
            if not started and not stream.closed:
                self._send_headers(stream, {"status": 500, "headers": [(b"content-length", b"0")]}, end_stream=True)
                self._response_sent(stream)
        finally:
            if not stream.response_done and not stream.closed:
                # The app returned without ending its response: end the stream, as a reset.
                self._reset(stream, h2.errors.ErrorCodes.INTERNAL_ERROR)
            self._forget(stream)

    def _send_headers(self, stream: _Stream, start: dict, end_stream: bool) -> None:
        headers = [(b":status", str(start["status"]).encode())]
        has_date = False
        for name, value in start.get("headers", []):
            name = bytes(name).lower()
            if name in _CONNECTION_HEADERS:
                continue
            has_date = has_date or name == b"date"
            headers.append((name, bytes(value)))
        if not has_date:
            headers.append((b"date", formatdate(usegmt=True).encode()))
        try:
            self.conn.send_headers(stream.id, headers, end_stream=end_stream)
        except h2.exceptions.ProtocolError:
            stream.closed = True
            return
        self.flush()

    async def _send_data(self, stream: _Stream, data: bytes, end_stream: bool) -> None:
        view = memoryview(data)
        while view and not stream.closed:
            await self.can_write.wait()
            try:
                room = min(self.conn.local_flow_control_window(stream.id), self.conn.max_outbound_frame_size)
            except h2.exceptions.ProtocolError:
                stream.closed = True
                return
            if room <= 0:
                stream.window.clear()
                await stream.window.wait()
                continue
            piece, view = view[:room], view[room:]
            try:
                self.conn.send_data(stream.id, bytes(piece), end_stream=end_stream and not view)
            except h2.exceptions.ProtocolError:
                stream.closed = True
                return
            self.flush()
        if end_stream and not data and not stream.closed:
            try:
                self.conn.end_stream(stream.id)
            except h2.exceptions.ProtocolError:
                stream.closed = True
                return
            self.flush()

    def _response_sent(self, stream: _Stream) -> None:
        stream.response_done = True
        stream.wake.set()

    def _reset(self, stream: _Stream, code) -> None:
        stream.closed = True
        try:
            self.conn.reset_stream(stream.id, code)
        except h2.exceptions.ProtocolError:
            return
        self.flush()

    def _forget(self, stream: _Stream) -> None:
        self.streams.pop(stream.id, None)
        if not stream.body_ended and not stream.closed:
            # Answered before the client finished its body: ask it to stop sending, without error
            # (RFC 9113 section 8.1).
            self._reset(stream, h2.errors.ErrorCodes.NO_ERROR)
        # Body bytes the app never read still count against the connection's window.
        unread = sum(length for _, length in stream.chunks)
        stream.chunks.clear()
        if unread:
            try:
                self.conn.increment_flow_control_window(unread)
            except h2.exceptions.ProtocolError:
                pass
            self.flush()
        if self.closing and not self.streams:
            self._end_connection()
        elif not self.streams and self._idle_timer is None:
            self._arm_idle_timer()
