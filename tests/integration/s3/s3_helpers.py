"""Helpers shared by the S3 integration tests: clients, error extraction and raw signed requests."""

from __future__ import annotations

from typing import Optional

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

REGION = "us-east-1"


def make_client(endpoint_url: str, region: str = REGION, access_key: str = "test", secret: str = "test", **config):
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, **config),
    )


def error_of(exc: pytest.ExceptionInfo) -> tuple[int, str]:
    """(HTTP status, error code) of a ClientError caught by pytest.raises."""
    response = exc.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


class RawS3:
    """Signed requests built by hand, for what the SDK will not send itself."""

    def __init__(self, endpoint_url: str, region: str = REGION):
        self.endpoint_url = endpoint_url
        self.region = region
        self.session = requests.Session()

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Optional[dict] = None,
        body=b"",
        query: str = "",
        payload_hash: Optional[str] = None,
        sign: bool = True,
        drop_headers: tuple = (),
    ) -> requests.Response:
        url = f"{self.endpoint_url}{path}" + (f"?{query}" if query else "")
        headers = dict(headers or {})
        if sign:
            headers.setdefault("X-Amz-Content-SHA256", payload_hash or "UNSIGNED-PAYLOAD")
            aws = AWSRequest(method=method, url=url, data=b"" if not isinstance(body, bytes) else body,
                             headers=headers)
            SigV4Auth(Credentials("test", "test"), "s3", self.region).add_auth(aws)
            headers = dict(aws.headers.items())
        req = requests.Request(method, url, headers=headers, data=body)
        prepared = self.session.prepare_request(req)
        # requests adds Content-Length for bytes bodies; a test that needs it gone says so.
        for name in drop_headers:
            prepared.headers.pop(name, None)
        return self.session.send(prepared)


def upload_parts(s3, bucket: str, key: str, parts: list, **create) -> tuple[str, list[dict]]:
    """Start a multipart upload and send `parts` (bytes each) as parts 1..n; return the upload id and
    the part list CompleteMultipartUpload takes."""
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, **create)["UploadId"]
    done = []
    for number, data in enumerate(parts, start=1):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=data)["ETag"]
        done.append({"PartNumber": number, "ETag": etag})
    return upload, done
