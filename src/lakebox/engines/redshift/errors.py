"""DuckDB's errors as Redshift words them, with their Postgres SQLSTATEs (42P01, 42703, 22P02 ...).

Clients read the SQLSTATE (redshift_connector raises ProgrammingError from it, psql prints the
message), so each DuckDB error class and message is mapped to what Redshift answers for the same
mistake; anything unmapped is XX000 with DuckDB's first line.
"""

from __future__ import annotations

import re

import duckdb

from . import RedshiftError

_MISSING_TABLE = re.compile(r'Table with name "?([^"!\s]+)"? does not exist')
_MISSING_SCHEMA = re.compile(r'[Ss]chema (?:with name )?"?([^"!\s]+)"? does not exist')
_MISSING_COLUMN = re.compile(r'Referenced column "?([^"]+)"? not found')
_MISSING_QUALIFIED_COLUMN = re.compile(r'(?:Table|Values list) "([^"]+)" does not have a column named "([^"]+)"')
#: An INSERT's column list naming a column its table lacks.
_MISSING_INSERT_COLUMN = re.compile(r'Table "([^"]+)" does not have a column with name "([^"]+)"')
#: An INSERT with more or fewer values than its (listed or all) target columns: (targets, values).
_INSERT_COUNTS = re.compile(r'(?:table "[^"]+" has (\d+) columns|Column name/value mismatch for insert on "[^"]+": '
                            r'expected (\d+) columns) but (\d+) values were supplied')
_EXISTING_TABLE = re.compile(r'Table with name "?([^"!\s]+)"? already exists')
_MISSING_TYPE = re.compile(r'Type with name "?([^"!\s]+)"? does not exist')
_MISSING_FUNCTION = re.compile(r'Function with name "?([^"!\s]+)"? does not exist')
_TOO_LONG = re.compile(r'CHECK\(\(strlen\((rtrim\()?"?[^)"]*"?\)?\) <= (\d+)\)\)', re.IGNORECASE)
_BAD_INPUT = re.compile(r"Could not convert string '([^']*)' to (\w+)")
_MACRO_BAD_INPUT = "Invalid Input Error: invalid input syntax"
_UDF_BAD_INPUT = re.compile(r"while executing the UDF: ValueError: (invalid input syntax for type .*)")
_UDF_BAD_INTERVAL = re.compile(r"while executing the UDF: IntervalError: (.*)")
_UDF_NOT_ALLOWED = re.compile(r"while executing the UDF: PermissionError: (.*)")
#: intervals.IntervalError's messages -> their SQLSTATEs (anything else it says is 22P02).
_INTERVAL_STATES = (("interval out of range", "22008"), ("cannot contain", "22007"))


def duck_error(error: duckdb.Error) -> RedshiftError:
    """A DuckDB error as Redshift words it, with its SQLSTATE."""
    text = str(error)
    first = text.splitlines()[0] if text else type(error).__name__
    if isinstance(error, duckdb.CatalogException):
        match = _MISSING_TABLE.search(first)
        if match and "because schema" in first:
            schema = _MISSING_SCHEMA.search(first)
            return RedshiftError(f'schema "{schema.group(1) if schema else match.group(1)}" does not exist', "3F000")
        if match:
            return RedshiftError(f'relation "{match.group(1)}" does not exist', "42P01")
        match = _EXISTING_TABLE.search(first)
        if match:
            return RedshiftError(f'relation "{match.group(1)}" already exists', "42P07")
        match = _MISSING_FUNCTION.search(first)
        if match:
            return RedshiftError(f"function {match.group(1)} does not exist", "42883")
        match = _MISSING_TYPE.search(first)
        if match:
            return RedshiftError(f'type "{match.group(1).lower()}" does not exist', "42704")
        match = _MISSING_SCHEMA.search(first)
        if match:
            return RedshiftError(f'schema "{match.group(1)}" does not exist', "3F000")
    if isinstance(error, duckdb.BinderException):
        match = _MISSING_COLUMN.search(first)
        if match:
            return RedshiftError(f'column "{match.group(1)}" does not exist', "42703")
        match = _MISSING_QUALIFIED_COLUMN.search(first)
        if match:
            return RedshiftError(f"column {match.group(1)}.{match.group(2)} does not exist", "42703")
        match = _MISSING_INSERT_COLUMN.search(first)
        if match:
            return RedshiftError(f'column "{match.group(2)}" of relation "{match.group(1)}" does not exist', "42703")
        match = _INSERT_COUNTS.search(first)
        # Postgres fills the missing trailing columns of an INSERT without a column list with their
        # defaults; DuckDB refuses, and that refusal is left in DuckDB's words.
        if match and not (match.group(1) and int(match.group(3)) < int(match.group(1))):
            targets, values = int(match.group(1) or match.group(2)), int(match.group(3))
            more = "expressions than target columns" if values > targets else "target columns than expressions"
            return RedshiftError(f"INSERT has more {more}", "42601")
        return RedshiftError(first.replace("Binder Error: ", ""), "42804" if "type" in first.lower() else "42601")
    if isinstance(error, duckdb.ParserException):
        return RedshiftError(first.replace("Parser Error: ", ""), "42601")
    if isinstance(error, duckdb.ConversionException):
        match = _BAD_INPUT.search(first)
        if match:
            return RedshiftError(f'invalid input syntax for type {match.group(2).lower()}: "{match.group(1)}"',
                                 "22P02")
        return RedshiftError(first.replace("Conversion Error: ", ""), "22P02")
    if isinstance(error, duckdb.ConstraintException):
        match = _TOO_LONG.search(first)
        if match:
            kind = "character" if match.group(1) else "character varying"
            return RedshiftError(f"value too long for type {kind}({match.group(2)})", "22001")
        return RedshiftError(first.replace("Constraint Error: ", ""), "23502" if "NOT NULL" in first else "23505")
    if isinstance(error, duckdb.OutOfRangeException):
        return RedshiftError(first.replace("Out of Range Error: ", ""), "22003")
    if isinstance(error, duckdb.InvalidInputException) and first.startswith("Invalid Input Error: Division by zero"):
        return RedshiftError("division by zero", "22012")
    if isinstance(error, duckdb.InvalidInputException) and first.startswith(_MACRO_BAD_INPUT):
        return RedshiftError(first[len("Invalid Input Error: "):], "22P02")  # a session macro refusing text
    match = _UDF_BAD_INPUT.search(first)
    if match:  # a session function (TO_NUMBER ...) refusing its input, in Postgres's words
        return RedshiftError(match.group(1), "22P02")
    match = _UDF_NOT_ALLOWED.search(first)
    if match:  # a session function the user may not call so (PG_TERMINATE_BACKEND of another's session)
        return RedshiftError(match.group(1), "42501")
    match = _UDF_BAD_INTERVAL.search(first)
    if match:  # Redshift's interval text refused (intervals.IntervalError)
        state = next((s for words, s in _INTERVAL_STATES if words in match.group(1)), "22P02")
        return RedshiftError(match.group(1), state)
    if isinstance(error, duckdb.NotImplementedException):
        return RedshiftError(first.replace("Not implemented Error: ", ""), "0A000")
    return RedshiftError(first, "XX000")
