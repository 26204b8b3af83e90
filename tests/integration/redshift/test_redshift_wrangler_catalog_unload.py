"""What awswrangler's Redshift writers and UNLOAD helpers rely on, over the cluster's endpoint with
redshift_connector: enable_case_sensitive_identifier (SET, SHOW, RESET, and the parameter group's
value), PG_INDEXES listing a declared primary key, INSERT and COPY column-count errors in Redshift's
words, UNLOAD's names with a name prefix and PARTITION BY, CLEANPATH and BZIP2, and a Parquet string
loaded into a SUPER column as a string."""

from __future__ import annotations

import bz2
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import redshift_connector
from redshift_helpers import client, connect, rows, run_sql

ROLE = "arn:aws:iam::123456789:role/RedshiftUnloadRole"


@pytest.fixture
def s3(lakebox_server, cluster):
    s3 = client(lakebox_server, "s3")
    s3.create_bucket(Bucket="unload-bucket")
    return s3


def _keys(s3, prefix: str) -> list:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket="unload-bucket", Prefix=prefix).get("Contents", []))


# -- enable_case_sensitive_identifier ----------------------------------------------------------------

def test_case_sensitive_identifier_is_off_by_default_and_folds_quoted_names(cursor):
    assert rows(cursor, "SHOW enable_case_sensitive_identifier") == [["off"]]
    rows(cursor, 'CREATE TABLE "MixedCase" ("MixedColumn" INT)')
    rows(cursor, "INSERT INTO mixedcase VALUES (1)")
    cursor.execute('SELECT "MixedColumn" FROM "MixedCase"')
    assert [d[0] for d in cursor.description] == ["mixedcolumn"]
    assert rows(cursor, "SELECT table_name, column_name FROM svv_columns WHERE table_name = 'mixedcase'") == \
        [["mixedcase", "mixedcolumn"]]


def test_set_case_sensitive_identifier_keeps_quoted_names_case_until_reset(cursor):
    rows(cursor, "SET enable_case_sensitive_identifier TO true")
    assert rows(cursor, "SHOW enable_case_sensitive_identifier") == [["on"]]
    rows(cursor, 'CREATE TABLE "MixedCasedTable" ("MixedCasedColumn" INT, Unquoted INT)')
    rows(cursor, 'INSERT INTO "MixedCasedTable" VALUES (1, 2)')
    cursor.execute('SELECT "MixedCasedColumn", Unquoted FROM "MixedCasedTable"')
    assert [d[0] for d in cursor.description] == ["MixedCasedColumn", "unquoted"]
    assert rows(cursor, "SELECT column_name FROM svv_columns WHERE table_name = 'MixedCasedTable' "
                        "ORDER BY ordinal_position") == [["MixedCasedColumn"], ["unquoted"]]
    assert rows(cursor, "SELECT tablename FROM pg_tables WHERE tablename = 'MixedCasedTable'") == \
        [["MixedCasedTable"]]
    rows(cursor, "RESET enable_case_sensitive_identifier")
    assert rows(cursor, "SHOW enable_case_sensitive_identifier") == [["off"]]
    cursor.execute('SELECT 1 AS "Shown"')
    assert [d[0] for d in cursor.description] == ["shown"]


def test_case_sensitive_identifier_takes_boolean_words_and_refuses_others(cursor):
    for word, shown in (("on", "on"), ("off", "off"), ("'true'", "on"), ("FALSE", "off"), ("yes", "on"),
                        ("0", "off"), ("DEFAULT", "off")):
        rows(cursor, f"SET enable_case_sensitive_identifier = {word}")
        assert rows(cursor, "SHOW enable_case_sensitive_identifier") == [[shown]], word
    with pytest.raises(redshift_connector.ProgrammingError) as info:
        rows(cursor, "SET enable_case_sensitive_identifier TO maybe")
    assert info.value.args[0]["C"] == "22023"
    assert 'requires a Boolean value' in info.value.args[0]["M"]


def test_case_sensitive_identifier_is_per_session(cluster, redshift):
    first, second = connect(redshift), connect(redshift)
    try:
        first.cursor().execute("SET enable_case_sensitive_identifier TO on")
        other = second.cursor()
        other.execute("SHOW enable_case_sensitive_identifier")
        assert other.fetchall()[0][0] == "off"
    finally:
        first.close()
        second.close()


def test_parameter_group_sets_the_sessions_case_sensitive_identifier(redshift, cluster):
    redshift.create_cluster_parameter_group(ParameterGroupName="case-sensitive", ParameterGroupFamily="redshift-2.0",
                                            Description="quoted names keep their case")
    redshift.modify_cluster_parameter_group(ParameterGroupName="case-sensitive", Parameters=[
        {"ParameterName": "enable_case_sensitive_identifier", "ParameterValue": "true"}])
    redshift.modify_cluster(ClusterIdentifier="my-dw-cluster", ClusterParameterGroupName="case-sensitive")
    assert run_sql(redshift, "SHOW enable_case_sensitive_identifier") == [["on"]]
    # RESET returns to the group's value, not to the engine default.
    assert run_sql(redshift, "SET enable_case_sensitive_identifier TO off", "RESET enable_case_sensitive_identifier",
                   "SHOW enable_case_sensitive_identifier") == [["on"]]


# -- primary keys and column-count errors --------------------------------------------------------------

def test_pg_indexes_lists_a_primary_key_as_its_unique_index(cursor):
    rows(cursor, "CREATE TABLE orders (id INT PRIMARY KEY, name VARCHAR(10))")
    rows(cursor, "CREATE SCHEMA sales")
    rows(cursor, 'CREATE TABLE sales."line-items" (order_id INT, line INT, "Qty" INT, PRIMARY KEY (order_id, line))')
    rows(cursor, "CREATE TABLE no_key (a INT)")
    assert rows(cursor, "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes ORDER BY 1, 2") == [
        ["public", "orders", "orders_pkey", "CREATE UNIQUE INDEX orders_pkey ON orders USING btree (id)"],
        ["sales", "line-items", "line-items_pkey",
         'CREATE UNIQUE INDEX "line-items_pkey" ON sales."line-items" USING btree (order_id, line)']]
    assert rows(cursor, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'no_key'") == []


def test_insert_column_count_errors_are_redshifts(cursor):
    rows(cursor, "CREATE TABLE pair (a INT, b INT)")
    cases = [("INSERT INTO pair VALUES (1, 2, 3)", "42601", "INSERT has more expressions than target columns"),
             ("INSERT INTO pair (a, b) VALUES (1, 2, 3)", "42601", "INSERT has more expressions than target columns"),
             ("INSERT INTO pair (a, b) SELECT 1", "42601", "INSERT has more target columns than expressions"),
             ("INSERT INTO pair (a, c) VALUES (1, 2)", "42703", 'column "c" of relation "pair" does not exist')]
    for sql, state, message in cases:
        with pytest.raises(redshift_connector.ProgrammingError) as info:
            rows(cursor, sql)
        assert (info.value.args[0]["C"], info.value.args[0]["M"]) == (state, message), sql


def test_copy_parquet_with_more_columns_than_the_table_fails(cursor, s3):
    out = io.BytesIO()
    pq.write_table(pa.table({"foo": ["a"], "bar": ["b"], "extra": ["c"]}), out)
    s3.put_object(Bucket="unload-bucket", Key="in/part-0.parquet", Body=out.getvalue())
    rows(cursor, "CREATE TABLE narrow (x VARCHAR(5), y VARCHAR(5))")
    with pytest.raises(redshift_connector.ProgrammingError) as info:
        rows(cursor, f"COPY narrow FROM 's3://unload-bucket/in/' IAM_ROLE '{ROLE}' FORMAT AS PARQUET")
    assert "Unmatched number of columns between table and file" in info.value.args[0]["M"]
    assert "Table columns: 2, Data columns: 3" in info.value.args[0]["M"]


# -- SUPER from Parquet ------------------------------------------------------------------------------

def test_copy_parquet_strings_into_super_are_string_values(cursor, s3):
    out = io.BytesIO()
    pq.write_table(pa.table({"id": pa.array([1, 2, 3], pa.int64()),
                             "doc": ['{"text": "test1"}', None, "plain"]}), out)
    s3.put_object(Bucket="unload-bucket", Key="super/part-0.parquet", Body=out.getvalue())
    rows(cursor, "CREATE TABLE docs (id BIGINT, doc SUPER ENCODE RAW) DISTSTYLE AUTO")
    rows(cursor, f"COPY docs FROM 's3://unload-bucket/super/' IAM_ROLE '{ROLE}' FORMAT AS PARQUET SERIALIZETOJSON")
    cursor.execute("SELECT id, doc FROM docs ORDER BY id")
    assert cursor.description[1][1] == 4000  # SUPER, sent as its JSON text
    assert [list(r) for r in cursor.fetchall()] == [[1, '"{\\"text\\": \\"test1\\"}"'], [2, None], [3, '"plain"']]


# -- UNLOAD names, CLEANPATH, BZIP2 ------------------------------------------------------------------

def test_unload_appends_part_numbers_to_a_name_prefix_and_partitions_under_it(cursor, s3):
    rows(cursor, "CREATE TABLE people (id INT, name VARCHAR(10))")
    rows(cursor, "INSERT INTO people VALUES (1, 'foo'), (2, 'boo')")
    rows(cursor, f"UNLOAD ('SELECT * FROM people') TO 's3://unload-bucket/out/my_prefix' IAM_ROLE '{ROLE}' "
                 "FORMAT PARQUET")
    assert _keys(s3, "out/") == ["out/my_prefix0000_part_00.parquet"]
    rows(cursor, f"UNLOAD ('SELECT * FROM people') TO 's3://unload-bucket/out/my_prefix' IAM_ROLE '{ROLE}' "
                 "FORMAT PARQUET ALLOWOVERWRITE PARTITION BY (name)")
    assert _keys(s3, "out/") == ["out/my_prefix/name=boo/0000_part_00.parquet",
                                 "out/my_prefix/name=foo/0000_part_00.parquet", "out/my_prefix0000_part_00.parquet"]


def test_unload_cleanpath_removes_the_prefixs_objects_first(cursor, s3):
    rows(cursor, "CREATE TABLE nums (n INT, g VARCHAR(5))")
    rows(cursor, "INSERT INTO nums VALUES (1, 'a'), (2, 'b')")
    s3.put_object(Bucket="unload-bucket", Key="clean/data_stale.txt", Body=b"old")
    s3.put_object(Bucket="unload-bucket", Key="other/keep.txt", Body=b"keep")
    rows(cursor, f"UNLOAD ('SELECT n FROM nums ORDER BY n') TO 's3://unload-bucket/clean/data_' IAM_ROLE '{ROLE}' "
                 "CLEANPATH PARALLEL OFF")
    assert _keys(s3, "clean/") == ["clean/data_000"]
    assert _keys(s3, "other/") == ["other/keep.txt"]
    body = s3.get_object(Bucket="unload-bucket", Key="clean/data_000")["Body"].read()
    assert body == b"1\n2\n"


def test_unload_cleanpath_with_partitions_cleans_only_the_partitions_written(cursor, s3):
    rows(cursor, "CREATE TABLE events (id INT, day VARCHAR(10))")
    rows(cursor, "INSERT INTO events VALUES (1, 'mon'), (2, 'tue')")
    rows(cursor, f"UNLOAD ('SELECT * FROM events') TO 's3://unload-bucket/ev/' IAM_ROLE '{ROLE}' PARQUET "
                 "PARTITION BY (day)")
    s3.put_object(Bucket="unload-bucket", Key="ev/day=mon/stale.parquet", Body=b"x")
    rows(cursor, f"UNLOAD ('SELECT * FROM events WHERE day = ''mon''') TO 's3://unload-bucket/ev/' "
                 f"IAM_ROLE '{ROLE}' PARQUET CLEANPATH PARTITION BY (day)")
    assert _keys(s3, "ev/") == ["ev/day=mon/0000_part_00.parquet", "ev/day=tue/0000_part_00.parquet"]


def test_unload_cleanpath_and_allowoverwrite_cannot_be_combined(cursor, s3):
    rows(cursor, "CREATE TABLE one (n INT)")
    with pytest.raises(redshift_connector.ProgrammingError) as info:
        rows(cursor, f"UNLOAD ('SELECT * FROM one') TO 's3://unload-bucket/x/' IAM_ROLE '{ROLE}' "
                     "CLEANPATH ALLOWOVERWRITE")
    assert info.value.args[0]["C"] == "42601"
    assert _keys(s3, "x/") == []


def test_unload_bzip2_writes_bz2_files(cursor, s3):
    rows(cursor, "CREATE TABLE words (w VARCHAR(10))")
    rows(cursor, "INSERT INTO words VALUES ('alpha'), ('beta')")
    rows(cursor, f"UNLOAD ('SELECT w FROM words ORDER BY w') TO 's3://unload-bucket/bz/w_' IAM_ROLE '{ROLE}' "
                 "BZIP2 PARALLEL OFF")
    assert _keys(s3, "bz/") == ["bz/w_000.bz2"]
    body = s3.get_object(Bucket="unload-bucket", Key="bz/w_000.bz2")["Body"].read()
    assert bz2.decompress(body) == b"alpha\nbeta\n"
