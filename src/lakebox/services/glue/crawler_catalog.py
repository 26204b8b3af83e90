"""What a crawl writes to the Data Catalog: its table plans made into tables and partitions, under the
crawler's SchemaChangePolicy, RecrawlPolicy and Configuration.

It goes through the catalog's own operations (create_table, update_table, batch_create_partition
...), called with a request context of the crawler's account and region, so a crawler's writes obey
every rule a client's do and table versions are kept the same way.

The rules (AWS's, except where marked as lakebox's):
- new tables and partitions are always created, whatever the SchemaChangePolicy;
- UpdateBehavior UPDATE_IN_DATABASE rewrites a changed table (MergeNewColumns keeps the columns the
  table had, in their place and type, and adds new ones); LOG only logs the change;
- a table or partition is rewritten only when something in it changed, so re-crawling unchanged data
  leaves the table version as it was (lakebox's choice);
- partitions take the table's columns with `Partitions: InheritFromTable`, their own otherwise;
- DeleteBehavior acts on what this crawler made earlier (UPDATED_BY_CRAWLER) under its targets and no
  longer finds: DELETE_FROM_DATABASE drops tables and partitions, DEPRECATE_IN_DATABASE marks tables
  with a `DEPRECATED_BY_CRAWLER` parameter holding the time, LOG only logs;
- with RecrawlPolicy CRAWL_NEW_FOLDERS_ONLY, existing tables are left alone and only new partitions
  are added.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError

CRAWLER_PARAMETER = "UPDATED_BY_CRAWLER"
DEPRECATED_PARAMETER = "DEPRECATED_BY_CRAWLER"
_BATCH = 100


class CatalogWriter:
    def __init__(self, catalog: Any, ctx: RequestContext, database: str, crawler: str, *,
                 update_in_database: bool, delete_behavior: str, new_folders_only: bool,
                 merge_new_columns: bool, inherit_from_table: bool, log: Callable[[str], None], now):
        self.catalog = catalog
        self.ctx = ctx
        self.database = database.lower()
        self.crawler = crawler
        self.update_in_database = update_in_database and not new_folders_only
        self.delete_behavior = "LOG" if new_folders_only else delete_behavior
        self.new_folders_only = new_folders_only
        self.merge_new_columns = merge_new_columns
        self.inherit_from_table = inherit_from_table
        self.log = log
        self.now = now
        self.written: set[str] = set()
        self.counts = {"TablesCreated": 0, "TablesUpdated": 0, "TablesDeleted": 0, "TablesDeprecated": 0,
                       "PartitionsCreated": 0, "PartitionsUpdated": 0, "PartitionsDeleted": 0}

    # -- database ------------------------------------------------------------------------------------

    def ensure_database(self) -> None:
        """Crawlers create their database when it does not exist, as Glue's do."""
        try:
            self.catalog.get_database(self.ctx, {"Name": self.database})
        except AwsError as error:
            if error.code != "EntityNotFoundException":
                raise
            self.catalog.create_database(self.ctx, {"DatabaseInput": {"Name": self.database}})
            self.log(f"INFO : Created database {self.database}")

    # -- tables --------------------------------------------------------------------------------------

    def write_table(self, plan: Any) -> None:
        table = self.put_table(table_input(plan, self.crawler))
        self._write_partitions(plan, table)

    def put_table(self, wanted: dict) -> dict:
        """Create or update one table under the SchemaChangePolicy; the table as it now stands."""
        name = wanted["Name"]
        self.written.add(name)
        existing = self._table(name)
        if existing is None:
            self.catalog.create_table(self.ctx, {"DatabaseName": self.database, "TableInput": wanted})
            self.counts["TablesCreated"] += 1
            self.log(f"INFO : Created table {name} in database {self.database}")
            return wanted
        if not self.update_in_database:
            if not self.new_folders_only and _differs(existing, wanted):
                self.log(f"INFO : Table {name} in database {self.database} has changed; not updated because "
                         "SchemaChangePolicy.UpdateBehavior is LOG")
            return existing
        if self.merge_new_columns:
            wanted["StorageDescriptor"]["Columns"] = kept_columns(
                existing["StorageDescriptor"].get("Columns") or [], wanted["StorageDescriptor"]["Columns"])
        old_parameters = {k: v for k, v in (existing.get("Parameters") or {}).items() if k != DEPRECATED_PARAMETER}
        wanted["Parameters"] = {**old_parameters, **wanted["Parameters"]}
        if _differs(existing, wanted):
            self.catalog.update_table(self.ctx, {"DatabaseName": self.database, "TableInput": wanted})
            self.counts["TablesUpdated"] += 1
            self.log(f"INFO : Updated table {name} in database {self.database}")
        return wanted

    def retire_tables(self, target_locations: Iterable[str]) -> None:
        """DeleteBehavior for this crawler's tables under the targets that the crawl did not find."""
        targets = tuple(target_locations)
        for table in self._tables():
            parameters = table.get("Parameters") or {}
            location = (table.get("StorageDescriptor") or {}).get("Location") or ""
            if (table["Name"] in self.written or parameters.get(CRAWLER_PARAMETER) != self.crawler
                    or not location.startswith(targets)):
                continue
            if self.delete_behavior == "DELETE_FROM_DATABASE":
                self.catalog.delete_table(self.ctx, {"DatabaseName": self.database, "Name": table["Name"]})
                self.counts["TablesDeleted"] += 1
                self.log(f"INFO : Deleted table {table['Name']} in database {self.database}: its data at "
                         f"{location} is gone")
            elif self.delete_behavior == "DEPRECATE_IN_DATABASE":
                if DEPRECATED_PARAMETER in parameters:
                    continue
                given = _as_input(table)
                given["Parameters"] = {**parameters, DEPRECATED_PARAMETER: str(int(self.now().timestamp()))}
                self.catalog.update_table(self.ctx, {"DatabaseName": self.database, "TableInput": given})
                self.counts["TablesDeprecated"] += 1
                self.log(f"INFO : Deprecated table {table['Name']} in database {self.database}: its data at "
                         f"{location} is gone")
            else:
                self.log(f"INFO : Table {table['Name']} in database {self.database} was not found at {location}; "
                         "not deleted because SchemaChangePolicy.DeleteBehavior is LOG")

    # -- partitions ----------------------------------------------------------------------------------

    def _write_partitions(self, plan: Any, table: dict) -> None:
        keys = table.get("PartitionKeys") or []
        if len(keys) != len(plan.partition_keys):
            if plan.partitions:
                self.log(f"WARN : Partitions of table {plan.name} not written: the table has {len(keys)} partition "
                         f"keys and the data {len(plan.partition_keys)}")
            return
        existing = {tuple(p["Values"]): p for p in self._partitions(plan.name)} if keys else {}
        columns = table["StorageDescriptor"].get("Columns") or []
        create, update = [], []
        for partition in plan.partitions:
            wanted = partition_input(partition, plan, columns if self.inherit_from_table else partition.columns,
                                     self.crawler)
            old = existing.pop(tuple(partition.values), None)
            if old is None:
                create.append(wanted)
            elif self.update_in_database and _differs(old, wanted):
                update.append({"PartitionValueList": partition.values, "PartitionInput": wanted})
        for chunk in _chunks(create):
            result = self.catalog.batch_create_partition(
                self.ctx, {"DatabaseName": self.database, "TableName": plan.name, "PartitionInputList": chunk})
            self._report(result, "create")
            self.counts["PartitionsCreated"] += len(chunk) - len(result.get("Errors") or [])
        if create:
            self.log(f"INFO : Created partitions with values {[p['Values'] for p in create]} for table "
                     f"{plan.name} in database {self.database}")
        for chunk in _chunks(update):
            result = self.catalog.batch_update_partition(
                self.ctx, {"DatabaseName": self.database, "TableName": plan.name, "Entries": chunk})
            self._report(result, "update")
            self.counts["PartitionsUpdated"] += len(chunk) - len(result.get("Errors") or [])
        if update:
            self.log(f"INFO : Updated partitions with values {[e['PartitionValueList'] for e in update]} for "
                     f"table {plan.name} in database {self.database}")
        if existing and not self.new_folders_only:
            self._retire_partitions(plan.name, [list(values) for values in existing])

    def _retire_partitions(self, table: str, gone: list[list[str]]) -> None:
        if self.delete_behavior != "DELETE_FROM_DATABASE":
            self.log(f"INFO : Partitions with values {gone} of table {table} in database {self.database} were not "
                     f"found; not deleted because SchemaChangePolicy.DeleteBehavior is {self.delete_behavior}")
            return
        for chunk in _chunks(gone):
            result = self.catalog.batch_delete_partition(self.ctx, {
                "DatabaseName": self.database, "TableName": table,
                "PartitionsToDelete": [{"Values": values} for values in chunk]})
            self._report(result, "delete")
            self.counts["PartitionsDeleted"] += len(chunk) - len(result.get("Errors") or [])
        self.log(f"INFO : Deleted partitions with values {gone} of table {table} in database {self.database}")

    def _report(self, result: dict, verb: str) -> None:
        for error in result.get("Errors") or []:
            detail = error.get("ErrorDetail") or {}
            self.log(f"WARN : Could not {verb} partition {error.get('PartitionValues') or error.get('PartitionValueList')}"
                     f": {detail.get('ErrorCode')} {detail.get('ErrorMessage')}")

    # -- reads ---------------------------------------------------------------------------------------

    def _table(self, name: str) -> dict | None:
        try:
            return self.catalog.get_table(self.ctx, {"DatabaseName": self.database, "Name": name})["Table"]
        except AwsError as error:
            if error.code != "EntityNotFoundException":
                raise
            return None

    def _tables(self) -> list[dict]:
        tables, token = [], None
        while True:
            page = self.catalog.get_tables(self.ctx, {"DatabaseName": self.database, "NextToken": token})
            tables.extend(page["TableList"])
            token = page.get("NextToken")
            if not token:
                return tables

    def _partitions(self, table: str) -> list[dict]:
        partitions, token = [], None
        while True:
            page = self.catalog.get_partitions(self.ctx, {"DatabaseName": self.database, "TableName": table,
                                                          "NextToken": token})
            partitions.extend(page["Partitions"])
            token = page.get("NextToken")
            if not token:
                return partitions


# -- documents ---------------------------------------------------------------------------------------

def table_parameters(schema: Any, crawler: str, *, record_count: int, object_count: int, size: int) -> dict:
    """The Parameters a crawler writes on a table (and, with its own counts, on a partition)."""
    average = size // record_count if record_count else 0
    return {**(schema.parameters or {}), "classification": schema.classification,
            "compressionType": schema.compression or "none", "typeOfData": "file",
            "recordCount": str(record_count), "averageRecordSize": str(average), "objectCount": str(object_count),
            "sizeKey": str(size), CRAWLER_PARAMETER: crawler, "CrawlerSchemaSerializerVersion": "1.0",
            "CrawlerSchemaDeserializerVersion": "1.0"}


def storage_descriptor(schema: Any, location: str, columns: list[dict], parameters: dict) -> dict:
    return {"Columns": [dict(c) for c in columns], "Location": location, "InputFormat": schema.input_format,
            "OutputFormat": schema.output_format, "Compressed": (schema.compression or "none") != "none",
            "NumberOfBuckets": -1, "SerdeInfo": json.loads(json.dumps(schema.serde)), "BucketColumns": [],
            "SortColumns": [], "Parameters": dict(parameters), "StoredAsSubDirectories": False}


def table_input(plan: Any, crawler: str) -> dict:
    parameters = table_parameters(plan.schema, crawler, record_count=plan.record_count,
                                  object_count=plan.object_count, size=plan.size)
    return {"Name": plan.name, "Owner": "owner", "Retention": 0, "TableType": "EXTERNAL_TABLE",
            "Parameters": parameters, "PartitionKeys": [dict(k) for k in plan.partition_keys],
            "StorageDescriptor": storage_descriptor(plan.schema, plan.location, plan.columns, parameters)}


def partition_input(partition: Any, plan: Any, columns: list[dict], crawler: str) -> dict:
    parameters = table_parameters(plan.schema, crawler, record_count=partition.record_count,
                                  object_count=partition.object_count, size=partition.size)
    return {"Values": list(partition.values), "Parameters": {},
            "StorageDescriptor": storage_descriptor(plan.schema, partition.location, columns, parameters)}


def kept_columns(old: list[dict], new: list[dict]) -> list[dict]:
    """MergeNewColumns: the table's columns as they were, then the new ones."""
    known = {c["Name"].lower() for c in old}
    return [dict(c) for c in old] + [dict(c) for c in new if c["Name"].lower() not in known]


def _differs(existing: dict, wanted: dict) -> bool:
    return any(existing.get(key) != value for key, value in wanted.items())


def _as_input(table: dict) -> dict:
    """A stored table as a TableInput (what UpdateTable takes)."""
    fields = ("Name", "Description", "Owner", "LastAccessTime", "LastAnalyzedTime", "Retention",
              "StorageDescriptor", "PartitionKeys", "ViewOriginalText", "ViewExpandedText", "TableType", "Parameters")
    return {k: table[k] for k in fields if k in table}


def _chunks(items: list) -> Iterable[list]:
    for start in range(0, len(items), _BATCH):
        yield items[start:start + _BATCH]
