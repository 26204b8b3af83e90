"""Stored procedures: CREATE [OR REPLACE] / DROP / ALTER PROCEDURE, CALL, and the FETCH and CLOSE of
the cursors a procedure opens.

A procedure is recorded in `_lakebox.procedures` of the database file (schema, name, the types of its
IN and INOUT arguments, which are its identity as in Redshift, so that a name can be overloaded; all
its arguments; the body; its options), so it survives a restart. Its body is read by
`plpgsql_parse` when it is created (a syntax error is 42601 then, as Redshift reports it) and run by
`plpgsql_run` at each CALL.

Transactions follow Redshift's rules: a CALL outside a transaction block runs in one transaction of
its own, committed when it ends and rolled back when it fails; inside a block it joins the caller's
and may not COMMIT, ROLLBACK or TRUNCATE. COMMIT and ROLLBACK in a body end the transaction and start
another; TRUNCATE commits. A NONATOMIC procedure has no transaction of its own: each statement
commits as it runs, and an error caught by EXCEPTION WHEN OTHERS is not raised again.

INFO, NOTICE and WARNING messages are logged and kept on the CALL's Result (`notices`), which the
Postgres endpoint sends as NoticeResponse messages.
Imports duckdb and this package.
"""

from __future__ import annotations

import json
import logging
import re
import weakref
from dataclasses import dataclass, field
from typing import Optional

import duckdb

from . import RedshiftError, plpgsql_parse, plpgsql_run, translate
from .plpgsql_parse import Token, TokenReader
from .results import Column, Result
from .spectrum import META

log = logging.getLogger(__name__)

SETUP = (f"CREATE TABLE IF NOT EXISTS {META}.procedures (schema_name VARCHAR, proc_name VARCHAR, "
         "signature VARCHAR, arguments VARCHAR, body VARCHAR, nonatomic BOOLEAN, security VARCHAR, "
         "config VARCHAR, owner VARCHAR, PRIMARY KEY (schema_name, proc_name, signature))")
_MODES = {"IN", "OUT", "INOUT"}
#: Declared type names -> the names Redshift reports and identifies procedures by.
_TYPE_NAMES = {
    "int": "integer", "int4": "integer", "integer": "integer", "int8": "bigint", "bigint": "bigint",
    "int2": "smallint", "smallint": "smallint", "varchar": "character varying", "text": "character varying",
    "character varying": "character varying", "nvarchar": "character varying", "char": "character",
    "character": "character", "bpchar": "character", "nchar": "character", "numeric": "numeric",
    "decimal": "numeric", "float": "double precision", "float8": "double precision",
    "double precision": "double precision", "real": "real", "float4": "real", "bool": "boolean",
    "boolean": "boolean", "date": "date", "timestamp": "timestamp without time zone",
    "timestamp without time zone": "timestamp without time zone", "timestamptz": "timestamp with time zone",
    "timestamp with time zone": "timestamp with time zone", "time": "time without time zone",
    "time without time zone": "time without time zone", "timetz": "time with time zone",
    "time with time zone": "time with time zone", "refcursor": "refcursor", "super": "super",
    "varbyte": "varbyte", "interval": "interval",
}
_NUMERIC = {"integer", "bigint", "smallint", "numeric", "double precision", "real"}
_TEXT = {"character varying", "character", "unknown"}


@dataclass
class Argument:
    name: Optional[str]
    mode: str    # IN, OUT, INOUT
    type: str    # as declared: "varchar(256)"

    @property
    def identity(self) -> str:
        return canonical_type(self.type)


@dataclass
class Procedure:
    schema: str
    name: str
    arguments: list
    body: str
    nonatomic: bool = False
    security: str = "INVOKER"
    config: Optional[str] = None

    @property
    def signature(self) -> str:
        return ", ".join(a.identity for a in self.arguments if a.mode != "OUT")


@dataclass
class CallResult(Result):
    """A CALL's Result, with the INFO/NOTICE/WARNING messages its procedure raised: (level, message)."""
    notices: list = field(default_factory=list)


def canonical_type(kind: str) -> str:
    base = re.sub(r"\s*\(.*\)\s*", "", kind.strip().lower())
    base = re.sub(r"\s+", " ", base)
    return _TYPE_NAMES.get(base, base)


class _SessionState:
    """What a session keeps between statements: the cursors procedures opened, and the depth of the
    CALL running now (a CALL run by EXECUTE inside a procedure is a nested one)."""

    def __init__(self):
        self.cursors: dict[str, list] = {}   # name -> [columns, rows, position]
        self.running: Optional["_Call"] = None


_STATES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _state(db) -> _SessionState:
    state = _STATES.get(db)
    if state is None:
        state = _STATES[db] = _SessionState()
    return state


def handle(db, statement: str, words: list) -> Optional[Result]:
    """The statement's Result if it is one of this module's (CREATE/DROP/ALTER PROCEDURE, CALL, FETCH or
    CLOSE of a procedure's cursor), else None. `db` is a RedshiftDatabase session."""
    return _Catalog(db).statement(statement, words)


class _Catalog:
    """The procedures of one database, over a session's connection (`_con`, `_run()`, `_current_schema()`,
    `_in_transaction`, `_user`)."""

    def __init__(self, db):
        self.db = db

    def statement(self, statement: str, words: list) -> Optional[Result]:
        first = words[0] if words else ""
        if first == "CALL":
            return self.call(statement)
        if first in ("FETCH", "CLOSE"):
            return _cursor_statement(self.db, statement)
        if first == "CREATE" and ("PROCEDURE" in words[1:2] or words[1:4] == ["OR", "REPLACE", "PROCEDURE"]):
            self.db._con.execute(SETUP)
            return self.create(statement)
        if first in ("DROP", "ALTER") and words[1:2] == ["PROCEDURE"]:
            self.db._con.execute(SETUP)
            return self.drop(statement) if first == "DROP" else self.alter(statement)
        return None

    # -- DDL -----------------------------------------------------------------------------------

    def create(self, statement: str) -> Result:
        procedure, replace = _parse_create(statement, self.db._current_schema())
        plpgsql_parse.parse(procedure.body)  # a body Redshift could not read fails here, not at CALL
        existing = self.rows(procedure.schema, procedure.name, procedure.signature)
        if existing and not replace:
            raise RedshiftError(f'procedure "{procedure.name}" already exists with same argument types', "42723")
        arguments = json.dumps([[a.name, a.mode, a.type] for a in procedure.arguments])
        self.write([
            (f"DELETE FROM {META}.procedures WHERE schema_name = ? AND proc_name = ? AND signature = ?",
             [procedure.schema, procedure.name, procedure.signature]),
            (f"INSERT INTO {META}.procedures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
             [procedure.schema, procedure.name, procedure.signature, arguments, procedure.body,
              procedure.nonatomic, procedure.security, procedure.config, self.db._user or ""])])
        return Result([], [], "CREATE PROCEDURE", -1)

    def drop(self, statement: str) -> Result:
        parser = _Header(statement)
        parser.expect("DROP")
        parser.expect("PROCEDURE")
        if_exists = parser.accept("IF")
        if if_exists:
            parser.expect("EXISTS")
        schema, name = parser.qualified_name(self.db._current_schema())
        signature = parser.signature() if parser.peek_text() == "(" else None
        parser.end()
        rows = self.rows(schema, name, signature)
        if not rows:
            if if_exists:
                return Result([], [], "DROP PROCEDURE", -1)
            raise _missing(name, signature)
        if len(rows) > 1:
            raise RedshiftError(f'procedure name "{name}" is not unique', "42725")
        self.write([(f"DELETE FROM {META}.procedures WHERE schema_name = ? AND proc_name = ? "
                                "AND signature = ?", [schema, name, rows[0][2]])])
        return Result([], [], "DROP PROCEDURE", -1)

    def alter(self, statement: str) -> Result:
        parser = _Header(statement)
        parser.expect("ALTER")
        parser.expect("PROCEDURE")
        schema, name = parser.qualified_name(self.db._current_schema())
        signature = parser.signature() if parser.peek_text() == "(" else None
        rows = self.rows(schema, name, signature)
        if not rows:
            raise _missing(name, signature)
        if len(rows) > 1:
            raise RedshiftError(f'procedure name "{name}" is not unique', "42725")
        if parser.accept("OWNER"):
            parser.expect("TO")
            parser.name()
            parser.end()
            return Result([], [], "ALTER PROCEDURE", -1)
        parser.expect("RENAME")
        parser.expect("TO")
        new_name = parser.name()
        parser.end()
        if self.rows(schema, new_name, rows[0][2]):
            raise RedshiftError(f'procedure {new_name}({rows[0][2]}) already exists in schema "{schema}"', "42723")
        self.write([(f"UPDATE {META}.procedures SET proc_name = ? WHERE schema_name = ? AND "
                                "proc_name = ? AND signature = ?", [new_name, schema, name, rows[0][2]])])
        return Result([], [], "ALTER PROCEDURE", -1)

    def rows(self, schema: str, name: str, signature: Optional[str]) -> list:
        sql = (f"SELECT schema_name, proc_name, signature, arguments, body, nonatomic, security, config "
               f"FROM {META}.procedures WHERE schema_name = ? AND proc_name = ?")
        params = [schema, name]
        if signature is not None:
            sql += " AND signature = ?"
            params.append(signature)
        return self.db._con.execute(sql + " ORDER BY signature", params).fetchall()

    def write(self, statements: list) -> None:
        own = not self.db._in_transaction
        try:
            if own:
                self.db._con.execute("BEGIN TRANSACTION")
            try:
                for sql, params in statements:
                    self.db._con.execute(sql, params)
                if own:
                    self.db._con.execute("COMMIT")
            except BaseException:
                if own:
                    self.db._con.execute("ROLLBACK")
                raise
        except duckdb.Error as error:
            raise RedshiftError(str(error).splitlines()[0], "XX000") from None

    # -- CALL ----------------------------------------------------------------------------------

    def call(self, statement: str) -> Result:
        parser = _Header(statement)
        parser.expect("CALL")
        schema_given, name = parser.call_name()
        exprs = parser.call_arguments()
        parser.end()
        state = _state(self.db)
        if state.running is not None:  # EXECUTE 'CALL ...' in a procedure: a nested call
            outer = state.running
            values = outer.interpreter_values(exprs)
            outer.host_call(schema_given, name, values, outer.depth + 1)
            return Result([], [], "CALL", -1)
        self.db._con.execute(SETUP)
        values, types = _evaluate(self.db, exprs)
        procedure = self.resolve(schema_given, name, values, types)
        call = _Call(self.db, procedure, depth=1)
        return call.top_level(values)

    def resolve(self, schema: Optional[str], name: str, values: list, types: list) -> Procedure:
        rows = self.db._con.execute(
            f"SELECT schema_name, proc_name, signature, arguments, body, nonatomic, security, config "
            f"FROM {META}.procedures WHERE proc_name = ? AND (schema_name = ? OR ? IS NULL) ORDER BY "
            "schema_name = current_schema() DESC, signature", [name, schema, schema]).fetchall()
        candidates = [_procedure_of(row) for row in rows]
        candidates = [p for p in candidates if len([a for a in p.arguments if a.mode != "OUT"]) == len(values)]
        if not candidates:
            shown = f"{schema}.{name}" if schema else name
            raise RedshiftError(f"procedure {shown}({', '.join(types)}) does not exist", "42883")
        if len(candidates) == 1:
            return candidates[0]
        scored = sorted(candidates, key=lambda p: -_score(p, types))
        if _score(scored[0], types) == _score(scored[1], types):
            raise RedshiftError(f"procedure {name}({', '.join(types)}) is not unique", "42725")
        return scored[0]


class _Call:
    """One running CALL: the host `plpgsql_run` asks to run SQL, end transactions, call nested
    procedures, send notices and keep cursors."""

    def __init__(self, db, procedure: Procedure, depth: int, root: Optional["_Call"] = None):
        self.db, self.procedure, self.depth = db, procedure, depth
        self.root = root or self
        self.nonatomic = self.root.procedure.nonatomic
        self.notices: list = [] if root is None else root.notices
        #: Whether the root CALL owns its transaction (it was called outside a transaction block).
        self.owns = False
        self.interpreter = plpgsql_run.Interpreter(self, depth)

    # -- the top-level CALL

    def top_level(self, values: list) -> Result:
        state = _state(self.db)
        self.owns = not self.db._in_transaction
        if self.owns and not self.nonatomic:
            self._begin()
        state.running = self
        try:
            arguments = self.run(values)
        except BaseException as error:
            state.running = None
            if self.owns and self.db._in_transaction:
                self._end("ROLLBACK")
            if isinstance(error, RedshiftError):
                error.notices = list(self.notices)
            raise
        state.running = None
        if self.owns and self.db._in_transaction and not self.nonatomic:
            self._end("COMMIT")
        outputs = [(a, arguments[i]) for i, a in enumerate(self.procedure.arguments) if a.mode != "IN"]
        if not outputs:
            return CallResult([], [], "CALL", -1, list(self.notices))
        select = self.db._run("SELECT " + ", ".join(
            f"{_typed_literal(variable.value, argument.type)} AS {_quote(argument.name or f'column{i + 1}')}"
            for i, (argument, variable) in enumerate(outputs)))
        return CallResult(select.columns, select.rows, "CALL", 1, list(self.notices))

    def run(self, values: list) -> list:
        """Run the body with `values` for the IN and INOUT arguments; the argument Variables after."""
        body = plpgsql_parse.parse(self.procedure.body)
        inputs = iter(values)
        variables, scope = [], {}
        for index, argument in enumerate(self.procedure.arguments):
            value = next(inputs) if argument.mode != "OUT" else None
            if value is not None and canonical_type(argument.type) != "refcursor":
                value = self.sql(f"SELECT {_typed_literal(value, argument.type)}").rows[0][0]
            variable = plpgsql_run.Variable(argument.type, value)
            variables.append(variable)
            if argument.name:
                scope[argument.name] = variable
            scope[f"${index + 1}"] = variable
        self.interpreter.run(body, scope)
        return variables

    # -- the host interface

    def sql(self, text: str) -> Result:
        words = translate.leading_words(text, 2)
        if words and words[0] == "TRUNCATE":
            self._transaction_allowed("TRUNCATE")
            result = self.db._run(text)
            if self.root.owns and self.db._in_transaction:
                self._end("COMMIT")
                if not self.nonatomic:
                    self._begin()
            return result
        return self.db._run(text)

    def transaction(self, verb: str) -> None:
        self._transaction_allowed(verb)
        if self.db._in_transaction:
            self._end(verb)
        _state(self.db).cursors.clear()  # COMMIT and ROLLBACK close every open cursor
        if not self.nonatomic:
            self._begin()

    def _transaction_allowed(self, verb: str) -> None:
        if not self.root.owns:
            raise RedshiftError(f"{verb} cannot be invoked from a procedure that is executing in an atomic "
                                "context (called inside a transaction block)", "2D000")
        if any(c.procedure.config for c in self._chain()):
            raise RedshiftError(f"{verb} cannot be invoked from a procedure created with a SET option", "2D000")

    def _chain(self):
        yield self.root
        if self is not self.root:
            yield self

    def enter_handler(self) -> None:
        if self.db._in_transaction:
            self._end("ROLLBACK")
            if not self.nonatomic or not self.root.owns:
                self._begin()
        elif not self.nonatomic:
            self._begin()

    def leave_handler(self) -> None:
        # Redshift commits what an atomic procedure's handler did before raising the error again.
        if not self.nonatomic and self.root.owns and self.db._in_transaction:
            self._end("COMMIT")
            self._begin()

    def call(self, name: str, values: list, depth: int) -> list:
        schema, _, bare = name.rpartition(".")
        return self.host_call(schema or None, bare, values, depth)

    def host_call(self, schema: Optional[str], name: str, values: list, depth: int) -> list:
        types = [_type_of_value(v) for v in values]
        procedure = _Catalog(self.db).resolve(schema, name, values, types)
        if any(a.mode == "OUT" for a in procedure.arguments):
            raise RedshiftError("OUT arguments are not allowed in a nested CALL: use INOUT", "0A000")
        nested = _Call(self.db, procedure, depth, self.root)
        variables = nested.run(values)
        return [(index, variables[index].value) for index, a in enumerate(procedure.arguments) if a.mode == "INOUT"]

    def interpreter_values(self, exprs: list) -> list:
        return self.interpreter.evaluate_all(exprs)

    def notice(self, level: str, message: str) -> None:
        log.info("stored procedure %s %s: %s", self.procedure.name, level, message)
        if level in ("INFO", "NOTICE", "WARNING"):
            self.notices.append((level, message))

    def open_cursor(self, name: str, result: Result) -> None:
        cursors = _state(self.db).cursors
        if name in cursors:
            raise RedshiftError(f'cursor "{name}" already in use', "42P03")
        cursors[name] = [result.columns, list(result.rows), 0]

    def fetch_cursor(self, name: str):
        cursor = _state(self.db).cursors.get(name)
        if cursor is None:
            raise RedshiftError(f'cursor "{name}" does not exist', "34000")
        columns, rows, position = cursor
        if position >= len(rows):
            return None
        cursor[2] += 1
        return columns, rows[position]

    def close_cursor(self, name: str) -> None:
        if _state(self.db).cursors.pop(name, None) is None:
            raise RedshiftError(f'cursor "{name}" does not exist', "34000")

    # -- transactions

    def _begin(self) -> None:
        self.db._con.execute("BEGIN TRANSACTION")
        self.db._in_transaction = True

    def _end(self, verb: str) -> None:
        self.db._in_transaction = False
        try:
            self.db._con.execute(verb)
        except duckdb.Error as error:
            if verb != "ROLLBACK":
                raise RedshiftError(str(error).splitlines()[0], "XX000") from None


# -- FETCH and CLOSE at the top level ---------------------------------------------------------------

_FETCH = re.compile(r"(?is)^\s*FETCH\s+(?:(NEXT|ALL|FORWARD\s+ALL|FORWARD\s+(\d+)|(\d+))\s+)?(?:FROM\s+|IN\s+)?"
                    r"(\"[^\"]+\"|[\w$]+)\s*;?\s*$")
_CLOSE = re.compile(r"(?is)^\s*CLOSE\s+(\"[^\"]+\"|[\w$]+)\s*;?\s*$")


def _cursor_statement(db, statement: str) -> Optional[Result]:
    """FETCH from, or CLOSE, a cursor a procedure opened (a refcursor result set): None for other
    cursors, which are not ours."""
    cursors = _state(db).cursors
    match = _FETCH.match(statement) or _CLOSE.match(statement)
    if match is None:
        return None
    name = match.groups()[-1]
    name = name[1:-1] if name.startswith('"') else name.lower()
    key = name if name in cursors else next((k for k in cursors if k.lower() == name), None)
    if key is None:
        if statement.lstrip()[:5].upper() == "CLOSE" or cursors:
            raise RedshiftError(f'cursor "{name}" does not exist', "34000")
        return None
    if match.re is _CLOSE:
        del cursors[key]
        return Result([], [], "CLOSE CURSOR", -1)
    columns, rows, position = cursors[key]
    how, forward, count = match.group(1), match.group(2), match.group(3)
    if how is None or how.upper() == "NEXT":
        size = 1
    elif how.upper().endswith("ALL"):
        size = len(rows)
    else:
        size = int(forward or count)
    taken = rows[position:position + size]
    cursors[key][2] = position + len(taken)
    return Result(columns, taken, f"FETCH {len(taken)}", len(taken))


# -- reading the statements ------------------------------------------------------------------------

class _Header(TokenReader):
    """A token reader for the statements around a body: CREATE/DROP/ALTER PROCEDURE and CALL."""

    def __init__(self, statement: str):
        super().__init__(statement.rstrip().rstrip(";"))
        self.text = statement

    def peek_text(self) -> str:
        token = self.peek()
        return token.upper if token is not None else ""

    def end(self) -> None:
        if self.peek() is not None:
            self.fail()

    def name(self) -> str:
        token = self.peek()
        if token is None or token.kind not in ("word", "qident"):
            self.fail()
        self.pos += 1
        return plpgsql_parse._ident(token)

    def qualified_name(self, default_schema: str) -> tuple[str, str]:
        schema, name = self.call_name()
        return schema or default_schema, name

    def call_name(self) -> tuple[Optional[str], str]:
        name = self.name()
        if self.accept("."):
            return name, self.name()
        return None, name

    def parenthesized(self) -> list[list[Token]]:
        """The comma-separated items of a parenthesized list, each as its tokens."""
        self.expect("(")
        items, current, depth = [], [], 0
        while True:
            token = self.peek()
            if token is None:
                self.fail()
            self.pos += 1
            if depth == 0 and token.text == ")":
                break
            if depth == 0 and token.text == ",":
                items.append(current)
                current = []
                continue
            depth += token.text in ("(", "[")
            depth -= token.text in (")", "]")
            current.append(token)
        if current or items:
            items.append(current)
        if any(not item for item in items):
            raise RedshiftError('syntax error at or near ","', "42601")
        return items

    def arguments(self) -> list[Argument]:
        return [self._argument(item) for item in self.parenthesized()]

    def _argument(self, tokens: list[Token]) -> Argument:
        words = [t.upper for t in tokens]
        name, mode = None, "IN"
        if words[0] in _MODES:
            mode, tokens = words[0], tokens[1:]
            if len(tokens) > 1 and not _is_type(tokens):
                name, tokens = plpgsql_parse._ident(tokens[0]), tokens[1:]
        elif len(tokens) > 1 and tokens[1].upper in _MODES:
            name, mode, tokens = plpgsql_parse._ident(tokens[0]), tokens[1].upper, tokens[2:]
        elif len(tokens) > 1 and not _is_type(tokens):
            name, tokens = plpgsql_parse._ident(tokens[0]), tokens[1:]
        if not tokens:
            raise RedshiftError('syntax error at or near ")"', "42601")
        kind = self.text[tokens[0].start:tokens[-1].end]
        return Argument(name, mode, kind)

    def signature(self) -> str:
        return ", ".join(a.identity for a in self.arguments() if a.mode != "OUT")

    def call_arguments(self) -> list[str]:
        if self.peek_text() != "(":
            self.fail()
        return [self.text[item[0].start:item[-1].end] for item in self.parenthesized()]


def _is_type(tokens: list[Token]) -> bool:
    """Whether the tokens are one type name (`double precision`, `varchar(20)`), not `name type`."""
    words = " ".join(t.text.lower() for t in tokens if t.kind == "word")
    first = tokens[0].text.lower()
    if first not in _TYPE_NAMES:
        return False
    return (len([t for t in tokens if t.kind == "word"]) == 1 or words in _TYPE_NAMES
            or words.startswith(("character varying", "double precision", "timestamp with", "timestamp without",
                                 "time with", "time without")))


def _parse_create(statement: str, default_schema: str) -> tuple[Procedure, bool]:
    parser = _Header(statement)
    parser.expect("CREATE")
    replace = parser.accept("OR")
    if replace:
        parser.expect("REPLACE")
    parser.expect("PROCEDURE")
    schema, name = parser.qualified_name(default_schema)
    arguments = parser.arguments() if parser.peek_text() == "(" else parser.fail()
    body, language, nonatomic, security, config = None, None, False, "INVOKER", None
    while parser.peek() is not None:
        if parser.accept("NONATOMIC"):
            nonatomic = True
        elif parser.accept("AS"):
            token = parser.peek()
            if token is None or token.kind not in ("string", "dollar"):
                parser.fail()
            parser.pos += 1
            body = plpgsql_parse.string_value(token)
        elif parser.accept("LANGUAGE"):
            token = parser.peek()
            if token is None:
                parser.fail()
            parser.pos += 1
            language = plpgsql_parse.string_value(token) if token.kind == "string" else token.text
        elif parser.accept("SECURITY"):
            security = parser.expect("INVOKER", "DEFINER").upper
        elif parser.accept("SET"):
            start = parser.peek()
            while parser.peek() is not None and parser.peek_text() not in ("AS", "LANGUAGE", "SECURITY", "NONATOMIC"):
                parser.pos += 1
            config = statement[start.start:parser.tokens[parser.pos - 1].end] if start else None
        else:
            parser.fail()
    if body is None:
        raise RedshiftError("no procedure body specified", "42P13")
    if language is None:
        raise RedshiftError("no language specified", "42P13")
    if language.lower() != "plpgsql":
        raise RedshiftError(f'language "{language}" does not exist', "42704")
    if len([a for a in arguments if a.mode != "OUT"]) > 32:
        raise RedshiftError("procedures cannot have more than 32 input arguments", "54023")
    for argument in arguments:
        if canonical_type(argument.type) not in _TYPE_NAMES.values():
            raise RedshiftError(f'type "{argument.type}" does not exist', "42704")
    return Procedure(schema, name, arguments, body, nonatomic, security, config), replace


def _procedure_of(row: tuple) -> Procedure:
    schema, name, _, arguments, body, nonatomic, security, config = row
    return Procedure(schema, name, [Argument(*a) for a in json.loads(arguments)], body, bool(nonatomic),
                     security, config)


def _missing(name: str, signature: Optional[str]) -> RedshiftError:
    if signature is None:
        return RedshiftError(f"procedure {name} does not exist", "42883")
    return RedshiftError(f"procedure {name}({signature}) does not exist", "42883")


def _evaluate(db, exprs: list) -> tuple[list, list]:
    """The values of a top-level CALL's arguments and their type names (for overloads and errors)."""
    if not exprs:
        return [], []
    result = db._run("SELECT " + ", ".join(f"({e})" for e in exprs))
    types = [c.type_name for c in result.columns]
    values = list(result.rows[0]) if result.rows else [None] * len(exprs)
    # A bare string literal is Postgres's "unknown": it fits any argument type.
    types = ["unknown" if re.fullmatch(r"(?s)\s*'(?:[^']|'')*'\s*", e) else canonical_type(t)
             for e, t in zip(exprs, types)]
    return values, types


def _type_of_value(value) -> str:
    if value is None or isinstance(value, str):
        return "unknown"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double precision"
    return type(value).__name__


def _score(procedure: Procedure, types: list) -> int:
    score = 0
    for argument, given in zip([a for a in procedure.arguments if a.mode != "OUT"], types):
        wanted = argument.identity
        if wanted == given:
            score += 3
        elif given == "unknown" and wanted in _TEXT:
            score += 2
        elif wanted in _NUMERIC and given in _NUMERIC or given == "unknown":
            score += 1
    return score


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _typed_literal(value, kind: str) -> str:
    if canonical_type(kind) == "refcursor":
        return plpgsql_run.literal(value)
    return f"CAST({plpgsql_run.literal(value)} AS {kind})"


def call_columns(db, sql: str) -> list:
    """The columns a CALL answers (its procedure's INOUT and OUT arguments), read from the catalog
    without running it, for a client that describes the statement first; [] when not known."""
    try:
        parser = _Header(sql)
        parser.expect("CALL")
        schema, name = parser.call_name()
        count = len(parser.call_arguments())
    except RedshiftError:
        return []
    with db._lock:
        db._con.execute(SETUP)
        rows = db._con.execute(
            f"SELECT schema_name, proc_name, signature, arguments, body, nonatomic, security, config "
            f"FROM {META}.procedures WHERE proc_name = ? AND (schema_name = ? OR ? IS NULL)",
            [name, schema, schema]).fetchall()
    shapes = set()
    for row in rows:
        procedure = _procedure_of(row)
        if len([a for a in procedure.arguments if a.mode != "OUT"]) == count:
            shapes.add(tuple((a.name or f"column{i + 1}", canonical_type(a.type))
                             for i, a in enumerate(procedure.arguments) if a.mode != "IN"))
    if len(shapes) != 1:
        return []
    return [Column(name, "character varying" if kind == "refcursor" else kind) for name, kind in shapes.pop()]
