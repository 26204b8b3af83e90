"""Service routing: X-Amz-Target, credential scope, Action, and S3 virtual-host style."""

import pytest

from lakebox.gateway import routing
from lakebox.protocol.http import BytesBody, Headers, HttpRequest


def _request(method="GET", path="/", query="", headers=(), body=b""):
    return HttpRequest(method=method, path=path, query=query, headers=Headers(headers), body=BytesBody(body))


@pytest.mark.parametrize(
    "target, service",
    [
        ("AWSGlue.GetTables", "glue"),
        ("AmazonAthena.StartQueryExecution", "athena"),
        ("Kinesis_20131202.PutRecord", "kinesis"),
        ("Firehose_20150804.PutRecord", "firehose"),
        ("ElasticMapReduce.RunJobFlow", "emr"),
        ("RedshiftData.ExecuteStatement", "redshift-data"),
        ("Logs_20140328.PutLogEvents", "logs"),
        ("Unknown_1.Op", None),
        (None, None),
    ],
)
def test_service_for_target(target, service):
    assert routing.service_for_target(target) == service


@pytest.mark.parametrize(
    "signing_name, service",
    [("s3", "s3"), ("sts", "sts"), ("glue", "glue"), ("elasticmapreduce", "emr"), ("redshift", "redshift"),
     ("redshift-data", "redshift-data"), ("logs", "logs"), ("kinesis", "kinesis"), ("nope", None)],
)
def test_service_for_signing_name(signing_name, service):
    assert routing.service_for_signing_name(signing_name) == service


def test_action_in_form_body_routes_to_query_service():
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    req = _request("POST", headers=[("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")], body=body)
    assert routing.service_for_action(req, None) == "sts"


def test_action_shared_by_version():
    req = _request("GET", query="Action=DescribeClusters&Version=2012-12-01")
    assert routing.service_for_action(req, None) == "redshift"


def test_s3_post_form_upload_is_not_a_query_action():
    req = _request("POST", path="/bucket", headers=[("Content-Type", "multipart/form-data; boundary=x")], body=b"--x")
    assert routing.service_for_action(req, None) is None


@pytest.mark.parametrize(
    "host, bucket",
    [
        ("bucket.localhost:4566", "bucket"),
        ("my.dotted.bucket.localhost:4566", "my.dotted.bucket"),
        ("bucket.s3.localhost:4566", "bucket"),
        ("bucket.s3.amazonaws.com", "bucket"),
        ("bucket.s3.us-west-2.amazonaws.com", "bucket"),
        ("localhost:4566", None),
        ("s3.localhost:4566", None),
        ("127.0.0.1:4566", None),
        ("[::1]:4566", None),
    ],
)
def test_virtual_host_bucket(host, bucket):
    assert routing.virtual_host_bucket(host) == bucket


@pytest.mark.parametrize(
    "path, rewritten",
    [("/", "/bucket"), ("/key.txt", "/bucket/key.txt"), ("/a/b%20c", "/bucket/a/b%20c"), ("//x", "/bucket//x")],
)
def test_to_path_style(path, rewritten):
    req = _request(path=path)
    routing.to_path_style(req, "bucket")
    assert req.path == rewritten
