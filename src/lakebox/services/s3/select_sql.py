"""S3 Select's SQL, translated to DuckDB: the dialect, what it allows, and how each construct runs.

Why a module of its own: S3 Select speaks a small SQL of its own (the `S3Object` table, `_1`
column positions, `s.a.b[0]` paths, Ion timestamp literals in backticks, DATE_ADD(year, ...),
no GROUP BY or joins), and everything the dialect lacks must be refused with S3's own error
code rather than run by DuckDB's richer SQL. sqlglot parses it (a dialect with `"` identifiers,
backtick literals and zero-based brackets); this module checks the tree against S3 Select's rules,
resolves every column reference against the object's record (`Record`), has select_functions.py
rewrite the functions, then writes DuckDB SQL over a relation named `s3object`. Anything S3 Select
does not have is an explicit `SelectError`, never a silent mistranslation.

Imports sqlglot and the select_* rule modules only; the provider (select.py) turns `SelectError`
into S3's error response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional, Union

import sqlglot
from sqlglot import exp, tokens
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError

from . import select_from_path as from_path
from .select_errors import SelectError
from .select_from_path import FromPath, Index, Name
from .select_functions import OWN_FUNCTIONS, OWN_PREFIX, rewrite_function, rewrite_post_order

#: The longest expression S3 Select takes (ExpressionTooLong beyond it).
MAX_EXPRESSION_BYTES = 256 * 1024

#: The name the translated SQL reads the object's records from.
SOURCE = "s3object"
#: The column of `SOURCE` that holds a whole JSON record.
RECORD_COLUMN = "record"
#: A JSON record's own text, beside its typed form: `SELECT *` answers the record as it was written.
RAW_RECORD_COLUMN = "raw_record"

# -- the dialect ------------------------------------------------------------------------------------


class S3SelectDialect(Dialect):
    """S3 Select's lexical rules: `"` quotes identifiers, `'` strings, backticks Ion literals.

    sqlglot's parser is compiled and cannot be subclassed, so the dialect's own functions are told
    apart in the tokens instead.
    """

    INDEX_OFFSET = 0  # s.arr[0] is the first element

    class Tokenizer(tokens.Tokenizer):
        IDENTIFIERS = ['"']
        QUOTES = ["'"]
        # `2007-02-23T` is an Ion timestamp literal; a raw string keeps its text as written.
        RAW_STRINGS = [("`", "`")]

        def tokenize(self, sql: str) -> list:
            found = super().tokenize(sql)
            for token, after in zip(found, found[1:]):
                if after.token_type == tokens.TokenType.L_PAREN and token.text.upper() in OWN_FUNCTIONS:
                    token.text = OWN_PREFIX + token.text.upper()
            return found


#: sqlglot's parse error descriptions -> S3's code (the first that matches; else ParseUnexpectedToken).
PARSE_ERRORS = (
    ("Expecting )", "ParseExpectedRightParenBuiltinFunctionCall"),
    ("Required keyword", "ParseExpectedExpression"),
)


def parse(expression: str) -> exp.Select:
    """The statement, or the S3 error for one S3 Select cannot parse or does not run."""
    if not expression or not expression.strip():
        raise SelectError("MissingRequiredParameter", "Expression")
    if len(expression.encode("utf-8")) > MAX_EXPRESSION_BYTES:
        raise SelectError("ExpressionTooLong")
    expression, _ = split_from_path(expression)
    try:
        statements = sqlglot.parse(expression, read=S3SelectDialect)
    except TokenError as error:
        raise SelectError("LexerInvalidChar", str(error)) from None
    except ParseError as error:
        description = (error.errors[0].get("description") if error.errors else "") or ""
        code = next((code for text, code in PARSE_ERRORS if text in description), "ParseUnexpectedToken")
        raise SelectError(code, description) from None
    statements = [s for s in statements if s is not None]
    if len(statements) != 1:
        raise SelectError("ParseUnexpectedToken", "exactly one statement is expected")
    tree = statements[0]
    if isinstance(tree, (exp.Union, exp.Subquery)) or (isinstance(tree, exp.Select) and tree.args.get("with_")):
        raise SelectError("ParseUnsupportedSelect")
    if not isinstance(tree, exp.Select):
        raise SelectError("UnsupportedSqlOperation", f"{tree.key.upper()} statements are not supported")
    return tree


def split_from_path(expression: str) -> tuple[str, Optional[FromPath]]:
    """`FROM S3Object[*].path`: the expression without the path, and the path (None without one)."""
    return from_path.split_from_path(expression, S3SelectDialect())


# -- what a query can name -----------------------------------------------------------------------


@dataclass(frozen=True)
class ValueType:
    """The shape of a value, as far as paths need it: "struct" (named `fields`), "list" (of
    `item`), "json" (any JSON, read with json_extract) or "scalar"."""

    kind: str
    fields: tuple[tuple[str, "ValueType"], ...] = ()
    item: Optional["ValueType"] = None


SCALAR = ValueType("scalar")
JSON_VALUE = ValueType("json")


@dataclass(frozen=True)
class Field:
    """A top-level column of the object's records: its name, and how DuckDB reads it."""

    name: str
    sql: exp.Expression
    type: ValueType = SCALAR


@dataclass(frozen=True)
class Record:
    """What `FROM S3Object` yields for one input format.

    `positional`: `_N` names the Nth field (CSV). `whole`: the record as one value (JSON), which
    `SELECT *` returns as it is. `missing`: what a name no field has means: "null" (JSON's MISSING)
    or the error code S3 answers. `absent_when_null`: a null read from the object stands for a
    value the record does not have (a short CSV row, an absent JSON key), which JSON output omits.
    """

    fields: tuple[Field, ...]
    positional: bool = False
    whole: Optional[Field] = None
    #: The record's text as written (JSON), which `SELECT *` answers: the typed `whole` has every
    #: key any record has, with nulls for those this one lacks.
    raw: Optional[exp.Expression] = None
    missing: str = "null"
    absent_when_null: bool = True


def csv_record(names: list[str]) -> Record:
    """CSV: every value a string; columns by header name (`names`, or `_N` without one) or position."""
    fields = tuple(Field(name, exp.column(f"c{i}")) for i, name in enumerate(names, 1))
    return Record(fields, positional=True, missing="MissingHeaderName")


def json_record(record_type: ValueType) -> Record:
    """JSON: one value per record (an object, usually); its keys are the fields. A NULL record is
    MISSING (FROM S3Object[*].path reached nothing)."""
    sql = exp.column(RECORD_COLUMN)
    fields = tuple(Field(name, _struct_extract(sql, name), child) for name, child in record_type.fields)
    return Record(fields, whole=Field("_1", sql, record_type), raw=exp.column(RAW_RECORD_COLUMN))


def parquet_record(columns: list[tuple[str, ValueType]]) -> Record:
    """Parquet: typed columns by name; a null is a null, not a missing value."""
    fields = tuple(Field(name, exp.column(name, quoted=True), kind) for name, kind in columns)
    return Record(fields, missing="EvaluatorBindingDoesNotExist", absent_when_null=False)


# -- the translation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    """One output column: its name in JSON output, and whether a null means "absent"."""

    name: str
    absent_when_null: bool = False


@dataclass
class Translation:
    """DuckDB SQL over `SOURCE`, and what its columns are called. `whole_record`: the query is
    `SELECT *` over JSON, whose one column is each record as it is."""

    sql: str
    outputs: list[Output] = field(default_factory=list)
    whole_record: bool = False


Step = Union[Name, Index]
_POSITIONAL = re.compile(r"_(\d+)")


def translate(expression: str, record: Record, now: Optional[datetime] = None) -> Translation:
    """The DuckDB query for S3 Select `expression` over records shaped as `record`.

    `now` is UTCNOW() (the service clock), fixed for the whole query as S3 Select evaluates it.
    """
    tree = parse(expression)
    _, path = split_from_path(expression)
    if path is not None and record.whole is None:
        raise SelectError("UnsupportedSqlStructure", "FROM S3Object[*].path reads JSON records only")
    _check_structure(tree)
    alias, explicit = _table_alias(tree)
    if path is not None and not explicit:
        alias = path.implicit_alias
    limit = _limit(tree)
    context = _Context(record, alias, now or datetime.now(timezone.utc),
                       alias_names_output=path is not None and not explicit)

    selects = tree.expressions
    if not selects:
        raise SelectError("ParseEmptySelect")
    if any(_is_star(e) for e in selects):
        if len(selects) != 1:
            raise SelectError("ParseAsteriskIsNotAloneInSelectList")
        projections, outputs, whole = _star(record)
    else:
        projections, outputs, whole = [], [], False
        for position, select in enumerate(selects, 1):
            name = select.alias if isinstance(select, exp.Alias) else None
            body = select.this if isinstance(select, exp.Alias) else select
            resolved, default_name, absent = context.project(body, position)
            projections.append(resolved)
            outputs.append(Output(name or default_name, absent and name is None))

    query = exp.select(*[exp.alias_(p, f"o{i}", quoted=True) for i, p in enumerate(projections, 1)])
    query = query.from_(SOURCE)
    where = tree.args.get("where")
    if where is not None:
        query = query.where(context.expression(where.this))
    if limit is not None:
        query = query.limit(limit)
    return Translation(query.sql(dialect="duckdb"), outputs, whole)


def _check_structure(tree: exp.Select) -> None:
    """Refuse what S3 Select's SELECT has no clause for: joins, grouping, ordering, subqueries."""
    if tree.args.get("joins") or tree.args.get("laterals"):
        raise SelectError("ParseMalformedJoin")
    if tree.args.get("group") or tree.args.get("having"):
        raise SelectError("ParseExpectedIdentForGroupName")
    for clause in ("order", "distinct", "qualify", "windows"):
        if tree.args.get(clause):
            raise SelectError("UnsupportedSqlStructure", f"{clause.upper()} is not supported")
    for node in tree.walk():
        if node is not tree and isinstance(node, (exp.Select, exp.Subquery, exp.Union)):
            raise SelectError("ParseUnsupportedSelect")
        if isinstance(node, exp.Window):
            raise SelectError("UnsupportedSqlStructure", "window functions are not supported")


def _table_alias(tree: exp.Select) -> tuple[str, bool]:
    """The name records go by (the FROM alias, else `S3Object` itself), and whether it is an alias."""
    source = tree.args.get("from_")
    if source is None:
        raise SelectError("ParseSelectMissingFrom")
    table = source.this
    alias = table.args.get("alias")
    if isinstance(table, exp.Bracket):  # FROM S3Object[*]: the same records
        if [type(e) for e in table.expressions] != [exp.Star]:
            raise SelectError("ParseInvalidPathComponent")
        table = table.this
    if not isinstance(table, exp.Table) or table.args.get("db") or table.name.lower() != "s3object":
        raise SelectError("UnsupportedSqlStructure", "the only table is S3Object")
    alias = alias or table.args.get("alias")
    return (alias.name, True) if alias is not None else (table.name, False)


def _limit(tree: exp.Select) -> Optional[int]:
    clause = tree.args.get("limit")
    if clause is None:
        return None
    value = clause.expression
    if isinstance(value, exp.Neg) and isinstance(value.this, exp.Literal):
        raise SelectError("EvaluatorNegativeLimit")
    if not (isinstance(value, exp.Literal) and not value.is_string and value.this.isdigit()):
        raise SelectError("ParseExpectedNumber", "LIMIT takes a whole number")
    return int(value.this)


def _is_star(select: exp.Expression) -> bool:
    return isinstance(select, exp.Star) or (isinstance(select, exp.Column) and isinstance(select.this, exp.Star))


def _star(record: Record) -> tuple[list[exp.Expression], list[Output], bool]:
    """`SELECT *`: every field, or for JSON each record as it is."""
    if record.raw is not None:
        return [record.raw], [Output(record.whole.name)], True
    if record.whole is not None:
        return [_as_output(record.whole.sql, record.whole.type)], [Output(record.whole.name)], True
    return ([f.sql for f in record.fields],
            [Output(f.name, record.absent_when_null) for f in record.fields], False)


# -- column references ---------------------------------------------------------------------------


class _Context:
    """Resolves the references of one query against its record, and rewrites its functions."""

    def __init__(self, record: Record, alias: str, now: datetime, alias_names_output: bool = False):
        """`alias_names_output`: the alias is a path's implicit name, which also names the output
        of a bare reference to the record (`SELECT id FROM S3Object[*].Rules[*].id` is `{"id":…}`)."""
        self.record, self.alias, self.now = record, alias, now
        self.alias_names_output = alias_names_output

    def project(self, node: exp.Expression, position: int) -> tuple[exp.Expression, str, bool]:
        """A SELECT-list item as DuckDB, its default output name, and whether null means absent."""
        steps = _steps(node)
        if steps is not None:
            resolved, absent, kind = self.reference(steps)
            last = steps[-1]
            named = isinstance(last, Name) and (
                self.alias_names_output or not (len(steps) == 1 and self._is_alias(last)))
            return _as_output(resolved, kind), last.text if named else f"_{position}", absent
        return self.expression(node), f"_{position}", False

    def expression(self, node: exp.Expression) -> exp.Expression:
        """An expression as DuckDB: its functions rewritten first (their date parts and MISSING
        are words, not columns), then its column references resolved."""
        node = rewrite_post_order(node.copy(), lambda n: rewrite_function(n, self.now))
        return node.transform(self._resolve_chain)

    def _resolve_chain(self, node: exp.Expression) -> exp.Expression:
        if isinstance(node, (exp.Column, exp.Dot, exp.Bracket)):
            steps = _steps(node)
            if steps is not None:
                return self.reference(steps)[0]
            if isinstance(node, (exp.Dot, exp.Bracket)):
                raise SelectError("ParseInvalidPathComponent")
        return node

    def _is_alias(self, step: Step) -> bool:
        return isinstance(step, Name) and _same(step, self.alias)

    def reference(self, steps: list[Step]) -> tuple[exp.Expression, bool, ValueType]:
        """The DuckDB expression for a path (`s._1`, `name`, `s.a.b[0]`), whether a null it
        yields means the value is absent, and the type of what it reads."""
        record = self.record
        absent = record.absent_when_null
        if self._is_alias(steps[0]) and (len(steps) > 1 or not self._names_field(steps[0])):
            steps = steps[1:]
            if not steps:
                if record.whole is None:
                    raise SelectError("UnsupportedSqlStructure", "a CSV or Parquet record is not one value")
                # NULL only where a FROM path reached nothing (MISSING)
                return record.whole.sql, absent, record.whole.type
        first = steps[0]
        if isinstance(first, Index):
            if record.whole is None:
                raise SelectError("ParseInvalidPathComponent")
            sql, kind = _walk(record.whole.sql, record.whole.type, steps)
            return sql, absent, kind
        found = self._field(first)
        if found is None:
            if record.whole is not None and record.whole.type.kind == "json":
                return _json_path(record.whole.sql, steps), absent, JSON_VALUE
            return exp.Null(), True, SCALAR
        sql, kind = _walk(found.sql, found.type, steps[1:])
        return sql, absent, kind

    def _names_field(self, step: Name) -> bool:
        return any(_same(step, f.name) for f in self.record.fields)

    def _field(self, step: Name) -> Optional[Field]:
        """The field `step` names: `_N` by position (CSV), a quoted name exactly, an unquoted one
        ignoring case. None when the record has no such field and S3 reads it as MISSING."""
        record = self.record
        positional = _POSITIONAL.fullmatch(step.text)
        if record.positional and positional:
            number = int(positional.group(1))
            if number == 0:
                raise SelectError("InvalidColumnIndex")
            return record.fields[number - 1] if number <= len(record.fields) else None
        matches = [f for f in record.fields if _same(step, f.name)]
        if len(matches) > 1:
            raise SelectError("AmbiguousFieldName", step.text)
        if matches:
            return matches[0]
        if record.missing != "null":
            raise SelectError(record.missing, step.text)
        return None


def _same(step: Name, name: str) -> bool:
    return step.text == name if step.quoted else step.text.lower() == name.lower()


def _steps(node: exp.Expression) -> Optional[list[Step]]:
    """`s.a.b[0].c` as its steps; None for anything that is not a path."""
    if isinstance(node, exp.Column):
        if not isinstance(node.this, exp.Identifier):
            return None
        return [Name(part.name, bool(part.args.get("quoted"))) for part in node.parts]
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Identifier):
        inner = _steps(node.this)
        if inner is None:
            return None
        return inner + [Name(node.expression.name, bool(node.expression.args.get("quoted")))]
    if isinstance(node, exp.Bracket):
        inner = _steps(node.this)
        if inner is None:
            return None
        index = node.expressions[0] if len(node.expressions) == 1 else None
        if not (isinstance(index, exp.Literal) and not index.is_string and index.this.isdigit()):
            raise SelectError("ParseInvalidPathComponent")
        return inner + [Index(int(index.this))]
    return None


def _walk(sql: exp.Expression, kind: ValueType, steps: list[Step]) -> tuple[exp.Expression, ValueType]:
    """Follow `steps` into a value of type `kind`: the expression and its type; NULL (MISSING)
    where the type has no such part."""
    for number, step in enumerate(steps):
        if kind.kind == "json":
            return _json_path(sql, steps[number:]), JSON_VALUE
        if isinstance(step, Name) and kind.kind == "struct":
            matches = [(name, child) for name, child in kind.fields if _same(step, name)]
            if len(matches) > 1:
                raise SelectError("AmbiguousFieldName", step.text)
            if not matches:
                return exp.Null(), SCALAR
            name, kind = matches[0]
            sql = _struct_extract(sql, name)
        elif isinstance(step, Index) and kind.kind == "list":
            sql = exp.Anonymous(this="list_extract", expressions=[sql, exp.Literal.number(step.position + 1)])
            kind = kind.item or SCALAR
        else:
            return exp.Null(), SCALAR
    return sql, kind


def _holds_json(kind: ValueType) -> bool:
    return kind.kind == "json" or any(_holds_json(child) for _, child in kind.fields) or \
        (kind.item is not None and _holds_json(kind.item))


def _as_output(sql: exp.Expression, kind: ValueType) -> exp.Expression:
    """A nested value with JSON-typed parts (keys whose type differs between records) is output
    through DuckDB's to_json, which writes those parts as the JSON they are, not as their text."""
    if kind.kind in ("struct", "list") and _holds_json(kind):
        return exp.Anonymous(this="to_json", expressions=[sql])
    return sql


def _struct_extract(sql: exp.Expression, name: str) -> exp.Expression:
    return exp.Anonymous(this="struct_extract", expressions=[sql, exp.Literal.string(name)])


def _json_path(sql: exp.Expression, steps: list[Step]) -> exp.Expression:
    """A path into a JSON-typed value (records whose keys disagree in type)."""
    path = "$" + "".join(f'."{s.text}"' if isinstance(s, Name) else f"[{s.position}]" for s in steps)
    return exp.Anonymous(this="json_extract", expressions=[sql, exp.Literal.string(path)])
