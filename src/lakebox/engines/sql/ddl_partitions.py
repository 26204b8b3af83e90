"""ALTER TABLE ADD / DROP PARTITION and MSCK REPAIR TABLE: Athena's partition statements on Glue.

A mixin of ddl.py's statement runner, which provides the catalog calls and the table lookups.
Partitions are Glue partitions whose StorageDescriptor is the table's with the partition's location,
as Athena writes them; MSCK REPAIR TABLE lists the table's folders through the lake and adds each
`k=v/...` folder that Glue does not know yet.
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

from . import ddl_show
from .ddl_tokens import Cursor

if TYPE_CHECKING:
    from . import ddl


class PartitionStatements:
    """The partition statements of `ddl._Run` (which provides `_call`, `_need_table`, `database`,
    `check_catalog` and `lake`)."""

    def _spec(self, table: dict, pairs: list[tuple[str, str]]) -> list[str]:
        from . import ddl  # which imports this module to build its runner
        keys = [k["Name"] for k in table.get("PartitionKeys") or []]
        given = {k.lower(): v for k, v in pairs}
        if set(given) != set(keys):
            raise ddl.DdlError("INVALID_INPUT", "FAILED: SemanticException [Error 10098]: Non-Partition column "
                               "appears in the partition specification" if set(given) - set(keys) else
                               "FAILED: SemanticException partition spec is invalid; field(s) "
                               f"{sorted(set(keys) - set(given))} do not exist or are empty")
        return [given[k] for k in keys]

    def _partition_input(self, table: dict, values: list[str], location: str) -> dict:
        sd = {k: v for k, v in (table.get("StorageDescriptor") or {}).items()}
        sd["Location"] = location
        return {"Values": values, "StorageDescriptor": sd, "Parameters": {}}

    def alter_partitions(self, cur: Cursor) -> ddl.DdlResult:
        from . import ddl  # which imports this module to build its runner
        cur.expect("ALTER", "TABLE")
        db, name = ddl._split_name(cur.name(), self.database, self.check_catalog)
        table = self._need_table(db, name)
        base = (table.get("StorageDescriptor") or {}).get("Location", "").rstrip("/")
        keys = table.get("PartitionKeys") or []
        if cur.accept("ADD"):
            if_not_exists = cur.accept("IF", "NOT", "EXISTS")
            inputs = []
            while cur.accept("PARTITION"):
                values = self._spec(table, cur.pairs())
                location = cur.string() if cur.accept("LOCATION") else \
                    f"{base}/{ddl_show.partition_name(keys, values)}"
                inputs.append(self._partition_input(table, values, location))
            cur.end()
            if not inputs:
                cur.fail("expecting PARTITION")
            existing = {tuple(p["Values"]) for p in self._call("get_partitions", db, name)}
            clash = [i for i in inputs if tuple(i["Values"]) in existing]
            if clash and not if_not_exists:
                raise ddl.DdlError("ALREADY_EXISTS", "FAILED: Execution Error, return code 1 from "
                                   "org.apache.hadoop.hive.ql.exec.DDLTask. AlreadyExistsException"
                                   "(message:Partition already exists.)")
            fresh = [i for i in inputs if tuple(i["Values"]) not in existing]
            if fresh:
                self._call("batch_create_partition", db, name, fresh)
            return ddl.DdlResult("ALTER_TABLE_ADD_PARTITION")
        cur.expect("DROP")
        if_exists = cur.accept("IF", "EXISTS")
        cur.expect("PARTITION")
        specs = [self._spec(table, cur.pairs())]
        while cur.accept(","):
            cur.expect("PARTITION")
            specs.append(self._spec(table, cur.pairs()))
        cur.end()
        existing = {tuple(p["Values"]) for p in self._call("get_partitions", db, name)}
        for values in specs:
            if tuple(values) not in existing:
                if if_exists:
                    continue
                raise ddl.DdlError("NOT_FOUND", "FAILED: SemanticException [Error 10006]: Partition not found "
                                   f"({', '.join(k['Name'] + '=' + repr(v) for k, v in zip(keys, values))})")
            self._call("delete_partition", db, name, values)
        return ddl.DdlResult("ALTER_TABLE_DROP_PARTITION")

    def msck(self, cur: Cursor) -> ddl.DdlResult:
        from . import ddl  # which imports this module to build its runner
        cur.expect("MSCK", "REPAIR", "TABLE")
        db, name = ddl._split_name(cur.name(), self.database, self.check_catalog)
        cur.end()
        table = self._need_table(db, name)
        keys = [k["Name"] for k in table.get("PartitionKeys") or []]
        if not keys:
            return ddl.DdlResult("MSCK_REPAIR_TABLE")
        location = (table.get("StorageDescriptor") or {}).get("Location", "")
        bucket, prefix = ddl._s3(location)
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        found: dict[tuple, str] = {}
        for key in ddl._keys(self.lake, bucket, prefix):
            folders = key[len(prefix):].split("/")[:-1]
            if len(folders) < len(keys):
                continue
            values = []
            for folder, wanted in zip(folders, keys):
                k, sep, v = folder.partition("=")
                if not sep or k.lower() != wanted:
                    break
                values.append(urllib.parse.unquote(v))
            else:
                path = "/".join(folders[:len(keys)])
                found.setdefault(tuple(values), path)
        existing = {tuple(p["Values"]) for p in self._call("get_partitions", db, name)}
        missing = sorted((v, p) for v, p in found.items() if v not in existing)
        if not missing:
            return ddl.DdlResult("MSCK_REPAIR_TABLE")
        inputs = [self._partition_input(table, list(v), f"s3://{bucket}/{prefix}{p}") for v, p in missing]
        self._call("batch_create_partition", db, name, inputs)
        rows = [["Partitions not in metastore:\t" + "\t".join(f"{name}:{p}" for _, p in missing)]]
        rows += [[f"Repair: Added partition to metastore {name}:{p}"] for _, p in missing]
        return ddl.DdlResult("MSCK_REPAIR_TABLE", [("result", "string")], rows)
