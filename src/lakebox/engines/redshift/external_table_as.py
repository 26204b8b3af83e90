"""CREATE EXTERNAL TABLE ... AS SELECT: a query's rows written to the lake and catalogued in Glue.

    CREATE EXTERNAL TABLE spectrum.t [PARTITIONED BY (col, ...)]
    [ROW FORMAT DELIMITED FIELDS TERMINATED BY 'd'] STORED AS PARQUET | TEXTFILE
    LOCATION 's3://bucket/prefix/' [TABLE PROPERTIES (...)] AS SELECT ...

The files are written by UNLOAD's writer (`unloading`), so they are real S3 objects, partitioned into
`col=value/` folders; then the Glue table is made with the query's columns as Hive types, and each
partition folder written is added to it, through the same Hive DDL path as CREATE EXTERNAL TABLE.
As on Redshift, the location must hold no objects yet.

Imports this package.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Optional

from . import RedshiftError, translate, unloading
from .copy_unload import Options, UnloadSpec, list_prefix, split_url
from .results import Result

_CETAS = re.compile(
    r"(?is)^\s*(?:PARTITIONED\s+BY\s*\((?P<parts>[^)]*)\)\s*)?"
    r"(?:ROW\s+FORMAT\s+DELIMITED\s+FIELDS\s+TERMINATED\s+BY\s+'(?P<delim>(?:[^']|'')*)'\s*)?"
    r"STORED\s+AS\s+(?P<format>\w+)\s+LOCATION\s+'(?P<location>[^']+)'\s*"
    r"(?:TABLE\s+PROPERTIES\s*\((?P<props>.*?)\)\s*)?AS\s+(?P<query>(?:SELECT|WITH|\().+?);?\s*$")
#: DuckDB result types -> the Hive types the Glue table is given.
_HIVE = {"BOOLEAN": "boolean", "TINYINT": "smallint", "SMALLINT": "smallint", "INTEGER": "int", "BIGINT": "bigint",
         "HUGEINT": "decimal(38,0)", "FLOAT": "float", "DOUBLE": "double", "DATE": "date", "TIMESTAMP": "timestamp",
         "TIMESTAMP WITH TIME ZONE": "timestamp", "VARCHAR": "string"}


class ExternalTableAsMixin:
    """Needs `_con`, `_current_schema()`, `_rewrite_table()`, `_drop_views()`, `lake`, `path`,
    `_run_hive_ddl()` (ExternalTablesMixin)."""

    def _create_external_table_as(self, rest: str, schema: str, name: str, glue_database: str,
                                  if_not_exists: bool) -> Result:
        match = _CETAS.match(rest)
        if match is None:
            raise RedshiftError("syntax error in CREATE EXTERNAL TABLE AS: expected [PARTITIONED BY (...)] "
                                "[ROW FORMAT DELIMITED FIELDS TERMINATED BY '...'] STORED AS PARQUET|TEXTFILE "
                                "LOCATION '...' [TABLE PROPERTIES (...)] AS query", "42601")
        fmt = match.group("format").upper()
        if fmt not in ("PARQUET", "TEXTFILE"):
            raise RedshiftError(f"CREATE EXTERNAL TABLE AS writes PARQUET or TEXTFILE, not {fmt}", "0A000")
        if self.glue_catalog.get_table(self.account, self.region, glue_database, name):
            if if_not_exists:
                return Result([], [], "CREATE EXTERNAL TABLE", -1)
            # Checked before any file is written, so that a refused statement leaves nothing behind.
            raise RedshiftError(f'relation "{schema}.{name}" already exists', "42P07")
        location = match.group("location").rstrip("/") + "/"
        bucket, prefix = split_url(location)
        if list_prefix(self.lake, bucket, prefix):
            raise RedshiftError(f"Location '{location}' of the external table is not empty", "XX000")
        partitions = [p.strip().strip('"').lower() for p in (match.group("parts") or "").split(",") if p.strip()]
        delimiter = (match.group("delim") or "|").replace("''", "'")
        views: list = []
        try:
            plan = translate.translate(match.group("query"), default_schema=self._current_schema(),
                                       rewrite_table=lambda table: self._rewrite_table(table, views),
                                       column_types=self._column_types,
                                       case_sensitive=self.case_sensitive_identifiers)
            if not plan.returns_rows or len(plan.statements) != 1:
                raise RedshiftError("CREATE EXTERNAL TABLE AS needs a SELECT query", "42601")
            query_sql = plan.statements[0]
            columns = [(row[0], row[1]) for row in self._con.execute(f"DESCRIBE {query_sql}").fetchall()]
            unknown = [p for p in partitions if p not in [c for c, _ in columns]]
            if unknown:
                raise RedshiftError(f'partition column "{unknown[0]}" is not a column of the query', "42703")
            options = {"FORMAT": "PARQUET"} if fmt == "PARQUET" else {"DELIMITER": delimiter, "NULL": "\\N"}
            if partitions:
                options["PARTITION BY"] = partitions
            count, written = unloading.unload(self._con, UnloadSpec(query_sql, location, Options(options)), self.lake,
                                              query_sql, str(self.path.parent))
        finally:
            self._drop_views(views)
        data_columns = ", ".join(f"`{c}` {_hive_type(t)}" for c, t in columns if c not in partitions)
        parts = ", ".join(f"`{c}` {_hive_type(t)}" for c, t in columns if c in partitions)
        storage = "STORED AS PARQUET" if fmt == "PARQUET" else \
            f"ROW FORMAT DELIMITED FIELDS TERMINATED BY '{delimiter}' STORED AS TEXTFILE"
        properties = f" TBLPROPERTIES ({match.group('props')})" if match.group("props") else ""
        hive_name = f"`{glue_database}`.`{name}`"
        self._run_hive_ddl(f"CREATE EXTERNAL TABLE {hive_name} ({data_columns})"
                           + (f" PARTITIONED BY ({parts})" if parts else "")
                           + f" {storage} LOCATION '{location}'{properties}",
                           glue_database, "CREATE EXTERNAL TABLE", f"{schema}.{name}")
        folders = _partition_folders(written, location, partitions)
        if folders:
            specs = " ".join(f"PARTITION ({', '.join(f'{k}={_literal(v)}' for k, v in values)}) "
                             f"LOCATION '{location}{folder}'" for folder, values in folders)
            self._run_hive_ddl(f"ALTER TABLE {glue_database}.{name} ADD IF NOT EXISTS {specs}", glue_database,
                               "ALTER TABLE", f"{schema}.{name}")
        return Result([], [], "CREATE EXTERNAL TABLE", count)


def _hive_type(duck_type: str) -> str:
    decimal = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", duck_type)
    if decimal:
        return f"decimal({decimal.group(1)},{decimal.group(2)})"
    return _HIVE.get(duck_type.upper(), "string")


def _partition_folders(written: list, location: str, partitions: list) -> list:
    """[(folder 'a=1/b=x/', [(a, '1'), (b, 'x')])] of the partition folders the files went into."""
    if not partitions:
        return []
    found: dict = {}
    for url in written:
        relative = url[len(location):] if url.startswith(location) else ""
        segments = relative.split("/")[:len(partitions)]
        if len(segments) == len(partitions) and all("=" in s for s in segments):
            folder = "/".join(segments) + "/"
            found[folder] = [(s.split("=", 1)[0], urllib.parse.unquote(s.split("=", 1)[1])) for s in segments]
    return sorted(found.items())


def _literal(value: Optional[str]) -> str:
    return "'" + (value or "").replace("'", "''") + "'"
