"""Kinesis in CBOR (`application/x-amz-cbor-1.1`), the way the Java SDK and the KCL speak it: requests
built with cbor2, answers decoded with cbor2; blobs are byte strings and timestamps tag 1."""

from __future__ import annotations

import datetime as dt
import http.client
from urllib.parse import urlparse

import cbor2
import pytest
from kinesis_helpers import CBOR, cbor_millis, cbor_request


@pytest.fixture
def call(lakebox_server):
    def send(operation: str, body, content_type: str = CBOR, decode: bool = True) -> tuple[int, dict, object]:
        status, headers, _, decoded = cbor_request(lakebox_server.endpoint_url, operation, body, content_type, decode)
        return status, headers, decoded

    return send


def test_cbor_put_and_get_records_round_trip(call):
    assert call("CreateStream", {"StreamName": "cb", "ShardCount": 1})[0] == 200
    status, headers, put = call("PutRecord", {"StreamName": "cb", "Data": b"\x00\x01binary", "PartitionKey": "k"})
    assert status == 200 and headers["content-type"] == CBOR
    assert put["ShardId"] == "shardId-000000000000" and len(put["SequenceNumber"]) == 56
    _, _, batch = call("PutRecords", {"StreamName": "cb", "Records": [{"Data": bytes([i]) * 3, "PartitionKey": "p"}
                                                                      for i in range(3)]})
    assert batch["FailedRecordCount"] == 0 and len(batch["Records"]) == 3
    _, _, it = call("GetShardIterator", {"StreamName": "cb", "ShardId": "shardId-000000000000",
                                         "ShardIteratorType": "TRIM_HORIZON"})
    _, _, page = call("GetRecords", {"ShardIterator": it["ShardIterator"]})
    assert [r["Data"] for r in page["Records"]] == [b"\x00\x01binary", b"\x00\x00\x00", b"\x01\x01\x01",
                                                    b"\x02\x02\x02"]
    assert all(isinstance(r["Data"], bytes) for r in page["Records"])
    assert isinstance(page["Records"][0]["ApproximateArrivalTimestamp"], dt.datetime)  # tag 1, decoded


def test_cbor_timestamps_in_requests_and_answers_are_tag_1(call):
    call("CreateStream", {"StreamName": "ts", "ShardCount": 1})
    _, _, raw = call("DescribeStreamSummary", {"StreamName": "ts"}, decode=False)
    # The value right after the key: tag 1 (0xc1) over an 8-byte unsigned integer (0x1b), the epoch
    # milliseconds; never a float of seconds, nor tag 0 (a text date).
    value = raw.index(b"StreamCreationTimestamp") + len(b"StreamCreationTimestamp")
    assert raw[value:value + 2] == b"\xc1\x1b"
    created = cbor2.loads(raw, semantic_decoders={1: cbor_millis})["StreamDescriptionSummary"]["StreamCreationTimestamp"]
    assert abs((created - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 3600
    call("PutRecord", {"StreamName": "ts", "Data": b"x", "PartitionKey": "k"})
    past = dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc)
    status, _, it = call("GetShardIterator", {"StreamName": "ts", "ShardId": "shardId-000000000000",
                                              "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": past})
    assert status == 200
    _, _, page = call("GetRecords", {"ShardIterator": it["ShardIterator"]})
    assert [r["Data"] for r in page["Records"]] == [b"x"]
    future = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)
    status, _, error = call("GetShardIterator", {"StreamName": "ts", "ShardId": "shardId-000000000000",
                                                 "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": future})
    assert (status, error["__type"]) == (400, "InvalidArgumentException")
    assert "timestampInMillis: 4102444800000, currentTimestampInMillis: " in error["message"]


def test_cbor_request_timestamp_in_epoch_milliseconds_as_the_java_sdk_sends_it(call):
    call("CreateStream", {"StreamName": "ms", "ShardCount": 1})
    call("PutRecord", {"StreamName": "ms", "Data": b"x", "PartitionKey": "k"})
    past_ms = cbor2.CBORTag(1, 978307200000)  # 2001-01-01, in milliseconds
    status, _, it = call("GetShardIterator", {"StreamName": "ms", "ShardId": "shardId-000000000000",
                                              "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": past_ms})
    assert status == 200
    _, _, page = call("GetRecords", {"ShardIterator": it["ShardIterator"]})
    assert [r["Data"] for r in page["Records"]] == [b"x"]
    arrival = page["Records"][0]["ApproximateArrivalTimestamp"]
    assert abs((arrival - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 3600


def test_cbor_errors_come_back_in_cbor(call):
    status, headers, error = call("DescribeStream", {"StreamName": "missing"})
    assert status == 400 and headers["content-type"] == CBOR
    assert error["__type"] == "ResourceNotFoundException"
    assert error["message"] == "Stream missing under account 000000000000 not found."
    status, _, error = call("PutRecord", b"\xff\xfe not cbor")
    assert status == 400 and error["__type"] == "SerializationException"


def test_json_clients_still_get_json(call):
    status, headers, body = call("ListStreams", b"{}", content_type="application/x-amz-json-1.1")
    assert status == 200 and headers["content-type"] == "application/x-amz-json-1.1"
    assert body == b'{"StreamNames":[],"HasMoreStreams":false,"StreamSummaries":[]}'


def test_cbor_subscribe_to_shard_sends_its_events_in_cbor(lakebox_server, call):
    """A CBOR SubscribeToShard keeps the event-stream framing, and each event's payload is CBOR:
    Data as a byte string, timestamps as tag 1, as AWS answers the Java SDK."""
    from botocore.eventstream import EventStreamBuffer

    call("CreateStream", {"StreamName": "fan", "ShardCount": 1})
    _, _, described = call("DescribeStream", {"StreamName": "fan"})
    arn = described["StreamDescription"]["StreamARN"]
    _, _, registered = call("RegisterStreamConsumer", {"StreamARN": arn, "ConsumerName": "c1"})
    consumer = registered["Consumer"]["ConsumerARN"]
    call("PutRecord", {"StreamName": "fan", "Data": b"\x00--RECORD--\xff", "PartitionKey": "k"})

    url = urlparse(lakebox_server.endpoint_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("POST", "/", cbor2.dumps({"ConsumerARN": consumer, "ShardId": "shardId-000000000000",
                                           "StartingPosition": {"Type": "TRIM_HORIZON"}}),
                 {"X-Amz-Target": "Kinesis_20131202.SubscribeToShard", "Content-Type": CBOR})
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/vnd.amazon.eventstream"
    buffer, events = EventStreamBuffer(), []
    while not any(m.headers[":event-type"] == "SubscribeToShardEvent" for m in events):
        chunk = response.read1(65536)
        assert chunk, "the stream ended before the first event"
        buffer.add_data(chunk)
        events += list(buffer)
    conn.close()
    initial, event = events[0], events[1]
    assert (initial.headers[":event-type"], initial.headers[":content-type"]) == ("initial-response", CBOR)
    assert cbor2.loads(initial.payload) == {}
    assert event.headers[":content-type"] == CBOR
    decoded = cbor2.loads(event.payload, semantic_decoders={1: cbor_millis})
    (record,) = decoded["Records"]
    assert record["Data"] == b"\x00--RECORD--\xff" and record["PartitionKey"] == "k"
    assert isinstance(record["ApproximateArrivalTimestamp"], dt.datetime)
    assert decoded["ContinuationSequenceNumber"] == record["SequenceNumber"]
