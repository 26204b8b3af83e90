"""Which bucket a Host header names: one line per host form, the local domains and AWS's own."""

from __future__ import annotations

import pytest

from lakebox.gateway import routing
from lakebox.services.s3.hosts import location_host


@pytest.mark.parametrize(
    "host, bucket",
    [
        # local domains: the endpoint labels are optional
        ("mybucket.localhost", "mybucket"),
        ("mybucket.localhost:4566", "mybucket"),
        ("mybucket.s3.localhost:4566", "mybucket"),
        ("mybucket.s3.us-west-2.localhost", "mybucket"),
        ("mybucket.s3-us-west-2.localhost:4566", "mybucket"),
        ("mybucket.s3.dualstack.eu-central-1.localhost", "mybucket"),
        ("mybucket.localhost.localstack.cloud:4566", "mybucket"),
        ("mybucket.s3.localhost.localstack.cloud:4566", "mybucket"),
        ("mybucket.s3.us-west-2.localhost.localstack.cloud:4598", "mybucket"),
        ("mybucket.s3.us-gov-west-1.localhost.localstack.cloud", "mybucket"),
        ("MyBucket.S3.US-WEST-2.LOCALHOST.", "mybucket"),
        # dotted bucket names, including labels that only look like endpoint labels
        ("my.dotted.bucket.localhost:4566", "my.dotted.bucket"),
        ("my.dotted.bucket.s3.us-west-2.localhost.localstack.cloud", "my.dotted.bucket"),
        ("my.s3.data.localhost", "my.s3.data"),
        ("my.s3.data.s3.localhost", "my.s3.data"),
        ("s3.data.localhost", "s3.data"),
        ("my.s3-data.localhost", "my.s3-data"),
        ("logs.s3.us-west-2.s3.localhost", "logs.s3.us-west-2"),
        ("data.s3.localhost", "data"),
        ("s3.s3.localhost", "s3"),
        # AWS's own domain: the endpoint labels are required
        ("mybucket.s3.amazonaws.com", "mybucket"),
        ("mybucket.s3.us-west-2.amazonaws.com", "mybucket"),
        ("mybucket.s3-us-west-2.amazonaws.com", "mybucket"),
        ("mybucket.s3-external-1.amazonaws.com", "mybucket"),
        ("mybucket.s3.dualstack.us-east-1.amazonaws.com", "mybucket"),
        ("mybucket.s3-fips.us-east-1.amazonaws.com", "mybucket"),
        ("mybucket.s3-accelerate.amazonaws.com", "mybucket"),
        ("my.dotted.bucket.s3.eu-west-1.amazonaws.com", "my.dotted.bucket"),
        ("mybucket.amazonaws.com", None),
        ("sts.us-east-1.amazonaws.com", None),
        # path-style endpoints and hosts that name no bucket
        ("localhost:4566", None),
        ("s3.localhost:4566", None),
        ("s3.us-west-2.localhost", None),
        ("localhost.localstack.cloud:4566", None),
        ("s3.localhost.localstack.cloud:4566", None),
        ("s3.us-west-2.localhost.localstack.cloud:4598", None),
        ("s3.amazonaws.com", None),
        ("s3.us-west-2.amazonaws.com", None),
        ("s3.dualstack.us-east-1.amazonaws.com", None),
        ("127.0.0.1:4566", None),
        ("[::1]:4566", None),
        ("lakebox.internal:4566", None),
        ("", None),
    ],
)
def test_virtual_host_bucket(host, bucket):
    assert routing.virtual_host_bucket(host) == bucket


@pytest.mark.parametrize(
    "host",
    [
        "mybucket.s3-website.localhost.localstack.cloud:4566",
        "mybucket.s3-website-us-east-1.localhost.localstack.cloud",
        "mybucket.s3-website.eu-west-1.localhost",
        "my.dotted.bucket.s3-website-us-west-2.amazonaws.com",
        "mybucket.s3-website.eu-central-1.amazonaws.com",
        "s3-website.localhost.localstack.cloud:4566",
    ],
)
def test_website_endpoint_is_no_rest_bucket(host):
    # the bucket's website answers these hosts (gateway/website.py), never the REST API
    assert routing.virtual_host_bucket(host) is None


@pytest.mark.parametrize(
    "host, location",
    [
        ("b.s3.us-west-2.localhost.localstack.cloud:4598", "b.s3.localhost.localstack.cloud:4598"),
        ("b.s3-us-west-2.amazonaws.com", "b.s3.amazonaws.com"),
        ("b.s3.us-west-2.amazonaws.com", "b.s3.amazonaws.com"),
        ("b.s3.localhost.localstack.cloud:4598", "b.s3.localhost.localstack.cloud:4598"),
        ("b.localhost:4566", "b.localhost:4566"),
        ("b.s3.dualstack.us-west-2.amazonaws.com", "b.s3.dualstack.us-west-2.amazonaws.com"),
        ("s3.us-west-2.localhost:4566", "s3.us-west-2.localhost:4566"),
        ("127.0.0.1:4566", "127.0.0.1:4566"),
    ],
)
def test_location_host_drops_the_region_of_a_regional_virtual_host(host, location):
    assert location_host(host) == location
