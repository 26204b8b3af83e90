"""Fixtures for the EMR integration tests: boto3 clients on a real lakebox server.

The tests that start Spark drivers (test_emr_guide.py, test_emr_restart.py) build their own
servers, shared by a module, to keep JVM starts few; the others use the per-test `lakebox_server`.
"""

from __future__ import annotations

import pytest
from emr_helpers import client


@pytest.fixture
def emr(lakebox_server):
    return client(lakebox_server.endpoint_url, "emr")


@pytest.fixture
def raw_emr(lakebox_server):
    """A client that sends bad input as it is, to see the server's own errors."""
    return client(lakebox_server.endpoint_url, "emr", validate=False)


@pytest.fixture
def s3(lakebox_server):
    """An S3 client with the bucket `logs` created, for clusters' LogUri."""
    s3 = client(lakebox_server.endpoint_url, "s3")
    s3.create_bucket(Bucket="logs")
    return s3
