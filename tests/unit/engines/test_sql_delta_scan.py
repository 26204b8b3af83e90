"""Reading Delta Lake tables from their transaction log (engines/sql/delta.py): the live files of the
latest version, partition values from the log, the schema from the log's metaData (not Glue's
columns), a checkpoint followed by later commits, and refusals for what cannot be read faithfully.
The logs are written here by hand, action by action, as the Delta protocol spells them."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engine_helpers import ACCOUNT, REGION, engine_on_empty_database

from lakebox.engines.sql import delta
from lakebox.engines.sql.errors import QueryError

SCHEMA = {"type": "struct", "fields": [
    {"name": "id", "type": "long", "nullable": True, "metadata": {}},
    {"name": "tags", "type": {"type": "array", "elementType": "string", "containsNull": True}, "nullable": True,
     "metadata": {}},
    {"name": "day", "type": "date", "nullable": True, "metadata": {}}]}


@pytest.fixture
def env(tmp_path):
    yield from engine_on_empty_database(tmp_path)


class DeltaTable:
    """A Delta table under s3://lake/sales/, registered in Glue as a crawler registers one."""

    def __init__(self, root, catalog):
        self.folder = root / "s3" / "lake" / "sales"
        (self.folder / "_delta_log").mkdir(parents=True)
        self.version = -1
        catalog.create_table(ACCOUNT, REGION, "d", {
            "Name": "sales", "Parameters": {"table_type": "DELTA"},
            "StorageDescriptor": {"Location": "s3://lake/sales/", "Columns": [{"Name": "col", "Type": "array<string>"}]}})

    def data_file(self, relative: str, ids: list) -> str:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"id": pa.array(ids, pa.int64()), "tags": [["t"]] * len(ids)}), path)
        return relative

    def commit(self, *actions: dict) -> None:
        self.version += 1
        lines = [json.dumps(a) for a in actions]
        (self.folder / "_delta_log" / f"{self.version:020d}.json").write_text("\n".join(lines) + "\n")


def metadata(configuration=None) -> dict:
    return {"metaData": {"id": "x", "format": {"provider": "parquet", "options": {}},
                         "schemaString": json.dumps(SCHEMA), "partitionColumns": ["day"],
                         "configuration": configuration or {}, "createdTime": 0}}


def protocol(**features) -> dict:
    return {"protocol": {"minReaderVersion": 3 if features else 1, "minWriterVersion": 2, **features}}


def add(path: str, day, **extra) -> dict:
    return {"add": {"path": path, "partitionValues": {"day": day}, "size": 1, "modificationTime": 0,
                    "dataChange": True, **extra}}


def rows(engine, sql="SELECT id, tags, day FROM sales ORDER BY id"):
    return engine.execute(sql, "d").rows


def test_the_live_files_of_the_latest_version_are_read(env):
    root, catalog, engine = env
    table = DeltaTable(root, catalog)
    first = table.data_file("day=2024-01-01/a.parquet", [1, 2])
    second = table.data_file("day=2024-01-02/b.parquet", [3])
    table.commit(protocol(), metadata(), add(first, "2024-01-01"), add(second, "2024-01-02"))
    replaced = table.data_file("day=2024-01-01/c.parquet", [10])
    table.commit({"remove": {"path": first, "dataChange": True}}, add(replaced, "2024-01-01"))

    assert rows(engine) == [["3", "[t]", "2024-01-02"], ["10", "[t]", "2024-01-01"]]
    assert engine.execute("SELECT typeof(day), typeof(id) FROM sales LIMIT 1", "d").rows == [["date", "bigint"]]


def test_a_null_partition_value_is_null(env):
    root, catalog, engine = env
    table = DeltaTable(root, catalog)
    path = table.data_file("day=__HIVE_DEFAULT_PARTITION__/a.parquet", [1])
    table.commit(protocol(), metadata(), add(path, None))

    assert rows(engine) == [["1", "[t]", None]]


def test_a_checkpoint_then_later_commits(env):
    root, catalog, engine = env
    table = DeltaTable(root, catalog)
    kept = table.data_file("day=2024-01-01/a.parquet", [1])
    table.data_file("day=2024-01-01/old.parquet", [99])  # live before the checkpoint, removed in it
    checkpoint = pa.table({
        "add": [None, None, {"path": kept, "partitionValues": [("day", "2024-01-01")]}],
        "remove": [None, None, None],
        "metaData": [None, {"schemaString": json.dumps(SCHEMA), "partitionColumns": ["day"],
                            "configuration": []}, None],
        "protocol": [{"minReaderVersion": 1, "minWriterVersion": 2}, None, None],
    })
    table.version = 4
    pq.write_table(checkpoint, table.folder / "_delta_log" / f"{4:020d}.checkpoint.parquet")
    table.commit(add(table.data_file("day=2024-01-02/b.parquet", [2]), "2024-01-02"))

    assert [r[0] for r in rows(engine)] == ["1", "2"]


def test_glue_columns_play_no_part(env):
    root, catalog, engine = env
    table = DeltaTable(root, catalog)
    table.commit(protocol(), metadata(), add(table.data_file("day=2024-01-01/a.parquet", [1]), "2024-01-01"))

    with pytest.raises(QueryError) as raised:
        engine.execute("SELECT col FROM sales", "d")
    assert raised.value.error_type == "COLUMN_NOT_FOUND"


@pytest.mark.parametrize("actions, words", [
    ((protocol(readerFeatures=["deletionVectors"]),), "reader features ['deletionVectors']"),
    ((protocol(), metadata({"delta.columnMapping.mode": "name"})), "column mapping"),
])
def test_what_cannot_be_read_faithfully_is_refused(env, actions, words):
    root, catalog, engine = env
    table = DeltaTable(root, catalog)
    table.commit(*actions, *([] if any("metaData" in a for a in actions) else [metadata()]))

    with pytest.raises(QueryError) as raised:
        rows(engine)
    assert raised.value.error_type == "NOT_SUPPORTED" and words in raised.value.message


def test_a_folder_without_a_log_is_an_error(env):
    root, catalog, engine = env
    DeltaTable(root, catalog).folder.joinpath("_delta_log").rmdir()

    with pytest.raises(QueryError) as raised:
        rows(engine)
    assert raised.value.error_type == "DELTA_LAKE_INVALID_SCHEMA"


@pytest.mark.parametrize("kind, duck", [
    ("long", "BIGINT"), ("decimal(10,2)", "DECIMAL(10,2)"), ("timestamp_ntz", "TIMESTAMP"),
    ({"type": "map", "keyType": "string", "valueType": "integer"}, "MAP(VARCHAR, INTEGER)"),
    ({"type": "struct", "fields": [{"name": "a", "type": "double"}]}, 'STRUCT("a" DOUBLE)'),
])
def test_delta_types(kind, duck):
    assert delta.duckdb_type(kind) == duck


def test_describe_and_show_columns_come_from_the_log(env):
    root, catalog, engine = env
    table = DeltaTable(root, catalog)
    table.commit(protocol(), metadata(), add(table.data_file("day=2024-01-01/a.parquet", [1]), "2024-01-01"))

    assert engine.execute("SHOW COLUMNS IN sales", "d").rows == [[n.ljust(20)] for n in ("id", "tags", "day")]
    described = [row[0].split("\t")[:2] for row in engine.execute("DESCRIBE sales", "d").rows]
    assert [[part.strip() for part in row] for row in described] == [
        ["id", "bigint"], ["tags", "array<string>"], ["day", "date"]]
