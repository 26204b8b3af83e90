"""Record functions that run on Spark's Python workers (DynamicFrame.map and .filter).

Why a module of its own: these functions are shipped to the workers by value (see
`ship_by_value`), because a worker process need not have `awsglue` on its import path (an in-process
SparkSession's workers do not). They may import only the standard library.

A user's function sees each record as a plain dict (nested structs are dicts, arrays are lists), as
Glue's Python DynamicRecord behaves. A record whose function raises is not lost silently: it becomes
an error record that `errorsCount()` and `errorsAsDynamicFrame()` report, as on Glue.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import sys

OK, ERROR, DROPPED = 0, 1, 2


def _default(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if hasattr(value, "asDict"):
        return value.asDict(recursive=True)
    raise TypeError(f"a record field of type {type(value).__name__} cannot be stored in a DynamicFrame")


def to_json(record) -> str:
    return json.dumps(record, default=_default)


def _error(exc: BaseException, record) -> tuple:
    try:
        text = to_json(record)
    except (TypeError, ValueError):
        text = repr(record)
    return ERROR, json.dumps({"error": f"{type(exc).__name__}: {exc}", "record": text})


def guarded(f, kind: str):
    """A function for RDD.map that runs `f` on one row: (OK, value), (DROPPED, None) or (ERROR, json).

    kind "filter": the value is the row itself, kept when `f` says so; a KeyError, ValueError or
    TypeError from `f` means "no match", as in AWS's library, and any other exception an error record.
    kind "map": the value is the JSON text of the record `f` returned; any exception is an error record.
    """

    def run(row):
        record = row.asDict(recursive=True)
        try:
            out = f(record)
        except (KeyError, ValueError, TypeError) as exc:
            # AWS's Filter reads these as "no match" and drops the record; Map makes an error record.
            return (DROPPED, None) if kind == "filter" else _error(exc, record)
        except Exception as exc:  # noqa: BLE001 - Glue turns a failing record into an error record
            return _error(exc, record)
        if kind == "filter":
            return (OK, row) if out else (DROPPED, None)
        if not isinstance(out, dict):
            return _error(TypeError(f"the map function returned {type(out).__name__}, not a record (dict)"), record)
        try:
            return OK, to_json(out)
        except Exception as exc:  # noqa: BLE001 - a value JSON cannot hold: an error record
            return _error(exc, record)

    return run


def ship_by_value() -> None:
    """Make Spark's pickler send this module's functions by value, not as an import the worker may fail."""
    try:
        from pyspark import cloudpickle
    except ImportError:  # pragma: no cover - pyspark always bundles it
        return
    register = getattr(cloudpickle, "register_pickle_by_value", None)
    if register is not None:
        register(sys.modules[__name__])
