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
