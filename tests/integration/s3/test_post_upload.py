"""Browser-form uploads (POST Object) against a real server: forms built by hand with `requests`, and
forms from boto3's `generate_presigned_post` (SigV4 and the default SigV2), in open and strict mode."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

import pytest
import boto3
import requests
from s3_helpers import make_client

from lakebox.config import Credential
from lakebox.testing import running_lakebox


def _policy(*conditions, expires_in=3600) -> str:
    expiration = (datetime.now(timezone.utc) + timedelta(seconds=expires_in)).strftime("%Y-%m-%dT%H:%M:%SZ")
    document = {"expiration": expiration, "conditions": list(conditions)}
    return base64.b64encode(json.dumps(document).encode()).decode()


def _post(url, fields, content=b"data", filename="upload.bin", **kwargs) -> requests.Response:
    files = {"file": (filename, content)} if content is not None else None
    if files is None:
        # requests only builds a multipart body when there is a file; make one from the fields.
        files = {name: (None, value) for name, value in fields.items()}
        fields = None
    return requests.post(url, data=fields, files=files, allow_redirects=False, **kwargs)


def _error(response) -> tuple[int, str, str]:
    root = ET.fromstring(response.content)
    return response.status_code, root.findtext("Code"), root.findtext("Message")


@pytest.fixture
def bucket(s3):
    """Overrides conftest's: an unsigned form may write only to a publicly writable bucket, as on AWS.
    Since 2023 that takes ACLs enabled (ObjectWriter) and no public access block."""
    name = f"post-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket=name)
    s3.put_bucket_acl(Bucket=name, ACL="public-read-write")
    return name


@pytest.fixture
def url(lakebox_server, bucket):
    return f"{lakebox_server.endpoint_url}/{bucket}"


# -- successful uploads --------------------------------------------------------------------------


def test_anonymous_form_stores_bytes_type_metadata_and_tags(s3, bucket, url):
    tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>lake</Value></Tag></TagSet></Tagging>"
    response = _post(url, {"key": "in/a.csv", "Content-Type": "text/csv", "Cache-Control": "max-age=60",
                           "x-amz-meta-Owner": "ana", "tagging": tagging, "acl": "private"}, b"a,b\n1,2\n")
    assert response.status_code == 204
    assert response.content == b""
    obj = s3.get_object(Bucket=bucket, Key="in/a.csv")
    assert obj["Body"].read() == b"a,b\n1,2\n"
    assert obj["ContentType"] == "text/csv"
    assert obj["CacheControl"] == "max-age=60"
    assert obj["Metadata"] == {"owner": "ana"}
    assert response.headers["ETag"] == obj["ETag"] == '"%s"' % hashlib.md5(b"a,b\n1,2\n").hexdigest()
    assert response.headers["Location"].endswith(f"/{bucket}/in%2Fa.csv")
    assert s3.get_object_tagging(Bucket=bucket, Key="in/a.csv")["TagSet"] == [{"Key": "team", "Value": "lake"}]


def test_without_content_type_the_object_is_binary_octet_stream(s3, bucket, url):
    assert _post(url, {"key": "k"}).status_code == 204
    assert s3.head_object(Bucket=bucket, Key="k")["ContentType"] == "binary/octet-stream"


def test_presigned_post_sigv4(lakebox_server, s3, bucket):
    client = make_client(lakebox_server.endpoint_url, signature_version="s3v4")
    post = client.generate_presigned_post(bucket, "reports/${filename}", ExpiresIn=300)
    assert post["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    response = requests.post(post["url"], data=post["fields"], files={"file": ("q1.parquet", b"PAR1")})
    assert response.status_code == 204, response.content
    assert s3.get_object(Bucket=bucket, Key="reports/q1.parquet")["Body"].read() == b"PAR1"


def test_presigned_post_default_signer_with_fields_and_conditions(s3, bucket, lakebox_server):
    client = make_client(lakebox_server.endpoint_url)
    post = client.generate_presigned_post(
        bucket, "k.json",
        Fields={"Content-Type": "application/json", "x-amz-meta-source": "web", "success_action_status": "201"},
        Conditions=[{"Content-Type": "application/json"}, ["starts-with", "$x-amz-meta-source", ""],
                    {"success_action_status": "201"}, ["content-length-range", 1, 100]],
    )
    response = requests.post(post["url"], data=post["fields"], files={"file": ("k.json", b'{"a": 1}')})
    assert response.status_code == 201, response.content
    document = ET.fromstring(response.content)
    assert document.tag == "PostResponse"
    obj = s3.head_object(Bucket=bucket, Key="k.json")
    assert document.findtext("Bucket") == bucket
    assert document.findtext("Key") == "k.json"
    assert document.findtext("ETag") == obj["ETag"]
    assert document.findtext("Location") == response.headers["Location"]
    assert obj["ContentType"] == "application/json"
    assert obj["Metadata"] == {"source": "web"}


@pytest.mark.parametrize("status,expected", [("200", 200), ("204", 204), ("404", 204), ("", 204)])
def test_success_action_status(url, status, expected):
    response = _post(url, {"key": "k", "success_action_status": status})
    assert response.status_code == expected
    assert response.content == b""


def test_success_action_redirect_appends_bucket_key_and_etag(s3, bucket, url):
    response = _post(url, {"key": "dir/a b.txt", "success_action_redirect": "https://app.example/done?id=7"})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("https://app.example/done?id=7&bucket=")
    etag = s3.head_object(Bucket=bucket, Key="dir/a b.txt")["ETag"]
    assert parse_qsl(urlsplit(location).query) == [("id", "7"), ("bucket", bucket), ("key", "dir/a b.txt"),
                                                    ("etag", etag)]
    assert "key=dir%2Fa+b.txt" in location


def test_a_redirect_s3_cannot_use_is_ignored(url):
    assert _post(url, {"key": "k", "redirect": "/relative/path"}).status_code == 204


def test_filename_variable_takes_the_last_path_segment(s3, bucket, url):
    assert _post(url, {"key": "up/${filename}"}, filename="C:\\Users\\ana\\photo.jpg").status_code == 204
    assert s3.head_object(Bucket=bucket, Key="up/photo.jpg")["ContentLength"] == 4


def test_large_file_streams_into_the_lake(s3, bucket, url):
    data = hashlib.sha256(b"seed").digest() * (3 * 1024 * 1024 // 32 + 7)
    response = _post(url, {"key": "big", "policy": _policy(["starts-with", "$key", ""],
                                                           ["content-length-range", 0, len(data)])}, data)
    assert response.status_code == 204, response.content
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == data


def test_checksum_and_content_md5_fields_are_verified(s3, bucket, url):
    data = b"checked"
    sha256 = base64.b64encode(hashlib.sha256(data).digest()).decode()
    md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
    assert _post(url, {"key": "c", "x-amz-checksum-sha256": sha256, "Content-MD5": md5}, data).status_code == 204
    head = s3.head_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == sha256
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    assert _error(_post(url, {"key": "c2", "x-amz-checksum-sha256": wrong}, data))[:2] == (400, "BadDigest")
    assert _error(_post(url, {"key": "c2", "x-amz-checksum-sha256": "sailorjerry"}, data))[:2] == (
        400, "InvalidRequest")
    assert _error(_post(url, {"key": "c2", "Content-MD5": base64.b64encode(b"x" * 16).decode()}, data))[:2] == (
        400, "BadDigest")


def test_policy_is_enforced_in_open_mode_but_signatures_are_not(s3, bucket, url):
    fields = {"key": "open", "policy": _policy({"key": "open"}), "AWSAccessKeyId": "anyone", "signature": "nonsense"}
    assert _post(url, fields).status_code == 204
    assert s3.head_object(Bucket=bucket, Key="open")["ContentLength"] == 4


# -- refused forms ---------------------------------------------------------------------------------

EXPIRED = "Invalid according to Policy: Policy expired."


@pytest.mark.parametrize(
    "fields,status,code,message",
    [
        ({"policy": _policy(["starts-with", "$key", ""], expires_in=-60)}, 403, "AccessDenied", EXPIRED),
        ({"policy": _policy(["starts-with", "$key", "reports/"])}, 403, "AccessDenied",
         'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "reports/"]'),
        ({"policy": _policy({"key": "k"}), "x-amz-meta-extra": "1"}, 403, "AccessDenied",
         "Invalid according to Policy: Extra input fields: x-amz-meta-extra"),
        ({"policy": _policy({"key": "k"}, ["content-length-range", 0, 2])}, 400, "EntityTooLarge",
         "Your proposed upload exceeds the maximum allowed size"),
        ({"policy": _policy({"key": "k"}, ["content-length-range", 10, 20])}, 400, "EntityTooSmall",
         "Your proposed upload is smaller than the minimum allowed size"),
        ({"policy": "%%%"}, 400, "InvalidPolicyDocument", "Invalid Policy: Invalid Base64 Encoding."),
        ({"policy": base64.b64encode(b"{nope").decode()}, 400, "InvalidPolicyDocument",
         "Invalid Policy: Invalid JSON."),
        ({"policy": base64.b64encode(b'{"conditions": []}').decode()}, 400, "InvalidPolicyDocument",
         "Invalid Policy: Policy missing expiration."),
        ({"policy": _policy({"key": "k"}), "AWSAccessKeyId": "AKID"}, 400, "InvalidArgument",
         "Bucket POST must contain a field named 'Signature'.  If it is specified, please check the order of "
         "the fields."),
        ({"policy": _policy({"key": "k"}), "x-amz-algorithm": "AWS4-HMAC-SHA256"}, 400, "InvalidArgument",
         "Bucket POST must contain a field named 'X-Amz-Credential'.  If it is specified, please check the "
         "order of the fields."),
        ({"AWSAccessKeyId": "AKID", "signature": "sig"}, 400, "InvalidArgument",
         "Bucket POST must contain a field named 'Policy'.  If it is specified, please check the order of the "
         "fields."),
        ({"tagging": "not xml"}, 400, "MalformedXML", None),
        ({"acl": "world-writable"}, 400, "InvalidArgument", None),
    ],
    ids=["expired", "condition", "extra-field", "too-large", "too-small", "not-base64", "not-json",
         "no-expiration", "no-signature", "partial-sigv4", "signature-without-policy", "bad-tagging", "bad-acl"],
)
def test_refused_forms_store_nothing(s3, bucket, url, fields, status, code, message):
    got = _error(_post(url, {"key": "k", **fields}))
    assert got[:2] == (status, code)
    if message is not None:
        assert got[2] == message
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_missing_key_and_missing_file(url):
    assert _error(_post(url, {"Content-Type": "text/plain"})) == (
        400, "InvalidArgument",
        "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")
    assert _error(_post(url, {"key": "k"}, content=None)) == (
        400, "InvalidArgument", "POST requires exactly one file upload per request.")


def test_fields_after_the_file_are_ignored(s3, bucket, url):
    body = (b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nbytes\r\n'
            b'--XyZ\r\nContent-Disposition: form-data; name="key"\r\n\r\nlate\r\n--XyZ--\r\n')
    response = requests.post(url, data=body, headers={"Content-Type": "multipart/form-data; boundary=XyZ"})
    assert _error(response)[:2] == (400, "InvalidArgument")


def test_malformed_multipart_and_non_form_posts(url, lakebox_server):
    no_boundary = requests.post(url, data=b"--x\r\n", headers={"Content-Type": "multipart/form-data"})
    assert _error(no_boundary)[:2] == (400, "MalformedPOSTRequest")
    truncated = requests.post(url, data=b'--x\r\nContent-Disposition: form-data; name="key"\r\n\r\nk',
                              headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert _error(truncated)[:2] == (400, "MalformedPOSTRequest")
    plain = requests.post(url, data=b"key=k", headers={"Content-Type": "text/plain"})
    assert _error(plain)[:2] == (412, "PreconditionFailed")
    missing = _post(f"{lakebox_server.endpoint_url}/no-such-bucket-here", {"key": "k"})
    assert _error(missing)[:2] == (404, "NoSuchBucket")


# -- strict mode: the policy's signature is checked ----------------------------------------------

STRICT_KEY, STRICT_SECRET = "AKIDSTRICTPOST", "strict-post-secret"


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    credentials = {STRICT_KEY: Credential(STRICT_KEY, STRICT_SECRET, "123456789012")}
    with running_lakebox(tmp_path_factory.mktemp("strict"), set_env=False, auth="strict",
                         credentials=credentials) as server:
        yield server


@pytest.fixture
def strict_bucket(strict_server):
    client = make_client(strict_server.endpoint_url, access_key=STRICT_KEY, secret=STRICT_SECRET)
    name = f"strict-{datetime.now().strftime('%H%M%S%f')}"
    client.create_bucket(Bucket=name)
    return client, name


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_strict_mode_accepts_correctly_signed_forms(strict_server, strict_bucket, signature_version):
    client, name = strict_bucket
    signer = make_client(strict_server.endpoint_url, access_key=STRICT_KEY, secret=STRICT_SECRET,
                         signature_version=signature_version)
    post = signer.generate_presigned_post(name, "signed.txt")
    response = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"ok")})
    assert response.status_code == 204, response.content
    assert client.get_object(Bucket=name, Key="signed.txt")["Body"].read() == b"ok"


@pytest.mark.parametrize(
    "access_key,secret,tamper,expected",
    [
        (STRICT_KEY, "wrong-secret", False, (403, "SignatureDoesNotMatch")),
        ("AKIDUNKNOWN", STRICT_SECRET, False, (403, "InvalidAccessKeyId")),
        (STRICT_KEY, STRICT_SECRET, True, (403, "SignatureDoesNotMatch")),
    ],
    ids=["wrong-secret", "unknown-key", "tampered-policy"],
)
@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_strict_mode_refuses_bad_signatures(strict_server, strict_bucket, signature_version, access_key,
                                            secret, tamper, expected):
    client, name = strict_bucket
    signer = make_client(strict_server.endpoint_url, access_key=access_key, secret=secret,
                         signature_version=signature_version)
    post = signer.generate_presigned_post(name, "k")
    fields = dict(post["fields"])
    if tamper:
        # A policy that allows any key, signed by nobody: it must not be honoured.
        fields["policy"] = _policy(["starts-with", "$key", ""], {"bucket": name})
    response = requests.post(post["url"], data=fields, files={"file": ("f", b"x")})
    assert _error(response)[:2] == expected
    assert client.list_objects_v2(Bucket=name)["KeyCount"] == 0


def test_strict_mode_refuses_anonymous_forms(strict_server, strict_bucket):
    client, name = strict_bucket
    url = f"{strict_server.endpoint_url}/{name}"
    assert _error(_post(url, {"key": "k"}))[:2] == (403, "AccessDenied")
    # Only the form upload itself skips request authentication: another multipart POST does not.
    body = b'--x\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--x--\r\n'
    delete = requests.post(f"{url}?delete", data=body, headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert _error(delete)[:2] == (403, "AccessDenied")


def test_strict_mode_still_checks_expiration_on_the_wall_clock(strict_server, strict_bucket):
    client, name = strict_bucket
    signer = make_client(strict_server.endpoint_url, access_key=STRICT_KEY, secret=STRICT_SECRET,
                         signature_version="s3v4")
    post = signer.generate_presigned_post(name, "k", ExpiresIn=-10)
    response = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"x")})
    assert _error(response) == (403, "AccessDenied", EXPIRED)


def test_acl_field_becomes_the_objects_acl(lakebox_server):
    s3 = boto3.client("s3", endpoint_url=lakebox_server.endpoint_url, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    s3.create_bucket(Bucket="acl-form", ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket="acl-form")
    post = s3.generate_presigned_post("acl-form", "public.txt", Fields={"acl": "public-read"},
                                      Conditions=[{"acl": "public-read"}])
    resp = requests.post(post["url"], data=post["fields"], files={"file": ("public.txt", b"everyone")})
    assert resp.status_code == 204
    grants = s3.get_object_acl(Bucket="acl-form", Key="public.txt")["Grants"]
    assert any(g["Grantee"].get("URI", "").endswith("/AllUsers") and g["Permission"] == "READ" for g in grants)
    # and it is really public: an unsigned GET reads it
    assert requests.get(f"{lakebox_server.endpoint_url}/acl-form/public.txt").content == b"everyone"


def test_a_bucket_post_that_is_not_a_form_is_precondition_failed(url):
    response = requests.post(url, data=b"<not-a-form/>", headers={"Content-Type": "text/html"})
    assert response.status_code == 412
    assert "<Code>PreconditionFailed</Code>" in response.text
    assert "<Condition>Bucket POST must be of the enclosure-type multipart/form-data</Condition>" in response.text
