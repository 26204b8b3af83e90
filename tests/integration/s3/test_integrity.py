"""Integrity: Content-MD5, every x-amz-checksum algorithm, aws-chunked trailers, content length rules."""

from __future__ import annotations

import base64
import hashlib
import http.client
import zlib

import pytest
from botocore.exceptions import ClientError
from botocore.httpchecksum import _CHECKSUM_CLS
from s3_helpers import error_of

DATA = b"the quick brown fox jumps over the lazy dog\n" * 100
SDK_ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "XXHASH64", "XXHASH3", "XXHASH128"]


def b64_checksum(algorithm: str, data: bytes) -> str:
    if algorithm == "MD5":
        return base64.b64encode(hashlib.md5(data).digest()).decode()
    checksum = _CHECKSUM_CLS[algorithm.lower()]()
    checksum.update(data)
    return checksum.b64digest()


def crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


# -- Content-MD5 ---------------------------------------------------------------------------------


def test_correct_content_md5_is_accepted(s3, bucket):
    md5 = base64.b64encode(hashlib.md5(DATA).digest()).decode()
    s3.put_object(Bucket=bucket, Key="k", Body=DATA, ContentMD5=md5)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == DATA


def test_mismatched_content_md5_is_bad_digest_and_stores_nothing(s3, bucket):
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=DATA, ContentMD5=wrong)
    assert error_of(exc) == (400, "BadDigest")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")


@pytest.mark.parametrize("value", ["", "not base64!", "YWJjZA=="])
def test_malformed_content_md5_is_invalid_digest(raw, bucket, value):
    response = raw.request("PUT", f"/{bucket}/k", headers={"Content-MD5": value}, body=b"abc")
    assert response.status_code == 400
    assert "<Code>InvalidDigest</Code>" in response.text


# -- x-amz-checksum-* ----------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", SDK_ALGORITHMS)
def test_sdk_checksum_is_verified_stored_and_returned(s3, bucket, algorithm):
    expected = b64_checksum(algorithm, DATA)
    put = s3.put_object(Bucket=bucket, Key="k", Body=DATA, ChecksumAlgorithm=algorithm)
    assert put[f"Checksum{algorithm}"] == expected
    assert put["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == expected
    assert head["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == expected
    assert got["Body"].read() == DATA
    attrs = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Checksum"])
    assert attrs["Checksum"][f"Checksum{algorithm}"] == expected


def test_md5_checksum_header_is_verified(raw, bucket):
    response = raw.request("PUT", f"/{bucket}/k", headers={"x-amz-checksum-md5": b64_checksum("MD5", DATA)},
                           body=DATA)
    assert response.status_code == 200
    assert response.headers["x-amz-checksum-md5"] == b64_checksum("MD5", DATA)


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "MD5",
                                       "XXHASH64", "XXHASH3", "XXHASH128"])
def test_wrong_checksum_is_bad_digest_naming_the_algorithm(raw, s3, bucket, algorithm):
    wrong = b64_checksum(algorithm, b"something else")
    response = raw.request("PUT", f"/{bucket}/k", headers={f"x-amz-checksum-{algorithm.lower()}": wrong},
                           body=DATA)
    assert response.status_code == 400
    assert "<Code>BadDigest</Code>" in response.text
    assert f"<Message>The {algorithm} you specified did not match the calculated checksum.</Message>" in response.text
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")


def test_malformed_checksum_value_is_invalid_request(raw, bucket):
    response = raw.request("PUT", f"/{bucket}/k", headers={"x-amz-checksum-crc32": "not-valid"}, body=DATA)
    assert response.status_code == 400
    assert "<Code>InvalidRequest</Code>" in response.text


def test_two_checksum_headers_is_invalid_request(raw, bucket):
    response = raw.request("PUT", f"/{bucket}/k", body=DATA, headers={
        "x-amz-checksum-crc32": crc32_b64(DATA), "x-amz-checksum-sha1": b64_checksum("SHA1", DATA)})
    assert response.status_code == 400
    assert "<Code>InvalidRequest</Code>" in response.text


def test_sdk_algorithm_without_checksum_is_invalid_request(raw, bucket):
    response = raw.request("PUT", f"/{bucket}/k", body=DATA, headers={"x-amz-sdk-checksum-algorithm": "CRC32"})
    assert response.status_code == 400
    assert "<Code>InvalidRequest</Code>" in response.text


def test_plain_put_gets_default_crc64nvme(raw, s3, bucket):
    response = raw.request("PUT", f"/{bucket}/k", body=DATA)
    assert response.status_code == 200
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == b64_checksum("CRC64NVME", DATA)


def test_range_get_returns_no_full_object_checksum(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=DATA, ChecksumAlgorithm="SHA256")
    got = s3.get_object(Bucket=bucket, Key="k", Range="bytes=0-9", ChecksumMode="ENABLED")
    assert got["Body"].read() == DATA[:10]
    assert "ChecksumSHA256" not in got


def test_checksums_absent_without_checksum_mode(raw, bucket, s3):
    s3.put_object(Bucket=bucket, Key="k", Body=DATA, ChecksumAlgorithm="SHA256")
    response = raw.request("HEAD", f"/{bucket}/k")
    assert "x-amz-checksum-sha256" not in response.headers
    response = raw.request("HEAD", f"/{bucket}/k", headers={"x-amz-checksum-mode": "ENABLED"})
    assert response.headers["x-amz-checksum-sha256"] == b64_checksum("SHA256", DATA)


# -- multipart checksums -------------------------------------------------------------------------


def test_multipart_composite_sha256(s3, bucket):
    parts = [b"p" * (5 * 1024 * 1024), b"q" * 1000]
    create = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")
    assert create["ChecksumAlgorithm"] == "SHA256"
    assert create["ChecksumType"] == "COMPOSITE"
    upload = create["UploadId"]
    done = []
    for number, data in enumerate(parts, start=1):
        part = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=number, Body=data,
                              ChecksumAlgorithm="SHA256")
        assert part["ChecksumSHA256"] == b64_checksum("SHA256", data)
        done.append({"PartNumber": number, "ETag": part["ETag"], "ChecksumSHA256": part["ChecksumSHA256"]})
    listed = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload)
    assert listed["ChecksumAlgorithm"] == "SHA256"
    assert [p["ChecksumSHA256"] for p in listed["Parts"]] == [d["ChecksumSHA256"] for d in done]
    result = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done})
    composite = hashlib.sha256(b"".join(hashlib.sha256(p).digest() for p in parts)).digest()
    assert result["ChecksumSHA256"] == f"{base64.b64encode(composite).decode()}-2"
    assert result["ChecksumType"] == "COMPOSITE"
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == result["ChecksumSHA256"]
    assert head["ChecksumType"] == "COMPOSITE"


def test_multipart_full_object_crc64nvme(s3, bucket):
    parts = [b"r" * (5 * 1024 * 1024), b"s" * 4321]
    create = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC64NVME",
                                        ChecksumType="FULL_OBJECT")
    assert create["ChecksumType"] == "FULL_OBJECT"
    upload = create["UploadId"]
    done = []
    for number, data in enumerate(parts, start=1):
        part = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=number, Body=data,
                              ChecksumAlgorithm="CRC64NVME")
        done.append({"PartNumber": number, "ETag": part["ETag"], "ChecksumCRC64NVME": part["ChecksumCRC64NVME"]})
    result = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done},
                                          ChecksumType="FULL_OBJECT")
    assert result["ChecksumCRC64NVME"] == b64_checksum("CRC64NVME", b"".join(parts))
    assert result["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"".join(parts)
    assert got["ChecksumCRC64NVME"] == result["ChecksumCRC64NVME"]


@pytest.mark.parametrize("algorithm, ctype", [("SHA256", "FULL_OBJECT"), ("CRC64NVME", "COMPOSITE")])
def test_impossible_checksum_type_is_invalid_request(s3, bucket, algorithm, ctype):
    with pytest.raises(ClientError) as exc:
        s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm=algorithm, ChecksumType=ctype)
    assert error_of(exc) == (400, "InvalidRequest")


def test_part_with_other_checksum_algorithm_is_invalid_request(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA1")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"x", ChecksumAlgorithm="CRC32")
    assert error_of(exc) == (400, "InvalidRequest")


def test_upload_part_wrong_checksum_is_bad_digest(raw, s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    response = raw.request("PUT", f"/{bucket}/k", query=f"partNumber=1&uploadId={upload}",
                           headers={"x-amz-checksum-crc32": crc32_b64(b"nope")}, body=DATA)
    assert response.status_code == 400
    assert "<Code>BadDigest</Code>" in response.text
    assert "Parts" not in s3.list_parts(Bucket=bucket, Key="k", UploadId=upload)


# -- aws-chunked bodies --------------------------------------------------------------------------


def chunked(data: bytes, chunk: int = 1000, trailer: str = "", signed: bool = False) -> bytes:
    sig = ";chunk-signature=" + "0" * 64 if signed else ""
    out = b""
    for i in range(0, len(data), chunk):
        piece = data[i:i + chunk]
        out += f"{len(piece):x}{sig}\r\n".encode() + piece + b"\r\n"
    out += f"0{sig}\r\n".encode()
    if trailer:
        out += trailer.encode() + b"\r\n"
    return out + b"\r\n"


def test_unsigned_chunked_body_with_crc32_trailer(raw, s3, bucket):
    body = chunked(DATA, trailer=f"x-amz-checksum-crc32:{crc32_b64(DATA)}")
    response = raw.request("PUT", f"/{bucket}/k", body=body, payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                           headers={"Content-Encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32",
                                    "x-amz-decoded-content-length": str(len(DATA))})
    assert response.status_code == 200, response.text
    assert response.headers["x-amz-checksum-crc32"] == crc32_b64(DATA)
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == DATA
    assert got["ContentLength"] == len(DATA)
    # aws-chunked is transport framing, never the object's Content-Encoding
    assert "ContentEncoding" not in got


def test_chunked_body_with_wrong_trailer_is_bad_digest(raw, s3, bucket):
    body = chunked(DATA, trailer=f"x-amz-checksum-crc32:{crc32_b64(b'other')}")
    response = raw.request("PUT", f"/{bucket}/k", body=body, payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                           headers={"Content-Encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32",
                                    "x-amz-decoded-content-length": str(len(DATA))})
    assert response.status_code == 400
    assert "<Code>BadDigest</Code>" in response.text
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")


def test_signed_chunked_body_keeps_other_content_encoding(raw, s3, bucket):
    # signed chunks must be at least 8 KiB except the last, so this body is one chunk plus the final one
    body = chunked(DATA, chunk=65536, signed=True)
    response = raw.request("PUT", f"/{bucket}/k", body=body, payload_hash="STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                           headers={"Content-Encoding": "aws-chunked,gzip",
                                    "x-amz-decoded-content-length": str(len(DATA))})
    assert response.status_code == 200, response.text
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == DATA
    assert got["ContentEncoding"] == "gzip"


def test_decoded_length_mismatch_is_incomplete_body(raw, s3, bucket):
    body = chunked(DATA)
    response = raw.request("PUT", f"/{bucket}/k", body=body, payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                           headers={"Content-Encoding": "aws-chunked",
                                    "x-amz-decoded-content-length": str(len(DATA) + 10)})
    assert response.status_code == 400
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")


# -- content length ------------------------------------------------------------------------------


def _signed_headers(raw, method: str, path: str) -> dict:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=f"{raw.endpoint_url}{path}",
                         headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_put_without_content_length_is_missing_content_length(lakebox_server, raw, bucket):
    conn = http.client.HTTPConnection(lakebox_server.host, lakebox_server.port)
    conn.putrequest("PUT", f"/{bucket}/k", skip_accept_encoding=True)
    for name, value in _signed_headers(raw, "PUT", f"/{bucket}/k").items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 411
    assert b"<Code>MissingContentLength</Code>" in body


def test_put_with_transfer_encoding_chunked_is_stored(lakebox_server, raw, s3, bucket):
    conn = http.client.HTTPConnection(lakebox_server.host, lakebox_server.port)
    headers = _signed_headers(raw, "PUT", f"/{bucket}/k")
    conn.request("PUT", f"/{bucket}/k", body=iter([b"chunk one, ", b"chunk two"]), headers=headers,
                 encode_chunked=True)
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 200
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"chunk one, chunk two"


def test_complete_with_wrong_whole_object_checksum_is_bad_digest(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"abc",
                          ChecksumAlgorithm="SHA256")
    parts = [{"PartNumber": 1, "ETag": part["ETag"], "ChecksumSHA256": part["ChecksumSHA256"]}]
    wrong = b64_checksum("SHA256", b"not it") + "-1"
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": parts},
                                     ChecksumSHA256=wrong)
    assert error_of(exc) == (400, "BadDigest")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")
    composite = base64.b64encode(hashlib.sha256(hashlib.sha256(b"abc").digest()).digest()).decode() + "-1"
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": parts},
                                        ChecksumSHA256=composite)
    assert done["ChecksumSHA256"] == composite


def test_part_number_get_returns_the_part_checksum(s3, bucket):
    parts = [b"x" * (5 * 1024 * 1024), b"y" * 10]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32C")["UploadId"]
    done = []
    for number, data in enumerate(parts, start=1):
        part = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=number, Body=data,
                              ChecksumAlgorithm="CRC32C")
        done.append({"PartNumber": number, "ETag": part["ETag"], "ChecksumCRC32C": part["ChecksumCRC32C"]})
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done})
    got = s3.get_object(Bucket=bucket, Key="k", PartNumber=2, ChecksumMode="ENABLED")
    assert got["Body"].read() == parts[1]  # botocore validates the body against the returned checksum
    assert got["ChecksumCRC32C"] == b64_checksum("CRC32C", parts[1])
    assert got["ChecksumType"] == "COMPOSITE"


def test_unknown_checksum_algorithm_header_is_invalid_request(raw, bucket):
    response = raw.request("PUT", f"/{bucket}/k", body=DATA, headers={"x-amz-checksum-sha256a": "AAAA"})
    assert response.status_code == 400
    assert "<Code>InvalidRequest</Code>" in response.text


# -- document bodies (DeleteObjects, bucket configuration) -----------------------------------------

DELETE_K = b"<Delete><Object><Key>k</Key></Object></Delete>"
CORS = (b"<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod>"
        b"<AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>")


def test_delete_objects_without_any_integrity_header_is_refused_and_deletes_nothing(s3, raw, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    response = raw.request("POST", f"/{bucket}", query="delete", body=DELETE_K)
    assert response.status_code == 400
    assert "<Code>InvalidRequest</Code>" in response.text
    assert "Missing required header for this request: Content-MD5 OR x-amz-checksum-*" in response.text
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


@pytest.mark.parametrize("header, value", [
    ("Content-MD5", base64.b64encode(hashlib.md5(b"other").digest()).decode()),
    ("x-amz-checksum-crc32", crc32_b64(b"other")),
])
def test_delete_objects_with_a_wrong_digest_is_bad_digest_and_deletes_nothing(s3, raw, bucket, header, value):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    response = raw.request("POST", f"/{bucket}", query="delete", body=DELETE_K, headers={header: value})
    assert response.status_code == 400
    assert "<Code>BadDigest</Code>" in response.text
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


@pytest.mark.parametrize("header, digest", [("Content-MD5", "MD5"), ("x-amz-checksum-crc32", "CRC32"),
                                            ("x-amz-checksum-sha256", "SHA256")])
def test_delete_objects_with_a_matching_digest_deletes(s3, raw, bucket, header, digest):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    response = raw.request("POST", f"/{bucket}", query="delete", body=DELETE_K,
                           headers={header: b64_checksum(digest, DELETE_K)})
    assert response.status_code == 200, response.text
    assert "<Deleted><Key>k</Key></Deleted>" in response.text
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_configuration_body_with_a_wrong_content_md5_is_bad_digest_and_not_stored(s3, raw, bucket):
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    response = raw.request("PUT", f"/{bucket}", query="cors", body=CORS, headers={"Content-MD5": wrong})
    assert response.status_code == 400
    assert "<Code>BadDigest</Code>" in response.text
    assert f"<ExpectedDigest>{wrong}</ExpectedDigest>" in response.text
    assert f"<CalculatedDigest>{b64_checksum('MD5', CORS)}</CalculatedDigest>" in response.text
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_cors(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchCORSConfiguration")


def test_configuration_body_with_a_malformed_checksum_is_invalid_request(raw, bucket):
    response = raw.request("PUT", f"/{bucket}", query="cors", body=CORS,
                           headers={"x-amz-checksum-crc32": "not-base64!"})
    assert response.status_code == 400
    assert "<Code>InvalidRequest</Code>" in response.text
    assert "Value for x-amz-checksum-crc32 header is invalid." in response.text


def test_configuration_body_with_a_matching_checksum_is_stored(s3, raw, bucket):
    response = raw.request("PUT", f"/{bucket}", query="cors", body=CORS,
                           headers={"x-amz-checksum-crc32": crc32_b64(CORS)})
    assert response.status_code == 200, response.text
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]["AllowedMethods"] == ["GET"]


TAGGING = b"<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>"
LIFECYCLE = (b"<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>logs/</Prefix></Filter>"
             b"<Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>")
ANY_CHECKSUM = "Missing required header for this request: Content-MD5 OR x-amz-checksum-*"


@pytest.mark.parametrize("query, body, message, stored", [
    ("cors", CORS, ANY_CHECKSUM, "get_bucket_cors"),
    ("tagging", TAGGING, ANY_CHECKSUM, "get_bucket_tagging"),
    # Lifecycle still answers in the words S3 used before the x-amz-checksum-* headers.
    ("lifecycle", LIFECYCLE, "Missing required header for this request: Content-MD5", "get_bucket_lifecycle_configuration"),
])
def test_configuration_that_s3_refuses_without_an_integrity_header(s3, raw, bucket, query, body, message, stored):
    response = raw.request("PUT", f"/{bucket}", query=query, body=body)
    assert response.status_code == 400
    assert "<Code>InvalidRequest</Code>" in response.text
    assert f"<Message>{message}</Message>" in response.text
    with pytest.raises(ClientError) as exc:
        getattr(s3, stored)(Bucket=bucket)
    assert error_of(exc)[0] == 404
    # The same body with either kind of integrity header is stored.
    for headers in ({"Content-MD5": b64_checksum("MD5", body)}, {"x-amz-checksum-crc32": crc32_b64(body)}):
        response = raw.request("PUT", f"/{bucket}", query=query, body=body, headers=headers)
        assert response.status_code in (200, 204), response.text


def test_lifecycle_with_only_the_algorithm_named_is_still_missing_its_checksum(raw, bucket):
    response = raw.request("PUT", f"/{bucket}", query="lifecycle", body=LIFECYCLE,
                           headers={"x-amz-checksum-algorithm": "CRC32"})
    assert response.status_code == 400
    assert "<Message>Missing required header for this request: Content-MD5</Message>" in response.text


@pytest.mark.parametrize("query, body, read", [
    ("versioning", b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
     lambda s3, b: s3.get_bucket_versioning(Bucket=b)["Status"] == "Enabled"),
    ("encryption", b"<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
                   b"<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"
                   b"</ServerSideEncryptionConfiguration>",
     lambda s3, b: s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"][0]
     ["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"),
    ("ownershipControls", b"<OwnershipControls><Rule><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership>"
                          b"</Rule></OwnershipControls>",
     lambda s3, b: s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]["Rules"][0]["ObjectOwnership"]
     == "BucketOwnerPreferred"),
    ("publicAccessBlock", b"<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>"
                          b"</PublicAccessBlockConfiguration>",
     lambda s3, b: s3.get_public_access_block(Bucket=b)["PublicAccessBlockConfiguration"]["BlockPublicAcls"]),
])
def test_configuration_that_s3_accepts_without_an_integrity_header(s3, raw, bucket, query, body, read):
    # The model marks these checksum-required too, but S3 takes them without one.
    response = raw.request("PUT", f"/{bucket}", query=query, body=body)
    assert response.status_code == 200, response.text
    assert read(s3, bucket)


def test_object_tagging_is_accepted_without_an_integrity_header(s3, raw, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    response = raw.request("PUT", f"/{bucket}/k", query="tagging", body=TAGGING)
    assert response.status_code == 200, response.text
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "a", "Value": "b"}]


def test_object_lock_calls_are_refused_without_an_integrity_header(s3, raw):
    s3.create_bucket(Bucket="locked-integrity", ObjectLockEnabledForBucket=True)
    version = s3.put_object(Bucket="locked-integrity", Key="k", Body=b"x")["VersionId"]
    config = (b'<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>'
              b"Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days>"
              b"</DefaultRetention></Rule></ObjectLockConfiguration>")
    hold = b'<LegalHold xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>ON</Status></LegalHold>'
    for path, query, body in (("/locked-integrity", "object-lock", config),
                              ("/locked-integrity/k", f"legal-hold&versionId={version}", hold)):
        response = raw.request("PUT", path, query=query, body=body)
        assert response.status_code == 400
        assert f"<Message>{ANY_CHECKSUM}</Message>" in response.text
    assert "Rule" not in s3.get_object_lock_configuration(Bucket="locked-integrity")["ObjectLockConfiguration"]
    with pytest.raises(ClientError) as exc:  # no hold was ever set on the version
        s3.get_object_legal_hold(Bucket="locked-integrity", Key="k", VersionId=version)
    assert error_of(exc) == (404, "NoSuchObjectLockConfiguration")


def test_a_range_covering_the_whole_object_carries_its_checksum(s3, bucket):
    """S3 describes a range that covers every byte with the object's checksum; a smaller range gets none."""
    s3.put_object(Bucket=bucket, Key="small", Body=b"0123456789", ChecksumAlgorithm="CRC32")
    whole = s3.get_object(Bucket=bucket, Key="small", Range="bytes=0-100", ChecksumMode="ENABLED")
    assert whole["Body"].read() == b"0123456789"
    assert whole["ChecksumCRC32"] == crc32_b64(b"0123456789") and whole["ChecksumType"] == "FULL_OBJECT"
    suffix = s3.get_object(Bucket=bucket, Key="small", Range="bytes=-15", ChecksumMode="ENABLED")
    assert suffix["ChecksumCRC32"] == crc32_b64(b"0123456789")
    part = s3.get_object(Bucket=bucket, Key="small", Range="bytes=0-4", ChecksumMode="ENABLED")
    assert part["Body"].read() == b"01234" and "ChecksumCRC32" not in part


def test_a_checksum_mode_named_for_an_upload_made_without_one_is_refused(s3, bucket):
    plain = s3.create_multipart_upload(Bucket=bucket, Key="p")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="p", UploadId=plain, PartNumber=1, Body=b"data")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="p", UploadId=plain, ChecksumType="FULL_OBJECT",
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert exc.value.response["Error"]["Message"] == (
        "The upload was created using the null checksum mode. The complete request must use the same checksum mode.")
