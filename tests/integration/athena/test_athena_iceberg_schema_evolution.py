"""Athena's Iceberg schema evolution DDL (ALTER TABLE ADD COLUMNS / DROP COLUMN / CHANGE COLUMN), column
comments given at creation, and identity partition columns read with their own type, checked through
the Glue table and the rows read back (older data files read by field id under new names and types)."""

from __future__ import annotations

import boto3
import pytest
from athena_helpers import REGION, result_rows, run_query

pytest.importorskip("pyiceberg")

TBL = "TBLPROPERTIES ('table_type'='ICEBERG', 'format'='parquet')"


@pytest.fixture
def lake(athena, s3, results):
    s3.create_bucket(Bucket="evolve-wh")
    run_query(athena, "CREATE DATABASE evolve", results, database="default")
    return "s3://evolve-wh"


@pytest.fixture
def glue(lakebox_server):
    return boto3.client("glue", endpoint_url=lakebox_server.endpoint_url, region_name=REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


def sql(athena, results, text):
    qid, _ = run_query(athena, text, results, database="evolve")
    return result_rows(athena, qid)


def failure(athena, results, text) -> str:
    _, execution = run_query(athena, text, results, "FAILED", database="evolve")
    return execution["Status"]["StateChangeReason"]


def types(athena, results, text) -> list:
    qid, _ = run_query(athena, text, results, database="evolve")
    info = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    return [(c["Name"], c["Type"]) for c in info]


def current_columns(glue, name) -> list:
    columns = glue.get_table(DatabaseName="evolve", Name=name)["Table"]["StorageDescriptor"]["Columns"]
    return [(c["Name"], c["Type"], c.get("Comment")) for c in columns
            if c["Parameters"]["iceberg.field.current"] == "true"]


@pytest.fixture
def orders(athena, results, lake):
    sql(athena, results, f"CREATE TABLE orders (id int, price float, amount decimal(10,2), note string) "
                         f"LOCATION '{lake}/orders/' {TBL}")
    sql(athena, results, "INSERT INTO orders VALUES (1, 1.5, 10.25, 'a'), (2, 2.5, 20.50, 'b')")
    return "orders"


def test_change_column_renames_and_old_files_read_under_the_new_name(athena, results, glue, orders):
    sql(athena, results, "ALTER TABLE orders CHANGE COLUMN id order_id bigint")
    sql(athena, results, "INSERT INTO orders (order_id, price, amount, note) VALUES (3, 3.5, 30.75, 'c')")

    assert sql(athena, results, "SELECT order_id, note FROM orders ORDER BY order_id")[1:] == \
        [["1", "a"], ["2", "b"], ["3", "c"]]
    assert sql(athena, results, "SELECT * FROM orders WHERE order_id = 1")[0] == ["order_id", "price", "amount", "note"]
    assert current_columns(glue, "orders")[0] == ("order_id", "bigint", None)


def test_change_column_widens_float_int_and_decimal(athena, results, glue, orders):
    sql(athena, results, "ALTER TABLE orders CHANGE COLUMN price price double")
    sql(athena, results, "ALTER TABLE orders CHANGE id id bigint")
    sql(athena, results, "ALTER TABLE orders CHANGE COLUMN amount amount decimal(12,2)")

    assert types(athena, results, "SELECT id, price, amount FROM orders") == \
        [("id", "bigint"), ("price", "double"), ("amount", "decimal")]
    assert sql(athena, results, "SELECT id, price, amount FROM orders ORDER BY id")[1:] == \
        [["1", "1.5", "10.25"], ["2", "2.5", "20.50"]]
    assert [c[1] for c in current_columns(glue, "orders")] == ["bigint", "double", "decimal(12,2)", "string"]


@pytest.mark.parametrize("change", ["id id string", "price price int", "amount amount decimal(12,3)",
                                    "note note int"])
def test_change_column_refuses_types_iceberg_cannot_promote(athena, results, glue, orders, change):
    before = current_columns(glue, "orders")

    reason = failure(athena, results, f"ALTER TABLE orders CHANGE COLUMN {change}")

    assert reason.startswith("NOT_SUPPORTED: Cannot change column type")
    assert current_columns(glue, "orders") == before


def test_change_column_comment_and_position(athena, results, glue, orders):
    sql(athena, results, "ALTER TABLE orders CHANGE COLUMN note remark string COMMENT 'free text' AFTER id")
    sql(athena, results, "ALTER TABLE orders CHANGE amount amount decimal(10,2) FIRST")

    assert current_columns(glue, "orders") == [("amount", "decimal(10,2)", None), ("id", "int", None),
                                               ("remark", "string", "free text"), ("price", "float", None)]
    assert sql(athena, results, "SELECT * FROM orders ORDER BY id")[1] == ["10.25", "1", "a", "1.5"]


def test_change_column_of_a_missing_column_fails(athena, results, orders):
    assert failure(athena, results, "ALTER TABLE orders CHANGE COLUMN nope nope int").startswith("COLUMN_NOT_FOUND")
    assert failure(athena, results, "ALTER TABLE orders CHANGE COLUMN id note int").startswith(
        "COLUMN_ALREADY_EXISTS")


def test_drop_column_then_re_adding_the_name_does_not_resurrect_old_values(athena, results, glue, orders):
    sql(athena, results, "ALTER TABLE orders DROP COLUMN note")
    assert sql(athena, results, "SELECT * FROM orders ORDER BY id")[0] == ["id", "price", "amount"]

    sql(athena, results, "ALTER TABLE orders ADD COLUMNS (note string COMMENT 'again')")

    assert sql(athena, results, "SELECT id, note FROM orders ORDER BY id")[1:] == [["1", None], ["2", None]]
    assert current_columns(glue, "orders")[-1] == ("note", "string", "again")
    assert failure(athena, results, "ALTER TABLE orders DROP COLUMN nope").startswith("COLUMN_NOT_FOUND")


def test_time_travel_reads_a_snapshot_with_the_schema_it_was_written_with(athena, results, glue, orders):
    (before,) = sql(athena, results, 'SELECT snapshot_id FROM "orders$snapshots"')[1]
    sql(athena, results, "ALTER TABLE orders CHANGE COLUMN note remark string")
    sql(athena, results, "ALTER TABLE orders DROP COLUMN price")
    sql(athena, results, "ALTER TABLE orders ADD COLUMNS (qty int)")
    sql(athena, results, "INSERT INTO orders (id, amount, remark, qty) VALUES (3, 30.75, 'c', 7)")

    # As of the first snapshot: its own columns, names and rows (Trino reads time travel this way).
    old = sql(athena, results, f"SELECT * FROM orders FOR VERSION AS OF {before} ORDER BY id")
    assert old == [["id", "price", "amount", "note"], ["1", "1.5", "10.25", "a"], ["2", "2.5", "20.50", "b"]]
    assert types(athena, results, f"SELECT * FROM orders FOR VERSION AS OF {before}") == [
        ("id", "integer"), ("price", "float"), ("amount", "decimal"), ("note", "varchar")]
    assert failure(athena, results, f"SELECT qty FROM orders FOR VERSION AS OF {before}").startswith(
        "COLUMN_NOT_FOUND")
    # The table itself reads with the current schema.
    assert sql(athena, results, "SELECT * FROM orders ORDER BY id") == [
        ["id", "amount", "remark", "qty"], ["1", "10.25", "a", None], ["2", "20.50", "b", None],
        ["3", "30.75", "c", "7"]]


def test_replace_columns_is_not_supported_for_iceberg(athena, results, orders):
    assert failure(athena, results, "ALTER TABLE orders REPLACE COLUMNS (id int)").startswith("NOT_SUPPORTED")


def test_column_comments_at_creation_are_glue_comments(athena, results, glue, lake):
    sql(athena, results, f"CREATE TABLE IF NOT EXISTS `noted` (c0 bigint COMMENT 'comment 0', c1 bigint) "
                         f"LOCATION '{lake}/noted/' {TBL}")

    assert current_columns(glue, "noted") == [("c0", "bigint", "comment 0"), ("c1", "bigint", None)]


def test_identity_partition_column_keeps_its_string_type(athena, results, lake):
    sql(athena, results, f"CREATE TABLE days (id bigint, day string) PARTITIONED BY (day) "
                         f"LOCATION '{lake}/days/' {TBL}")
    sql(athena, results, "INSERT INTO days VALUES (1, '1'), (2, '02')")

    assert types(athena, results, "SELECT id, day FROM days") == [("id", "bigint"), ("day", "varchar")]
    assert sql(athena, results, "SELECT id, day FROM days ORDER BY id")[1:] == [["1", "1"], ["2", "02"]]


def test_upper_case_names_become_lower_case_columns(athena, results, glue, lake):
    sql(athena, results, f"CREATE TABLE upper_ddl (ID bigint, TS timestamp) LOCATION '{lake}/upper_ddl/' {TBL}")
    sql(athena, results, f"CREATE TABLE upper_ctas WITH (table_type='ICEBERG', location='{lake}/upper_ctas/', "
                         f"is_external=false) AS SELECT 1 AS ID, 'x' AS Name")

    assert [c[0] for c in current_columns(glue, "upper_ddl")] == ["id", "ts"]
    assert [c[0] for c in current_columns(glue, "upper_ctas")] == ["id", "name"]


def test_hive_table_change_column_renames_the_glue_column(athena, results, glue, lake):
    sql(athena, results, f"CREATE EXTERNAL TABLE plain (a int, b string) STORED AS PARQUET LOCATION '{lake}/plain/'")
    sql(athena, results, "ALTER TABLE plain CHANGE COLUMN b c string COMMENT 'renamed' FIRST")

    columns = glue.get_table(DatabaseName="evolve", Name="plain")["Table"]["StorageDescriptor"]["Columns"]
    assert [(c["Name"], c["Type"], c.get("Comment")) for c in columns] == [("c", "string", "renamed"),
                                                                           ("a", "int", None)]


def test_a_renamed_column_is_listed_once_under_its_new_name(athena, results, orders):
    sql(athena, results, "ALTER TABLE `evolve`.`orders` CHANGE `note` `remark` string")

    assert [row[0].strip() for row in sql(athena, results, "SHOW COLUMNS IN orders")] == \
        ["id", "price", "amount", "remark"]
    assert failure(athena, results, "SELECT note FROM orders").startswith("COLUMN_NOT_FOUND")
    assert sql(athena, results, "UPDATE orders SET remark = 'z' WHERE id = 2") == []
    assert sql(athena, results, "SELECT id, remark FROM orders ORDER BY id")[1:] == [["1", "a"], ["2", "z"]]


def test_files_added_without_field_ids_are_read_by_name(athena, results, lakebox_server, lake):
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyiceberg.catalog import load_catalog

    catalog = load_catalog("lakebox", **lakebox_server.iceberg_catalog_properties())
    rows = pa.table({"id": pa.array([1, 2], pa.int64()), "name": pa.array(["a", "b"])})
    table = catalog.create_table("evolve.added", schema=rows.schema, location=f"{lake}/added")
    path = f"{lake}/external/part-0.parquet"
    with table.io.new_output(path).create() as handle:
        pq.write_table(rows, handle)  # plain pyarrow: no field ids, as a Hive table's files
    table.add_files([path])

    assert sql(athena, results, "SELECT id, name FROM added ORDER BY id")[1:] == [["1", "a"], ["2", "b"]]
