"""Partition projection: a table's partitions computed from its `projection.*` parameters instead of
read from the catalog (Athena ignores catalog partitions once `projection.enabled` is true).

Key types follow Athena's documentation: `enum` (values), `integer` (range, interval, digits), `date`
(range of fixed dates or NOW[+-]N<unit>, a Java date format, interval and interval.unit) and `injected`
(values taken from the query's static equality conditions; none is Athena's CONSTRAINT_VIOLATION).
Locations come from `storage.location.template` (`${key}` placeholders) or, by default, the table
location plus Hive-style `key=value/` folders.

Enumeration stays bounded: constant bounds in the WHERE clause (`k > c`, `k BETWEEN a AND b`, `k = c`)
first narrow an integer key's range, and a date key's steps when its values sort as text in date
order (binary search over the steps); each key's candidates are then filtered by the WHERE conjuncts
that name only that key (evaluated in DuckDB on the values cast to the key's Hive type), and only the
survivors are combined; conjuncts over several keys then filter the combinations.

Imports duckdb (through the caller's connection) and this package.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from dataclasses import dataclass, field
from typing import Optional

import duckdb

from . import projection_dates
from .errors import QueryError

#: Most values one key may enumerate before the WHERE clause is applied, and most partitions a query
#: may combine: beyond them the query fails instead of exhausting the machine.
MAX_KEY_VALUES = 2_000_000
MAX_PARTITIONS = 1_000_000


@dataclass
class KeyConjunct:
    """One WHERE conjunct naming only partition keys, as DuckDB SQL over the bare key names.
    `equals` holds, for `key = <constant>` or `key IN (<constants>)`, the constants' DuckDB SQL."""
    keys: frozenset
    sql: str
    equals: Optional[list] = None
    bounds: Optional[list] = None  # [(op, constant SQL)] for `key <op> constant`, op one of < <= = >= >


@dataclass
class _Key:
    name: str
    duck_type: str
    values: list = field(default_factory=list)


def is_enabled(table: dict) -> bool:
    params = table.get("Parameters") or {}
    return str(params.get("projection.enabled", "")).strip().lower() == "true"


def _bad(message: str) -> QueryError:
    return QueryError("HIVE_INVALID_METADATA", f"HIVE_INVALID_METADATA: {message}")


def partitions(con, table: dict, keys: list, conjuncts: list, now: Optional[dt.datetime] = None) -> list:
    """The projected partitions that survive `conjuncts`, as Glue-shaped partition dicts.
    `keys` is [(name, DuckDB type)] in PartitionKeys order."""
    params = {k.lower(): v for k, v in (table.get("Parameters") or {}).items()}
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    chosen = []
    for name, duck_type in keys:
        own = [c for c in conjuncts if c.keys == frozenset([name])]
        values = _key_values(con, params, name, own, now, duck_type)
        chosen.append(filter_rows(con, [(name, duck_type)], [[v] for v in values], [c.sql for c in own]))
    combos = 1
    for values in chosen:
        combos *= len(values)
    if combos > MAX_PARTITIONS:
        raise QueryError("HIVE_EXCEEDED_PARTITION_LIMIT", f"HIVE_EXCEEDED_PARTITION_LIMIT: Query over table "
                         f"'{table.get('Name')}' can potentially read more than {MAX_PARTITIONS} partitions")
    rows = [[v for (v,) in combo] for combo in itertools.product(*chosen)]
    several = [c.sql for c in conjuncts if len(c.keys) > 1]
    if several and rows:
        rows = filter_rows(con, keys, rows, several)
    pieces = _location_pieces(params.get("storage.location.template"), table, [n for n, _ in keys])
    return [{"Values": values, "StorageDescriptor": {"Location": "".join(
        piece if isinstance(piece, str) else values[piece] for piece in pieces)}} for values in rows]


def _location_pieces(template: Optional[str], table: dict, names: list) -> list:
    """The location as literal strings and key positions, so each partition's is one join: from
    `storage.location.template` (`${key}` placeholders), or the table location plus `key=value/`."""
    if not template:
        base = ((table.get("StorageDescriptor") or {}).get("Location") or "").rstrip("/")
        pieces: list = [base + "/"]
        for index, name in enumerate(names):
            pieces += [f"{name}=", index, "/"]
        return pieces
    positions = {name.lower(): index for index, name in enumerate(names)}
    pieces = []
    for part in re.split(r"(\$\{[^}]*\})", template):
        key = part[2:-1].strip().lower() if part.startswith("${") and part.endswith("}") else None
        pieces.append(positions.get(key, part))
    return pieces


def filter_rows(con, keys: list, rows: list, predicates: list) -> list:
    """The rows (lists of partition value strings) for which every predicate holds, evaluated by DuckDB
    over an Arrow table of the values cast to the keys' types (fast for hundreds of thousands)."""
    if not predicates or not rows:
        return rows
    import pyarrow as pa
    name = f"__projection_{id(rows)}"
    columns = {f"__v{i}": pa.array([row[i] for row in rows], pa.string()) for i in range(len(keys))}
    con.register(name, pa.table({"__i": pa.array(range(len(rows)), pa.int64()), **columns}))
    try:
        casts = ", ".join(f'TRY_CAST("__v{i}" AS {t}) AS "{n.replace(chr(34), chr(34) * 2)}"'
                          for i, (n, t) in enumerate(keys))
        where = " AND ".join(f"({p})" for p in predicates)
        kept = {r[0] for r in con.execute(f'SELECT __i FROM (SELECT __i, {casts} FROM "{name}") WHERE {where}')
                .fetchall()}
    except duckdb.Error:
        # Pruning only saves work: the query itself applies the WHERE clause and reports its error.
        return rows
    finally:
        con.unregister(name)
    return [row for i, row in enumerate(rows) if i in kept]


def _str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _key_values(con, params: dict, name: str, own: list, now: dt.datetime, duck_type: str = "VARCHAR") -> list:
    kind = str(params.get(f"projection.{name}.type", "")).strip().lower()
    if kind == "enum":
        raw = params.get(f"projection.{name}.values")
        if raw is None:
            raise _bad(f"Column projection for column '{name}' failed. Missing required property: "
                       f"'projection.{name}.values'")
        return raw.split(",")
    if kind == "integer":
        return _integers(params, name, _number_limits(con, own) if duck_type in _INTEGER_TYPES else [])
    if kind == "date":
        # Bounds narrow the steps when values compare as text in date order: string keys, and date
        # keys whose format is the ISO one DuckDB casts and prints.
        iso_date = duck_type == "DATE" and str(params.get(f"projection.{name}.format", "")).strip() == "yyyy-MM-dd"
        limits = _string_limits(con, own) if duck_type == "VARCHAR" or iso_date else []
        try:
            return projection_dates.date_values(params, name, now, limits, MAX_KEY_VALUES)
        except projection_dates.DateProjectionError as error:
            raise _bad(str(error)) from None
    if kind == "injected":
        equalities = [c for c in own if c.equals is not None]
        if not equalities or len(equalities) != len(own):
            raise _injected_violation(name)
        values = None
        for conjunct in equalities:
            given = []
            for sql in conjunct.equals:
                try:
                    value = con.execute(f"SELECT CAST(({sql}) AS VARCHAR)").fetchall()[0][0]
                except duckdb.Error:
                    raise _injected_violation(name) from None
                if value is not None and value not in given:
                    given.append(value)
            values = given if values is None else [v for v in values if v in given]
        return values or []
    if not kind:
        raise _bad(f"Column projection for column '{name}' failed. Missing required property: "
                   f"'projection.{name}.type'")
    raise _bad(f"Column projection for column '{name}' failed. Unsupported projection type: '{kind}'")


def _injected_violation(name: str) -> QueryError:
    return QueryError("CONSTRAINT_VIOLATION", f"CONSTRAINT_VIOLATION: For the injected projected partition column "
                      f"{name}, the WHERE clause must contain only static equality conditions, and at least one "
                      f"such condition must be present.")


_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT")


def _number_limits(con, own: list) -> list:
    """(op, number) comparisons an integer key must satisfy, from the conjuncts' constant bounds."""
    limits = []
    for conjunct in own:
        for op, sql in conjunct.bounds or []:
            try:
                number = con.execute(f"SELECT TRY_CAST(({sql}) AS DOUBLE)").fetchall()[0][0]
            except duckdb.Error:
                continue
            if number is not None:
                limits.append((op, number))
    return limits


def _integers(params: dict, name: str, limits: Optional[list] = None) -> list:
    raw = params.get(f"projection.{name}.range")
    try:
        low, high = [int(p.strip()) for p in (raw or "").split(",")]
        interval = int(str(params.get(f"projection.{name}.interval", "1")).strip())
        digits = params.get(f"projection.{name}.digits")
        width = int(str(digits).strip()) if digits is not None else 0
    except ValueError:
        raise _bad(f"Column projection for column '{name}' failed. Invalid integer range or interval: "
                   f"{raw!r}") from None
    if interval <= 0:
        raise _bad(f"Column projection for column '{name}' failed. The interval must be positive")
    first, last = low, high
    for op, number in limits or []:
        if op in (">", ">=", "="):
            floor = math.floor(number) + 1 if op == ">" and number == math.floor(number) else math.ceil(number)
            first = max(first, low + -(-(floor - low) // interval) * interval)
        if op in ("<", "<=", "="):
            ceiling = math.ceil(number) - 1 if op == "<" and number == math.ceil(number) else math.floor(number)
            last = min(last, ceiling)
    low, high = first, last
    if high < low:
        return []
    if (high - low) // interval + 1 > MAX_KEY_VALUES:
        raise _bad(f"Column projection for column '{name}' spans more than {MAX_KEY_VALUES} values")
    return [_pad(v, width) for v in range(low, high + 1, interval)]


def _pad(value: int, width: int) -> str:
    text = str(abs(value)).zfill(width)
    return ("-" + text) if value < 0 else text


def _string_limits(con, own: list) -> list:
    """(op, text) comparisons a string key must satisfy, from the conjuncts' constant bounds."""
    limits = []
    for conjunct in own:
        for op, sql in conjunct.bounds or []:
            try:
                text = con.execute(f"SELECT CAST(({sql}) AS VARCHAR)").fetchall()[0][0]
            except duckdb.Error:
                continue
            if text is not None:
                limits.append((op, text))
    return limits
