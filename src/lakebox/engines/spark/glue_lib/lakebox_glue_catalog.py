"""The Glue Data Catalog as Spark SQL's metastore, for Glue jobs and EMR steps that enable it.

On AWS a Glue job run with `--enable-glue-datacatalog`, or an EMR cluster whose `spark-hive-site`
names the Glue client factory, resolves `spark.sql("SELECT ... FROM raw_data.orders")`,
`spark.table(...)` and `INSERT INTO` against the Data Catalog. pyspark here has only its in-memory
catalog, so this module fills it from the Glue API on demand: when Spark reports a table or view it
cannot find, the table is fetched from the catalog of the lakebox server the driver talks to
(AWS_ENDPOINT_URL), declared in Spark's session catalog as a file table over the same location,
format and columns (partition columns last, Hive `key=value` folders discovered from the files), and
the statement is run again. A table the Glue catalog does not have either keeps Spark's own error.

Why on demand, not a copy of the catalog at start: a catalog can hold thousands of tables, a job
reads a few, and a table created by a crawler while the job runs is still found.

`install()` patches SparkSession.sql, SparkSession.table and DataFrameReader.table; `sitecustomize`
calls it in a driver whose environment sets LAKEBOX_GLUE_CATALOG=1. What Spark SQL and saveAsTable
create or drop is written back to the Glue catalog (lakebox_glue_sync.py).
"""

from __future__ import annotations

import functools
import re

ENV_FLAG = "LAKEBOX_GLUE_CATALOG"
#: At most this many tables are fetched for one statement before Spark's error is raised.
MAX_TABLES_PER_STATEMENT = 50

_NAME_PART = re.compile(r"`((?:[^`]|``)*)`|([^.`\s]+)")


def relation_parts(relation: str) -> list[str]:
    """`raw_data`.`orders` (or raw_data.orders) as ["raw_data", "orders"]; spark_catalog. is dropped."""
    parts = [(quoted.replace("``", "`") if quoted is not None and quoted != "" else plain)
             for quoted, plain in _NAME_PART.findall(relation)]
    parts = [p for p in parts if p]
    if len(parts) == 3 and parts[0].lower() == "spark_catalog":
        parts = parts[1:]
    return parts


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _missing_relation(exc: Exception) -> str:
    """The name of the table Spark could not find, or "" when `exc` is another error."""
    getter = getattr(exc, "getErrorClass", None)
    if getter is None or getter() != "TABLE_OR_VIEW_NOT_FOUND":
        return ""
    return (exc.getMessageParameters() or {}).get("relationName", "")


def declare_table(spark, database: str, name: str) -> bool:
    """Declare the Glue table `database.name` in Spark's session catalog; False if Glue has no such table."""
    from awsglue._fields import spark_type
    from awsglue.catalog import CatalogTable

    try:
        table = CatalogTable.load(database, name)
    except Exception as exc:  # noqa: BLE001 - EntityNotFoundException and the like: not a Glue table
        if type(exc).__name__ in ("EntityNotFoundException", "ClientError"):
            return False
        raise
    fmt, options = table.data_format()
    columns = ", ".join(f"{_quote(c)} {spark_type(t)}" for c, t in table.columns + table.partition_keys)
    partitioned = ""
    if table.partition_keys:
        partitioned = " PARTITIONED BY (" + ", ".join(_quote(c) for c, _ in table.partition_keys) + ")"
    rendered = ", ".join(f"{_quote(k)} '{_literal(v)}'" for k, v in options.items())
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {_quote(database)}")
    spark.sql(f"CREATE TABLE IF NOT EXISTS {_quote(database)}.{_quote(name)} ({columns}) USING {fmt}"
              + (f" OPTIONS ({rendered})" if rendered else "") + partitioned
              + f" LOCATION '{_literal(table.location)}'")
    if table.partition_keys:
        # Register the partitions found under the location (Hive folders), as MSCK REPAIR does.
        spark.sql(f"ALTER TABLE {_quote(database)}.{_quote(name)} RECOVER PARTITIONS")
    return True


def _literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _resolving(call):
    """Run `call`; on a missing table that the Glue catalog has, declare it and run `call` again."""

    @functools.wraps(call)
    def run(self, *args, **kwargs):
        spark = getattr(self, "sparkSession", None) or getattr(self, "_spark", None) or self
        tried: set[tuple[str, ...]] = set()
        while True:
            try:
                return call(self, *args, **kwargs)
            except Exception as exc:
                relation = _missing_relation(exc)
                parts = relation_parts(relation) if relation else []
                if not parts or len(parts) > 2 or len(tried) >= MAX_TABLES_PER_STATEMENT:
                    raise
                database, name = (parts if len(parts) == 2 else [spark.catalog.currentDatabase(), parts[0]])
                key = (database.lower(), name.lower())
                if key in tried or not declare_table(spark, database, name):
                    raise
                tried.add(key)

    return run


def install() -> None:
    """Patch pyspark so that table names fall back to the Glue catalog (idempotent)."""
    from pyspark.sql import DataFrameReader, SparkSession

    from pyspark.sql import DataFrameWriter

    import lakebox_glue_sync

    if getattr(SparkSession.sql, "_lakebox_glue_catalog", False):
        return
    for owner, method in ((SparkSession, "sql"), (SparkSession, "table"), (DataFrameReader, "table")):
        patched = _resolving(getattr(owner, method))
        patched._lakebox_glue_catalog = True
        setattr(owner, method, patched)
    resolving_sql = SparkSession.sql

    @functools.wraps(resolving_sql)
    def sql(self, sqlQuery, *args, **kwargs):
        return lakebox_glue_sync.around_sql(self, sqlQuery, lambda: resolving_sql(self, sqlQuery, *args, **kwargs))

    sql._lakebox_glue_catalog = True
    SparkSession.sql = sql
    save_as_table = DataFrameWriter.saveAsTable

    @functools.wraps(save_as_table)
    def saveAsTable(self, name, *args, **kwargs):  # noqa: N802 - pyspark's name
        return lakebox_glue_sync.save_as_table(self, name, lambda: save_as_table(self, name, *args, **kwargs))

    DataFrameWriter.saveAsTable = saveAsTable
