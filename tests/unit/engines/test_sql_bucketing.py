"""Hive bucketing (v1) as Athena prunes and writes it: the hash of pinned constants, the same hash in
DuckDB SQL for CTAS writers, and which file holds which bucket."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from lakebox.engines.sql import bucketing


def _java_string_hash(text: str) -> int:
    h = 0
    for byte in text.encode("utf-8"):
        h = (h * 31 + (byte - 256 if byte > 127 else byte)) & 0xFFFFFFFF
    return h - (1 << 32) if h & 0x80000000 else h


def _table(columns, bucket_columns, count, **params):
    return {"StorageDescriptor": {"Columns": [{"Name": n, "Type": t} for n, t in columns],
                                  "BucketColumns": bucket_columns, "NumberOfBuckets": count},
            "Parameters": params}


def test_bucket_spec_only_for_hive_bucketing():
    cols = [("c0", "bigint"), ("c1", "string")]
    assert bucketing.bucket_spec(_table(cols, ["c0"], 4)) == (["c0"], ["bigint"], 4)
    assert bucketing.bucket_spec(_table(cols, ["c0"], 4, bucketing_format="spark")) is None
    assert bucketing.bucket_spec(_table(cols, [], -1)) is None
    assert bucketing.bucket_spec(_table(cols, ["missing"], 4)) is None


@pytest.mark.parametrize("value, hive_type, expected", [
    (0, "bigint", 0), (7, "int", 7), (-1, "int", -1), (1 << 40 | 5, "bigint", (1 << 8) ^ 5),
    (True, "boolean", 1), (False, "boolean", 0), ("a", "string", 97), ("héllo", "string", _java_string_hash("héllo")),
    (dt.date(1970, 1, 11), "date", 10),
])
def test_value_hash_is_hive_v1(value, hive_type, expected):
    assert bucketing._hash(value, hive_type) == expected


def test_wanted_buckets_combines_columns_as_hive():
    con = duckdb.connect()
    spec = (["c0", "c1", "c2"], ["bigint", "string", "boolean"], 10)
    h = ((0 * 31 + 97) * 31 + 1)
    assert bucketing.wanted_buckets(con, spec, {"c0": ["0"], "c1": ["'a'"], "c2": ["TRUE"]}) == {h % 10}
    # A bucket column left free means every bucket; an IN list means one bucket per value.
    assert bucketing.wanted_buckets(con, spec, {"c0": ["0"], "c1": ["'a'"]}) is None
    assert bucketing.wanted_buckets(con, (["c0"], ["int"], 10), {"c0": ["1", "2", "13"]}) == {1, 2, 3}
    assert bucketing.wanted_buckets(con, (["c0"], ["double"], 10), {"c0": ["1.5"]}) is None


def test_sql_bucket_number_matches_the_pruning_hash():
    con = duckdb.connect()
    rows = [(i, s, b, d) for i, s, b, d in zip([0, 5, -3, 2**40 + 7, 2**31 + 1, -2**35],
                                              ["a", "héllo", "", "zz top", "ß", "x" * 40],
                                              [True, False, True, False, True, False],
                                              [dt.date(2024, 1, 1), dt.date(1969, 12, 31)] * 3)]
    con.execute("CREATE TABLE t (i BIGINT, s VARCHAR, b BOOLEAN, d DATE)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    sql = bucketing.bucket_number_sql([("i", "BIGINT"), ("s", "VARCHAR"), ("b", "BOOLEAN"), ("d", "DATE")], 7)
    got = [r[0] for r in con.execute(f"SELECT {sql} FROM t ORDER BY rowid").fetchall()]
    spec = (["i", "s", "b", "d"], ["bigint", "string", "boolean", "date"], 7)
    for (i, s, b, d), bucket in zip(rows, got):
        pinned = {"i": [str(i)], "s": ["'" + s + "'"], "b": [str(b).upper()], "d": [f"DATE '{d}'"]}
        assert bucketing.wanted_buckets(con, spec, pinned) == {bucket}
    assert bucketing.bucket_number_sql([("x", "DOUBLE")], 3) is None


def test_file_buckets_from_names_or_sorted_order():
    named = [("/d/20240101_120000_00001_abcde_bucket-00003.gz", 1), ("/d/000001_0", 1), ("/d/bucket_00002", 1)]
    assert bucketing.file_buckets(named, 4) == {named[0][0]: 3, named[1][0]: 1, named[2][0]: 2}
    plain = [("/d/x_bucket-00001.csv", 1), ("/d/x_bucket-00000.csv", 1)]
    assert bucketing.file_buckets(plain, 2) == {"/d/x_bucket-00000.csv": 0, "/d/x_bucket-00001.csv": 1}
    # Fewer unnamed files than buckets: which bucket each holds is unknown, so nothing is pruned.
    assert bucketing.file_buckets(plain, 3) is None
