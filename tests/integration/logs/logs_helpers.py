"""The boto3 logs client the logs tests use (a module of its own: `conftest` names collide)."""

from __future__ import annotations

import boto3


def make_logs_client(endpoint_url: str):
    return boto3.client("logs", endpoint_url=endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")
