"""The engine's one error type: a failed query, already shaped as Athena reports it.

Providers turn it into the query's FAILED state with `StateChangeReason` = message and AthenaError =
(error_category, athena_error_type). No imports beyond the standard library.
"""

from __future__ import annotations

#: Athena's ErrorCategory values.
SYSTEM, USER = 1, 2

#: error_type -> (ErrorCategory, ErrorType) as in Athena's error catalog (1000: user error).
_ATHENA_CODES = {
    "SYNTAX_ERROR": (USER, 1000), "TABLE_NOT_FOUND": (USER, 1000), "COLUMN_NOT_FOUND": (USER, 1000),
    "SCHEMA_NOT_FOUND": (USER, 1000), "FUNCTION_NOT_FOUND": (USER, 1000), "NOT_SUPPORTED": (USER, 1000),
    "TYPE_MISMATCH": (USER, 1000), "INVALID_FUNCTION_ARGUMENT": (USER, 1000),
    "DIVISION_BY_ZERO": (USER, 1001), "INVALID_CAST_ARGUMENT": (USER, 1001), "HIVE_BAD_DATA": (USER, 1001),
    "USER_CANCELLED": (USER, 1000), "MISSING_COLUMN_NAME": (USER, 1000),
    "EXPRESSION_NOT_AGGREGATE": (USER, 1000), "GENERIC_INTERNAL_ERROR": (SYSTEM, 200),
}


class QueryError(Exception):
    """A query that fails. `message` is the whole Athena reason, e.g.
    "SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved"."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.error_category, self.athena_error_type = _ATHENA_CODES.get(error_type, (USER, 1000))
