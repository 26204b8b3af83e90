"""Run lakebox inside your own tests, the way moto's `mock_aws` is used — but with a real server.

    from lakebox.testing import running_lakebox

    with running_lakebox() as lb:          # a free port, a temp data folder
        boto3.client("s3").create_bucket(Bucket="raw")   # AWS_ENDPOINT_URL points at lb

or, with pytest (the plugin is registered automatically when lakebox is installed):

    def test_pipeline(lakebox_server):
        s3 = boto3.client("s3")            # AWS_ENDPOINT_URL is set for the test
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator, Optional

from .config import Config, Credential

_ENV_DEFAULTS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class InProcessServer:
    """A lakebox server on a background thread, bound to a free loopback port."""

    def __init__(self, data_dir: Path, auth: str = "open", credentials: Optional[dict[str, Credential]] = None,
                 **settings: Any):
        """`settings` are further `Config` fields, e.g. `s3_object_ownership="ObjectWriter"`."""
        from .gateway.server import LakeboxServer

        # IPPROTO_TCP spelled out: asyncio switches Nagle's algorithm off (TCP_NODELAY) only on sockets
        # whose proto says TCP, and a response written in two parts (headers, then body) would
        # otherwise wait ~40 ms for the client's delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.host, self.port = sock.getsockname()
        self.data_dir = Path(data_dir)
        self.config = Config(host=self.host, port=self.port, data_dir=self.data_dir, auth=auth,
                             credentials=credentials or {}, **settings)
        self._server = LakeboxServer(self.config, announce=False, sockets=[sock])
        self._thread = threading.Thread(target=self._server.run_forever, name="lakebox-server", daemon=True)

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def app(self):
        return self._server.app

    def start(self, timeout: float = 30.0) -> "InProcessServer":
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("lakebox test server did not start")
            time.sleep(0.005)
        return self

    def iceberg_catalog_properties(self, region: str = "us-east-1") -> dict[str, str]:
        """pyiceberg's properties for the Glue catalog and S3 of this server:
        `pyiceberg.catalog.load_catalog("lake", **server.iceberg_catalog_properties())`."""
        keys = {"access-key-id": "test", "secret-access-key": "test", "region": region}
        properties = {"type": "glue", "glue.endpoint": self.endpoint_url, "s3.endpoint": self.endpoint_url}
        for prefix in ("glue", "s3"):
            properties.update({f"{prefix}.{name}": value for name, value in keys.items()})
        return properties

    def advance_clock(self, duration: str) -> None:
        """Move the service clock forward (`"31d"`, `"12h"`), as `lakebox clock advance` does."""
        from .clock import parse_duration

        self.config.clock.advance(parse_duration(duration))

    def stop(self) -> None:
        self._server.request_exit()
        self._thread.join(timeout=30)


@contextlib.contextmanager
def running_lakebox(data_dir: Optional[os.PathLike] = None, *, set_env: bool = True, auth: str = "open",
                    credentials: Optional[dict[str, Credential]] = None, **settings: Any) -> Iterator[InProcessServer]:
    """Start an in-process lakebox; point AWS_ENDPOINT_URL (and dummy keys, if unset) at it.

    `settings` are further `Config` fields: `running_lakebox(s3_object_ownership="ObjectWriter")` gives
    new buckets S3's pre-2023 defaults (ACLs enabled, no Block Public Access).
    """
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="lakebox-"))
        server = InProcessServer(Path(data_dir), auth=auth, credentials=credentials, **settings).start()
        stack.callback(server.stop)
        if set_env:
            saved = {k: os.environ.get(k) for k in ["AWS_ENDPOINT_URL", *_ENV_DEFAULTS]}
            stack.callback(_restore_env, saved)
            os.environ["AWS_ENDPOINT_URL"] = server.endpoint_url
            for key, value in _ENV_DEFAULTS.items():
                os.environ.setdefault(key, value)
        yield server


def _restore_env(saved: dict[str, Optional[str]]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


try:  # the pytest plugin part; lakebox itself does not need pytest
    import pytest
except ImportError:  # pragma: no cover
    pytest = None

if pytest is not None:

    @pytest.fixture
    def lakebox_settings() -> dict[str, Any]:
        """Config fields for `lakebox_server`. Override it in a test module or conftest, e.g. to return
        `{"s3_object_ownership": "ObjectWriter"}` for S3's pre-2023 bucket defaults."""
        return {}

    @pytest.fixture
    def lakebox_server(tmp_path, lakebox_settings) -> Iterator[InProcessServer]:
        """An in-process lakebox on a free port with a temp data dir; sets AWS_ENDPOINT_URL for the test."""
        with running_lakebox(tmp_path / "lakebox-data", **lakebox_settings) as server:
            yield server
