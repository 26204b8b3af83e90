"""x-amz-copy-source: `bucket/key[?versionId=]` as SDKs send it, and the object's URL (one line per form)."""

from __future__ import annotations

import pytest

from lakebox.protocol.errors import AwsError
from lakebox.services.s3.copy import parse_copy_source


@pytest.mark.parametrize(
    "value, parsed",
    [
        ("bucket/key", ("bucket", "key", None)),
        ("/bucket/key", ("bucket", "key", None)),
        ("bucket/dir/a%20b+c%2Bd", ("bucket", "dir/a b c+d", None)),
        ("bucket/what%3F?versionId=v1", ("bucket", "what?", "v1")),
        ("my.dotted.bucket/key", ("my.dotted.bucket", "key", None)),
        # the object's URL, path style: the bucket is the path's first segment
        ("http://s3.localhost.localstack.cloud:4598/bucket/test-key", ("bucket", "test-key", None)),
        ("https://s3.amazonaws.com/bucket/dir/key", ("bucket", "dir/key", None)),
        ("http://127.0.0.1:4566/bucket/key?versionId=v2", ("bucket", "key", "v2")),
        ("http://lakebox.internal/bucket/a%20b", ("bucket", "a b", None)),
        # ... and virtual-host style: the bucket is in the host
        ("http://bucket.s3.localhost.localstack.cloud:4598/key-my-file", ("bucket", "key-my-file", None)),
        ("http://bucket.s3.us-west-2.localhost.localstack.cloud:4598/dir/key", ("bucket", "dir/key", None)),
        ("https://my.dotted.bucket.s3.eu-west-1.amazonaws.com/key", ("my.dotted.bucket", "key", None)),
        ("http://bucket.localhost:4566//leading-slash", ("bucket", "/leading-slash", None)),
        ("HTTPS://bucket.s3.amazonaws.com/key?versionId=v3", ("bucket", "key", "v3")),
        # as botocore quotes a string CopySource (the colon encoded)
        ("http%3A//s3.localhost.localstack.cloud%3A4598/bucket/key", ("bucket", "key", None)),
    ],
)
def test_parse_copy_source(value, parsed):
    assert parse_copy_source(value) == parsed


@pytest.mark.parametrize(
    "value",
    [
        "bucket",
        "bucket/",
        "/bucket",
        "http://s3.localhost.localstack.cloud:4598/bucket",
        "http://s3.localhost.localstack.cloud:4598/",
        "http://bucket.s3.localhost.localstack.cloud:4598/",
        "http://bucket.s3.localhost.localstack.cloud:4598",
    ],
)
def test_copy_source_without_a_key_is_invalid_argument(value):
    with pytest.raises(AwsError) as raised:
        parse_copy_source(value)
    assert (raised.value.code, raised.value.message) == ("InvalidArgument", "Invalid copy source object key")


def test_empty_version_id_is_invalid_argument():
    with pytest.raises(AwsError) as raised:
        parse_copy_source("http://bucket.s3.localhost:4566/key?versionId=")
    assert raised.value.message == "Version id cannot be the empty string"
