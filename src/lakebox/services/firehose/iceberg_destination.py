"""The Iceberg destination: records appended to (or upserted into, or deleted from) Iceberg tables of
the Glue Data Catalog, each delivery one Iceberg commit per table, made by pyiceberg as Athena's
Iceberg writes are (engines/sql/iceberg_io.py), so Athena, Spark and any Iceberg client read them.

Configuration (IcebergDestinationConfiguration):
- CatalogConfiguration.CatalogARN names the account's Glue catalog; the tables must exist there (as
  Athena's `CREATE TABLE ... TBLPROPERTIES ('table_type'='ICEBERG')` makes them);
- DestinationTableConfigurationList: with one table, every record goes to it; with several, a
  MetadataExtraction jq query routes each record by the `destinationDatabaseName` and
  `destinationTableName` it yields, and may yield an `operation` (insert, update, delete);
- an update upserts by the table's UniqueKeys and a delete removes the rows with those keys, unless
  AppendOnly, which inserts everything;
- S3Configuration is the bucket for records that fail ("iceberg-failed", under the table's
  S3ErrorOutputPrefix or the bucket's ErrorOutputPrefix) and, with S3BackupMode AllData, for a copy
  of every record.
A record's JSON keys match the table's columns without regard to case; values are converted to the
column types (ISO-8601 text or epoch numbers for timestamps and dates), and a record that does not
fit fails alone.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import json
import re
from typing import Any, Optional

from ...protocol.errors import AwsError
from .conversion import moment
from .partitioning import Failure, Item

CATALOG_ARN = re.compile(r"arn:aws[a-z-]*:glue:([a-z0-9-]+):(\d{12}):catalog")
OPERATIONS = ("insert", "update", "delete")


def invalid(message: str) -> AwsError:
    return AwsError("InvalidArgumentException", message, 400)


def from_create(config: dict) -> dict:
    """The IcebergDestinationDescription kept for a stream (S3Configuration goes to `destination`)."""
    description = {k: copy.deepcopy(v) for k, v in config.items() if k != "S3Configuration"}
    if not CATALOG_ARN.fullmatch((config.get("CatalogConfiguration") or {}).get("CatalogARN") or ""):
        raise invalid("CatalogConfiguration.CatalogARN must be a Glue Data Catalog ARN, "
                      "arn:aws:glue:<region>:<account>:catalog.")
    tables = config.get("DestinationTableConfigurationList") or []
    if not tables:
        raise invalid("DestinationTableConfigurationList must name at least one table.")
    for table in tables:
        if not table.get("DestinationDatabaseName") or not table.get("DestinationTableName"):
            raise invalid("Each DestinationTableConfiguration needs DestinationDatabaseName and DestinationTableName.")
    for processor in (config.get("ProcessingConfiguration") or {}).get("Processors") or []:
        if processor.get("Type") == "Lambda":
            raise invalid("lakebox runs no Lambda functions: a Lambda processor cannot be used.")
    from .partitioning import query_of

    query_of(config)  # refuses a routing query jq does not compile
    description["BufferingHints"] = {"SizeInMBs": 5, "IntervalInSeconds": 300, **(config.get("BufferingHints") or {})}
    description.setdefault("S3BackupMode", "FailedDataOnly")
    description.setdefault("AppendOnly", False)
    description.setdefault("CloudWatchLoggingOptions", {"Enabled": False})
    return description


def apply_update(current: dict, update: dict) -> dict:
    merged = copy.deepcopy(current)
    merged.update({k: copy.deepcopy(v) for k, v in update.items() if k != "S3Configuration"})
    if "BufferingHints" in update:
        merged["BufferingHints"] = {**current["BufferingHints"], **update["BufferingHints"]}
    return from_create({**merged, "S3Configuration": {}})


def route(config: dict, item: Item) -> Optional[tuple[str, str, str]]:
    """(database, table, operation) for a record, or None when it names no known table."""
    tables = config["DestinationTableConfigurationList"]
    keys = item.keys
    if keys.get("destinationTableName"):
        database = keys.get("destinationDatabaseName") or (tables[0]["DestinationDatabaseName"] if tables else "")
        table = keys["destinationTableName"]
        if not any(t["DestinationDatabaseName"].lower() == database.lower() and
                   t["DestinationTableName"].lower() == table.lower() for t in tables):
            return None
    elif len(tables) == 1:
        database, table = tables[0]["DestinationDatabaseName"], tables[0]["DestinationTableName"]
    else:
        return None
    operation = "insert" if config.get("AppendOnly") else (keys.get("operation") or "insert").lower()
    return database, table, operation


def table_config(config: dict, database: str, table: str) -> dict:
    return next((t for t in config["DestinationTableConfigurationList"]
                 if t["DestinationDatabaseName"].lower() == database.lower()
                 and t["DestinationTableName"].lower() == table.lower()), {})


def deliver(catalog: Any, config: dict, items: list[Item]) -> tuple[int, list[Failure], dict]:
    """Write `items` to their tables; (commits made, failed records, {failure id: error prefix})."""
    from ...engines.sql import iceberg_writes

    groups: dict[tuple[str, str, str], list[Item]] = {}
    failures: list[Failure] = []
    prefixes: dict[int, str] = {}
    for item in items:
        target = route(config, item)
        if target is None or target[2] not in OPERATIONS:
            failures.append(Failure(item.data, item.arrival_ms, "Iceberg.InvalidTableName",
                                    "The record names no table of DestinationTableConfigurationList, or an "
                                    "operation other than insert, update or delete."))
            continue
        groups.setdefault(target, []).append(item)
    commits = 0
    for (database, name, operation), group in groups.items():
        settings = table_config(config, database, name)
        start = len(failures)
        try:
            table = iceberg_writes.load(catalog, database, name)
        except Exception as exc:  # noqa: BLE001 - pyiceberg's NoSuchTableError and kin: the records fail
            failures += [Failure(i.data, i.arrival_ms, "Iceberg.NoSuchTable",
                                 f"The table {database}.{name} could not be loaded: {exc}") for i in group]
        else:
            commits += _write(table, operation, settings.get("UniqueKeys") or [], group, failures)
        for failure in failures[start:]:
            if settings.get("S3ErrorOutputPrefix"):
                prefixes[id(failure)] = settings["S3ErrorOutputPrefix"]
    return commits, failures, prefixes


def _write(table, operation: str, unique_keys: list[str], items: list[Item], failures: list[Failure]) -> int:
    import pyarrow as pa

    from ...engines.sql import iceberg_writes

    schema = table.schema().as_arrow()
    rows = []
    for item in items:
        try:
            rows.append(_row(item.data, schema))
        except (ValueError, TypeError, decimal.InvalidOperation, UnicodeDecodeError) as exc:
            failures.append(Failure(item.data, item.arrival_ms, "Iceberg.InvalidRecord",
                                    f"The record does not fit the table's schema: {exc}"))
    if not rows:
        return 0
    data = pa.Table.from_pylist(rows, schema=pa.schema([pa.field(f.name, f.type, nullable=True) for f in schema]))
    if operation != "insert" and not unique_keys:
        failures += [Failure(i.data, i.arrival_ms, "Iceberg.MissingUniqueKeys",
                             f"An {operation} needs the table's UniqueKeys in DestinationTableConfigurationList.")
                     for i in items]
        return 0
    if operation == "insert":
        iceberg_writes.append(table, data)
    elif operation == "update":
        table.upsert(iceberg_writes.conformed(table, data), join_cols=unique_keys)
    else:
        table.delete(_key_filter(rows, unique_keys))
    return 1


def _key_filter(rows: list[dict], keys: list[str]):
    from pyiceberg.expressions import And, EqualTo, Or

    clauses = []
    for row in rows:
        terms = [EqualTo(key, row[key]) for key in keys]
        clause = terms[0]
        for term in terms[1:]:
            clause = And(clause, term)
        clauses.append(clause)
    combined = clauses[0]
    for clause in clauses[1:]:
        combined = Or(combined, clause)
    return combined


def _row(record: bytes, schema) -> dict:
    value = json.loads(record)
    if not isinstance(value, dict):
        raise ValueError("the record is not a JSON object")
    keys = {k.lower(): v for k, v in value.items()}
    return {field.name: _value(keys.get(field.name.lower()), field.type) for field in schema}


def _value(item, kind):
    """A JSON value as the Python value pyarrow takes for the column type."""
    import pyarrow as pa

    if item is None:
        return None
    if pa.types.is_timestamp(kind):
        value = moment(item)
        return value if kind.tz else value.replace(tzinfo=None)
    if pa.types.is_date(kind):
        return moment(item).date() if not isinstance(item, str) or "T" in item else dt.date.fromisoformat(item)
    if pa.types.is_decimal(kind):
        return decimal.Decimal(str(item))
    if pa.types.is_integer(kind):
        if isinstance(item, bool) or (isinstance(item, float) and not item.is_integer()):
            raise ValueError(f"{item!r} is not an integer")
        return int(item)
    if pa.types.is_floating(kind):
        return float(item)
    if pa.types.is_boolean(kind):
        if not isinstance(item, bool):
            raise ValueError(f"{item!r} is not a boolean")
        return item
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return item if isinstance(item, str) else json.dumps(item)
    return item

