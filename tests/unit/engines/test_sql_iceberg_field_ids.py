"""How the reader names an Iceberg table's columns (engines/sql/iceberg.py): Glue's entries of earlier
schemas are no columns, and each current column is read by its field id from the metadata's current
schema, or by name when the metadata does not give every column an id."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from lakebox.engines.sql import iceberg


def glue_column(name, current):
    return {"Name": name, "Type": "bigint", "Parameters": {"iceberg.field.current": current}}


def test_current_columns_leaves_out_the_entries_of_earlier_schemas():
    columns = [glue_column("new_id", "true"), {"Name": "plain", "Type": "int"}, glue_column("id", "false")]

    assert [c["Name"] for c in iceberg.current_columns(columns)] == ["new_id", "plain"]


def test_field_ids_come_from_the_current_schema():
    metadata = {"current-schema-id": 1, "schemas": [
        {"schema-id": 0, "fields": [{"id": 1, "name": "id"}]},
        {"schema-id": 1, "fields": [{"id": 1, "name": "New_Id"}, {"id": 3, "name": "note"}]}]}

    assert iceberg._field_ids(metadata) == {"new_id": 1, "note": 3}


def test_field_id_schema_reads_an_old_file_under_the_new_name(tmp_path):
    path = str(tmp_path / "old.parquet")
    schema = pa.schema([pa.field("id", pa.int32(), metadata={"PARQUET:field_id": "1"})])
    pq.write_table(pa.table({"id": pa.array([7], pa.int32())}, schema=schema), path)

    by_id = iceberg.field_id_schema([("new_id", "BIGINT"), ("note", "VARCHAR")], {"new_id": 1, "note": 3})

    assert duckdb.sql(f"SELECT new_id, note FROM read_parquet('{path}', schema={by_id})").fetchall() == [(7, None)]


def test_field_id_schema_is_none_when_a_column_has_no_id():
    assert iceberg.field_id_schema([("a", "BIGINT"), ("b", "VARCHAR")], {"a": 1}) is None
