"""RestoreTableFromClusterSnapshot and DescribeTableRestoreStatus: one table copied back for real.

A snapshot's database is a DuckDB file (snapshots.py), so restoring one table reads it from that file
on a read-only connection of this module's own, and creates NewTableName in the running cluster's
target database with those columns, types and rows, plus what Redshift recorded of the table that
DuckDB does not keep (DISTKEY, SORTKEY, ENCODE, declared types; an IDENTITY column keeps its values
but, as CREATE TABLE AS does, no longer generates new ones). The create and that record commit in one
DuckDB transaction, so a table is there whole or not at all.

The request answers at once with status PENDING; a background thread moves it to IN_PROGRESS, then
SUCCEEDED, or FAILED with the reason (the target table exists already, the target database or schema
is missing, the cluster stopped meanwhile). A source that the snapshot lacks is refused at once with
InvalidTableRestoreArgument, as AWS refuses it. Each status is written through to the store; a
restore still pending or in progress when the server stopped runs again at the next start.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from pathlib import Path

import duckdb

from ...engines.redshift.database import RedshiftError
from ...engines.redshift.spectrum import META
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .databases import file_stem
from .snapshots import snapshot_not_found

log = logging.getLogger("lakebox.redshift")

_VIEW = "lakebox_table_restore"


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidTableRestoreArgument", message, 400)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class TableRestoresMixin:
    """Needs the provider's store, runtimes, `_cluster`, `_snapshot` and config (its clock)."""

    def _snapshot_database_file(self, account: str, snapshot: str, database: str) -> Path:
        return self.store.snapshot_dir(account, snapshot) / f"{file_stem(database)}.duckdb"

    def restore_table_from_cluster_snapshot(self, ctx: RequestContext, params: dict) -> dict:
        fold = (lambda name: name) if params.get("EnableCaseSensitiveIdentifier") else str.lower
        source_db, new_table = params["SourceDatabaseName"], fold(params["NewTableName"])
        source_schema, source_table = fold(params.get("SourceSchemaName") or "public"), fold(params["SourceTableName"])
        with self.store.lock:
            cluster = self._cluster(ctx, params["ClusterIdentifier"])
            if cluster["ClusterStatus"] != "available":
                raise AwsError("InvalidClusterState", f"The cluster {cluster['ClusterIdentifier']} is not in the "
                                                      "available state.", 400)
            snapshot = self._snapshot(ctx, params["SnapshotIdentifier"])
            if snapshot["ClusterIdentifier"] != cluster["ClusterIdentifier"]:
                raise snapshot_not_found(params["SnapshotIdentifier"])
            path = self._snapshot_database_file(ctx.account_id, snapshot["SnapshotIdentifier"], source_db)
            if not path.exists():
                raise _invalid(f"The database {source_db} does not exist in snapshot {snapshot['SnapshotIdentifier']}.")
            with duckdb.connect(str(path), read_only=True) as con:
                found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
                                    [source_schema, source_table]).fetchone()[0]
            if not found:
                raise _invalid(f"The table {source_schema}.{source_table} does not exist in database {source_db} "
                               f"of snapshot {snapshot['SnapshotIdentifier']}.")
            doc = {
                "TableRestoreRequestId": str(uuid.uuid4()), "Status": "PENDING",
                "RequestTime": self.config.clock.now().isoformat(), "ClusterIdentifier": cluster["ClusterIdentifier"],
                "SnapshotIdentifier": snapshot["SnapshotIdentifier"], "SourceDatabaseName": source_db,
                "SourceSchemaName": source_schema, "SourceTableName": source_table,
                "TargetDatabaseName": params.get("TargetDatabaseName") or source_db,
                "TargetSchemaName": fold(params.get("TargetSchemaName") or source_schema), "NewTableName": new_table,
                "Account": ctx.account_id, "Region": ctx.region,
            }
            self.store.table_restores.put(ctx.account_id, doc)
        self._start_table_restore(doc)
        return {"TableRestoreStatus": _shown(doc)}

    def describe_table_restore_status(self, ctx: RequestContext, params: dict) -> dict:
        from .provider import page

        if params.get("ClusterIdentifier"):
            self._cluster(ctx, params["ClusterIdentifier"])
        docs = [d for d in self.store.table_restores.all(ctx.account_id) if d["Region"] == ctx.region
                and (not params.get("ClusterIdentifier") or d["ClusterIdentifier"] == params["ClusterIdentifier"])]
        if params.get("TableRestoreRequestId"):
            docs = [d for d in docs if d["TableRestoreRequestId"] == params["TableRestoreRequestId"]]
            if not docs:
                raise AwsError("TableRestoreNotFoundFault", "The specified TableRestoreRequestId value was not "
                                                            "found.", 400)
        return page(docs, params, "TableRestoreRequestId", "TableRestoreStatusDetails", _shown)

    # -- the work -----------------------------------------------------------------------------------

    def resume_table_restores(self) -> None:
        """Run again the restores a stopped server left pending or in progress."""
        for account_doc in self.store.table_restores.all():
            if account_doc["Status"] in ("PENDING", "IN_PROGRESS"):
                self._start_table_restore(account_doc)

    def _start_table_restore(self, doc: dict) -> None:
        thread = threading.Thread(target=self._run_table_restore, args=(doc,), daemon=True,
                                  name=f"redshift-table-restore-{doc['TableRestoreRequestId'][:8]}")
        thread.start()

    def _save_restore(self, doc: dict, **changes) -> None:
        doc.update(changes)
        self.store.table_restores.put(doc["Account"], doc)

    def _run_table_restore(self, doc: dict) -> None:
        try:
            self._save_restore(doc, Status="IN_PROGRESS")
            megabytes = self._copy_table(doc)
        except (AwsError, RedshiftError, duckdb.Error) as error:
            reason = getattr(error, "message", None) or str(error)
            log.info("redshift table restore %s failed: %s", doc["TableRestoreRequestId"], reason)
            self._save_restore(doc, Status="FAILED", Message=reason)
            return
        except Exception as error:  # noqa: BLE001 - the request must not stay IN_PROGRESS for ever
            log.exception("redshift table restore %s failed", doc["TableRestoreRequestId"])
            self._save_restore(doc, Status="FAILED", Message=f"Internal error: {error}")
            return
        self._save_restore(doc, Status="SUCCEEDED", ProgressInMegaBytes=megabytes, TotalDataInMegaBytes=megabytes,
                           Message="Table restore completed successfully.")
        log.info("redshift table %s.%s restored from snapshot %s into %s.%s.%s", doc["SourceSchemaName"],
                 doc["SourceTableName"], doc["SnapshotIdentifier"], doc["TargetDatabaseName"], doc["TargetSchemaName"],
                 doc["NewTableName"])

    def _copy_table(self, doc: dict) -> int:
        """Copy the table into the cluster; the megabytes copied."""
        path = self._snapshot_database_file(doc["Account"], doc["SnapshotIdentifier"], doc["SourceDatabaseName"])
        source = f'{_quoted(doc["SourceSchemaName"])}.{_quoted(doc["SourceTableName"])}'
        with duckdb.connect(str(path), read_only=True) as con:
            rows = con.sql(f"SELECT * FROM {source}").to_arrow_table()
            design = con.execute(f"SELECT column_name, attribute, value FROM {META}.table_design WHERE "
                                 "schema_name = ? AND table_name = ?",
                                 [doc["SourceSchemaName"], doc["SourceTableName"]]).fetchall()
        runtime = self.runtime(doc["Account"], doc["ClusterIdentifier"])
        if runtime is None:
            raise AwsError("InvalidClusterState", f"Cluster {doc['ClusterIdentifier']} is not available.", 400)
        database = runtime.database(doc["TargetDatabaseName"])
        schema, table = doc["TargetSchemaName"], doc["NewTableName"]
        # A cursor of the database's own connection, as RedshiftDatabase.copy_to takes one: DuckDB keeps
        # one writer per file, so the table is written through the connection the cluster holds.
        with database._lock:
            cursor = database._con.cursor()
        try:
            cursor.execute("BEGIN")
            try:
                has_schema = cursor.execute("SELECT count(*) FROM duckdb_schemas() WHERE database_name = "
                                            "current_database() AND schema_name = ?", [schema]).fetchone()[0]
                if not has_schema:
                    raise RedshiftError(f'schema "{schema}" does not exist in database '
                                        f'"{doc["TargetDatabaseName"]}"', "3F000")
                exists = cursor.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                                        "AND schema_name = ? AND table_name = ? UNION ALL SELECT count(*) FROM "
                                        "duckdb_views() WHERE database_name = current_database() AND schema_name = ? "
                                        "AND view_name = ?", [schema, table, schema, table]).fetchall()
                if any(n for (n,) in exists):
                    raise RedshiftError(f'Cannot restore table: relation "{schema}.{table}" already exists in '
                                        f'database "{doc["TargetDatabaseName"]}".', "42P07")
                cursor.register(_VIEW, rows)
                cursor.execute(f"CREATE TABLE {_quoted(schema)}.{_quoted(table)} AS SELECT * FROM {_VIEW}")
                cursor.unregister(_VIEW)
                if design:
                    cursor.executemany(f"INSERT INTO {META}.table_design VALUES (?, ?, ?, ?, ?)",
                                       [(schema, table, column, attribute, value) for column, attribute, value in design])
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
        finally:
            cursor.close()
        return round(rows.nbytes / (1 << 20))


def _shown(doc: dict) -> dict:
    out = {k: v for k, v in doc.items() if k not in ("Account", "Region")}
    out["RequestTime"] = dt.datetime.fromisoformat(doc["RequestTime"])
    return out
