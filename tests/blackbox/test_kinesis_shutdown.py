"""SIGTERM (or SIGINT) ends open SubscribeToShard event streams, and `lakebox serve` exits cleanly.

uvicorn's graceful shutdown waits for running responses; a subscription runs for up to 5 minutes.
The server ends each event stream itself, as AWS ends a subscription, so the client's iteration
stops normally (after every record it was sent) and the process exits with status 0.
"""

from __future__ import annotations

import signal
import threading

import boto3
import pytest
from botocore.config import Config

pytestmark = [pytest.mark.blackbox, pytest.mark.timeout(120)]

#: A bound far below a subscription's 5 minutes: only an ended stream finishes within it.
STREAM_END_BOUND = 20.0


def kinesis_client(endpoint: str):
    return boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stop_signal_ends_open_subscriptions_and_exits_zero(serve_factory, stop_signal):
    server = serve_factory.start()
    kinesis = kinesis_client(server.endpoint)
    kinesis.create_stream(StreamName="efo", ShardCount=2)
    arn = kinesis.describe_stream_summary(StreamName="efo")["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app")["Consumer"]["ConsumerARN"]
    kinesis.put_record(StreamName="efo", Data=b"before-stop", PartitionKey="k", ExplicitHashKey="0")

    streams = [kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId=shard,
                                          StartingPosition={"Type": "TRIM_HORIZON"})["EventStream"]
               for shard in ("shardId-000000000000", "shardId-000000000001")]
    received: list[list[bytes]] = [[], []]
    ended = [threading.Event(), threading.Event()]
    errors: list[BaseException] = []
    first_events = threading.Barrier(3)

    def read(i: int) -> None:
        try:
            iterator = iter(streams[i])
            event = next(iterator)["SubscribeToShardEvent"]
            received[i] += [r["Data"] for r in event["Records"]]
            first_events.wait()
            for event in iterator:
                received[i] += [r["Data"] for r in event["SubscribeToShardEvent"]["Records"]]
            ended[i].set()
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            errors.append(exc)
            first_events.abort()

    readers = [threading.Thread(target=read, args=(i,), daemon=True) for i in range(2)]
    for reader in readers:
        reader.start()
    first_events.wait(STREAM_END_BOUND)  # both subscriptions are live

    server.proc.send_signal(stop_signal)
    for reader in readers:
        reader.join(STREAM_END_BOUND)
    assert not errors, errors
    assert all(e.is_set() for e in ended), f"an event stream was still open after {stop_signal.name}"
    assert received == [[b"before-stop"], []]
    server.proc.wait(STREAM_END_BOUND)
    assert server.terminate() == 0
    assert "Traceback" not in server.log_text()


def _frames(data: bytes) -> list[tuple[int, int, int, bytes]]:
    """(type, flags, stream id, payload) of each whole HTTP/2 frame in `data`."""
    frames, pos = [], 0
    while pos + 9 <= len(data):
        length = int.from_bytes(data[pos:pos + 3], "big")
        if pos + 9 + length > len(data):
            break
        stream = int.from_bytes(data[pos + 5:pos + 9], "big") & 0x7FFFFFFF
        frames.append((data[pos + 3], data[pos + 4], stream, data[pos + 9:pos + 9 + length]))
        pos += 9 + length
    return frames


def test_sigterm_ends_an_http2_subscription_and_the_connection(serve_factory):
    """Over HTTP/2 (the Java and JavaScript SDKs) the event stream ends with END_STREAM, the
    connection gets GOAWAY without an error and then closes, and the process exits 0."""
    import base64
    import json
    import socket
    import time
    from urllib.parse import urlparse

    import h2.config
    import h2.connection
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.eventstream import EventStreamBuffer

    server = serve_factory.start()
    kinesis = kinesis_client(server.endpoint)
    kinesis.create_stream(StreamName="efo2", ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName="efo2")["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app")["Consumer"]["ConsumerARN"]
    kinesis.put_record(StreamName="efo2", Data=b"before-stop", PartitionKey="k")
    body = json.dumps({"ConsumerARN": consumer, "ShardId": "shardId-000000000000",
                       "StartingPosition": {"Type": "TRIM_HORIZON"}}).encode()
    request = AWSRequest(method="POST", url=server.endpoint + "/", data=body, headers={
        "X-Amz-Target": "Kinesis_20131202.SubscribeToShard", "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials("test", "test"), "kinesis", "us-east-1").add_auth(request)
    url = urlparse(server.endpoint)
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
    conn.initiate_connection()
    conn.send_headers(1, [(b":method", b"POST"), (b":scheme", b"http"), (b":authority", url.netloc.encode()),
                          (b":path", b"/")] + [(k.lower().encode(), v.encode()) for k, v in request.headers.items()])
    conn.send_data(1, body, end_stream=True)
    with socket.create_connection((url.hostname, url.port), timeout=STREAM_END_BOUND) as sock:
        sock.sendall(conn.data_to_send())
        received = b""
        deadline = time.monotonic() + STREAM_END_BOUND
        record = base64.b64encode(b"before-stop")  # as a json event carries it
        while record not in b"".join(p for t, _, s, p in _frames(received) if t == 0x0 and s == 1):
            assert time.monotonic() < deadline, "no event with the record arrived"
            received += sock.recv(65536)
        server.proc.send_signal(signal.SIGTERM)
        while chunk := sock.recv(65536):
            received += chunk
    frames = _frames(received)
    assert any(s == 1 and t in (0x0, 0x1) and flags & 0x1 for t, flags, s, _ in frames), "no END_STREAM on the subscription"
    goaways = [p for t, _, s, p in frames if t == 0x7]
    assert goaways and int.from_bytes(goaways[0][4:8], "big") == 0  # NO_ERROR
    events = EventStreamBuffer()
    events.add_data(b"".join(p for t, _, s, p in frames if t == 0x0 and s == 1))
    kinds = [m.headers.get(":event-type") for m in events]
    assert kinds[0] == "initial-response" and "SubscribeToShardEvent" in kinds
    server.proc.wait(STREAM_END_BOUND)
    assert server.terminate() == 0
    assert "Traceback" not in server.log_text()
