"""Redshift's answers where DuckDB's would differ, over the cluster's endpoint with redshift_connector:
integer division, AVG and SUM of integers, SIMILAR TO and LIKE's escape, RATIO_TO_REPORT, the date
functions given string literals (ADD_MONTHS, MONTHS_BETWEEN, DATEADD at a month's end), TO_CHAR's
datetime templates, LOCK, MERGE's INSERT VALUES, a few functions DuckDB lacks, and the system views
STV_SESSIONS, SVL_QLOG, STV_TBL_PERM and SVV_DISKUSAGE. Expected values are those of AWS's pages."""

from __future__ import annotations

import datetime as dt
import decimal
import time

import pytest
from redshift_helpers import connect
from redshift_helpers import rows as _rows


def _sqlstate(cursor, sql: str) -> tuple:
    import redshift_connector

    with pytest.raises(redshift_connector.ProgrammingError) as error:
        cursor.execute(sql)
    return error.value.args[0]["C"], error.value.args[0]["M"]


def test_integer_division_truncates_and_other_division_does_not(cursor):
    assert _rows(cursor, "select 10/3, -7/2, 7::bigint/2, 1/3*3, 7 % 3") == [[3, -3, 3, 0, 1]]
    # INTEGER / DECIMAL(2,1) is a DECIMAL with scale max(4, 0 + 2 - 1 + 1) (numeric computations).
    fractional = _rows(cursor, "select 10/3.0, 5::float/2, 10::float/4")[0]
    assert fractional == [decimal.Decimal("3.3333"), 2.5, 2.5]
    cursor.execute("create table pairs (a int, b bigint)")
    cursor.execute("insert into pairs values (7, 2), (-7, 2), (9, 10)")
    assert _rows(cursor, "select a / b, a / 2.0 from pairs order by a") == [[-3, -3.5], [3, 3.5], [0, 4.5]]


def test_division_by_zero_is_sqlstate_22012(cursor):
    for sql in ("select 1/0", "select 1.0/0", "select 5::float/0", "select 7 % 0"):
        assert _sqlstate(cursor, sql) == ("22012", "division by zero"), sql


def test_avg_of_integers_is_a_truncated_bigint_and_sum_a_bigint(cursor):
    cursor.execute("create table nums (g int, x int, d decimal(5,2), f float)")
    cursor.execute("insert into nums values (1, 1, 1.00, 1.0), (1, 2, 2.00, 2.0), (2, -7, 0.50, 0.5), (2, 0, 0.25, 0.5)")
    # AVG of integers truncates toward zero (-7/2 is -3); of a float or a decimal it does not.
    rows = _rows(cursor, "select g, avg(x), sum(x), avg(distinct x), avg(f), avg(d) from nums group by g order by g")
    assert [row[:5] for row in rows] == [[1, 1, 3, 1, 1.5], [2, -3, -7, -3, 0.5]]
    # AVG of a DECIMAL(5,2) is a DECIMAL(38,2) (AWS's AVG page): 0.375 rounds to 0.38.
    assert [row[5] for row in rows] == [decimal.Decimal("1.50"), decimal.Decimal("0.38")]
    assert all(type(value) is int for row in rows for value in row[1:4])
    assert _rows(cursor, "select x, avg(x) over (partition by g), sum(x) over (partition by g) from nums "
                         "order by x") == [[-7, -3, -7], [0, -3, -7], [1, 1, 3], [2, 1, 3]]
    assert _rows(cursor, "select avg(x) from nums where x > 100") == [[None]]


def test_similar_to_takes_sql_regular_expressions(cursor):
    assert _rows(cursor, "select 'a' similar to 'a%', 'abc' similar to '_b_', 'abc' similar to 'ab', "
                         "'abc' not similar to 'a%', 'a.c' similar to 'a.c', 'abc' similar to 'a.c', "
                         "'abc' similar to '%(b|d)%', 'AbC' similar to 'a%'") == [
        [True, True, False, False, True, False, True, False]]
    cursor.execute("create table names (name varchar(30), pattern varchar(30))")
    cursor.execute("insert into names values ('Agoura Hills', '%H%'), ('Chicago', '%E%'), ('idle_start_time', '%x%'), "
                   "('start', 'st_rt')")
    # AWS's examples: a pattern with alternatives, the default escape and an ESCAPE clause.
    assert _rows(cursor, "select name from names where name similar to '%E%|%H%' order by 1") == [["Agoura Hills"]]
    assert _rows(cursor, "select name from names where name similar to '%start\\\\_%'") == [["idle_start_time"]]
    assert _rows(cursor, "select name from names where name similar to '%start^_%' escape '^'") == [
        ["idle_start_time"]]
    # A pattern from a column, matched row by row.
    assert _rows(cursor, "select name from names where name similar to pattern order by 1") == [
        ["Agoura Hills"], ["start"]]


def test_like_escapes_with_a_backslash_by_default(cursor):
    assert _rows(cursor, "select 'x_y' like 'x\\\\_y', 'xay' like 'x\\\\_y', 'x%y' ilike 'X\\\\%Y', "
                         "'xay' like 'x#_y' escape '#', 'abc' like 'a%'") == [[True, False, True, False, True]]


def test_ratio_to_report_is_the_share_of_the_partition(cursor):
    cursor.execute("create table winsales (sellerid int, qty int)")
    cursor.execute("insert into winsales values (1, 10), (1, 30), (2, 5), (3, 0), (3, 20), (3, 30)")
    rows = _rows(cursor, "select sellerid, qty, ratio_to_report(qty) over (partition by sellerid) from winsales "
                         "order by sellerid, qty")
    assert rows == [[1, 10, 0.25], [1, 30, 0.75], [2, 5, 1.0], [3, 0, 0.0], [3, 20, 0.4], [3, 30, 0.6]]
    assert _rows(cursor, "select qty, ratio_to_report(qty) over () from winsales where sellerid = 1 order by qty") == [
        [10, 0.25], [30, 0.75]]
    cursor.execute("select ratio_to_report(qty) over (partition by sellerid) from winsales")
    assert cursor.description[0][0] == "ratio_to_report"


def test_date_functions_cast_string_literals(cursor):
    assert _rows(cursor, "select last_day('2024-02-10'), date_trunc('month', '2024-02-10'), "
                         "extract(month from '2024-02-10'), date_part(dow, '2024-02-10'), "
                         "next_day('2024-02-10', 'Monday'), date_part_year('2024-02-10'), "
                         "datediff(day, '2024-01-01', '2024-03-01')") == [
        [dt.date(2024, 2, 29), dt.datetime(2024, 2, 1), 2, 6, dt.date(2024, 2, 12), 2024, 60]]


def test_add_months_and_dateadd_at_a_months_end(cursor):
    # AWS's ADD_MONTHS and DATEADD pages.
    assert _rows(cursor, "select add_months('2008-03-31', 1), add_months('2008-04-30', 1), "
                         "add_months('2008-01-01 05:07:30', 1), add_months('2024-01-31', 1)") == [
        [dt.datetime(2008, 4, 30), dt.datetime(2008, 5, 31), dt.datetime(2008, 2, 1, 5, 7, 30),
         dt.datetime(2024, 2, 29)]]
    assert _rows(cursor, "select dateadd(month, 1, '2008-04-30'), dateadd(month, 18, '2008-02-28'), "
                         "dateadd(m, 30, '2008-02-28'), dateadd(month, 12, '2016-02-29'), "
                         "dateadd(year, 1, '2016-02-29')") == [
        [dt.datetime(2008, 5, 30), dt.datetime(2009, 8, 28), dt.datetime(2008, 2, 28, 0, 30),
         dt.datetime(2017, 2, 28), dt.datetime(2017, 3, 1)]]
    cursor.execute("select dateadd(day, 1, '2008-02-28'), add_months('2008-02-28', 1)")
    assert [d[0] for d in cursor.description] == ["date_add", "add_months"]


def test_months_between_counts_days_and_time_over_a_31_day_month(cursor):
    rows = _rows(cursor, "select months_between('1969-01-18', '1969-03-18'), months_between('2024-03-01', "
                         "'2024-01-01'), months_between('2014-08-31', '2014-09-30'), "
                         "months_between('2008-12-25 15:00:00', '2008-01-21 19:30:00'), "
                         "months_between('2008-12-01 19:30:00', '2008-01-03 15:00:00')")
    assert rows[0][:3] == [-2.0, 2.0, -1.0]
    # AWS shows these two (first and last showings of an event) as 11.12 and 10.94.
    assert [round(value, 2) for value in rows[0][3:]] == [11.12, 10.94]


def test_to_char_reads_redshifts_datetime_templates(cursor):
    assert _rows(cursor, "select to_char(timestamp '2024-02-10 13:04:05.123456', 'Dy, DD Mon YYYY HH12:MI AM'), "
                         "to_char(date '2024-02-10', 'MONTH'), to_char(date '2024-02-10', 'FMMonth D Q WW DDD'), "
                         "to_char(timestamp '2024-02-10 13:04:05.123456', 'HH24:MI:SS.MS US'), "
                         "to_char(date '2024-02-10', 'YYYY-MM-DD'), to_char(12.5, '99D99')") == [
        ["Sat, 10 Feb 2024 01:04 PM", "FEBRUARY ", "February 7 1 06 041", "13:04:05.123 123456", "2024-02-10",
         " 12.50"]]


def test_lock_checks_its_tables_and_holds_until_commit(cluster, redshift):
    import awswrangler as wr
    import pandas as pd

    conn = connect(redshift)
    try:
        cursor = conn.cursor()
        cursor.execute("create schema etl")
        cursor.execute("create table events (id int)")
        cursor.execute("create table etl.runs (id int)")
        conn.commit()
        cursor.execute("lock events")
        cursor.execute("lock table events, etl.runs")
        cursor.execute("insert into events values (1)")
        conn.commit()
        assert _sqlstate(cursor, "lock nothere") == ("42P01", 'relation "nothere" does not exist')
        conn.rollback()
        # awswrangler's to_sql(lock=True) sends LOCK "public"."events" in its transaction.
        wr.redshift.to_sql(pd.DataFrame({"id": [2, 3]}), con=conn, table="events", schema="public", mode="append",
                           lock=True, use_column_names=True)
        assert _rows(cursor, "select id from events order by id") == [[1], [2], [3]]
    finally:
        conn.close()


def test_merge_inserts_values_without_a_column_list(cursor):
    cursor.execute("create table target (id int, qty int)")
    cursor.execute("create table source (id int, qty int)")
    cursor.execute("insert into target values (1, 10), (2, 20)")
    cursor.execute("insert into source values (2, 22), (3, 33)")
    cursor.execute("merge into target using source on target.id = source.id "
                   "when matched then update set qty = source.qty "
                   "when not matched then insert values (source.id, source.qty)")
    assert _rows(cursor, "select id, qty from target order by id") == [[1, 10], [2, 22], [3, 33]]


def test_functions_duckdb_lacks(cursor):
    # The examples of AWS's FNV_HASH, CRC32, TO_NUMBER, QUOTE_IDENT and JSON pages.
    assert _rows(cursor, "select fnv_hash(1), fnv_hash('Amazon Redshift'), fnv_hash('Amazon Redshift', fnv_hash(1)), "
                         "fnv_hash(1::smallint), fnv_hash(1::bigint), fnv_hash('cd', fnv_hash('ab'))") == [
        [-5968735742475085980, 7783490368944507294, -2202602717770968555, 589727492704079044,
         -8517097267634966620, -281581062704388899]]
    assert _rows(cursor, "select crc32('Amazon Redshift'), quote_ident('MLB'), quote_ident('plain'), "
                         "quote_literal('it''s'), bpcharcmp('Rafael', 'Taylor'), bpcharcmp('Vladimir', 'Humphrey'), "
                         "json_extract_array_element_text('[111,112,113]', 2), "
                         "json_extract_array_element_text('[1,2]', 5)") == [
        ["f2726906", '"MLB"', "plain", "'it''s'", -1, 1, "113", ""]]
    assert _rows(cursor, "select to_number('1,234.50', '9,999.99'), to_number('$ 12,454.8-', 'L 99G999D9S')") == [
        [decimal.Decimal("1234.50"), decimal.Decimal("-12454.8")]]
    assert _sqlstate(cursor, "select to_number('abc', '999')")[0] == "22P02"
    assert _rows(cursor, "select regexp_instr('abcabc', 'c', 1, 2), dexp(0), dlog10(100)") == [[6, 1.0, 2.0]]


def test_stv_sessions_lists_the_open_connections(cluster, redshift):
    first, second = connect(redshift), connect(redshift)
    try:
        pids = []
        for conn in (first, second):
            cursor = conn.cursor()
            cursor.execute("select pg_backend_pid()")
            pids.append(cursor.fetchall()[0][0])
        assert pids[0] != pids[1]
        sessions = _rows(first.cursor(), "select process, user_name, db_name, timeout_sec from stv_sessions "
                                         "order by process")
        assert [row for row in sessions if row[0] in pids] == [[pid, "admin", "analytics", 0] for pid in sorted(pids)]
        second.close()  # the server ends the session when it reads the Terminate message, a moment later
        deadline = time.monotonic() + 10
        remaining = [row[0] for row in _rows(first.cursor(), "select process from stv_sessions")]
        while pids[1] in remaining and time.monotonic() < deadline:
            time.sleep(0.05)
            remaining = [row[0] for row in _rows(first.cursor(), "select process from stv_sessions")]
        assert pids[0] in remaining and pids[1] not in remaining
        started = _rows(first.cursor(), f"select starttime from stv_sessions where process = {pids[0]}")[0][0]
        assert abs(started - dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)) < dt.timedelta(minutes=5)
    finally:
        first.close()


def test_svl_qlog_logs_queries_with_their_elapsed_time(cursor):
    cursor.execute("select 42 as answer, 'a fairly long piece of text to make the query longer than sixty'")
    with pytest.raises(Exception):
        cursor.execute("select * from no_such_table")
    cursor.execute("select pg_backend_pid()")
    pid = cursor.fetchall()[0][0]
    rows = _rows(cursor, f"select query, pid, elapsed, aborted, label, substring from svl_qlog where pid = {pid} "
                         "order by query")
    texts = [row[5] for row in rows]
    first = texts.index("select 42 as answer, 'a fairly long piece of text to make th")
    assert len(texts[first]) == 60
    assert rows[first][1:5:2] == [pid, 0] and rows[first][2] >= 0 and rows[first][4] == "default"
    assert [row[3] for row in rows if row[5] == "select * from no_such_table"] == [1]
    assert rows[first][0] < rows[-1][0]


def test_stv_tbl_perm_and_svv_diskusage_describe_the_tables(cursor):
    cursor.execute("create table facts (id int, amount bigint, note varchar(10)) diststyle even backup no")
    cursor.execute("create table dims (id int) distkey(id) sortkey(id)")
    cursor.execute("create table empty_one (id int)")
    cursor.execute("insert into facts values (1, -50, 'a'), (2, 70, 'b'), (3, 5, null)")
    cursor.execute("insert into dims values (9)")
    perm = _rows(cursor, "select slice, name, rows, sorted_rows, temp, backup, dist_style, block_count > 0 "
                         "from stv_tbl_perm where name in ('facts', 'dims', 'empty_one') order by name")
    assert perm == [[0, "dims", 1, 1, 0, 1, 1, True], [0, "empty_one", 0, 0, 0, 1, 10, False],
                    [0, "facts", 3, 3, 0, 0, 0, True]]
    ids = dict(_rows(cursor, "select name, id from stv_tbl_perm"))
    assert _rows(cursor, "select table_id from svv_table_info where \"table\" = 'facts'") == [[ids["facts"]]]
    usage = _rows(cursor, "select name, col, tbl, blocknum, num_values, minvalue, maxvalue from svv_diskusage "
                          "where name = 'facts' order by col")
    # Three columns of its own, then Redshift's hidden INSERT_XID, DELETE_XID and ROW_ID.
    assert usage == [["facts", 0, ids["facts"], 0, 3, 1, 3], ["facts", 1, ids["facts"], 0, 3, -50, 70],
                     ["facts", 2, ids["facts"], 0, 3, 0, 0], ["facts", 3, ids["facts"], 0, 3, 0, 0],
                     ["facts", 4, ids["facts"], 0, 3, 0, 0], ["facts", 5, ids["facts"], 0, 3, 0, 0]]
    assert _rows(cursor, "select count(*) from svv_diskusage where name = 'empty_one'") == [[0]]
    database_id = _rows(cursor, "select oid from pg_database where datname = 'analytics'")[0][0]
    assert _rows(cursor, "select distinct db_id from svv_diskusage") == [[database_id]]


def test_unnamed_result_columns_are_named_as_postgres_names_them(cursor):
    """A function after itself, a cast after what it casts or else its type's internal name, CASE
    `case`, anything else `?column?` (the names clients such as pandas take for the columns)."""
    cursor.execute("create table named (price decimal(8,2))")
    cursor.execute("insert into named values (1.5)")
    cursor.execute("select price::int, '12'::int, 1.5::decimal(5,1), timestamp '2024-01-01 10:00', "
                   "date '2024-01-01', case when price > 1 then 'a' end, price * 2, interval '1 day', "
                   "coalesce(price, 0) from named")
    assert [d[0] for d in cursor.description] == ["price", "int4", "numeric", "timestamp", "date", "case",
                                                  "?column?", "interval", "coalesce"]
    assert [list(r) for r in cursor.fetchall()] == [[2, 12, decimal.Decimal("1.5"), dt.datetime(2024, 1, 1, 10, 0),
                                                     dt.date(2024, 1, 1), "a", decimal.Decimal("3.00"),
                                                     dt.timedelta(days=1), decimal.Decimal("1.50")]]
    cursor.execute("select sum(price)::int, count(*)::varchar from named")
    assert [d[0] for d in cursor.description] == ["sum", "count"]
    assert [list(r) for r in cursor.fetchall()] == [[2, "1"]]
