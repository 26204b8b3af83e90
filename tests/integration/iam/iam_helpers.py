"""The boto3 IAM client factory shared by the IAM integration tests."""

from __future__ import annotations

import boto3
from botocore.config import Config


def iam_client(server, key: str = "test", secret: str = "test", *, validate: bool = True):
    return boto3.client("iam", endpoint_url=server.endpoint_url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}, parameter_validation=validate))
