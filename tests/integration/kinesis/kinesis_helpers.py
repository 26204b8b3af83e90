"""The boto3 kinesis client the Kinesis tests use, and small readers over it."""

from __future__ import annotations

import boto3
from botocore.config import Config


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
