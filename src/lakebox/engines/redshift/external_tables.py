"""Spectrum DDL: CREATE EXTERNAL TABLE, and DROP / ALTER TABLE of a table in an external schema.

In Redshift these statements change the Glue Data Catalog, not the cluster: an external table is a
Glue table of the database the external schema names, which Athena, Glue jobs and crawlers see at
once. So the statement is rewritten into the Hive DDL Athena runs (Redshift's column types become
the Hive types Redshift writes to Glue, `TABLE PROPERTIES` becomes `TBLPROPERTIES`) and handed to
the same DDL executor (`lakebox.engines.sql.ddl`), which keeps one way of writing catalog tables.

Imports sqlglot, lakebox.engines.sql.ddl and this package.
"""

from __future__ import annotations

import re
from typing import Optional

from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.tokens import TokenType

from ..sql.ddl import DdlError, run_ddl
from . import RedshiftError, translate
from .results import Result

_T = exp.DataType.Type
#: Redshift's sizes for a type named without one (VARCHAR is 256 bytes, CHAR one, DECIMAL 18,0).
_DEFAULT_SIZES = {_T.VARCHAR: "varchar(256)", _T.NVARCHAR: "varchar(256)", _T.TEXT: "varchar(256)",
                  _T.CHAR: "char(1)", _T.NCHAR: "char(1)", _T.BPCHAR: "char(1)", _T.DECIMAL: "decimal(18,0)"}
_SQLSTATES = {"ALREADY_EXISTS": "42P07", "NOT_FOUND": "42P01", "SYNTAX_ERROR": "42601",
              "NOT_SUPPORTED": "0A000"}


def hive_type(redshift_type: str) -> str:
    """`integer` -> `int`, `double precision` -> `double`, `character varying(20)` -> `varchar(20)`:
    the type Redshift writes to Glue for a column of an external table."""
    try:
        built = exp.DataType.build(redshift_type, dialect="redshift")
    except (ParseError, ValueError):
        raise RedshiftError(f'type "{redshift_type}" does not exist', "42704") from None
    if built.this in (_T.TIMESTAMPTZ, _T.TIMESTAMPLTZ):
        return "timestamp"
    if not built.expressions and built.this in _DEFAULT_SIZES:
        return _DEFAULT_SIZES[built.this]
    return built.sql("hive").lower().replace(", ", ",")


class ExternalTablesMixin:
    """Needs `_external_schemas()`, `glue_catalog`, `lake`, `account` and `region` (SpectrumMixin)."""

    def _external_table_ddl(self, statement: str, words: list) -> Optional[Result]:
        """Run `statement` against Glue when it is Spectrum DDL; None when it is not."""
        if words[:3] == ["CREATE", "EXTERNAL", "TABLE"]:
            return self._create_external_table(statement)
        if words[:2] in (["DROP", "TABLE"], ["ALTER", "TABLE"]):
            tokens = translate.tokenize(statement)
            start = 4 if words[:2] == ["DROP", "TABLE"] and words[2:4] == ["IF", "EXISTS"] else 2
            schema, name, after = _qualified_name(tokens, start)
            glue_database = self._external_schemas().get(schema) if schema else None
            if glue_database is None:
                return None
            head = "DROP TABLE IF EXISTS" if start == 4 else " ".join(words[:2])
            tail = statement[tokens[after - 1].end + 1:] if after <= len(tokens) else ""
            if words[0] == "ALTER":
                tail = _table_properties_as_hive(tail)
            return self._run_hive_ddl(f"{head} {_hive_name(glue_database, name)} {tail}", glue_database,
                                      "DROP TABLE" if words[0] == "DROP" else "ALTER TABLE", f"{schema}.{name}")
        return None

    def _create_external_table(self, statement: str) -> Result:
        """CREATE EXTERNAL TABLE [IF NOT EXISTS] schema.table (columns) [PARTITIONED BY (...)] ...
        LOCATION '...' [TABLE PROPERTIES (...)], the table made in the schema's Glue database."""
        tokens = translate.tokenize(statement)
        words = [t.text.upper() for t in tokens]
        start = 6 if words[3:6] == ["IF", "NOT", "EXISTS"] else 3
        schema, name, after = _qualified_name(tokens, start)
        glue_database = self._external_schemas().get(schema) if schema else None
        if glue_database is None:
            raise RedshiftError(f'External tables must be created in an external schema; "{schema or name}" '
                                "is not one", "3F000")
        rest = statement[tokens[after - 1].end + 1:]
        if re.search(r"(?is)\bAS\s+(SELECT|WITH|\()", rest) and not rest.lstrip().startswith("("):
            return self._create_external_table_as(rest, schema, name, glue_database, start == 6)
        hive = _table_properties_as_hive(_hive_columns(rest))
        exists = "IF NOT EXISTS " if start == 6 else ""
        return self._run_hive_ddl(f"CREATE EXTERNAL TABLE {exists}{_hive_name(glue_database, name)} {hive}",
                                  glue_database, "CREATE EXTERNAL TABLE", f"{schema}.{name}")

    def _run_hive_ddl(self, hive_sql: str, glue_database: str, tag: str, shown: str) -> Result:
        """Run Hive DDL on the catalog; its errors worded as Redshift words them for `shown`."""
        try:
            run_ddl(hive_sql, glue_database, self.glue_catalog, self.lake, self.account, self.region)
        except DdlError as error:
            if error.error_type == "ALREADY_EXISTS":
                raise RedshiftError(f'relation "{shown}" already exists', "42P07") from None
            if error.error_type == "NOT_FOUND" and "Database does not exist" in error.message:
                raise RedshiftError(f'Glue database "{glue_database}" of the external schema does not exist',
                                    "3F000") from None
            if error.error_type == "NOT_FOUND":
                raise RedshiftError(f'relation "{shown}" does not exist', "42P01") from None
            message = error.message.removeprefix("FAILED: ")
            raise RedshiftError(message, _SQLSTATES.get(error.error_type, "XX000")) from None
        return Result([], [], tag, -1)


def _hive_name(database: str, table: str) -> str:
    """`db.table` for the Hive parser, quoted only when a part needs it."""
    return ".".join(p if p.replace("_", "a").isalnum() else f"`{p}`" for p in (database, table))


def _qualified_name(tokens: list, i: int) -> tuple[Optional[str], str, int]:
    """(schema or None, table, index after the name) of the name starting at token i, folded to lower
    case unless quoted, as Redshift folds identifiers."""
    def part(token) -> str:
        return token.text if token.token_type == TokenType.IDENTIFIER else token.text.lower()

    if i >= len(tokens):
        raise RedshiftError("syntax error at end of input", "42601")
    if i + 2 < len(tokens) and tokens[i + 1].token_type == TokenType.DOT:
        return part(tokens[i]), part(tokens[i + 2]), i + 3
    return None, part(tokens[i]), i + 1


def _hive_columns(text: str) -> str:
    """The column lists of `text` (the table's and PARTITIONED BY's) with Hive types."""
    tokens = translate.tokenize(text)
    out, last, depth, element, list_start = [], 0, 0, [], None
    for index, token in enumerate(tokens):
        if token.token_type == TokenType.L_PAREN:
            depth += 1
            if depth == 1 and _opens_column_list(tokens, index):
                list_start, element = index, []
                continue
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        if list_start is None:
            continue
        if depth == 0 or (depth == 1 and token.token_type == TokenType.COMMA):
            if element:
                out.append(text[last:element[0].start])
                out.append(_hive_column(text, element))
                last = element[-1].end + 1
            element = []
            if depth == 0:
                list_start = None
            continue
        element.append(token)
    out.append(text[last:])
    return "".join(out)


def _opens_column_list(tokens: list, index: int) -> bool:
    """The table's own column list (the first parenthesis) or PARTITIONED BY's."""
    before = [t.text.upper() for t in tokens[max(0, index - 2):index]]
    return index == 0 or before == ["PARTITIONED", "BY"] or before[-1:] == ["PARTITIONED BY"]


def _hive_column(text: str, element: list) -> str:
    """`name type [NOT NULL]`: the name as written, the type as Hive names it."""
    name = element[0]
    type_tokens = element[1:]
    if not type_tokens:
        raise RedshiftError(f'syntax error at or near "{name.text}"', "42601")
    type_text = text[type_tokens[0].start:type_tokens[-1].end + 1]
    quoted = f"`{name.text}`" if name.token_type == TokenType.IDENTIFIER else name.text.lower()
    return f"{quoted} {hive_type(type_text)}"


def _table_properties_as_hive(text: str) -> str:
    """Redshift's `TABLE PROPERTIES (...)` is Hive's `TBLPROPERTIES (...)` (outside of strings)."""
    tokens = translate.tokenize(text)
    for index in range(len(tokens) - 1, 0, -1):
        if tokens[index - 1].text.upper() == "TABLE" and tokens[index].text.upper() == "PROPERTIES":
            text = text[:tokens[index - 1].start] + "TBLPROPERTIES" + text[tokens[index].end + 1:]
    return text
