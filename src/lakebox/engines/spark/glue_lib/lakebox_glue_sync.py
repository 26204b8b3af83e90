"""Spark SQL's catalog changes, written back to the Glue Data Catalog.

On AWS, with the Glue catalog as the metastore, what a job creates is in the catalog when it ends:
`df.write.saveAsTable("analytics.daily")`, `CREATE TABLE ... AS SELECT`, `CREATE DATABASE` and
`DROP TABLE` change Glue's databases and tables, and the new partitions of a partitioned table are
registered, so Athena and the next job see them. pyspark here keeps its catalog in memory, so this
module repeats each such change through the Glue API (boto3 against the lakebox server):
- before a table is made in a database that Spark does not know yet, the database is declared from
  Glue with its LocationUri, so a managed table lands under it (`<LocationUri>/<table>`), on S3;
- after `saveAsTable` or a `CREATE TABLE` statement, the table is created or updated in Glue from
  Spark's own description (location, format, columns with Hive types, partition keys), and the
  table's partitions are registered;
- after `INSERT INTO`/`INSERT OVERWRITE` into a partitioned table, its partitions are registered;
- `CREATE DATABASE` creates the Glue database (with LOCATION as its LocationUri) and `DROP TABLE` /
  `DROP DATABASE` delete them from Glue.

Statements are recognized by their leading words, as Spark's parser would read them; anything else is
left to Spark alone. A table Spark made in a database Glue does not have stays in the session, as it
would fail on AWS.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Optional

_IDENT = r"(?:`(?:[^`]|``)+`|[A-Za-z0-9_]+)"
_NAME = rf"({_IDENT}(?:\s*\.\s*{_IDENT}){{0,2}})"
CREATE_DATABASE = re.compile(rf"^\s*CREATE\s+(?:DATABASE|SCHEMA)\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}", re.I)
DROP_DATABASE = re.compile(rf"^\s*DROP\s+(?:DATABASE|SCHEMA)\s+(?:IF\s+EXISTS\s+)?{_NAME}", re.I)
CREATE_TABLE = re.compile(rf"^\s*(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:EXTERNAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                          rf"|REPLACE\s+TABLE\s+){_NAME}", re.I)
DROP_TABLE = re.compile(rf"^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_NAME}", re.I)
INSERT = re.compile(rf"^\s*INSERT\s+(?:INTO|OVERWRITE)\s+(?:TABLE\s+)?{_NAME}", re.I)
LOCATION = re.compile(r"\bLOCATION\s+'((?:[^'\\]|\\.)*)'", re.I)
#: Spark's provider names, as Glue's "classification".
_CLASSIFICATIONS = {"parquet": "parquet", "orc": "orc", "json": "json", "csv": "csv", "avro": "avro"}


def _parts(name: str, spark: Any) -> tuple[str, str]:
    from lakebox_glue_catalog import relation_parts

    parts = relation_parts(name)
    if len(parts) == 1:
        return spark.catalog.currentDatabase(), parts[0]
    return parts[-2], parts[-1]


def _glue():
    from awsglue.catalog import glue_client

    return glue_client()


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


# -- before: the database a new table goes into ---------------------------------------------------

def prepare_database(spark: Any, database: str) -> None:
    """Declare a Glue database in Spark (with its LocationUri) if Spark does not have it yet."""
    if spark.catalog.databaseExists(database):
        return
    client = _glue()
    try:
        found = client.get_database(Name=database)["Database"]
    except client.exceptions.EntityNotFoundException:
        return  # Spark reports the missing database itself
    location = found.get("LocationUri")
    clause = f" LOCATION '{_literal(location)}'" if location else ""
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {_quote(database)}{clause}")


def prepare_table(spark: Any, database: str, table: str) -> None:
    """Before a write to `database.table`: its database, and the Glue table itself when Glue has one
    (an append or overwrite then goes to the table's own location and format)."""
    from lakebox_glue_catalog import declare_table

    prepare_database(spark, database)
    if spark.catalog.databaseExists(database) and not spark.catalog.tableExists(table, database):
        declare_table(spark, database, table)


# -- after: the table as Spark describes it, into Glue ---------------------------------------------

def _describe(spark: Any, database: str, table: str) -> dict[str, str]:
    rows = spark.sql(f"DESCRIBE TABLE EXTENDED {_quote(database)}.{_quote(table)}").collect()
    info: dict[str, str] = {}
    detailed = False
    for row in rows:
        name, value = (row[0] or "").strip(), (row[1] or "").strip()
        if name.startswith("# Detailed Table Information"):
            detailed = True
        elif detailed and name:
            info[name] = value
    return info


def table_input(spark: Any, database: str, table: str) -> Optional[dict]:
    """Glue's TableInput for a Spark table, or None for a view or a table that is not file-based."""
    from awsglue.writers import FORMATS

    info = _describe(spark, database, table)
    provider = (info.get("Provider") or "").lower()
    if info.get("Type", "").upper() == "VIEW" or provider not in FORMATS:
        return None
    keys = [c.name for c in spark.catalog.listColumns(table, database) if c.isPartition]
    schema = spark.table(f"{_quote(database)}.{_quote(table)}").schema
    by_name = {f.name: f for f in schema.fields}
    input_format, output_format, serde = FORMATS[provider]
    serde_params: dict[str, str] = {}
    params = {"classification": _CLASSIFICATIONS[provider], "spark.sql.sources.provider": provider}
    if provider == "csv":
        serde_params["field.delim"] = ","
    return {
        "Name": table,
        "TableType": "EXTERNAL_TABLE" if info.get("Type", "").upper() == "EXTERNAL" else "MANAGED_TABLE",
        "Parameters": params,
        "PartitionKeys": [{"Name": k, "Type": by_name[k].dataType.simpleString()} for k in keys],
        "StorageDescriptor": {
            "Columns": [{"Name": f.name, "Type": f.dataType.simpleString()} for f in schema.fields
                        if f.name not in keys],
            "Location": info.get("Location", ""), "InputFormat": input_format, "OutputFormat": output_format,
            "SerdeInfo": {"SerializationLibrary": serde, "Parameters": serde_params}},
    }


def publish_table(spark: Any, database: str, table: str) -> None:
    """Create or replace the Glue table from Spark's, then register its partitions."""
    client = _glue()
    try:
        client.get_database(Name=database)
    except client.exceptions.EntityNotFoundException:
        return  # a session-only database: nothing to publish to
    described = table_input(spark, database, table)
    if described is None or not described["StorageDescriptor"]["Location"]:
        return
    try:
        client.create_table(DatabaseName=database, TableInput=described)
    except client.exceptions.AlreadyExistsException:
        client.update_table(DatabaseName=database, TableInput=described)
    publish_partitions(spark, database, table, described)


def publish_partitions(spark: Any, database: str, table: str, described: Optional[dict] = None) -> int:
    """Register in Glue the partitions that the table's rows fall in (those Glue has are kept)."""
    if described is None:
        described = table_input(spark, database, table)
    if described is None or not described["PartitionKeys"]:
        return 0
    from awsglue.catalog import CatalogTable
    from awsglue.writers import add_partitions

    keys = [k["Name"] for k in described["PartitionKeys"]]
    rows = spark.table(f"{_quote(database)}.{_quote(table)}")
    return add_partitions(rows, CatalogTable.load(database, table), keys)


def _literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


# -- the patches ------------------------------------------------------------------------------------

_state = threading.local()


def _internal():
    """Statements this module (or the on-demand table declarations) run are not mirrored to Glue."""
    class Scope:
        def __enter__(self):
            self.previous = getattr(_state, "internal", False)
            _state.internal = True

        def __exit__(self, *exc):
            _state.internal = self.previous

    return Scope()


def around_sql(spark: Any, statement: str, run) -> Any:
    """Run one Spark SQL statement with its Glue side effects before and after."""
    if getattr(_state, "internal", False):
        return run()
    text = statement if isinstance(statement, str) else ""
    with _internal():
        return _mirrored(spark, text, run)


def _mirrored(spark: Any, text: str, run) -> Any:
    created = CREATE_TABLE.match(text)
    inserted = INSERT.match(text)
    if created:
        prepare_database(spark, _parts(created.group(1), spark)[0])
    result = run()
    if created:
        publish_table(spark, *_parts(created.group(1), spark))
    elif inserted:
        database, table = _parts(inserted.group(1), spark)
        if _in_glue(database, table):
            publish_partitions(spark, database, table)
    elif (match := CREATE_DATABASE.match(text)) is not None:
        _create_glue_database(_parts(match.group(1), spark)[1], LOCATION.search(text))
    elif (match := DROP_TABLE.match(text)) is not None:
        database, table = _parts(match.group(1), spark)
        _ignore_missing(lambda client: client.delete_table(DatabaseName=database, Name=table))
    elif (match := DROP_DATABASE.match(text)) is not None:
        name = _parts(match.group(1), spark)[1]
        _ignore_missing(lambda client: client.delete_database(Name=name))
    return result


def _in_glue(database: str, table: str) -> bool:
    client = _glue()
    try:
        client.get_table(DatabaseName=database, Name=table)
        return True
    except client.exceptions.EntityNotFoundException:
        return False


def _create_glue_database(name: str, location: Optional[re.Match]) -> None:
    client = _glue()
    database: dict[str, Any] = {"Name": name}
    if location is not None:
        database["LocationUri"] = location.group(1)
    try:
        client.create_database(DatabaseInput=database)
    except client.exceptions.AlreadyExistsException:
        pass


def _ignore_missing(call) -> None:
    client = _glue()
    try:
        call(client)
    except client.exceptions.EntityNotFoundException:
        pass


def save_as_table(writer: Any, name: str, run) -> Any:
    if getattr(_state, "internal", False):
        return run()
    spark = writer._spark
    database, table = _parts(name, spark)
    with _internal():
        prepare_table(spark, database, table)
        result = run()
        publish_table(spark, database, table)
    return result
