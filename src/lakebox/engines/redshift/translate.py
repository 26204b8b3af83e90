"""Redshift SQL to DuckDB SQL, with sqlglot (`read="redshift", write="duckdb"`).

Three steps per statement:
- the physical-design attributes DuckDB has no use for (DISTSTYLE, DISTKEY, [COMPOUND|INTERLEAVED]
  SORTKEY, BACKUP, column ENCODE) are cut out of the text token by token, because sqlglot parses only
  some of them and gives up on the rest; they are returned so the database can record them;
- the statement is parsed, identifiers are folded to lower case as Redshift folds them, constructs
  DuckDB would answer differently are rewritten (`semantics`), and the AST is adjusted: IDENTITY
  columns become a sequence default, constraints Redshift does not enforce (PRIMARY KEY, UNIQUE,
  REFERENCES) are dropped and recorded, Redshift types get their DuckDB kin;
- DuckDB SQL is generated with unsupported constructs raising, so nothing is silently mistranslated.

Statements sqlglot only recognises as an opaque `Command`, and types DuckDB cannot hold, answer 0A000.
Imports sqlglot, `semantics` (Redshift's meaning where DuckDB's differs), `function_rules` (functions
DuckDB lacks or means otherwise) and `number_format` for
TO_CHAR's templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

import sqlglot
from sqlglot import exp
from sqlglot.dialects.redshift import Redshift
from sqlglot.errors import ErrorLevel, ParseError, TokenError, UnsupportedError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.time import format_time
from sqlglot.tokens import TokenType

from . import (RedshiftError, character_types, datetime_types, function_rules, interval_types, numeric_types,
               semantics, super_values, unsupported_types)
from .number_format import is_number_template

_REDSHIFT = Redshift()
#: Redshift with enable_case_sensitive_identifier on: a quoted name keeps its case, others fold (as in
#: Postgres); with it off, the default, Redshift folds every name, quoted or not.
_CASE_SENSITIVE = Redshift(normalization_strategy="lowercase")
#: Redshift types DuckDB cannot store: spatial types and HyperLogLog sketches.
_UNSUPPORTED_TYPES = {exp.DataType.Type.GEOMETRY, exp.DataType.Type.GEOGRAPHY, exp.DataType.Type.HLLSKETCH}
_TEXT_TYPES = {exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR, exp.DataType.Type.NCHAR,
               exp.DataType.Type.NVARCHAR, exp.DataType.Type.TEXT, exp.DataType.Type.BPCHAR}
#: sqlglot type -> the Postgres name Redshift reports for a declared column (pg_table_def.type).
_DECLARED_NAMES = {
    "SMALLINT": "smallint", "INT": "integer", "BIGINT": "bigint", "FLOAT": "real", "DOUBLE": "double precision",
    "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp without time zone",
    "TIMESTAMPTZ": "timestamp with time zone", "TIME": "time without time zone", "TIMETZ": "time with time zone",
    "SUPER": "super", "VARBINARY": "varbyte", "TEXT": "character varying", "BPCHAR": "character",
    "TINYINT": "smallint",
}
#: Redshift functions that are DuckDB's under another name.
_RENAMED_FUNCTIONS = {"replicate": "repeat", "is_valid_json": "json_valid", "func_sha1": "sha1",
                      "dexp": "exp", "dlog1": "ln", "dlog10": "log10"}
#: What `SELECT version()` answers on Redshift; drivers and tools parse it to know the server.
REDSHIFT_VERSION = ("PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 "
                    "(Red Hat 3.4.2-6.fc3), Redshift 1.0.77467")
_PROJECTION_NAMES = {exp.Extract: "date_part", exp.CurrentUser: "current_user", exp.SessionUser: "session_user",
                     exp.CurrentVersion: "version",
                     exp.Count: "count", exp.Sum: "sum", exp.Avg: "avg", exp.Min: "min", exp.Max: "max",
                     exp.CurrentTimestamp: "getdate", exp.CurrentSchema: "current_schema",
                     exp.CurrentDatabase: "current_database",
                     # AWS's DATEADD page: "The default column name for a DATEADD function is DATE_ADD".
                     exp.TsOrDsAdd: "date_add"}


@dataclass
class TableDesign:
    """What a CREATE TABLE said that DuckDB does not keep, as (column or None, attribute, value) rows:
    ("customer_id" is None for table attributes) DISTKEY, SORTKEY, DISTSTYLE, ENCODE, IDENTITY,
    PRIMARY KEY, TYPE (the declared Redshift type)."""
    schema: Optional[str] = None
    table: str = ""
    attributes: list = field(default_factory=list)
    sequences: list = field(default_factory=list)  # names of the IDENTITY sequences, in the table's schema


@dataclass
class Translated:
    """One Redshift statement as DuckDB runs it."""
    tag: str                     # "SELECT", "INSERT", "CREATE TABLE" ... (counts are added after the run)
    statements: list             # DuckDB SQL, run in order; the last one gives the result
    returns_rows: bool = False
    design: Optional[TableDesign] = None
    dropped: list = field(default_factory=list)  # [(schema or None, table)] of a DROP TABLE
    #: {result column index: "intervaly2m" or "intervald2s"}: columns sent as months or microseconds.
    interval_columns: dict = field(default_factory=dict)
    #: Indexes of the result columns of the ABSTIME type (sent as seconds since 1970).
    abstime_columns: set = field(default_factory=set)


# -- splitting -------------------------------------------------------------------------------------

def tokenize(sql: str) -> list:
    try:
        return _REDSHIFT.tokenize(sql)
    except TokenError as error:
        raise RedshiftError(f"syntax error: {error}", "42601") from None


def split_statements(sql: str) -> list[str]:
    """The statements of a multi-statement string, cut at top-level semicolons (never inside a string,
    a quoted name or a $$ body), empty ones left out."""
    pieces, start = [], 0
    for token in tokenize(sql):
        if token.token_type == TokenType.SEMICOLON:
            pieces.append(sql[start:token.start])
            start = token.end + 1
    pieces.append(sql[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def leading_words(sql: str, count: int = 3) -> list[str]:
    """The first words of a statement, upper-cased, for dispatching statements sqlglot cannot parse."""
    words = []
    for token in tokenize(sql)[:count]:
        words.append(token.text.upper())
    return words


# -- physical design attributes --------------------------------------------------------------------

def strip_design(sql: str) -> tuple[str, list]:
    """Cut DISTSTYLE/DISTKEY/SORTKEY/BACKUP/ENCODE out of a CREATE TABLE; return the text left and the
    (column or None, attribute, value) rows they said."""
    tokens = tokenize(sql)
    cuts, found = [], []
    depth, column, element_start = 0, None, False
    i = 0
    while i < len(tokens):
        token, word = tokens[i], tokens[i].text.upper()
        if token.token_type == TokenType.L_PAREN:
            depth += 1
            element_start = depth == 1
            i += 1
            continue
        if token.token_type == TokenType.R_PAREN:
            depth -= 1
            i += 1
            continue
        if depth == 1 and token.token_type == TokenType.COMMA:
            element_start = True
            i += 1
            continue
        if depth == 1 and element_start:
            column = token.text if token.token_type == TokenType.IDENTIFIER else token.text.lower()
            element_start = False
            i += 1
            continue
        if depth == 1 and word == "ENCODE" and i + 1 < len(tokens):
            found.append((column, "ENCODE", tokens[i + 1].text.upper()))
            cuts.append((token.start, tokens[i + 1].end))
            i += 2
            continue
        if depth == 1 and word in ("DISTKEY", "SORTKEY"):
            found.append((None, word, column))
            cuts.append((token.start, token.end))
            i += 1
            continue
        if depth == 0 and i > 2:
            end, attribute = _table_attribute(tokens, i)
            if attribute:
                found.append((None, *attribute))
                cuts.append((token.start, tokens[end - 1].end))
                i = end
                continue
            if token.token_type in (TokenType.ALIAS, TokenType.SELECT):  # CTAS: the query is not ours
                break
        i += 1
    for start, end in reversed(cuts):
        sql = sql[:start] + " " + sql[end + 1:]
    return sql, found


def _without_second_precision(sql: str) -> str:
    """`INTERVAL DAY TO SECOND (4)`, Redshift's interval type with the fractional digits of its seconds,
    without them: DuckDB keeps microseconds, and sqlglot does not read the digits."""
    tokens = tokenize(sql)
    cuts = []
    for i, token in enumerate(tokens[:-3]):
        if token.text.upper() == "SECOND" and tokens[i + 1].token_type == TokenType.L_PAREN \
                and tokens[i + 2].token_type == TokenType.NUMBER and tokens[i + 3].token_type == TokenType.R_PAREN \
                and any(t.text.upper() == "INTERVAL" for t in tokens[max(0, i - 3):i]):
            cuts.append((tokens[i + 1].start, tokens[i + 3].end))
    for start, end in reversed(cuts):
        sql = sql[:start] + sql[end + 1:]
    return sql


def _table_attribute(tokens: list, i: int) -> tuple[int, Optional[tuple]]:
    """The table attribute starting at token i: (index after it, (attribute, value)) or (i, None)."""
    word = tokens[i].text.upper()
    following = tokens[i + 1].text.upper() if i + 1 < len(tokens) else ""
    if word == "DISTSTYLE" and following in ("AUTO", "EVEN", "KEY", "ALL"):
        return i + 2, ("DISTSTYLE", following)
    if word == "BACKUP" and following in ("YES", "NO"):
        return i + 2, ("BACKUP", following)
    if word == "ENCODE" and following == "AUTO":
        return i + 2, ("ENCODE", "AUTO")
    kind = ""
    if word in ("COMPOUND", "INTERLEAVED") and following == "SORTKEY":
        kind, i, word = word + " ", i + 1, "SORTKEY"
        following = tokens[i + 1].text.upper() if i + 1 < len(tokens) else ""
    if word in ("DISTKEY", "SORTKEY"):
        if following == "AUTO":
            return i + 2, (kind + word, "AUTO")
        if following == "(":
            names, j = [], i + 2
            while j < len(tokens) and tokens[j].token_type != TokenType.R_PAREN:
                if tokens[j].token_type != TokenType.COMMA:
                    names.append(tokens[j].text if tokens[j].token_type == TokenType.IDENTIFIER
                                 else tokens[j].text.lower())
                j += 1
            return j + 1, (kind + word, ",".join(names))
    return i, None


# -- translation -----------------------------------------------------------------------------------

#: Postgres spellings psql's catalog queries use that sqlglot does not read: `OPERATOR(pg_catalog.~)`
#: is the operator itself, and `COLLATE pg_catalog.default` changes nothing.
_CATALOG_SPELLINGS = [(re.compile(r"OPERATOR\s*\(\s*pg_catalog\s*\.\s*([^\s()]+)\s*\)", re.I), r"\1"),
                      (re.compile(r"\s+COLLATE\s+pg_catalog\s*\.\s*\"?default\"?", re.I), ""),
                      (re.compile(r"::\s*pg_catalog\s*\.\s*", re.I), "::")]


_NO_SCHEMA_BINDING = re.compile(r"(?is)\s+WITH\s+NO\s+SCHEMA\s+BINDING\s*;?\s*$")
_SCHEMA_NAME = r'(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)'
#: CREATE SCHEMA [IF NOT EXISTS] [name] [AUTHORIZATION user] [QUOTA ...]: Redshift's owner and disk quota.
_CREATE_SCHEMA = re.compile(rf"(?is)^\s*CREATE\s+SCHEMA\s+(?P<exists>IF\s+NOT\s+EXISTS\s+)?"
                            rf"(?:(?!AUTHORIZATION\b)(?P<name>{_SCHEMA_NAME})\s*)?"
                            rf"(?:AUTHORIZATION\s+(?P<owner>{_SCHEMA_NAME})\s*)?"
                            r"(?:QUOTA\s+(?:UNLIMITED|\d+(?:\.\d+)?\s*(?:MB|GB|TB)?)\s*)?;?\s*$")


def parse(sql: str, *, case_sensitive: bool = False) -> exp.Expression:
    """One Redshift statement as a sqlglot AST, identifiers folded to lower case (quoted ones keep
    their case when `case_sensitive`: enable_case_sensitive_identifier)."""
    if "pg_catalog" in sql:
        for pattern, replacement in _CATALOG_SPELLINGS:
            sql = pattern.sub(replacement, sql)
    try:
        expressions = [e for e in sqlglot.parse(sql, read="redshift") if e is not None]
    except (ParseError, TokenError) as error:
        raise RedshiftError(_syntax_message(error, sql), "42601") from None
    if len(expressions) != 1:
        raise RedshiftError("syntax error: expected exactly one statement", "42601")
    return normalize_identifiers(_read_add_months(expressions[0], sql),
                                 dialect=_CASE_SENSITIVE if case_sensitive else "redshift")


def _read_add_months(tree: exp.Expression, sql: str) -> exp.Expression:
    """sqlglot reads ADD_MONTHS(d, n) as DATEADD(month, n, d), but they differ at a month's end
    (`semantics`): the function name, found through the position sqlglot keeps of it, tells them apart."""
    for node in list(tree.find_all(exp.TsOrDsAdd)):
        start, end = node.meta.get("start"), node.meta.get("end")
        if start is not None and end is not None and sql[start:end + 1].upper() == "ADD_MONTHS":
            replacement = exp.AddMonths(this=node.this, expression=node.expression)
            if node is tree:
                return replacement
            node.replace(replacement)
    return tree


def _create_schema(sql: str) -> str:
    """CREATE SCHEMA without Redshift's AUTHORIZATION and QUOTA, which lakebox does not keep (it records
    no owners and sets no quotas); `CREATE SCHEMA AUTHORIZATION user` names the schema after its user."""
    match = _CREATE_SCHEMA.match(sql)
    if match is None or not (match.group("owner") or re.search(r"(?i)\bQUOTA\b", sql)):
        return sql
    name = match.group("name") or match.group("owner")
    if name is None:
        raise RedshiftError('syntax error at or near "QUOTA"', "42601")
    return f"CREATE SCHEMA {match.group('exists') or ''}{name}"


def _syntax_message(error: Exception, sql: str) -> str:
    errors = getattr(error, "errors", None) or []
    if errors and errors[0].get("highlight"):
        return f'syntax error at or near "{errors[0]["highlight"]}"'
    return f"syntax error: {str(error).splitlines()[0]}"


def translate(sql: str, *, default_schema: str = "public",
              rewrite_table: Optional[Callable[[exp.Table], Optional[exp.Expression]]] = None,
              trunc_dates: bool = False, user: Optional[str] = None,
              session_values: Optional[dict] = None,
              column_types: Optional[numeric_types.ColumnTypes] = None,
              case_sensitive: bool = False, database: Optional[str] = None) -> Translated:
    """`case_sensitive`: the session's enable_case_sensitive_identifier (see `parse`).
    `database`: the session's database, which CURRENT_DATABASE() names (DuckDB would name its file's
    catalog, which spells some names escaped).
    `rewrite_table` may replace a table reference (Spectrum tables become views over the lake).
    `column_types` tells a table's columns and types, for the numeric results that depend on them.
    `trunc_dates`: read one-argument TRUNC as Redshift's TRUNC(timestamp) -> date (DuckDB has only the
    numeric TRUNC, so the caller retries with this when DuckDB cannot bind TRUNC on a timestamp)."""
    attributes: list = []
    words = leading_words(sql, 4)
    if words[:2] == ["CREATE", "VIEW"] or words[:4] == ["CREATE", "OR", "REPLACE", "VIEW"]:
        # A late-binding view; DuckDB binds every view when it is read, which is what this asks.
        sql = _NO_SCHEMA_BINDING.sub("", sql)
    if words[:2] == ["CREATE", "SCHEMA"]:
        sql = _create_schema(sql)
    if words[:1] == ["CREATE"] and "TABLE" in words and "EXTERNAL" not in words:
        unsupported_types.check_create_table(tokenize(sql))
        sql, attributes = strip_design(_without_second_precision(sql))
    if "interval" in sql.lower():
        sql = interval_types.spell_type_names(sql, tokenize(sql))
    if datetime_types.mentions_abstime(sql):
        sql = datetime_types.spell_abstime(sql, tokenize(sql))
    if "date_part" in sql.lower():
        sql = function_rules.spell_date_part(sql, tokenize(sql))
    tree = parse(sql, case_sensitive=case_sensitive)
    if isinstance(tree, exp.Command):
        raise RedshiftError(f"{tree.name.upper()} {str(tree.expression or '')[:60]}... is not supported".strip(),
                            "0A000")
    if rewrite_table is not None:
        for table in list(tree.find_all(exp.Table)):
            replacement = rewrite_table(table)
            if replacement is not None:
                table.replace(replacement)
    design = None
    if isinstance(tree, exp.Create) and tree.kind == "TABLE":
        design = _table_design(tree, attributes, default_schema)
    if isinstance(tree, (exp.Select, exp.SetOperation)):
        _name_projections(tree)
    tree, interval_columns = interval_types.apply(tree, column_types)
    tree, abstime_columns = datetime_types.apply(tree, column_types)
    tree = numeric_types.apply(tree, column_types, default_schema)
    tree = super_values.apply(tree, column_types)
    tree = character_types.apply(tree, column_types)
    tree = function_rules.apply(tree)
    tree = semantics.apply(tree, semantics.text_columns(tree, column_types))
    tree = tree.transform(lambda node: _rewrite(node, trunc_dates))
    if session_values and "pg_backend_pid" in session_values:
        # PG_TERMINATE_BACKEND(pid) is the cluster's, told which session asks (its user decides).
        caller = exp.Literal.number(session_values["pg_backend_pid"])
        tree = tree.transform(lambda node: exp.Anonymous(this="lakebox_terminate_backend",
                                                         expressions=[node.expressions[0], caller.copy()])
                              if isinstance(node, exp.Anonymous) and node.name.lower() == "pg_terminate_backend"
                              and len(node.expressions) == 1 else node)
    if session_values:
        # Functions answered from the session's state, such as PG_LAST_COPY_ID(): their values.
        tree = tree.transform(lambda node: exp.Literal.number(session_values[node.name.lower()])
                              if isinstance(node, exp.Anonymous) and not node.expressions
                              and node.name.lower() in session_values else node)
    if user is not None:
        # CURRENT_USER, USER and SESSION_USER name the user logged in (DuckDB's own answer is "duckdb").
        tree = tree.transform(lambda node: exp.Literal.string(user)
                              if isinstance(node, (exp.CurrentUser, exp.SessionUser)) else node)
    if database is not None:
        tree = tree.transform(lambda node: exp.Literal.string(database)
                              if isinstance(node, exp.CurrentDatabase) else node)
    statements = []
    if design is not None:
        statements += [f"CREATE SEQUENCE IF NOT EXISTS {qualified(design.schema, name)} START {start} "
                       f"INCREMENT {step}" for name, start, step in design.sequences]
        design.sequences = [name for name, _, _ in design.sequences]
    if isinstance(tree, exp.Drop) and len(tree.args.get("tables") or []) > 1:
        # DROP TABLE a, b: Redshift drops several at once, DuckDB one per statement.
        for table in tree.args["tables"]:
            single = tree.copy()
            single.set("tables", [table.copy()])
            statements.append(_generate(single))
    else:
        statements.append(_generate(tree))
    return Translated(tag=_tag(tree), statements=statements, returns_rows=_returns_rows(tree), design=design,
                      dropped=_dropped(tree), interval_columns=interval_columns, abstime_columns=abstime_columns)


def _generate(tree: exp.Expression) -> str:
    try:
        return tree.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as error:
        raise RedshiftError(f"not supported: {error}", "0A000") from None


def _rewrite(node: exp.Expression, trunc_dates: bool) -> exp.Expression:
    if isinstance(node, exp.Table) and isinstance(node.this, _SCALAR_FROM_FUNCTIONS):
        return _scalar_relation(node)
    if isinstance(node, exp.DataType):
        if node.this in _UNSUPPORTED_TYPES or (node.this == exp.DataType.Type.USERDEFINED
                                               and str(node.args.get("kind", "")).upper() == "HLLSKETCH"):
            raise RedshiftError(f"type {node.sql('redshift')} is not supported", "0A000")
        if node.this == exp.DataType.Type.SUPER:
            return exp.DataType.build("JSON")
        if node.this == exp.DataType.Type.VARBINARY and node.expressions:
            return exp.DataType.build("BLOB")  # VARBYTE(n): DuckDB's BLOB takes no length
        if isinstance(node.this, str) and node.this.upper() in ("REGTYPE", "REGCLASS", "REGPROC", "REGNAMESPACE"):
            return exp.DataType.build("VARCHAR")  # psql's catalog queries cast oids to names for display
        if node.this in _TEXT_TYPES:
            return exp.DataType.build("VARCHAR")
        if node.this == exp.DataType.Type.DECIMAL and not node.expressions:
            return exp.DataType.build("DECIMAL(18, 0)")  # Redshift's default; DuckDB's is DECIMAL(18,3)
    if isinstance(node, exp.CurrentTimestamp) and not isinstance(node.parent, exp.AtTimeZone):
        # GETDATE() is a timestamp without time zone (sqlglot reads it as CURRENT_TIMESTAMP).
        return exp.cast(node.copy(), "TIMESTAMP")
    if isinstance(node, exp.GroupConcat) and isinstance(node.this, exp.Distinct) \
            and len(node.this.expressions) == 2 and node.args.get("separator") is None:
        # LISTAGG(DISTINCT x, ',') is read with the separator inside the DISTINCT.
        value, separator = node.this.expressions
        return exp.GroupConcat(this=exp.Distinct(expressions=[value.copy()]), separator=separator.copy())
    if isinstance(node, exp.GroupConcat) and node.args.get("separator") is None:
        # Redshift's LISTAGG without a delimiter uses none; DuckDB's would put commas in.
        return exp.GroupConcat(this=node.this.copy(), separator=exp.Literal.string(""))
    if isinstance(node, exp.TimeToStr) and isinstance(node.args.get("format"), exp.Literal):
        return _to_char(node)
    if isinstance(node, exp.FromBase):  # STRTOL(text, base): a session macro (system_tables)
        return exp.Anonymous(this="strtol", expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous) and node.name.lower() in _RENAMED_FUNCTIONS:
        return exp.Anonymous(this=_RENAMED_FUNCTIONS[node.name.lower()], expressions=node.expressions)
    if isinstance(node, exp.CurrentVersion):
        return exp.Literal.string(REDSHIFT_VERSION)
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func) and node.this.name.lower() == "pg_catalog":
        # pg_catalog.f(...) as psql and drivers write it: DuckDB finds its own pg_catalog functions
        # and the session's (pg_compat) without the qualifier, and only its own with it.
        return node.expression
    if trunc_dates and isinstance(node, (exp.Trunc, exp.Anonymous)) and _is_one_arg_trunc(node):
        return exp.cast(node.this if isinstance(node, exp.Trunc) else node.expressions[0], "DATE")
    return node


#: Scalar functions Postgres lets a FROM clause name (`FROM current_database()`), which DuckDB reads
#: only as table functions.
_SCALAR_FROM_FUNCTIONS = (exp.CurrentDatabase, exp.CurrentSchema, exp.CurrentUser, exp.SessionUser)


def _scalar_relation(table: exp.Table) -> exp.Expression:
    """A scalar function in FROM is, in Postgres, a one-row relation whose one column is named after
    the function, as the relation is unless an alias names it."""
    name = _PROJECTION_NAMES.get(type(table.this)) or table.this.sql("redshift").split("(")[0].lower()
    alias = table.args.get("alias")
    column = alias.columns[0].name if alias and alias.columns else name
    query = exp.select(exp.alias_(table.this.copy(), column, quoted=True))
    return exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(alias.name if alias and alias.name
                                                                              else name)))


def _to_char(node: exp.TimeToStr) -> exp.Expression:
    """TO_CHAR(value, 'template') through the session function for a number's template or a date's
    (number_format, datetime_format): sqlglot turned the template into strftime codes, which are
    turned back here, and neither kind of template is DuckDB's."""
    template = format_time(node.args["format"].this, Redshift.INVERSE_TIME_MAPPING, Redshift.INVERSE_TIME_TRIE)
    if is_number_template(template):
        return exp.Anonymous(this="redshift_to_char_number",
                             expressions=[exp.cast(node.this.copy(), "VARCHAR"), exp.Literal.string(template)])
    return exp.Anonymous(this="redshift_to_char_time",
                         expressions=[exp.cast(node.this.copy(), "TIMESTAMP"), exp.Literal.string(template)])


def _is_one_arg_trunc(node: exp.Expression) -> bool:
    if isinstance(node, exp.Anonymous):
        return node.name.upper() == "TRUNC" and len(node.expressions) == 1
    return not node.args.get("decimals")


def qualified(schema: Optional[str], name: str) -> str:
    quoted = '"' + name.replace('"', '""') + '"'
    return quoted if not schema else '"' + schema.replace('"', '""') + '".' + quoted


def _table_design(tree: exp.Create, attributes: list, default_schema: str) -> TableDesign:
    """Turn IDENTITY into sequence defaults and drop unenforced constraints, recording both."""
    target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    design = TableDesign(schema=target.db or default_schema, table=target.name, attributes=list(attributes))
    schema = tree.this if isinstance(tree.this, exp.Schema) else None
    for element in list(schema.expressions if schema else []):
        if isinstance(element, exp.ColumnDef):
            _column_design(element, design)
        elif isinstance(element, (exp.PrimaryKey, exp.ForeignKey, exp.UniqueColumnConstraint, exp.Constraint)):
            kind = {exp.PrimaryKey: "PRIMARY KEY", exp.ForeignKey: "FOREIGN KEY"}.get(type(element), "CONSTRAINT")
            columns = ",".join(e.name for e in element.expressions) if element.expressions else element.sql()
            design.attributes.append((None, kind, columns))
            element.pop()
    return design


def _column_design(column: exp.ColumnDef, design: TableDesign) -> None:
    name = column.name
    if column.args.get("kind") is not None:
        declared = declared_type(column.args["kind"])
        design.attributes.append((name, "TYPE", declared))
        _limit_length(column)
        character_types.stored_default(column, declared)
    for constraint in list(column.constraints):
        kind = constraint.kind
        if isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
            start = int(kind.args["start"].name) if kind.args.get("start") else 1
            step = int(kind.args["increment"].name) if kind.args.get("increment") else 1
            sequence = f"{design.table}_{name}_seq"
            design.sequences.append((sequence, start, step))
            design.attributes.append((name, "IDENTITY", f"{start},{step}"))
            default = exp.Anonymous(this="nextval",
                                    expressions=[exp.Literal.string(f"{design.schema}.{sequence}")])
            constraint.set("kind", exp.DefaultColumnConstraint(this=default))
        elif isinstance(kind, (exp.PrimaryKeyColumnConstraint, exp.UniqueColumnConstraint, exp.Reference)):
            label = {exp.PrimaryKeyColumnConstraint: "PRIMARY KEY", exp.UniqueColumnConstraint: "UNIQUE"}
            design.attributes.append((name, label.get(type(kind), "REFERENCES"), kind.sql("redshift")))
            constraint.pop()
        elif isinstance(kind, exp.EncodeColumnConstraint):
            design.attributes.append((name, "ENCODE", kind.name.upper()))
            constraint.pop()


_T = exp.DataType.Type
#: Character types and the length Redshift gives them when none is said (TEXT is VARCHAR(256)).
_CHARACTER_LENGTHS = {_T.VARCHAR: 256, _T.NVARCHAR: 256, _T.TEXT: 256, _T.CHAR: 1, _T.NCHAR: 1, _T.BPCHAR: 256}


def _limit_length(column: exp.ColumnDef) -> None:
    """DuckDB ignores VARCHAR(n); Redshift refuses a longer value (22001), counting UTF-8 bytes. So a
    character column gets a CHECK on its byte length, which `errors` words as Redshift does. CHAR
    pads with blanks, so trailing blanks do not count against a CHAR's length."""
    kind = column.args["kind"]
    if kind.this not in _CHARACTER_LENGTHS:
        return
    size = kind.expressions[0].name if kind.expressions else ""
    limit = 65535 if size.upper() == "MAX" else int(size) if size.isdigit() else _CHARACTER_LENGTHS[kind.this]
    value: exp.Expression = exp.column(column.name, quoted=True)
    if kind.this in (_T.CHAR, _T.NCHAR, _T.BPCHAR):
        value = exp.Anonymous(this="rtrim", expressions=[value])
    check = exp.LTE(this=exp.Anonymous(this="strlen", expressions=[value]), expression=exp.Literal.number(limit))
    column.append("constraints", exp.ColumnConstraint(kind=exp.CheckColumnConstraint(this=check)))


def declared_type(kind: exp.DataType) -> str:
    """A column type as Redshift's catalog shows it: `character varying(64)`, `numeric(10,2)`."""
    params = [p.sql("redshift") for p in kind.expressions]
    name = kind.this.name if isinstance(kind.this, exp.DataType.Type) else str(kind.this).upper()
    if name in ("VARCHAR", "NVARCHAR"):
        return "character varying" + (f"({params[0]})" if params else "(256)")
    if name in ("CHAR", "NCHAR"):
        return f"character({params[0] if params else 1})"
    if name == "DECIMAL":
        return f"numeric({','.join(params) if params else '18,0'})"
    if name == "VARBINARY" and params:
        return f"varbyte({params[0]})"
    return _DECLARED_NAMES.get(name, kind.sql("redshift").lower())


def _name_projections(tree: exp.Expression) -> None:
    """Name result columns as Redshift does: an unaliased aggregate is `count`, `sum` ...; any other
    expression that is not a column `?column?` (DuckDB would name it by its text)."""
    select = tree
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        return
    for projection in list(select.expressions):
        if isinstance(projection, (exp.Alias, exp.Column, exp.Star)) or projection.find(exp.Star) is projection:
            continue
        projection.replace(exp.alias_(projection.copy(), _projection_name(projection), quoted=True))


#: The name Postgres (so Redshift) gives a cast of something nameless: its type's internal name.
_CAST_NAMES = {exp.DataType.Type.INT: "int4", exp.DataType.Type.BIGINT: "int8", exp.DataType.Type.SMALLINT: "int2",
               exp.DataType.Type.DECIMAL: "numeric", exp.DataType.Type.DOUBLE: "float8",
               exp.DataType.Type.FLOAT: "float4", exp.DataType.Type.BOOLEAN: "bool",
               exp.DataType.Type.VARCHAR: "varchar", exp.DataType.Type.CHAR: "bpchar", exp.DataType.Type.TEXT: "text",
               exp.DataType.Type.DATE: "date", exp.DataType.Type.TIMESTAMP: "timestamp",
               exp.DataType.Type.TIMESTAMPTZ: "timestamptz", exp.DataType.Type.TIME: "time",
               exp.DataType.Type.TIMETZ: "timetz"}


def _projection_name(projection: exp.Expression) -> str:
    """Postgres's rules (FigureColname): a function or aggregate is named after itself, a cast after
    what it casts (`price::int` is `price`) or else its type (`'1'::int` is `int4`), CASE `case`."""
    if isinstance(projection, exp.Column):
        return projection.name
    if isinstance(projection, exp.CurrentTimestamp) and projection.args.get("sysdate"):
        return "sysdate"
    if isinstance(projection, exp.Cast):
        if interval_types.interval_kind(projection.to):
            return interval_types.interval_kind(projection.to)  # `select '1-2'::intervaly2m` is "intervaly2m"
        inner = _projection_name(projection.this)
        return inner if inner != "?column?" else _CAST_NAMES.get(projection.to.this, "?column?")
    if isinstance(projection, exp.Case):
        return "case"
    if isinstance(projection, exp.Interval):
        return "interval"  # INTERVAL '1 day', a typed literal
    if isinstance(projection, (exp.Func, exp.WithinGroup, exp.Window)) or (
            isinstance(projection, exp.Dot) and isinstance(projection.expression, exp.Func)):
        # A window function is named after its function: `listagg`, `row_number`, `sum`.
        spelled = re.match(r"(?:APPROXIMATE\s+)?(?:\w+\.)?(\w+)\s*\(", projection.sql("redshift"), re.I)
        return _PROJECTION_NAMES.get(type(projection)) or (spelled.group(1).lower() if spelled else "?column?")
    return "?column?"


#: Statement classes whose CommandComplete tag is a fixed word.
_TAGS = ((exp.Select, "SELECT"), (exp.SetOperation, "SELECT"), (exp.Values, "SELECT"), (exp.Insert, "INSERT"),
         (exp.Update, "UPDATE"), (exp.Delete, "DELETE"), (exp.Merge, "MERGE"), (exp.TruncateTable, "TRUNCATE TABLE"),
         (exp.Transaction, "BEGIN"), (exp.Commit, "COMMIT"), (exp.Rollback, "ROLLBACK"))


def _tag(tree: exp.Expression) -> str:
    """The Postgres CommandComplete tag of a statement (without its row count)."""
    for kind, tag in _TAGS:
        if isinstance(tree, kind):
            return tag
    if isinstance(tree, exp.Create):
        if tree.kind == "TABLE" and tree.expression is not None:
            return "SELECT"
        return f"CREATE {tree.kind}"
    if isinstance(tree, exp.Drop):
        return f"DROP {tree.kind}"
    if isinstance(tree, exp.Alter):
        return f"ALTER {tree.args.get('kind') or 'TABLE'}"
    raise RedshiftError(f"{type(tree).__name__.upper()} statements are not supported", "0A000")


def _returns_rows(tree: exp.Expression) -> bool:
    if isinstance(tree, (exp.Select, exp.SetOperation, exp.Values)):
        return True
    return isinstance(tree, (exp.Insert, exp.Update, exp.Delete)) and tree.args.get("returning") is not None


def _dropped(tree: exp.Expression) -> list:
    if isinstance(tree, exp.Drop) and tree.kind == "TABLE":
        tables = list(tree.args.get("tables") or []) or [tree.this]
        return [(t.db or None, t.name) for t in tables if isinstance(t, exp.Table)]
    return []
