"""Checksums: every S3 algorithm against known vectors and independent implementations."""

from __future__ import annotations

import base64
import hashlib
import os
import zlib

import pytest
import xxhash
from awscrt import checksums as crt
from botocore import httpchecksum

from lakebox.storage import checksums as ck

CHECK = b"123456789"  # the standard CRC check input


def b64int(value: int, width: int) -> str:
    return base64.b64encode(value.to_bytes(width, "big")).decode()


@pytest.mark.parametrize("algorithm, expected", [
    ("CRC32", b64int(0xCBF43926, 4)),
    ("CRC32C", b64int(0xE3069283, 4)),
    ("CRC64NVME", b64int(0xAE8B14860A799888, 8)),
    ("SHA1", base64.b64encode(hashlib.sha1(CHECK).digest()).decode()),
    ("SHA256", base64.b64encode(hashlib.sha256(CHECK).digest()).decode()),
    ("SHA512", base64.b64encode(hashlib.sha512(CHECK).digest()).decode()),
    ("MD5", base64.b64encode(hashlib.md5(CHECK).digest()).decode()),
])
def test_check_vectors(algorithm, expected):
    assert ck.compute(algorithm, CHECK) == expected


def test_empty_input_values_match_aws_documented_ones():
    assert ck.compute("CRC32", b"") == "AAAAAA=="
    assert ck.compute("SHA256", b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    # XXH64, XXH3-64 and XXH3-128 of empty input (xxHash's published values, seed 0).
    assert ck.compute("XXHASH64", b"") == b64int(0xEF46DB3751D8E999, 8)
    assert ck.compute("XXHASH3", b"") == b64int(0x2D06800538D394C2, 8)
    assert ck.compute("XXHASH128", b"") == b64int(0x99AA06D3014798D86001C324468D497F, 16)


def test_crc32_matches_zlib_on_random_data_fed_in_odd_chunks():
    data = os.urandom(300_001)
    hasher = ck.new_hasher("CRC32")
    for start in range(0, len(data), 7777):
        hasher.update(data[start:start + 7777])
    assert hasher.digest() == zlib.crc32(data).to_bytes(4, "big")


BOTOCORE = {
    "CRC32": httpchecksum.CrtCrc32Checksum,
    "CRC32C": httpchecksum.CrtCrc32cChecksum,
    "CRC64NVME": httpchecksum.CrtCrc64NvmeChecksum,
    "SHA1": httpchecksum.Sha1Checksum,
    "SHA256": httpchecksum.Sha256Checksum,
    "SHA512": httpchecksum.Sha512Checksum,
    "XXHASH64": httpchecksum.CrtXxhash64Checksum,
    "XXHASH3": httpchecksum.CrtXxhash3Checksum,
    "XXHASH128": httpchecksum.CrtXxhash128Checksum,
}


@pytest.mark.parametrize("algorithm", sorted(BOTOCORE))
def test_every_algorithm_agrees_with_botocore(algorithm):
    """botocore is what clients use to compute the values they send: the oracle."""
    data = os.urandom(1_000_003)
    oracle = BOTOCORE[algorithm]()
    oracle.update(data)
    ours = ck.new_hasher(algorithm)
    ours.update(data[:12345])
    ours.update(data[12345:])
    assert ck.b64(ours.digest()) == oracle.b64digest()


def test_xxhash_variants_are_the_ones_awscrt_uses():
    data = os.urandom(5000)
    for algorithm, make in (("XXHASH64", crt.XXHash.new_xxhash64), ("XXHASH3", crt.XXHash.new_xxhash3_64),
                            ("XXHASH128", crt.XXHash.new_xxhash3_128)):
        oracle = make()
        oracle.update(data)
        assert ck.compute(algorithm, data) == base64.b64encode(oracle.finalize()).decode()
    assert ck.compute("XXHASH3", data) == base64.b64encode(xxhash.xxh3_64(data).digest()).decode()


def test_every_model_algorithm_is_supported():
    import botocore.session

    model = botocore.session.get_session().get_service_model("s3")
    assert set(model.shape_for("ChecksumAlgorithm").enum) == set(ck.ALGORITHMS)
    for algorithm in ck.ALGORITHMS:
        assert ck.decode(ck.compute(algorithm, b"abc")) is not None


def test_unknown_algorithm_raises_value_error():
    with pytest.raises(ValueError):
        ck.new_hasher("CRC16")


def test_multihasher_computes_md5_and_requested_in_one_pass():
    data = b"hello world" * 1000
    hasher = ck.MultiHasher(["CRC32", "SHA256", "CRC32"])
    hasher.update(data[:100])
    hasher.update(data[100:])
    assert hasher.md5_hex() == hashlib.md5(data).hexdigest()
    assert hasher.size == len(data)
    assert hasher.checksums() == {"CRC32": ck.compute("CRC32", data), "SHA256": ck.compute("SHA256", data)}
    assert "MD5" not in hasher.checksums()


def test_multihasher_reports_md5_checksum_only_when_requested():
    hasher = ck.MultiHasher(["MD5"])
    hasher.update(b"abc")
    assert hasher.checksums() == {"MD5": base64.b64encode(hashlib.md5(b"abc").digest()).decode()}


def test_composite_is_checksum_of_concatenated_binary_part_checksums_with_count():
    parts = [os.urandom(1000), os.urandom(2000), os.urandom(10)]
    values = [ck.compute("CRC32", p) for p in parts]
    raw = b"".join(zlib.crc32(p).to_bytes(4, "big") for p in parts)
    assert ck.composite("CRC32", values) == f"{b64int(zlib.crc32(raw), 4)}-3"
    sha_values = [ck.compute("SHA256", p) for p in parts]
    sha_raw = b"".join(hashlib.sha256(p).digest() for p in parts)
    assert ck.composite("SHA256", sha_values) == base64.b64encode(hashlib.sha256(sha_raw).digest()).decode() + "-3"


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME"])
def test_full_object_crc_equals_crc_of_whole_object(algorithm):
    parts = [os.urandom(5 * 1024 * 1024), os.urandom(777), b"", os.urandom(1)]
    combined = ck.full_object_crc(algorithm, [(ck.compute(algorithm, p), len(p)) for p in parts])
    assert combined == ck.compute(algorithm, b"".join(parts))


def test_full_object_crc_rejects_hashes_that_do_not_combine():
    with pytest.raises(ValueError):
        ck.full_object_crc("SHA256", [(ck.compute("SHA256", b"a"), 1)])


def test_default_checksum_types_follow_s3():
    assert ck.default_checksum_type("CRC64NVME") == "FULL_OBJECT"
    assert ck.default_checksum_type("CRC32") == "COMPOSITE"
    assert ck.default_checksum_type("SHA256") == "COMPOSITE"


def test_multipart_etag_is_md5_of_binary_md5s_dash_count():
    parts = [b"a" * 10, b"b" * 20]
    md5s = [hashlib.md5(p).hexdigest() for p in parts]
    expected = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest() + "-2"
    assert ck.multipart_etag(md5s) == expected
    assert ck.multipart_etag([f'"{m}"' for m in md5s]) == expected


def test_decode_rejects_malformed_base64():
    assert ck.decode("not base64!") is None
    assert ck.decode("AAAAAA==") == b"\0\0\0\0"
    assert ck.decode("AAAAAA==-3") == b"\0\0\0\0"
