"""Athena's (Trino's) result names, types, values and errors through boto3 on a real lakebox server, over
a Parquet table in the lake: `_col<n>` names in ColumnInfo, the result CSV and GetQueryResults; Trino
types for date_trunc/date_add on dates, decimal arithmetic, avg, approx_percentile and AT TIME ZONE;
Athena-shaped error reasons; the phases of Statistics; QueryResultType; views in the table metadata."""

from __future__ import annotations

import functools

import pytest
from athena_helpers import error_of, make_client, run_query
from botocore.exceptions import ClientError

run = functools.partial(run_query, database="shop")


def results_of(athena, qid):
    answer = athena.get_query_results(QueryExecutionId=qid)
    rows = [[d.get("VarCharValue") for d in r["Data"]] for r in answer["ResultSet"]["Rows"]]
    return rows, answer["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]


@pytest.fixture
def shop(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    run(athena, "CREATE DATABASE shop", results)
    run(athena, "CREATE TABLE shop.sales WITH (external_location = 's3://lake/sales/') AS "
                "SELECT * FROM (VALUES "
                "(3, 'eu', CAST(10.50 AS decimal(10,2)), DATE '2024-01-15', TIMESTAMP '2024-01-01 10:00:00'), "
                "(5, 'us', CAST(3.00 AS decimal(10,2)), DATE '2024-02-20', TIMESTAMP '2024-03-05 23:30:00'), "
                "(4, 'eu', CAST(1.25 AS decimal(10,2)), DATE '2024-01-31', TIMESTAMP '2024-01-01 00:15:00')) "
                "AS t(qty, region, amount, d, ts)", results)
    return results


def test_unnamed_columns_are_col_n_everywhere(athena, s3, shop):
    qid, execution = run(athena, "SELECT count(*), sum(qty) AS s, region FROM sales GROUP BY region ORDER BY region",
                         shop)
    rows, columns = results_of(athena, qid)
    assert [(c["Name"], c["Label"]) for c in columns] == [("_col0", "_col0"), ("s", "s"), ("region", "region")]
    assert rows == [["_col0", "s", "region"], ["2", "7", "eu"], ["1", "5", "us"]]
    key = execution["ResultConfiguration"]["OutputLocation"][len("s3://athena-results/"):]
    body = s3.get_object(Bucket="athena-results", Key=key)["Body"].read().decode()
    assert body.splitlines() == ['"_col0","s","region"', '"2","7","eu"', '"1","5","us"']


@pytest.mark.parametrize("sql,statement_type,substatement_type,suffix", [
    # AWS: SHOW TABLES "is categorized as UTILITY, not DDL"; UTILITY covers "SHOW CREATE TABLE, or
    # DESCRIBE TABLE" too. Their results are .txt files, as DDL's are.
    ("SHOW TABLES", "UTILITY", "SHOW_TABLES", ".txt"),
    ("SHOW CREATE TABLE sales", "UTILITY", "SHOW_CREATE_TABLE", ".txt"),
    ("DESCRIBE sales", "UTILITY", "DESCRIBE_TABLE", ".txt"),
    ("SHOW VIEWS", "UTILITY", "SHOW_VIEWS", ".txt"),
    ("CREATE VIEW eu AS SELECT qty FROM sales WHERE region = 'eu'", "DDL", "CREATE_VIEW", ".txt"),
    ("EXPLAIN SELECT 1", "UTILITY", "EXPLAIN", ".csv"),
])
def test_statement_types_and_result_files(athena, shop, sql, statement_type, substatement_type, suffix):
    _, execution = run(athena, sql, shop)
    assert (execution["StatementType"], execution["SubstatementType"]) == (statement_type, substatement_type)
    assert execution["ResultConfiguration"]["OutputLocation"].endswith(suffix)


def test_show_tables_lists_views_too(athena, shop):
    run(athena, "CREATE VIEW eu AS SELECT qty FROM sales WHERE region = 'eu'", shop)
    qid, _ = run(athena, "SHOW TABLES", shop)
    assert results_of(athena, qid)[0] == [["eu"], ["sales"]]


def test_unnamed_columns_after_star_and_in_values(athena, shop):
    qid, _ = run(athena, "SELECT *, qty * 2 FROM (SELECT qty FROM sales WHERE region = 'us')", shop)
    assert results_of(athena, qid)[0] == [["qty", "_col1"], ["5", "10"]]
    qid, _ = run(athena, "VALUES (1, 'a')", shop)
    assert results_of(athena, qid)[0] == [["_col0", "_col1"], ["1", "a"]]


def test_ctas_and_view_refuse_unnamed_columns(athena, shop):
    _, execution = run(athena, "CREATE TABLE counted AS SELECT count(*) FROM sales", shop, state="FAILED")
    assert execution["Status"]["StateChangeReason"] == \
        "MISSING_COLUMN_NAME: line 1:1: Column name not specified at position 1"
    assert execution["Status"]["AthenaError"]["ErrorCategory"] == 2
    _, execution = run(athena, "CREATE VIEW v AS SELECT region, max(qty) FROM sales GROUP BY region", shop,
                       state="FAILED")
    assert "Column name not specified at position 2" in execution["Status"]["StateChangeReason"]


def test_date_functions_on_an_unqualified_date_column_stay_dates(athena, shop):
    qid, _ = run(athena, "SELECT date_trunc('month', d) AS m, date_add('day', 1, d) AS next_day, "
                         "typeof(date_trunc('month', d)) AS t FROM sales WHERE qty = 4", shop)
    rows, columns = results_of(athena, qid)
    assert rows[1] == ["2024-01-01", "2024-02-01", "date"]
    assert [(c["Type"], c["Precision"]) for c in columns] == [("date", 0), ("date", 0), ("varchar", 2147483647)]


def test_decimal_rules_and_averages(athena, shop):
    qid, _ = run(athena, "SELECT amount / 3 AS q, amount * qty AS p, amount + 1 AS a, typeof(amount / 3) AS tq, "
                         "typeof(amount * qty) AS tp FROM sales WHERE qty = 3", shop)
    rows, columns = results_of(athena, qid)
    assert rows[1] == ["3.50", "31.50", "11.50", "decimal(10,2)", "decimal(20,2)"]
    assert [(c["Type"], c["Precision"], c["Scale"]) for c in columns[:3]] == \
        [("decimal", 10, 2), ("decimal", 20, 2), ("decimal", 13, 2)]
    qid, _ = run(athena, "SELECT avg(amount) AS a, avg(qty) AS q, sum(amount) AS s, count(*) AS n, "
                         "approx_percentile(qty, 0.5) AS median FROM sales", shop)
    rows, columns = results_of(athena, qid)
    assert rows[1] == ["4.92", "4.0", "14.75", "3", "4"]
    assert [(c["Type"], c["Precision"], c["Scale"]) for c in columns] == \
        [("decimal", 10, 2), ("double", 17, 0), ("decimal", 38, 2), ("bigint", 19, 0), ("bigint", 19, 0)]


def test_at_time_zone_and_timestamps_render_as_trino(athena, shop):
    qid, _ = run(athena, "SELECT ts, ts AT TIME ZONE 'America/Sao_Paulo' AS local, "
                         "hour(ts AT TIME ZONE 'America/Sao_Paulo') AS h, "
                         "typeof(ts AT TIME ZONE 'America/Sao_Paulo') AS t FROM sales WHERE qty = 3", shop)
    rows, columns = results_of(athena, qid)
    assert rows[1] == ["2024-01-01 10:00:00.000", "2024-01-01 07:00:00.000 America/Sao_Paulo", "7",
                       "timestamp(3) with time zone"]
    assert [c["Type"] for c in columns[:2]] == ["timestamp", "timestamp with time zone"]


@pytest.mark.parametrize("sql,message", [
    ("SELECT qty FORM sales", "line 1:17: mismatched input 'sales'. Expecting: ',', 'EXCEPT', "
                              "'FETCH', 'FROM', 'GROUP', 'HAVING', 'INTERSECT', 'LIMIT', 'OFFSET', 'ORDER', "
                              "'UNION', 'WHERE', 'WINDOW', <EOF>"),
    ("SELECT FROM sales", "line 1:8: mismatched input 'FROM'. Expecting: '*', 'ALL', 'DISTINCT', <expression>"),
    ("SELECT qty\nFROM sales WHERE", "line 2:17: mismatched input '<EOF>'. Expecting: <expression>"),
    ("SELECT 1; SELECT 2", "Only one sql statement is allowed. Got: SELECT 1; SELECT 2"),
    ("DROP TABLE IF EXISTS `t`; CREATE TABLE t AS SELECT 1",
     "Only one sql statement is allowed. Got: DROP TABLE IF EXISTS `t`; CREATE TABLE t AS SELECT 1"),
])
def test_a_statement_that_does_not_parse_is_refused_when_submitted(athena, shop, sql, message):
    """Athena parses in StartQueryExecution: no execution is made, the call fails with the parser's words."""
    before = athena.list_query_executions()["QueryExecutionIds"]
    with pytest.raises(ClientError) as info:
        athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": "shop"},
                                     ResultConfiguration={"OutputLocation": shop})
    assert info.value.response["Error"]["Code"] == "InvalidRequestException"
    assert info.value.response["Error"]["Message"] == message
    assert athena.list_query_executions()["QueryExecutionIds"] == before


@pytest.mark.parametrize("sql,reason", [
    ("SELECT * FROM nope", "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.shop.nope' does not exist"),
    ('SELECT * FROM "shop"."nope"', "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.shop.nope' does not exist"),
    ("SELECT * FROM\n  nodb.sales", "SCHEMA_NOT_FOUND: line 2:3: Schema 'nodb' does not exist"),
    ("SELECT nope FROM sales", "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved or requester is not "
                               "authorized to access requested resources"),
    ("SELECT region + 1 FROM sales", "TYPE_MISMATCH: line 1:15: Cannot apply operator: varchar + integer"),
    ("SELECT * FROM sales WHERE qty = '3'", "TYPE_MISMATCH: line 1:27: Cannot apply operator: integer = varchar(1)"),
    ("SELECT * FROM sales WHERE d >= '2024-01-01'",
     "TYPE_MISMATCH: line 1:27: Cannot apply operator: date >= varchar(10)"),
    ("SELECT region, qty FROM sales GROUP BY region",
     "EXPRESSION_NOT_AGGREGATE: line 1:16: 'qty' must be an aggregate expression or appear in GROUP BY clause"),
    ("SELECT no_such_fn(qty) FROM sales", "FUNCTION_NOT_FOUND: line 1:8: Function 'no_such_fn' not registered"),
])
def test_errors_are_athena_shaped(athena, shop, sql, reason):
    _, execution = run(athena, sql, shop, state="FAILED")
    assert execution["Status"]["StateChangeReason"] == reason
    error = execution["Status"]["AthenaError"]
    assert (error["ErrorCategory"], error["ErrorType"], error["Retryable"]) == (2, 1000, False)
    assert error["ErrorMessage"] == reason


def test_statistics_phases_add_up(athena, shop):
    _, execution = run(athena, "SELECT region, sum(amount) FROM sales GROUP BY region", shop)
    stats = execution["Statistics"]
    phases = ["QueryQueueTimeInMillis", "ServicePreProcessingTimeInMillis", "EngineExecutionTimeInMillis",
              "ServiceProcessingTimeInMillis"]
    assert all(stats[p] >= 0 for p in phases + ["QueryPlanningTimeInMillis"])
    assert stats["TotalExecutionTimeInMillis"] == sum(stats[p] for p in phases)
    assert stats["QueryPlanningTimeInMillis"] <= stats["EngineExecutionTimeInMillis"] + 1
    assert stats["ResultReuseInformation"] == {"ReusedPreviousResult": False}
    assert stats["DataScannedInBytes"] > 0


def test_data_manifest_result_type(athena, s3, shop):
    qid, execution = run(athena, "CREATE TABLE copy WITH (external_location = 's3://lake/copy/') AS "
                                 "SELECT * FROM sales", shop)
    answer = athena.get_query_results(QueryExecutionId=qid, QueryResultType="DATA_MANIFEST")
    files = [r["Data"][0]["VarCharValue"] for r in answer["ResultSet"]["Rows"]]
    listed = s3.list_objects_v2(Bucket="lake", Prefix="copy/")["Contents"]
    assert sorted(files) == sorted(f"s3://lake/{o['Key']}" for o in listed) and files
    insert_id, _ = run(athena, "INSERT INTO copy SELECT * FROM sales WHERE qty = 3", shop)
    answer = athena.get_query_results(QueryExecutionId=insert_id, QueryResultType="DATA_MANIFEST")
    added = [r["Data"][0]["VarCharValue"] for r in answer["ResultSet"]["Rows"]]
    assert len(added) == 1 and added[0] not in files and added[0].startswith("s3://lake/copy/")
    assert s3.head_object(Bucket="lake", Key=added[0][len("s3://lake/"):])["ContentLength"] > 0
    select_id, _ = run(athena, "SELECT 1", shop)
    with pytest.raises(ClientError) as exc:
        athena.get_query_results(QueryExecutionId=select_id, QueryResultType="DATA_MANIFEST")
    assert error_of(exc)[0] == "InvalidRequestException"
    rows = athena.get_query_results(QueryExecutionId=select_id, QueryResultType="DATA_ROWS")["ResultSet"]["Rows"]
    assert [[d.get("VarCharValue") for d in r["Data"]] for r in rows] == [["_col0"], ["1"]]


def test_max_results_over_1000_is_refused(lakebox_server, shop):
    athena = make_client("athena", lakebox_server.endpoint_url, validate=False)
    qid, _ = run(athena, "SELECT 1", shop)
    with pytest.raises(ClientError) as exc:
        athena.get_query_results(QueryExecutionId=qid, MaxResults=1001)
    assert error_of(exc)[0] == "InvalidRequestException"


def test_view_metadata(athena, shop):
    run(athena, "CREATE VIEW eu_sales AS SELECT qty, amount FROM sales WHERE region = 'eu'", shop)
    table = athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="shop",
                                      TableName="eu_sales")["TableMetadata"]
    assert table["TableType"] == "VIRTUAL_VIEW"
    assert table["Columns"] == [{"Name": "qty", "Type": "int"}, {"Name": "amount", "Type": "decimal(10,2)"}]
    assert table["Parameters"] == {"comment": "Presto View", "presto_view": "true"}
    listed = athena.list_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="shop")["TableMetadataList"]
    assert {t["Name"]: t["TableType"] for t in listed} == {"sales": "EXTERNAL_TABLE", "eu_sales": "VIRTUAL_VIEW"}


def test_column_info_of_complex_and_binary_types_is_athenas(athena, shop):
    # As Athena reports them (pyathena's suite records them from the real service): complex types by
    # kind only, a real column as "float", varbinary with precision 1073741824.
    qid, _ = run(athena, "SELECT ARRAY[1, 2] AS a, MAP(ARRAY['k'], ARRAY[1]) AS m, "
                         "CAST(ROW(1, 'x') AS ROW(i integer, s varchar)) AS r, CAST(1.5 AS real) AS f, "
                         "CAST('ab' AS varbinary) AS b, TIME '10:00:00' AS t", shop)
    rows, columns = results_of(athena, qid)
    # TIME '10:00:00' is time(0) in Trino (a literal has the precision it is written with): no fraction.
    assert rows[1] == ["[1, 2]", "{k=1}", "{i=1, s=x}", "1.5", "61 62", "10:00:00"]
    assert [(c["Type"], c["Precision"], c["Scale"]) for c in columns] == [
        ("array", 0, 0), ("map", 0, 0), ("row", 0, 0), ("float", 17, 0), ("varbinary", 1073741824, 0),
        ("time", 3, 0)]


def test_declared_varchar_and_char_lengths_are_the_precision(athena, s3, shop):
    """As pyathena's test suite expects: a varchar(10) column has Precision 10 (DuckDB itself keeps
    no length), a char(3) column is type char; a computed value is unbounded varchar."""
    s3.put_object(Bucket="lake", Key="codes/part=a/data.csv", Body=b"hello,abc,x\nworld,de,y\n")
    run(athena, "CREATE EXTERNAL TABLE codes (word varchar(10), code char(3), note string) "
                "PARTITIONED BY (part varchar(2)) "
                "ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://lake/codes/'", shop)
    run(athena, "MSCK REPAIR TABLE codes", shop)

    def described(sql):
        qid, _ = run(athena, sql, shop)
        rows, columns = results_of(athena, qid)
        return rows, [(c["Name"], c["Type"], c["Precision"]) for c in columns]

    rows, columns = described("SELECT * FROM codes ORDER BY word")
    assert columns == [("word", "varchar", 10), ("code", "char", 3), ("note", "varchar", 2147483647),
                       ("part", "varchar", 2)]
    assert rows[1] == ["hello", "abc", "x", "a"]
    _, columns = described("SELECT c.word AS w, upper(word) AS u, CAST(note AS varchar(4)) AS n, "
                           "CAST(note AS char(2)) AS c2, 1 AS one FROM codes c")
    assert columns == [("w", "varchar", 10), ("u", "varchar", 2147483647), ("n", "varchar", 4),
                       ("c2", "char", 2), ("one", "integer", 10)]
    _, columns = described("SELECT c.*, s.region FROM codes c CROSS JOIN sales s LIMIT 1")
    assert [p for _, _, p in columns] == [10, 3, 2147483647, 2, 2147483647]


def test_anonymous_row_fields_are_field0_field1_as_athena_shows_them(athena, shop):
    """AWS's documented example: ROW('Bob', 38) comes back as {field0=Bob, field1=38}; a CAST to a
    named ROW type keeps its names."""
    qid, _ = run(athena, "SELECT ROW('Bob', 38) AS users, ARRAY[ROW(1, ROW('x', 2))] AS nested, "
                         "CAST(ROW('Alice', 25) AS ROW(name VARCHAR, age INTEGER)) AS named", shop)
    rows, columns = results_of(athena, qid)
    assert rows[1] == ["{field0=Bob, field1=38}", "[{field0=1, field1={field0=x, field1=2}}]",
                       "{name=Alice, age=25}"]
    assert [c["Type"] for c in columns] == ["row", "array", "row"]


def test_a_parenthesised_list_is_a_row_and_values_rows_are_columns(athena, shop):
    """Trino reads `(1, 'a')` as ROW(1, 'a'), and a VALUES item that is a row as that row's columns;
    a list after IN stays a list of values."""
    qid, _ = run(athena, "SELECT (qty, region), ROW(qty, region) FROM sales WHERE (qty, region) IN ((3, 'eu')) ", shop)
    rows, columns = results_of(athena, qid)
    assert rows[1:] == [["{field0=3, field1=eu}", "{field0=3, field1=eu}"]]
    assert [c["Type"] for c in columns] == ["row", "row"]
    qid, _ = run(athena, "SELECT y, x FROM (VALUES ROW(1, 'a'), ROW(2, 'b')) AS t(x, y) ORDER BY x", shop)
    assert results_of(athena, qid)[0][1:] == [["a", "1"], ["b", "2"]]
