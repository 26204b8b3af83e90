"""Athena views through the engine over a real Glue catalog and lake folder: what CREATE VIEW writes
to Glue (a Presto view, as Athena writes it), reading views and views over views, and the other view
statements. Answers are compared with pandas on the same data."""

from __future__ import annotations

import base64
import json

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engine_helpers import ACCOUNT, PARQUET, REGION, Lake, new_catalog

from lakebox.engines.sql import view_format
from lakebox.engines.sql.engine import QueryError, SqlEngine
from lakebox.engines.sql.types import duckdb_to_hive, duckdb_to_presto


@pytest.fixture
def env(tmp_path):
    catalog = new_catalog(tmp_path)
    for db in ("sales", "other"):
        catalog.create_database(ACCOUNT, REGION, {"Name": db})
    frame = pd.DataFrame({"id": range(12), "amount": [i * 1.5 for i in range(12)],
                          "region": ["north", "south", "east"] * 4})
    folder = tmp_path / "s3" / "lake" / "orders"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / "part-0.parquet")
    catalog.create_table(ACCOUNT, REGION, "sales", {
        "Name": "orders", "StorageDescriptor": {**PARQUET, "Location": "s3://lake/orders/", "Columns": [
            {"Name": "id", "Type": "bigint"}, {"Name": "amount", "Type": "double"},
            {"Name": "region", "Type": "string"}]}})
    engine = SqlEngine(Lake(str(tmp_path)), catalog, ACCOUNT, REGION)
    yield engine, catalog, frame
    catalog.glue.close()


def rows(engine, sql, database="sales"):
    return engine.execute(sql, database).rows


def glue_table(catalog, db, name):
    return catalog.get_table(ACCOUNT, REGION, db, name)


def presto_document(table):
    text = table["ViewOriginalText"]
    assert text.startswith("/* Presto View: ") and text.endswith(" */")
    return json.loads(base64.b64decode(text[len("/* Presto View: "):-len(" */")]))


def test_create_view_is_stored_as_athena_stores_presto_views(env):
    engine, catalog, _ = env
    sql = "SELECT region, count(*) AS n, sum(amount) AS total, CAST(1.5 AS decimal(10,2)) AS d FROM orders GROUP BY region"
    outcome = engine.execute(f"CREATE VIEW sales.by_region AS {sql}", "default")
    assert (outcome.statement_type, outcome.substatement_type, outcome.rows) == ("DDL", "CREATE_VIEW", [])
    view = glue_table(catalog, "sales", "by_region")
    assert view["TableType"] == "VIRTUAL_VIEW"
    assert view["Parameters"] == {"presto_view": "true", "comment": "Presto View"}
    assert view["ViewExpandedText"] == "/* Presto View */"
    assert view["StorageDescriptor"]["SerdeInfo"] == {}
    assert view["StorageDescriptor"]["Columns"] == [
        {"Name": "region", "Type": "string"}, {"Name": "n", "Type": "bigint"},
        {"Name": "total", "Type": "double"}, {"Name": "d", "Type": "decimal(10,2)"}]
    document = presto_document(view)
    assert document["originalSql"] == sql
    assert (document["catalog"], document["schema"]) == ("awsdatacatalog", "sales")
    assert document["columns"] == [{"name": "region", "type": "varchar"}, {"name": "n", "type": "bigint"},
                                   {"name": "total", "type": "double"}, {"name": "d", "type": "decimal(10,2)"}]


def test_select_from_view_matches_pandas(env):
    engine, _, frame = env
    engine.execute("CREATE VIEW big AS SELECT id, amount, region FROM orders WHERE amount > 4", "sales")
    got = rows(engine, "SELECT region, count(*), sum(amount) FROM big GROUP BY region ORDER BY region")
    expected = frame[frame.amount > 4].groupby("region").agg(n=("id", "count"), s=("amount", "sum")).sort_index()
    assert got == [[r, str(n), repr(float(s))] for r, n, s in zip(expected.index, expected.n, expected.s)]


def test_view_over_view_resolves_names_in_the_schema_of_each_view(env):
    engine, _, frame = env
    engine.execute("CREATE VIEW base AS SELECT id, amount FROM orders WHERE region = 'north'", "sales")
    # Created from another database: `base` names sales.base only through the qualified name.
    engine.execute("CREATE VIEW other.top AS SELECT max(amount) AS m FROM sales.base", "other")
    engine.execute("CREATE VIEW other.top2 AS SELECT m * 2 AS m2 FROM top", "other")
    assert rows(engine, "SELECT m2 FROM other.top2", "default") == \
        [[repr(float(frame[frame.region == "north"].amount.max() * 2))]]


def test_view_reports_bytes_scanned_of_its_tables(env):
    engine, _, _ = env
    engine.execute("CREATE VIEW v AS SELECT * FROM orders", "sales")
    direct = engine.execute("SELECT * FROM orders", "sales").data_scanned_bytes
    assert direct > 0 and engine.execute("SELECT * FROM v", "sales").data_scanned_bytes == direct


def test_create_existing_view_fails_and_or_replace_replaces(env):
    engine, catalog, _ = env
    engine.execute("CREATE VIEW v AS SELECT id FROM orders", "sales")
    with pytest.raises(QueryError) as error:
        engine.execute("CREATE VIEW v AS SELECT 1 AS one", "sales")
    assert error.value.message == "ALREADY_EXISTS: line 1:1: View 'awsdatacatalog.sales.v' already exists"
    engine.execute("CREATE OR REPLACE VIEW v AS SELECT 'x' AS one", "sales")
    assert rows(engine, "SELECT * FROM v") == [["x"]]
    assert glue_table(catalog, "sales", "v")["StorageDescriptor"]["Columns"] == [{"Name": "one", "Type": "string"}]


def test_create_view_named_like_a_table_fails(env):
    engine, _, _ = env
    with pytest.raises(QueryError) as error:
        engine.execute("CREATE OR REPLACE VIEW orders AS SELECT 1 AS x", "sales")
    assert error.value.error_type == "ALREADY_EXISTS"


def test_create_view_over_missing_table_fails_table_not_found(env):
    engine, catalog, _ = env
    with pytest.raises(QueryError) as error:
        engine.execute("CREATE VIEW v AS SELECT * FROM nope", "sales")
    assert error.value.error_type == "TABLE_NOT_FOUND"
    assert glue_table(catalog, "sales", "v") is None


def test_create_view_in_missing_database_fails_schema_not_found(env):
    engine, _, _ = env
    with pytest.raises(QueryError) as error:
        engine.execute("CREATE VIEW nodb.v AS SELECT 1 AS x", "sales")
    assert error.value.message == "SCHEMA_NOT_FOUND: line 1:1: Schema 'nodb' does not exist"


def test_drop_view(env):
    engine, catalog, _ = env
    engine.execute("CREATE VIEW v AS SELECT 1 AS x", "sales")
    assert engine.execute("DROP VIEW sales.v", "default").substatement_type == "DROP_VIEW"
    assert glue_table(catalog, "sales", "v") is None
    engine.execute("DROP VIEW IF EXISTS v", "sales")
    with pytest.raises(QueryError) as error:
        engine.execute("DROP VIEW v", "sales")
    assert error.value.message == "TABLE_NOT_FOUND: line 1:1: View 'awsdatacatalog.sales.v' does not exist"


def test_drop_view_refuses_a_table(env):
    engine, catalog, _ = env
    with pytest.raises(QueryError):
        engine.execute("DROP VIEW orders", "sales")
    assert glue_table(catalog, "sales", "orders") is not None


def test_show_views_lists_views_only_and_show_tables_lists_both(env):
    engine, _, _ = env
    for name in ("v_a", "v_b", "w"):
        engine.execute(f"CREATE VIEW {name} AS SELECT 1 AS x", "sales")
    assert rows(engine, "SHOW VIEWS IN sales", "default") == [["v_a"], ["v_b"], ["w"]]
    assert rows(engine, "SHOW VIEWS 'v*'") == [["v_a"], ["v_b"]]
    assert rows(engine, "SHOW VIEWS LIKE 'w|v_b'") == [["v_b"], ["w"]]
    # AWS: SHOW TABLES "Lists all the base tables and views in a database".
    assert rows(engine, "SHOW TABLES") == [["orders"], ["v_a"], ["v_b"], ["w"]]


def test_show_create_view_gives_a_statement_that_recreates_it(env):
    engine, catalog, _ = env
    engine.execute("CREATE VIEW v AS SELECT id,\n  amount FROM orders", "sales")
    outcome = engine.execute("SHOW CREATE VIEW v", "sales")
    assert outcome.columns[0]["Name"] == "Create View"
    statement = "\n".join(r[0] for r in outcome.rows)
    # Trino's formatter lays the query out again: a clause a line, select items after `  ` and `, `.
    assert statement == "CREATE VIEW sales.v AS\nSELECT\n  id\n, amount\nFROM\n  orders"
    before = presto_document(glue_table(catalog, "sales", "v"))
    engine.execute("DROP VIEW v", "sales")
    engine.execute(statement, "default")
    after = presto_document(glue_table(catalog, "sales", "v"))
    assert (after["columns"], after["schema"]) == (before["columns"], before["schema"])


@pytest.mark.parametrize("query,lines", [
    ("SELECT number_of_rows FROM suite.one_row", ["SELECT number_of_rows", "FROM", "  suite.one_row"]),
    ("select a, b as c, count(*) n from t x join u on x.id = u.id where a > 1 and b is null "
     "group by a, b order by a desc limit 5",
     ["SELECT", "  a", ", b c", ", count(*) n", "FROM", "  (t x", "INNER JOIN u ON (x.id = u.id))",
      "WHERE ((a > 1) AND (b IS NULL))", "GROUP BY a, b", "ORDER BY a DESC", "LIMIT 5"]),
    ("SELECT CASE WHEN x = 1 THEN 'a' ELSE 'b' END k, DATE '2024-01-01' d FROM t WHERE z IN (1, 2) "
     "AND w NOT LIKE 'q%'",
     ["SELECT", "  (CASE WHEN (x = 1) THEN 'a' ELSE 'b' END) k", ", DATE '2024-01-01' d", "FROM", "  t",
      "WHERE ((z IN (1, 2)) AND (NOT (w LIKE 'q%')))"]),
    ("SELECT x * 0.5 FROM t", ["SELECT (x * 5E-1)", "FROM", "  t"]),
    # a window function is outside the formatter's rules: the query as written
    ("SELECT row_number() OVER (ORDER BY a) FROM t", ["SELECT row_number() OVER (ORDER BY a) FROM t"]),
])
def test_show_create_view_lays_the_query_out_as_trino_formats_it(query, lines):
    assert view_format.show_create_view("db", "v", query) == ["CREATE VIEW db.v AS"] + lines


def test_describe_view_lists_its_columns(env):
    engine, _, _ = env
    engine.execute("CREATE VIEW v AS SELECT id, region FROM orders", "sales")
    described = [r[0].split("\t") for r in rows(engine, "DESCRIBE VIEW v")]
    assert [[c.strip() for c in r[:2]] for r in described] == [["id", "bigint"], ["region", "string"]]
    with pytest.raises(QueryError):
        engine.execute("DESCRIBE VIEW orders", "sales")


def test_view_defined_over_itself_fails_cleanly(env):
    engine, catalog, _ = env
    engine.execute("CREATE VIEW v AS SELECT 1 AS x", "sales")
    view = glue_table(catalog, "sales", "v")
    looping = {k: view[k] for k in ("Name", "TableType", "Parameters", "ViewExpandedText", "StorageDescriptor")}
    document = {**presto_document(view), "originalSql": "SELECT x FROM v"}
    looping["ViewOriginalText"] = "/* Presto View: " + base64.b64encode(json.dumps(document).encode()).decode() + " */"
    catalog.update_table(ACCOUNT, REGION, "sales", looping)
    with pytest.raises(QueryError) as error:
        engine.execute("SELECT * FROM v", "sales")
    assert error.value.error_type == "NOT_SUPPORTED"


@pytest.mark.parametrize("duck, presto, hive", [
    ("VARCHAR", "varchar", "string"),
    ("INTEGER", "integer", "int"),
    ("BIGINT", "bigint", "bigint"),
    ("FLOAT", "real", "float"),
    ("DECIMAL(38,2)", "decimal(38,2)", "decimal(38,2)"),
    ("DATE", "date", "date"),
    ("TIMESTAMP", "timestamp", "timestamp"),
    ("BLOB", "varbinary", "binary"),
    ("VARCHAR[]", "array(varchar)", "array<string>"),
    ("MAP(VARCHAR, INTEGER)", "map(varchar, integer)", "map<string,int>"),
    ("STRUCT(a INTEGER, b DOUBLE[])", "row(a integer, b array(double))", "struct<a:int,b:array<double>>"),
])
def test_view_column_types(duck, presto, hive):
    duck_type = duckdb.sql(f"SELECT CAST(NULL AS {duck})").types[0]
    assert (duckdb_to_presto(duck_type), duckdb_to_hive(duck_type)) == (presto, hive)


def test_result_columns_are_named_as_the_query_spells_them(env):
    """Trino names a result column by the query's text (`SELECT ID` shows `ID`), `*` by the catalog's."""
    engine, _, _ = env
    outcome = engine.execute('SELECT ID, Region AS "Where", amount FROM orders ORDER BY ID LIMIT 1', "sales")
    assert [c["Name"] for c in outcome.columns] == ["ID", "Where", "amount"]
    assert outcome.rows == [["0", "north", "0.0"]]
    assert [c["Name"] for c in engine.execute("SELECT * FROM orders LIMIT 1", "sales").columns] == [
        "id", "amount", "region"]
    engine.execute("CREATE VIEW upper_v AS SELECT ID, Region FROM orders", "sales")
    assert [c["Name"] for c in engine.execute("SELECT * FROM upper_v LIMIT 1", "sales").columns] == ["id", "region"]
