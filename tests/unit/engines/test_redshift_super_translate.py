"""Redshift SUPER constructs as super_values translates them for DuckDB: subscripts keep their
0-based index on SUPER values only, PartiQL FROM items become LATERAL unnests, ARRAY(...) and OBJECT(...)
build JSON, and text comparisons and casts of SUPER values read a string's characters."""

from __future__ import annotations

import pytest
import sqlglot

from lakebox.engines.redshift.translate import translate


def _types(table):
    return {"docs": {"id": "INTEGER", "doc": "JSON", "name": "VARCHAR"},
            "pg_index": {"indkey": "SMALLINT[]"}}.get(table.name.lower())


def sql(text: str) -> str:
    return translate(text, column_types=_types).statements[0]


@pytest.mark.parametrize("redshift,duckdb", [
    # A SUPER column's subscript stays 0-based; a Postgres list's is shifted for DuckDB's 1-based lists.
    ("SELECT doc[0] FROM docs", 'SELECT doc[0] AS "?column?" FROM docs'),
    ("SELECT doc.items[2].sku FROM docs", 'SELECT doc.items[2].sku AS "?column?" FROM docs'),
    ("SELECT indkey[0] FROM pg_index", 'SELECT indkey[1] AS "?column?" FROM pg_index'),
    ("SELECT ARRAY(1, 'a')", """SELECT JSON_ARRAY(1, 'a') AS "array\""""),
    ("SELECT OBJECT('k', 1)", """SELECT JSON_OBJECT('k', 1) AS "object\""""),
    ("SELECT ARRAY_CONCAT(doc, doc) FROM docs", 'SELECT REDSHIFT_ARRAY_CONCAT(doc, doc) AS "array_concat" FROM docs'),
    ("SELECT id FROM docs WHERE doc.name = 'x'", "SELECT id FROM docs WHERE REDSHIFT_SUPER_TEXT(doc.name) = 'x'"),
    ("SELECT doc.name::VARCHAR FROM docs", 'SELECT REDSHIFT_SUPER_TEXT(doc.name) AS "name" FROM docs'),
    # A character column is compared as character values are (trailing blanks aside), not as SUPER.
    ("SELECT id FROM docs WHERE name = 'x'",
     "SELECT id FROM docs WHERE (name >= 'x' AND name < 'x!' AND (name = 'x' OR REDSHIFT_BLANK_TRIM(name) = 'x'))"),
])
def test_super_rule(redshift, duckdb):
    assert sql(redshift) == duckdb


def test_partiql_from_items_become_lateral_unnests():
    plain = sql("SELECT d.id, e FROM docs d, d.doc.items AS e")
    assert "LATERAL (SELECT UNNEST(REDSHIFT_SUPER_ELEMENTS(d.doc.items)) AS \"e\")" in plain
    at = sql("SELECT e, i FROM docs d, d.doc.items AS e AT i")
    assert 'UNNEST(RANGE(LEN(REDSHIFT_SUPER_ELEMENTS(d.doc.items)))) AS "i"' in at
    unpivot = sql("SELECT k, v FROM docs d, UNPIVOT d.doc AS v AT k")
    assert 'UNNEST(MAP_VALUES(REDSHIFT_SUPER_MEMBERS(d.doc))) AS "v"' in unpivot
    assert 'UNNEST(MAP_KEYS(REDSHIFT_SUPER_MEMBERS(d.doc))) AS "k"' in unpivot
    for text in (plain, at, unpivot):
        sqlglot.parse_one(text, read="duckdb")  # valid DuckDB SQL
