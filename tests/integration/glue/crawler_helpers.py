"""Helpers for the crawler tests: an S3 client, writing small files into the lake, and running a crawl
to its end."""

from __future__ import annotations

import gzip
import io
import json
import time

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
from glue_helpers import REGION

ROLE = "arn:aws:iam::123456789:role/GlueServiceRole"


def make_s3(endpoint_url: str):
    return boto3.client("s3", endpoint_url=endpoint_url, region_name=REGION, aws_access_key_id="test",
                        aws_secret_access_key="test")


def make_logs(endpoint_url: str):
    return boto3.client("logs", endpoint_url=endpoint_url, region_name=REGION, aws_access_key_id="test",
                        aws_secret_access_key="test")


def put_json_lines(s3, bucket: str, key: str, records: list[dict], *, gzipped: bool = False) -> None:
    body = "".join(json.dumps(r) + "\n" for r in records).encode()
    s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(body) if gzipped else body)


def put_text(s3, bucket: str, key: str, text: str) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=text.encode())


def put_parquet(s3, bucket: str, key: str, columns: dict) -> None:
    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink)
    s3.put_object(Bucket=bucket, Key=key, Body=sink.getvalue())


def wait_ready(glue, name: str, timeout: float = 30.0) -> dict:
    """The crawler once it is READY again after a crawl, with its LastCrawl."""
    deadline = time.monotonic() + timeout
    while True:
        crawler = glue.get_crawler(Name=name)["Crawler"]
        if crawler["State"] == "READY" and "LastCrawl" in crawler:
            return crawler
        if time.monotonic() > deadline:
            raise AssertionError(f"crawler {name} still {crawler['State']} after {timeout}s")
        time.sleep(0.05)


def crawl(glue, name: str, timeout: float = 30.0) -> dict:
    """Start the crawler and wait for this crawl's end; the crawler afterwards."""
    before = glue.get_crawler(Name=name)["Crawler"].get("LastCrawl", {}).get("MessagePrefix")
    glue.start_crawler(Name=name)
    deadline = time.monotonic() + timeout
    while True:
        crawler = wait_ready(glue, name, timeout)
        if crawler["LastCrawl"].get("MessagePrefix") != before:
            return crawler
        if time.monotonic() > deadline:
            raise AssertionError(f"crawler {name} did not finish a new crawl")
        time.sleep(0.05)


def columns(table_or_partition: dict) -> list[tuple[str, str]]:
    return [(c["Name"], c["Type"]) for c in table_or_partition["StorageDescriptor"]["Columns"]]


ORDERS = [
    {"order_id": 1001, "customer_id": "c-1", "amount": 25.5, "status": "shipped",
     "order_timestamp": "2024-01-15 10:00:00"},
    {"order_id": 1002, "customer_id": "c-2", "amount": 10.0, "status": "pending",
     "order_timestamp": "2024-01-15 11:30:00"},
]
