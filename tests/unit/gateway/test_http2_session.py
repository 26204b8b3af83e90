"""Http2Session driven in memory: an h2 client on one side, a recording transport on the other."""

from __future__ import annotations

import asyncio

import h2.config
import h2.connection
import h2.events

from lakebox.gateway.http2 import Http2Session


class Transport(asyncio.Transport):
    def __init__(self):
        super().__init__()
        self.written = bytearray()
        self.closed = False
        self.eof = False

    def write(self, data):
        self.written += data

    def is_closing(self):
        return self.closed

    def close(self):
        self.closed = True

    def can_write_eof(self):
        return True

    def write_eof(self):
        self.eof = True


class Peer:
    """The client side: sends with h2, reads what the session wrote."""

    def __init__(self, app, **kwargs):
        self.transport = Transport()
        self.session = Http2Session(app=app, transport=self.transport, loop=asyncio.get_running_loop(), tasks=set(),
                                    server=("127.0.0.1", 4566), client=("127.0.0.1", 5000), scheme="http", **kwargs)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
        self.conn.initiate_connection()
        self.events: list = []
        self.goaways: list[tuple[int, int]] = []  # (last stream id, error code)
        self.send()

    def send(self):
        self.session.data_received(self.conn.data_to_send())

    def read(self):
        """Feed what the session wrote to the client, keeping GOAWAY frames aside: the client-side
        h2 would refuse every frame after one, and a graceful GOAWAY has more frames behind it."""
        data, self.transport.written[:] = bytes(self.transport.written), b""
        frames, pos = b"", 0
        while pos + 9 <= len(data):
            end = pos + 9 + int.from_bytes(data[pos:pos + 3], "big")
            if data[pos + 3] == 0x7:
                self.goaways.append((int.from_bytes(data[pos + 9:pos + 13], "big"), int.from_bytes(data[pos + 13:pos + 17], "big")))
            else:
                frames += data[pos:end]
            pos = end
        if frames:
            self.events += self.conn.receive_data(frames)
            self.send()

    def request(self, stream_id, method="GET", path="/", headers=(), body=None):
        self.conn.send_headers(stream_id, [(b":method", method.encode()), (b":scheme", b"http"),
                                           (b":authority", b"bucket.localhost:4566"), (b":path", path.encode()),
                                           *headers], end_stream=body is None)
        if body is not None:
            self.conn.send_data(stream_id, body, end_stream=True)
        self.send()

    async def settle(self, rounds=20):
        for _ in range(rounds):
            await asyncio.sleep(0)
            self.read()

    def response(self, stream_id):
        status = body = None
        headers = {}
        for event in self.events:
            if getattr(event, "stream_id", None) != stream_id:
                continue
            if isinstance(event, h2.events.ResponseReceived):
                headers = dict(event.headers)
                status = int(headers[b":status"])
                body = b""
            elif isinstance(event, h2.events.DataReceived):
                body += event.data
        ended = any(isinstance(e, h2.events.StreamEnded) and e.stream_id == stream_id for e in self.events)
        return status, headers, body, ended


def run(coro):
    asyncio.run(coro)


def echo_app(seen: list):
    async def app(scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        seen.append((scope, body))
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"Content-Length", str(len(body)).encode()), (b"Connection", b"keep-alive")]})
        await send({"type": "http.response.body", "body": body})
    return app


def test_a_request_becomes_an_asgi_scope_and_its_answer_a_stream():
    async def go():
        seen = []
        peer = Peer(echo_app(seen))
        peer.request(1, "PUT", "/key%20one?x=1", headers=[(b"x-amz-meta-a", b"b")], body=b"payload")
        await peer.settle()
        scope, body = seen[0]
        assert body == b"payload"
        assert (scope["method"], scope["raw_path"], scope["path"], scope["query_string"]) == ("PUT", b"/key%20one", "/key one", b"x=1")
        assert scope["http_version"] == "2"
        headers = dict(scope["headers"])
        assert headers[b"host"] == b"bucket.localhost:4566"  # SigV4 signs Host; HTTP/2 sends :authority
        assert headers[b"transfer-encoding"] == b"chunked"  # a body of unknown length
        status, response_headers, response_body, ended = peer.response(1)
        assert (status, response_body, ended) == (200, b"payload", True)
        assert b"connection" not in response_headers  # HTTP/1.1 connection headers are dropped
        assert response_headers[b"content-length"] == b"7"
        assert b"date" in response_headers
    run(go())


def test_a_declared_length_is_kept_and_no_body_is_invented():
    async def go():
        seen = []
        peer = Peer(echo_app(seen))
        peer.request(1, "PUT", "/k", headers=[(b"content-length", b"3")], body=b"abc")
        peer.request(3, "GET", "/k")
        await peer.settle()
        by_path = {(s["method"]): (dict(s["headers"]), b) for s, b in seen}
        assert b"transfer-encoding" not in by_path["PUT"][0] and by_path["PUT"][1] == b"abc"
        assert b"transfer-encoding" not in by_path["GET"][0] and by_path["GET"][1] == b""
    run(go())


def test_a_failing_app_answers_500():
    async def boom(scope, receive, send):
        raise RuntimeError("boom")

    async def go():
        peer = Peer(boom)
        peer.request(1)
        await peer.settle()
        status, _, body, ended = peer.response(1)
        assert (status, body, ended) == (500, b"", True)
    run(go())


def test_a_response_larger_than_the_window_waits_for_window_updates():
    big = bytes(range(256)) * 1024  # 256 KiB, four times the 64 KiB initial window

    async def app(scope, receive, send):
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": big})

    async def go():
        peer = Peer(app)
        peer.request(1)
        await peer.settle(rounds=5)
        # The client has not acknowledged anything yet: at most one window has been sent.
        sent = sum(len(e.data) for e in peer.events if isinstance(e, h2.events.DataReceived))
        assert 0 < sent <= 65535
        for event in peer.events:
            if isinstance(event, h2.events.DataReceived):
                peer.conn.acknowledge_received_data(event.flow_controlled_length, 1)
        peer.events = [e for e in peer.events if not isinstance(e, h2.events.DataReceived)]
        peer.send()
        for _ in range(50):
            await peer.settle(rounds=2)
            for event in peer.events:
                if isinstance(event, h2.events.DataReceived) and not getattr(event, "acked", False):
                    event.acked = True
                    peer.conn.acknowledge_received_data(event.flow_controlled_length, 1)
            peer.send()
        data = b"".join(e.data for e in peer.events if isinstance(e, h2.events.DataReceived))
        assert len(data) + sent == len(big)
        assert peer.response(1)[3] is True
    run(go())


def test_an_idle_connection_is_ended_with_goaway():
    async def go():
        peer = Peer(echo_app([]), idle_timeout=0.05)
        peer.request(1)
        await peer.settle()
        await asyncio.sleep(0.1)
        peer.read()
        assert peer.goaways == [(1, 0)]  # last stream 1, NO_ERROR
        assert peer.transport.eof
    run(go())


def test_after_goaway_open_streams_finish_and_new_ones_are_refused():
    async def go():
        release = asyncio.Event()
        seen = []

        async def slow(scope, receive, send):
            seen.append(scope["raw_path"])
            await receive()
            await release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"done"})

        peer = Peer(slow)
        peer.request(1, path="/first")
        await peer.settle()
        peer.session.shutdown()
        peer.request(3, path="/second")
        await peer.settle()
        release.set()
        await peer.settle()
        assert seen == [b"/first"]
        assert any(isinstance(e, h2.events.StreamReset) and e.stream_id == 3 and e.error_code == 7
                   for e in peer.events)  # REFUSED_STREAM
        assert peer.response(1)[2:] == (b"done", True)
        assert peer.goaways == [(1, 0)]
        assert peer.transport.eof  # then the connection ends
    run(go())
