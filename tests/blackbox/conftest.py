"""Black-box fixtures: `lakebox serve` as a real subprocess, the way a user runs it.

The in-process fixture (`lakebox.testing.lakebox_server`) shares the test's interpreter, so it cannot
show that the command line, the ready line, signal handling, the request log or kill -9 behave. Here
every server is its own process on a free port with its own data folder, and is stopped with SIGTERM
(asserting a clean exit) unless a test kills it on purpose.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator, Optional

import pytest

READY = re.compile(r"lakebox ready on (http://\S+)")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0

#: Dummy credentials and a config isolated from the developer's ~/.aws, for boto3, s3fs and the CLI.
CLIENT_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def lakebox_command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m lakebox`."""
    script = Path(sys.executable).with_name("lakebox")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lakebox"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServeProcess:
    """One `lakebox serve` subprocess. stdout is watched for the ready line; stderr (the request log)
    goes to a file so that a chatty server can never block on a full pipe."""

    def __init__(self, data_dir: Path, log_path: Path, extra_args: tuple[str, ...] = (), env: Optional[dict] = None):
        self.data_dir = Path(data_dir)
        self.log_path = Path(log_path)
        self.extra_args = extra_args
        self.env = env
        self.proc: Optional[subprocess.Popen] = None
        self.endpoint = ""
        self.stdout_lines: list[str] = []

    def start(self) -> "ServeProcess":
        port = free_port()
        cmd = [*lakebox_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--data", str(self.data_dir), *self.extra_args]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **(self.env or {})}
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._log, env=env, text=True)
        ready = threading.Event()
        threading.Thread(target=self._watch_stdout, args=(ready,), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError(f"lakebox serve did not become ready (rc={self.proc.returncode}):\n{self.log_text()[-4000:]}")
        assert self.endpoint == f"http://127.0.0.1:{port}", self.endpoint
        return self

    def _watch_stdout(self, ready: threading.Event) -> None:
        for line in self.proc.stdout:
            self.stdout_lines.append(line.rstrip("\n"))
            match = READY.search(line)
            if match and not ready.is_set():
                self.endpoint = match.group(1)
                ready.set()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_text(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def terminate(self) -> int:
        """SIGTERM, wait, and return the exit code (the caller asserts on it)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"lakebox serve ignored SIGTERM for {STOP_TIMEOUT}s")
        self._log.close()
        return self.proc.returncode

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._log.close()


class ServeFactory:
    """Starts servers for one test and SIGTERMs every one still running at teardown."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.started: list[ServeProcess] = []

    def start(self, data_dir: Optional[Path] = None, *args: str, env: Optional[dict] = None) -> ServeProcess:
        data_dir = data_dir or self.tmp / "data"
        n = len(self.started)
        server = ServeProcess(data_dir, self.tmp / f"server-{n}.log", args, env).start()
        self.started.append(server)
        return server

    def close(self) -> None:
        failures = []
        for server in self.started:
            if server.proc.poll() is None:
                rc = server.terminate()
                if rc != 0:
                    failures.append(f"exit {rc}: {server.log_text()[-2000:]}")
        assert not failures, "lakebox serve did not exit cleanly on SIGTERM:\n" + "\n".join(failures)


@pytest.fixture
def serve_factory(tmp_path) -> Iterator[ServeFactory]:
    """A factory for `lakebox serve` subprocesses (restart on the same --data, kill -9 ...)."""
    factory = ServeFactory(tmp_path)
    yield factory
    factory.close()


class Endpoint:
    """What the guide's code needs: the URL, the data folder, and a client env pointing at it."""

    def __init__(self, server: ServeProcess):
        self.server = server
        self.url = server.endpoint
        self.data_dir = server.data_dir
        self.env = {**os.environ, **CLIENT_ENV, "AWS_ENDPOINT_URL": self.url}

    def object_path(self, bucket: str, key: str) -> Path:
        return self.data_dir / "s3" / bucket / key


@pytest.fixture(scope="module")
def lakebox_endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    """One subprocess server per module, with AWS_ENDPOINT_URL and dummy keys set in os.environ, so
    the guide's `boto3.client('s3')` and pandas/s3fs code run exactly as written."""
    tmp = tmp_path_factory.mktemp("lakebox")
    factory = ServeFactory(tmp)
    server = factory.start(tmp / "data")
    saved = {k: os.environ.get(k) for k in [*CLIENT_ENV, "AWS_ENDPOINT_URL", "AWS_PROFILE"]}
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(CLIENT_ENV)
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint
    _clear_fsspec_cache()
    try:
        yield Endpoint(server)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _clear_fsspec_cache()
        factory.close()


def _clear_fsspec_cache() -> None:
    """s3fs caches filesystem instances across tests; a cached one would still point at an old port."""
    try:
        import s3fs
    except ImportError:  # pragma: no cover
        return
    s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture(scope="module")
def aws(lakebox_endpoint):
    """`aws(*args)` runs the AWS CLI installed next to this interpreter with only AWS_ENDPOINT_URL set."""
    exe = Path(sys.executable).with_name("aws")
    cmd = [str(exe)] if exe.exists() else [shutil.which("aws") or "aws"]

    def run(*args: str, cwd: Optional[Path] = None, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([*cmd, *args], env=lakebox_endpoint.env, cwd=cwd, capture_output=True,
                                text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    return run


@pytest.fixture(scope="session")
def lakebox_cli() -> list[str]:
    """The `lakebox` command, for tests that run its subcommands (`lakebox clock advance ...`)."""
    return lakebox_command()
