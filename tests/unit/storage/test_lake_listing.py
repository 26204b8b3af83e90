"""ListObjects: byte order, prefixes, delimiters, start_after, max_keys, and large folders."""

from __future__ import annotations

import os
import random
import time

import pytest
from lake_helpers import md5, put

from lakebox.storage import NoSuchBucketError


def keys_of(result):
    return [o.key for o in result.objects]


def reference(keys, prefix="", delimiter=None, start_after="", max_keys=1000):
    """S3's listing, computed the obvious way on a list of keys."""
    entries = []
    for key in sorted(keys, key=lambda k: k.encode()):
        if not key.startswith(prefix) or key <= start_after:
            continue
        if delimiter:
            cut = key.find(delimiter, len(prefix))
            if cut >= 0:
                common = key[:cut + len(delimiter)]
                if common > start_after and common not in entries:
                    entries.append(common)
                continue
        entries.append(("key", key))
    page = entries[:max_keys]
    return ([e[1] for e in page if isinstance(e, tuple)], [e for e in page if isinstance(e, str)],
            len(entries) > max_keys)


def as_tuple(result):
    return keys_of(result), result.common_prefixes, result.is_truncated


def test_keys_come_in_utf8_byte_order_across_plain_and_hidden(store, bucket):
    keys = ["a", "a/b", "a-b", "a.b", "a0", "ab", "a/", "A", "é", "z", "\U0001F600", "a//b", "a/b/c",
            "b/../c", "ﬀ", "a/b-c", "a/b/", "a/b0"]
    for key in keys:
        put(store, key, key.encode())
    result = store.list_objects(bucket)
    assert keys_of(result) == sorted(keys, key=lambda k: k.encode())
    assert all(o.etag == md5(o.key.encode()) and o.size == len(o.key.encode()) for o in result.objects)
    assert not result.is_truncated


def test_dir_entries_sort_as_name_slash(store, bucket):
    # "a/x" (under dir a) must come after "a-" and "a." (0x2d, 0x2e < 0x2f) and before "a0".
    for key in ["a0", "a/x", "a.", "a-"]:
        put(store, key)
    assert keys_of(store.list_objects(bucket)) == ["a-", "a.", "a/x", "a0"]


def test_prefix_filters_including_partial_segments(store, bucket):
    for key in ["logs/2024/a", "logs/2024/b", "logs/2025/a", "logs-old", "log", "other/x", "logs/2024"]:
        put(store, key)
    assert keys_of(store.list_objects(bucket, prefix="logs/2024/")) == ["logs/2024/a", "logs/2024/b"]
    assert keys_of(store.list_objects(bucket, prefix="logs/202")) == [
        "logs/2024", "logs/2024/a", "logs/2024/b", "logs/2025/a"]
    assert keys_of(store.list_objects(bucket, prefix="logs")) == [
        "logs-old", "logs/2024", "logs/2024/a", "logs/2024/b", "logs/2025/a"]
    assert keys_of(store.list_objects(bucket, prefix="nothing")) == []
    assert keys_of(store.list_objects(bucket, prefix="log")) == [
        "log", "logs-old", "logs/2024", "logs/2024/a", "logs/2024/b", "logs/2025/a"]


def test_delimiter_collapses_common_prefixes(store, bucket):
    for key in ["a/1", "a/2", "b/c/d", "c", "d/", "e//f"]:
        put(store, key)
    r = store.list_objects(bucket, delimiter="/")
    assert as_tuple(r) == (["c"], ["a/", "b/", "d/", "e/"], False)
    r = store.list_objects(bucket, prefix="b/", delimiter="/")
    assert as_tuple(r) == ([], ["b/c/"], False)
    r = store.list_objects(bucket, prefix="e/", delimiter="/")
    assert as_tuple(r) == ([], ["e//"], False)


def test_other_delimiters(store, bucket):
    for key in ["2024-01-01.csv", "2024-01-02.csv", "2024-02-01.csv", "x/y-z", "plain"]:
        put(store, key)
    r = store.list_objects(bucket, delimiter="-")
    assert as_tuple(r) == (["plain"], ["2024-", "x/y-"], False)
    r = store.list_objects(bucket, prefix="2024-", delimiter="-")
    assert as_tuple(r) == ([], ["2024-01-", "2024-02-"], False)
    r = store.list_objects(bucket, delimiter="01")
    assert as_tuple(r) == (["plain", "x/y-z"], ["2024-01", "2024-02-01"], False)


def test_start_after_excludes_keys_and_prefixes_at_or_before_it(store, bucket):
    for key in ["a/a", "a/c", "b", "c/x"]:
        put(store, key)
    assert keys_of(store.list_objects(bucket, start_after="a/a")) == ["a/c", "b", "c/x"]
    assert keys_of(store.list_objects(bucket, start_after="a/b")) == ["a/c", "b", "c/x"]
    assert keys_of(store.list_objects(bucket, start_after="zzz")) == []
    r = store.list_objects(bucket, delimiter="/", start_after="a/b")
    assert as_tuple(r) == (["b"], ["c/"], False)
    r = store.list_objects(bucket, delimiter="/", start_after="a/")
    assert as_tuple(r) == (["b"], ["c/"], False)


def test_max_keys_truncates_and_counts_prefixes_once(store, bucket):
    for key in ["a/1", "a/2", "a/3", "b", "c/1", "d"]:
        put(store, key)
    r = store.list_objects(bucket, delimiter="/", max_keys=2)
    assert as_tuple(r) == (["b"], ["a/"], True)
    assert r.next_marker == "b"
    r = store.list_objects(bucket, delimiter="/", max_keys=2, start_after=r.next_marker)
    assert as_tuple(r) == (["d"], ["c/"], False)
    assert r.next_marker == "d"
    r = store.list_objects(bucket, max_keys=6)
    assert not r.is_truncated and len(r.objects) == 6
    assert store.list_objects(bucket, max_keys=0).objects == []


def test_pagination_visits_every_key_once(store, bucket):
    keys = [f"p{i % 7}/k{i:03d}" for i in range(60)] + ["odd//x", "p3/", "p3"]
    for key in keys:
        put(store, key)
    seen, marker = [], ""
    while True:
        r = store.list_objects(bucket, start_after=marker, max_keys=7)
        seen += keys_of(r)
        if not r.is_truncated:
            break
        marker = r.next_marker
    assert seen == sorted(keys, key=lambda k: k.encode())


def test_missing_bucket_raises(store):
    with pytest.raises(NoSuchBucketError):
        store.list_objects("missing-bucket")


def test_matches_reference_on_random_keys_and_queries(store, bucket):
    rng = random.Random(20260901)
    alphabet = ["a", "b", "/", "/", "-", ".", "é", "z"]
    keys = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))) for _ in range(250)})
    for key in keys:
        put(store, key, key.encode())
    probes = ["", "a", "a/", "/", "b/a", "é", "a-", "z/", "..", "a//"]
    for _ in range(300):
        prefix = rng.choice(probes)
        delimiter = rng.choice([None, "/", "-", "a/", None])
        start_after = rng.choice(["", "", rng.choice(keys), rng.choice(probes)])
        max_keys = rng.choice([1, 3, 10, 1000])
        got = store.list_objects(bucket, prefix=prefix, delimiter=delimiter, start_after=start_after,
                                 max_keys=max_keys)
        want = reference(keys, prefix, delimiter, start_after, max_keys)
        assert as_tuple(got) == want, (prefix, delimiter, start_after, max_keys)


def test_ten_thousand_keys_list_fast_and_walk_only_what_the_prefix_needs(store, bucket, bucket_dir, monkeypatch):
    for d in range(100):
        folder = bucket_dir / f"part={d:03d}"
        folder.mkdir()
        for f in range(100):
            (folder / f"file-{f:03d}.csv").write_bytes(b"%d,%d\n" % (d, f))
    started = time.monotonic()
    seen, marker, pages = 0, "", 0
    while True:
        r = store.list_objects(bucket, start_after=marker)
        seen += len(r.objects)
        pages += 1
        if not r.is_truncated:
            break
        marker = r.next_marker
    first = time.monotonic() - started
    assert (seen, pages) == (10_000, 10)

    started = time.monotonic()
    marker = ""
    while True:
        r = store.list_objects(bucket, start_after=marker)
        if not r.is_truncated:
            break
        marker = r.next_marker
    cached = time.monotonic() - started
    assert first < 30 and cached < 10, (first, cached)

    scanned = []
    real_scandir = os.scandir

    def counting_scandir(fd):
        scanned.append(fd)
        return real_scandir(fd)

    monkeypatch.setattr(os, "scandir", counting_scandir)
    r = store.list_objects(bucket, prefix="part=042/")
    assert len(r.objects) == 100 and len(scanned) == 1
    scanned.clear()
    r = store.list_objects(bucket, prefix="part=042/file-05")
    assert keys_of(r) == [f"part=042/file-05{i}.csv" for i in range(10)] and len(scanned) == 1
    scanned.clear()
    r = store.list_objects(bucket, delimiter="/")
    assert len(r.common_prefixes) == 100 and len(scanned) == 101
    scanned.clear()
    r = store.list_objects(bucket, start_after="part=098/file-050.csv")
    assert len(r.objects) == 149 and len(scanned) == 3  # the root, part=098 and part=099 only
