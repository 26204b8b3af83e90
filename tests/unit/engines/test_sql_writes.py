"""CTAS, INSERT INTO and UNLOAD on the engine over a real Glue catalog and lake folder: files written
into the lake, read back through SQL and with pyarrow, and the tables and partitions registered."""

from __future__ import annotations

import gzip
import os

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engine_helpers import ACCOUNT, PARQUET, REGION, Lake, new_catalog
from pyarrow import orc

from lakebox.engines.sql.engine import QueryError, SqlEngine

OUT = "s3://results/q/"


@pytest.fixture
def env(tmp_path):
    catalog = new_catalog(tmp_path)
    catalog.create_database(ACCOUNT, REGION, {"Name": "sales"})
    frame = pd.DataFrame({"id": range(12), "amount": [float(i) * 1.5 for i in range(12)],
                          "month": [f"{1 + i % 3:02d}" for i in range(12)]})
    folder = tmp_path / "s3" / "lake" / "orders"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / "part-0.parquet")
    (tmp_path / "s3" / "results").mkdir(parents=True)
    catalog.create_table(ACCOUNT, REGION, "sales", {
        "Name": "orders", "StorageDescriptor": {**PARQUET, "Location": "s3://lake/orders/", "Columns": [
            {"Name": "id", "Type": "bigint"}, {"Name": "amount", "Type": "double"}, {"Name": "month", "Type": "string"}]}})
    yield SqlEngine(Lake(str(tmp_path)), catalog, ACCOUNT, REGION), catalog, tmp_path, frame
    catalog.glue.close()


def run(engine, sql, qid="q1"):
    return engine.execute(sql, "sales", output_location=OUT, query_id=qid)


def local(tmp_path, url):
    bucket, _, key = url[len("s3://"):].partition("/")
    return tmp_path / "s3" / bucket / key


def test_ctas_parquet_unpartitioned_default_location_under_tables_id(env):
    engine, catalog, tmp_path, frame = env
    outcome = run(engine, "CREATE TABLE big AS SELECT id, amount FROM orders WHERE amount > 3", "ctas-1")
    expected = frame[frame.amount > 3]
    assert (outcome.statement_type, outcome.substatement_type) == ("DDL", "CREATE_TABLE_AS_SELECT")
    assert outcome.update_count == len(expected)
    table = catalog.get_table(ACCOUNT, REGION, "sales", "big")
    sd = table["StorageDescriptor"]
    assert sd["Location"] == "s3://results/q/tables/ctas-1"
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"]["has_encrypted_data"] == "false"
    assert sd["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    assert [(c["Name"], c["Type"]) for c in sd["Columns"]] == [("id", "bigint"), ("amount", "double")]
    assert all(f.startswith("s3://results/q/tables/ctas-1/") for f in outcome.manifest_files)
    data = pa.concat_tables([pq.read_table(local(tmp_path, f)) for f in outcome.manifest_files])
    assert sorted(data.column("id").to_pylist()) == sorted(expected.id.tolist())
    back = run(engine, "SELECT count(*), sum(amount) FROM big")
    assert back.rows == [[str(len(expected)), repr(float(expected.amount.sum()))]]


def test_ctas_parquet_partitioned_writes_hive_folders_and_registers_partitions(env):
    engine, catalog, tmp_path, frame = env
    outcome = run(engine, "CREATE TABLE by_month WITH (format = 'PARQUET', write_compression = 'SNAPPY', "
                          "external_location = 's3://lake/by_month/', partitioned_by = ARRAY['month']) "
                          "AS SELECT id, amount, month FROM orders")
    assert outcome.update_count == 12
    table = catalog.get_table(ACCOUNT, REGION, "sales", "by_month")
    assert table["PartitionKeys"] == [{"Name": "month", "Type": "string"}]
    assert table["Parameters"]["parquet.compression"] == "SNAPPY"
    partitions = catalog.get_partitions(ACCOUNT, REGION, "sales", "by_month")
    assert sorted(p["Values"][0] for p in partitions) == ["01", "02", "03"]
    assert sorted(p["StorageDescriptor"]["Location"] for p in partitions) == [
        f"s3://lake/by_month/month={m}" for m in ("01", "02", "03")]
    folder = tmp_path / "s3" / "lake" / "by_month" / "month=02"
    files = [f for f in os.listdir(folder)]
    assert len(files) == 1 and not files[0].startswith(".")
    read = pq.read_table(folder / files[0])
    assert read.column_names == ["id", "amount"]
    assert read.column("id").to_pylist() == frame[frame.month == "02"].id.tolist()
    back = run(engine, "SELECT month, count(*) FROM by_month WHERE month = '03' GROUP BY month")
    assert back.rows == [["03", "4"]]


def test_ctas_json_orc_and_textfile_read_back(env):
    engine, _, tmp_path, _ = env
    for fmt in ("JSON", "ORC", "TEXTFILE"):
        name = f"t_{fmt.lower()}"
        run(engine, f"CREATE TABLE {name} WITH (format = '{fmt}', external_location = 's3://lake/{name}/') "
                    "AS SELECT id, month, DATE '2024-01-02' AS d FROM orders WHERE id < 3")
        assert run(engine, f"SELECT id, month, d FROM {name} ORDER BY id").rows == [
            ["0", "01", "2024-01-02"], ["1", "02", "2024-01-02"], ["2", "03", "2024-01-02"]]
    orc_files = os.listdir(tmp_path / "s3" / "lake" / "t_orc")
    assert orc.ORCFile(str(tmp_path / "s3" / "lake" / "t_orc" / orc_files[0])).read().num_rows == 3
    text = os.listdir(tmp_path / "s3" / "lake" / "t_textfile")[0]
    assert text.endswith(".gz")
    with gzip.open(tmp_path / "s3" / "lake" / "t_textfile" / text) as handle:
        first = handle.read().split(b"\n")[0]
    assert first == b"0\x0101\x012024-01-02"


def test_ctas_into_non_empty_location_fails_path_already_exists(env):
    engine, catalog, _, _ = env
    with pytest.raises(QueryError) as error:
        run(engine, "CREATE TABLE again WITH (external_location = 's3://lake/orders/') AS SELECT 1 AS x")
    assert error.value.error_type == "HIVE_PATH_ALREADY_EXISTS"
    assert error.value.message.startswith("HIVE_PATH_ALREADY_EXISTS: Target directory for table 'sales.again' "
                                          "already exists: s3://lake/orders/")
    assert catalog.get_table(ACCOUNT, REGION, "sales", "again") is None


def test_ctas_existing_table_fails_unless_if_not_exists(env):
    engine, _, _, _ = env
    with pytest.raises(QueryError) as error:
        run(engine, "CREATE TABLE orders AS SELECT 1 AS x")
    assert error.value.error_type == "TABLE_ALREADY_EXISTS"
    assert run(engine, "CREATE TABLE IF NOT EXISTS orders AS SELECT 1 AS x").update_count == 0


def test_ctas_partition_columns_must_come_last(env):
    engine, _, _, _ = env
    with pytest.raises(QueryError) as error:
        run(engine, "CREATE TABLE bad WITH (partitioned_by = ARRAY['month']) AS SELECT month, id FROM orders")
    assert error.value.error_type == "HIVE_COLUMN_ORDER_MISMATCH"


def test_ctas_bucketed_writes_one_file_per_bucket(env):
    engine, catalog, _, _ = env
    outcome = run(engine, "CREATE TABLE b WITH (external_location = 's3://lake/b/', bucketed_by = ARRAY['id'], "
                          "bucket_count = 3) AS SELECT id, amount FROM orders")
    sd = catalog.get_table(ACCOUNT, REGION, "sales", "b")["StorageDescriptor"]
    assert (sd["BucketColumns"], sd["NumberOfBuckets"]) == (["id"], 3)
    assert 1 < len(outcome.manifest_files) <= 3
    assert run(engine, "SELECT count(*) FROM b").rows == [["12"]]


def test_insert_select_and_values_append_files_and_partitions(env):
    engine, catalog, tmp_path, _ = env
    run(engine, "CREATE TABLE p WITH (external_location = 's3://lake/p/', partitioned_by = ARRAY['month']) "
                "AS SELECT id, amount, month FROM orders WHERE month = '01'")
    outcome = run(engine, "INSERT INTO p SELECT id, amount, month FROM orders WHERE month IN ('01', '02')", "ins-1")
    assert (outcome.statement_type, outcome.substatement_type, outcome.update_count) == ("DML", "INSERT", 8)
    assert len(outcome.manifest_files) == 2
    assert sorted(p["Values"][0] for p in catalog.get_partitions(ACCOUNT, REGION, "sales", "p")) == ["01", "02"]
    assert len(os.listdir(tmp_path / "s3" / "lake" / "p" / "month=01")) == 2
    values = run(engine, "INSERT INTO p (month, id) VALUES ('09', 100), ('09', 101)", "ins-2")
    assert values.update_count == 2
    assert run(engine, "SELECT month, count(*), count(amount) FROM p GROUP BY month ORDER BY month").rows == [
        ["01", "8", "8"], ["02", "4", "4"], ["09", "2", "0"]]


def test_insert_into_unpartitioned_external_table_appends(env):
    engine, _, tmp_path, _ = env
    outcome = run(engine, "INSERT INTO orders VALUES (99, 1.0, '12')")
    assert outcome.update_count == 1
    assert len(os.listdir(tmp_path / "s3" / "lake" / "orders")) == 2
    assert run(engine, "SELECT count(*) FROM orders").rows == [["13"]]


def test_insert_with_wrong_column_count_fails(env):
    engine, _, _, _ = env
    with pytest.raises(QueryError) as error:
        run(engine, "INSERT INTO orders VALUES (1, 2.0)")
    assert error.value.error_type == "TYPE_MISMATCH"


def test_unload_writes_files_and_refuses_non_empty_target(env):
    engine, _, tmp_path, _ = env
    outcome = run(engine, "UNLOAD (SELECT id, amount, month FROM orders WHERE id < 6) TO 's3://lake/unload/' "
                          "WITH (format = 'PARQUET', compression = 'SNAPPY', partitioned_by = ARRAY['month'])")
    assert (outcome.statement_type, outcome.substatement_type, outcome.update_count) == ("DML", "UNLOAD", 6)
    assert sorted(os.listdir(tmp_path / "s3" / "lake" / "unload")) == ["month=01", "month=02", "month=03"]
    rows = sum(pq.read_table(local(tmp_path, f)).num_rows for f in outcome.manifest_files)
    assert rows == 6
    with pytest.raises(QueryError) as error:
        run(engine, "UNLOAD (SELECT 1 AS x) TO 's3://lake/unload/' WITH (format = 'JSON')")
    assert error.value.error_type == "HIVE_PATH_ALREADY_EXISTS"


def test_unload_textfile_with_field_delimiter(env):
    engine, _, tmp_path, _ = env
    outcome = run(engine, "UNLOAD (SELECT id, month FROM orders WHERE id < 2 ORDER BY id) TO 's3://lake/csv/' "
                          "WITH (format = 'TEXTFILE', field_delimiter = ',', compression = 'NONE')")
    [path] = outcome.manifest_files
    assert local(tmp_path, path).read_text() == "0,01\n1,02\n"


@pytest.mark.timeout(60)
def test_cancelled_ctas_is_interrupted_and_registers_no_table(env):
    import threading
    engine, catalog, _, _ = env
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    endless = "CREATE TABLE never AS SELECT sum(hash(i)) AS h FROM range(1000000000000) t(i)"
    with pytest.raises(QueryError) as error:
        engine.execute(endless, "sales", output_location=OUT, query_id="ctas-cancel", cancel=cancel)
    assert error.value.error_type == "USER_CANCELLED"
    assert catalog.get_table(ACCOUNT, REGION, "sales", "never") is None
