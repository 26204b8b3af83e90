"""Redshift -> DuckDB translation, one line per rule, plus the physical-design attributes that are
cut out of CREATE TABLE and recorded, and the constructs that must fail rather than mistranslate."""

from __future__ import annotations

import pytest
from redshift_guide_sql import GUIDE_SALES_DDL

from lakebox.engines.redshift import RedshiftError
from lakebox.engines.redshift.translate import split_statements, strip_design, translate

RULES = [
    ("SELECT GETDATE()", 'SELECT CAST(CURRENT_TIMESTAMP AS TIMESTAMP) AS "getdate"'),
    ("SELECT SYSDATE", "SELECT CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS TIMESTAMP) AS \"sysdate\""),
    ("SELECT DATEADD(day, 1, d) FROM t", 'SELECT CAST(d AS TIMESTAMP) + INTERVAL 1 DAY AS "date_add" FROM t'),
    ("SELECT DATEDIFF(day, a, b) FROM t",
     """SELECT DATE_DIFF('DAY', CAST(a AS TIMESTAMP), CAST(b AS TIMESTAMP)) AS "datediff" FROM t"""),
    ("SELECT NVL(a, b) FROM t", 'SELECT COALESCE(a, b) AS "coalesce" FROM t'),
    ("SELECT LISTAGG(s, ',') WITHIN GROUP (ORDER BY s) FROM t", """SELECT LISTAGG(s, ',' ORDER BY s) AS "listagg" FROM t"""),
    ("SELECT LEN(s) FROM t", 'SELECT REDSHIFT_LENGTH(s) AS "length" FROM t'),
    ("SELECT CONVERT(INTEGER, x) FROM t", 'SELECT REDSHIFT_TEXT_TO_INT4(x) AS "x" FROM t'),
    ("SELECT x::INT FROM t", 'SELECT REDSHIFT_TEXT_TO_INT4(x) AS "x" FROM t'),
    ("SELECT TOP 3 a FROM t", "SELECT a FROM t LIMIT 3"),
    ("SELECT a FROM t WHERE s ILIKE 'a%'", "SELECT a FROM t WHERE s ILIKE 'a%'"),
    ("SELECT DECODE(a, 1, 2, 3) FROM t", 'SELECT CASE WHEN a = 1 THEN 2 ELSE 3 END AS "decode" FROM t'),
    ("SELECT NVL2(a, 1, 2) FROM t", 'SELECT CASE WHEN NOT a IS NULL THEN 1 ELSE 2 END AS "nvl2" FROM t'),
    ("SELECT COUNT(*), 1 FROM T", 'SELECT COUNT(*) AS "count", 1 AS "?column?" FROM t'),
    ("SELECT Amount AS Total FROM Sales", "SELECT amount AS total FROM sales"),
    ("CREATE TABLE j (a SUPER, b VARCHAR(MAX), c CHAR(2))",
     'CREATE TABLE j (a JSON, b TEXT CHECK (STRLEN("b") <= 65535), c TEXT CHECK (STRLEN(RTRIM("c")) <= 2))'),
    # What psql's and drivers' catalog queries send.
    ("SELECT version()", "SELECT 'PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 "
                         "(Red Hat 3.4.2-6.fc3), Redshift 1.0.77467' AS \"version\""),
    ("SELECT pg_catalog.pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class c",
     'SELECT PG_GET_USERBYID(c.relowner) AS "pg_get_userbyid" FROM pg_catalog.pg_class AS c'),
    ("SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(t1)$' "
     "COLLATE pg_catalog.default", "SELECT c.oid FROM pg_catalog.pg_class AS c WHERE REGEXP_MATCHES(c.relname, '^(t1)$')"),
    ("SELECT c.oid::pg_catalog.regclass::pg_catalog.text FROM pg_class c",
     'SELECT CAST(CAST(c.oid AS TEXT) AS TEXT) AS "oid" FROM pg_class AS c'),
    ("CREATE VIEW v AS SELECT a FROM s.t WITH NO SCHEMA BINDING", "CREATE VIEW v AS SELECT a FROM s.t"),
    ("SELECT LISTAGG(DISTINCT s, ',') WITHIN GROUP (ORDER BY s) FROM t",
     """SELECT LISTAGG(DISTINCT s, ',' ORDER BY s) AS "listagg" FROM t"""),
    ("SELECT LISTAGG(s) FROM t", """SELECT LISTAGG(s, '') AS "listagg" FROM t"""),
    ("SELECT ROW_NUMBER() OVER (ORDER BY a) FROM t", 'SELECT ROW_NUMBER() OVER (ORDER BY a) AS "row_number" FROM t'),
    ("SELECT STRTOL(s, 16), REPLICATE(s, 2), IS_VALID_JSON(s) FROM t",
     'SELECT STRTOL(s, 16) AS "strtol", REPEAT(s, 2) AS "replicate", JSON_VALID(s) AS "is_valid_json" FROM t'),
    ("DROP TABLE IF EXISTS a, s.b CASCADE", "DROP TABLE IF EXISTS s.b CASCADE"),
]


@pytest.mark.parametrize("redshift, duckdb", RULES)
def test_translation_rule(redshift, duckdb):
    assert translate(redshift).statements[-1] == duckdb


def test_one_argument_trunc_becomes_a_date_cast_when_asked():
    assert translate("SELECT TRUNC(ts) FROM t", trunc_dates=True).statements == ['SELECT CAST(ts AS DATE) AS "trunc" FROM t']
    assert translate("SELECT TRUNC(x, 2) FROM t", trunc_dates=True).statements == ['SELECT TRUNC(x, 2) AS "trunc" FROM t']


def test_guide_sales_ddl_becomes_sequence_and_plain_table():
    plan = translate(GUIDE_SALES_DDL.removesuffix(";"))
    assert plan.tag == "CREATE TABLE"
    assert plan.statements == [
        'CREATE SEQUENCE IF NOT EXISTS "public"."sales_sale_id_seq" START 1 INCREMENT 1',
        "CREATE TABLE sales (sale_id BIGINT DEFAULT NEXTVAL('public.sales_sale_id_seq'), order_date DATE NOT NULL, "
        "customer_id BIGINT NOT NULL, product_id BIGINT NOT NULL, quantity INT, amount DECIMAL(10, 2))"]
    design = {(c, a): v for c, a, v in plan.design.attributes}
    assert design[(None, "DISTKEY")] == "customer_id"
    assert design[(None, "SORTKEY")] == "order_date"
    assert design[(None, "PRIMARY KEY")] == "sale_id"
    assert design[("sale_id", "IDENTITY")] == "1,1"
    assert design[("amount", "TYPE")] == "numeric(10,2)"


@pytest.mark.parametrize("ddl, duckdb, attributes", [
    ("CREATE TABLE dim_country (code CHAR(2), name VARCHAR(64)) DISTSTYLE ALL",
     'CREATE TABLE dim_country (code TEXT CHECK (STRLEN(RTRIM("code")) <= 2), name TEXT CHECK (STRLEN("name") <= 64))', [(None, "DISTSTYLE", "ALL")]),
    ("CREATE TABLE logs (ts TIMESTAMP, msg VARCHAR(256)) SORTKEY (ts)",
     'CREATE TABLE logs (ts TIMESTAMP, msg TEXT CHECK (STRLEN("msg") <= 256))', [(None, "SORTKEY", "ts")]),
    ("CREATE TABLE t (order_id BIGINT ENCODE AZ64, status VARCHAR(20) ENCODE LZO) COMPOUND SORTKEY (order_id, status)",
     'CREATE TABLE t (order_id BIGINT, status TEXT CHECK (STRLEN("status") <= 20))',
     [("order_id", "ENCODE", "AZ64"), ("status", "ENCODE", "LZO"), (None, "COMPOUND SORTKEY", "order_id,status")]),
    ("CREATE TABLE u (a INT DISTKEY, b INT SORTKEY) INTERLEAVED SORTKEY (a, b) BACKUP NO DISTSTYLE KEY",
     "CREATE TABLE u (a INT, b INT)",
     [(None, "DISTKEY", "a"), (None, "SORTKEY", "b"), (None, "INTERLEAVED SORTKEY", "a,b"), (None, "BACKUP", "NO"),
      (None, "DISTSTYLE", "KEY")]),
    ("CREATE TABLE v (a INT PRIMARY KEY, b INT) DISTSTYLE EVEN", "CREATE TABLE v (a INT, b INT)",
     [(None, "DISTSTYLE", "EVEN"), ("a", "PRIMARY KEY", "PRIMARY KEY")]),
    ("CREATE TABLE w DISTSTYLE AUTO SORTKEY AUTO AS SELECT 1 AS a", "CREATE TABLE w AS SELECT 1 AS a",
     [(None, "DISTSTYLE", "AUTO"), (None, "SORTKEY", "AUTO")]),
])
def test_design_attributes_are_dropped_and_recorded(ddl, duckdb, attributes):
    plan = translate(ddl)
    assert plan.statements[-1] == duckdb
    assert [a for a in plan.design.attributes if a[1] != "TYPE"] == attributes


def test_strip_design_leaves_strings_and_the_query_of_a_ctas_alone():
    text, found = strip_design("CREATE TABLE x DISTKEY(a) AS SELECT 'SORTKEY (a)' AS a")
    assert "SORTKEY (a)'" in text and found == [(None, "DISTKEY", "a")]


def test_split_statements_ignores_semicolons_in_strings_and_dollar_bodies():
    assert split_statements("select 'a;b'; select $$c;d$$;; ") == ["select 'a;b'", "select $$c;d$$"]


@pytest.mark.parametrize("sql", [
    "CREATE TABLE g (shape GEOMETRY)",
    "SHOW TABLES",
    "CREATE USER bob PASSWORD 'x'",
])
def test_unsupported_constructs_raise_feature_not_supported(sql):
    with pytest.raises(RedshiftError) as caught:
        translate(sql)
    assert caught.value.sqlstate == "0A000"


def test_syntax_error_is_42601():
    with pytest.raises(RedshiftError) as caught:
        translate("SELEC 1")
    assert caught.value.sqlstate == "42601"
