"""Key and bucket-name rules: which keys may be plain files."""

from __future__ import annotations

import pytest

from lakebox.storage import InvalidKeyError, KeyTooLongError
from lakebox.storage.keys import (check_bucket_name, check_key, is_plain_segment, is_valid_bucket_name,
                                  marker_dir_segments, plain_segments)
from lakebox.storage.errors import InvalidBucketNameError


@pytest.mark.parametrize("key, segments", [
    ("a", ["a"]),
    ("a/b/c.parquet", ["a", "b", "c.parquet"]),
    ("year=2024/month=01/part-0000.snappy.parquet", ["year=2024", "month=01", "part-0000.snappy.parquet"]),
    (".hidden", [".hidden"]),
    ("...", ["..."]),
    ("a b/ü €/日本", ["a b", "ü €", "日本"]),
    ("_temporary/0/x", ["_temporary", "0", "x"]),
    ("x" * 255, ["x" * 255]),
    ("back\\slash", ["back\\slash"]),
])
def test_plain_keys(key, segments):
    assert plain_segments(key) == segments


@pytest.mark.parametrize("key", [
    "a/", "/a", "a//b", "//", "/", ".", "..", "a/./b", "a/../b", "../../etc/passwd", "a/..",
    "x" * 256, "é" * 128, "a\nb", "tab\there", "nul\x00", "del\x7f", ".lakebox", ".lakebox-tmp-1",
    "a/.LAKEBOX/b", "s/.lakebox/meta.db",
])
def test_keys_that_must_be_hidden(key):
    assert plain_segments(key) is None


def test_segment_limit_counts_utf8_bytes_not_characters():
    assert is_plain_segment("é" * 127)  # 254 bytes
    assert not is_plain_segment("é" * 128)  # 256 bytes


def test_undecodable_file_names_are_not_segments():
    assert not is_plain_segment("bad\udcff")


def test_marker_dir_segments():
    assert marker_dir_segments("a/b/") == ["a", "b"]
    assert marker_dir_segments("a/b") is None
    assert marker_dir_segments("a//") is None
    assert marker_dir_segments("/") is None


def test_check_key_accepts_any_utf8_up_to_1024_bytes():
    assert check_key("a" * 1024) == b"a" * 1024
    assert check_key("\x00/..//") == b"\x00/..//"
    with pytest.raises(KeyTooLongError):
        check_key("a" * 1025)
    with pytest.raises(KeyTooLongError):
        check_key("é" * 513)
    with pytest.raises(InvalidKeyError):
        check_key("")
    with pytest.raises(InvalidKeyError):
        check_key("lone\ud800surrogate")


@pytest.mark.parametrize("name", ["abc", "my-bucket", "my.bucket.1", "a" * 63, "123"])
def test_valid_bucket_names(name):
    assert is_valid_bucket_name(name)
    check_bucket_name(name)


@pytest.mark.parametrize("name", ["ab", "a" * 64, "Upper", "under_score", "-start", "end-", "a..b",
                                  "192.168.1.1", "../x", "a/b", ".lakebox", "", "sp ace"])
def test_invalid_bucket_names(name):
    assert not is_valid_bucket_name(name)
    with pytest.raises(InvalidBucketNameError):
        check_bucket_name(name)
