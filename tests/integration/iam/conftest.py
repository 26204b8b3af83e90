"""Fixtures for the IAM integration tests: a boto3 IAM client on a real lakebox server."""

from __future__ import annotations

import pytest
from iam_helpers import iam_client


@pytest.fixture
def iam(lakebox_server):
    return iam_client(lakebox_server)
