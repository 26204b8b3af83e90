"""Fixtures for the Athena integration tests: boto3 Athena and S3 clients on a real lakebox server,
and a results bucket."""

from __future__ import annotations

import pytest
from athena_helpers import make_client


@pytest.fixture
def athena(lakebox_server):
    return make_client("athena", lakebox_server.endpoint_url)


@pytest.fixture
def s3(lakebox_server):
    return make_client("s3", lakebox_server.endpoint_url)


@pytest.fixture
def results(s3):
    """A bucket for query results; returns the OutputLocation to give queries."""
    s3.create_bucket(Bucket="athena-results")
    return "s3://athena-results/queries/"
