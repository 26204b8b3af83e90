"""decode_body for aws-chunked bodies: signed chunks (built here from the AWS spec), unsigned trailers
(built by botocore's own AwsChunkedWrapper), always fed through a transport that trickles bytes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import re
import zlib

import pytest
from auth_requests import ENDPOINT, SECRET_KEY, TrickleBody, captured, sign_v4
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

from lakebox.auth import decode_body, parse_auth
from lakebox.protocol.errors import AwsError
from lakebox.protocol.http import Headers, HttpRequest

EMPTY = hashlib.sha256(b"").hexdigest()
DATA = os.urandom(20000)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


class SignedUpload:
    """A request signed with a STREAMING-* payload, and its chunked body, per the AWS SigV4 spec."""

    def __init__(self, payload="STREAMING-AWS4-HMAC-SHA256-PAYLOAD", decoded_length=len(DATA), trailer=None):
        headers = {
            "X-Amz-Content-SHA256": payload,
            "Content-Encoding": "aws-chunked",
            "X-Amz-Decoded-Content-Length": str(decoded_length),
        }
        if trailer:
            headers["X-Amz-Trailer"] = trailer
        self.request = sign_v4("s3", "PUT", ENDPOINT + "/bkt/key", headers, b"")
        auth = self.request.headers["authorization"]
        credential = re.search(r"Credential=([^,]+)", auth).group(1)
        _, date, region, service, _ = credential.split("/")
        self.scope = f"{date}/{region}/{service}/aws4_request"
        self.timestamp = self.request.headers["x-amz-date"]
        self.seed = re.search(r"Signature=([0-9a-f]+)", auth).group(1)
        key = _hmac(f"AWS4{SECRET_KEY}".encode(), date)
        for part in (region, service, "aws4_request"):
            key = _hmac(key, part)
        self.key = key

    def sign(self, previous: str, kind: str, digest: str, with_empty: bool = True) -> str:
        parts = [kind, self.timestamp, self.scope, previous] + ([EMPTY] if with_empty else []) + [digest]
        return hmac.new(self.key, "\n".join(parts).encode(), hashlib.sha256).hexdigest()

    def body(self, data=DATA, chunk_size=8192, trailers=None) -> bytes:
        out, previous = [], self.seed
        chunks = [data[i : i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
        for chunk in chunks:
            previous = self.sign(previous, "AWS4-HMAC-SHA256-PAYLOAD", hashlib.sha256(chunk).hexdigest())
            out.append(b"%x;chunk-signature=%s\r\n" % (len(chunk), previous.encode()))
            if chunk:
                out.append(chunk + b"\r\n")
        if trailers is not None:
            text = "".join(f"{name}:{value}\n" for name, value in trailers.items())
            signature = self.sign(previous, "AWS4-HMAC-SHA256-TRAILER", hashlib.sha256(text.encode()).hexdigest(),
                                  with_empty=False)
            out.extend(f"{name}:{value}\r\n".encode() for name, value in trailers.items())
            out.append(f"x-amz-trailer-signature:{signature}\r\n".encode())
        out.append(b"\r\n")
        return b"".join(out)

    def decoder(self, body: bytes, secret=SECRET_KEY, step=7):
        info = parse_auth(self.request)
        self.request.body = TrickleBody(body, step)
        return decode_body(self.request, info, secret)


def read_in(stream, size: int) -> bytes:
    out = bytearray()
    while True:
        piece = stream.read(size)
        if not piece:
            return bytes(out)
        out += piece


def fails(stream, code: str, status: int = 400) -> AwsError:
    with pytest.raises(AwsError) as caught:
        read_in(stream, 4096)
    assert (caught.value.code, caught.value.status) == (code, status)
    return caught.value


# -- signed chunks -------------------------------------------------------------------------------------


@pytest.mark.parametrize("read_size", [1, 7, 100, 8192, 1 << 20])
def test_signed_chunks_decode_and_verify(read_size):
    upload = SignedUpload()
    stream = upload.decoder(upload.body())
    assert stream.decoded_length == len(DATA) and stream.length == len(DATA)
    assert read_in(stream, read_size) == DATA
    assert stream.trailers == {}


def test_read_all_returns_the_decoded_body():
    upload = SignedUpload()
    assert upload.decoder(upload.body()).read() == DATA


def test_signed_chunks_with_trailer_verify_and_expose_trailers():
    upload = SignedUpload("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", trailer="x-amz-checksum-crc32")
    stream = upload.decoder(upload.body(trailers={"x-amz-checksum-crc32": _crc32_b64(DATA)}))
    assert read_in(stream, 1000) == DATA
    assert stream.trailers == {"x-amz-checksum-crc32": _crc32_b64(DATA)}


def test_tampered_chunk_data_is_signature_does_not_match():
    upload = SignedUpload()
    body = bytearray(upload.body())
    body[body.index(b"\r\n") + 100] ^= 0xFF
    fails(upload.decoder(bytes(body)), "SignatureDoesNotMatch", 403)


def test_tampered_chunk_signature_is_signature_does_not_match():
    upload = SignedUpload()
    body = upload.body()
    signatures = re.findall(rb"chunk-signature=([0-9a-f]{64})", body)
    body = body.replace(signatures[1], b"0" * 64)
    fails(upload.decoder(body), "SignatureDoesNotMatch", 403)


def test_tampered_final_chunk_signature_is_signature_does_not_match():
    upload = SignedUpload()
    body = upload.body()
    last = re.findall(rb"chunk-signature=([0-9a-f]{64})", body)[-1]
    fails(upload.decoder(body.replace(last, b"f" * 64)), "SignatureDoesNotMatch", 403)


def test_missing_chunk_signature_is_signature_does_not_match():
    upload = SignedUpload()
    body = re.sub(rb";chunk-signature=[0-9a-f]{64}", b"", upload.body(), count=1)
    fails(upload.decoder(body), "SignatureDoesNotMatch", 403)


def test_tampered_trailer_is_signature_does_not_match():
    upload = SignedUpload("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", trailer="x-amz-checksum-crc32")
    body = upload.body(trailers={"x-amz-checksum-crc32": "AAAAAA=="}).replace(b"AAAAAA==", b"BBBBBB==")
    fails(upload.decoder(body), "SignatureDoesNotMatch", 403)


def test_missing_trailer_signature_is_signature_does_not_match():
    upload = SignedUpload("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", trailer="x-amz-checksum-crc32")
    body = re.sub(rb"x-amz-trailer-signature:[0-9a-f]+\r\n", b"", upload.body(trailers={"x-amz-checksum-crc32": "A"}))
    fails(upload.decoder(body), "SignatureDoesNotMatch", 403)


def test_wrong_secret_fails_on_the_first_chunk():
    upload = SignedUpload()
    stream = upload.decoder(upload.body(), secret="wrong")
    handed_out = 0
    with pytest.raises(AwsError) as caught:
        while piece := stream.read(1000):
            handed_out += len(piece)
    assert caught.value.code == "SignatureDoesNotMatch"
    assert handed_out == 8192  # the first chunk's bytes, then the error before EOF


def test_without_a_secret_chunks_decode_unverified():
    upload = SignedUpload()
    body = upload.body().replace(re.findall(rb"chunk-signature=([0-9a-f]{64})", upload.body())[0], b"0" * 64)
    assert read_in(upload.decoder(body, secret=None), 999) == DATA


def test_small_signed_chunk_before_the_last_is_invalid_chunk_size():
    upload = SignedUpload()
    error = fails(upload.decoder(upload.body(chunk_size=5000)), "InvalidChunkSizeError")
    assert error.fields == {"Chunk": "1", "BadChunkSize": "5000"}


def test_small_last_chunk_is_fine():
    data = DATA[:8192 + 10]
    upload = SignedUpload(decoded_length=len(data))
    assert read_in(upload.decoder(upload.body(data)), 333) == data


# -- framing errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cut", [0, 5, 90, 8300, 20000, -30, -1])
def test_truncated_body_is_incomplete_body(cut):
    upload = SignedUpload()
    body = upload.body()
    fails(upload.decoder(body[:cut]), "IncompleteBody")


def test_eof_right_after_the_signed_final_chunk_is_accepted():
    # Everything signed has arrived; only the closing blank line is missing.
    upload = SignedUpload()
    assert read_in(upload.decoder(upload.body()[:-2]), 4096) == DATA


def test_bad_chunk_size_is_incomplete_body():
    upload = SignedUpload()
    fails(upload.decoder(b"zz;chunk-signature=" + b"0" * 64 + b"\r\n"), "IncompleteBody")


def test_missing_crlf_after_chunk_data_is_incomplete_body():
    upload = SignedUpload()
    body = upload.body()
    first_data_end = body.index(b"\r\n") + 2 + 8192
    fails(upload.decoder(body[:first_data_end] + b"XX" + body[first_data_end + 2 :]), "IncompleteBody")


@pytest.mark.parametrize("declared", [len(DATA) - 1, len(DATA) + 1])
def test_wrong_decoded_content_length_is_incomplete_body(declared):
    upload = SignedUpload(decoded_length=declared)
    error = fails(upload.decoder(upload.body()), "IncompleteBody")
    assert "Content-Length" in error.message


# -- unsigned chunks -----------------------------------------------------------------------------------


def unsigned_request(body: bytes, headers: dict) -> HttpRequest:
    all_headers = Headers([("host", "localhost:4566"), ("Content-Encoding", "aws-chunked")] + list(headers.items()))
    return HttpRequest("PUT", "/bkt/key", headers=all_headers, body=TrickleBody(body, 7))


def test_unsigned_trailer_body_from_botocore_decodes():
    wrapper = AwsChunkedWrapper(io.BytesIO(DATA), checksum_cls=Crc32Checksum,
                                checksum_name="x-amz-checksum-crc32", chunk_size=1000)
    request = unsigned_request(wrapper.read(), {
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-trailer": "x-amz-checksum-crc32",
        "x-amz-decoded-content-length": str(len(DATA)),
    })
    stream = decode_body(request, parse_auth(request), SECRET_KEY)
    assert read_in(stream, 333) == DATA
    assert stream.trailers == {"x-amz-checksum-crc32": _crc32_b64(DATA)}


def test_unsigned_chunks_without_trailers_decode():
    request = unsigned_request(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", {"x-amz-content-sha256": "UNSIGNED-PAYLOAD",
                                                                         "x-amz-decoded-content-length": "11"})
    stream = decode_body(request, parse_auth(request), None)
    assert stream.decoded_length == 11
    assert stream.read() == b"hello world" and stream.trailers == {}


def test_trailers_ending_at_eof_without_blank_line_are_accepted():
    request = unsigned_request(b"2\r\nhi\r\n0\r\nx-amz-checksum-crc32:abc=\r\n",
                               {"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})
    stream = decode_body(request, parse_auth(request), None)
    assert stream.read() == b"hi" and stream.trailers == {"x-amz-checksum-crc32": "abc="}


def test_malformed_trailer_line_is_malformed_trailer_error():
    request = unsigned_request(b"2\r\nhi\r\n0\r\nnot a trailer\r\n\r\n",
                               {"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})
    fails(decode_body(request, parse_auth(request), None), "MalformedTrailerError")


def test_declared_trailer_that_never_comes_is_malformed_trailer_error():
    request = unsigned_request(b"2\r\nhi\r\n0\r\n\r\n", {"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                                         "x-amz-trailer": "x-amz-checksum-sha256"})
    fails(decode_body(request, parse_auth(request), None), "MalformedTrailerError")


def test_put_object_over_https_from_boto3_decodes():
    (request,) = captured("s3", lambda c: c.put_object(Bucket="bkt", Key="k", Body=DATA),
                          endpoint="https://localhost:4566")
    request.body = TrickleBody(request.body.read(), 7)
    stream = decode_body(request, parse_auth(request), SECRET_KEY)
    assert read_in(stream, 4096) == DATA
    assert stream.trailers == {"x-amz-checksum-crc32": _crc32_b64(DATA)}


def test_trailers_are_known_once_decoded_length_bytes_were_read():
    # A reader that knows the length never asks for EOF; trailers must be settled anyway.
    upload = SignedUpload("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", trailer="x-amz-checksum-crc32")
    stream = upload.decoder(upload.body(trailers={"x-amz-checksum-crc32": _crc32_b64(DATA)}))
    got = bytearray()
    while len(got) < len(DATA):
        got += stream.read(len(DATA) - len(got))
    assert bytes(got) == DATA
    assert stream.trailers == {"x-amz-checksum-crc32": _crc32_b64(DATA)}


def test_decoding_streams_without_reading_ahead():
    data = os.urandom(1 << 20)
    upload = SignedUpload(decoded_length=len(data))
    stream = upload.decoder(upload.body(data, chunk_size=64 * 1024), step=1 << 20)
    assert stream.read(100) == data[:100]
    assert stream._raw.consumed < 70 * 1024
    assert read_in(stream, 50000) == data[100:]
