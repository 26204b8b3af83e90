"""A client that stops sending its body: S3 answers 400 RequestTimeout once the body has stalled
for the idle timeout (AWS waits about 20 s; these tests set 1 s), closes the connection, and
stores nothing. A client that hangs up mid-body leaves nothing behind either, and the server goes
on serving."""

from __future__ import annotations

import hashlib
import socket
import time

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from lakebox.testing import running_lakebox


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_lakebox(tmp_path_factory.mktemp("stall"), set_env=False, body_idle_timeout=1.0) as running:
        boto3.client("s3", endpoint_url=running.endpoint_url, region_name="us-east-1",
                     aws_access_key_id="test", aws_secret_access_key="test").create_bucket(Bucket="stall")
        yield running


def s3(server):
    return boto3.client("s3", endpoint_url=server.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def head_of_put(server, key: str, length: int) -> bytes:
    """A signed PUT's request line and headers, declaring `length` body bytes (unsigned payload)."""
    request = AWSRequest(method="PUT", url=f"{server.endpoint_url}/stall/{key}",
                         headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD", "Content-Length": str(length)})
    SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    lines = [f"PUT /stall/{key} HTTP/1.1", f"Host: {server.host}:{server.port}"]
    lines += [f"{name}: {value}" for name, value in request.headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_response(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


@pytest.mark.parametrize("length", [100, 3 * 1024 * 1024], ids=["small", "streamed"])
def test_a_stalled_body_is_request_timeout_and_stores_nothing(server, length):
    key = f"stalled-{length}"
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(head_of_put(server, key, length) + b"x" * 10)
        started = time.monotonic()
        response = read_response(sock)  # the server closes the connection after answering
    waited = time.monotonic() - started
    status, _, rest = response.partition(b"\r\n")
    assert status == b"HTTP/1.1 400 Bad Request"
    assert b"<Code>RequestTimeout</Code>" in rest
    assert b"Your socket connection to the server was not read from or written to within the timeout period" in rest
    assert b"connection: close" in rest.lower()
    assert 0.9 <= waited < 20
    client = s3(server)
    with pytest.raises(client.exceptions.NoSuchKey):
        client.get_object(Bucket="stall", Key=key)


@pytest.mark.parametrize("length", [100, 3 * 1024 * 1024], ids=["small", "streamed"])
def test_a_client_that_hangs_up_mid_body_leaves_nothing_and_the_server_serves_on(server, length):
    key = f"gone-{length}"
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(head_of_put(server, key, length) + b"x" * 10)
        time.sleep(0.2)
    time.sleep(0.3)
    client = s3(server)
    with pytest.raises(client.exceptions.NoSuchKey):
        client.get_object(Bucket="stall", Key=key)
    client.put_object(Bucket="stall", Key="after", Body=b"still here")
    assert client.get_object(Bucket="stall", Key="after")["Body"].read() == b"still here"
    keys = [o["Key"] for o in client.list_objects_v2(Bucket="stall").get("Contents", [])]
    assert "after" in keys and not [k for k in keys if k.startswith(("gone-", "stalled-"))]


def test_a_slow_body_that_keeps_coming_is_stored(server):
    """Idle means no bytes at all: a body trickling in more often than the timeout is accepted."""
    body = b"0123456789" * 5
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(head_of_put(server, "trickle", len(body)))
        for start in range(0, len(body), 10):
            time.sleep(0.5)
            sock.sendall(body[start:start + 10])
        status = sock.recv(65536).partition(b"\r\n")[0]
    assert status == b"HTTP/1.1 200 OK"
    stored = s3(server).get_object(Bucket="stall", Key="trickle")
    assert stored["Body"].read() == body
    assert stored["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
