"""Fixtures for the Firehose integration tests: boto3 clients on a real lakebox server."""

from __future__ import annotations

import pytest
from firehose_helpers import client


@pytest.fixture
def firehose(lakebox_server):
    return client(lakebox_server, "firehose")


@pytest.fixture
def raw_firehose(lakebox_server):
    """A client that sends bad input as it is, to see the server's own errors."""
    return client(lakebox_server, "firehose", validate=False)


@pytest.fixture
def s3(lakebox_server):
    return client(lakebox_server, "s3")


@pytest.fixture
def lake(s3):
    s3.create_bucket(Bucket="lake")
    return "lake"
