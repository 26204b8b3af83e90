'''The guide's Kinesis Data Streams example ("Kinesis - Real-time Streaming") against `lakebox serve`.

Two fixes, both needed on AWS too: the consumer calls `time.sleep` without `import time`, so the test
adds the import; and its `while True:` loop never ends, so the test bounds it to three polls.
Everything else runs verbatim with only AWS_ENDPOINT_URL set.

As on AWS, the producer's key "12345" hashes to shard 2 of 5, so the guide's consumer, which reads
shard 0 from LATEST, prints nothing. The test then shows where the event did go: the same consumer
pointed at shard 2 prints it, and a TRIM_HORIZON read of shard 2 returns the guide's bytes.
'''

from __future__ import annotations

import contextlib
import io
import json

import boto3
import pytest

pytestmark = pytest.mark.blackbox

# guide: "Kinesis Data Streams" (verbatim, but for the two marked fixes)
GUIDE = """
import boto3
import json
import time  # fix: the guide uses time.sleep without importing time

kinesis = boto3.client('kinesis')

# Criar stream
kinesis.create_stream(
    StreamName='user-events',
    ShardCount=5
)

# Produzir evento
event = {
    'user_id': 12345,
    'event_type': 'page_view',
    'timestamp': '2024-01-15T10:30:00Z',
    'page': '/products/123'
}

kinesis.put_record(
    StreamName='user-events',
    Data=json.dumps(event),
    PartitionKey=str(event['user_id'])  # Mesmo user vai para mesmo shard
)

# Consumir eventos
shard_iterator = kinesis.get_shard_iterator(
    StreamName='user-events',
    ShardId='shardId-000000000000',
    ShardIteratorType='LATEST'
)['ShardIterator']

for _poll in range(3):  # fix: the guide's `while True:` never ends
    response = kinesis.get_records(ShardIterator=shard_iterator, Limit=100)
    
    for record in response['Records']:
        data = json.loads(record['Data'])
        print(f"User {data['user_id']} - {data['event_type']}")
    
    shard_iterator = response['NextShardIterator']
    
    if not response['Records']:
        time.sleep(1)
"""

CONSUMER = GUIDE[GUIDE.index("# Consumir eventos"):]

EVENT = {"user_id": 12345, "event_type": "page_view", "timestamp": "2024-01-15T10:30:00Z", "page": "/products/123"}


def _run(code: str, namespace: dict) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "guide-kinesis", "exec"), namespace)  # noqa: S102 - the guide's own code
    return out.getvalue()


def test_guide_producer_and_consumer(lakebox_endpoint):
    namespace: dict = {}
    printed = _run(GUIDE, namespace)
    assert printed == ""  # shard 0 never sees key "12345", exactly as on AWS

    kinesis = boto3.client("kinesis")
    shards = kinesis.describe_stream(StreamName="user-events")["StreamDescription"]["Shards"]
    assert len(shards) == 5
    iterator = kinesis.get_shard_iterator(StreamName="user-events", ShardId="shardId-000000000002",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert [json.loads(r["Data"]) for r in records] == [EVENT]
    assert records[0]["PartitionKey"] == "12345"
    assert records[0]["Data"] == json.dumps(EVENT).encode()


def test_guide_consumer_on_the_right_shard_prints_new_events(lakebox_endpoint):
    kinesis = boto3.client("kinesis")
    if "user-events" not in kinesis.list_streams()["StreamNames"]:
        kinesis.create_stream(StreamName="user-events", ShardCount=5)
    consumer = CONSUMER.replace("shardId-000000000000", "shardId-000000000002")
    namespace = {"kinesis": kinesis, "json": json, "time": __import__("time")}
    # Start the guide's loop from LATEST, then produce while it polls: put before the first poll
    # by taking the iterator first (the loop's first statement), exactly as a running consumer would.
    head, loop = consumer.split("for _poll", 1)
    _run(head, namespace)
    for user in (12345, 12345):
        kinesis.put_record(StreamName="user-events", Data=json.dumps({**EVENT, "user_id": user}),
                           PartitionKey=str(user))
    printed = _run("for _poll" + loop, namespace)
    assert printed.splitlines() == ["User 12345 - page_view", "User 12345 - page_view"]
