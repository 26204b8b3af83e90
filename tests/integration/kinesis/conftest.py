"""Fixtures for the Kinesis integration tests: a boto3 kinesis client on a real lakebox server."""

from __future__ import annotations

import pytest
from kinesis_helpers import make_kinesis_client


@pytest.fixture
def kinesis(lakebox_server):
    return make_kinesis_client(lakebox_server.endpoint_url)


@pytest.fixture
def raw_kinesis(lakebox_server):
    """A client that sends bad input as it is, to see the server's own errors."""
    return make_kinesis_client(lakebox_server.endpoint_url, validate=False)
