"""Athena's Hive DDL on a real Glue provider and lake: what each statement writes to the catalog."""

from __future__ import annotations

import os

import pytest

from lakebox.config import Config
from lakebox.engines.sql.ddl import DdlError, is_ddl, run_ddl
from lakebox.services.glue.catalog_api import GlueCatalog
from lakebox.services.glue.provider import GlueProvider
from lakebox.storage.lake import LakeStore

ACCOUNT, REGION = "000000000000", "us-east-1"

GUIDE_DATABASE = "CREATE DATABASE IF NOT EXISTS analytics;"
GUIDE_TABLE = """CREATE EXTERNAL TABLE analytics.orders (
    order_id BIGINT,
    customer_id BIGINT,
    order_date DATE,
    total_amount DECIMAL(10,2),
    status STRING
)
PARTITIONED BY (year INT, month INT)
STORED AS PARQUET
LOCATION 's3://my-data-lake/silver/orders/';"""
GUIDE_MSCK = "MSCK REPAIR TABLE analytics.orders;"
GUIDE_ADD = """ALTER TABLE analytics.orders ADD IF NOT EXISTS
PARTITION (year=2024, month=1)
LOCATION 's3://my-data-lake/silver/orders/year=2024/month=01/';"""


@pytest.fixture
def env(tmp_path):
    glue = GlueProvider(Config(data_dir=tmp_path))
    lake = LakeStore(tmp_path)
    lake.create_bucket("my-data-lake", ACCOUNT, REGION)
    catalog = GlueCatalog(glue)

    def run(sql, database=None):
        return run_ddl(sql, database, catalog, lake, ACCOUNT, REGION)

    def write(key, data=b"x"):
        path = tmp_path / "s3" / "my-data-lake" / key
        os.makedirs(path.parent, exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    yield run, catalog, write
    glue.close()


def table(catalog, db, name):
    return catalog.get_table(ACCOUNT, REGION, db, name)


def test_is_ddl_tells_ddl_from_queries():
    assert is_ddl(GUIDE_TABLE) and is_ddl("show tables") and is_ddl("MSCK REPAIR TABLE t")
    assert not is_ddl("SELECT 1") and not is_ddl("CREATE TABLE x AS SELECT 1")


def test_create_database_with_comment_location_and_properties(env):
    run, catalog, _ = env
    result = run("CREATE SCHEMA Sales COMMENT 'sales data' LOCATION 's3://b/sales/' WITH DBPROPERTIES ('owner'='me')")
    assert result.substatement_type == "CREATE_DATABASE"
    db = catalog.get_database(ACCOUNT, REGION, "sales")
    assert (db["Description"], db["LocationUri"], db["Parameters"]) == ("sales data", "s3://b/sales/", {"owner": "me"})


def test_create_existing_database_fails_unless_if_not_exists(env):
    run, _, _ = env
    run(GUIDE_DATABASE)
    run(GUIDE_DATABASE)
    with pytest.raises(DdlError) as exc:
        run("CREATE DATABASE analytics")
    assert exc.value.error_type == "ALREADY_EXISTS" and "Database analytics already exists" in exc.value.message


def test_guide_table_is_written_as_athena_writes_it(env):
    run, catalog, _ = env
    run(GUIDE_DATABASE)
    assert run(GUIDE_TABLE).substatement_type == "CREATE_TABLE"
    t = table(catalog, "analytics", "orders")
    sd = t["StorageDescriptor"]
    assert t["TableType"] == "EXTERNAL_TABLE" and t["Parameters"]["EXTERNAL"] == "TRUE"
    assert [(c["Name"], c["Type"]) for c in sd["Columns"]] == [
        ("order_id", "bigint"), ("customer_id", "bigint"), ("order_date", "date"),
        ("total_amount", "decimal(10,2)"), ("status", "string")]
    assert [(k["Name"], k["Type"]) for k in t["PartitionKeys"]] == [("year", "int"), ("month", "int")]
    assert sd["Location"] == "s3://my-data-lake/silver/orders/"
    assert sd["InputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    assert sd["OutputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
    assert sd["SerdeInfo"] == {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                               "Parameters": {"serialization.format": "1"}}


def test_create_table_in_missing_database_raises_10072(env):
    run, _, _ = env
    with pytest.raises(DdlError) as exc:
        run(GUIDE_TABLE)
    assert exc.value.message == "FAILED: SemanticException [Error 10072]: Database does not exist: analytics"


def test_delimited_text_table_with_nested_types_and_tblproperties(env):
    run, catalog, _ = env
    run("CREATE DATABASE d")
    run("""CREATE EXTERNAL TABLE IF NOT EXISTS t (id int COMMENT 'key', tags array<string>, attrs map<string,int>,
           addr struct<city:string,zip:string>) COMMENT 'raw'
           ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' COLLECTION ITEMS TERMINATED BY '|'
           MAP KEYS TERMINATED BY ':' LINES TERMINATED BY '\\n'
           STORED AS TEXTFILE LOCATION 's3://b/raw/' TBLPROPERTIES ('skip.header.line.count'='1')""", "d")
    t = table(catalog, "d", "t")
    sd = t["StorageDescriptor"]
    assert [c["Type"] for c in sd["Columns"]] == ["int", "array<string>", "map<string,int>",
                                                   "struct<city:string,zip:string>"]
    assert sd["Columns"][0]["Comment"] == "key" and t["Description"] == "raw"
    assert sd["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert sd["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
    assert sd["SerdeInfo"]["Parameters"] == {"field.delim": ",", "collection.delim": "|", "mapkey.delim": ":",
                                             "line.delim": "\n", "serialization.format": ","}
    assert t["Parameters"]["skip.header.line.count"] == "1"


def test_json_serde_table_keeps_serde_properties(env):
    run, catalog, _ = env
    run("CREATE DATABASE d")
    run("""CREATE EXTERNAL TABLE d.j (a string) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
           WITH SERDEPROPERTIES ('ignore.malformed.json'='true') LOCATION 's3://b/j/'""")
    sd = table(catalog, "d", "j")["StorageDescriptor"]
    assert sd["SerdeInfo"] == {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
                               "Parameters": {"ignore.malformed.json": "true"}}
    assert sd["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"


def test_inputformat_outputformat_and_orc(env):
    run, catalog, _ = env
    run("CREATE DATABASE d")
    run("CREATE EXTERNAL TABLE d.x (a int) STORED AS INPUTFORMAT 'in.F' OUTPUTFORMAT 'out.F' LOCATION 's3://b/x/'")
    run("CREATE EXTERNAL TABLE d.o (a int) STORED AS ORC LOCATION 's3://b/o/'")
    assert table(catalog, "d", "x")["StorageDescriptor"]["InputFormat"] == "in.F"
    assert table(catalog, "d", "o")["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == \
        "org.apache.hadoop.hive.ql.io.orc.OrcSerde"


def test_msck_registers_folders_as_string_values_and_add_partition_gives_another(env):
    run, catalog, write = env
    run(GUIDE_DATABASE)
    run(GUIDE_TABLE)
    write("silver/orders/year=2024/month=01/part-0.parquet")
    write("silver/orders/year=2024/month=02/part-0.parquet")
    write("silver/orders/not-a-partition/x.parquet")
    result = run(GUIDE_MSCK)
    assert result.substatement_type == "MSCK_REPAIR_TABLE"
    assert result.rows[0] == ["Partitions not in metastore:\torders:year=2024/month=01\torders:year=2024/month=02"]
    assert result.rows[1] == ["Repair: Added partition to metastore orders:year=2024/month=01"]
    parts = catalog.get_partitions(ACCOUNT, REGION, "analytics", "orders")
    assert sorted(p["Values"] for p in parts) == [["2024", "01"], ["2024", "02"]]
    assert run(GUIDE_MSCK).rows == []
    assert run(GUIDE_ADD).substatement_type == "ALTER_TABLE_ADD_PARTITION"
    parts = catalog.get_partitions(ACCOUNT, REGION, "analytics", "orders")
    by_values = {tuple(p["Values"]): p for p in parts}
    assert set(by_values) == {("2024", "01"), ("2024", "02"), ("2024", "1")}
    assert by_values[("2024", "1")]["StorageDescriptor"]["Location"] == \
        "s3://my-data-lake/silver/orders/year=2024/month=01/"
    shown = run("SHOW PARTITIONS analytics.orders").rows
    assert shown == [["year=2024/month=01"], ["year=2024/month=02"], ["year=2024/month=1"]]


def test_add_several_partitions_default_location_and_duplicates(env):
    run, catalog, _ = env
    run(GUIDE_DATABASE)
    run(GUIDE_TABLE)
    run("ALTER TABLE orders ADD PARTITION (year=2023, month='12') PARTITION (year='2024', month='3')", "analytics")
    parts = {tuple(p["Values"]): p for p in catalog.get_partitions(ACCOUNT, REGION, "analytics", "orders")}
    assert parts[("2023", "12")]["StorageDescriptor"]["Location"] == "s3://my-data-lake/silver/orders/year=2023/month=12"
    with pytest.raises(DdlError) as exc:
        run("ALTER TABLE analytics.orders ADD PARTITION (year=2023, month='12')")
    assert exc.value.error_type == "ALREADY_EXISTS"
    run("ALTER TABLE analytics.orders DROP PARTITION (year=2023, month='12')")
    run("ALTER TABLE analytics.orders DROP IF EXISTS PARTITION (year=2023, month='12')")
    with pytest.raises(DdlError):
        run("ALTER TABLE analytics.orders DROP PARTITION (year=2023, month='12')")
    with pytest.raises(DdlError):
        run("ALTER TABLE analytics.orders ADD PARTITION (nope=1)")


def test_alter_table_location_properties_and_columns(env):
    run, catalog, _ = env
    run(GUIDE_DATABASE)
    run(GUIDE_TABLE)
    run("ALTER TABLE analytics.orders SET LOCATION 's3://my-data-lake/gold/orders/'")
    run("ALTER TABLE analytics.orders SET TBLPROPERTIES ('classification'='parquet')")
    run("ALTER TABLE analytics.orders ADD COLUMNS (channel string, price decimal(5,1))")
    t = table(catalog, "analytics", "orders")
    assert t["StorageDescriptor"]["Location"] == "s3://my-data-lake/gold/orders/"
    assert t["Parameters"]["classification"] == "parquet" and t["Parameters"]["EXTERNAL"] == "TRUE"
    assert [c["Name"] for c in t["StorageDescriptor"]["Columns"]][-2:] == ["channel", "price"]
    run("ALTER TABLE analytics.orders REPLACE COLUMNS (a int)")
    assert table(catalog, "analytics", "orders")["StorageDescriptor"]["Columns"] == [{"Name": "a", "Type": "int"}]
    with pytest.raises(DdlError):
        run("ALTER TABLE analytics.orders ADD COLUMNS (a string)")


def test_show_and_describe(env):
    run, _, _ = env
    run(GUIDE_DATABASE)
    run(GUIDE_TABLE)
    run("CREATE EXTERNAL TABLE analytics.customers (id int) STORED AS PARQUET LOCATION 's3://b/c/'")
    assert ["analytics"] in run("SHOW DATABASES").rows
    assert run("SHOW TABLES IN analytics").rows == [["customers"], ["orders"]]
    assert run("SHOW TABLES 'ord*'", "analytics").rows == [["orders"]]
    assert run("SHOW COLUMNS IN analytics.orders").rows[-2:] == [["year".ljust(20)], ["month".ljust(20)]]
    props = run("SHOW TBLPROPERTIES analytics.orders")
    assert ["EXTERNAL", "TRUE"] in props.rows
    create = "\n".join(r[0] for r in run("SHOW CREATE TABLE analytics.orders").rows)
    assert "CREATE EXTERNAL TABLE `analytics`.`orders`(" in create and "`total_amount` decimal(10,2)" in create
    assert "PARTITIONED BY" in create and "LOCATION\n  's3://my-data-lake/silver/orders/'" in create
    described = run("DESCRIBE analytics.orders")
    assert described.substatement_type == "DESCRIBE_TABLE"
    assert described.rows[0] == ["order_id".ljust(20) + "\t" + "bigint".ljust(20) + "\t" + " " * 20]
    formatted = "\n".join(r[0] for r in run("DESCRIBE FORMATTED analytics.orders").rows)
    assert "ParquetHiveSerDe" in formatted and "# Partition Information" in formatted


def test_drop_table_and_database(env):
    run, catalog, _ = env
    run(GUIDE_DATABASE)
    run(GUIDE_TABLE)
    with pytest.raises(DdlError) as exc:
        run("DROP DATABASE analytics")
    assert "is not empty" in exc.value.message
    run("DROP TABLE analytics.orders")
    run("DROP TABLE IF EXISTS analytics.orders")
    with pytest.raises(DdlError) as exc:
        run("DROP TABLE analytics.orders")
    assert exc.value.message == "FAILED: SemanticException [Error 10001]: Table not found analytics.orders"
    run(GUIDE_TABLE)
    run("DROP DATABASE analytics CASCADE")
    assert catalog.get_database(ACCOUNT, REGION, "analytics") is None
    run("DROP DATABASE IF EXISTS analytics")
    with pytest.raises(DdlError) as exc:
        run("DROP DATABASE analytics")
    assert exc.value.message == "FAILED: SemanticException [Error 10072]: Database does not exist: analytics"


def test_errors_parse_and_not_supported(env):
    run, _, _ = env
    with pytest.raises(DdlError) as exc:
        run("CREATE DATABASE")
    assert exc.value.error_type == "SYNTAX_ERROR" and exc.value.message.startswith("FAILED: ParseException line 1:")
    with pytest.raises(DdlError) as exc:
        run("CREATE VIEW v AS SELECT 1")
    assert exc.value.error_type == "NOT_SUPPORTED"
    with pytest.raises(DdlError) as exc:
        run("SHOW FUNCTIONS")
    assert exc.value.error_type == "NOT_SUPPORTED"
    with pytest.raises(DdlError) as exc:
        run("SHOW PARTITIONS nope.t")
    assert "Database does not exist: nope" in exc.value.message
