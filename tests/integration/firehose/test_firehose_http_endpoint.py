"""Firehose to an HTTP endpoint: records POSTed in Firehose's documented request format to a
receiver on localhost, retried while it refuses them, then kept in S3 as failed records."""

from __future__ import annotations

import base64
import gzip
import http.server
import json
import threading

import pytest
from botocore.exceptions import ClientError
from firehose_helpers import ROLE, client, objects

STREAM = "to-http"


class Receiver:
    """An HTTP endpoint that records every request and answers as `reply(request_id)` says."""

    def __init__(self):
        self.requests: list[dict] = []
        self.reply = lambda request_id: (200, json.dumps({"requestId": request_id, "timestamp": 1}).encode())
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the standard library's name
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                body = gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
                status, payload = receiver.reply(self.headers["X-Amz-Firehose-Request-Id"])
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ingest?token=t1"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def records(self, index: int = -1) -> list[bytes]:
        return [base64.b64decode(r["data"]) for r in self.requests[index]["body"]["records"]]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


def _destination(url: str, **extra) -> dict:
    return {"EndpointConfiguration": {"Url": url, "Name": "collector", "AccessKey": "secret-key"},
            "RoleARN": ROLE,
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
            "S3Configuration": {"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::lake", "Prefix": "backup/",
                                "ErrorOutputPrefix": "failed/!{firehose:error-output-type}/"},
            **extra}


def test_records_are_posted_in_the_documented_format(firehose, s3, lake, lakebox_server, receiver):
    arn = firehose.create_delivery_stream(DeliveryStreamName=STREAM, HttpEndpointDestinationConfiguration=_destination(
        receiver.url, RequestConfiguration={"CommonAttributes": [{"AttributeName": "env", "AttributeValue": "ci"}]},
    ))["DeliveryStreamARN"]
    firehose.put_record_batch(DeliveryStreamName=STREAM, Records=[{"Data": f"event-{i}\n".encode()} for i in range(3)])
    assert receiver.requests == []  # buffered for 60 s of the service clock
    lakebox_server.advance_clock("61s")
    assert len(receiver.requests) == 1
    sent = receiver.requests[0]
    assert receiver.records() == [b"event-0\n", b"event-1\n", b"event-2\n"]
    assert sent["path"] == "/ingest?token=t1"
    headers = sent["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Amz-Firehose-Protocol-Version"] == "1.0"
    assert headers["X-Amz-Firehose-Source-Arn"] == arn
    assert headers["X-Amz-Firehose-Access-Key"] == "secret-key"
    assert json.loads(headers["X-Amz-Firehose-Common-Attributes"]) == {"commonAttributes": {"env": "ci"}}
    assert "Content-Encoding" not in headers
    assert sent["body"]["requestId"] == headers["X-Amz-Firehose-Request-Id"]
    assert isinstance(sent["body"]["timestamp"], int)
    assert objects(s3) == {}  # FailedDataOnly: nothing in S3


def test_describe_shows_the_endpoint_but_never_its_access_key(firehose, lake, receiver):
    firehose.create_delivery_stream(DeliveryStreamName=STREAM, HttpEndpointDestinationConfiguration=_destination(receiver.url))
    described = firehose.describe_delivery_stream(DeliveryStreamName=STREAM)["DeliveryStreamDescription"]
    shown = described["Destinations"][0]["HttpEndpointDestinationDescription"]
    assert shown["EndpointConfiguration"] == {"Url": receiver.url, "Name": "collector"}
    assert shown["BufferingHints"] == {"SizeInMBs": 1, "IntervalInSeconds": 60}
    assert shown["RetryOptions"] == {"DurationInSeconds": 300}
    assert shown["RequestConfiguration"] == {"ContentEncoding": "NONE"}
    assert shown["S3BackupMode"] == "FailedDataOnly"
    assert shown["S3DestinationDescription"]["BucketARN"] == "arn:aws:s3:::lake"
    assert shown["S3DestinationDescription"]["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 300}
    assert "ExtendedS3DestinationDescription" not in described["Destinations"][0]


def test_defaults_buffer_five_minutes(firehose, lake, lakebox_server, receiver):
    destination = _destination(receiver.url)
    del destination["BufferingHints"]
    firehose.create_delivery_stream(DeliveryStreamName=STREAM, HttpEndpointDestinationConfiguration=destination)
    firehose.put_record(DeliveryStreamName=STREAM, Record={"Data": b"x"})
    lakebox_server.advance_clock("290s")
    assert receiver.requests == []
    lakebox_server.advance_clock("11s")
    assert receiver.records() == [b"x"]


def test_gzip_content_encoding(firehose, lake, lakebox_server, receiver):
    firehose.create_delivery_stream(DeliveryStreamName=STREAM, HttpEndpointDestinationConfiguration=_destination(
        receiver.url, RequestConfiguration={"ContentEncoding": "GZIP"}))
    firehose.put_record(DeliveryStreamName=STREAM, Record={"Data": b"compressed " * 100})
    lakebox_server.advance_clock("61s")
    assert receiver.requests[0]["headers"]["Content-Encoding"] == "gzip"
    assert receiver.records() == [b"compressed " * 100]


def test_refused_delivery_is_retried_with_the_same_request_id(firehose, lake, lakebox_server, receiver):
    """Delivery passes also run once a second of wall time, so the number of failed attempts
    depends on the machine's pace; what may not vary is the request id, and that an accepted
    batch is never sent again."""
    firehose.create_delivery_stream(DeliveryStreamName=STREAM, HttpEndpointDestinationConfiguration=_destination(receiver.url))
    receiver.reply = lambda request_id: (503, b'{"errorMessage": "busy"}')
    firehose.put_record(DeliveryStreamName=STREAM, Record={"Data": b"keep me"})
    lakebox_server.advance_clock("61s")
    assert len(receiver.requests) >= 1
    receiver.reply = lambda request_id: (200, json.dumps({"requestId": request_id, "timestamp": 2}).encode())
    lakebox_server.advance_clock("1s")
    sent = len(receiver.requests)
    assert sent >= 2
    assert len({r["headers"]["X-Amz-Firehose-Request-Id"] for r in receiver.requests}) == 1
    assert receiver.records() == [b"keep me"]
    lakebox_server.advance_clock("10m")
    assert len(receiver.requests) == sent  # accepted once: never sent again


@pytest.mark.parametrize("reply, code", [
    ((500, b"boom"), "HttpEndpoint.DestinationException"),
    ((202, b"{}"), "HttpEndpoint.DestinationException"),  # only 200 is success
    ((200, b""), "HttpEndpoint.InvalidResponseFromDestination"),
    ((200, b'{"requestId": "another", "timestamp": 1}'), "HttpEndpoint.InvalidResponseFromDestination"),
])
def test_records_go_to_s3_once_the_retry_window_ends(firehose, s3, lake, lakebox_server, receiver, reply, code):
    firehose.create_delivery_stream(DeliveryStreamName=STREAM, HttpEndpointDestinationConfiguration=_destination(
        receiver.url, RetryOptions={"DurationInSeconds": 120}))
    receiver.reply = lambda request_id: reply
    firehose.put_record_batch(DeliveryStreamName=STREAM, Records=[{"Data": b"a"}, {"Data": b"b"}])
    lakebox_server.advance_clock("61s")
    assert objects(s3) == {}  # first attempt failed: retried while the window lasts
    lakebox_server.advance_clock("121s")
    failed = objects(s3, prefix="failed/")
    attempts = len(receiver.requests)
    assert attempts >= 2
    assert len(failed) == 1
    key, body = next(iter(failed.items()))
    assert key.startswith("failed/http-endpoint-failed/")
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert [base64.b64decode(line["rawData"]) for line in lines] == [b"a", b"b"]
    assert {line["errorCode"] for line in lines} == {code}
    assert {line["attemptsMade"] for line in lines} == {attempts}
    lakebox_server.advance_clock("10m")
    assert len(receiver.requests) == attempts  # the batch is done with


def test_unreachable_endpoint_fails_without_retries_when_the_window_is_zero(firehose, s3, lake, lakebox_server):
    firehose.create_delivery_stream(DeliveryStreamName=STREAM, HttpEndpointDestinationConfiguration=_destination(
        "http://127.0.0.1:9/", RetryOptions={"DurationInSeconds": 0}))
    firehose.put_record(DeliveryStreamName=STREAM, Record={"Data": b"lost?"})
    lakebox_server.advance_clock("61s")
    (body,) = objects(s3, prefix="failed/http-endpoint-failed/").values()
    line = json.loads(body)
    assert line["errorCode"] == "HttpEndpoint.ConnectionFailed"
    assert base64.b64decode(line["rawData"]) == b"lost?"


def test_all_data_backup_writes_every_batch_to_s3(firehose, s3, lake, lakebox_server, receiver):
    firehose.create_delivery_stream(DeliveryStreamName=STREAM, HttpEndpointDestinationConfiguration=_destination(
        receiver.url, S3BackupMode="AllData"))
    firehose.put_record_batch(DeliveryStreamName=STREAM, Records=[{"Data": b"r1\n"}, {"Data": b"r2\n"}])
    lakebox_server.advance_clock("61s")
    assert receiver.records() == [b"r1\n", b"r2\n"]
    backup = objects(s3, prefix="backup/")
    assert list(backup.values()) == [b"r1\nr2\n"]
    assert next(iter(backup)).startswith("backup/") and STREAM in next(iter(backup))


def test_update_destination_changes_the_endpoint(firehose, lake, lakebox_server, receiver):
    other = Receiver()
    try:
        firehose.create_delivery_stream(DeliveryStreamName=STREAM, HttpEndpointDestinationConfiguration=_destination(receiver.url))
        firehose.update_destination(DeliveryStreamName=STREAM, CurrentDeliveryStreamVersionId="1",
                                    DestinationId="destinationId-000000000001",
                                    HttpEndpointDestinationUpdate={"EndpointConfiguration": {"Url": other.url, "Name": "new"},
                                                                   "S3Update": {"Prefix": "moved/"}})
        described = firehose.describe_delivery_stream(DeliveryStreamName=STREAM)["DeliveryStreamDescription"]
        shown = described["Destinations"][0]["HttpEndpointDestinationDescription"]
        assert shown["EndpointConfiguration"] == {"Url": other.url, "Name": "new"}
        assert shown["S3DestinationDescription"]["Prefix"] == "moved/"
        assert described["VersionId"] == "2" and "LastUpdateTimestamp" in described
        firehose.put_record(DeliveryStreamName=STREAM, Record={"Data": b"to the new one"})
        lakebox_server.advance_clock("61s")
        assert receiver.requests == [] and other.records() == [b"to the new one"]
        assert "X-Amz-Firehose-Access-Key" not in other.requests[0]["headers"]  # the update's endpoint has none
    finally:
        other.server.shutdown()
        other.server.server_close()


def test_changing_to_another_destination_type_without_its_bucket_is_refused(firehose, lake, receiver):
    firehose.create_delivery_stream(DeliveryStreamName=STREAM, HttpEndpointDestinationConfiguration=_destination(receiver.url))
    with pytest.raises(ClientError) as caught:
        firehose.update_destination(DeliveryStreamName=STREAM, CurrentDeliveryStreamVersionId="1",
                                    DestinationId="destinationId-000000000001",
                                    ExtendedS3DestinationUpdate={"Prefix": "x/"})
    assert caught.value.response["Error"]["Code"] == "InvalidArgumentException"


@pytest.mark.parametrize("change, message", [
    ({"EndpointConfiguration": {"Url": "ftp://example.com/in"}}, "must be an https://"),
    ({"SecretsManagerConfiguration": {"Enabled": True, "SecretARN": "arn:aws:secretsmanager:us-east-1:000000000000:secret:k"}},
     "Secrets Manager"),
    ({"ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
        {"ParameterName": "LambdaArn", "ParameterValue": "arn:aws:lambda:us-east-1:000000000000:function:f"}]}]}},
     "Lambda"),
])
def test_bad_configurations_are_refused_and_nothing_is_created(firehose, lake, receiver, change, message):
    with pytest.raises(ClientError) as caught:
        firehose.create_delivery_stream(DeliveryStreamName=STREAM,
                                        HttpEndpointDestinationConfiguration={**_destination(receiver.url), **change})
    assert caught.value.response["Error"]["Code"] == "InvalidArgumentException"
    assert message in caught.value.response["Error"]["Message"]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_buffer_size_over_the_model_limit_is_a_validation_error(raw_firehose, lake, receiver):
    with pytest.raises(ClientError) as caught:
        raw_firehose.create_delivery_stream(DeliveryStreamName=STREAM, HttpEndpointDestinationConfiguration=_destination(
            receiver.url, BufferingHints={"SizeInMBs": 65, "IntervalInSeconds": 60}))
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert "less than or equal to 64" in error["Message"]


def test_a_kinesis_sourced_stream_posts_the_streams_records(firehose, lake, lakebox_server, receiver):
    kinesis = client(lakebox_server, "kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=2)
    arn = kinesis.describe_stream_summary(StreamName="clicks")["StreamDescriptionSummary"]["StreamARN"]
    firehose.create_delivery_stream(DeliveryStreamName=STREAM, DeliveryStreamType="KinesisStreamAsSource",
                                    KinesisStreamSourceConfiguration={"KinesisStreamARN": arn, "RoleARN": ROLE},
                                    HttpEndpointDestinationConfiguration=_destination(receiver.url))
    sent = [f"click-{i}".encode() for i in range(10)]
    kinesis.put_records(StreamName="clicks", Records=[{"Data": d, "PartitionKey": f"user{i}"} for i, d in enumerate(sent)])
    lakebox_server.advance_clock("61s")
    received = [record for index in range(len(receiver.requests)) for record in receiver.records(index)]
    assert sorted(received) == sorted(sent)
