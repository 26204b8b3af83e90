"""CreateTable with `OpenTableFormatInput.IcebergInput` (MetadataOperation CREATE): a real Iceberg table.

Why apart from tables.py: Glue does not just store the TableInput here; it writes the table's first
Iceberg metadata document under the table's location and registers the table with `table_type`
ICEBERG and `metadata_location` pointing at that document, so every Iceberg reader (Athena, Spark,
pyiceberg) can open it. lakebox does the same through pyiceberg wired to this provider and the lake
folder (engines/sql/iceberg_io.py): the table's columns, then its partition keys, become the Iceberg
schema, and each partition key an identity partition field. The registered table is the one an Iceberg
writer registers (columns, location, `table_type`, `metadata_location`); the TableInput's other
members (Description, its own Parameters) are not carried over.

Imports duckdb and pyiceberg (through engines/sql) only when such a table is made.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .errors import invalid_input

#: The Iceberg format versions Glue creates.
FORMAT_VERSIONS = ("1", "2")


def create_iceberg_table(provider: Any, lake: Any, ctx: RequestContext, database: str, name: str,
                         table_input: dict, iceberg: dict) -> None:
    """Create `database.name` as an Iceberg table (metadata written in the lake, table in the catalog)."""
    if iceberg.get("MetadataOperation") != "CREATE":
        raise invalid_input("MetadataOperation must be CREATE.")
    version = str(iceberg.get("Version") or "2")
    if version not in FORMAT_VERSIONS:
        raise invalid_input(f"Unsupported Iceberg format version {version}: use 1 or 2.")
    location = ((table_input.get("StorageDescriptor") or {}).get("Location") or "").rstrip("/")
    if not location:
        raise invalid_input("StorageDescriptor.Location is required to create an Iceberg table.")
    if lake is None:
        raise invalid_input("Iceberg tables need the lake, which this server does not have.")
    bucket = location.split("://", 1)[-1].split("/", 1)[0]
    if not location.startswith(("s3://", "s3a://", "s3n://")) or lake.get_bucket(bucket) is None:
        # The metadata is written to the location, as on AWS: a bucket that does not exist cannot take it.
        raise invalid_input(f"Cannot write the Iceberg metadata to {location}: the bucket {bucket} does not exist.")
    columns = list((table_input.get("StorageDescriptor") or {}).get("Columns") or [])
    keys = list(table_input.get("PartitionKeys") or [])
    import duckdb

    from ...engines.sql import iceberg_io, iceberg_writes
    from ...engines.sql.types import HiveTypeError, hive_to_duckdb
    try:
        duck = [(c["Name"].lower(), hive_to_duckdb(c.get("Type") or "string")) for c in columns + keys]
    except HiveTypeError as error:
        raise invalid_input(str(error)) from None
    with duckdb.connect() as con:
        schema = iceberg_writes.arrow_schema(con, duck) if duck else None
    catalog = iceberg_io.catalog_for(SimpleNamespace(glue=provider), lake, ctx.account_id, ctx.region)
    from pyiceberg.schema import Schema
    from pyiceberg.transforms import IdentityTransform

    properties = {"format-version": version}
    try:
        if schema is None:
            catalog.create_table(f"{database}.{name}", schema=Schema(), location=location, properties=properties)
            return
        creation = catalog.create_table_transaction(f"{database}.{name}", schema=schema, location=location,
                                                    properties=properties)
        if keys:
            with creation.update_spec() as spec:
                for key in keys:
                    spec.add_field(key["Name"].lower(), IdentityTransform(), key["Name"].lower())
        creation.commit_transaction()
    except iceberg_io.GlueClientError as error:
        # A refusal of the catalog call pyiceberg made answers as that call's AWS error.
        raise AwsError(error.response["Error"]["Code"], error.response["Error"]["Message"], 400) from None
