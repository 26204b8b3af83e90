"""awswrangler (AWS SDK for pandas) against a real lakebox server, configured only by AWS_ENDPOINT_URL
(which the `lakebox_server` fixture sets), as a user points it at any endpoint.

`read_sql_query(ctas_approach=True)` runs a CTAS into a temporary table, reads the Parquet files
listed in `Statistics.DataManifestLocation`, then drops the table; `ctas_approach=False` reads the
`<id>.csv` result file with the ColumnInfo types. `wr.s3.to_parquet(dataset=True, database=...)`
writes Hive partitions and registers them in Glue; the queries after it must answer from that data.
Every answer is compared with the pyarrow/pandas data the test wrote.
"""

from __future__ import annotations

import awswrangler as wr
import pandas as pd
import pytest
from athena_helpers import make_client
from client_helpers import DATABASE, LAKE, OUTPUT, SALES, create_sales_table, sales_rows

# The client itself still uses pandas APIs that pandas 3.1 deprecates.
pytestmark = [pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
              pytest.mark.filterwarnings("ignore:The inplace keyword")]


@pytest.fixture(autouse=True)
def quick_polling():
    """awswrangler polls GetQueryExecution every 1 s by default; lakebox answers in milliseconds."""
    wr.config.athena_query_wait_polling_delay = 0.05
    yield
    wr.config.reset("athena_query_wait_polling_delay")


@pytest.fixture
def sales(lakebox_server):
    create_sales_table(lakebox_server.endpoint_url)
    return lakebox_server


def glue_tables(endpoint_url: str) -> list[str]:
    glue = make_client("glue", endpoint_url)
    return sorted(t["Name"] for t in glue.get_tables(DatabaseName=DATABASE)["TableList"])


def by_id(frame: pd.DataFrame) -> list[tuple]:
    return sorted(frame.itertuples(index=False, name=None))


@pytest.mark.parametrize("ctas_approach", [True, False])
def test_read_sql_query_answers_from_the_lake(sales, ctas_approach):
    frame = wr.athena.read_sql_query("SELECT id, customer, amount, price, day, region FROM sales ORDER BY id",
                                     database=DATABASE, ctas_approach=ctas_approach, s3_output=OUTPUT)
    expected = sales_rows()
    assert frame["id"].tolist() == [r["id"] for r in expected]
    assert frame["amount"].tolist() == [r["amount"] for r in expected]
    assert frame["price"].tolist() == [r["price"] for r in expected]
    assert frame["day"].tolist() == [r["day"] for r in expected]
    assert frame["region"].tolist() == [r["region"] for r in expected]
    assert [None if pd.isna(v) else v for v in frame["customer"]] == [r["customer"] for r in expected]
    assert str(frame["id"].dtype) == "Int64" and str(frame["amount"].dtype) == "float64"
    # The CTAS approach's temporary table is gone again.
    assert glue_tables(sales.endpoint_url) == ["sales"]


def test_ctas_approach_reads_the_manifest_files(sales):
    frame = wr.athena.read_sql_query("SELECT region, sum(amount) AS total FROM sales GROUP BY region",
                                     database=DATABASE, ctas_approach=True, s3_output=OUTPUT)
    execution = frame.query_metadata
    assert execution["SubstatementType"] == "CREATE_TABLE_AS_SELECT"
    manifest = execution["Statistics"]["DataManifestLocation"]
    assert manifest == f"{OUTPUT}{execution['QueryExecutionId']}-manifest.csv"
    listed = wr.s3.read_csv(manifest, header=None)[0].tolist()
    # The primary workgroup does not enforce its configuration, so awswrangler names the CTAS table's
    # external_location itself: <s3_output>/<temp table>/.
    assert listed and all(path.startswith(f"{OUTPUT}temp_table_") for path in listed)
    totals = {}
    for row in sales_rows():
        totals[row["region"]] = totals.get(row["region"], 0.0) + row["amount"]
    assert by_id(frame) == sorted(totals.items())


def test_unnamed_column_fails_the_ctas_approach_as_on_aws(sales):
    # Athena refuses a CTAS whose column has no name; awswrangler turns that into its own advice.
    with pytest.raises(wr.exceptions.InvalidArgumentValue, match="define all columns names"):
        wr.athena.read_sql_query("SELECT count(*) FROM sales", database=DATABASE, ctas_approach=True,
                                 s3_output=OUTPUT)
    frame = wr.athena.read_sql_query("SELECT count(*) FROM sales", database=DATABASE, ctas_approach=False,
                                     s3_output=OUTPUT)
    assert frame.to_dict("list") == {"_col0": [SALES.num_rows]}


def test_unload_approach_reads_parquet(sales):
    frame = wr.athena.read_sql_query("SELECT id, amount FROM sales WHERE region = 'eu'", database=DATABASE,
                                     ctas_approach=False, unload_approach=True, s3_output=f"{OUTPUT}unload/")
    assert by_id(frame) == [(r["id"], r["amount"]) for r in sales_rows("eu")]


def test_start_query_execution_and_wait_query(sales):
    qid = wr.athena.start_query_execution("SELECT id FROM sales WHERE amount > 3 ORDER BY id",
                                          database=DATABASE, s3_output=OUTPUT)
    execution = wr.athena.wait_query(qid)
    assert execution["Status"]["State"] == "SUCCEEDED"
    assert execution["ResultConfiguration"]["OutputLocation"] == f"{OUTPUT}{qid}.csv"
    frame = wr.athena.get_query_results(qid)
    assert frame["id"].tolist() == [r["id"] for r in sales_rows() if r["amount"] > 3]


def test_named_and_qmark_parameters(sales):
    named = wr.athena.read_sql_query("SELECT id FROM sales WHERE region = :region ORDER BY id", database=DATABASE,
                                     params={"region": "us"}, ctas_approach=False, s3_output=OUTPUT)
    assert named["id"].tolist() == [r["id"] for r in sales_rows("us")]
    # qmark values are sent as ExecutionParameters and pasted in by Athena as SQL literals.
    qmark = wr.athena.read_sql_query("SELECT id FROM sales WHERE region = ? ORDER BY id", database=DATABASE,
                                     params=["'ap'"], paramstyle="qmark", ctas_approach=False, s3_output=OUTPUT)
    assert qmark["id"].tolist() == [r["id"] for r in sales_rows("ap")]


def test_read_in_chunks(sales):
    chunks = list(wr.athena.read_sql_query("SELECT id FROM sales", database=DATABASE, ctas_approach=False,
                                           s3_output=OUTPUT, chunksize=4))
    assert [len(c) for c in chunks] == [4, 2]
    assert sorted(pd.concat(chunks)["id"].tolist()) == [r["id"] for r in sales_rows()]


def test_describe_show_create_and_repair(sales):
    described = wr.athena.describe_table("sales", database=DATABASE, s3_output=OUTPUT)
    assert described[["Column Name", "Type", "Partition"]].values.tolist() == [
        ["id", "bigint", False], ["customer", "string", False], ["amount", "double", False],
        ["price", "decimal(10,2)", False], ["day", "date", False], ["region", "string", True]]
    created = wr.athena.show_create_table("sales", database=DATABASE, s3_output=OUTPUT)
    assert created.startswith("CREATE EXTERNAL TABLE `sales`(")
    assert f"LOCATION 's3://{LAKE}/sales'" in created or f"LOCATION 's3://{LAKE}/sales/'" in created
    assert wr.athena.repair_table("sales", database=DATABASE, s3_output=OUTPUT) == "SUCCEEDED"


def test_to_parquet_dataset_then_queries_prune_partitions(lakebox_server):
    s3 = make_client("s3", lakebox_server.endpoint_url)
    s3.create_bucket(Bucket=LAKE)
    s3.create_bucket(Bucket=OUTPUT.split("/")[2])
    wr.catalog.create_database(DATABASE)
    frame = pd.DataFrame({"id": [1, 2, 3, 4, 5, 6, 7, 8],
                          "amount": [10.5, 3.0, 1.5, 2.0, 8.0, 4.5, 6.0, 9.0],
                          "country": ["br", "pt", "br", "mz", "br", "pt", "br", "mz"]})
    written = wr.s3.to_parquet(frame, path=f"s3://{LAKE}/orders/", dataset=True, database=DATABASE,
                               table="orders", partition_cols=["country"])
    assert sorted(written["partitions_values"]) == [f"s3://{LAKE}/orders/country={c}/" for c in ("br", "mz", "pt")]
    glue = make_client("glue", lakebox_server.endpoint_url)
    parts = glue.get_partitions(DatabaseName=DATABASE, TableName="orders")["Partitions"]
    assert sorted(p["Values"][0] for p in parts) == ["br", "mz", "pt"]

    full = wr.athena.read_sql_query("SELECT country, sum(amount) AS total, count(*) AS n FROM orders "
                                    "GROUP BY country ORDER BY country", database=DATABASE,
                                    ctas_approach=False, s3_output=OUTPUT)
    expected = frame.groupby("country").agg(total=("amount", "sum"), n=("id", "count")).reset_index()
    assert full.values.tolist() == expected.values.tolist()

    one = wr.athena.read_sql_query("SELECT id, amount FROM orders WHERE country = 'mz' ORDER BY id",
                                   database=DATABASE, ctas_approach=False, s3_output=OUTPUT)
    assert one.values.tolist() == frame[frame.country == "mz"][["id", "amount"]].values.tolist()
    whole = wr.athena.read_sql_query("SELECT id, amount FROM orders", database=DATABASE, ctas_approach=False,
                                     s3_output=OUTPUT)
    scanned_one = one.query_metadata["Statistics"]["DataScannedInBytes"]
    scanned_all = whole.query_metadata["Statistics"]["DataScannedInBytes"]
    assert 0 < scanned_one < scanned_all

    # Appending a new partition and overwriting one: the next query sees exactly that.
    more = pd.DataFrame({"id": [9], "amount": [1.0], "country": ["ao"]})
    wr.s3.to_parquet(more, path=f"s3://{LAKE}/orders/", dataset=True, database=DATABASE, table="orders",
                     partition_cols=["country"], mode="append")
    replaced = pd.DataFrame({"id": [10], "amount": [100.0], "country": ["pt"]})
    wr.s3.to_parquet(replaced, path=f"s3://{LAKE}/orders/", dataset=True, database=DATABASE, table="orders",
                     partition_cols=["country"], mode="overwrite_partitions")
    after = wr.athena.read_sql_query("SELECT country, sum(amount) AS total FROM orders GROUP BY country "
                                     "ORDER BY country", database=DATABASE, ctas_approach=True, s3_output=OUTPUT)
    assert after.values.tolist() == [["ao", 1.0], ["br", 26.0], ["mz", 11.0], ["pt", 100.0]]
    assert wr.athena.read_sql_table("orders", database=DATABASE, s3_output=OUTPUT)["id"].sort_values().tolist() == \
        [1, 3, 4, 5, 7, 8, 9, 10]


def test_cache_settings_reuse_a_previous_execution(sales):
    # awswrangler finds the earlier execution through ListQueryExecutions and BatchGetQueryExecution.
    sql = "SELECT id, amount FROM sales WHERE region = 'us' ORDER BY id"
    first = wr.athena.read_sql_query(sql, database=DATABASE, ctas_approach=False, s3_output=OUTPUT)
    again = wr.athena.read_sql_query(sql, database=DATABASE, ctas_approach=False, s3_output=OUTPUT,
                                     athena_cache_settings={"max_cache_seconds": 900})
    assert again.query_metadata["QueryExecutionId"] == first.query_metadata["QueryExecutionId"]
    assert again.values.tolist() == [[r["id"], r["amount"]] for r in sales_rows("us")]


def test_workgroup_output_location_and_keep_files_false(sales):
    s3 = make_client("s3", sales.endpoint_url)
    s3.create_bucket(Bucket="wg-results")
    make_client("athena", sales.endpoint_url).create_work_group(
        Name="analysts", Configuration={"ResultConfiguration": {"OutputLocation": "s3://wg-results/out/"},
                                        "EnforceWorkGroupConfiguration": True})
    frame = wr.athena.read_sql_query("SELECT id FROM sales WHERE region = 'eu'", database=DATABASE,
                                     workgroup="analysts", ctas_approach=True, keep_files=False)
    assert sorted(frame["id"].tolist()) == [r["id"] for r in sales_rows("eu")]
    qid = frame.query_metadata["QueryExecutionId"]
    assert frame.query_metadata["Statistics"]["DataManifestLocation"] == f"s3://wg-results/out/{qid}-manifest.csv"
    # keep_files=False deleted the CTAS data files and the manifest it read.
    left = [o["Key"] for o in s3.list_objects_v2(Bucket="wg-results", Prefix="out/").get("Contents", [])]
    assert not [k for k in left if k.startswith(f"out/tables/{qid}/") or k.endswith("-manifest.csv")]
    assert glue_tables(sales.endpoint_url) == ["sales"]
