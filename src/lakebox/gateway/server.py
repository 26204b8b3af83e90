"""Runs the ASGI app on uvicorn: the `lakebox serve` process and the in-process test server."""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
from typing import Optional

import uvicorn

from ..config import Config
from .app import LakeboxApp


class LakeboxServer(uvicorn.Server):
    """uvicorn's server, announcing one `lakebox ready on ...` line once it accepts requests."""

    def __init__(self, config: Config, announce: bool = True, sockets: Optional[list[socket.socket]] = None):
        self.lakebox_config = config
        self.app = LakeboxApp(config)
        self.announce = announce
        self._sockets = sockets
        super().__init__(
            uvicorn.Config(
                self.app,
                host=config.host,
                port=config.port,
                http="httptools",
                loop="asyncio",
                lifespan="on",
                log_config=None,
                access_log=False,
                timeout_keep_alive=30,
                server_header=False,
                date_header=True,
            )
        )

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self.announce:
            print(f"lakebox ready on http://{self.lakebox_config.host}:{self.bound_port()}", flush=True)

    @contextlib.contextmanager
    def capture_signals(self):
        """uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown, so the process would die by
        the signal. lakebox has shut down cleanly by then, and says so with exit status 0."""
        with super().capture_signals():
            yield
            self._captured_signals.clear()

    def bound_port(self) -> int:
        for server in getattr(self, "servers", []):
            for sock in server.sockets:
                return sock.getsockname()[1]
        return self.lakebox_config.port

    def run_forever(self) -> None:
        """Serve until SIGTERM or SIGINT (uvicorn installs the handlers and shuts down cleanly)."""
        self.run(sockets=self._sockets)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)-5s %(name)s: %(message)s",
    )
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
