"""What a column statistics task run computes: Glue's ColumnStatistics for each column of a table, read
from the table's data in one aggregate query through the Athena SQL engine.

Which statistics a column gets follows its Glue type, as the ColumnStatisticsData shapes say:
integers are LONG, double and float DOUBLE, decimal(p,s) DECIMAL, date DATE, string, varchar and char
STRING, binary BINARY, boolean BOOLEAN. Other types (timestamps, arrays, maps, structs) have no shape
and are skipped, as Glue skips nested columns. Distinct counts are exact (Glue estimates them); a
SampleSize under 100 reads a Bernoulli sample of the rows (TABLESAMPLE), as Glue's sampling does.
Imports nothing of lakebox's.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Callable, Optional

_LONG = {"tinyint", "smallint", "int", "integer", "bigint"}
_DOUBLE = {"double", "float"}
_STRING = re.compile(r"(string|varchar(\(\d+\))?|char(\(\d+\))?)")
_DECIMAL = re.compile(r"decimal(?:\((\d+)\s*(?:,\s*(\d+))?\))?")


def statistics_kind(glue_type: str) -> Optional[str]:
    """LONG, DOUBLE, DECIMAL, DATE, STRING, BINARY or BOOLEAN; None for a type with no statistics."""
    text = (glue_type or "").strip().lower()
    if text in _LONG:
        return "LONG"
    if text in _DOUBLE:
        return "DOUBLE"
    if _DECIMAL.fullmatch(text):
        return "DECIMAL"
    if _STRING.fullmatch(text):
        return "STRING"
    return {"date": "DATE", "binary": "BINARY", "boolean": "BOOLEAN"}.get(text)


def _scale(glue_type: str) -> int:
    match = _DECIMAL.fullmatch(glue_type.strip().lower())
    return int(match.group(2) or 0) if match and match.group(1) else 0


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _aggregates(name: str, kind: str) -> list[str]:
    """The select items that measure one column, in the order `_statistics` reads them."""
    c = _quoted(name)
    if kind == "BOOLEAN":
        return [f"count({c})", f"count_if({c})", f"count_if(NOT {c})"]
    if kind in ("STRING", "BINARY"):
        items = [f"count({c})", f"max(length({c}))", f"avg(length({c}))"]
        return items + ([f"count(DISTINCT {c})"] if kind == "STRING" else [])
    return [f"count({c})", f"count(DISTINCT {c})", f"min({c})", f"max({c})"]


def statistics_query(database: str, table: str, columns: list[tuple[str, str]], sample_size: float) -> str:
    """One Trino query that measures every (name, Glue type) column; the row count comes first."""
    items = ["count(*)"] + [item for name, glue_type in columns
                            for item in _aggregates(name, statistics_kind(glue_type) or "")]
    sample = f" TABLESAMPLE BERNOULLI ({sample_size:g})" if sample_size < 100 else ""
    return f"SELECT {', '.join(items)} FROM {_quoted(database)}.{_quoted(table)}{sample}"


def _int(text: Optional[str]) -> int:
    return int(text) if text is not None else 0


def _unscaled(text: str, scale: int) -> bytes:
    """A DecimalNumber's UnscaledValue: the value times 10^scale, big-endian two's complement."""
    number = int((Decimal(text) * (Decimal(10) ** scale)).to_integral_value())
    size = max(1, (number + (number < 0)).bit_length() // 8 + 1)
    return number.to_bytes(size, "big", signed=True)


def _day(text: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), tzinfo=dt.timezone.utc)


def _statistics(kind: str, glue_type: str, rows: int, values: list[Optional[str]]) -> dict:
    """One column's ColumnStatisticsData from its aggregates' values (as the engine writes them)."""
    nulls = rows - _int(values[0])
    if kind == "BOOLEAN":
        data = {"NumberOfTrues": _int(values[1]), "NumberOfFalses": _int(values[2]), "NumberOfNulls": nulls}
    elif kind in ("STRING", "BINARY"):
        data = {"MaximumLength": _int(values[1]), "AverageLength": float(values[2] or 0), "NumberOfNulls": nulls}
        if kind == "STRING":
            data["NumberOfDistinctValues"] = _int(values[3])
    else:
        data = {"NumberOfNulls": nulls, "NumberOfDistinctValues": _int(values[1])}
        low, high = values[2], values[3]
        read: Callable = {"LONG": int, "DOUBLE": float, "DATE": _day,
                          "DECIMAL": lambda text: {"UnscaledValue": _unscaled(text, _scale(glue_type)),
                                                   "Scale": _scale(glue_type)}}[kind]
        if low is not None:
            data["MinimumValue"], data["MaximumValue"] = read(low), read(high)
    return {"Type": kind, f"{kind.title()}ColumnStatisticsData": data}


def column_statistics(columns: list[tuple[str, str]], row: list[Optional[str]],
                      analyzed: dt.datetime) -> list[dict]:
    """The ColumnStatistics of each column, from the row `statistics_query` answered."""
    rows, at, found = _int(row[0]), 1, []
    for name, glue_type in columns:
        kind = statistics_kind(glue_type) or ""
        width = len(_aggregates(name, kind))
        found.append({"ColumnName": name, "ColumnType": glue_type, "AnalyzedTime": analyzed,
                      "StatisticsData": _statistics(kind, glue_type, rows, row[at:at + width])})
        at += width
    return found
