"""S3 Select SQL -> DuckDB: one line per translation rule, one line per refusal (S3's error code),
and the rules whose meaning differs from DuckDB's run on data."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from lakebox.engines.sql.engine import connect
from lakebox.services.s3.select_errors import ERRORS, SelectError
from lakebox.services.s3.select_functions import MACROS, strftime_format
from lakebox.services.s3.select_sql import (JSON_VALUE, SCALAR, ValueType, csv_record, json_record,
                                            parquet_record, translate)

NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
CSV = csv_record(["name", "age", "City"])
LIST = ValueType("list", item=SCALAR)
JSON_RECORD = json_record(ValueType("struct", (
    ("id", SCALAR),
    ("user", ValueType("struct", (("name", SCALAR), ("tags", LIST)))),
    ("mixed", JSON_VALUE),
)))


def duck(sql: str, record=CSV) -> str:
    """The WHERE-less body of the translation, for one-line expectations."""
    return translate(sql, record, NOW).sql


@pytest.mark.parametrize("s3_select,duckdb_sql", [
    # the table, its alias and positions
    ("SELECT * FROM S3Object", 'SELECT c1 AS "o1", c2 AS "o2", c3 AS "o3" FROM s3object'),
    ("SELECT s.* FROM S3Object s", 'SELECT c1 AS "o1", c2 AS "o2", c3 AS "o3" FROM s3object'),
    ("SELECT _2 FROM S3Object", 'SELECT c2 AS "o1" FROM s3object'),
    ("SELECT s._1 FROM S3Object AS s", 'SELECT c1 AS "o1" FROM s3object'),
    ("SELECT S3Object.name FROM S3Object", 'SELECT c1 AS "o1" FROM s3object'),
    ("SELECT x.name FROM S3Object[*] x", 'SELECT c1 AS "o1" FROM s3object'),
    # header names: unquoted ignore case, quoted match exactly
    ("SELECT s.NAME, s.city FROM S3Object s", 'SELECT c1 AS "o1", c3 AS "o2" FROM s3object'),
    ('SELECT s."City" FROM S3Object s', 'SELECT c3 AS "o1" FROM s3object'),
    ("SELECT _9 FROM S3Object", 'SELECT NULL AS "o1" FROM s3object'),
    # WHERE, LIMIT and the operators
    ("SELECT _1 FROM S3Object WHERE CAST(_2 AS INT) > 30 LIMIT 5",
     'SELECT c1 AS "o1" FROM s3object WHERE CAST(c2 AS BIGINT) > 30 LIMIT 5'),
    ("SELECT _1 FROM S3Object WHERE _1 LIKE 'A%' AND _3 IN ('a', 'b') OR _2 BETWEEN '1' AND '5'",
     "SELECT c1 AS \"o1\" FROM s3object WHERE c1 LIKE 'A%' AND c3 IN ('a', 'b') OR c2 BETWEEN '1' AND '5'"),
    ("SELECT _1 FROM S3Object WHERE _3 IS NULL AND _2 IS NOT MISSING",
     'SELECT c1 AS "o1" FROM s3object WHERE c3 IS NULL AND NOT c2 IS NULL'),
    ("SELECT _1 || '-' || _2 FROM S3Object", "SELECT c1 || '-' || c2 AS \"o1\" FROM s3object"),
    # casts: INT is 8 bytes, FLOAT is a double, DECIMAL ignores its precision, TIMESTAMP reads Ion
    ("SELECT CAST(_2 AS INTEGER), CAST(_2 AS FLOAT), CAST(_2 AS DECIMAL(5, 2)), CAST(_2 AS STRING) FROM S3Object",
     'SELECT CAST(c2 AS BIGINT) AS "o1", CAST(c2 AS DOUBLE) AS "o2", CAST(c2 AS DECIMAL(38, 9)) AS "o3", '
     'CAST(c2 AS TEXT) AS "o4" FROM s3object'),
    ("SELECT CAST(_2 AS BOOL), CAST(_2 AS TIMESTAMP) FROM S3Object",
     'SELECT CAST(c2 AS BOOLEAN) AS "o1", S3SELECT_TIMESTAMP(c2) AS "o2" FROM s3object'),
    # aggregates
    ("SELECT COUNT(*), SUM(CAST(_2 AS INT)), AVG(CAST(_2 AS FLOAT)), MIN(_1), MAX(_1) FROM S3Object",
     'SELECT COUNT(*) AS "o1", SUM(CAST(c2 AS BIGINT)) AS "o2", AVG(CAST(c2 AS DOUBLE)) AS "o3", '
     'MIN(c1) AS "o4", MAX(c1) AS "o5" FROM s3object'),
    # strings
    ("SELECT LOWER(_1), UPPER(_1), CHAR_LENGTH(_1), CHARACTER_LENGTH(_1) FROM S3Object",
     'SELECT LOWER(c1) AS "o1", UPPER(c1) AS "o2", LENGTH(c1) AS "o3", LENGTH(c1) AS "o4" FROM s3object'),
    ("SELECT SUBSTRING(_1 FROM 2 FOR 3), SUBSTRING(_1, 2) FROM S3Object",
     'SELECT S3SELECT_SUBSTRING_FOR(c1, 2, 3) AS "o1", S3SELECT_SUBSTRING(c1, 2) AS "o2" FROM s3object'),
    ("SELECT TRIM(_1), TRIM(LEADING FROM _1), TRIM(BOTH 'xy' FROM _1) FROM S3Object",
     "SELECT TRIM(c1) AS \"o1\", LTRIM(c1) AS \"o2\", TRIM(c1, 'xy') AS \"o3\" FROM s3object"),
    # conditionals
    ("SELECT COALESCE(_1, 'none'), NULLIF(_1, '') FROM S3Object",
     "SELECT COALESCE(c1, 'none') AS \"o1\", NULLIF(c1, '') AS \"o2\" FROM s3object"),
    ("SELECT CASE WHEN _2 = '1' THEN 'one' ELSE 'many' END AS n FROM S3Object",
     "SELECT CASE WHEN c2 = '1' THEN 'one' ELSE 'many' END AS \"o1\" FROM s3object"),
    # dates
    ("SELECT DATE_ADD(year, 5, `2010-01-01T`) FROM S3Object",
     "SELECT S3SELECT_TIMESTAMP('2010-01-01T') + TO_YEARS(5) AS \"o1\" FROM s3object"),
    ("SELECT DATE_DIFF(day, TO_TIMESTAMP(_1), TO_TIMESTAMP(_2)) FROM S3Object",
     "SELECT DATE_SUB('day', S3SELECT_TIMESTAMP(c1), S3SELECT_TIMESTAMP(c2)) AS \"o1\" FROM s3object"),
    ("SELECT EXTRACT(YEAR FROM TO_TIMESTAMP(_1)), EXTRACT(TIMEZONE_HOUR FROM UTCNOW()) FROM S3Object",
     "SELECT EXTRACT(YEAR FROM S3SELECT_TIMESTAMP(c1)) AS \"o1\", EXTRACT(TIMEZONE_HOUR FROM "
     "CAST('2024-05-06T07:08:09+00:00' AS TIMESTAMPTZ)) AS \"o2\" FROM s3object"),
    ("SELECT TO_STRING(UTCNOW(), 'yyyy-MM-dd') FROM S3Object",
     "SELECT STRFTIME(CAST('2024-05-06T07:08:09+00:00' AS TIMESTAMPTZ), '%Y-%m-%d') AS \"o1\" FROM s3object"),
])
def test_csv_translation(s3_select, duckdb_sql):
    assert duck(s3_select) == duckdb_sql


@pytest.mark.parametrize("s3_select,duckdb_sql", [
    ("SELECT * FROM S3Object", 'SELECT raw_record AS "o1" FROM s3object'),  # each record as written
    ("SELECT s.id, s.user.name FROM S3Object s",
     "SELECT STRUCT_EXTRACT(record, 'id') AS \"o1\", STRUCT_EXTRACT(STRUCT_EXTRACT(record, 'user'), 'name') AS \"o2\" "
     "FROM s3object"),
    ("SELECT s.user.tags[0] FROM S3Object s",
     "SELECT LIST_EXTRACT(STRUCT_EXTRACT(STRUCT_EXTRACT(record, 'user'), 'tags'), 1) AS \"o1\" FROM s3object"),
    ("SELECT s.mixed.a[2] FROM S3Object s",
     "SELECT JSON_EXTRACT(STRUCT_EXTRACT(record, 'mixed'), '$.\"a\"[2]') AS \"o1\" FROM s3object"),
    ("SELECT s.absent, s.user.absent, s.id[0] FROM S3Object s",
     'SELECT NULL AS "o1", NULL AS "o2", NULL AS "o3" FROM s3object'),
    ("SELECT s.id FROM S3Object s WHERE s.user.name = 'ann'",
     "SELECT STRUCT_EXTRACT(record, 'id') AS \"o1\" FROM s3object WHERE "
     "STRUCT_EXTRACT(STRUCT_EXTRACT(record, 'user'), 'name') = 'ann'"),
])
def test_json_translation(s3_select, duckdb_sql):
    assert duck(s3_select, JSON_RECORD) == duckdb_sql


@pytest.mark.parametrize("s3_select,names", [
    ("SELECT * FROM S3Object", ["name", "age", "City"]),
    ("SELECT s.name, s._2, UPPER(s.name), s.age AS years FROM S3Object s", ["name", "_2", "_3", "years"]),
    ("SELECT COUNT(*) FROM S3Object", ["_1"]),
])
def test_output_names_follow_s3_select(s3_select, names):
    assert [o.name for o in translate(s3_select, CSV, NOW).outputs] == names


def test_json_output_names_are_the_last_path_step():
    outputs = translate("SELECT s.user.name, s.user.tags[0], s.id FROM S3Object s", JSON_RECORD, NOW).outputs
    assert [o.name for o in outputs] == ["name", "_2", "id"]
    assert all(o.absent_when_null for o in outputs)


@pytest.mark.parametrize("s3_select,code", [
    ("", "MissingRequiredParameter"),
    ("SELECT FROM S3Object", "ParseEmptySelect"),
    ("SELECT _1", "ParseSelectMissingFrom"),
    ("SELECT _1 FROM S3Object WHERE (_1", "ParseExpectedRightParenBuiltinFunctionCall"),
    ("SELECT _1 b c FROM S3Object", "ParseUnexpectedToken"),
    ("SELECT 'unterminated FROM S3Object", "LexerInvalidChar"),
    ("SELECT _1 FROM S3Object; SELECT _2 FROM S3Object", "ParseUnexpectedToken"),
    ("DELETE FROM S3Object", "UnsupportedSqlOperation"),
    ("SELECT _1 FROM other", "UnsupportedSqlStructure"),
    ("SELECT * FROM S3Object[*].path", "UnsupportedSqlStructure"),  # CSV records have no paths
    ("SELECT * FROM S3Object[*].staff[*] s", "UnsupportedSqlStructure"),  # ... nor CSV arrays
    ("SELECT * FROM S3Object[*].staff[x] s", "ParseInvalidPathComponent"),
    ("SELECT _1 FROM S3Object s JOIN S3Object t ON s._1 = t._1", "ParseMalformedJoin"),
    ("SELECT _1, COUNT(*) FROM S3Object GROUP BY _1", "ParseExpectedIdentForGroupName"),
    ("SELECT _1 FROM S3Object ORDER BY _1", "UnsupportedSqlStructure"),
    ("SELECT _1 FROM S3Object WHERE _1 IN (SELECT _1 FROM S3Object)", "ParseUnsupportedSelect"),
    ("SELECT *, _1 FROM S3Object", "ParseAsteriskIsNotAloneInSelectList"),
    ("SELECT _0 FROM S3Object", "InvalidColumnIndex"),
    ("SELECT s.nope FROM S3Object s", "MissingHeaderName"),
    ("SELECT _1 FROM S3Object LIMIT -1", "EvaluatorNegativeLimit"),
    ("SELECT _1 FROM S3Object LIMIT 'a'", "ParseExpectedNumber"),
    ("SELECT ABS(_1) FROM S3Object", "UnsupportedFunction"),
    ("SELECT REGEXP_LIKE(_1, 'a') FROM S3Object", "UnsupportedFunction"),
    ("SELECT SUM(*) FROM S3Object", "ParseUnsupportedCallWithStar"),
    ("SELECT MAX(_1, _2) FROM S3Object", "ParseNonUnaryAgregateFunctionCall"),
    ("SELECT CAST(_1 AS DATE) FROM S3Object", "InvalidDataType"),
    ("SELECT DATE_ADD(week, 1, UTCNOW()) FROM S3Object", "ParseExpectedDatePart"),
    ("SELECT EXTRACT(WEEK FROM UTCNOW()) FROM S3Object", "ParseExpectedDatePart"),
    ("SELECT DATE_ADD(day, 1) FROM S3Object", "EvaluatorInvalidArguments"),
    ("SELECT TO_STRING(UTCNOW(), 'QQ') FROM S3Object", "EvaluatorInvalidTimestampFormatPatternSymbol"),
    ("SELECT TO_STRING(UTCNOW(), _1) FROM S3Object", "IllegalSqlFunctionArgument"),
    ("SELECT _1 FROM S3Object WHERE _1 = " + "'x' OR _1 = " * 30000 + "'y'", "ExpressionTooLong"),
])
def test_refusals_carry_s3_codes(s3_select, code):
    with pytest.raises(SelectError) as caught:
        translate(s3_select, CSV, NOW)
    assert caught.value.code == code
    assert code in ERRORS


def test_ambiguous_unquoted_header_is_refused_and_quoting_resolves_it():
    record = csv_record(["NAME", "name"])
    with pytest.raises(SelectError) as caught:
        translate("SELECT s.name FROM S3Object s", record, NOW)
    assert caught.value.code == "AmbiguousFieldName"
    assert translate('SELECT s."NAME" FROM S3Object s', record, NOW).sql == 'SELECT c1 AS "o1" FROM s3object'


def test_parquet_names_a_missing_column_as_an_error():
    record = parquet_record([("id", SCALAR)])
    assert translate("SELECT s.ID FROM S3Object s", record, NOW).sql == 'SELECT "id" AS "o1" FROM s3object'
    with pytest.raises(SelectError) as caught:
        translate("SELECT s.nope FROM S3Object s", record, NOW)
    assert caught.value.code == "EvaluatorBindingDoesNotExist"


@pytest.mark.parametrize("pattern,strftime", [
    ("y-MM-dd", "%Y-%m-%d"),
    ("MMMM d, y h:m a", "%B %-d, %Y %-I:%-M %p"),
    ("y-MM-dd'T'H:m:ssX", "%Y-%m-%dT%-H:%-M:%SZ"),
    ("yy MMM d 'o''clock' HH:mm:ss.SSS xxx", "%y %b %-d o'clock %H:%M:%S.%g +00:00"),
    ("h''mm", "%-I'%M"),
    ("100%", "100%%"),
])
def test_to_string_patterns(pattern, strftime):
    assert strftime_format(pattern) == strftime


# -- the rules whose meaning is S3 Select's, run on DuckDB ---------------------------------------------


@pytest.fixture(scope="module")
def con():
    cursor = connect()
    for macro in MACROS:
        cursor.execute(macro)
    yield cursor
    cursor.close()


@pytest.mark.parametrize("expression,value", [
    # SUBSTRING counts positions before 1 toward the length (DuckDB counts them from the end)
    ("SUBSTRING('123456789', 0)", "123456789"),
    ("SUBSTRING('123456789', -4)", "123456789"),
    ("SUBSTRING('123456789', 2)", "23456789"),
    ("SUBSTRING('123456789', 0, 999)", "123456789"),
    ("SUBSTRING('123456789', 1, 5)", "12345"),
    ("SUBSTRING('123456789' FROM -2 FOR 4)", "1"),
    ("SUBSTRING('123456789' FROM -4 FOR 2)", ""),
    # TRIM removes spaces only, or the characters given
    ("TRIM('   foobar   ')", "foobar"),
    ("TRIM('\tfoobar\t')", "\tfoobar\t"),
    ("TRIM(BOTH '12' FROM '1112211foobar22211122')", "foobar"),
    ("CHAR_LENGTH('abcdefg')", 7),
    # Ion timestamps, short forms included
    ("EXTRACT(MONTH FROM `2010T`)", 1),
    ("EXTRACT(MONTH FROM `2010-10T`)", 10),
    ("EXTRACT(DAY FROM TO_TIMESTAMP('2007-02-23T'))", 23),
    ("EXTRACT(HOUR FROM TO_TIMESTAMP('2007-02-23T12:14:33.079-08:00'))", 20),
    ("DATE_DIFF(year, `2010-01-01T`, `2011-01-01T`)", 1),
    ("DATE_DIFF(month, `2011T`, `2010T`)", -12),
    ("DATE_DIFF(day, `2010-01-01T23:00Z`, `2010-01-02T01:00Z`)", 0),
    ("EXTRACT(MONTH FROM DATE_ADD(month, 13, `2010T`))", 2),
    ("EXTRACT(YEAR FROM DATE_ADD(day, -1, `2017-01-01T`))", 2016),
    ("TO_STRING(`1969-07-20T20:18Z`, 'MMMM d, y h:m a')", "July 20, 1969 8:18 PM"),
    ("TO_STRING(`1969-07-20T20:18Z`, 'M-d-yy')", "7-20-69"),
    ("EXTRACT(YEAR FROM UTCNOW())", 2024),
    ("CAST('12' AS INT) + 1", 13),
    ("CAST('0.5' AS FLOAT) * 2", 1.0),
])
def test_rules_run_as_s3_select_defines_them(con, expression, value):
    sql = translate(f"SELECT {expression} FROM S3Object", CSV, NOW).sql
    result = con.execute(f"WITH s3object AS (SELECT 'a' AS c1, 'b' AS c2, 'c' AS c3) {sql}").fetchone()[0]
    assert result == value
