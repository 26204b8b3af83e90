"""The server's connection protocol: HTTP/1.1 on uvicorn's httptools parser, or HTTP/2 (h2c).

A client that starts HTTP/2 with prior knowledge (the JavaScript SDK's Kinesis client, the Java
SDK's async Kinesis client, `curl --http2-prior-knowledge`) opens with the connection preface
`PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n`, which an HTTP/1.1 parser can only call a bad request. This
protocol looks at a connection's first bytes: the preface hands the connection to an
`Http2Session` for good; anything else is uvicorn's HTTP/1.1, unchanged.
"""

from __future__ import annotations

import logging
from typing import Optional

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .http2 import PREFACE, Http2Session

log = logging.getLogger("lakebox.gateway")


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, serving a connection that opens with the HTTP/2 preface in HTTP/2."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._head = b""  # the connection's first bytes, while they could still be the preface
        self._first_bytes_checked = False
        self.h2: Optional[Http2Session] = None

    def data_received(self, data: bytes) -> None:
        if self.h2 is not None:
            self.h2.data_received(data)
            return
        if self._first_bytes_checked:
            super().data_received(data)
            return
        head = self._head + data
        if PREFACE.startswith(head[: len(PREFACE)]):
            if len(head) < len(PREFACE):
                self._head = head  # maybe the preface, split across packets: wait for the rest
                return
            self._start_http2(head)
            return
        self._first_bytes_checked = True
        self._head = b""
        super().data_received(head)

    def _start_http2(self, head: bytes) -> None:
        self._head = b""
        self._first_bytes_checked = True
        log.debug("HTTP/2 connection from %s", self.client)
        self.h2 = Http2Session(app=self.app, transport=self.transport, loop=self.loop, tasks=self.tasks,
                               server=self.server, client=self.client, scheme=self.scheme,
                               root_path=self.root_path, idle_timeout=self.timeout_keep_alive)
        self.h2.data_received(head)

    def connection_lost(self, exc) -> None:
        if self.h2 is not None:
            self.h2.connection_lost()
        super().connection_lost(exc)

    def shutdown(self) -> None:
        if self.h2 is not None:
            self.h2.shutdown()
            return
        super().shutdown()

    def pause_writing(self) -> None:
        if self.h2 is not None:
            self.h2.pause_writing()
        super().pause_writing()

    def resume_writing(self) -> None:
        if self.h2 is not None:
            self.h2.resume_writing()
        super().resume_writing()
