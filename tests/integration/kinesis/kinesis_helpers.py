"""The boto3 kinesis client the Kinesis tests use, small readers over it, and raw CBOR requests (as the
Java SDK and the KCL send them)."""

from __future__ import annotations

import datetime as dt
import http.client
from urllib.parse import urlparse

import boto3
import cbor2
from botocore.config import Config

CBOR = "application/x-amz-cbor-1.1"


def make_kinesis_client(endpoint_url: str, *, validate: bool = True):
    """`validate=False` turns off boto3's own checks, so that bad input reaches the server."""
    return boto3.client("kinesis", endpoint_url=endpoint_url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, parameter_validation=validate))


def read_shard(kinesis, stream: str, shard_id: str, iterator_type: str = "TRIM_HORIZON", **kwargs) -> list[dict]:
    """Every record from `iterator_type` to the current end of one shard."""
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id, ShardIteratorType=iterator_type,
                                          **kwargs)["ShardIterator"]
    records = []
    while iterator:
        page = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
        records += page["Records"]
        iterator = page.get("NextShardIterator")
        if not page["Records"] and page["MillisBehindLatest"] == 0:
            break
    return records


def shard_ids(kinesis, stream: str) -> list[str]:
    return [s["ShardId"] for s in kinesis.list_shards(StreamName=stream)["Shards"]]


def cbor_millis(value, immutable=False):
    """Tag 1 as AWS's Kinesis writes it: whole epoch milliseconds, never a float."""
    assert isinstance(value, int), f"tag 1 carries {value!r}, not whole milliseconds"
    return dt.datetime.fromtimestamp(value / 1000, dt.timezone.utc)


def cbor_request(endpoint_url: str, operation: str, body, content_type: str = CBOR,
                 decode: bool = True) -> tuple[int, dict, bytes, object]:
    """POST one Kinesis operation with a CBOR body (or `body` as given, if bytes): status, headers
    (lower-case names), the raw answer and, when it is CBOR, the answer decoded."""
    url = urlparse(endpoint_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    payload = body if isinstance(body, bytes) else cbor2.dumps(body, datetime_as_timestamp=True)
    conn.request("POST", "/", payload, {"X-Amz-Target": f"Kinesis_20131202.{operation}", "Content-Type": content_type})
    response = conn.getresponse()
    raw = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    conn.close()
    decoded = cbor2.loads(raw, semantic_decoders={1: cbor_millis}) if decode and headers.get("content-type") == CBOR \
        else raw
    return response.status, headers, raw, decoded
