"""Fixtures for the CloudWatch Logs integration tests: a boto3 logs client on a real lakebox server."""

from __future__ import annotations

import boto3
import pytest


def make_logs_client(endpoint_url: str):
    return boto3.client("logs", endpoint_url=endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


@pytest.fixture
def logs(lakebox_server):
    return make_logs_client(lakebox_server.endpoint_url)


@pytest.fixture
def now_ms(lakebox_server):
    """The service clock's time in ms, which PutLogEvents judges event ages by."""
    return lakebox_server.config.clock.now_ns() // 1_000_000
