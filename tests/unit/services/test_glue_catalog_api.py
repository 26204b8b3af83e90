"""GlueCatalog: the catalog for other services, through the Glue provider's own operations."""

from __future__ import annotations

import pytest

from lakebox.config import Config
from lakebox.protocol.errors import AwsError
from lakebox.services.glue.catalog_api import GlueCatalog
from lakebox.services.glue.provider import GlueProvider

A, R = "000000000000", "us-east-1"


@pytest.fixture
def catalog(tmp_path):
    provider = GlueProvider(Config(data_dir=tmp_path))
    yield GlueCatalog(provider)
    provider.close()


def _table(name, keys=("year",)):
    return {"Name": name, "StorageDescriptor": {"Columns": [{"Name": "a", "Type": "int"}], "Location": "s3://b/t/"},
            "PartitionKeys": [{"Name": k, "Type": "string"} for k in keys]}


def test_database_round_trip_and_missing_is_none(catalog):
    catalog.create_database(A, R, {"Name": "Sales", "Description": "d"})
    assert catalog.get_database(A, R, "sales")["Description"] == "d"
    assert [d["Name"] for d in catalog.list_databases(A, R)] == ["sales"]
    assert catalog.get_database(A, R, "nope") is None
    assert catalog.get_database("111111111111", R, "sales") is None
    catalog.delete_database(A, R, "sales")
    assert catalog.list_databases(A, R) == []


def test_table_round_trip_keeps_versions(catalog):
    catalog.create_database(A, R, {"Name": "d"})
    catalog.create_table(A, R, "d", _table("t"))
    catalog.update_table(A, R, "d", {**_table("t"), "Description": "v2"})
    got = catalog.get_table(A, R, "d", "t")
    assert (got["Description"], got["VersionId"]) == ("v2", "1")
    assert [t["Name"] for t in catalog.list_tables(A, R, "d")] == ["t"]
    catalog.delete_table(A, R, "d", "t")
    assert catalog.get_table(A, R, "d", "t") is None


def test_create_table_in_missing_database_raises_entity_not_found(catalog):
    with pytest.raises(AwsError) as exc:
        catalog.create_table(A, R, "nope", _table("t"))
    assert exc.value.code == "EntityNotFoundException"


def test_create_existing_database_raises_already_exists(catalog):
    catalog.create_database(A, R, {"Name": "d"})
    with pytest.raises(AwsError) as exc:
        catalog.create_database(A, R, {"Name": "d"})
    assert exc.value.code == "AlreadyExistsException"


def test_partitions_batch_create_expression_and_delete(catalog):
    catalog.create_database(A, R, {"Name": "d"})
    catalog.create_table(A, R, "d", _table("t"))
    inputs = [{"Values": [str(y)], "StorageDescriptor": {"Location": f"s3://b/t/year={y}/"}} for y in range(2000, 2150)]
    assert catalog.batch_create_partition(A, R, "d", "t", inputs) == []
    errors = catalog.batch_create_partition(A, R, "d", "t", inputs[:1])
    assert errors[0]["ErrorDetail"]["ErrorCode"] == "AlreadyExistsException"
    assert len(catalog.get_partitions(A, R, "d", "t")) == 150
    assert [p["Values"] for p in catalog.get_partitions(A, R, "d", "t", "year = '2001'")] == [["2001"]]
    catalog.delete_partition(A, R, "d", "t", ["2001"])
    assert catalog.get_partitions(A, R, "d", "t", "year = '2001'") == []
    with pytest.raises(AwsError):
        catalog.delete_partition(A, R, "d", "t", ["2001"])
