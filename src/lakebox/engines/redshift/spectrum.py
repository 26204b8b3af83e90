"""Spectrum: external schemas that name a Glue database, whose tables a statement reads from the lake.

CREATE EXTERNAL SCHEMA records the schema (in the database file, so it survives a restart); a
statement that names one of its tables gets, for that statement only, a temporary view over the
table's files built by the Glue table reader Athena uses (`lakebox.engines.sql.reader`), so the same
files read the same way in both services, partition columns included.
"""

from __future__ import annotations

import re
from typing import Optional

import duckdb
from sqlglot import exp

from ..sql import reader
from ..sql.errors import QueryError
from . import RedshiftError, translate
from .results import Result

META = "_lakebox"


class SpectrumMixin:
    def _external_schemas(self) -> dict:
        """{external schema: its Glue database}."""
        return {schema: database for schema, database, _ in self._external_schema_rows()}

    def _external_schema_rows(self) -> list:
        """(schema, Glue database, IAM role) of every external schema, by schema name."""
        return self._con.execute(f"SELECT schema_name, glue_database, iam_role FROM {META}.external_schemas "
                                 "ORDER BY schema_name").fetchall()

    def _create_external_schema(self, statement: str) -> Result:
        """CREATE EXTERNAL SCHEMA [IF NOT EXISTS] name FROM DATA CATALOG DATABASE 'db' IAM_ROLE '...'
        [REGION '...'] [CREATE EXTERNAL DATABASE IF NOT EXISTS]."""
        tokens = translate.tokenize(statement)
        words = [t.text.upper() for t in tokens]
        i = 3
        if words[i:i + 3] == ["IF", "NOT", "EXISTS"]:
            i += 3
        if i >= len(tokens):
            raise RedshiftError("syntax error at end of input", "42601")
        name = tokens[i].text.lower()
        text = " ".join(words[i + 1:])
        match = re.search(r"\bDATABASE\b", text)
        if not text.startswith("FROM") or match is None:
            raise RedshiftError("CREATE EXTERNAL SCHEMA supports FROM DATA CATALOG DATABASE '<glue database>' only",
                                "0A000")
        index = words.index("DATABASE", i)
        glue_database = tokens[index + 1].text.lower()
        role = tokens[words.index("IAM_ROLE") + 1].text if "IAM_ROLE" in words else None
        exists = name in self._external_schemas() or self._con.execute(
            "SELECT 1 FROM duckdb_schemas() WHERE database_name = current_database() AND schema_name = ?",
            [name]).fetchone()
        if exists:
            if words[3:6] == ["IF", "NOT", "EXISTS"]:
                return Result([], [], "CREATE SCHEMA", -1)
            raise RedshiftError(f'Schema "{name}" already exists', "42P06")
        if "CREATE EXTERNAL DATABASE" in text and hasattr(self.glue_catalog, "get_database") and \
                self.glue_catalog.get_database(self.account, self.region, glue_database) is None:
            self.glue_catalog.create_database(self.account, self.region, {"Name": glue_database})
        self._con.execute(f"INSERT INTO {META}.external_schemas VALUES (?, ?, ?)", [name, glue_database, role])
        return Result([], [], "CREATE SCHEMA", -1)

    def _drop_external_schema(self, statement: str) -> bool:
        tokens = translate.tokenize(statement)
        words = [t.text.upper() for t in tokens]
        i = 4 if words[2:4] == ["IF", "EXISTS"] else 2
        if i >= len(tokens):
            return False
        name = tokens[i].text.lower()
        if name not in self._external_schemas():
            return False
        self._con.execute(f"DELETE FROM {META}.external_schemas WHERE schema_name = ?", [name])
        return True

    def _glue_table(self, schema: str, glue_database: str, table: str) -> dict:
        glue = self.glue_catalog.get_table(self.account, self.region, glue_database, table)
        if glue is None:
            raise RedshiftError(f'relation "{schema}.{table}" does not exist', "42P01")
        return glue

    def _spectrum_view(self, table: exp.Table, views: list) -> Optional[exp.Expression]:
        """A reference to a Spectrum table, replaced by a temporary view over its files (partition
        columns included) that lives for the one statement."""
        glue_database = self._external_schemas().get(table.db) if table.db and not table.catalog else None
        if glue_database is None:
            return None
        glue = self._glue_table(table.db, glue_database, table.name)
        partitions = None
        if glue.get("PartitionKeys"):
            partitions = self.glue_catalog.get_partitions(self.account, self.region, glue_database, table.name)
        view = f"__spectrum_{next(self._views)}"
        try:
            scan = reader.build_scan(self._con, self.lake, glue, partitions, None, view)
        except QueryError as error:
            raise RedshiftError(error.message, "0A000" if error.error_type == "NOT_SUPPORTED" else "XX000") from None
        views.append((view, list(scan.arrow_tables)))
        self._con.execute(f"CREATE OR REPLACE TEMP VIEW {reader.quote_ident(view)} AS {scan.sql}")
        return exp.Table(this=exp.to_identifier(view),
                         alias=exp.TableAlias(this=exp.to_identifier(table.alias or table.name)))

    def _drop_views(self, views: list) -> None:
        for view, arrow_tables in views:
            try:
                self._con.execute(f"DROP VIEW IF EXISTS temp.main.{reader.quote_ident(view)}")
            except duckdb.Error:
                pass  # a failed transaction: its rollback drops the view, and the first error is the one to tell
            for name in arrow_tables:
                self._con.unregister(name)

