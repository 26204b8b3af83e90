"""Reading Iceberg tables from their metadata (engines/sql/iceberg.py): only the files the current
snapshot lists, less the rows its position delete files name. The metadata is written here by hand
with the Iceberg spec's field names (only those a reader needs), so that each case, such as a
manifest entry marked DELETED or an equality delete file, can be set up exactly."""

from __future__ import annotations

import json

import fastavro
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engine_helpers import ACCOUNT, REGION, engine_on_empty_database

from lakebox.engines.sql.errors import QueryError

BUCKET = "wh"
_MANIFEST_LIST = {"type": "record", "name": "manifest_file", "fields": [
    {"name": "manifest_path", "type": "string"}, {"name": "content", "type": "int"}]}
_MANIFEST = {"type": "record", "name": "manifest_entry", "fields": [
    {"name": "status", "type": "int"},
    {"name": "data_file", "type": {"type": "record", "name": "r2", "fields": [
        {"name": "content", "type": "int"}, {"name": "file_path", "type": "string"},
        {"name": "file_format", "type": "string"}]}}]}


@pytest.fixture
def env(tmp_path):
    yield from engine_on_empty_database(tmp_path)


class IcebergTable:
    """An Iceberg table written file by file under s3://wh/t/, registered in Glue as Athena expects."""

    def __init__(self, root, catalog, name="t"):
        self.root, self.catalog, self.name = root, catalog, name
        self.folder = root / "s3" / BUCKET / name
        (self.folder / "metadata").mkdir(parents=True)
        (self.folder / "data").mkdir()
        self.snapshots = []

    def url(self, relative: str) -> str:
        return f"s3://{BUCKET}/{self.name}/{relative}"

    def data_file(self, name: str, rows: dict) -> str:
        pq.write_table(pa.table(rows), self.folder / "data" / name)
        return self.url(f"data/{name}")

    def position_deletes(self, name: str, deleted: list[tuple[str, int]]) -> str:
        pq.write_table(pa.table({"file_path": [p for p, _ in deleted], "pos": pa.array([n for _, n in deleted],
                                                                                       pa.int64())}),
                       self.folder / "data" / name)
        return self.url(f"data/{name}")

    def commit(self, manifests: list[tuple[int, list[tuple[int, int, str]]]], register: bool = True) -> int:
        """A snapshot of `manifests`: [(manifest content, [(entry status, file content, path)])]."""
        number = len(self.snapshots) + 1
        listed = []
        for index, (content, entries) in enumerate(manifests):
            path = self.folder / "metadata" / f"m{number}-{index}.avro"
            with open(path, "wb") as out:
                fastavro.writer(out, _MANIFEST, [{"status": s, "data_file": {"content": c, "file_path": p,
                                                                              "file_format": "PARQUET"}}
                                                 for s, c, p in entries])
            listed.append({"manifest_path": self.url(f"metadata/m{number}-{index}.avro"), "content": content})
        with open(self.folder / "metadata" / f"snap-{number}.avro", "wb") as out:
            fastavro.writer(out, _MANIFEST_LIST, listed)
        self.snapshots.append({"snapshot-id": 1000 + number, "sequence-number": number,
                               "manifest-list": self.url(f"metadata/snap-{number}.avro")})
        self.write_metadata(number, 1000 + number, register)
        return 1000 + number

    def write_metadata(self, number: int, current, register: bool = True) -> None:
        metadata = {"format-version": 2, "location": self.url(""), "current-snapshot-id": current,
                    "snapshots": self.snapshots}
        (self.folder / "metadata" / f"{number:05d}.metadata.json").write_text(json.dumps(metadata))
        if register:
            self.register(self.url(f"metadata/{number:05d}.metadata.json"))

    def register(self, metadata_location: str) -> None:
        table = {"Name": self.name, "TableType": "EXTERNAL_TABLE",
                 "Parameters": {"table_type": "ICEBERG", "metadata_location": metadata_location},
                 "StorageDescriptor": {"Location": self.url(""), "Columns": [
                     {"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string"}]}}
        if self.catalog.get_table(ACCOUNT, REGION, "d", self.name) is None:
            self.catalog.create_table(ACCOUNT, REGION, "d", table)
        else:
            self.catalog.update_table(ACCOUNT, REGION, "d", table)


def rows(engine, sql="SELECT id, name FROM t ORDER BY id"):
    return engine.execute(sql, "d").rows


def test_only_the_files_of_the_current_snapshot_are_read(env):
    root, catalog, engine = env
    table = IcebergTable(root, catalog)
    first = table.data_file("a.parquet", {"id": [1, 2], "name": ["a", "b"]})
    second = table.data_file("b.parquet", {"id": [3], "name": ["c"]})
    table.data_file("orphan.parquet", {"id": [99], "name": ["from a failed write"]})
    table.commit([(0, [(1, 0, first)])])
    assert rows(engine) == [["1", "a"], ["2", "b"]]

    table.commit([(0, [(0, 0, first), (1, 0, second)])])
    assert rows(engine) == [["1", "a"], ["2", "b"], ["3", "c"]]


def test_entries_marked_deleted_are_not_read(env):
    root, catalog, engine = env
    table = IcebergTable(root, catalog)
    first = table.data_file("a.parquet", {"id": [1], "name": ["a"]})
    replacement = table.data_file("b.parquet", {"id": [2], "name": ["b"]})
    table.commit([(0, [(2, 0, first), (1, 0, replacement)])])  # an overwrite

    assert rows(engine) == [["2", "b"]]


def test_position_deletes_remove_the_rows_they_name(env):
    root, catalog, engine = env
    table = IcebergTable(root, catalog)
    first = table.data_file("a.parquet", {"id": [1, 2, 3], "name": ["a", "b", "c"]})
    second = table.data_file("b.parquet", {"id": [4, 5], "name": ["d", "e"]})
    deletes = table.position_deletes("del.parquet", [(first, 0), (first, 2), (second, 1)])
    table.commit([(0, [(1, 0, first), (1, 0, second)]), (1, [(1, 1, deletes)])])

    assert rows(engine) == [["2", "b"], ["4", "d"]]
    assert rows(engine, 'SELECT id, "$path" FROM t ORDER BY id') == [["2", first], ["4", second]]


def test_a_table_with_no_snapshot_is_empty(env):
    root, catalog, engine = env
    table = IcebergTable(root, catalog)
    table.write_metadata(0, None)

    assert rows(engine) == []
    assert engine.execute("SELECT count(*) FROM t", "d").rows == [["0"]]


def test_equality_deletes_are_not_supported(env):
    root, catalog, engine = env
    table = IcebergTable(root, catalog)
    first = table.data_file("a.parquet", {"id": [1], "name": ["a"]})
    equality = table.data_file("eq.parquet", {"id": [1]})
    table.commit([(0, [(1, 0, first)]), (1, [(1, 2, equality)])])

    with pytest.raises(QueryError) as raised:
        rows(engine)
    assert raised.value.error_type == "NOT_SUPPORTED"
    assert "equality delete" in raised.value.message


def test_missing_metadata_is_iceberg_missing_metadata(env):
    root, catalog, engine = env
    table = IcebergTable(root, catalog)
    table.register(table.url("metadata/00009.metadata.json"))

    with pytest.raises(QueryError) as raised:
        rows(engine)
    assert raised.value.error_type == "ICEBERG_MISSING_METADATA"


def test_a_missing_data_file_fails_the_query(env):
    root, catalog, engine = env
    table = IcebergTable(root, catalog)
    table.commit([(0, [(1, 0, table.url("data/gone.parquet"))])])

    with pytest.raises(QueryError) as raised:
        rows(engine)
    assert raised.value.error_type == "ICEBERG_CANNOT_OPEN_SPLIT"


def test_row_changes_to_a_hive_table_are_refused(env):
    root, catalog, engine = env
    catalog.create_table(ACCOUNT, REGION, "d", {"Name": "plain", "StorageDescriptor": {
        "Location": "s3://wh/plain/", "Columns": [{"Name": "id", "Type": "bigint"}],
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})

    for statement in ("DELETE FROM plain WHERE id = 1", "UPDATE plain SET id = 2"):
        with pytest.raises(QueryError) as raised:
            engine.execute(statement, "d")
        assert raised.value.message == ("NOT_SUPPORTED: Modifying Hive table rows is only supported for "
                                        "transactional tables")


def test_files_table_lists_data_and_delete_files_without_reading_them(env):
    root, catalog, engine = env
    table = IcebergTable(root, catalog)
    first = table.data_file("a.parquet", {"id": [1], "name": ["a"]})
    equality = table.data_file("eq.parquet", {"id": [1]})
    table.commit([(0, [(1, 0, first)]), (1, [(1, 2, equality)])])

    assert rows(engine, 'SELECT content, file_path, file_format FROM "t$files" ORDER BY content') == [
        ["0", first, "PARQUET"], ["2", equality, "PARQUET"]]


def test_time_travel_on_a_hive_table_is_not_supported(env):
    root, catalog, engine = env
    catalog.create_table(ACCOUNT, REGION, "d", {"Name": "plain", "StorageDescriptor": {
        "Location": "s3://wh/plain/", "Columns": [{"Name": "id", "Type": "bigint"}],
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})

    with pytest.raises(QueryError) as raised:
        rows(engine, "SELECT id FROM plain FOR VERSION AS OF 1")
    assert raised.value.message == "NOT_SUPPORTED: This connector does not support versioned tables"


def test_time_travel_by_version_reads_that_snapshot(env):
    root, catalog, engine = env
    table = IcebergTable(root, catalog)
    first = table.data_file("a.parquet", {"id": [1], "name": ["a"]})
    old = table.commit([(0, [(1, 0, first)])])
    table.commit([(0, [(0, 0, first), (1, 0, table.data_file("b.parquet", {"id": [2], "name": ["b"]}))])])

    assert rows(engine, f"SELECT id FROM t FOR VERSION AS OF {old}") == [["1"]]
    assert rows(engine, "SELECT id FROM t ORDER BY id") == [["1"], ["2"]]


@pytest.mark.filterwarnings("ignore:Delete operation did not match any records")  # pyiceberg's, expected here
def test_a_commit_that_lost_a_race_is_iceberg_commit_error(env):
    import pyarrow as pa

    from lakebox.engines.sql import iceberg_io, iceberg_writes

    root, catalog, engine = env
    pyiceberg = iceberg_io.catalog_for(catalog, engine.lake, ACCOUNT, REGION)
    table = pyiceberg.create_table("d.raced", schema=pa.schema([("id", pa.int64())]), location="s3://wh/raced")
    stale = pyiceberg.load_table("d.raced")
    iceberg_writes.append(table, pa.table({"id": pa.array([1], pa.int64())}))

    with pytest.raises(QueryError) as raised:
        iceberg_writes.overwrite(stale, pa.table({"id": pa.array([2], pa.int64())}))
    assert raised.value.error_type == "ICEBERG_COMMIT_ERROR"
    assert rows(engine, "SELECT id FROM raced") == [["1"]]
