"""The engine over a real Glue catalog and lake folder: tables in Parquet, JSON and CSV, partition
pruning, and Athena-shaped errors. Answers are compared with pandas on the same data."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engine_helpers import ACCOUNT, PARQUET, REGION, Lake, new_catalog

from lakebox.engines.sql.engine import QueryError, SqlEngine


@pytest.fixture
def env(tmp_path):
    catalog = new_catalog(tmp_path)
    catalog.create_database(ACCOUNT, REGION, {"Name": "sales"})
    frame = pd.DataFrame({"id": range(12), "amount": [float(i) * 1.5 for i in range(12)],
                          "month": [f"{1 + i % 3:02d}" for i in range(12)]})
    for month, part in frame.groupby("month"):
        folder = tmp_path / "s3" / "lake" / "orders" / f"month={month}"
        folder.mkdir(parents=True)
        pq.write_table(pa.Table.from_pandas(part.drop(columns="month"), preserve_index=False), folder / "part-0.parquet")
        (folder / "_SUCCESS").write_text("")
    catalog.create_table(ACCOUNT, REGION, "sales", {
        "Name": "orders", "PartitionKeys": [{"Name": "month", "Type": "string"}],
        "StorageDescriptor": {**PARQUET, "Location": "s3://lake/orders/",
                              "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "amount", "Type": "double"}]}})
    catalog.batch_create_partition(ACCOUNT, REGION, "sales", "orders", [
        {"Values": [m], "StorageDescriptor": {**PARQUET, "Location": f"s3://lake/orders/month={m}/"}}
        for m in ("01", "02", "03")])
    csv = tmp_path / "s3" / "lake" / "people"
    csv.mkdir(parents=True)
    (csv / "a.csv").write_text('name,age\n"Ann, B",30\nBob,x\n')
    catalog.create_table(ACCOUNT, REGION, "sales", {
        "Name": "people", "Parameters": {"skip.header.line.count": "1"},
        "StorageDescriptor": {"Location": "s3://lake/people/", "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                              "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.OpenCSVSerde",
                                            "Parameters": {"separatorChar": ",", "quoteChar": '"'}},
                              "Columns": [{"Name": "name", "Type": "string"}, {"Name": "age", "Type": "int"}]}})
    js = tmp_path / "s3" / "lake" / "events"
    js.mkdir(parents=True)
    (js / "e.json").write_text('{"kind":"a","n":1,"tags":["x"]}\n{"kind":"b","n":2,"tags":[]}\n')
    catalog.create_table(ACCOUNT, REGION, "sales", {
        "Name": "events",
        "StorageDescriptor": {"Location": "s3://lake/events/", "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                              "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"},
                              "Columns": [{"Name": "kind", "Type": "string"}, {"Name": "n", "Type": "int"},
                                          {"Name": "tags", "Type": "array<string>"}]}})
    yield SqlEngine(Lake(str(tmp_path)), catalog, ACCOUNT, REGION), frame
    catalog.glue.close()


def test_group_by_over_partitioned_parquet_matches_pandas(env):
    engine, frame = env
    outcome = engine.execute("SELECT month, count(*) AS n, sum(amount) AS total FROM orders GROUP BY month ORDER BY month", "sales")
    expected = frame.groupby("month").agg(n=("id", "count"), total=("amount", "sum")).reset_index()
    assert outcome.rows == [[m, str(n), repr(float(t))] for m, n, t in expected.itertuples(index=False)]
    assert [c["Type"] for c in outcome.columns] == ["varchar", "bigint", "double"]
    assert outcome.statement_type == "DML"


def test_partition_filter_scans_fewer_bytes(env):
    engine, _ = env
    full = engine.execute("SELECT count(*) FROM sales.orders", None)
    one = engine.execute("SELECT count(*) FROM sales.orders o WHERE o.month = '02' AND id >= 0", None)
    ranged = engine.execute("SELECT count(*) FROM sales.orders WHERE month IN ('01', '03')", None)
    assert (full.rows, one.rows, ranged.rows) == ([["12"]], [["4"]], [["8"]])
    assert 0 < one.data_scanned_bytes < ranged.data_scanned_bytes < full.data_scanned_bytes


def test_csv_skips_header_and_reads_quoted_fields(env):
    engine, _ = env
    outcome = engine.execute("SELECT name, age FROM people ORDER BY name", "sales")
    assert outcome.rows == [["Ann, B", "30"], ["Bob", None]]


def test_json_serde_applies_glue_schema(env):
    engine, _ = env
    outcome = engine.execute("SELECT kind, n, cardinality(tags) FROM events ORDER BY kind", "sales")
    assert outcome.rows == [["a", "1", "1"], ["b", "2", "0"]]
    assert outcome.columns[1]["Type"] == "integer"


def test_parameters_bind_placeholders(env):
    engine, _ = env
    outcome = engine.execute("SELECT count(*) FROM orders WHERE month = ? AND id > ?", "sales", parameters=["'01'", "3"])
    assert outcome.rows == [["2"]]


def test_missing_table_is_table_not_found(env):
    engine, _ = env
    with pytest.raises(QueryError) as exc:
        engine.execute("SELECT * FROM nope", "sales")
    assert exc.value.message == "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sales.nope' does not exist"


def test_missing_column_is_column_not_found(env):
    engine, _ = env
    with pytest.raises(QueryError) as exc:
        engine.execute("SELECT x FROM orders", "sales")
    assert exc.value.error_type == "COLUMN_NOT_FOUND"
    assert exc.value.message.startswith("COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved")


def test_syntax_error(env):
    engine, _ = env
    with pytest.raises(QueryError) as exc:
        engine.execute("SELECT FROM WHERE", "sales")
    assert exc.value.error_type == "SYNTAX_ERROR"


def test_unqualified_columns_of_a_glue_table_get_trino_types(env):
    engine, frame = env
    outcome = engine.execute("SELECT count(*), avg(id), approx_percentile(id, 0.5) AS p, "
                             "typeof(max(id) / 2) AS t, sum(id) / count(*) AS q FROM orders", "sales")
    assert [c["Name"] for c in outcome.columns] == ["_col0", "_col1", "p", "t", "q"]
    assert [c["Type"] for c in outcome.columns] == ["bigint", "double", "bigint", "varchar", "bigint"]
    assert outcome.rows[0][:2] == [str(len(frame)), repr(float(frame.id.mean()))]
    assert outcome.rows[0][3:] == ["bigint", str(int(frame.id.sum()) // len(frame))]


def test_query_outcome_reports_parse_and_plan_time(env):
    engine, _ = env
    timings = engine.execute("SELECT month, count(*) AS n FROM orders GROUP BY month", "sales").timings
    assert set(timings) == {"parse", "plan"} and all(seconds >= 0 for seconds in timings.values())


def test_column_outside_group_by_is_expression_not_aggregate(env):
    engine, _ = env
    with pytest.raises(QueryError) as exc:
        engine.execute("SELECT month, id FROM orders GROUP BY month", "sales")
    assert exc.value.message == ("EXPRESSION_NOT_AGGREGATE: line 1:15: 'id' must be an aggregate expression or "
                                 "appear in GROUP BY clause")


def test_a_query_run_again_reuses_its_translation_but_sees_new_files_and_types(env, tmp_path):
    from lakebox.engines.sql import translation_cache

    engine, _ = env
    sql = "SELECT count(*), sum(id) FROM orders WHERE month = ?"
    first = engine.execute(sql, "sales", parameters=["'01'"])
    key_count = len(translation_cache._entries)
    assert engine.execute(sql, "sales", parameters=["'01'"]).rows == first.rows == [["4", "18"]]
    assert len(translation_cache._entries) == key_count  # the second run found the first's entry
    assert engine.execute(sql, "sales", parameters=["'02'"]).rows == [["4", "22"]]  # other parameters
    folder = tmp_path / "s3" / "lake" / "orders" / "month=01"
    pq.write_table(pa.table({"id": pa.array([100], pa.int64()), "amount": [1.0]}), folder / "part-1.parquet")
    assert engine.execute(sql, "sales", parameters=["'01'"]).rows == [["5", "118"]]  # files are listed again
    assert engine.execute("SELECT typeof(id) FROM orders LIMIT 1", "sales").rows == [["bigint"]]
    table = engine.catalog.get_table(ACCOUNT, REGION, "sales", "orders")
    table["StorageDescriptor"]["Columns"][0]["Type"] = "int"
    engine.catalog.update_table(ACCOUNT, REGION, "sales", {k: v for k, v in table.items() if k in (
        "Name", "PartitionKeys", "StorageDescriptor", "Parameters", "TableType")})
    again = engine.execute("SELECT typeof(id) FROM orders LIMIT 1", "sales")
    assert again.rows == [["integer"]]  # a changed Glue type is a new schema, so a new translation


def test_typeof_a_nested_value_known_only_at_run_time_is_spelled_as_trino(env):
    engine, _ = env
    outcome = engine.execute("SELECT typeof(x), typeof(t) FROM (SELECT array[row(id, 'a')] AS x, "
                             "array[timestamp '2020-01-01 00:00:00'] AS t FROM orders LIMIT 1)", "sales")
    assert outcome.rows == [["array(row(field0 bigint, field1 varchar))", "array(timestamp(3))"]]


def test_a_row_field_is_named_after_the_field(env):
    engine, _ = env
    outcome = engine.execute("SELECT CAST(ROW(1, 'a') AS ROW(x int, y varchar)).y, "
                             "CAST(ROW(2) AS ROW(z int)).z AS renamed, 3", "sales")
    assert [c["Name"] for c in outcome.columns] == ["y", "renamed", "_col2"]
    assert outcome.rows[0] == ["a", "2", "3"]
