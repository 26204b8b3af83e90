"""tools/tpch_gen.py keeps the TPC-H specification's invariants: row counts, key formulas, Parquet
types, value domains, date offsets and the rules deriving flags and order status. The 22 queries'
answers are checked elsewhere (tests/integration/athena/test_tpch.py); this checks the data itself."""

from __future__ import annotations

import datetime as dt
import importlib.util
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
SCALE = 0.01


def _generator():
    spec = importlib.util.spec_from_file_location("tpch_gen", REPO / "tools" / "tpch_gen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    folders = _generator().generate(SCALE, tmp_path_factory.mktemp("tpch-sf0.01"))
    return {name: folder / "data.parquet" for name, folder in folders.items()}


@pytest.fixture(scope="module")
def con(tables):
    connection = duckdb.connect()
    for name, path in tables.items():
        connection.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
    yield connection
    connection.close()


def one(con, sql):
    return con.execute(sql).fetchone()


def test_generate_writes_one_parquet_file_per_table_with_spec_row_counts(tables):
    counts = {name: pq.ParquetFile(path).metadata.num_rows for name, path in tables.items()}
    assert {k: v for k, v in counts.items() if k != "lineitem"} == {
        "region": 5, "nation": 25, "supplier": 100, "customer": 1500, "part": 2000, "partsupp": 8000,
        "orders": 15000}
    assert 15000 <= counts["lineitem"] <= 7 * 15000
    assert abs(counts["lineitem"] / 15000 - 4) < 0.1
    assert pq.ParquetFile(tables["lineitem"]).metadata.row_group(0).column(0).compression == "SNAPPY"


def test_column_types_are_bigint_decimal_date_and_string(tables):
    schema = pq.read_schema(tables["lineitem"])
    assert schema.field("l_orderkey").type == pa.int64()
    assert schema.field("l_quantity").type == pa.decimal128(15, 2)
    assert schema.field("l_extendedprice").type == pa.decimal128(15, 2)
    assert schema.field("l_shipdate").type == pa.date32()
    assert schema.field("l_shipmode").type == pa.string()
    assert pq.read_schema(tables["orders"]).field("o_totalprice").type == pa.decimal128(15, 2)


def test_order_keys_are_sparse_and_no_customer_key_is_a_multiple_of_three(con):
    keys = [row[0] for row in con.execute("SELECT o_orderkey FROM orders ORDER BY 1 LIMIT 10").fetchall()]
    assert keys == [1, 2, 3, 4, 5, 6, 7, 32, 33, 34]
    assert one(con, "SELECT count(*) FROM orders WHERE o_custkey % 3 = 0") == (0,)
    assert one(con, "SELECT min(o_custkey) >= 1, max(o_custkey) <= 1500 FROM orders") == (True, True)
    without_orders = one(con, "SELECT count(*) FROM customer WHERE c_custkey NOT IN (SELECT o_custkey FROM orders)")
    assert without_orders[0] >= 500


def test_partsupp_follows_the_supplier_formula_and_lineitems_use_those_pairs(con):
    assert one(con, """SELECT count(*) FROM (SELECT ps_partkey, row_number() OVER (PARTITION BY ps_partkey
                       ORDER BY rowid) - 1 AS i, ps_suppkey FROM (SELECT *, row_number() OVER () AS rowid
                       FROM partsupp)) WHERE ps_suppkey != (ps_partkey + i * (100 // 4 + (ps_partkey - 1) // 100))
                       % 100 + 1""") == (0,)
    assert one(con, "SELECT count(*) FROM (SELECT DISTINCT ps_partkey, ps_suppkey FROM partsupp)") == (8000,)
    assert one(con, """SELECT count(*) FROM lineitem LEFT JOIN partsupp
                       ON l_partkey = ps_partkey AND l_suppkey = ps_suppkey WHERE ps_partkey IS NULL""") == (0,)


def test_prices_follow_the_retail_price_formula_and_order_totals(con):
    assert one(con, """SELECT count(*) FROM part WHERE p_retailprice * 100 !=
                       90000 + (p_partkey // 10) % 20001 + 100 * (p_partkey % 1000)""") == (0,)
    assert one(con, """SELECT count(*) FROM lineitem JOIN part ON l_partkey = p_partkey
                       WHERE l_extendedprice != l_quantity * p_retailprice""") == (0,)
    assert one(con, """SELECT max(abs(o_totalprice - t)) <= 0.01 * 7 FROM orders JOIN (
                       SELECT l_orderkey, sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)) AS t
                       FROM lineitem GROUP BY 1) ON l_orderkey = o_orderkey""") == (True,)


def test_value_domains_match_the_spec(con):
    assert one(con, "SELECT min(l_quantity), max(l_quantity), min(l_discount), max(l_discount), "
                    "min(l_tax), max(l_tax) FROM lineitem") == (
        Decimal("1.00"), Decimal("50.00"), Decimal("0.00"), Decimal("0.10"), Decimal("0.00"), Decimal("0.08"))
    assert one(con, "SELECT min(p_size), max(p_size), count(DISTINCT p_brand), count(DISTINCT p_type), "
                    "count(DISTINCT p_container) FROM part") == (1, 50, 25, 150, 40)
    assert one(con, "SELECT count(*) FROM part WHERE len(string_split(p_name, ' ')) != 5 "
                    "OR len(list_distinct(string_split(p_name, ' '))) != 5") == (0,)
    assert one(con, "SELECT count(*) FROM customer WHERE CAST(substr(c_phone, 1, 2) AS INT) != c_nationkey + 10 "
                    "OR NOT regexp_full_match(c_phone, '\\d\\d-\\d{3}-\\d{3}-\\d{4}')") == (0,)
    assert one(con, "SELECT (SELECT count(DISTINCT c_mktsegment) FROM customer), "
                    "(SELECT count(DISTINCT o_orderpriority) FROM orders), "
                    "(SELECT count(DISTINCT l_shipmode) FROM lineitem), "
                    "(SELECT count(DISTINCT l_shipinstruct) FROM lineitem)") == (5, 5, 7, 4)
    assert one(con, "SELECT count(*) FROM supplier WHERE s_comment LIKE '%Customer%Complaints%'")[0] >= 1
    assert one(con, "SELECT count(*) FROM orders WHERE o_comment LIKE '%special%requests%'")[0] > 0


def test_dates_offsets_flags_and_order_status_follow_the_spec(con):
    first, last = one(con, "SELECT min(o_orderdate), max(o_orderdate) FROM orders")
    assert dt.date(1992, 1, 1) <= first < dt.date(1992, 2, 1)
    assert dt.date(1998, 7, 1) < last <= dt.date(1998, 8, 2)  # ENDDATE - 151 days
    assert one(con, """SELECT count(*) FROM lineitem JOIN orders ON l_orderkey = o_orderkey WHERE
                       l_shipdate - o_orderdate NOT BETWEEN 1 AND 121
                       OR l_commitdate - o_orderdate NOT BETWEEN 30 AND 90
                       OR l_receiptdate - l_shipdate NOT BETWEEN 1 AND 30""") == (0,)
    assert one(con, """SELECT count(*) FROM lineitem WHERE
                       (l_receiptdate <= DATE '1995-06-17') != (l_returnflag IN ('R', 'A'))
                       OR (l_shipdate > DATE '1995-06-17') != (l_linestatus = 'O')""") == (0,)
    assert one(con, """SELECT count(*) FROM orders JOIN (SELECT l_orderkey, bool_and(l_linestatus = 'F') AS f,
                       bool_and(l_linestatus = 'O') AS o FROM lineitem GROUP BY 1) ON l_orderkey = o_orderkey
                       WHERE o_orderstatus != CASE WHEN f THEN 'F' WHEN o THEN 'O' ELSE 'P' END""") == (0,)
    assert one(con, "SELECT count(DISTINCT o_orderstatus) FROM orders") == (3,)


def test_same_seed_gives_the_same_data(tmp_path):
    first = _generator().generate(SCALE / 10, tmp_path / "a", seed=7)
    second = _generator().generate(SCALE / 10, tmp_path / "b", seed=7)
    for name in ("orders", "lineitem", "part"):
        assert pq.read_table(first[name] / "data.parquet").equals(pq.read_table(second[name] / "data.parquet"))
