"""Stored procedures (CREATE/DROP/ALTER PROCEDURE, CALL, PL/pgSQL) over the cluster's endpoint, with
AWS's documentation examples; what a procedure did is read back from the tables afterwards."""

from __future__ import annotations

import pytest
from redshift_helpers import PASSWORD, client, connect, run_sql

from lakebox.testing import running_lakebox

#: AWS's CREATE PROCEDURE example: an IN, an INOUT and an OUT argument, a loop and SELECT INTO.
TEST_SP2 = """CREATE OR REPLACE PROCEDURE test_sp2(f1 IN int, f2 INOUT varchar(256), out_var OUT varchar(256))
AS $$
DECLARE
  loop_var int;
BEGIN
  IF f1 is null OR f2 is null THEN
    RAISE EXCEPTION 'input cannot be null';
  END IF;
  DROP TABLE if exists my_etl;
  CREATE TEMP TABLE my_etl(a int, b varchar);
    FOR loop_var IN 1..f1 LOOP
        insert into my_etl values (loop_var, f2);
        f2 := f2 || '+' || f2;
    END LOOP;
  SELECT INTO out_var count(*) from my_etl;
END;
$$ LANGUAGE plpgsql;"""


def _sqlstate(redshift, *statements):
    import redshift_connector

    with pytest.raises(redshift_connector.ProgrammingError) as error:
        run_sql(redshift, *statements)
    return error.value.args[0]["C"], error.value.args[0]["M"]


def _autocommit_error(redshift, sql):
    """The (SQLSTATE, message) of a statement run outside a transaction block (autocommit), as a
    procedure's own transaction management needs."""
    import redshift_connector

    conn = connect(redshift)
    try:
        conn.autocommit = True
        with pytest.raises(redshift_connector.ProgrammingError) as error:
            conn.cursor().execute(sql)
        return error.value.args[0]["C"], error.value.args[0]["M"]
    finally:
        conn.close()


def test_call_returns_the_inout_and_out_arguments_as_one_row(redshift, cluster):
    assert run_sql(redshift, TEST_SP2, "call test_sp2(2, '2019')") == [["2019+2019+2019+2019", "2"]]


def test_callproc_runs_the_procedure_and_its_loop_inserts_the_rows(redshift, cluster):
    run_sql(redshift, "create table events (n int, label varchar(20))",
            """create procedure fill_events(how_many int, prefix varchar) as $$
            declare
              i int := 0;
            begin
              while i < how_many loop
                i := i + 1;
                continue when i = 2;
                insert into events values (i, prefix || '-' || i);
              end loop;
            end;
            $$ language plpgsql""")
    conn = connect(redshift)
    try:
        cursor = conn.cursor()
        cursor.callproc("fill_events", [4, "ev"])
        conn.commit()
    finally:
        conn.close()
    assert run_sql(redshift, "select n, label from events order by n") == [[1, "ev-1"], [3, "ev-3"], [4, "ev-4"]]


def test_nested_call_passes_variables_through_inout_arguments(redshift, cluster):
    run_sql(redshift, """CREATE OR REPLACE PROCEDURE inner_proc(INOUT a int, b int, INOUT c int) LANGUAGE plpgsql
AS $$
BEGIN
  a := b * a;
  c := b * c;
END;
$$;""", """CREATE OR REPLACE PROCEDURE outer_proc(multiplier int) LANGUAGE plpgsql
AS $$
DECLARE
  x int := 3;
  y int := 4;
BEGIN
  DROP TABLE IF EXISTS test_tbl;
  CREATE TABLE test_tbl(a int, b varchar(256));
  CALL inner_proc(x, multiplier, y);
  insert into test_tbl values (x, y::varchar);
END;
$$;""", "CALL outer_proc(5)")
    assert run_sql(redshift, "select * from test_tbl") == [[15, "20"]]


def test_dynamic_sql_records_and_if_branches(redshift, cluster):
    run_sql(redshift, "create table audit (msg varchar(100))",
            """create procedure build(tbl varchar) as $$
            declare
              n int;
              r record;
            begin
              execute 'create table ' || tbl || ' (id int)';
              for i in 1..5 loop
                execute 'insert into ' || tbl || ' values (' || i || ')';
              end loop;
              execute 'select count(*) from ' || tbl into n;
              for r in execute 'select id from ' || tbl || ' where id > 3 order by id' loop
                if r.id = 4 then
                  insert into audit values ('four');
                elsif r.id > 4 then
                  insert into audit values ('big ' || r.id);
                else
                  insert into audit values ('other');
                end if;
              end loop;
              select max(id) into n from public.built;
              update built set id = id * 10 where id <= 2;
              get diagnostics n := row_count;
              insert into audit values ('updated ' || n || ' found ' || found);
            end;
            $$ language plpgsql""", "call build('built')")
    assert run_sql(redshift, "select id from built order by id") == [[3], [4], [5], [10], [20]]
    assert run_sql(redshift, "select msg from audit") == [["four"], ["big 5"], ["updated 2 found true"]]


def test_raise_exception_is_p0001_and_rolls_the_call_back(redshift, cluster):
    run_sql(redshift, "create table t (a int)",
            """create procedure fail_after_insert(v int) as $$
            begin
              insert into t values (v);
              raise exception 'bad value %: %', v, 'rejected';
            end;
            $$ language plpgsql""")
    assert _sqlstate(redshift, "call fail_after_insert(7)") == ("P0001", "bad value 7: rejected")
    assert run_sql(redshift, "select count(*) from t") == [[0]]


def test_raise_info_reaches_the_client_as_a_notice(redshift, cluster):
    run_sql(redshift, "create procedure hello(who varchar) as $$ begin raise info 'hello %', who; end; "
                      "$$ language plpgsql")
    conn = connect(redshift)
    try:
        conn.cursor().execute("call hello('world')")
        assert any(n.get(b"M") == b"hello world" for n in conn.notices)
    finally:
        conn.close()


def test_exception_handler_commits_its_own_work_then_raises_again(redshift, cluster):
    """Redshift's default (atomic) mode: the block's work is rolled back, the handler's is committed."""
    run_sql(redshift, "create table log (msg varchar(100))", "create table data (a int)",
            """create procedure guarded() as $$
            begin
              insert into data values (1);
              perform_nothing_here;
            exception when others then
              insert into log values ('failed: ' || sqlstate);
            end;
            $$ language plpgsql""",
            """create procedure guarded_nonatomic() nonatomic as $$
            begin
              begin
                insert into data values (2);
                select 1/0 into x_unused;
              exception when others then
                insert into log values ('caught: ' || sqlerrm);
              end;
              insert into data values (3);
            end;
            $$ language plpgsql""")
    code, _ = _autocommit_error(redshift, "call guarded()")
    assert code != "00000"
    assert run_sql(redshift, "select count(*) from data") == [[0]]
    assert run_sql(redshift, "select msg from log") == [[f"failed: {code}"]]
    conn = connect(redshift)
    try:
        conn.autocommit = True
        conn.cursor().execute("call guarded_nonatomic()")
    finally:
        conn.close()
    assert run_sql(redshift, "select a from data order by a") == [[2], [3]]


def test_commit_inside_a_procedure_keeps_work_a_later_error_rolls_back(redshift, cluster):
    run_sql(redshift, "create table steps (n int)",
            """create procedure staged() as $$
            begin
              insert into steps values (1);
              commit;
              insert into steps values (2);
              raise exception 'stop';
            end;
            $$ language plpgsql""")
    assert _autocommit_error(redshift, "call staged()")[0] == "P0001"
    assert run_sql(redshift, "select n from steps") == [[1]]
    conn = connect(redshift)
    try:
        cursor = conn.cursor()
        cursor.execute("begin")
        import redshift_connector
        with pytest.raises(redshift_connector.ProgrammingError) as error:
            cursor.execute("call staged()")
        assert error.value.args[0]["C"] == "2D000"
        conn.rollback()
    finally:
        conn.close()


def test_refcursor_result_set_is_fetched_in_the_same_transaction(redshift, cluster):
    run_sql(redshift, "create table fact_tbl (id int, v varchar(5))",
            "insert into fact_tbl values (1, 'a'), (2, 'b'), (3, 'c')",
            """CREATE PROCEDURE get_result_set (param IN integer, rs_out INOUT refcursor)
            AS $$
            BEGIN
              OPEN rs_out FOR SELECT * FROM fact_tbl where id >= param order by id;
            END;
            $$ LANGUAGE plpgsql;""")
    conn = connect(redshift)
    try:
        cursor = conn.cursor()
        cursor.execute("BEGIN")
        cursor.execute("CALL get_result_set(2, 'mycursor')")
        assert cursor.fetchall()[0][0] == "mycursor"
        cursor.execute("FETCH ALL FROM mycursor")
        assert [list(r) for r in cursor.fetchall()] == [[2, "b"], [3, "c"]]
        conn.commit()
    finally:
        conn.close()


def test_errors_for_unknown_duplicate_and_malformed_procedures(redshift, cluster):
    run_sql(redshift, TEST_SP2)
    assert _sqlstate(redshift, "call nothing_here(1)") == ("42883", "procedure nothing_here(integer) does not exist")
    assert _sqlstate(redshift, "call test_sp2(1)")[0] == "42883"
    assert _sqlstate(redshift, TEST_SP2.replace("CREATE OR REPLACE", "CREATE"))[0] == "42723"
    assert _sqlstate(redshift, "create procedure broken() as $$ begin if true then null; end; $$ "
                               "language plpgsql")[0] == "42601"
    assert _sqlstate(redshift, "drop procedure nothing_here(int)")[0] == "42883"
    run_sql(redshift, "drop procedure if exists nothing_here(int)")


def test_overloads_or_replace_rename_and_drop(redshift, cluster):
    run_sql(redshift, "create table picks (what varchar(20))",
            "create procedure pick(a int) as $$ begin insert into picks values ('int ' || a); end $$ language plpgsql",
            "create procedure pick(a varchar) as $$ begin insert into picks values ('text ' || a); end $$ "
            "language plpgsql",
            "call pick(1)", "call pick('x')",
            "create or replace procedure pick(a int) as $$ begin insert into picks values ('new ' || a); end $$ "
            "language plpgsql",
            "call pick(2)")
    assert run_sql(redshift, "select what from picks") == [["int 1"], ["text x"], ["new 2"]]
    assert _sqlstate(redshift, "drop procedure pick")[0] == "42725"
    run_sql(redshift, "drop procedure pick(int)", "alter procedure pick rename to chosen", "call chosen('y')")
    assert run_sql(redshift, "select what from picks where what = 'text y'") == [["text y"]]
    assert _sqlstate(redshift, "call pick('z')")[0] == "42883"


def test_a_procedure_survives_a_restart(tmp_path):
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        redshift.create_cluster(ClusterIdentifier="my-dw-cluster", NodeType="dc2.large", MasterUsername="admin",
                                MasterUserPassword=PASSWORD, DBName="analytics", ClusterType="single-node")
        run_sql(redshift, "create table kept (a int)",
                "create procedure add_kept(v int) as $$ begin insert into kept values (v * 2); end $$ "
                "language plpgsql")
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        run_sql(redshift, "call add_kept(21)")
        assert run_sql(redshift, "select a from kept") == [[42]]
