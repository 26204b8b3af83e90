"""The catalog that drivers and tools read, through redshift_connector: SVV_ALL_* and SVV_REDSHIFT_*
over local and external (Spectrum) tables, the pg_catalog tables DuckDB lacks, STL_UNDONE, and
redshift_connector's own metadata calls (get_tables, get_columns, get_schemas, get_primary_keys,
get_catalogs, get_procedures) and its table checks before insert_data_bulk and write_dataframe.
Expected rows come from the DDL the tests run."""

from __future__ import annotations

import pytest
from redshift_helpers import client, connect, run_sql

ORDERS = ("CREATE TABLE orders (id BIGINT IDENTITY(1,1), customer VARCHAR(30) NOT NULL ENCODE zstd, "
          "amount DECIMAL(10,2), placed DATE, PRIMARY KEY (id)) DISTKEY (customer) SORTKEY (placed)")


@pytest.fixture
def catalog(redshift, cluster, lakebox_server):
    """A local table, a view and an external schema over a Glue table with a partition key."""
    glue = client(lakebox_server, "glue")
    glue.create_database(DatabaseInput={"Name": "lake"})
    glue.create_table(DatabaseName="lake", TableInput={
        "Name": "clicks", "TableType": "EXTERNAL_TABLE", "PartitionKeys": [{"Name": "dt", "Type": "string"}],
        "StorageDescriptor": {"Columns": [{"Name": "url", "Type": "varchar(200)"}], "Location": "s3://lake/clicks/"}})
    run_sql(redshift, ORDERS, "CREATE VIEW big_orders AS SELECT id FROM orders WHERE amount > 100",
            "CREATE EXTERNAL SCHEMA ext FROM DATA CATALOG DATABASE 'lake' IAM_ROLE 'arn:aws:iam::1:role/r'")
    return redshift


def test_svv_all_tables_lists_local_views_and_external_tables(catalog):
    assert run_sql(catalog, "SELECT * FROM pg_catalog.svv_all_tables ORDER BY table_name") == [
        ["analytics", "public", "big_orders", "VIEW", None, None],
        ["analytics", "ext", "clicks", "EXTERNAL TABLE", None, None],
        ["analytics", "public", "orders", "TABLE", None, None]]
    assert run_sql(catalog, "SELECT table_name, table_type, table_owner FROM svv_redshift_tables "
                            "ORDER BY 1") == [["big_orders", "VIEW", "admin"], ["orders", "TABLE", "admin"]]


def test_svv_all_columns_gives_declared_types_and_external_columns(catalog):
    assert run_sql(catalog, "SELECT table_name, column_name, ordinal_position, is_nullable, data_type, "
                            "character_maximum_length, numeric_precision, numeric_scale FROM svv_all_columns "
                            "WHERE table_name IN ('orders', 'clicks') ORDER BY 1, 3") == [
        ["clicks", "url", 1, "YES", "varchar", 200, None, None],
        ["clicks", "dt", 2, "YES", "string", None, None, None],
        ["orders", "id", 1, "YES", "bigint", None, 64, 0],
        ["orders", "customer", 2, "NO", "character varying", 30, None, None],
        ["orders", "amount", 3, "YES", "numeric", None, 10, 2],
        ["orders", "placed", 4, "YES", "date", None, None, None]]
    default = run_sql(catalog, "SELECT column_default, oid FROM svv_all_columns, pg_class "
                               "WHERE table_name = 'orders' AND column_name = 'id' AND relname = 'orders'")[0]
    assert default[0] == f"\"identity\"({default[1]}, 0, '1,1'::text)"


def test_svv_redshift_columns_gives_encoding_and_keys(catalog):
    assert run_sql(catalog, "SELECT column_name, data_type, encoding, distkey, sortkey FROM svv_redshift_columns "
                            "WHERE table_name = 'orders' ORDER BY ordinal_position") == [
        ["id", "bigint", "none", False, 0], ["customer", "character varying", "zstd", True, 0],
        ["amount", "numeric", "none", False, 0], ["placed", "date", "none", False, 1]]


def test_svv_columns_has_awss_columns(catalog):
    conn = connect(catalog)
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT * FROM svv_columns WHERE table_name = 'orders' AND column_name = 'amount'")
        names = [d[0] for d in cursor.description]
        row = dict(zip(names, cursor.fetchone()))
    finally:
        conn.close()
    assert names[-3:] == ["collation_name", "domain_name", "remarks"] and len(names) == 23
    assert (row["data_type"], row["numeric_precision"], row["numeric_precision_radix"], row["numeric_scale"]) == \
        ("numeric", 10, 10, 2)


def test_svv_schemas_and_databases(catalog):
    # Every database of the cluster: the external schema was made in `analytics` only.
    assert run_sql(catalog, "SELECT database_name, schema_name, schema_type, source_database, schema_option "
                            "FROM svv_all_schemas ORDER BY 1, 2") == [
        ["analytics", "ext", "external", "lake", '{"IAM_ROLE": "arn:aws:iam::1:role/r"}'],
        ["analytics", "public", "local", None, None], ["dev", "public", "local", None, None]]
    assert run_sql(catalog, "SELECT database_name, schema_name, schema_type FROM svv_redshift_schemas "
                            "ORDER BY 1") == [["analytics", "public", "local"], ["dev", "public", "local"]]
    assert run_sql(catalog, "SELECT database_name, database_type, database_isolation_level "
                            "FROM pg_catalog.svv_redshift_databases ORDER BY 1") == [
        ["analytics", "local", "Snapshot Isolation"], ["dev", "local", "Snapshot Isolation"]]


def test_temporary_table_is_listed_in_the_sessions_temporary_schema(redshift, cluster):
    conn = connect(redshift)
    try:
        cursor = conn.cursor()
        cursor.execute("CREATE TEMP TABLE staging (id INT)")
        cursor.execute("SELECT schema_name, table_name FROM svv_all_tables WHERE table_name = 'staging'")
        (schema, table), = cursor.fetchall()
        cursor.execute("SELECT column_name FROM svv_all_columns WHERE table_name = 'staging'")
        columns = cursor.fetchall()
    finally:
        conn.close()
    assert schema.startswith("pg_temp_") and table == "staging" and [list(c) for c in columns] == [["id"]]


def test_insert_data_bulk_and_write_dataframe_check_the_table_first(redshift, cluster, tmp_path):
    import pandas
    import redshift_connector

    csv = tmp_path / "rows.csv"
    csv.write_text("id,name\n1,a\n2,b\n")
    conn = connect(redshift)
    try:
        cursor = conn.cursor()
        cursor.execute("CREATE TABLE public.people (id INT, name VARCHAR(10))")
        cursor.insert_data_bulk(filename=str(csv), table_name="public.people", parameter_indices=[0, 1],
                                column_names=["id", "name"], delimiter=",", batch_size=2)
        cursor.write_dataframe(pandas.DataFrame([[3, "c"]], columns=["id", "name"]), "people")
        with pytest.raises(redshift_connector.InterfaceError, match="Invalid table name"):
            cursor.write_dataframe(pandas.DataFrame([[4, "d"]], columns=["id", "name"]), "nobody")
        with pytest.raises(redshift_connector.InterfaceError, match="Invalid column name"):
            cursor.insert_data_bulk(filename=str(csv), table_name="people", parameter_indices=[0],
                                    column_names=["missing"], delimiter=",")
        cursor.execute("SELECT id, name FROM people ORDER BY id")
        rows = [list(r) for r in cursor.fetchall()]
    finally:
        conn.close()
    assert rows == [[1, "a"], [2, "b"], [3, "c"]]


def test_redshift_connector_metadata_calls(catalog):
    conn = connect(catalog)
    conn.autocommit = True
    try:
        cursor = conn.cursor()
        cursor.execute("CREATE SCHEMA IF NOT EXISTS mart AUTHORIZATION admin")
        cursor.execute("CREATE TABLE analytics.mart.sales (sale_id INT PRIMARY KEY, note CHAR(4))")
        tables = cursor.get_tables(types=["TABLE"])
        columns = cursor.get_columns(tablename_pattern="orders")
        mart_columns = cursor.get_columns(schema_pattern="mart", tablename_pattern="sales")
        schemas = cursor.get_schemas(schema_pattern="mart")
        keys = cursor.get_primary_keys(table="orders") + cursor.get_primary_keys(schema="mart", table="sales")
        catalogs = cursor.get_catalogs()
        cursor.execute("CREATE PROCEDURE touch(n INT) AS $$ BEGIN RAISE INFO 'n = %', n; END; $$ LANGUAGE plpgsql")
        procedures = cursor.get_procedures(procedure_name_pattern="touch")
    finally:
        conn.close()
    assert sorted((t[1], t[2], t[3]) for t in tables) == [("mart", "sales", "TABLE"), ("public", "orders", "TABLE")]
    # (name, JDBC type, type name, size, decimal digits, nullable, position)
    assert [(c[3], c[4], c[5], c[6], c[8], c[17], c[16]) for c in columns] == [
        ("id", -5, "int8", 19, 0, "YES", 1), ("customer", 12, "varchar", 30, 0, "NO", 2),
        ("amount", 2, "numeric", 10, 2, "YES", 3), ("placed", 91, "date", 13, 0, "YES", 4)]
    # The cluster announces show_discovery as Redshift does, so the driver reads SHOW COLUMNS, whose
    # `character` it names "char" (its older catalog query named it "bpchar").
    assert [(c[3], c[5], c[6]) for c in mart_columns] == [("sale_id", "int4", 10), ("note", "char", 4)]
    assert [list(s) for s in schemas] == [["mart", "analytics"]]
    assert [(k[1], k[2], k[3], k[4], k[5]) for k in keys] == [
        ("public", "orders", "id", 1, "orders_pkey"), ("mart", "sales", "sale_id", 1, "sales_pkey")]
    assert [list(c) for c in catalogs] == [["analytics"]]
    assert [(p[1], p[2], p[7]) for p in procedures] == [("public", "touch", 1)]


def test_format_type_and_pg_attribute_give_declared_types(catalog):
    assert run_sql(catalog, "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                            "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = 'orders' AND a.attnum > 0 "
                            "ORDER BY a.attnum") == [
        ["id", "bigint"], ["customer", "character varying(30)"], ["amount", "numeric(10,2)"], ["placed", "date"]]


@pytest.mark.parametrize("table", [
    "pg_aggregate", "pg_amop", "pg_amproc", "pg_cast", "pg_conversion", "pg_default_acl", "pg_language",
    "pg_largeobject", "pg_opclass", "pg_operator", "pg_rewrite", "pg_shdepend", "pg_statistic", "pg_group",
    "pg_locks", "pg_rules", "pg_stats", "pg_type", "pg_attribute", "pg_class", "pg_index", "pg_proc"])
def test_pg_catalog_table_answers_select_star(redshift, cluster, table):
    conn = connect(redshift)
    try:
        cursor = conn.cursor()
        cursor.execute(f"SELECT * FROM {table}")
        cursor.fetchall()
        assert cursor.description
    finally:
        conn.close()


def test_pg_catalog_tables_hold_what_lakebox_has(catalog):
    assert run_sql(catalog, "SELECT lanname, lanispl, lanpltrusted FROM pg_language ORDER BY 1") == [
        ["c", False, False], ["internal", False, False], ["plpgsql", True, True], ["plpythonu", True, True],
        ["sql", False, True]]
    assert run_sql(catalog, "SELECT c.relname, r.rulename FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class") \
        == [["big_orders", "_RETURN"]]
    assert run_sql(catalog, "SELECT count(*) FROM pg_aggregate WHERE aggfnoid IN ('sum', 'avg', 'max')") == [[3]]
    for empty in ("pg_group", "pg_locks", "pg_stats", "pg_statistic", "pg_cast", "pg_default_acl", "pg_rules"):
        assert run_sql(catalog, f"SELECT count(*) FROM pg_catalog.{empty}") == [[0]], empty
    assert run_sql(catalog, "SELECT typname FROM pg_type WHERE oid IN (1042, 4000, 6551) ORDER BY oid") == [
        ["bpchar"], ["super"], ["varbyte"]]


def test_stl_undone_has_awss_columns_and_no_rows(redshift, cluster):
    conn = connect(redshift)
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT * FROM stl_undone")
        assert [d[0] for d in cursor.description] == [
            "userid", "xact_id", "xact_id_undone", "undo_start_ts", "undo_end_ts", "table_id"]
        assert cursor.fetchall() in ((), [])
    finally:
        conn.close()


def test_late_binding_view_cols_takes_a_column_definition_list(catalog):
    assert run_sql(catalog, "SELECT * FROM pg_get_late_binding_view_cols() cols(view_schema name, view_name name, "
                            "col_name name, col_type varchar, col_num int)") == []


def test_svv_redshift_views_cover_every_database_of_the_cluster(redshift, cluster):
    conn = connect(redshift, database="dev")
    try:
        conn.cursor().execute("CREATE TABLE dev_only (x SMALLINT)")
        conn.commit()
    finally:
        conn.close()
    run_sql(redshift, "CREATE TABLE here (y INT)")
    assert run_sql(redshift, "SELECT database_name, schema_name, table_name FROM svv_redshift_tables "
                             "ORDER BY 1") == [["analytics", "public", "here"], ["dev", "public", "dev_only"]]
    assert run_sql(redshift, "SELECT database_name, table_name, column_name, data_type, numeric_precision "
                             "FROM svv_all_columns ORDER BY 1") == [
        ["analytics", "here", "y", "integer", 32], ["dev", "dev_only", "x", "smallint", 16]]
