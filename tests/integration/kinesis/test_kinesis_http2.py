"""HTTP/2 clients (the Java SDK's SubscribeToShard) are told in HTTP/2 to fall back to HTTP/1.1.

lakebox's listener speaks HTTP/1.1. A client that opens with the HTTP/2 connection preface gets the
server's SETTINGS frame and a GOAWAY frame with error HTTP_1_1_REQUIRED (0xd) and a debug text,
then the connection closes; HTTP/1.1 requests on the same port are unaffected.
"""

from __future__ import annotations

import socket
import struct
from urllib.parse import urlparse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
CLIENT_SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"  # an empty SETTINGS frame on stream 0


def _connect(endpoint_url: str) -> socket.socket:
    url = urlparse(endpoint_url)
    sock = socket.create_connection((url.hostname, url.port), timeout=10)
    return sock


def _signed_http1_request(endpoint_url: str, operation: str, body: bytes) -> bytes:
    """A SigV4-signed Kinesis POST as raw HTTP/1.1 bytes (botocore signs; the socket sends it)."""
    request = AWSRequest(method="POST", url=endpoint_url + "/", data=body, headers={
        "X-Amz-Target": f"Kinesis_20131202.{operation}", "Content-Type": "application/x-amz-json-1.1",
        "Host": urlparse(endpoint_url).netloc})
    SigV4Auth(Credentials("test", "test"), "kinesis", "us-east-1").add_auth(request)
    head = "".join(f"{name}: {value}\r\n" for name, value in request.headers.items())
    return (f"POST / HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


def _read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def _frames(data: bytes) -> list[tuple[int, int, int, bytes]]:
    """(type, flags, stream id, payload) of each HTTP/2 frame in `data`."""
    frames, pos = [], 0
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 3], "big")
        kind, flags = data[pos + 3], data[pos + 4]
        stream = struct.unpack(">I", data[pos + 5:pos + 9])[0] & 0x7FFFFFFF
        frames.append((kind, flags, stream, data[pos + 9:pos + 9 + length]))
        pos += 9 + length
    assert pos == len(data), "a truncated frame"
    return frames


def _assert_goaway_http_1_1_required(data: bytes) -> None:
    (settings_type, _, settings_stream, settings), (goaway_type, _, goaway_stream, goaway) = _frames(data)
    assert (settings_type, settings_stream, settings) == (0x4, 0, b"")
    assert (goaway_type, goaway_stream) == (0x7, 0)
    last_stream, error_code = struct.unpack(">II", goaway[:8])
    assert (last_stream, error_code) == (0, 0xD)
    assert goaway[8:] == b"lakebox serves HTTP/1.1 only; retry over HTTP/1.1"


def test_http2_prior_knowledge_gets_goaway_http_1_1_required(lakebox_server):
    with _connect(lakebox_server.endpoint_url) as sock:
        sock.sendall(PREFACE + CLIENT_SETTINGS)
        _assert_goaway_http_1_1_required(_read_until_closed(sock))


def test_a_preface_split_across_packets_is_recognised(lakebox_server):
    with _connect(lakebox_server.endpoint_url) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(PREFACE[:5])
        sock.sendall(PREFACE[5:])
        _assert_goaway_http_1_1_required(_read_until_closed(sock))


def test_http1_requests_starting_like_the_preface_are_served(lakebox_server, kinesis):
    kinesis.create_stream(StreamName="h1", ShardCount=1)
    request = _signed_http1_request(lakebox_server.endpoint_url, "DescribeStreamSummary", b'{"StreamName": "h1"}')
    with _connect(lakebox_server.endpoint_url) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(request[:1])  # "P", which could still be the start of "PRI * HTTP/2.0"
        sock.sendall(request[1:])
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b'"StreamName":"h1"' in answer.replace(b" ", b"")
