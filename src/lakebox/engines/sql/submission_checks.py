"""The syntax check Athena makes when a query is submitted, before it is queued.

Athena parses a statement in StartQueryExecution: one that does not parse never becomes an execution,
and the call fails with InvalidRequestException, the parser's message without a category
("line 1:10: mismatched input '<EOF>'. Expecting: ..."). Everything else, a missing table or column, a
type mismatch, fails the execution later with its error category (COLUMN_NOT_FOUND: ...).

A text holding more than one statement (`DROP TABLE t; CREATE TABLE t ...`, or a `;` left inside a
wrapped query) is refused first, whatever its statements: "Only one sql statement is allowed. Got: ...".

The syntax check covers what the Trino parser reads: queries (also under EXPLAIN), INSERT, and CREATE TABLE
AS. Hive DDL, views, UNLOAD, PREPARE / EXECUTE and Iceberg maintenance are read by their own parsers
when they run, and report there.
"""

from __future__ import annotations

import re
from typing import Optional

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

from . import ddl, iceberg_maintenance, syntax_errors, translate, views, writes
from .errors import QueryError

#: Statements whose first word makes them a query for the Trino parser.
_QUERY_START = re.compile(r"^\s*(\(|SELECT\b|WITH\b|VALUES\b|TABLE\b|EXPLAIN\b)", re.IGNORECASE)
_TRINO_WRITE = re.compile(r"^\s*(INSERT\s+INTO\b|CREATE\s+TABLE\b)", re.IGNORECASE)
_EXPLAIN = re.compile(r"\s*EXPLAIN(\s+ANALYZE)?\s+", re.IGNORECASE)


def statement_count_error(sql: str) -> Optional[str]:
    """Athena's message for a text of several statements (a final `;` ends the one); None for one."""
    try:
        tokens = sqlglot.tokenize(sql, read="trino")
    except Exception:  # a text the tokenizer cannot read: the statement's own parser reports it
        return None
    for token, following in zip(tokens, tokens[1:]):
        if token.token_type == TokenType.SEMICOLON and following.token_type != TokenType.SEMICOLON:
            return f"Only one sql statement is allowed. Got: {sql}"
    return None


def syntax_error(sql: str) -> Optional[QueryError]:
    """The SYNTAX_ERROR a query, INSERT or CTAS gets from the parser; None when it parses or is read
    by another parser. Each is parsed as the engine parses it when it runs (a write without its
    comments), so the check refuses exactly what the run would."""
    text = re.sub(r"--[^\n]*", "", sql or "").strip().rstrip(";").strip()
    if views.is_view_statement(text) or iceberg_maintenance.is_maintenance(text):
        return None
    if writes.is_write(text):
        if not _TRINO_WRITE.match(text):
            return None
        return _parse_error(text, ctas=True)
    if ddl.is_ddl(text) or not _QUERY_START.match(text):
        return None
    # As the engine reads a query: the text as sent (comments are the parser's to skip).
    explain = _EXPLAIN.match(sql)
    return _parse_error(sql[explain.end():] if explain else sql, ctas=False)


def _parse_error(text: str, *, ctas: bool) -> Optional[QueryError]:
    try:
        tree = translate.parse(text)
    except QueryError as error:
        return error if error.error_type == "SYNTAX_ERROR" else None
    if ctas and isinstance(tree, exp.Command) and tree.name.upper() == "CREATE":
        return syntax_errors.ctas_query_error(text)
    return None


def request_message(error: QueryError) -> str:
    """The InvalidRequestException message: the parser's words without the SYNTAX_ERROR category."""
    return re.sub(r"^SYNTAX_ERROR:\s*", "", error.message)
