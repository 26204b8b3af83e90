"""Fixtures for the CloudWatch Logs integration tests: a boto3 logs client on a real lakebox server."""

from __future__ import annotations

import pytest
from logs_helpers import make_logs_client


@pytest.fixture
def logs(lakebox_server):
    return make_logs_client(lakebox_server.endpoint_url)


@pytest.fixture
def now_ms(lakebox_server):
    """The service clock's time in ms, which PutLogEvents judges event ages by."""
    return lakebox_server.config.clock.now_ns() // 1_000_000
