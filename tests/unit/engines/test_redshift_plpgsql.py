"""The PL/pgSQL parser: one procedure body in, its statement tree out; bodies Redshift cannot read
are 42601 at CREATE time."""

from __future__ import annotations

import pytest

from lakebox.engines.redshift import RedshiftError
from lakebox.engines.redshift import plpgsql_parse as p


def body(text):
    return p.parse(text).body


def test_declarations_take_defaults_by_assignment_equals_and_default():
    block = p.parse("DECLARE a int := 1; b varchar(20) = 'x;y'; c CONSTANT int DEFAULT 3; "
                    "d int NOT NULL := 0; r record; BEGIN NULL; END")
    assert [(d.name, d.type, d.default) for d in block.declarations] == [
        ("a", "int", "1"), ("b", "varchar(20)", "'x;y'"), ("c", "int", "3"), ("d", "int", "0"), ("r", "record", None)]
    assert block.declarations[2].constant and block.declarations[3].not_null


def test_alias_for_a_positional_argument():
    assert p.parse("DECLARE out_var ALIAS FOR $3; BEGIN NULL; END").declarations[0].alias_of == "$3"


def test_assignment_and_plain_sql_statements():
    assert body("BEGIN x := x + 1; y = 'a'; INSERT INTO t VALUES (x); END") == [
        p.Assign("x", "x + 1"), p.Assign("y", "'a'"), p.Sql("INSERT INTO t VALUES (x)")]


def test_select_into_is_cut_out_of_the_query():
    assert body("BEGIN SELECT INTO n count(*) FROM t; SELECT a, b INTO STRICT x, y FROM t; END") == [
        p.Sql("SELECT   count(*) FROM t", ["n"]), p.Sql("SELECT a, b   FROM t", ["x", "y"], True)]


def test_if_elsif_else():
    statement, = body("BEGIN IF a > 1 THEN NULL; ELSIF a = 1 THEN RETURN; ELSE a := 0; END IF; END")
    assert statement == p.If([("a > 1", [p.Null()]), ("a = 1", [p.Return()])], [p.Assign("a", "0")])


def test_case_forms():
    simple, searched = body("BEGIN CASE x WHEN 1, 2 THEN NULL; ELSE NULL; END CASE; "
                            "CASE WHEN x > CASE WHEN y THEN 1 ELSE 2 END THEN NULL; END CASE; END")
    assert simple == p.Case("x", [("1, 2", [p.Null()])], [p.Null()])
    assert searched.branches[0][0] == "x > CASE WHEN y THEN 1 ELSE 2 END"


def test_loops():
    loop, while_, range_, query, dynamic = body(
        "BEGIN <<outer>> LOOP EXIT outer WHEN i > 3; CONTINUE; END LOOP outer; "
        "WHILE i < 10 LOOP i := i + 1; END LOOP; "
        "FOR i IN REVERSE 10..1 BY 2 LOOP NULL; END LOOP; "
        "FOR r IN SELECT * FROM t LOOP NULL; END LOOP; "
        "FOR r IN EXECUTE 'select ' || n LOOP NULL; END LOOP; END")
    assert loop == p.Loop([p.Exit("EXIT", "outer", "i > 3"), p.Exit("CONTINUE")], "outer")
    assert while_.condition == "i < 10"
    assert range_ == p.ForRange("i", "10", "1", "2", True, [p.Null()])
    assert query == p.ForQuery("r", "SELECT * FROM t", False, [p.Null()])
    assert dynamic == p.ForQuery("r", "'select ' || n", True, [p.Null()])


def test_raise_execute_diagnostics_call_and_transactions():
    assert body("BEGIN RAISE INFO 'a % b %', x, (1 + 2); RAISE 'plain'; EXECUTE 'select 1' INTO n; "
                "GET DIAGNOSTICS n := ROW_COUNT; CALL s.inner(x, 2); COMMIT; ROLLBACK; END") == [
        p.Raise("INFO", "a % b %", ["x", "(1 + 2)"]), p.Raise("EXCEPTION", "plain"), p.Execute("'select 1'", ["n"]),
        p.GetDiagnostics([("n", "ROW_COUNT")]), p.Call("s.inner", ["x", "2"]), p.Transaction("COMMIT"),
        p.Transaction("ROLLBACK")]


def test_nested_block_with_exception_handler():
    block, = body("BEGIN BEGIN x := 1/0; EXCEPTION WHEN OTHERS THEN RAISE; END; END")
    assert block.handler == [p.Raise(None)]


def test_cursor_statements():
    assert body("BEGIN OPEN c FOR SELECT 1; FETCH c INTO x; CLOSE c; END") == [
        p.Open("c", "SELECT 1"), p.Fetch("c", ["x"]), p.Close("c")]


@pytest.mark.parametrize("text, code", [
    ("BEGIN IF x THEN NULL; END; END", "42601"),
    ("BEGIN LOOP NULL; END IF; END", "42601"),
    ("BEGIN RAISE INFO 'a %'; END", "42601"),
    ("BEGIN EXECUTE 'x' USING 1; END", "0A000"),
    ("BEGIN NULL; EXCEPTION WHEN division_by_zero THEN NULL; END", "0A000"),
    ("BEGIN NULL;", "42601"),
])
def test_bodies_redshift_cannot_read(text, code):
    with pytest.raises(RedshiftError) as error:
        p.parse(text)
    assert error.value.sqlstate == code
