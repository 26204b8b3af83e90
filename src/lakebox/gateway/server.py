"""Runs the ASGI app on uvicorn: the `lakebox serve` process and the in-process test server."""

from __future__ import annotations

import asyncio
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

    async def main_loop(self) -> None:
        """uvicorn's loop, which looks at `should_exit` every 0.1 s, except that `request_exit` wakes
        it at once: the test suite starts and stops thousands of in-process servers."""
        self._exit_requested = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._exit_requested.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    def request_exit(self) -> None:
        """Ask for a graceful shutdown from another thread (the in-process test server's stop)."""
        self.should_exit = True
        loop, event = getattr(self, "_loop", None), getattr(self, "_exit_requested", None)
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(event.set)

    async def shutdown(self, sockets=None) -> None:
        """uvicorn's graceful shutdown (stop accepting, let connections finish their responses and
        close, then the lifespan's shutdown), polling every 5 ms where uvicorn sleeps 0.1 s at a
        time: about 0.2 s saved on every stop. Open event streams (SubscribeToShard) would keep it
        waiting for minutes, so they are ended first, as AWS ends a subscription."""
        self.app.begin_shutdown()
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        try:
            await asyncio.wait_for(self._drain(), timeout=self.config.timeout_graceful_shutdown)
        except asyncio.TimeoutError:
            for task in self.server_state.tasks:
                task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
        if not self.force_exit:
            await self.lifespan.shutdown()

    async def _drain(self) -> None:
        while (self.server_state.connections or self.server_state.tasks) and not self.force_exit:
            await asyncio.sleep(0.005)
        for server in self.servers:
            await server.wait_closed()

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
