"""Reading Parquet tables: the Glue schema applied when the file's column types differ from it (an
int32 column declared bigint, a string declared int, a decimal of another scale), columns read as
they are when the types match (no CAST in the view, so DuckDB filters inside the Parquet reader),
and DataScannedInBytes counted as Athena does: the footer plus the chunks of the columns the query
names, computed here from pyarrow's reading of the footers. Expected rows come from the values the
files were written from."""

from __future__ import annotations

import decimal
import hashlib

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engine_helpers import ACCOUNT, PARQUET, REGION, Lake, engine_on_empty_database

from lakebox.engines.sql import reader

N = 5000


@pytest.fixture
def env(tmp_path):
    yield from engine_on_empty_database(tmp_path)


def add_table(catalog, name, columns, keys=None, partitions=None):
    catalog.create_table(ACCOUNT, REGION, "d", {
        "Name": name, "PartitionKeys": [{"Name": k, "Type": "string"} for k in keys or []],
        "StorageDescriptor": {**PARQUET, "Location": f"s3://lake/{name}/",
                              "Columns": [{"Name": n, "Type": t} for n, t in columns]}})
    if partitions:
        catalog.batch_create_partition(ACCOUNT, REGION, "d", name, [
            {"Values": [v], "StorageDescriptor": {**PARQUET, "Location": f"s3://lake/{name}/{keys[0]}={v}/"}}
            for v in partitions])


def write(tmp_path, folder, table: pa.Table, row_group_size=None):
    path = tmp_path / "s3" / "lake" / folder
    path.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path / "part-0.parquet", row_group_size=row_group_size)
    return path / "part-0.parquet"


def read_bytes(path, columns) -> int:
    """Footer, tail and the chunks of `columns` in every row group, from pyarrow."""
    metadata = pq.ParquetFile(path).metadata
    chunks = sum(metadata.row_group(g).column(c).total_compressed_size
                 for g in range(metadata.num_row_groups) for c in range(metadata.num_columns)
                 if metadata.row_group(g).column(c).path_in_schema in columns)
    return metadata.serialized_size + 8 + chunks


def test_glue_types_are_applied_where_the_file_types_differ(env):
    tmp_path, catalog, engine = env
    write(tmp_path, "mixed", pa.table({
        "small": pa.array([1, -2, 2**31 - 1], pa.int32()),
        "text_number": pa.array(["10", "-20", None], pa.string()),
        "price": pa.array([decimal.Decimal("1.5"), decimal.Decimal("2.25"), None], pa.decimal128(5, 2)),
        "same": pa.array([7, 8, 9], pa.int64())}))
    add_table(catalog, "mixed", [("small", "bigint"), ("text_number", "int"), ("price", "decimal(12,3)"),
                                 ("same", "bigint")])
    outcome = engine.execute("SELECT small * 2, text_number + 1, price, same, typeof(small), typeof(text_number), "
                             "typeof(price), typeof(same) FROM mixed ORDER BY same", "d")
    # int32 max times 2 overflows an integer, not a bigint: the Glue type is what the query computes in.
    assert outcome.rows == [
        ["2", "11", "1.500", "7", "bigint", "integer", "decimal(12,3)", "bigint"],
        ["-4", "-19", "2.250", "8", "bigint", "integer", "decimal(12,3)", "bigint"],
        [str(2 * (2**31 - 1)), None, None, "9", "bigint", "integer", "decimal(12,3)", "bigint"]]
    assert [c["Type"] for c in outcome.columns][2:4] == ["decimal", "bigint"]


def test_columns_of_the_glue_type_are_read_without_a_cast(env):
    tmp_path, catalog, engine = env
    path = write(tmp_path, "t", pa.table({"id": pa.array([1, 2], pa.int64()), "n": pa.array([1, 2], pa.int32()),
                                          "day": pa.array([1, 2], pa.int32()).cast(pa.date32())}))
    add_table(catalog, "t", [("id", "bigint"), ("n", "bigint"), ("day", "date"), ("missing", "string")])
    glue = catalog.get_table(ACCOUNT, REGION, "d", "t")
    con = duckdb.connect()
    scan = reader.build_scan(con, Lake(str(tmp_path)), glue, None, None, "v")
    assert '"id" AS "id"' in scan.sql and '"day" AS "day"' in scan.sql
    assert 'CAST("n" AS BIGINT) AS "n"' in scan.sql and 'CAST(NULL AS VARCHAR) AS "missing"' in scan.sql
    assert scan.bytes_read == read_bytes(path, {"id", "n", "day"})
    assert engine.execute("SELECT id, n, day, missing FROM t WHERE day > date '1970-01-02'", "d").rows == [
        ["2", "2", "1970-01-03", None]]


def test_filter_on_an_uncast_column_prunes_row_groups_and_answers_right(env):
    tmp_path, catalog, engine = env
    write(tmp_path, "events", pa.table({"id": pa.array(range(N), pa.int64()),
                                        "payload": pa.array([f"p{i:06d}" * 5 for i in range(N)])}), row_group_size=500)
    add_table(catalog, "events", [("id", "bigint"), ("payload", "string")])
    rows = engine.execute("SELECT id, payload FROM events WHERE id BETWEEN 1234 AND 1236 ORDER BY id", "d").rows
    assert rows == [[str(i), f"p{i:06d}" * 5] for i in (1234, 1235, 1236)]


def test_a_narrow_column_scans_much_less_than_select_star(env):
    tmp_path, catalog, engine = env
    path = write(tmp_path, "wide", pa.table({
        "id": pa.array(range(N), pa.int64()),
        "comment": pa.array([hashlib.sha256(str(i).encode()).hexdigest() * 2 for i in range(N)]),
        "amount": pa.array([i * 0.5 for i in range(N)])}), row_group_size=1000)
    add_table(catalog, "wide", [("id", "bigint"), ("comment", "string"), ("amount", "double")])
    narrow = engine.execute("SELECT sum(id) FROM wide", "d")
    star = engine.execute("SELECT * FROM wide", "d")
    two = engine.execute("SELECT w.amount FROM wide w WHERE w.id > 10", "d")
    counted = engine.execute("SELECT count(*) FROM wide", "d")
    assert narrow.rows == [[str(sum(range(N)))]] and len(star.rows) == N
    assert narrow.data_scanned_bytes == read_bytes(path, {"id"})
    assert star.data_scanned_bytes == read_bytes(path, {"id", "comment", "amount"})
    assert two.data_scanned_bytes == read_bytes(path, {"id", "amount"})
    assert counted.data_scanned_bytes == read_bytes(path, set())
    assert narrow.data_scanned_bytes * 10 < star.data_scanned_bytes


def test_partition_filter_scans_about_the_partition_share(env):
    tmp_path, catalog, engine = env
    paths = {}
    for month in ("01", "02", "03", "04"):
        paths[month] = write(tmp_path, f"sales/month={month}", pa.table({
            "amount": pa.array(range(N), pa.int64()), "note": pa.array([f"{month}-{i}" for i in range(N)])}))
    add_table(catalog, "sales", [("amount", "bigint"), ("note", "string")], keys=["month"],
              partitions=["01", "02", "03", "04"])
    one = engine.execute("SELECT sum(amount) FROM sales WHERE month = '02'", "d")
    full = engine.execute("SELECT sum(amount) FROM sales", "d")
    assert one.rows == [[str(sum(range(N)))]] and full.rows == [[str(4 * sum(range(N)))]]
    assert one.data_scanned_bytes == read_bytes(paths["02"], {"amount"})
    assert full.data_scanned_bytes == sum(read_bytes(p, {"amount"}) for p in paths.values())
    assert 0.2 < one.data_scanned_bytes / full.data_scanned_bytes < 0.3
