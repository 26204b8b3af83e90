"""Clients, a stream factory and object readers shared by the Firehose integration tests."""

from __future__ import annotations

import time

import boto3
from botocore.config import Config

ROLE = "arn:aws:iam::000000000000:role/firehose"


def client(server, service: str, *, validate: bool = True):
    return boto3.client(service, endpoint_url=server.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, parameter_validation=validate))


def s3_destination(bucket: str = "lake", **extra) -> dict:
    return {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}", **extra}


def create(firehose, name: str, *, extended: bool = True, **destination) -> str:
    key = "ExtendedS3DestinationConfiguration" if extended else "S3DestinationConfiguration"
    return firehose.create_delivery_stream(DeliveryStreamName=name, **{key: s3_destination(**destination)})[
        "DeliveryStreamARN"]


def objects(s3, bucket: str = "lake", prefix: str = "") -> dict[str, bytes]:
    """Every object under `prefix`, key -> bytes."""
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listing}


def wait_for_objects(s3, bucket: str = "lake", prefix: str = "", timeout: float = 10.0) -> dict[str, bytes]:
    """Objects once at least one exists (delivery runs on a one-second timer of wall time)."""
    deadline = time.monotonic() + timeout
    while True:
        found = objects(s3, bucket, prefix)
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)
