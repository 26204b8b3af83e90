"""Fixtures for the S3 integration tests: a boto3 client on a real lakebox server, a fresh bucket,
and a signer for raw requests that boto3 would refuse to send (wrong checksums, chunked bodies)."""

from __future__ import annotations

import uuid

import pytest
from s3_helpers import RawS3, make_client


@pytest.fixture
def s3(lakebox_server):
    return make_client(lakebox_server.endpoint_url)


@pytest.fixture
def bucket(s3):
    name = f"test-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def raw(lakebox_server):
    return RawS3(lakebox_server.endpoint_url)
