"""ExecutionParameters as the engine binds them: a SQL literal is itself; a value that is no constant
expression (a bare word, several words, an unbalanced quote) is the varchar it spells."""

from __future__ import annotations

import pytest

from lakebox.engines.sql.engine import parameter_value
from lakebox.engines.sql.syntax_errors import ctas_query_error


@pytest.mark.parametrize("text,bound", [
    ("1", "1"),
    ("-1.5", "-1.5"),
    ("'Seattle'", "'Seattle'"),
    ("DATE '2020-01-01'", "CAST('2020-01-01' AS DATE)"),
    ("CAST('2014-07-05' AS DATE)", "CAST('2014-07-05' AS DATE)"),
    ("true", "TRUE"),
    ("NULL", "NULL"),
    ("Washington", "'Washington'"),
    ("New York", "'New York'"),
    ("O'Brien", "'O''Brien'"),
    ("1, 2", "'1, 2'"),
])
def test_parameter_value(text, bound):
    assert parameter_value(text).sql(dialect="trino") == bound


@pytest.mark.parametrize("sql,reason", [
    ("CREATE TABLE t WITH (format = 'PARQUET') AS ALTER TABLE x SET LOCATION 's3://b/'",
     "SYNTAX_ERROR: line 1:45: mismatched input 'ALTER'. Expecting: '(', 'SELECT', 'TABLE', 'VALUES', 'WITH'"),
    ("CREATE TABLE t AS\n  DROP TABLE x",
     "SYNTAX_ERROR: line 2:3: mismatched input 'DROP'. Expecting: '(', 'SELECT', 'TABLE', 'VALUES', 'WITH'"),
    ("CREATE TABLE t WITH (format = 'PARQUET') AS SELECT 1 AS a", None),
    ("CREATE TABLE t AS (SELECT 1 AS a)", None),
    ("CREATE TABLE t AS WITH q AS (SELECT 1 AS a) SELECT * FROM q", None),
])
def test_ctas_query_error(sql, reason):
    refused = ctas_query_error(sql)
    assert (refused.message if refused else None) == reason
