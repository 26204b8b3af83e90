"""Runs the ASGI app on uvicorn: the `lakebox serve` process and the in-process test server."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import platform
import socket
import sys
import threading
from typing import Optional

import uvicorn

from ..config import Config
from .app import LakeboxApp
from .http_protocol import HttpProtocol


class LakeboxServer(uvicorn.Server):
    """uvicorn's server, announcing one `lakebox ready on ...` line once it accepts requests."""

    def __init__(self, config: Config, announce: bool = True, sockets: Optional[list[socket.socket]] = None):
        self.lakebox_config = config
        self.app = LakeboxApp(config)
        self.announce = announce
        self._sockets = sockets
        self._owns_process = False  # a server run on the main thread is the process (`lakebox serve`)
        super().__init__(
            uvicorn.Config(
                self.app,
                host=config.host,
                port=config.port,
                http=HttpProtocol,  # httptools for HTTP/1.1, and HTTP/2 with prior knowledge
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
        if self.started and self._owns_process:
            freeze_startup_heap()
            keep_freed_memory()
        if self.started and self.announce:
            print(f"lakebox ready on http://{self.lakebox_config.host}:{self.bound_port()}", flush=True)

    async def shutdown(self, sockets=None) -> None:
        """Open event streams (SubscribeToShard) would keep uvicorn's graceful shutdown waiting for
        minutes: end them first, as AWS ends a subscription, then shut down as usual."""
        self.app.begin_shutdown()
        await super().shutdown(sockets=sockets)

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
        # Only the process's own server freezes the heap: a test's in-process server shares it with
        # the test session, whose later garbage a freeze would keep from the cyclic collector.
        self._owns_process = threading.current_thread() is threading.main_thread()
        self.run(sockets=self._sockets)


def freeze_startup_heap() -> None:
    """Move everything start-up allocated (modules, botocore models, providers) out of the garbage
    collector's reach: the full collections that request garbage triggers then no longer walk
    those millions of long-lived objects on every pass."""
    gc.collect()
    gc.freeze()


#: glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory(mmap_threshold: int = 64 << 20, trim_threshold: int = 256 << 20) -> bool:
    """Have glibc's malloc keep and reuse the memory of large buffers, rather than map fresh pages
    for each one and give them back when it is freed.

    Why: by default a buffer above glibc's mmap threshold (128 KiB, adapting up to 32 MiB) gets
    pages of its own, and the kernel faults in and zeroes every 4 KiB of them on first touch. On a virtual machine a fault costs microseconds,
    about 1 ms per MiB: a 14 MB GetRecords page took longer to allocate than to fill, and so did
    the 1 MiB chunks of every large S3 transfer. Buffers up to `mmap_threshold` now come from the
    heap, which keeps up to `trim_threshold` of freed memory for the next request. A no-op (False)
    where the C library is not glibc.
    """
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and \
            bool(libc.mallopt(_M_TRIM_THRESHOLD, trim_threshold))
    except (OSError, AttributeError):
        return False


def configure_logging(level: str) -> None:
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)-5s %(name)s: %(message)s",
    )
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
