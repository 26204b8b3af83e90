"""PL/pgSQL run: a procedure's tree (`plpgsql_parse`) walked statement by statement.

Variables live in nested scopes, one per block and loop. Expressions, conditions and the procedure's
SQL statements are run as SQL by the host (`procedures`), with every variable they name replaced by a
literal of its value, as PL/pgSQL binds them: `x := a + 1` runs `SELECT CAST((2 + 1) AS integer)`;
a record's field (`rec.col`) is replaced the same way. EXECUTE runs the string it is given as it is.

The host runs SQL through the database's own dispatch (so COPY, UNLOAD, CREATE TABLE ... all work),
commits and rolls back, calls nested procedures, keeps the cursors and hears the RAISE notices.
Imports only this package.
"""

from __future__ import annotations

import datetime
import decimal
import math
from dataclasses import dataclass
from typing import Any, Optional, Protocol

from . import RedshiftError
from . import plpgsql_parse as ast
from .results import Result

#: Redshift's limit on nested CALLs.
MAX_DEPTH = 16
_RECORD, _CURSOR = "record", "refcursor"


class Host(Protocol):
    nonatomic: bool

    def sql(self, text: str) -> Result: ...
    def transaction(self, verb: str) -> None: ...
    def enter_handler(self) -> None: ...
    def leave_handler(self) -> None: ...
    def call(self, name: str, values: list, depth: int) -> list: ...
    def notice(self, level: str, message: str) -> None: ...
    def open_cursor(self, name: str, result: Result) -> None: ...
    def fetch_cursor(self, name: str) -> Optional[tuple]: ...
    def close_cursor(self, name: str) -> None: ...


@dataclass
class Variable:
    type: str                         # as declared: "int", "varchar(20)", "record", "refcursor"
    value: Any = None
    constant: bool = False
    cursor_query: Optional[str] = None


class _Exit(Exception):
    def __init__(self, kind: str, label: Optional[str]):
        super().__init__(kind)
        self.kind, self.label = kind, label


class _Return(Exception):
    pass


class Interpreter:
    """One CALL of one procedure: `run(block, arguments)` runs the body with the arguments as its
    outermost variables, and leaves their final values in those Variables (for INOUT and OUT)."""

    def __init__(self, host: Host, depth: int = 1):
        self.host, self.depth = host, depth
        self.scopes: list[dict[str, Variable]] = []
        self.row_count = 0
        self.found = False
        self.portals = 0
        self.error: Optional[RedshiftError] = None  # the error a handler is handling, for RAISE;

    def run(self, block: ast.Block, arguments: dict[str, Variable]) -> None:
        self.scopes.append(arguments)
        try:
            self.block(block)
        except _Return:
            pass
        except _Exit as exit_:
            raise RedshiftError(f"{exit_.kind} cannot be used outside a loop", "42601") from None

    # -- variables -----------------------------------------------------------------------------

    def lookup(self, name: str) -> Optional[Variable]:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def assign(self, target: str, value: Any, cast: bool = False) -> None:
        """Set a variable (or a record's field, `rec.col`); `cast`: coerce the value to its type by SQL."""
        base, _, field_ = target.partition(".")
        variable = self.lookup(base)
        if variable is None:
            raise RedshiftError(f'"{target}" is not a known variable', "42601")
        if variable.constant:
            raise RedshiftError(f'variable "{target}" is declared CONSTANT', "22005")
        if field_:
            if not isinstance(variable.value, dict):
                raise RedshiftError(f'record "{base}" is not assigned yet', "55000")
            variable.value[field_] = value
            return
        if cast and value is not None and variable.type.lower() not in (_RECORD, _CURSOR):
            value = self.evaluate(literal(value), variable.type)
        variable.value = value

    def declare(self, declaration: ast.Declaration, scope: dict) -> None:
        if declaration.alias_of is not None:
            target = self.lookup(declaration.alias_of)
            if target is None:
                raise RedshiftError(f'variable "{declaration.alias_of}" does not exist', "42704")
            scope[declaration.name] = target
            return
        kind = declaration.type.strip()
        if kind.lower().endswith("%type"):
            kind = self._type_of(kind[:-5])
        variable = Variable(kind, None, declaration.constant, declaration.cursor_query)
        scope[declaration.name] = variable
        if declaration.default is not None:
            variable.value = self.evaluate(declaration.default, kind)
        if declaration.not_null and variable.value is None:
            raise RedshiftError(f'variable "{declaration.name}" declared NOT NULL cannot default to NULL',
                                "22004")

    def _type_of(self, reference: str) -> str:
        """The type of `table.column%TYPE` or `variable%TYPE`."""
        variable = self.lookup(reference.strip().lower())
        if variable is not None:
            return variable.type
        table, _, column = reference.strip().rpartition(".")
        result = self.host.sql(f"SELECT {column} FROM {table} LIMIT 0")
        return result.columns[0].type_name if result.columns else "varchar"

    # -- expressions ---------------------------------------------------------------------------

    def substitute(self, text: str) -> str:
        """`text` with each variable it names replaced by a literal of its value."""
        tokens = ast.tokenize(text)
        out, last = [], 0
        i = 0
        while i < len(tokens):
            token = tokens[i]
            previous = tokens[i - 1].text if i else ""
            following = tokens[i + 1].text if i + 1 < len(tokens) else ""
            replacement, consumed = None, 1
            if token.kind in ("word", "qident", "param") and previous != "." and following != "(":
                name = token.text.lower() if token.kind != "qident" else token.text[1:-1]
                replacement, consumed = self._value_of(name, tokens, i)
            if replacement is not None:
                out.append(text[last:token.start])
                out.append(replacement)
                last = tokens[i + consumed - 1].end
            i += consumed
        out.append(text[last:])
        return "".join(out)

    def _value_of(self, name: str, tokens: list, i: int) -> tuple[Optional[str], int]:
        if name == "found" and self.lookup(name) is None:
            return ("TRUE" if self.found else "FALSE"), 1
        variable = self.lookup(name)
        if variable is None:
            return None, 1
        if isinstance(variable.value, dict) or variable.type.lower() == _RECORD:
            if i + 2 < len(tokens) and tokens[i + 1].text == ".":
                field_ = ast._ident(tokens[i + 2])
                if not isinstance(variable.value, dict):
                    raise RedshiftError(f'record "{name}" is not assigned yet', "55000")
                if field_ not in variable.value:
                    raise RedshiftError(f'record "{name}" has no field "{field_}"', "42703")
                return literal(variable.value[field_]), 3
            raise RedshiftError(f'record "{name}" used as a value', "0A000")
        return literal(variable.value, variable.type), 1

    def query(self, text: str) -> Result:
        return self.host.sql(self.substitute(text))

    def evaluate(self, expr: str, kind: Optional[str] = None) -> Any:
        """The value of an expression, cast to `kind` when one is given."""
        sql = self.substitute(expr)
        if kind and kind.lower() not in (_RECORD, _CURSOR):
            sql = f"CAST(({sql}) AS {kind})"
        result = self.host.sql(f"SELECT {sql}")
        if len(result.columns) != 1:
            raise RedshiftError(f'query "SELECT {expr}" returned {len(result.columns)} columns', "42601")
        if len(result.rows) > 1:
            raise RedshiftError(f'query "SELECT {expr}" returned more than one row', "21000")
        return result.rows[0][0] if result.rows else None

    def condition(self, expr: str) -> bool:
        return self.evaluate(expr) is True

    def evaluate_all(self, exprs: list) -> list:
        if not exprs:
            return []
        result = self.host.sql("SELECT " + ", ".join(f"({self.substitute(e)})" for e in exprs))
        return list(result.rows[0]) if result.rows else [None] * len(exprs)

    # -- statements ----------------------------------------------------------------------------

    def statements(self, body: list) -> None:
        for statement in body:
            getattr(self, "do_" + type(statement).__name__.lower())(statement)

    def block(self, block: ast.Block) -> None:
        scope: dict = {}
        self.scopes.append(scope)
        try:
            for declaration in block.declarations:
                self.declare(declaration, scope)
            if block.handler is None:
                self.statements(block.body)
                return
            try:
                self.statements(block.body)
            except RedshiftError as error:
                self.handle(block, error)
        except _Exit as exit_:
            if exit_.kind == "EXIT" and exit_.label is not None and exit_.label == block.label:
                return
            raise
        finally:
            self.scopes.pop()

    def handle(self, block: ast.Block, error: RedshiftError) -> None:
        """Redshift's EXCEPTION WHEN OTHERS: the transaction is rolled back and the handler runs in a
        new one; in a procedure of the default (atomic) mode it is then committed and the error is
        raised again; a NONATOMIC procedure goes on after the block."""
        self.host.enter_handler()
        outer = self.error
        self.error = error
        self.scopes.append({"sqlerrm": Variable("varchar", error.message),
                            "sqlstate": Variable("varchar", error.sqlstate)})
        try:
            self.statements(block.handler)
        finally:
            self.scopes.pop()
            self.error = outer
        self.host.leave_handler()
        if not self.host.nonatomic:
            raise error

    def do_block(self, block: ast.Block) -> None:
        self.block(block)

    def do_assign(self, statement: ast.Assign) -> None:
        base = statement.target.partition(".")[0]
        variable = self.lookup(base)
        if variable is None:
            raise RedshiftError(f'"{statement.target}" is not a known variable', "42601")
        kind = None if "." in statement.target else variable.type
        self.assign(statement.target, self.evaluate(statement.expr, kind))

    def do_null(self, statement: ast.Null) -> None:
        pass

    def do_return(self, statement: ast.Return) -> None:
        raise _Return()

    def do_if(self, statement: ast.If) -> None:
        for condition, body in statement.branches:
            if self.condition(condition):
                self.statements(body)
                return
        if statement.otherwise is not None:
            self.statements(statement.otherwise)

    def do_case(self, statement: ast.Case) -> None:
        for condition, body in statement.branches:
            test = (f"({statement.subject}) IN ({condition})" if statement.subject is not None else condition)
            if self.condition(test):
                self.statements(body)
                return
        if statement.otherwise is None:
            raise RedshiftError("case not found", "20000")
        self.statements(statement.otherwise)

    def do_loop(self, statement: ast.Loop) -> None:
        while statement.condition is None or self.condition(statement.condition):
            if not self._iteration(statement.body, statement.label):
                return

    def _iteration(self, body: list, label: Optional[str]) -> bool:
        """Run a loop's body once: False when an EXIT leaves this loop."""
        try:
            self.statements(body)
        except _Exit as exit_:
            if exit_.label is not None and exit_.label != label:
                raise
            return exit_.kind == "CONTINUE"
        return True

    def do_forrange(self, statement: ast.ForRange) -> None:
        low, high = (self.evaluate(statement.low, "integer"), self.evaluate(statement.high, "integer"))
        step = self.evaluate(statement.step, "integer") if statement.step else 1
        if low is None or high is None or step is None:
            raise RedshiftError("lower and upper bounds of FOR loop cannot be null", "22004")
        if step <= 0:
            raise RedshiftError("BY value of FOR loop must be greater than zero", "22023")
        counter = Variable("integer")
        self.scopes.append({statement.var: counter})
        try:
            value = high if statement.reverse else low
            self.found = False
            while (value >= low) if statement.reverse else (value <= high):
                counter.value = value
                self.found = True
                if not self._iteration(statement.body, statement.label):
                    break
                value = value - step if statement.reverse else value + step
        finally:
            self.scopes.pop()

    def do_forquery(self, statement: ast.ForQuery) -> None:
        if statement.dynamic:
            result = self.host.sql(self._dynamic(statement.query))
        else:
            result = self.query(statement.query)
        names = [c.name for c in result.columns]
        target = self.lookup(statement.var)
        scope: dict = {}
        if target is None:
            target = scope[statement.var] = Variable(_RECORD)
        self.scopes.append(scope)
        try:
            self.found = False
            for row in result.rows:
                self.found = True
                target.value = dict(zip(names, row)) if target.type.lower() == _RECORD else row[0]
                if not self._iteration(statement.body, statement.label):
                    break
        finally:
            self.scopes.pop()

    def do_exit(self, statement: ast.Exit) -> None:
        if statement.condition is None or self.condition(statement.condition):
            raise _Exit(statement.kind, statement.label)

    def do_raise(self, statement: ast.Raise) -> None:
        if statement.level is None:
            if self.error is None:
                raise RedshiftError("RAISE without parameters cannot be used outside an exception handler",
                                    "0Z002")
            raise self.error
        values = iter(self.evaluate_all(statement.args))
        message = _format(statement.message, values)
        if statement.level == "EXCEPTION":
            raise RedshiftError(message, "P0001")
        self.host.notice(statement.level, message)

    def do_sql(self, statement: ast.Sql) -> None:
        first = statement.text.split(None, 1)[0].upper() if statement.text.split() else ""
        result = self.query(statement.text)
        self._after_sql(result, statement.into, statement.strict,
                        no_destination=first == "SELECT" and not statement.into)

    def _after_sql(self, result: Result, into: list, strict: bool, no_destination: bool = False) -> None:
        if no_destination and result.columns:
            raise RedshiftError("query has no destination for result data", "42601")
        if result.columns and into:
            if strict and len(result.rows) != 1:
                raise RedshiftError("query returned no rows" if not result.rows else
                                    "query returned more than one row", "P0002" if not result.rows else "P0003")
            row = result.rows[0] if result.rows else None
            self._into(into, result, row)
            self.found = row is not None
            self.row_count = len(result.rows)
            return
        if result.rowcount is not None and result.rowcount >= 0:
            self.row_count = result.rowcount
            self.found = result.rowcount > 0

    def _into(self, targets: list, result: Result, row: Optional[tuple]) -> None:
        names = [c.name for c in result.columns]
        first = self.lookup(targets[0].partition(".")[0])
        if len(targets) == 1 and first is not None and first.type.lower() == _RECORD and "." not in targets[0]:
            first.value = dict(zip(names, row)) if row is not None else None
            return
        values = list(row) if row is not None else [None] * len(targets)
        if len(values) < len(targets):
            raise RedshiftError("query returned fewer columns than INTO targets", "42601")
        for target, value in zip(targets, values):
            self.assign(target, value, cast=True)

    def _dynamic(self, expr: str) -> str:
        text = self.evaluate(expr)
        if text is None:
            raise RedshiftError("query string argument of EXECUTE is null", "22004")
        words = str(text).split(None, 1)
        if words and words[0].upper().rstrip(";") in ("COMMIT", "ROLLBACK", "END", "ABORT", "BEGIN", "START"):
            raise RedshiftError(f"{words[0].upper()} cannot be run by dynamic SQL in a stored procedure", "0A000")
        return str(text)

    def do_execute(self, statement: ast.Execute) -> None:
        result = self.host.sql(self._dynamic(statement.expr))
        self._after_sql(result, statement.into, statement.strict)

    def do_getdiagnostics(self, statement: ast.GetDiagnostics) -> None:
        for target, _ in statement.items:
            self.assign(target, self.row_count)

    def do_transaction(self, statement: ast.Transaction) -> None:
        self.host.transaction(statement.verb)

    def do_call(self, statement: ast.Call) -> None:
        if self.depth >= MAX_DEPTH:
            raise RedshiftError(f"stored procedure nesting exceeds the maximum of {MAX_DEPTH} levels", "54001")
        values = self.evaluate_all(statement.args)
        outputs = self.host.call(statement.name, values, self.depth + 1)
        for index, value in outputs:  # INOUT arguments: the caller's variables take the new values
            target = statement.args[index].strip().lower()
            if self.lookup(target.partition(".")[0]) is None:
                raise RedshiftError("an INOUT argument of a nested CALL must be a variable", "42601")
            self.assign(target, value)

    def do_open(self, statement: ast.Open) -> None:
        variable = self.lookup(statement.cursor)
        if variable is None:
            raise RedshiftError(f'cursor "{statement.cursor}" does not exist', "34000")
        if statement.query is None:
            if variable.cursor_query is None:
                raise RedshiftError(f'cursor "{statement.cursor}" has no query', "42601")
            result = self.query(variable.cursor_query)
        elif statement.dynamic:
            result = self.host.sql(self._dynamic(statement.query))
        else:
            result = self.query(statement.query)
        if variable.value is None:
            if variable.cursor_query is not None:
                variable.value = statement.cursor
            else:
                self.portals += 1
                variable.value = f"<unnamed portal {self.portals}>"
        self.host.open_cursor(str(variable.value), result)

    def do_fetch(self, statement: ast.Fetch) -> None:
        variable = self.lookup(statement.cursor)
        name = str(variable.value) if variable is not None and variable.value is not None else statement.cursor
        fetched = self.host.fetch_cursor(name)
        self.found = fetched is not None
        columns, row = fetched if fetched is not None else ([], None)
        self._into(statement.into, Result(columns, [], "FETCH", 0), row)

    def do_close(self, statement: ast.Close) -> None:
        variable = self.lookup(statement.cursor)
        name = str(variable.value) if variable is not None and variable.value is not None else statement.cursor
        self.host.close_cursor(name)


# -- values as SQL ---------------------------------------------------------------------------------

def literal(value: Any, kind: Optional[str] = None) -> str:
    """A value as a Redshift SQL literal; NULL keeps its declared type so that expressions still type."""
    if value is None:
        if kind and kind.lower() not in (_RECORD, _CURSOR):
            return f"CAST(NULL AS {kind})"
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value) if value >= 0 else f"({value})"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return f"CAST('{value}' AS DOUBLE PRECISION)"
        return f"CAST({value!r} AS DOUBLE PRECISION)"
    if isinstance(value, decimal.Decimal):
        text = format(value, "f")
        return text if not text.startswith("-") else f"({text})"
    if isinstance(value, datetime.datetime):
        return f"CAST('{value.isoformat(sep=' ')}' AS TIMESTAMP)"
    if isinstance(value, datetime.date):
        return f"CAST('{value.isoformat()}' AS DATE)"
    if isinstance(value, datetime.time):
        return f"CAST('{value.isoformat()}' AS TIME)"
    text = "'" + str(value).replace("'", "''") + "'"
    return text


def text_of(value: Any) -> str:
    """A value as Postgres prints it in a RAISE message."""
    if value is None:
        return "<NULL>"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _format(message: str, values) -> str:
    out, i = [], 0
    while i < len(message):
        if message[i] == "%":
            if message[i + 1:i + 2] == "%":
                out.append("%")
                i += 2
                continue
            out.append(text_of(next(values)))
        else:
            out.append(message[i])
        i += 1
    return "".join(out)
