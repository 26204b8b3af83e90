"""Fixtures for the S3 integration tests: a boto3 client on a real lakebox server, a fresh bucket,
a signer for raw requests that boto3 would refuse to send (wrong checksums, chunked bodies), and
clients of other principals: an unsigned (anonymous) one and one of account 222222222222."""

from __future__ import annotations

import uuid

import pytest
from botocore import UNSIGNED
from s3_helpers import RawS3, make_client

from lakebox.config import Credential


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


@pytest.fixture
def anon(lakebox_server):
    return make_client(lakebox_server.endpoint_url, signature_version=UNSIGNED)


@pytest.fixture
def other(lakebox_server):
    """A client of another account: the server's configured key OTHERKEY belongs to 222222222222."""
    lakebox_server.config.credentials["OTHERKEY"] = Credential("OTHERKEY", "other-secret", "222222222222")
    return make_client(lakebox_server.endpoint_url, access_key="OTHERKEY", secret="other-secret")
