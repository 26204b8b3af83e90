"""One line per translation rule: the Trino statement runs through the engine and its RESULT (value
and Athena type) is checked on data."""

from __future__ import annotations

import pytest

from lakebox.engines.sql.engine import QueryError, SqlEngine


@pytest.fixture(scope="module")
def engine():
    return SqlEngine(lake=None, catalog=None, account="000000000000", region="us-east-1")


@pytest.mark.parametrize("sql,value,athena_type", [
    # date and time
    ("SELECT date_trunc('month', DATE '2024-01-15')", "2024-01-01", "date"),
    ("SELECT date_trunc('hour', TIMESTAMP '2024-01-15 10:31:02')", "2024-01-15 10:00:00.000", "timestamp"),
    ("SELECT date_add('day', 3, DATE '2024-01-15')", "2024-01-18", "date"),
    ("SELECT date_add('month', 1, TIMESTAMP '2024-01-31 10:00:00')", "2024-02-29 10:00:00.000", "timestamp"),
    ("SELECT date_diff('day', DATE '2024-01-01', DATE '2024-01-15')", "14", "bigint"),
    ("SELECT date_format(TIMESTAMP '2024-01-15 10:30:05', '%Y-%m-%d %H:%i:%s')", "2024-01-15 10:30:05", "varchar"),
    ("SELECT date_parse('2024-01-15 10:30', '%Y-%m-%d %H:%i')", "2024-01-15 10:30:00.000", "timestamp"),
    ("SELECT from_iso8601_date('2024-01-15')", "2024-01-15", "date"),
    ("SELECT from_iso8601_timestamp('2024-01-15T10:30:00Z')", "2024-01-15 10:30:00.000 UTC", "timestamp with time zone"),
    ("SELECT from_unixtime(1700000000)", "2023-11-14 22:13:20.000 UTC", "timestamp with time zone"),
    ("SELECT to_unixtime(TIMESTAMP '2024-01-15 10:30:00')", "1.7053146E9", "double"),
    ("SELECT CAST(TIMESTAMP '2024-01-15 10:30:00 UTC' AT TIME ZONE 'America/New_York' AS varchar) LIKE '2024-01-15 05:30%'", "true", "boolean"),
    ("SELECT current_date = current_date", "true", "boolean"),
    # strings
    ("SELECT split('a,b,c', ',')", "[a, b, c]", "array(varchar)"),
    ("SELECT regexp_like('abc', 'b')", "true", "boolean"),
    ("SELECT regexp_extract('abc123', '[0-9]+')", "123", "varchar"),
    ("SELECT regexp_extract('abc123', '([a-z]+)([0-9]+)', 2)", "123", "varchar"),
    ("SELECT regexp_replace('abc123', '[0-9]', 'X')", "abcXXX", "varchar"),
    ("SELECT regexp_replace('abc123', '[0-9]')", "abc", "varchar"),
    ("SELECT concat_ws('-', 'a', 'b')", "a-b", "varchar"),
    ("SELECT lpad('7', 3, '0')", "007", "varchar"),
    ("SELECT trim('  a ')", "a", "varchar"),
    ("SELECT format('%s-%05d %.2f', 'a', 5, 3.14159)", "a-00005 3.14", "varchar"),
    # JSON
    ("SELECT json_extract('{\"a\":{\"b\":1}}', '$.a')", '{"b":1}', "json"),
    ("SELECT json_extract_scalar('{\"a\":{\"b\":1}}', '$.a.b')", "1", "varchar"),
    ("SELECT json_format(json_parse('{\"a\":1}'))", '{"a":1}', "varchar"),
    # arrays and maps
    ("SELECT transform(ARRAY[1,2], x -> x * 2)", "[2, 4]", "array(integer)"),
    ("SELECT filter(ARRAY[1,2,3], x -> x > 1)", "[2, 3]", "array(integer)"),
    ("SELECT reduce(ARRAY[1,2,3], 0, (s, x) -> s + x, s -> s * 10)", "60", "integer"),
    ("SELECT element_at(ARRAY[1,2,3], 2)", "2", "integer"),
    ("SELECT element_at(MAP(ARRAY['a'], ARRAY[1]), 'a')", "1", "integer"),
    ("SELECT cardinality(ARRAY[1,2,3])", "3", "bigint"),
    ("SELECT array_agg(x) FROM (VALUES 1, 2) t(x)", "[1, 2]", "array(integer)"),
    ("SELECT map_agg(k, v) FROM (VALUES ('a', 1), ('b', 2)) t(k, v)", "{a=1, b=2}", "map(varchar, integer)"),
    ("SELECT contains(ARRAY[1,2,3], 2)", "true", "boolean"),
    ("SELECT max(n) FROM UNNEST(ARRAY['a','b']) WITH ORDINALITY AS t(x, n)", "2", "bigint"),
    # aggregates
    ("SELECT approx_distinct(x) FROM (VALUES 1, 2, 2) t(x)", "2", "bigint"),
    ("SELECT count_if(x > 1) FROM (VALUES 1, 2, 3) t(x)", "2", "bigint"),
    ("SELECT max_by(k, v) FROM (VALUES ('a', 1), ('b', 2)) t(k, v)", "b", "varchar"),
    ("SELECT min_by(k, v) FROM (VALUES ('a', 1), ('b', 2)) t(k, v)", "a", "varchar"),
    ("SELECT arbitrary(x) FROM (VALUES 1) t(x)", "1", "integer"),
    # misc
    ("SELECT 7 / 2", "3", "integer"),
    ("SELECT -7 / 2", "-3", "integer"),
    ("SELECT try_cast('x' AS integer)", None, "integer"),
    ("SELECT typeof(1)", "integer", "varchar"),
    ("SELECT sum(x) OVER (ORDER BY x) FROM (VALUES 1) t(x)", "1", "bigint"),
])
def test_rule_result(engine, sql, value, athena_type):
    outcome = engine.execute(sql, None)
    assert (outcome.rows[0][0], outcome.columns[0]["Type"]) == (value, athena_type)


def test_untranslatable_function_is_not_supported(engine):
    with pytest.raises(QueryError) as exc:
        engine.execute("SELECT ngrams(ARRAY['a'], 2)", None)
    assert exc.value.error_type == "NOT_SUPPORTED"


def test_syntax_error_is_athena_shaped(engine):
    with pytest.raises(QueryError) as exc:
        engine.execute("SELECT a FROM", None)
    assert exc.value.message.startswith("SYNTAX_ERROR: line 1:")
    assert exc.value.error_category == 2
