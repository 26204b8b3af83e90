"""verify_signature for SigV2 (HmacV1 header and query auth), with botocore's signers as the oracle."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from email.utils import formatdate

import boto3
import pytest
from auth_requests import (
    ACCESS_KEY,
    ENDPOINT,
    SECRET_KEY,
    captured,
    client,
    from_url,
    presign_s3_v2,
    sign_s3_v2,
    utcnow,
)

from lakebox.auth import parse_auth, verify_signature
from lakebox.protocol.errors import AwsError


def verify(request, now=None, secret=SECRET_KEY, **kwargs):
    info = parse_auth(request)
    verify_signature(request, info, secret, now or utcnow(), **kwargs)
    return info


def rejects(request, code, status=403, now=None, secret=SECRET_KEY) -> AwsError:
    with pytest.raises(AwsError) as caught:
        verify(request, now, secret)
    assert (caught.value.code, caught.value.status) == (code, status)
    return caught.value


@pytest.mark.parametrize(
    "path",
    [
        "/bkt/key",
        "/bkt/a%20b/c~d%2Be",
        "/bkt/key?acl",
        "/bkt/key?uploads",
        "/bkt/key?partNumber=2&uploadId=a%2Fb",
        "/bkt/key?versionId=3&response-content-type=text%2Fplain",
        "/bkt?list-type=2&prefix=a%20b",
        "/bkt?tagging",
        "/bkt?delete",
    ],
)
def test_hmacv1_header_auth_verifies(path):
    headers = {"Content-Type": "text/plain", "Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg==", "x-amz-meta-b": "2",
               "X-Amz-Meta-A": " 1 "}
    info = verify(sign_s3_v2("PUT", ENDPOINT + path, headers, b""))
    assert info.kind == "sigv2-header"


def test_wrong_secret_is_signature_does_not_match():
    error = rejects(sign_s3_v2("GET", ENDPOINT + "/bkt/key"), "SignatureDoesNotMatch", secret="nope")
    assert error.fields["AWSAccessKeyId"] == ACCESS_KEY
    assert error.fields["StringToSign"].startswith("GET\n\n\n")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: setattr(r, "path", "/bkt/other"),
        lambda r: setattr(r, "method", "DELETE"),
        lambda r: r.headers.__setitem__("Content-Type", "text/html"),
        lambda r: r.headers.__setitem__("x-amz-meta-a", "2"),
        lambda r: r.headers.add("x-amz-acl", "public-read"),
        lambda r: setattr(r, "query", "acl"),
    ],
)
def test_tampering_is_signature_does_not_match(tamper):
    request = sign_s3_v2("PUT", ENDPOINT + "/bkt/key", {"Content-Type": "text/plain", "x-amz-meta-a": "1"}, b"x")
    tamper(request)
    rejects(request, "SignatureDoesNotMatch")


def test_header_auth_skew_is_request_time_too_skewed():
    request = sign_s3_v2("GET", ENDPOINT + "/bkt/key")
    rejects(request, "RequestTimeTooSkewed", now=utcnow() + dt.timedelta(minutes=16))
    verify(request, utcnow() + dt.timedelta(minutes=14))


def test_x_amz_date_with_an_empty_date_line_verifies():
    # AWS's rule when x-amz-date is sent: the Date line of the string to sign is empty.
    date = formatdate(usegmt=True)
    sts = f"GET\n\n\n\nx-amz-date:{date}\n/bkt/key"
    signature = base64.b64encode(hmac.new(SECRET_KEY.encode(), sts.encode(), hashlib.sha1).digest()).decode()
    headers = {"x-amz-date": date, "Authorization": f"AWS {ACCESS_KEY}:{signature}"}
    request = from_url("GET", ENDPOINT + "/bkt/key", headers)
    verify(request)


def test_virtual_host_requests_from_boto3_verify_after_the_gateway_rewrite():
    requests = captured(
        "s3",
        lambda c: (c.put_object(Bucket="bkt", Key="a b", Body=b"x"), c.list_objects_v2(Bucket="bkt"),
                   c.get_bucket_tagging(Bucket="bkt")),
        signature_version="s3",
        s3={"addressing_style": "virtual"},
    )
    assert len(requests) == 3
    for request in requests:
        assert request.headers["host"] == "bkt.localhost:4566"
        info = parse_auth(request)
        request.path = "/bkt" + ("" if request.path == "/" else request.path)  # what the gateway does
        verify_signature(request, info, SECRET_KEY, utcnow())


def test_virtual_host_request_verifies_with_the_bucket_given_instead():
    (request,) = captured("s3", lambda c: c.list_objects_v2(Bucket="bkt"), signature_version="s3",
                          s3={"addressing_style": "virtual"})
    verify(request, virtual_host_bucket="bkt")
    rejects(request, "SignatureDoesNotMatch")  # without it, the resource lacks the bucket


def test_path_style_requests_from_boto3_verify():
    def calls(c):
        c.put_object(Bucket="bkt", Key="k", Body=b"x", ContentType="a/b")
        c.list_objects_v2(Bucket="bkt")  # botocore signs the bucket as /bkt/ but sends /bkt
        c.get_bucket_tagging(Bucket="bkt")
        c.create_multipart_upload(Bucket="bkt", Key="big")
        c.upload_part(Bucket="bkt", Key="big", UploadId="u+1", PartNumber=2, Body=b"p")

    requests = captured("s3", calls, signature_version="s3")
    assert len(requests) == 5
    for request in requests:
        verify(request)


# -- query auth ----------------------------------------------------------------------------------------


def test_hmacv1_query_auth_verifies_and_expires():
    request = presign_s3_v2("GET", ENDPOINT + "/bkt/key", expires=120)
    info = verify(request)
    verify(request, info.expires_at)
    error = rejects(request, "AccessDenied", now=info.expires_at + dt.timedelta(seconds=1))
    assert error.message == "Request has expired"
    assert "X-Amz-Expires" not in error.fields and "ServerTime" in error.fields


def test_default_boto3_presigned_get_verifies():
    url = client("s3").generate_presigned_url("get_object", Params={"Bucket": "bkt", "Key": "dir/ä b.txt",
                                                                     "ResponseContentType": "text/csv"})
    assert "AWSAccessKeyId=" in url
    verify(from_url("GET", url))


@pytest.mark.parametrize("send_header", [True, False])
def test_default_boto3_presigned_put_with_content_type_verifies(send_header):
    url = client("s3").generate_presigned_url(
        "put_object", Params={"Bucket": "bkt", "Key": "k", "ContentType": "text/plain", "Metadata": {"m": "1"}}
    )
    headers = {"Content-Type": "text/plain"} if send_header else {}
    verify(from_url("PUT", url, headers, b"data"))


def test_presigned_sigv2_with_session_token_verifies():
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=ENDPOINT, aws_access_key_id=ACCESS_KEY,
                      aws_secret_access_key=SECRET_KEY, aws_session_token="SESSIONTOKEN")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "bkt", "Key": "k"})
    assert "x-amz-security-token=SESSIONTOKEN" in url
    info = verify(from_url("GET", url))
    assert info.security_token == "SESSIONTOKEN"


def test_presigned_sigv2_tampered_is_signature_does_not_match():
    url = client("s3").generate_presigned_url("get_object", Params={"Bucket": "bkt", "Key": "mine"})
    rejects(from_url("GET", url.replace("/mine?", "/yours?")), "SignatureDoesNotMatch")
    expires = parse_auth(from_url("GET", url)).date_text
    rejects(from_url("GET", url.replace(f"Expires={expires}", f"Expires={int(expires) + 1000}")),
            "SignatureDoesNotMatch")


def test_presigned_sigv2_with_unencoded_plus_in_signature_verifies():
    # Some clients leave the "+" of a base64 signature unencoded in the URL.
    for n in range(200):
        request = presign_s3_v2("GET", f"{ENDPOINT}/bkt/key{n}")
        if "%2B" in request.query:
            break
    else:
        pytest.fail("no signature with a '+' in 200 tries")
    request.query = request.query.replace("%2B", "+")
    verify(request)
