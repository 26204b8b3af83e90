"""boto3 clients for the STS tests: plain keys, or the temporary credentials an STS call returned."""

from __future__ import annotations

import boto3
from botocore.config import Config as BotoConfig


def client(service, server, key="test", secret="test", token=None, region="us-east-1", **config):
    return boto3.client(service, endpoint_url=server.endpoint_url, region_name=region,
                        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
                        config=BotoConfig(**config) if config else None)


def with_credentials(service, server, credentials, **config):
    """A client signing with the `Credentials` member of an STS answer."""
    return client(service, server, credentials["AccessKeyId"], credentials["SecretAccessKey"],
                  credentials["SessionToken"], **config)
