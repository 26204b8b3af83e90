"""Record format conversion: JSON records to Parquet or ORC, typed by a Glue table's columns.

What Firehose documents, done with the engines lakebox already has:
- the schema is the Glue table named in SchemaConfiguration (its columns, not its partition keys),
  read when the object is written, so a table changed later applies to later objects;
- the OpenX JSON SerDe matches keys case-insensitively (unless told not to), can turn dots in keys
  into underscores, and maps columns to other keys with ColumnToJsonKeyMappings; a key that is not a
  column is dropped and a missing column is null; a number in a timestamp column is epoch seconds
  (or milliseconds);
- DuckDB casts the values to the columns' types, Arrow writes the file (ParquetSerDe: SNAPPY unless
  GZIP or UNCOMPRESSED; OrcSerDe: SNAPPY unless ZLIB or NONE).
A record that is not a JSON object, or whose values do not fit the columns, goes to the error output
as "format-conversion-failed"; the others are converted.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import tempfile
from typing import Optional

from ...engines.sql.types import HiveTypeError, hive_to_duckdb
from .partitioning import Failure, Item


class ConversionError(Exception):
    """The whole batch cannot be converted (no such table, a type the engine cannot map)."""


def table_columns(catalog, account: str, region: str, config: dict) -> list[tuple[str, str]]:
    """(column name, DuckDB type) of the schema table."""
    schema = config.get("SchemaConfiguration") or {}
    account = schema.get("CatalogId") or account
    table = catalog.get_table(account, schema.get("Region") or region, schema.get("DatabaseName"),
                              schema.get("TableName"))
    if table is None:
        raise ConversionError(f"The table {schema.get('DatabaseName')}.{schema.get('TableName')} was not found "
                              "in the Glue Data Catalog.")
    columns = (table.get("StorageDescriptor") or {}).get("Columns") or []
    try:
        return [(c["Name"].lower(), hive_to_duckdb(c.get("Type") or "string")) for c in columns]
    except HiveTypeError as exc:
        raise ConversionError(str(exc)) from None


def _row(record: bytes, columns: list[tuple[str, str]], serde: dict) -> dict:
    value = json.loads(record)
    if not isinstance(value, dict):
        raise ValueError("the record is not a JSON object")
    case_insensitive = serde.get("CaseInsensitive", True)
    dots = serde.get("ConvertDotsInJsonKeysToUnderscores", False)
    keys = {}
    for key, item in value.items():
        name = key.replace(".", "_") if dots else key
        keys[name.lower() if case_insensitive else name] = item
    mapping = {k.lower(): v for k, v in (serde.get("ColumnToJsonKeyMappings") or {}).items()}
    row = {}
    for column, kind in columns:
        key = mapping.get(column, column)
        item = keys.get(key.lower() if case_insensitive else key)
        if kind.startswith("TIMESTAMP") and isinstance(item, (int, float)) and not isinstance(item, bool):
            item = _epoch_to_iso(item)
        row[column] = item
    return row


def moment(value) -> dt.datetime:
    """A timestamp value of a JSON record as the SerDes read it: a number is epoch seconds, or
    milliseconds when too large to be seconds (after the year 5138); text is ISO 8601 (UTC unless
    it says otherwise)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) >= 1e11 else value
        return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _epoch_to_iso(value: float) -> str:
    return moment(value).strftime("%Y-%m-%d %H:%M:%S.%f")


def _to_arrow(rows: list[dict], columns: list[tuple[str, str]]):
    import duckdb

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spool:
        for row in rows:
            spool.write(json.dumps(row) + "\n")
    try:
        con = duckdb.connect()
        try:
            spec = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns) + "}"
            select = ", ".join(f'"{name}"' for name, _ in columns)
            return con.sql(f"SELECT {select} FROM read_json('{spool.name}', format='newline_delimited', "
                           f"columns={spec})").to_arrow_table()
        finally:
            con.close()
    finally:
        os.unlink(spool.name)


def convert(items: list[Item], columns: list[tuple[str, str]], config: dict) -> tuple[Optional[bytes], list[Failure]]:
    """(the file's bytes or None if no record converted, the records that failed)."""
    deserializer = (config.get("InputFormatConfiguration") or {}).get("Deserializer") or {}
    serde = deserializer.get("OpenXJsonSerDe") or {}
    rows, failures = [], []
    for item in items:
        try:
            rows.append((_row(item.data, columns, serde), item))
        except (ValueError, UnicodeDecodeError) as exc:
            failures.append(Failure(item.data, item.arrival_ms, "DataFormatConversion.MalformedData",
                                    f"The record could not be parsed as JSON: {exc}"))
    if not rows:
        return None, failures
    try:
        table = _to_arrow([row for row, _ in rows], columns)
    except Exception:  # noqa: BLE001 - duckdb's conversion errors: find the records at fault
        good = []
        for row, item in rows:
            try:
                _to_arrow([row], columns)
                good.append(row)
            except Exception as exc:  # noqa: BLE001
                failures.append(Failure(item.data, item.arrival_ms, "DataFormatConversion.InvalidSchema",
                                        f"The record does not match the table's columns: {exc}"))
        if not good:
            return None, failures
        table = _to_arrow(good, columns)
    return _serialize(table, config), failures


def _serialize(table, config: dict) -> bytes:
    serializer = (config.get("OutputFormatConfiguration") or {}).get("Serializer") or {}
    out = io.BytesIO()
    if "OrcSerDe" in serializer:
        from pyarrow import orc

        compression = (serializer["OrcSerDe"] or {}).get("Compression") or "SNAPPY"
        orc.write_table(table, out, compression={"NONE": "uncompressed", "ZLIB": "zlib"}.get(compression, "snappy"))
    else:
        import pyarrow.parquet as pq

        compression = ((serializer.get("ParquetSerDe") or {}).get("Compression") or "SNAPPY").upper()
        pq.write_table(table, out, compression={"UNCOMPRESSED": "none", "GZIP": "gzip"}.get(compression, "snappy"))
    return out.getvalue()


def extension(config: dict) -> str:
    serializer = (config.get("OutputFormatConfiguration") or {}).get("Serializer") or {}
    return ".orc" if "OrcSerDe" in serializer else ".parquet"
