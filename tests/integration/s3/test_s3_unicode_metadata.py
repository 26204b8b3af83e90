"""Non-ASCII user metadata, as S3 documents it: RFC 2047 encoded words are decoded before storing,
and a value with any character beyond printable ASCII is returned as an encoded word of its UTF-8
bytes: "Q" when printable characters are the majority, else "B" (as recorded on S3 in 2026).

boto3 refuses non-ASCII metadata itself, so these tests send the headers by hand; a client that
sends raw bytes gets each byte read as one character (ISO-8859-1), as S3 reads them.
"""

from __future__ import annotations

import base64

import pytest

ENCODED_E_ACUTE = "=?UTF-8?B?" + base64.b64encode("é".encode()).decode() + "?="


def head_meta(raw, path: str) -> dict:
    response = raw.request("HEAD", path)
    assert response.status_code == 200
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith("x-amz-meta-")}


def test_an_encoded_word_is_stored_decoded_and_returned_encoded(s3, raw, bucket):
    response = raw.request("PUT", f"/{bucket}/k", body=b"x", headers={"x-amz-meta-name": "=?UTF-8?Q?Mini=C3=B6?="})
    assert response.status_code == 200, response.text
    # Stored as the text "Miniö"; mostly printable, so it comes back Q-encoded.
    expected = "=?UTF-8?Q?Mini=C3=B6?="
    assert head_meta(raw, f"/{bucket}/k") == {"x-amz-meta-name": expected}
    assert s3.head_object(Bucket=bucket, Key="k")["Metadata"] == {"name": expected}
    got = raw.request("GET", f"/{bucket}/k")
    assert got.content == b"x"
    assert got.headers["x-amz-meta-name"] == expected


def test_raw_non_ascii_bytes_are_read_one_character_per_byte(raw, bucket):
    # Sent as the UTF-8 bytes of "é" (C3 A9): S3 reads two characters, "Ã©", and returns their UTF-8.
    response = raw.request("PUT", f"/{bucket}/k", body=b"x", headers={"x-amz-meta-v": "é".encode().decode("latin-1")})
    assert response.status_code == 200, response.text
    expected = "=?UTF-8?B?" + base64.b64encode("Ã©".encode()).decode() + "?="
    assert head_meta(raw, f"/{bucket}/k") == {"x-amz-meta-v": expected}


@pytest.mark.parametrize("sent, answered", [
    # Values and answers as recorded on S3 (LocalStack's AWS-validated snapshots, 2026).
    ("=?UTF-8?B?w4RNw4Raw5XDkSBTMw==?=", "=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?="),  # "ÄMÄZÕÑ S3"
    ("=?UTF-8?B?dGVzdF/igJRfZmlsZSVFMiU4MCU5NF/DqV8yPy5wZGY=?=",  # "test_—_file%E2%80%94_é_2?.pdf"
     "=?UTF-8?Q?test=5F=E2=80=94=5Ffile%E2%80%94=5F=C3=A9=5F2=3F.pdf?="),
    ("=?UTF-8?B?AAECAw==?=", "=?UTF-8?B?AAECAw==?="),  # control characters only: B
    ("=?UTF-8?B?YWJj?=", "abc"),  # decodes to printable ASCII: answered plain
    ("tab\there", "tab\there"),
])
def test_encoded_word_form_follows_the_share_of_printable_characters(raw, bucket, sent, answered):
    response = raw.request("PUT", f"/{bucket}/k", body=b"", headers={"x-amz-meta-v": sent})
    assert response.status_code == 200, response.text
    assert head_meta(raw, f"/{bucket}/k") == {"x-amz-meta-v": answered}


@pytest.mark.parametrize("value", ["plain ascii", "=?bogus-charset?B?w6k=?=", "not =? a word"])
def test_ascii_values_and_undecodable_words_are_returned_as_sent(s3, bucket, value):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata={"v": value})
    assert s3.head_object(Bucket=bucket, Key="k")["Metadata"] == {"v": value}


def test_copy_keeps_the_decoded_value(s3, raw, bucket):
    raw.request("PUT", f"/{bucket}/src", body=b"x", headers={"x-amz-meta-v": ENCODED_E_ACUTE})
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert head_meta(raw, f"/{bucket}/dst") == {"x-amz-meta-v": ENCODED_E_ACUTE}


def test_multipart_upload_metadata_is_decoded_too(s3, raw, bucket):
    response = raw.request("POST", f"/{bucket}/mp", query="uploads", headers={"x-amz-meta-v": ENCODED_E_ACUTE})
    assert response.status_code == 200, response.text
    upload = response.text.split("<UploadId>")[1].split("</UploadId>")[0]
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"part")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert head_meta(raw, f"/{bucket}/mp") == {"x-amz-meta-v": ENCODED_E_ACUTE}


def test_form_upload_fields_beyond_latin1_come_back_as_ascii_headers(lakebox_server, s3):
    """A browser form is UTF-8: its metadata (and Content-Disposition) can hold any character,
    which no raw HTTP header can carry; S3 answers with encoded words."""
    import requests

    name = "unicode-form"
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket=name)
    s3.put_bucket_acl(Bucket=name, ACL="public-read-write")
    fields = {"key": "doc.txt", "x-amz-meta-title": "中文", "Content-Disposition": 'attachment; filename="中.txt"'}
    files = {"file": ("doc.txt", b"body")}
    response = requests.post(f"{lakebox_server.endpoint_url}/{name}", data=fields, files=files)
    assert response.status_code == 204, response.text
    got = s3.get_object(Bucket=name, Key="doc.txt")
    assert got["Body"].read() == b"body"
    assert got["Metadata"] == {"title": "=?UTF-8?B?" + base64.b64encode("中文".encode()).decode() + "?="}
    assert got["ContentDisposition"].isascii()
