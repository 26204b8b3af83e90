"""CREATE TABLE columns of PostgreSQL types that Redshift does not support, refused as Redshift
refuses them: `Column "t1.a" has unsupported type "bytea"` (0A000).

AWS lists them ("Unsupported PostgreSQL data types"): arrays, BIT and BIT VARYING, BYTEA, HSTORE,
JSON, network address types, SERIAL and its kin, MONEY, object identifier types, pseudo-types, range
types, "char" and name, text search types, TXID_SNAPSHOT, UUID, XML, and PostgreSQL's geometric
types. INTERVAL is a column type only with a qualifier (`INTERVAL YEAR TO MONTH`, `INTERVAL DAY TO
SECOND`), so a bare INTERVAL is refused too. `any` is a reserved word, which Postgres's grammar
refuses where a type belongs (42601). DuckDB would store most of these types (BYTEA, JSON, UUID, BIT,
INTERVAL, arrays) or load an extension for them (INET), so the check is made on the statement's
tokens, before anything runs; sqlglot reads BYTEA as VARBYTE, so the AST no longer tells them apart.
Redshift's own types (SUPER, VARBYTE, GEOMETRY, GEOGRAPHY, HLLSKETCH, TIMETZ, TIMESTAMPTZ ...) are
not in the list and go on as before.

Imports sqlglot's token types and this package.
"""

from __future__ import annotations

from sqlglot.tokens import TokenType

from . import RedshiftError

#: PostgreSQL's type names Redshift refuses in a column definition (lower case; "char" quoted).
POSTGRES_ONLY_TYPES = frozenset({
    "bytea", "bit", "bit varying", "varbit", "hstore", "json", "jsonb", "serial", "serial4", "bigserial", "serial8",
    "smallserial", "serial2", "money", "txid_snapshot", "pg_snapshot", "uuid", "xml", "inet", "cidr", "macaddr",
    "macaddr8", "oid", "tid", "xid", "xid8", "cid", "int2vector", "oidvector", "aclitem", "pg_lsn", "regproc",
    "regprocedure", "regoper", "regoperator", "regclass", "regtype", "regrole", "regnamespace", "regconfig",
    "regdictionary", "regcollation", "anyelement", "anyarray", "anynonarray", "anyenum", "anyrange",
    "anymultirange", "anycompatible", "anycompatiblearray", "anycompatiblenonarray", "anycompatiblerange",
    "cstring", "internal", "language_handler", "fdw_handler", "tsm_handler", "index_am_handler",
    "table_am_handler", "record", "trigger", "event_trigger", "pg_ddl_command", "void", "opaque", "unknown",
    "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange", "int4multirange",
    "int8multirange", "nummultirange", "tsmultirange", "tstzmultirange", "datemultirange", "tsvector", "tsquery",
    '"char"', "name", "point", "line", "lseg", "box", "path", "polygon", "circle", "interval",
})
#: Words that end a column's type in its definition.
_CONSTRAINT_WORDS = {"NOT", "NULL", "DEFAULT", "PRIMARY", "UNIQUE", "REFERENCES", "ENCODE", "DISTKEY", "SORTKEY",
                     "IDENTITY", "GENERATED", "COLLATE", "CONSTRAINT", "CHECK"}
#: Elements of a column list that are not columns.
_TABLE_ELEMENTS = {"PRIMARY", "FOREIGN", "UNIQUE", "CONSTRAINT", "CHECK", "LIKE", "DISTKEY", "SORTKEY"}
#: The words of `CREATE [LOCAL] TEMP TABLE [IF NOT EXISTS]`.
_CREATE_WORDS = {"CREATE", "LOCAL", "TEMP", "TEMPORARY", "TABLE", "IF", "NOT", "EXISTS"}
#: Postgres's names for the element types an array is written with (`int[]` is `integer[]`).
_CANONICAL = {"int": "integer", "int4": "integer", "int2": "smallint", "int8": "bigint", "float4": "real",
              "float8": "double precision", "float": "double precision", "bool": "boolean",
              "varchar": "character varying", "char": "character", "bpchar": "character", "decimal": "numeric",
              "timestamptz": "timestamp with time zone", "timetz": "time with time zone"}


def check_create_table(tokens: list) -> None:
    """Raise as Redshift does for the first column of a CREATE TABLE whose type it does not support."""
    table = _table_name(tokens)
    for column, words, is_array in _column_types(tokens):
        name = " ".join(words)
        if is_array:
            raise _unsupported(table, column, _CANONICAL.get(name, name) + "[]")
        if name == "any":
            raise RedshiftError('syntax error at or near "any"', "42601")
        if name in POSTGRES_ONLY_TYPES:
            raise _unsupported(table, column, name)


def _unsupported(table: str, column: str, type_name: str) -> RedshiftError:
    return RedshiftError(f'Column "{table}.{column}" has unsupported type "{type_name}"', "0A000")


def _name(token) -> str:
    return token.text if token.token_type == TokenType.IDENTIFIER else token.text.lower()


def _table_name(tokens: list) -> str:
    """The table's own name (the last part of a qualified one), from the tokens before its column list."""
    name = ""
    for token in tokens:
        if token.token_type == TokenType.L_PAREN:
            break
        if token.token_type != TokenType.DOT and token.text.upper() not in _CREATE_WORDS:
            name = _name(token)
    return name


def _column_types(tokens: list):
    """(column, type words in lower case, whether it is an array) of each column of the column list."""
    depth, start = 0, None
    for i, token in enumerate(tokens):
        if token.token_type == TokenType.L_PAREN:
            depth += 1
            if depth == 1:
                start = i + 1
            continue
        if token.token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                yield from _element(tokens[start:i])
                return
            continue
        if depth == 1 and token.token_type == TokenType.COMMA:
            yield from _element(tokens[start:i])
            start = i + 1
        if depth == 0 and token.token_type in (TokenType.ALIAS, TokenType.SELECT):
            return  # CREATE TABLE ... AS SELECT: no column types


def _element(tokens: list):
    if len(tokens) < 2 or tokens[0].text.upper() in _TABLE_ELEMENTS:
        return
    words, is_array, depth = [], False, 0
    for token in tokens[1:]:
        if token.token_type in (TokenType.L_PAREN, TokenType.L_BRACKET):
            is_array = is_array or token.token_type == TokenType.L_BRACKET
            depth += 1
            continue
        if token.token_type in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
            continue
        if depth:
            continue
        if token.text.upper() in _CONSTRAINT_WORDS:
            break
        words.append(f'"{token.text}"' if token.token_type == TokenType.IDENTIFIER else token.text.lower())
    yield _name(tokens[0]), words, is_array
