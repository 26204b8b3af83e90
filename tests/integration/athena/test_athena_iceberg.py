"""Athena over Iceberg tables that the Python Iceberg client (pyiceberg) writes through lakebox's Glue
catalog and S3, as a pipeline would: appends, an overwrite, a delete (copy-on-write), a column added
later, and a partitioned table. Each query's rows are checked against what was written."""

from __future__ import annotations

import datetime as dt
import time

import pyarrow as pa
import pytest
from athena_helpers import result_rows, run_query

pyiceberg_catalog = pytest.importorskip("pyiceberg.catalog")


@pytest.fixture
def warehouse(s3):
    s3.create_bucket(Bucket="iceberg-wh")
    return "s3://iceberg-wh"


@pytest.fixture
def catalog(lakebox_server, warehouse):
    catalog = pyiceberg_catalog.load_catalog("lakebox", **lakebox_server.iceberg_catalog_properties())
    catalog.create_namespace("lake", {"location": f"{warehouse}/lake"})
    return catalog


def query(athena, results, sql):
    qid, _ = run_query(athena, sql, results, database="lake")
    return result_rows(athena, qid)[1:]


def events(ids, names):
    return pa.table({"id": pa.array(ids, pa.int64()), "name": pa.array(names, pa.string())})


def test_athena_reads_the_rows_pyiceberg_appended(athena, results, catalog):
    table = catalog.create_table("lake.events", schema=events([], []).schema)
    table.append(events([1, 2, 3], ["a", "b", "c"]))
    table.append(events([4], ["d"]))

    assert query(athena, results, "SELECT count(*), sum(id) FROM events") == [["4", "10"]]
    assert query(athena, results, "SELECT * FROM events WHERE id > 2 ORDER BY id") == [["3", "c"], ["4", "d"]]


def test_an_overwrite_and_a_delete_leave_only_the_live_rows(athena, results, catalog):
    table = catalog.create_table("lake.orders", schema=events([], []).schema)
    table.append(events([1, 2], ["old", "old"]))
    table.overwrite(events([10, 20, 30], ["new", "new", "new"]))
    table.delete("id = 20")

    assert query(athena, results, "SELECT id, name FROM orders ORDER BY id") == [["10", "new"], ["30", "new"]]


def test_a_column_added_later_is_null_in_older_rows(athena, results, catalog):
    from pyiceberg.types import DoubleType

    table = catalog.create_table("lake.scores", schema=events([], []).schema)
    table.append(events([1], ["before"]))
    with table.update_schema() as update:
        update.add_column("score", DoubleType())
    table = catalog.load_table("lake.scores")
    table.append(pa.table({"id": pa.array([2], pa.int64()), "name": ["after"], "score": [9.5]}))

    assert query(athena, results, "SELECT id, name, score FROM scores ORDER BY id") == [
        ["1", "before", None], ["2", "after", "9.5"]]


def test_a_partitioned_table_is_read_whole_and_filtered(athena, results, catalog):
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.transforms import IdentityTransform

    schema = pa.schema([("id", pa.int64()), ("day", pa.date32())])
    table = catalog.create_table("lake.clicks", schema=schema)
    with table.update_spec() as spec:
        spec.add_field("day", IdentityTransform(), "day")
    table = catalog.load_table("lake.clicks")
    assert table.spec() != PartitionSpec() and isinstance(table.spec().fields[0], PartitionField)
    days = [dt.date(2026, 1, 1), dt.date(2026, 1, 1), dt.date(2026, 1, 2)]
    table.append(pa.table({"id": pa.array([1, 2, 3], pa.int64()), "day": pa.array(days, pa.date32())}))

    assert query(athena, results, "SELECT count(*) FROM clicks") == [["3"]]
    assert query(athena, results, "SELECT id FROM clicks WHERE day = date '2026-01-02'") == [["3"]]
    paths = query(athena, results, 'SELECT DISTINCT "$path" FROM clicks ORDER BY 1')
    assert len(paths) == 2 and all("day=2026-01-0" in path for [path] in paths)


def test_athena_inserts_into_a_table_pyiceberg_made(athena, results, catalog):
    table = catalog.create_table("lake.shared", schema=events([], []).schema)
    table.append(events([1], ["from pyiceberg"]))

    query(athena, results, "INSERT INTO shared VALUES (2, 'from athena'), (3, 'from athena')")

    assert query(athena, results, "SELECT count(*) FROM shared") == [["3"]]
    rows = catalog.load_table("lake.shared").scan().to_arrow().sort_by("id")
    assert rows.column("name").to_pylist() == ["from pyiceberg", "from athena", "from athena"]


# -- time travel and metadata tables ---------------------------------------------------------------

def test_time_travel_reads_an_earlier_snapshot(athena, results, catalog):
    table = catalog.create_table("lake.travel", schema=events([], []).schema)
    table.append(events([1], ["first"]))
    first = catalog.load_table("lake.travel").current_snapshot()
    table.append(events([2], ["second"]))

    by_version = f"SELECT id FROM travel FOR VERSION AS OF {first.snapshot_id} ORDER BY id"
    assert query(athena, results, by_version) == [["1"]]
    at = dt.datetime.fromtimestamp(first.timestamp_ms / 1000, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    by_time = f"SELECT id FROM travel FOR TIMESTAMP AS OF TIMESTAMP '{at} UTC' ORDER BY id"
    assert query(athena, results, by_time) == [["1"]]
    assert query(athena, results, "SELECT id FROM travel ORDER BY id") == [["1"], ["2"]]

    _, unknown = run_query(athena, "SELECT id FROM travel FOR VERSION AS OF 42", results, "FAILED", database="lake")
    assert unknown["Status"]["StateChangeReason"] == "INVALID_ARGUMENTS: Iceberg snapshot ID does not exists: 42"


def test_snapshots_history_and_files_tables(athena, results, catalog):
    table = catalog.create_table("lake.audit", schema=events([], []).schema)
    table.append(events([1, 2], ["a", "b"]))
    table.append(events([3], ["c"]))
    table = catalog.load_table("lake.audit")
    snapshots = [s.snapshot_id for s in table.snapshots()]

    listed = query(athena, results, 'SELECT snapshot_id, parent_id, operation, summary[\'added-records\'] '
                                    'FROM "audit$snapshots" ORDER BY committed_at')
    assert listed == [[str(snapshots[0]), None, "append", "2"], [str(snapshots[1]), str(snapshots[0]), "append", "1"]]
    history = query(athena, results, 'SELECT snapshot_id, is_current_ancestor FROM "audit$history" '
                                     'ORDER BY made_current_at')
    assert history == [[str(snapshots[0]), "true"], [str(snapshots[1]), "true"]]
    files = query(athena, results, 'SELECT content, file_format, record_count FROM "audit$files" ORDER BY record_count')
    assert files == [["0", "PARQUET", "1"], ["0", "PARQUET", "2"]]
    # unpartitioned: one row for the whole table
    assert query(athena, results, 'SELECT record_count, file_count FROM "audit$partitions"') == [["3", "2"]]


# -- Athena's own Iceberg writes ---------------------------------------------------------------------

def test_athena_creates_writes_updates_and_deletes_an_iceberg_table(athena, results, catalog):
    query(athena, results, "CREATE TABLE orders (id bigint, customer string, amount double, ts timestamp, "
                           "category string) PARTITIONED BY (category, bucket(4, id), day(ts)) "
                           "LOCATION 's3://iceberg-wh/lake/orders/' TBLPROPERTIES ('table_type'='ICEBERG')")
    query(athena, results, "INSERT INTO orders VALUES (1, 'ana', 10.5, timestamp '2024-01-01 10:00:00', 'books'), "
                           "(2, 'bo', 20.0, timestamp '2024-01-02 11:00:00', 'toys'), "
                           "(3, 'cy', 30.0, timestamp '2024-01-02 12:00:00', 'books')")
    qid, _ = run_query(athena, "UPDATE orders SET amount = amount * 2 WHERE category = 'books'", results,
                       database="lake")
    assert athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["StatementType"] == "DML"
    query(athena, results, "DELETE FROM orders WHERE id = 2")

    assert query(athena, results, "SELECT id, customer, amount FROM orders ORDER BY id") == [
        ["1", "ana", "21.0"], ["3", "cy", "60.0"]]
    # any Iceberg client reads what Athena committed, partition spec included
    table = catalog.load_table("lake.orders")
    assert sorted(table.scan().to_arrow().column("amount").to_pylist()) == [21.0, 60.0]
    assert [(f.name, str(f.transform)) for f in table.spec().fields] == [
        ("category", "identity"), ("id_bucket", "bucket[4]"), ("ts_day", "day")]


def test_each_update_delete_and_merge_commits_one_overwrite_snapshot(athena, results, catalog):
    """As Athena commits them: one snapshot per statement, so time travel to any snapshot reads a
    state some statement left, never a half-applied UPDATE."""
    table = catalog.create_table("lake.ledger", schema=events([], []).schema)
    table.append(events([1, 2, 3], ["a", "b", "c"]))
    query(athena, results, "UPDATE ledger SET name = 'bb' WHERE id = 2")
    query(athena, results, "DELETE FROM ledger WHERE id = 1")
    query(athena, results, "MERGE INTO ledger t USING (SELECT 3 AS id, 'cc' AS name UNION ALL SELECT 4, 'd') s "
                           "ON t.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name "
                           "WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.name)")
    snapshots = catalog.load_table("lake.ledger").snapshots()
    assert [s.summary.operation.value for s in snapshots] == ["append", "overwrite", "overwrite", "overwrite"]
    states = [query(athena, results, f"SELECT id, name FROM ledger FOR VERSION AS OF {s.snapshot_id} ORDER BY id")
              for s in snapshots]
    assert states == [[["1", "a"], ["2", "b"], ["3", "c"]], [["1", "a"], ["2", "bb"], ["3", "c"]],
                      [["2", "bb"], ["3", "c"]], [["2", "bb"], ["3", "cc"], ["4", "d"]]]


def test_ctas_makes_a_partitioned_iceberg_table(athena, results, catalog):
    query(athena, results, "CREATE TABLE sales WITH (table_type = 'ICEBERG', is_external = false, "
                           "location = 's3://iceberg-wh/lake/sales/', partitioning = ARRAY['region', 'bucket(id, 8)']) "
                           "AS SELECT * FROM (VALUES (1, 'eu', 5.0), (2, 'us', 7.5)) AS t (id, region, total)")

    assert query(athena, results, "SELECT id, region, total FROM sales ORDER BY id") == [
        ["1", "eu", "5.0"], ["2", "us", "7.5"]]
    table = catalog.load_table("lake.sales")
    assert [str(f.transform) for f in table.spec().fields] == ["identity", "bucket[8]"]
    assert table.scan().to_arrow().num_rows == 2


def test_a_condition_that_holds_nowhere_changes_nothing(athena, results, catalog):
    table = catalog.create_table("lake.steady", schema=events([], []).schema)
    table.append(events([1], ["a"]))
    snapshots = len(catalog.load_table("lake.steady").snapshots())

    query(athena, results, "DELETE FROM steady WHERE id > 100")
    query(athena, results, "UPDATE steady SET name = 'b' WHERE name IS NULL")

    assert len(catalog.load_table("lake.steady").snapshots()) == snapshots
    assert query(athena, results, "SELECT id, name FROM steady") == [["1", "a"]]


def test_merge_upserts_from_a_staging_table(athena, results, catalog, s3):
    target = catalog.create_table("lake.customers", schema=events([], []).schema)
    target.append(events([1, 2, 3], ["ann", "bob", "cid"]))
    staging = catalog.create_table("lake.changes", schema=pa.schema([("id", pa.int64()), ("name", pa.string()),
                                                                      ("op", pa.string())]))
    staging.append(pa.table({"id": pa.array([2, 3, 4], pa.int64()), "name": ["bobby", None, "dee"],
                             "op": ["U", "D", "I"]}))

    qid, _ = run_query(athena, "MERGE INTO customers t USING changes s ON t.id = s.id "
                               "WHEN MATCHED AND s.op = 'D' THEN DELETE "
                               "WHEN MATCHED THEN UPDATE SET name = s.name "
                               "WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name)", results, database="lake")

    assert athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["StatementType"] == "DML"
    assert query(athena, results, "SELECT id, name FROM customers ORDER BY id") == [
        ["1", "ann"], ["2", "bobby"], ["4", "dee"]]
    assert sorted(catalog.load_table("lake.customers").scan().to_arrow().column("id").to_pylist()) == [1, 2, 4]


def test_merge_into_a_hive_table_is_refused(athena, results, catalog, s3):
    query(athena, results, "CREATE EXTERNAL TABLE plain (id bigint) STORED AS PARQUET "
                           "LOCATION 's3://iceberg-wh/plain/'")
    _, execution = run_query(athena, "MERGE INTO plain t USING plain s ON t.id = s.id WHEN MATCHED THEN DELETE",
                             results, "FAILED", database="lake")
    assert execution["Status"]["StateChangeReason"] == ("NOT_SUPPORTED: Modifying Hive table rows is only supported "
                                                        "for transactional tables")


@pytest.mark.parametrize("partitioning, reason", [
    ("bucket(4, amount)", "INVALID_TABLE_PROPERTY"),  # bucket of a double: no such transform
    ("nowhere", "COLUMN_NOT_FOUND"),
    ("weekday(ts)", "NOT_SUPPORTED"),
])
def test_a_bad_partitioning_creates_no_table(athena, results, catalog, partitioning, reason):
    _, execution = run_query(athena, f"CREATE TABLE bad (id bigint, amount double, ts timestamp) PARTITIONED BY "
                                     f"({partitioning}) LOCATION 's3://iceberg-wh/lake/bad/' "
                                     "TBLPROPERTIES ('table_type'='ICEBERG')", results, "FAILED", database="lake")
    assert execution["Status"]["StateChangeReason"].startswith(reason)
    assert catalog.list_tables("lake") == []


def test_alter_table_adds_columns_and_sets_properties_by_commit(athena, results, catalog):
    table = catalog.create_table("lake.evolving", schema=events([], []).schema)
    table.append(events([1], ["old"]))

    query(athena, results, "ALTER TABLE evolving ADD COLUMNS (score double, note string)")
    query(athena, results, "INSERT INTO evolving VALUES (2, 'new', 9.5, 'hi')")
    query(athena, results, "ALTER TABLE evolving SET TBLPROPERTIES ('write.target-file-size-bytes'='1048576')")

    assert query(athena, results, "SELECT id, name, score, note FROM evolving ORDER BY id") == [
        ["1", "old", None, None], ["2", "new", "9.5", "hi"]]
    reloaded = catalog.load_table("lake.evolving")
    assert [f.name for f in reloaded.schema().fields] == ["id", "name", "score", "note"]
    assert reloaded.properties["write.target-file-size-bytes"] == "1048576"
    _, duplicate = run_query(athena, "ALTER TABLE evolving ADD COLUMNS (score double)", results, "FAILED",
                             database="lake")
    assert duplicate["Status"]["StateChangeReason"].startswith("COLUMN_ALREADY_EXISTS")


def test_merge_from_a_subquery_and_a_row_matched_twice(athena, results, catalog):
    target = catalog.create_table("lake.stock", schema=events([], []).schema)
    target.append(events([1], ["one"]))

    query(athena, results, "MERGE INTO stock t USING (SELECT 1 AS id, 'uno' AS name UNION ALL SELECT 5, 'cinco') s "
                           "ON t.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name "
                           "WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.name)")
    assert query(athena, results, "SELECT id, name FROM stock ORDER BY id") == [["1", "uno"], ["5", "cinco"]]

    _, twice = run_query(athena, "MERGE INTO stock t USING (SELECT 1 AS id UNION ALL SELECT 1) s ON t.id = s.id "
                                 "WHEN MATCHED THEN DELETE", results, "FAILED", database="lake")
    assert twice["Status"]["StateChangeReason"].startswith("MERGE_TARGET_ROW_MULTIPLE_MATCHES")
    assert query(athena, results, "SELECT count(*) FROM stock") == [["2"]]


# -- maintenance ------------------------------------------------------------------------------------

def test_optimize_compacts_and_vacuum_removes_what_no_snapshot_needs(athena, results, catalog, s3):
    table = catalog.create_table("lake.chatty", schema=events([], []).schema)
    for n in range(4):
        table.append(events([n], [f"row {n}"]))  # one small file each
    assert query(athena, results, 'SELECT count(*) FROM "chatty$files"') == [["4"]]

    query(athena, results, "OPTIMIZE chatty REWRITE DATA USING BIN_PACK WHERE id > 0")
    assert query(athena, results, 'SELECT count(*) FROM "chatty$files"') == [["1"]]
    query(athena, results, "DELETE FROM chatty WHERE id = 0")
    assert query(athena, results, "SELECT id FROM chatty ORDER BY id") == [["1"], ["2"], ["3"]]

    def data_keys():
        listed = s3.list_objects_v2(Bucket="iceberg-wh", Prefix="lake/chatty/data/").get("Contents", [])
        return {o["Key"] for o in listed}

    kept_before = data_keys()
    query(athena, results, "ALTER TABLE chatty SET TBLPROPERTIES ('vacuum_max_snapshot_age_seconds'='1')")
    time.sleep(1.1)
    query(athena, results, "VACUUM chatty")

    reloaded = catalog.load_table("lake.chatty")
    assert len(reloaded.snapshots()) == 1  # only the current one is younger than the newest kept
    live = {f"lake/chatty/data/{p.rsplit('/', 1)[1]}" for p in
            reloaded.inspect.files().column("file_path").to_pylist()}
    assert data_keys() == live and live < kept_before
    assert query(athena, results, "SELECT id FROM chatty ORDER BY id") == [["1"], ["2"], ["3"]]


def test_maintenance_of_a_hive_table_is_refused(athena, results, catalog):
    query(athena, results, "CREATE EXTERNAL TABLE hive_t (id bigint) STORED AS PARQUET LOCATION 's3://iceberg-wh/h/'")
    _, execution = run_query(athena, "VACUUM hive_t", results, "FAILED", database="lake")
    assert execution["Status"]["StateChangeReason"] == "NOT_SUPPORTED: OPTIMIZE and VACUUM are for Iceberg tables only"


def test_dropping_an_iceberg_table_deletes_its_data(athena, results, catalog, s3):
    table = catalog.create_table("lake.doomed", schema=events([], []).schema, location="s3://iceberg-wh/lake/doomed")
    table.append(events([1], ["x"]))
    s3.put_object(Bucket="iceberg-wh", Key="lake/doomed_neighbour/keep.txt", Body=b"not the table's")
    assert s3.list_objects_v2(Bucket="iceberg-wh", Prefix="lake/doomed/")["KeyCount"] > 0

    query(athena, results, "DROP TABLE doomed")

    assert catalog.list_tables("lake") == []
    assert s3.list_objects_v2(Bucket="iceberg-wh", Prefix="lake/doomed/")["KeyCount"] == 0
    assert s3.get_object(Bucket="iceberg-wh", Key="lake/doomed_neighbour/keep.txt")["Body"].read() == b"not the table's"


def test_partitions_table_of_a_partitioned_iceberg_table(athena, results, catalog):
    query(athena, results, "CREATE TABLE visits (id bigint, ts timestamp, country string) "
                           "PARTITIONED BY (country, day(ts)) LOCATION 's3://iceberg-wh/lake/visits/' "
                           "TBLPROPERTIES ('table_type'='ICEBERG')")
    query(athena, results, "INSERT INTO visits VALUES (1, timestamp '2024-03-01 08:00:00', 'pt'), "
                           "(2, timestamp '2024-03-01 09:00:00', 'pt'), (3, timestamp '2024-03-02 10:00:00', 'br')")

    rows = query(athena, results, 'SELECT partition.country, partition.ts_day, record_count, file_count '
                                  'FROM "visits$partitions" ORDER BY 1')
    assert rows == [["br", "2024-03-02", "1", "1"], ["pt", "2024-03-01", "2", "1"]]
