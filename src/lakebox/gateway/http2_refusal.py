"""Tells HTTP/2 clients, in HTTP/2, that lakebox speaks HTTP/1.1 only.

uvicorn serves HTTP/1.1. A client that starts HTTP/2 with prior knowledge (the Java SDK's
SubscribeToShard, curl --http2-prior-knowledge, gRPC-style clients) opens with the connection
preface `PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n`, which an HTTP/1.1 parser can only call a bad request.
This protocol notices the preface and answers the way HTTP/2 asks a client to fall back (RFC 9113
section 9.2.1): the server's SETTINGS frame, then GOAWAY with HTTP_1_1_REQUIRED (0xd) and a debug
text that says why, and closes the connection. Every other connection is plain uvicorn.
"""

from __future__ import annotations

import logging
import struct

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("lakebox.gateway")

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
HTTP_1_1_REQUIRED = 0xD
DEBUG_TEXT = b"lakebox serves HTTP/1.1 only; retry over HTTP/1.1"
#: Time for the client to read the GOAWAY before the socket closes (closing a socket with unread
#: input sends a reset, which can destroy the frame in flight).
LINGER_SECONDS = 1.0

_SETTINGS, _GOAWAY = 0x4, 0x7


def frame(kind: int, payload: bytes) -> bytes:
    """One HTTP/2 frame on stream 0: 24-bit length, type, flags (none), stream id, payload."""
    return struct.pack(">I", len(payload))[1:] + bytes([kind, 0]) + struct.pack(">I", 0) + payload


def refusal_frames() -> bytes:
    goaway = struct.pack(">II", 0, HTTP_1_1_REQUIRED) + DEBUG_TEXT  # last stream id 0: none was processed
    return frame(_SETTINGS, b"") + frame(_GOAWAY, goaway)


class Http1OnlyProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering an HTTP/2 connection preface with GOAWAY."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._head = b""  # the connection's first bytes, while they could still be the preface
        self._first_bytes_checked = False
        self._refused = False

    def data_received(self, data: bytes) -> None:
        if self._first_bytes_checked:
            super().data_received(data)
            return
        if self._refused:
            return  # whatever else the HTTP/2 client sends is dropped until the socket closes
        head = self._head + data
        if PREFACE.startswith(head[: len(PREFACE)]):
            if len(head) < len(PREFACE):
                self._head = head  # maybe the preface, split across packets: wait for the rest
                return
            self._refuse()
            return
        self._first_bytes_checked = True
        self._head = b""
        super().data_received(head)

    def _refuse(self) -> None:
        self._refused = True
        self._head = b""
        log.info("refused an HTTP/2 connection from %s: lakebox serves HTTP/1.1 only", self.client)
        self.transport.write(refusal_frames())
        self.loop.call_later(LINGER_SECONDS, self.transport.close)
