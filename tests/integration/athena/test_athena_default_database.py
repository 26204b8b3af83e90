"""Athena's `default` database on a fresh account, through boto3 on a real lakebox server: Glue shows no
`default` until Athena uses it; the first query run in `default` (named in the context, or with no
database in the context, which runs there) makes it in the Glue Data Catalog (once, durably), so a
CTAS or a CREATE EXTERNAL TABLE into it works as on AWS."""

from __future__ import annotations

from athena_helpers import make_client, result_rows, run_query, wait_for

from lakebox.testing import running_lakebox


def test_fresh_account_has_no_default_database_in_glue(lakebox_server):
    glue = make_client("glue", lakebox_server.endpoint_url)
    assert glue.get_databases()["DatabaseList"] == []


def test_query_in_default_creates_it_in_glue(athena, results, lakebox_server):
    glue = make_client("glue", lakebox_server.endpoint_url)
    qid, _ = run_query(athena, "SELECT 1 AS one", results, database="default")
    assert result_rows(athena, qid) == [["one"], ["1"]]
    databases = glue.get_databases()["DatabaseList"]
    assert [d["Name"] for d in databases] == ["default"]
    # A second query finds it and makes nothing more.
    run_query(athena, "SELECT 2", results, database="DEFAULT")
    assert [d["Name"] for d in glue.get_databases()["DatabaseList"]] == ["default"]


def test_ctas_in_default_on_fresh_account(athena, results, lakebox_server):
    run_query(athena, "CREATE TABLE t AS SELECT 7 AS a", results, database="default")
    qid, _ = run_query(athena, "SELECT a FROM t", results, database="default")
    assert result_rows(athena, qid) == [["a"], ["7"]]
    glue = make_client("glue", lakebox_server.endpoint_url)
    assert glue.get_table(DatabaseName="default", Name="t")["Table"]["Name"] == "t"


def test_a_query_without_a_database_runs_in_default(athena, s3, results, lakebox_server):
    s3.create_bucket(Bucket="plain-lake")
    s3.put_object(Bucket="plain-lake", Key="t/a.csv", Body=b"1,x\n")

    def run(sql: str) -> str:
        qid = athena.start_query_execution(QueryString=sql, ResultConfiguration={"OutputLocation": results})
        execution = wait_for(athena, qid["QueryExecutionId"])
        assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
        assert execution["QueryExecutionContext"] == {}
        return qid["QueryExecutionId"]

    run("CREATE EXTERNAL TABLE t (a int, b string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' "
        "LOCATION 's3://plain-lake/t/'")
    assert result_rows(athena, run("SELECT * FROM t")) == [["a", "b"], ["1", "x"]]
    glue = make_client("glue", lakebox_server.endpoint_url)
    assert glue.get_table(DatabaseName="default", Name="t")["Table"]["StorageDescriptor"]["Location"] == \
        "s3://plain-lake/t/"


def test_query_in_another_database_does_not_create_default(athena, results, lakebox_server):
    run_query(athena, "CREATE DATABASE shop", results, database="shop")
    glue = make_client("glue", lakebox_server.endpoint_url)
    assert [d["Name"] for d in glue.get_databases()["DatabaseList"]] == ["shop"]


def test_default_database_survives_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data) as server:
        make_client("s3", server.endpoint_url).create_bucket(Bucket="restart-results")
        run_query(make_client("athena", server.endpoint_url), "SELECT 1", "s3://restart-results/q/", database="default")
    with running_lakebox(data) as server:
        glue = make_client("glue", server.endpoint_url)
        assert glue.get_database(Name="default")["Database"]["Name"] == "default"


def test_athenas_catalog_views_show_default_on_a_fresh_account(athena, lakebox_server):
    """Athena lists `default` from the start; reading the catalog through Athena makes it in Glue."""
    glue = make_client("glue", lakebox_server.endpoint_url)
    database = athena.get_database(CatalogName="AwsDataCatalog", DatabaseName="default")["Database"]
    assert database["Name"] == "default" and database["Description"] == "Default Hive database"
    assert "Parameters" in database
    assert [d["Name"] for d in athena.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]] == ["default"]
    assert athena.list_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="default")["TableMetadataList"] == []
    assert [d["Name"] for d in glue.get_databases()["DatabaseList"]] == ["default"]
    # Any other missing database is still Athena's MetadataException, naming it.
    try:
        athena.get_database(CatalogName="AwsDataCatalog", DatabaseName="nonexistent_db")
        raise AssertionError("no error")
    except athena.exceptions.MetadataException as exc:
        assert "nonexistent_db" in exc.response["Error"]["Message"]
