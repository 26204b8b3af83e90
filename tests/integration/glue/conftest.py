"""Fixtures for the Glue integration tests: a boto3 Glue client on a real lakebox server, and a
database with a partitioned table to work in."""

from __future__ import annotations

import pytest
from crawler_helpers import make_s3
from glue_helpers import ORDER_KEYS, make_glue, storage


@pytest.fixture
def glue(lakebox_server):
    return make_glue(lakebox_server.endpoint_url)


@pytest.fixture
def orders(glue):
    """Database raw_data with table orders partitioned by year, month, day (as the guide's)."""
    glue.create_database(DatabaseInput={"Name": "raw_data"})
    glue.create_table(DatabaseName="raw_data", TableInput={
        "Name": "orders", "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "json"},
        "StorageDescriptor": storage("s3://my-data-lake/bronze/orders/"), "PartitionKeys": ORDER_KEYS})
    return "raw_data", "orders"


@pytest.fixture
def s3(lakebox_server):
    """An S3 client, with the bucket `lake` created (a test file that needs another bucket defines
    its own `s3`)."""
    client = make_s3(lakebox_server.endpoint_url)
    client.create_bucket(Bucket="lake")
    return client
