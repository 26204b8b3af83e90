"""S3 addressing against a real server: regional virtual hosts, website endpoints, copy
sources given as URLs, and the `Location` of a form upload. The Host header is set by each test, since
`*.localhost` names need not resolve here."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest
import requests
from s3_helpers import RawS3, make_client

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def _host(server, name: str) -> str:
    return f"{name}:{server.port}"


@pytest.fixture
def west_bucket(lakebox_server):
    name = f"west-{uuid.uuid4().hex[:12]}"
    client = make_client(lakebox_server.endpoint_url, region="us-west-2")
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    client.put_object(Bucket=name, Key="data/a.csv", Body=b"a,b\n")
    return name


# -- regional virtual hosts -----------------------------------------------------------------------

@pytest.mark.parametrize("domain", ["localhost.localstack.cloud", "localhost"])
def test_regional_virtual_host_names_the_bucket(lakebox_server, west_bucket, domain):
    raw = RawS3(lakebox_server.endpoint_url, region="us-west-2")
    host = _host(lakebox_server, f"{west_bucket}.s3.us-west-2.{domain}")
    response = raw.request("GET", "/", headers={"Host": host})
    assert response.status_code == 200, response.content
    listing = ET.fromstring(response.content)
    assert listing.findtext(f"{NS}Name") == west_bucket
    assert [key.text for key in listing.iter(f"{NS}Key")] == ["data/a.csv"]

    got = raw.request("GET", "/data/a.csv", headers={"Host": host})
    assert (got.status_code, got.content) == (200, b"a,b\n")


def test_regional_path_style_endpoint_is_no_bucket(lakebox_server, west_bucket):
    raw = RawS3(lakebox_server.endpoint_url, region="us-west-2")
    host = _host(lakebox_server, "s3.us-west-2.localhost.localstack.cloud")
    response = raw.request("GET", f"/{west_bucket}/data/a.csv", headers={"Host": host})
    assert (response.status_code, response.content) == (200, b"a,b\n")


def test_website_endpoint_is_the_buckets_website_not_the_rest_api(lakebox_server, s3, bucket):
    # A REST GET of this path would list or read the bucket; the website endpoint answers as a website.
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"home")
    host = _host(lakebox_server, f"{bucket}.s3-website-us-east-1.localhost.localstack.cloud")
    response = requests.get(f"{lakebox_server.endpoint_url}/index.html", headers={"Host": host})
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<li>Code: NoSuchWebsiteConfiguration</li>" in response.text
    assert f"<li>BucketName: {bucket}</li>" in response.text


# -- copy sources given as URLs -------------------------------------------------------------------

@pytest.mark.parametrize(
    "source",
    [
        "http://s3.localhost.localstack.cloud:{port}/{bucket}/src/a.txt",
        "http://{bucket}.s3.localhost.localstack.cloud:{port}/src/a.txt",
        "https://{bucket}.s3.us-east-1.amazonaws.com/src/a.txt",
    ],
)
def test_copy_object_with_a_url_copy_source(lakebox_server, s3, raw, bucket, source):
    s3.put_object(Bucket=bucket, Key="src/a.txt", Body=b"copied bytes")
    header = source.format(port=lakebox_server.port, bucket=bucket)
    response = raw.request("PUT", f"/{bucket}/dst.txt", headers={"x-amz-copy-source": header})
    assert response.status_code == 200, response.content
    assert ET.fromstring(response.content).tag == f"{NS}CopyObjectResult"
    assert s3.get_object(Bucket=bucket, Key="dst.txt")["Body"].read() == b"copied bytes"


def test_copy_object_with_a_url_copy_source_and_version(lakebox_server, s3, raw, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="v.txt", Body=b"one")["VersionId"]
    s3.put_object(Bucket=bucket, Key="v.txt", Body=b"two")
    header = f"http://{bucket}.s3.localhost:{lakebox_server.port}/v.txt?versionId={first}"
    response = raw.request("PUT", f"/{bucket}/old.txt", headers={"x-amz-copy-source": header})
    assert response.status_code == 200, response.content
    assert response.headers["x-amz-copy-source-version-id"] == first
    assert s3.get_object(Bucket=bucket, Key="old.txt")["Body"].read() == b"one"


def test_upload_part_copy_with_a_url_copy_source(lakebox_server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="part-src", Body=b"p" * 1024)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="joined")["UploadId"]
    source = f"http://{bucket}.s3.localhost.localstack.cloud:{lakebox_server.port}/part-src"
    part = s3.upload_part_copy(Bucket=bucket, Key="joined", UploadId=upload, PartNumber=1, CopySource=source)
    s3.complete_multipart_upload(Bucket=bucket, Key="joined", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="joined")["Body"].read() == b"p" * 1024


def test_url_copy_source_of_a_missing_bucket_is_no_such_bucket(lakebox_server, raw, bucket):
    header = f"http://no-such-{uuid.uuid4().hex[:8]}.s3.localhost:{lakebox_server.port}/k"
    response = raw.request("PUT", f"/{bucket}/dst", headers={"x-amz-copy-source": header})
    assert response.status_code == 404
    assert ET.fromstring(response.content).findtext("Code") == "NoSuchBucket"


# -- a form upload's Location ---------------------------------------------------------------------

def _post_201(lakebox_server, s3, bucket, host=None):
    post = s3.generate_presigned_post(
        bucket, "key-${filename}", Fields={"success_action_status": "201"},
        Conditions=[{"bucket": bucket}, ["eq", "$success_action_status", "201"]])
    url = post["url"] if host is None else lakebox_server.endpoint_url + "/"
    headers = {} if host is None else {"Host": host}
    response = requests.post(url, data=post["fields"], files={"file": ("my-file", b"something body")},
                             headers=headers)
    assert response.status_code == 201, response.content
    document = ET.fromstring(response.content)
    location = document.findtext("Location") or document.findtext(f"{NS}Location")
    assert location == response.headers["Location"]
    return location


@pytest.mark.parametrize(
    "host, expected",
    [
        ("{bucket}.s3.localhost.localstack.cloud", "{bucket}.s3.localhost.localstack.cloud"),
        ("{bucket}.s3.us-west-2.localhost.localstack.cloud", "{bucket}.s3.localhost.localstack.cloud"),
        ("{bucket}.localhost", "{bucket}.localhost"),
    ],
)
def test_virtual_host_form_upload_location_is_virtual_host(lakebox_server, s3, bucket, host, expected):
    host = _host(lakebox_server, host.format(bucket=bucket))
    location = _post_201(lakebox_server, s3, bucket, host)
    assert location == f"http://{_host(lakebox_server, expected.format(bucket=bucket))}/key-my-file"


def test_path_style_form_upload_location_stays_path_style(lakebox_server, s3, bucket):
    location = _post_201(lakebox_server, s3, bucket)
    assert location == f"{lakebox_server.endpoint_url}/{bucket}/key-my-file"


# -- a completed multipart upload's Location ------------------------------------------------------

@pytest.mark.parametrize("virtual", [True, False], ids=["virtual-host", "path-style"])
def test_complete_multipart_location_follows_the_addressing(lakebox_server, west_bucket, virtual):
    raw = RawS3(lakebox_server.endpoint_url, region="us-west-2")
    if virtual:
        headers, prefix = {"Host": _host(lakebox_server, f"{west_bucket}.s3.us-west-2.localhost")}, ""
        expected = f"http://{west_bucket}.s3.localhost:{lakebox_server.port}/dir/big%20file.bin"
    else:
        headers, prefix = {}, f"/{west_bucket}"
        expected = f"{lakebox_server.endpoint_url}/{west_bucket}/dir/big%20file.bin"
    created = raw.request("POST", f"{prefix}/dir/big%20file.bin", query="uploads", headers=headers)
    upload_id = ET.fromstring(created.content).findtext(f"{NS}UploadId")
    part = raw.request("PUT", f"{prefix}/dir/big%20file.bin", query=f"partNumber=1&uploadId={upload_id}",
                       headers=headers, body=b"only part")
    body = (f'<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part.headers["ETag"]}</ETag>'
            f"</Part></CompleteMultipartUpload>").encode()
    done = raw.request("POST", f"{prefix}/dir/big%20file.bin", query=f"uploadId={upload_id}", headers=headers,
                       body=body)
    assert done.status_code == 200, done.content
    assert ET.fromstring(done.content).findtext(f"{NS}Location") == expected
