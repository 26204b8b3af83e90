"""SSE-C building blocks: customer-key validation, the AES-CTR streams at odd offsets and sizes, range
decryption across parts with their own IVs, and the sealing reader that checks plaintext digests."""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from lakebox.protocol.errors import AwsError
from lakebox.services.s3 import sse_c, sse_c_cipher
from lakebox.storage import errors as st
from lakebox.storage.api import ObjectInfo, ObjectMeta, PartInfo, UploadInfo

KEY = bytes(range(32))
OTHER = bytes(range(1, 33))
IV = bytes(range(200, 216))
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def md5(data: bytes) -> str:
    return b64(hashlib.md5(data).digest())


def params(key: bytes = KEY, prefix: str = "SSECustomer", **changes) -> dict:
    out = {prefix + "Algorithm": "AES256", prefix + "Key": b64(key), prefix + "KeyMD5": md5(key)}
    out.update({prefix + name: value for name, value in changes.items()})
    return {k: v for k, v in out.items() if v is not None}


def reference_ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    return Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor().update(data)


def stored_object(record: dict, size: int, parts: list[PartInfo] = ()) -> ObjectInfo:
    return ObjectInfo("b", "k", size, "etag", NOW, meta=ObjectMeta(encryption=dict(record)), parts=list(parts))


def chunked(data: bytes, size: int):
    return iter([data[i:i + size] for i in range(0, len(data), size)])


# -- keys --------------------------------------------------------------------------------------------


def test_valid_key_gives_its_bytes_and_md5():
    key = sse_c.customer_key(params())
    assert (key.key, key.md5) == (KEY, md5(KEY))
    assert "key=" not in repr(key)  # the key never shows in logs


def test_no_headers_means_no_key():
    assert sse_c.customer_key({}) is None


@pytest.mark.parametrize("changes, code, words", [
    ({"Algorithm": None}, "InvalidArgument", "valid encryption algorithm"),
    ({"Algorithm": "AES128"}, "InvalidEncryptionAlgorithmError", "Supported value: AES256"),
    ({"Key": None}, "InvalidArgument", "appropriate secret key"),
    ({"KeyMD5": None}, "InvalidArgument", "client calculated MD5"),
    ({"KeyMD5": md5(OTHER)}, "InvalidArgument", "calculated MD5 hash of the key did not match"),
    ({"Key": "not base64!", "KeyMD5": md5(b"")}, "InvalidArgument", "secret key was invalid"),
    ({"Key": b64(b"short"), "KeyMD5": md5(b"short")}, "InvalidArgument", "secret key was invalid"),
], ids=["no-algorithm", "other-algorithm", "no-key", "no-md5", "wrong-md5", "not-base64", "short-key"])
def test_bad_key_headers_are_400(changes, code, words):
    with pytest.raises(AwsError) as exc:
        sse_c.customer_key(params(**changes))
    assert (exc.value.status, exc.value.code) == (400, code)
    assert words in exc.value.message


def test_md5_is_checked_before_the_length():
    with pytest.raises(AwsError) as exc:
        sse_c.customer_key(params(Key=b64(b"x" * 24), KeyMD5=md5(b"y")))
    assert "MD5" in exc.value.message


def test_reading_an_sse_c_object_needs_its_key():
    info = stored_object({"SSECustomerAlgorithm": "AES256", "SSECustomerKeyMD5": md5(KEY), sse_c.IV: b64(IV)}, 10)
    assert sse_c.check_customer_key(info, params()) == KEY
    with pytest.raises(AwsError) as exc:
        sse_c.check_customer_key(info, {})
    assert (exc.value.code, exc.value.status) == ("InvalidRequest", 400)
    for other in (OTHER, b"short"):  # a key of the wrong length is just not the object's key
        with pytest.raises(AwsError) as exc:
            sse_c.check_customer_key(info, params(other))
        assert exc.value.status == 400 and "correct secret key" in exc.value.message
    copy_source = params(prefix="CopySourceSSECustomer")
    assert sse_c.check_customer_key(info, copy_source, sse_c.COPY_SOURCE) == KEY


def test_key_headers_on_a_plain_object_are_refused():
    with pytest.raises(AwsError) as exc:
        sse_c.check_customer_key(stored_object({"ServerSideEncryption": "AES256"}, 1), params())
    assert exc.value.code == "InvalidRequest"
    assert sse_c.check_customer_key(stored_object({"ServerSideEncryption": "AES256"}, 1), {}) is None


def test_parts_must_carry_the_upload_key():
    meta = ObjectMeta(encryption={"SSECustomerKeyMD5": md5(KEY)})
    assert sse_c.check_part_customer_key(meta, params()) == KEY
    for given in ({}, params(OTHER)):
        with pytest.raises(AwsError) as exc:
            sse_c.check_part_customer_key(meta, given)
        assert (exc.value.code, exc.value.status) == ("InvalidRequest", 400)
    with pytest.raises(AwsError):
        sse_c.check_part_customer_key(ObjectMeta(), params())


def test_completion_key_is_optional_unless_the_upload_has_a_checksum():
    upload = UploadInfo("b", "k", "u", NOW, meta=ObjectMeta(encryption={"SSECustomerKeyMD5": md5(KEY)}))
    sse_c.check_completion_key(upload, {})
    sse_c.check_completion_key(upload, params())
    with pytest.raises(AwsError):
        sse_c.check_completion_key(upload, params(OTHER))
    upload.checksum_algorithm = "CRC32"
    with pytest.raises(AwsError):
        sse_c.check_completion_key(upload, {})


# -- the cipher --------------------------------------------------------------------------------------


def test_counter_block_adds_the_block_index_and_wraps():
    assert sse_c_cipher.counter_block(bytes(16), 0) == bytes(16)
    assert sse_c_cipher.counter_block(bytes(16), 15) == bytes(16)
    assert sse_c_cipher.counter_block(bytes(16), 16) == (1).to_bytes(16, "big")
    assert sse_c_cipher.counter_block(b"\xff" * 16, 16) == bytes(16)


@pytest.mark.parametrize("offset", [0, 1, 15, 16, 17, 4095, 4096, 100_003])
def test_keystream_at_any_offset_matches_one_pass(offset):
    data = os.urandom(offset + 300)
    whole = reference_ctr(KEY, IV, data)
    assert sse_c_cipher.keystream_at(KEY, IV, offset).update(data[offset:]) == whole[offset:]


def test_ctr_stream_is_the_same_for_any_chunking():
    data = os.urandom(70_001)
    expected = reference_ctr(KEY, IV, data)
    for size in (1, 7, 16, 1000, 65_537):
        stream = sse_c_cipher.CtrStream(KEY, [sse_c_cipher.Segment(0, None, IV)])
        assert b"".join(stream.update(c) for c in chunked(data, size)) == expected


def test_part_ivs_are_deterministic_and_distinct():
    salt = os.urandom(16)
    assert sse_c_cipher.part_iv(salt, 3) == sse_c_cipher.part_iv(salt, 3)
    assert len({sse_c_cipher.part_iv(salt, n) for n in range(1, 1001)}) == 1000
    assert sse_c_cipher.part_iv(salt, 1) != sse_c_cipher.part_iv(os.urandom(16), 1)


def _multipart_object(parts: list[bytes]):
    """Parts encrypted as a multipart SSE-C upload stores them, and the object they complete into."""
    salt = os.urandom(16)
    numbers = [2, 3, 7, 8][:len(parts)]  # part numbers need not be contiguous
    stored = b"".join(reference_ctr(KEY, sse_c_cipher.part_iv(salt, n), p) for n, p in zip(numbers, parts, strict=True))
    infos = [PartInfo(n, "e", len(p), NOW) for n, p in zip(numbers, parts, strict=True)]
    info = stored_object({"SSECustomerKeyMD5": md5(KEY), sse_c.SALT: b64(salt)}, len(stored), infos)
    return info, stored


@pytest.mark.parametrize("start, end", [(0, None), (0, 0), (5, 20), (99, 101), (100, 100), (250, 312),
                                        (1, 299), (311, None)])
def test_range_decrypts_across_parts(start, end):
    parts = [os.urandom(100), b"", os.urandom(150), os.urandom(63)]  # a 0-byte part too
    info, stored = _multipart_object(parts)
    plain = b"".join(parts)
    stop = len(stored) if end is None else end + 1
    for chunk in (1, 16, 33, 4096):
        got = sse_c_cipher.DecryptedChunks(chunked(stored[start:stop], chunk), KEY, sse_c.object_segments(info), start)
        assert b"".join(got) == plain[start:stop]


def test_single_piece_object_uses_its_iv():
    data = os.urandom(1234)
    info = stored_object({"SSECustomerKeyMD5": md5(KEY), sse_c.IV: b64(IV)}, len(data))
    stored = reference_ctr(KEY, IV, data)
    chunks = sse_c.decrypted(chunked(stored[617:], 100), info, KEY, 617)
    assert b"".join(chunks) == data[617:]


def test_object_without_iv_is_plain_on_disk():
    # Objects recorded as SSE-C before lakebox encrypted them: their bytes are plaintext.
    info = stored_object({"SSECustomerKeyMD5": md5(KEY)}, 3)
    chunks = iter([b"abc"])
    assert sse_c.decrypted(chunks, info, KEY) is chunks


def test_reading_past_the_layout_fails():
    stream = sse_c_cipher.CtrStream(KEY, [sse_c_cipher.Segment(0, 10, IV)])
    with pytest.raises(ValueError):
        stream.update(b"x" * 11)


# -- the sealing reader ------------------------------------------------------------------------------


class Body:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0
        self.trailers = {"x-amz-checksum-crc32": "trailer"}

    def read(self, size: int = -1) -> bytes:
        size = len(self.data) - self.pos if size < 0 else size
        chunk = self.data[self.pos:self.pos + size]
        self.pos += len(chunk)
        return chunk


def drain(reader, size: int) -> bytes:
    out = []
    while True:
        chunk = reader.read(size)
        if not chunk:
            return b"".join(out)
        out.append(chunk)


@pytest.mark.parametrize("size", [1, 5, 16, 1000])
def test_sealing_reader_encrypts_and_records_plaintext_checksums(size):
    data = os.urandom(3001)
    handed: list[dict] = []
    reader = sse_c_cipher.SealingReader(Body(data), KEY, IV, ["SHA256", "CRC32"], {"MD5": md5(data)},
                                        handed.append)
    assert drain(reader, size) == reference_ctr(KEY, IV, data)
    sha = b64(hashlib.sha256(data).digest())
    assert reader.checksums["SHA256"] == sha
    assert handed == [reader.checksums] and set(reader.checksums) == {"SHA256", "CRC32"}
    assert reader.trailers == {"x-amz-checksum-crc32": "trailer"}  # the request stream stays reachable


def test_sealing_reader_refuses_a_wrong_content_md5():
    reader = sse_c_cipher.SealingReader(Body(b"data"), KEY, IV, [], {"MD5": md5(b"other")})
    with pytest.raises(st.BadDigestError):
        drain(reader, 2)


def test_sealing_reader_refuses_a_wrong_checksum_even_when_known_late():
    wrong = b64(hashlib.sha256(b"other").digest())
    reader = sse_c_cipher.SealingReader(Body(b"data"), KEY, IV, ["SHA256"], lambda: {"SHA256": wrong})
    with pytest.raises(st.ChecksumMismatchError):
        drain(reader, 3)


def test_seal_object_leaves_plain_writes_alone():
    meta = ObjectMeta(encryption={"ServerSideEncryption": "AES256"})
    body = Body(b"x")
    assert sse_c.seal_object(meta, {}, body, ["CRC32"], None) == (body, ["CRC32"], None)


def test_seal_object_sets_a_fresh_iv_and_takes_over_checksums():
    meta = ObjectMeta(encryption={"SSECustomerAlgorithm": "AES256", "SSECustomerKeyMD5": md5(KEY)})
    body, algorithms, expected = sse_c.seal_object(meta, params(), Body(b"secret"), ["CRC64NVME"],
                                                   {"MD5": md5(b"secret")})
    assert (algorithms, expected) == ([], None)
    iv = base64.b64decode(meta.encryption[sse_c.IV])
    assert drain(body, 4) == reference_ctr(KEY, iv, b"secret")
    # the plaintext checksums are recorded with the object, privately
    assert sse_c.CHECKSUM + "CRC64NVME" in meta.encryption
    other = ObjectMeta(encryption={"SSECustomerKeyMD5": md5(KEY)})
    sse_c.seal_object(other, params(), Body(b""), [], None)
    assert other.encryption[sse_c.IV] != meta.encryption[sse_c.IV]


def test_sealed_parts_use_the_part_iv_and_answer_plaintext_checksums():
    meta = ObjectMeta(encryption={"SSECustomerKeyMD5": md5(KEY)})
    sse_c.start_upload(meta)
    upload = UploadInfo("b", "k", "u", NOW, meta=meta, checksum_algorithm="CRC32")
    body, _, _ = sse_c.seal_part(upload, KEY, 4, Body(b"part four"), [], None)
    iv = sse_c_cipher.part_iv(base64.b64decode(meta.encryption[sse_c.SALT]), 4)
    assert drain(body, 3) == reference_ctr(KEY, iv, b"part four")
    part = sse_c.plain_part(PartInfo(4, "e", 9, NOW, {"CRC32": "ciphertext"}), body)
    assert set(part.checksums) == {"CRC32"} and part.checksums["CRC32"] != "ciphertext"


def test_plain_view_answers_plaintext_checksums_only():
    record = {"SSECustomerKeyMD5": md5(KEY), sse_c.IV: b64(IV), sse_c.CHECKSUM + "CRC32": "AAAAAA=="}
    view = sse_c.plain_view(ObjectInfo("b", "k", 1, "e", NOW, meta=ObjectMeta(encryption=record),
                                       checksums={"CRC32": "cipher"}))
    assert view.checksums == {"CRC32": "AAAAAA=="} and view.checksum_type == "FULL_OBJECT"
    info, _ = _multipart_object([b"a", b"b"])
    info.checksums = {"CRC32": "cipher-2"}
    assert sse_c.plain_view(info).checksums == {}
    plain = stored_object({"ServerSideEncryption": "AES256"}, 1)
    assert sse_c.plain_view(plain) is plain


def test_chunk_reader_reads_any_sizes():
    reader = sse_c_cipher.ChunkReader(iter([b"abc", b"", b"defgh", b"i"]))
    assert [reader.read(2), reader.read(4), reader.read(10), reader.read(1)] == [b"ab", b"cdef", b"ghi", b""]
