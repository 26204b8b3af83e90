"""Syntax errors worded as Athena (Trino) words them: `SYNTAX_ERROR: line 1:15: mismatched input 't'.
Expecting: ...`, where line:column is where the offending token starts (1-based) and `<EOF>` stands
for a statement that stopped early.

sqlglot finds the error and its token; the expected tokens are a short table by what precedes the
offending one, close to Trino's lists for the common cases. sqlglot also forgives a few things Trino
refuses (a comma before FROM, `SELECT FROM t`); `refuse_dangling_commas` and `empty_select` catch them.
Imports sqlglot and this package's errors only.
"""

from __future__ import annotations

from typing import Optional

import sqlglot
from sqlglot.errors import ParseError

from .errors import QueryError

#: The first words a statement may start with, as Trino lists them when it sees another.
_STATEMENT_STARTS = ("'ALTER', 'ANALYZE', 'CALL', 'CREATE', 'DEALLOCATE', 'DELETE', 'DESC', 'DESCRIBE', "
                     "'DROP', 'EXECUTE', 'EXPLAIN', 'INSERT', 'MERGE', 'MSCK', 'PREPARE', 'SELECT', 'SHOW', "
                     "'TABLE', 'UNLOAD', 'UPDATE', 'USE', 'VALUES', 'WITH', '('")
#: What may follow a complete select item.
_AFTER_ITEM = ("',', 'EXCEPT', 'FETCH', 'FROM', 'GROUP', 'HAVING', 'INTERSECT', 'LIMIT', 'OFFSET', "
               "'ORDER', 'UNION', 'WHERE', 'WINDOW', <EOF>")
#: Tokens after which Trino expects an expression.
_WANTS_EXPRESSION = {"+", "-", "*", "/", "%", "(", ",", "=", "<", ">", "<=", ">=", "<>", "!=", "||", "SELECT",
                     "WHERE", "AND", "OR", "NOT", "ON", "HAVING", "BY", "WHEN", "THEN", "ELSE", "CASE",
                     "DISTINCT", "IN", "LIKE", "BETWEEN", "IS"}


def _syntax_error(line: int, col: int, token: str, expecting: str) -> QueryError:
    return QueryError("SYNTAX_ERROR",
                      f"SYNTAX_ERROR: line {line}:{col}: mismatched input '{token}'. Expecting: {expecting}")


def _expecting(previous: Optional[str]) -> str:
    if previous is None:
        return _STATEMENT_STARTS
    return "<expression>" if previous.upper() in _WANTS_EXPRESSION else _AFTER_ITEM


def tokens_of(sql: str) -> list:
    try:
        return list(sqlglot.tokenize(sql, read="trino"))
    except Exception:  # an unterminated string or quote: no tokens to point at
        return []


def position_error(sql: str, error: ParseError) -> QueryError:
    """Trino's `line L:C: mismatched input 'X'. Expecting: ...`, C the 1-based column where X starts."""
    first = error.errors[0] if error.errors else {}
    line, end_col = first.get("line", 1), first.get("col", 1)
    tokens = tokens_of(sql)
    at = next((i for i, t in enumerate(tokens) if t.line == line and t.col == end_col), None)
    if at is None:
        token = first.get("highlight") or ""
        return _syntax_error(line, max(end_col - len(token), 0) + 1, token or "<EOF>", "<expression>")
    description = first.get("description", "")
    if at == len(tokens) - 1 and (description.startswith("Required keyword") or description.startswith("Expecting")):
        # The statement stopped early: Trino points past the last token, at <EOF>.
        last = tokens[-1]
        wanted = "')'" if description == "Expecting )" else _expecting(last.text)
        return _syntax_error(last.line, last.col + 1, "<EOF>", wanted)
    if at == 0 or tokens[0].text.upper() not in _STATEMENT_START_WORDS:
        return _syntax_error(tokens[0].line, tokens[0].col - len(tokens[0].text) + 1, tokens[0].text,
                             _STATEMENT_STARTS)
    offending = tokens[at]
    return _syntax_error(offending.line, offending.col - len(offending.text) + 1, offending.text,
                         _expecting(tokens[at - 1].text))


_STATEMENT_START_WORDS = {w.strip("'") for w in _STATEMENT_STARTS.split(", ")}
#: What may follow the AS of a CREATE TABLE AS: a query.
_QUERY_STARTS = "'(', 'SELECT', 'TABLE', 'VALUES', 'WITH'"


def ctas_query_error(sql: str) -> Optional[QueryError]:
    """`CREATE TABLE t [WITH (...)] AS <not a query>` (`AS ALTER TABLE ...`, which sqlglot keeps as an
    unparsed command): Trino's mismatched input at the word after AS; None when a query follows."""
    depth = 0
    tokens = tokens_of(sql)
    for i, token in enumerate(tokens[:-1]):
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 0 and token.text.upper() == "AS":
            body = tokens[i + 1]
            if body.text.upper() in _QUERY_START_WORDS:
                return None
            return _syntax_error(body.line, body.col - len(body.text) + 1, body.text, _QUERY_STARTS)
    return None


_QUERY_START_WORDS = {w.strip("'") for w in _QUERY_STARTS.split(", ")}


_NOT_AFTER_COMMA = {"FROM", "WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", ")", ",", "UNION", "ON"}


def refuse_dangling_commas(sql: str) -> None:
    """sqlglot forgives `SELECT a, FROM t` and `a,, b`; Trino wants an expression after the comma."""
    from sqlglot.tokens import TokenType
    tokens = tokens_of(sql)
    for previous, token in zip(tokens, tokens[1:] + [None]):
        if previous.token_type != TokenType.COMMA:
            continue
        if token is None:
            raise _syntax_error(previous.line, previous.col + 1, "<EOF>", "<expression>")
        if token.token_type not in (TokenType.STRING, TokenType.IDENTIFIER, TokenType.VAR) and \
                token.text.upper().split()[0] in _NOT_AFTER_COMMA:
            raise _syntax_error(token.line, token.col - len(token.text) + 1, token.text, "<expression>")


def empty_select(sql: str) -> QueryError:
    """sqlglot accepts `SELECT FROM t`; Trino wants a select item where FROM is."""
    tokens = tokens_of(sql)
    after = tokens[1] if len(tokens) > 1 else None
    line, col, text = (after.line, after.col - len(after.text) + 1, after.text) if after else (1, 7, "<EOF>")
    return _syntax_error(line, col, text, "'*', 'ALL', 'DISTINCT', <expression>")
