"""HTTP/2 over cleartext with prior knowledge (h2c), as the JavaScript SDK's Kinesis client and the
Java SDK's async clients speak it, on the same port as HTTP/1.1.

Requests are SigV4-signed by botocore and sent by httpx over HTTP/2 (or, where a test needs to
misbehave on purpose, by the `h2` library's client over a plain socket). Every test reads back the
data: records, object bytes, event-stream events.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import socket
import struct
import time
from urllib.parse import urlparse

import boto3
import h2.config
import h2.connection
import h2.errors
import h2.events
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def _signed_headers(method: str, url: str, body: bytes, service: str, headers: dict) -> dict:
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(Credentials("test", "test"), service, "us-east-1").add_auth(request)
    return dict(request.headers.items())


def _kinesis_request(endpoint: str, operation: str, payload: dict) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    headers = _signed_headers("POST", endpoint + "/", body, "kinesis", {
        "X-Amz-Target": f"Kinesis_20131202.{operation}", "Content-Type": "application/x-amz-json-1.1"})
    return body, headers


def _kinesis(client: httpx.Client, endpoint: str, operation: str, payload: dict) -> dict:
    body, headers = _kinesis_request(endpoint, operation, payload)
    response = client.post(endpoint + "/", content=body, headers=headers)
    assert response.http_version == "HTTP/2"
    assert response.status_code == 200, response.text
    return response.json() if response.content else {}  # an operation without output answers no body


@pytest.fixture
def s3(lakebox_server):
    return boto3.client("s3", endpoint_url=lakebox_server.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


@pytest.fixture
def h2_client():
    with httpx.Client(http1=False, http2=True, timeout=30) as client:
        yield client


def _wait_active(client, endpoint: str, stream: str) -> None:
    for _ in range(100):
        summary = _kinesis(client, endpoint, "DescribeStreamSummary", {"StreamName": stream})
        if summary["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
            return
        time.sleep(0.05)
    raise AssertionError(f"stream {stream} never became ACTIVE")


def test_kinesis_records_round_trip_over_http2(lakebox_server, h2_client):
    endpoint = lakebox_server.endpoint_url
    _kinesis(h2_client, endpoint, "CreateStream", {"StreamName": "h2", "ShardCount": 1})
    _wait_active(h2_client, endpoint, "h2")
    put = _kinesis(h2_client, endpoint, "PutRecord", {"StreamName": "h2", "PartitionKey": "p",
                                                      "Data": base64.b64encode(b"over h2").decode()})
    assert put["ShardId"] == "shardId-000000000000"
    iterator = _kinesis(h2_client, endpoint, "GetShardIterator", {
        "StreamName": "h2", "ShardId": put["ShardId"], "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
    records = _kinesis(h2_client, endpoint, "GetRecords", {"ShardIterator": iterator})["Records"]
    assert [base64.b64decode(r["Data"]) for r in records] == [b"over h2"]
    assert records[0]["SequenceNumber"] == put["SequenceNumber"]


def test_concurrent_streams_on_one_connection(lakebox_server, h2_client):
    endpoint = lakebox_server.endpoint_url
    _kinesis(h2_client, endpoint, "CreateStream", {"StreamName": "many", "ShardCount": 1})
    _wait_active(h2_client, endpoint, "many")

    async def put_all() -> list[str]:
        # One asyncio client, so 64 streams are open at once on its one connection. (A client shared by
        # threads may send a new stream's HEADERS after a later-numbered one's, which RFC 9113 makes a
        # connection error: the server rightly ends such a connection.)
        async with httpx.AsyncClient(http1=False, http2=True, timeout=30) as client:
            async def put(i: int) -> str:
                body, headers = _kinesis_request(endpoint, "PutRecord", {
                    "StreamName": "many", "PartitionKey": str(i), "Data": base64.b64encode(b"r%d" % i).decode()})
                response = await client.post(endpoint + "/", content=body, headers=headers)
                assert (response.http_version, response.status_code) == ("HTTP/2", 200), response.text
                return response.json()["SequenceNumber"]

            return await asyncio.gather(*(put(i) for i in range(64)))

    sequences = asyncio.run(put_all())
    assert len(set(sequences)) == 64
    iterator = _kinesis(h2_client, endpoint, "GetShardIterator", {
        "StreamName": "many", "ShardId": "shardId-000000000000", "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
    records = _kinesis(h2_client, endpoint, "GetRecords", {"ShardIterator": iterator})["Records"]
    assert sorted(base64.b64decode(r["Data"]) for r in records) == sorted(b"r%d" % i for i in range(64))


def test_large_bodies_both_ways_respect_flow_control(lakebox_server, h2_client, s3):
    """5 MiB up and down: far beyond the 64 KiB windows both sides start with."""
    endpoint = lakebox_server.endpoint_url
    s3.create_bucket(Bucket="h2-bucket")
    data = os.urandom(5 << 20)
    url = endpoint + "/h2-bucket/big.bin"
    headers = _signed_headers("PUT", url, data, "s3", {"x-amz-content-sha256": hashlib.sha256(data).hexdigest()})
    put = h2_client.put(url, content=data, headers=headers)
    assert (put.http_version, put.status_code) == ("HTTP/2", 200)
    assert put.headers["etag"] == f'"{hashlib.md5(data).hexdigest()}"'
    get = h2_client.get(url, headers=_signed_headers("GET", url, b"", "s3", {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}))
    assert (get.http_version, get.status_code) == ("HTTP/2", 200)
    assert get.content == data
    assert s3.get_object(Bucket="h2-bucket", Key="big.bin")["Body"].read() == data


def test_errors_keep_their_envelope_over_http2(lakebox_server, h2_client):
    endpoint = lakebox_server.endpoint_url
    body, headers = _kinesis_request(endpoint, "DescribeStreamSummary", {"StreamName": "missing"})
    response = h2_client.post(endpoint + "/", content=body, headers=headers)
    assert (response.http_version, response.status_code) == ("HTTP/2", 400)
    assert response.json()["__type"] == "ResourceNotFoundException"
    assert response.headers["x-amzn-requestid"]


def _events(buffer: EventStreamBuffer, chunk: bytes) -> list[tuple[str, dict]]:
    buffer.add_data(chunk)
    out = []
    for message in buffer:
        headers = message.headers
        out.append((headers.get(":event-type") or headers.get(":exception-type"), json.loads(message.payload or b"{}")))
    return out


def _subscribe_headers(endpoint: str, consumer_arn: str) -> tuple[list, bytes]:
    body, headers = _kinesis_request(endpoint, "SubscribeToShard", {
        "ConsumerARN": consumer_arn, "ShardId": "shardId-000000000000", "StartingPosition": {"Type": "TRIM_HORIZON"}})
    pseudo = [(b":method", b"POST"), (b":scheme", b"http"), (b":authority", urlparse(endpoint).netloc.encode()),
              (b":path", b"/")]
    return pseudo + [(k.lower().encode(), v.encode()) for k, v in headers.items() if k.lower() != "host"], body


def _first_events(sock, conn, stream_id: int, until: str) -> tuple[int, list[tuple[str, dict]]]:
    """Read one stream's status and event-stream events until an `until` event (or its end)."""
    status, buffer, seen = None, EventStreamBuffer(), []
    while True:
        data = sock.recv(65536)
        assert data, "the connection closed"
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream_id:
                status = int(dict(event.headers)[b":status"])
            elif isinstance(event, h2.events.DataReceived) and event.stream_id == stream_id:
                conn.acknowledge_received_data(event.flow_controlled_length, stream_id)
                if status == 200:
                    seen += _events(buffer, event.data)
                else:
                    seen.append((json.loads(event.data)["__type"], json.loads(event.data)))
            elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream_id:
                sock.sendall(conn.data_to_send())
                return status, seen
        sock.sendall(conn.data_to_send())
        if any(kind == until for kind, _ in seen):
            return status, seen


def test_subscribe_to_shard_streams_events_over_http2_until_the_client_resets(lakebox_server, h2_client):
    endpoint = lakebox_server.endpoint_url
    _kinesis(h2_client, endpoint, "CreateStream", {"StreamName": "fanout", "ShardCount": 1})
    _wait_active(h2_client, endpoint, "fanout")
    arn = _kinesis(h2_client, endpoint, "DescribeStreamSummary", {"StreamName": "fanout"})["StreamDescriptionSummary"]["StreamARN"]
    consumer = _kinesis(h2_client, endpoint, "RegisterStreamConsumer", {"StreamARN": arn, "ConsumerName": "c"})["Consumer"]
    for _ in range(100):
        described = _kinesis(h2_client, endpoint, "DescribeStreamConsumer", {"ConsumerARN": consumer["ConsumerARN"]})
        if described["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE":
            break
        time.sleep(0.05)
    _kinesis(h2_client, endpoint, "PutRecord", {"StreamName": "fanout", "PartitionKey": "k",
                                                "Data": base64.b64encode(b"first").decode()})
    headers, body = _subscribe_headers(endpoint, consumer["ConsumerARN"])
    sock, conn = _raw_client(endpoint)
    with sock:
        conn.send_headers(1, headers)
        conn.send_data(1, body, end_stream=True)
        sock.sendall(conn.data_to_send())
        status, seen = _first_events(sock, conn, 1, until="SubscribeToShardEvent")
        assert status == 200, seen
        assert seen[0][0] == "initial-response"
        records = [base64.b64decode(r["Data"]) for kind, event in seen if kind == "SubscribeToShardEvent"
                   for r in event["Records"]]
        assert records == [b"first"]
        # The client cancels its stream: the server ends the subscription, so the consumer may
        # subscribe to the shard again (one subscription per consumer and shard at a time).
        conn.reset_stream(1, h2.errors.ErrorCodes.CANCEL)
        sock.sendall(conn.data_to_send())
        for stream_id in range(3, 103, 2):
            conn.send_headers(stream_id, headers)
            conn.send_data(stream_id, body, end_stream=True)
            sock.sendall(conn.data_to_send())
            status, seen = _first_events(sock, conn, stream_id, until="initial-response")
            if status == 200:
                assert seen[0][0] == "initial-response"
                break
            assert seen[0][0] == "ResourceInUseException"
            time.sleep(0.1)
        else:
            raise AssertionError("the cancelled subscription was never released")


# -- raw HTTP/2, with the h2 library as the client --------------------------------------------------

def _raw_client(endpoint: str) -> tuple[socket.socket, h2.connection.H2Connection]:
    url = urlparse(endpoint)
    sock = socket.create_connection((url.hostname, url.port), timeout=10)
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    return sock, conn


def _raw_get(endpoint: str, path: str, extra: dict) -> list[tuple[bytes, bytes]]:
    url = endpoint + path
    headers = _signed_headers("GET", url, b"", "s3", {"x-amz-content-sha256": "UNSIGNED-PAYLOAD", **extra})
    return [(b":method", b"GET"), (b":scheme", b"http"), (b":authority", urlparse(endpoint).netloc.encode()),
            (b":path", path.encode())] + [(k.lower().encode(), v.encode()) for k, v in headers.items()
                                          if k.lower() != "host"]


def _read_response(sock, conn, stream_id: int) -> tuple[int, bytes, list]:
    status, body, seen = None, bytearray(), []
    while True:
        data = sock.recv(65536)
        if not data:
            break
        for event in conn.receive_data(data):
            seen.append(event)
            if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream_id:
                status = int(dict(event.headers)[b":status"])
            elif isinstance(event, h2.events.DataReceived) and event.stream_id == stream_id:
                body += event.data
                conn.acknowledge_received_data(event.flow_controlled_length, stream_id)
            elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream_id:
                sock.sendall(conn.data_to_send())
                return status, bytes(body), seen
        sock.sendall(conn.data_to_send())
    return status, bytes(body), seen


def test_a_client_goaway_still_gets_the_response_it_asked_for(lakebox_server, s3):
    """The JavaScript SDK sends GOAWAY (no error) once the response headers arrive, while the body
    is still on its way: the open stream must still be answered in full (RFC 9113 section 6.8)."""
    s3.create_bucket(Bucket="goaway")
    data = os.urandom(3 << 20)
    s3.put_object(Bucket="goaway", Key="obj", Body=data)
    sock, conn = _raw_client(lakebox_server.endpoint_url)
    with sock:
        conn.send_headers(1, _raw_get(lakebox_server.endpoint_url, "/goaway/obj", {}), end_stream=True)
        # GOAWAY, NO_ERROR, right behind the request, written by hand: the client-side h2 would
        # stop reading once it has sent one.
        goaway = struct.pack(">II", 0, 0)
        sock.sendall(conn.data_to_send() + len(goaway).to_bytes(3, "big") + b"\x07\x00" + b"\x00" * 4 + goaway)
        status, body, _ = _read_response(sock, conn, 1)
    assert status == 200
    assert body == data


def test_a_preface_split_across_packets_is_recognised(lakebox_server, s3):
    s3.create_bucket(Bucket="split")
    s3.put_object(Bucket="split", Key="k", Body=b"split preface")
    url = urlparse(lakebox_server.endpoint_url)
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
    conn.initiate_connection()
    conn.send_headers(1, _raw_get(lakebox_server.endpoint_url, "/split/k", {}), end_stream=True)
    opening = conn.data_to_send()
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for piece in (opening[:5], opening[5:30], opening[30:]):
            sock.sendall(piece)
            time.sleep(0.05)
        status, body, _ = _read_response(sock, conn, 1)
    assert (status, body) == (200, b"split preface")


def test_garbage_after_the_preface_is_a_protocol_error_and_the_server_carries_on(lakebox_server, s3):
    url = urlparse(lakebox_server.endpoint_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(PREFACE + b"\x00\x00\x04\x09\x00\x00\x00\x00\x05junk")  # CONTINUATION out of nowhere
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    frames, pos = [], 0
    while pos + 9 <= len(answer):
        length = int.from_bytes(answer[pos:pos + 3], "big")
        frames.append((answer[pos + 3], answer[pos + 9:pos + 9 + length]))
        pos += 9 + length
    goaway = [payload for kind, payload in frames if kind == 0x7]
    assert goaway and struct.unpack(">I", goaway[0][4:8])[0] == 0x1  # PROTOCOL_ERROR
    s3.create_bucket(Bucket="still-serving")
    assert s3.head_bucket(Bucket="still-serving")["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_http1_requests_starting_like_the_preface_are_served(lakebox_server, s3):
    """An HTTP/1.1 request's first byte ("P" of PUT or POST) could still be the start of the
    preface: the server waits for more before it decides."""
    url = urlparse(lakebox_server.endpoint_url)
    body = b"plain http/1.1"
    headers = _signed_headers("PUT", lakebox_server.endpoint_url + "/p-bucket", b"", "s3",
                              {"x-amz-content-sha256": hashlib.sha256(b"").hexdigest(), "Host": url.netloc})
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"PUT /p-bucket HTTP/1.1\r\n{head}Content-Length: 0\r\nConnection: close\r\n\r\n".encode()
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(request[:1])
        time.sleep(0.05)
        sock.sendall(request[1:])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 ")
    s3.put_object(Bucket="p-bucket", Key="k", Body=body)
    assert s3.get_object(Bucket="p-bucket", Key="k")["Body"].read() == body
