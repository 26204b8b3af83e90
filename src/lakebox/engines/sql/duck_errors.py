"""DuckDB's errors as Athena (Trino) words them: COLUMN_NOT_FOUND, FUNCTION_NOT_FOUND, TYPE_MISMATCH,
EXPRESSION_NOT_AGGREGATE and the rest, each with the 1-based line:column in the user's SQL where Trino
would point.

DuckDB's messages are matched by pattern; anything unrecognised keeps DuckDB's text under the closest
Athena error type. Imports duckdb and this package's errors only.
"""

from __future__ import annotations

import re

import duckdb

from .errors import QueryError

_MISSING_COLUMN = re.compile(r'Referenced column "?([^"\s]+)"? not found', re.IGNORECASE)
_MISSING_QUALIFIED = re.compile(r'(?:Table|Values list) "([^"]+)" does not have a column named "([^"]+)"')
_NO_MATCH = re.compile(r"(?:No function matches the given name and argument types|Could not choose a best "
                       r"candidate function for the function call) ['\"]([^'\"(]+)\((.*?)\)['\"]")
_NOT_AGGREGATE = re.compile(r'column "?([^"\s]+)"? must appear in the GROUP BY clause')
_OVERFLOW = re.compile(r"Overflow in (addition|subtraction|multiplication) of (INT8|INT16|INT32|INT64)")
_OVERFLOW_TYPES = {"INT8": "tinyint", "INT16": "smallint", "INT32": "integer", "INT64": "bigint"}
_INVALID_ARGUMENT = re.compile(r"INVALID_FUNCTION_ARGUMENT: .*")
_MISSING_FUNCTION = re.compile(r'(?:Scalar|Aggregate|Table) Function with name "?(\w+)"? does not exist', re.IGNORECASE)


def athena_error(error: Exception, sql: str) -> QueryError:
    """The QueryError Athena would report for DuckDB's `error` on the user's `sql`."""
    text = str(error).split("\n")[0]
    missing = _MISSING_COLUMN.search(text)
    if missing:
        name = missing.group(1)
        line, col = _find(sql, name)
        return QueryError("COLUMN_NOT_FOUND", f"COLUMN_NOT_FOUND: line {line}:{col}: Column '{name}' cannot be resolved "
                                              f"or requester is not authorized to access requested resources")
    missing = _MISSING_QUALIFIED.search(text)
    if missing:
        table, name = missing.groups()
        line, col = _find(sql, table)
        return QueryError("COLUMN_NOT_FOUND", f"COLUMN_NOT_FOUND: line {line}:{col}: Column '{table}.{name}' cannot be "
                                              f"resolved or requester is not authorized to access requested resources")
    loose = _NOT_AGGREGATE.search(text)
    if loose:
        name = loose.group(1)
        line, col = _find(sql, name)
        return QueryError("EXPRESSION_NOT_AGGREGATE", f"EXPRESSION_NOT_AGGREGATE: line {line}:{col}: '{name}' must be "
                                                      "an aggregate expression or appear in GROUP BY clause")
    mismatch = _NO_MATCH.search(text)
    if mismatch:
        return _type_mismatch(mismatch.group(1), mismatch.group(2), sql)
    missing = _MISSING_FUNCTION.search(text)
    if missing:
        name = missing.group(1).lower()
        line, col = _find(sql, name)
        return QueryError("FUNCTION_NOT_FOUND", f"FUNCTION_NOT_FOUND: line {line}:{col}: Function '{name}' not registered")
    overflow = _OVERFLOW.search(text)
    if overflow:
        operation, kind = overflow.groups()
        return QueryError("NUMERIC_VALUE_OUT_OF_RANGE",
                          f"NUMERIC_VALUE_OUT_OF_RANGE: {_OVERFLOW_TYPES[kind]} {operation} overflow")
    argument = _INVALID_ARGUMENT.search(text)
    if argument:  # raised by a translation's error() where Trino refuses a function's argument
        return QueryError("INVALID_FUNCTION_ARGUMENT", argument.group(0))
    if "Division by zero" in text:
        return QueryError("DIVISION_BY_ZERO", "DIVISION_BY_ZERO: Division by zero")
    if isinstance(error, duckdb.ConversionException):
        return QueryError("INVALID_CAST_ARGUMENT", f"INVALID_CAST_ARGUMENT: {text}")
    if isinstance(error, (duckdb.BinderException, duckdb.ParserException)):
        return QueryError("SYNTAX_ERROR", f"SYNTAX_ERROR: line 1:1: {text}")
    if isinstance(error, duckdb.InvalidInputException):
        return QueryError("HIVE_BAD_DATA", f"HIVE_BAD_DATA: {text}")
    return QueryError("GENERIC_INTERNAL_ERROR", f"GENERIC_INTERNAL_ERROR: {text}")


#: DuckDB's argument type names in binder errors -> Trino's.
_TRINO_ARGUMENT_TYPES = {"STRING_LITERAL": "varchar", "INTEGER_LITERAL": "integer", "VARCHAR": "varchar",
                         "INTEGER": "integer", "BIGINT": "bigint", "SMALLINT": "smallint", "TINYINT": "tinyint",
                         "DOUBLE": "double", "FLOAT": "real", "BOOLEAN": "boolean", "DATE": "date",
                         "TIMESTAMP": "timestamp(3)", "TIMESTAMP WITH TIME ZONE": "timestamp(3) with time zone",
                         "HUGEINT": "bigint", "BLOB": "varbinary", "INTERVAL": "interval day to second"}


def _type_mismatch(function: str, arguments: str, sql: str) -> QueryError:
    """DuckDB found no overload: Trino's TYPE_MISMATCH for an operator, FUNCTION_NOT_FOUND's "Unexpected
    parameters" for a function."""
    types = [_TRINO_ARGUMENT_TYPES.get(a.strip(), a.strip().lower()) for a in arguments.split(",") if a.strip()]
    if not re.match(r"\w", function):
        line, col = _find_operator(sql, function)
        shown = f" {function} ".join(types) if len(types) == 2 else f"{function}{', '.join(types)}"
        return QueryError("TYPE_MISMATCH", f"TYPE_MISMATCH: line {line}:{col}: Cannot apply operator: {shown}")
    line, col = _find(sql, function)
    return QueryError("FUNCTION_NOT_FOUND", f"FUNCTION_NOT_FOUND: line {line}:{col}: Unexpected parameters "
                                            f"({', '.join(types)}) for function {function.lower()}")


def _find_operator(sql: str, operator: str) -> tuple[int, int]:
    at = sql.find(operator)
    if at < 0:
        return 1, 1
    before = sql[:at]
    return before.count("\n") + 1, at - (before.rfind("\n") + 1) + 1


def _find(sql: str, name: str) -> tuple[int, int]:
    """1-based line and column of the first `name` as a word in the user's SQL."""
    match = re.search(r"(?<![\w.])\"?" + re.escape(name) + r"\b", sql, re.IGNORECASE)
    if not match:
        return 1, 1
    before = sql[:match.start()]
    return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1
