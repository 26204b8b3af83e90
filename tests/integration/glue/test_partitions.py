"""Partitions through boto3: round-trips, the guide's update_partition, batches that fail per item,
GetPartitions pages, segments and expressions, and partition indexes."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError
from glue_helpers import error_of, storage

DB, TABLE = "raw_data", "orders"


def _location(values):
    year, month, day = values
    return f"s3://my-data-lake/bronze/orders/year={year}/month={month}/day={day}/"


def _partition(values):
    return {"Values": list(values), "StorageDescriptor": storage(_location(values)), "Parameters": {"n": "1"}}


def _all_partitions(glue, **kwargs):
    items, token = [], None
    while True:
        response = glue.get_partitions(DatabaseName=DB, TableName=TABLE, **kwargs,
                                       **({"NextToken": token} if token else {}))
        items += response["Partitions"]
        token = response.get("NextToken")
        if not token:
            return items


def _days(n):
    return [("2024", f"{1 + i // 28:02d}", f"{1 + i % 28:02d}") for i in range(n)]


def _load(glue, values_list):
    for start in range(0, len(values_list), 100):
        chunk = values_list[start:start + 100]
        assert glue.batch_create_partition(DatabaseName=DB, TableName=TABLE,
                                           PartitionInputList=[_partition(v) for v in chunk])["Errors"] == []


def test_create_and_get_partition_round_trips(glue, orders):
    glue.create_partition(DatabaseName=DB, TableName=TABLE, PartitionInput=_partition(("2024", "01", "15")))
    partition = glue.get_partition(DatabaseName=DB, TableName=TABLE, PartitionValues=["2024", "01", "15"])["Partition"]
    assert partition["Values"] == ["2024", "01", "15"]
    assert partition["DatabaseName"] == DB and partition["TableName"] == TABLE
    assert partition["CatalogId"] == "000000000000"
    assert partition["StorageDescriptor"] == storage(_location(("2024", "01", "15")))
    assert partition["Parameters"] == {"n": "1"}
    assert isinstance(partition["CreationTime"], dt.datetime)


def test_guide_update_partition_example(glue, orders):
    glue.create_partition(DatabaseName=DB, TableName=TABLE, PartitionInput={"Values": ["2024", "01", "15"]})
    glue.update_partition(
        DatabaseName='raw_data',
        TableName='orders',
        PartitionValueList=['2024', '01', '15'],
        PartitionInput={
            'Values': ['2024', '01', '15'],
            'StorageDescriptor': {
                'Location': 's3://my-bucket/orders/year=2024/month=01/day=15/',
                'InputFormat': 'org.apache.hadoop.mapred.TextInputFormat',
                'OutputFormat': 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
                'SerdeInfo': {'SerializationLibrary': 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe'}
            }
        }
    )
    partition = glue.get_partition(DatabaseName=DB, TableName=TABLE, PartitionValues=["2024", "01", "15"])["Partition"]
    assert partition["StorageDescriptor"]["Location"] == "s3://my-bucket/orders/year=2024/month=01/day=15/"
    assert partition["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("LazySimpleSerDe")


def test_update_missing_partition_raises_entity_not_found(glue, orders):
    with pytest.raises(ClientError) as exc:
        glue.update_partition(DatabaseName=DB, TableName=TABLE, PartitionValueList=["2024", "01", "15"],
                              PartitionInput={"Values": ["2024", "01", "15"]})
    assert error_of(exc) == (400, "EntityNotFoundException", "Cannot find partition.")


def test_create_partition_twice_raises_already_exists(glue, orders):
    glue.create_partition(DatabaseName=DB, TableName=TABLE, PartitionInput=_partition(("2024", "01", "15")))
    with pytest.raises(ClientError) as exc:
        glue.create_partition(DatabaseName=DB, TableName=TABLE, PartitionInput=_partition(("2024", "01", "15")))
    assert error_of(exc) == (400, "AlreadyExistsException", "Partition already exists.")


def test_partition_with_wrong_value_count_raises_invalid_input(glue, orders):
    with pytest.raises(ClientError) as exc:
        glue.create_partition(DatabaseName=DB, TableName=TABLE, PartitionInput={"Values": ["2024", "01"]})
    assert error_of(exc)[:2] == (400, "InvalidInputException")
    with pytest.raises(ClientError) as exc:
        glue.get_partition(DatabaseName=DB, TableName=TABLE, PartitionValues=["2024"])
    assert error_of(exc)[:2] == (400, "InvalidInputException")


def test_partition_of_missing_table_raises_entity_not_found(glue, orders):
    with pytest.raises(ClientError) as exc:
        glue.create_partition(DatabaseName=DB, TableName="ghost", PartitionInput={"Values": ["1"]})
    assert error_of(exc) == (400, "EntityNotFoundException", "Table ghost not found.")


def test_batch_create_partition_reports_failed_items_and_applies_the_rest(glue, orders):
    glue.create_partition(DatabaseName=DB, TableName=TABLE, PartitionInput=_partition(("2024", "01", "01")))
    errors = glue.batch_create_partition(DatabaseName=DB, TableName=TABLE, PartitionInputList=[
        _partition(("2024", "01", "01")), _partition(("2024", "01", "02")), {"Values": ["2024"]},
        _partition(("2024", "01", "03"))])["Errors"]
    assert [(e["PartitionValues"], e["ErrorDetail"]["ErrorCode"]) for e in errors] == [
        (["2024", "01", "01"], "AlreadyExistsException"), (["2024"], "InvalidInputException")]
    assert [p["Values"][2] for p in _all_partitions(glue)] == ["01", "02", "03"]


def test_batch_create_partition_over_100_is_invalid_input(glue, orders):
    with pytest.raises(ClientError) as exc:
        glue.batch_create_partition(DatabaseName=DB, TableName=TABLE,
                                    PartitionInputList=[_partition(v) for v in _days(101)])
    assert error_of(exc)[:2] == (400, "InvalidInputException")
    assert _all_partitions(glue) == []


def test_batch_get_partition_returns_found_ones(glue, orders):
    _load(glue, _days(3))
    response = glue.batch_get_partition(DatabaseName=DB, TableName=TABLE, PartitionsToGet=[
        {"Values": ["2024", "01", "02"]}, {"Values": ["2030", "01", "01"]}, {"Values": ["2024", "01", "01"]}])
    assert [p["Values"] for p in response["Partitions"]] == [["2024", "01", "02"], ["2024", "01", "01"]]
    assert response["UnprocessedKeys"] == []


def test_batch_update_partition_reports_missing_and_updates_the_rest(glue, orders):
    _load(glue, _days(2))
    errors = glue.batch_update_partition(DatabaseName=DB, TableName=TABLE, Entries=[
        {"PartitionValueList": ["2024", "01", "01"], "PartitionInput": {"Values": ["2024", "01", "01"],
                                                                        "Parameters": {"n": "2"}}},
        {"PartitionValueList": ["2030", "01", "01"], "PartitionInput": {"Values": ["2030", "01", "01"]}}])["Errors"]
    assert [(e["PartitionValueList"], e["ErrorDetail"]["ErrorCode"]) for e in errors] == [
        (["2030", "01", "01"], "EntityNotFoundException")]
    params = {tuple(p["Values"]): p["Parameters"] for p in _all_partitions(glue)}
    assert params == {("2024", "01", "01"): {"n": "2"}, ("2024", "01", "02"): {"n": "1"}}


def test_delete_partition_and_batch_delete(glue, orders):
    _load(glue, _days(4))
    glue.delete_partition(DatabaseName=DB, TableName=TABLE, PartitionValues=["2024", "01", "01"])
    with pytest.raises(ClientError) as exc:
        glue.delete_partition(DatabaseName=DB, TableName=TABLE, PartitionValues=["2024", "01", "01"])
    assert error_of(exc) == (400, "EntityNotFoundException", "Cannot find partition.")
    errors = glue.batch_delete_partition(DatabaseName=DB, TableName=TABLE, PartitionsToDelete=[
        {"Values": ["2024", "01", "02"]}, {"Values": ["2024", "01", "01"]}, {"Values": ["2024", "01", "04"]}])["Errors"]
    assert [(e["PartitionValues"], e["ErrorDetail"]["ErrorCode"]) for e in errors] == [
        (["2024", "01", "01"], "EntityNotFoundException")]
    assert [p["Values"] for p in _all_partitions(glue)] == [["2024", "01", "03"]]


def test_get_partitions_pages_through_all(glue, orders):
    days = _days(250)
    _load(glue, days)
    first = glue.get_partitions(DatabaseName=DB, TableName=TABLE, MaxResults=100)
    assert len(first["Partitions"]) == 100 and first["NextToken"]
    assert [tuple(p["Values"]) for p in _all_partitions(glue, MaxResults=100)] == days
    paged = [tuple(p["Values"]) for page in glue.get_paginator("get_partitions").paginate(
        DatabaseName=DB, TableName=TABLE, PaginationConfig={"PageSize": 30}) for p in page["Partitions"]]
    assert paged == days
    # An exact multiple of the page size ends without an empty extra page.
    last = glue.get_partitions(DatabaseName=DB, TableName=TABLE, MaxResults=250)
    assert len(last["Partitions"]) == 250 and "NextToken" not in last


def test_get_partitions_segments_split_the_partitions(glue, orders):
    days = _days(60)
    _load(glue, days)
    seen = []
    for number in range(4):
        part = _all_partitions(glue, Segment={"SegmentNumber": number, "TotalSegments": 4}, MaxResults=7)
        seen += [tuple(p["Values"]) for p in part]
    assert sorted(seen) == sorted(days)
    with pytest.raises(ClientError) as exc:
        glue.get_partitions(DatabaseName=DB, TableName=TABLE, Segment={"SegmentNumber": 4, "TotalSegments": 4})
    assert error_of(exc)[:2] == (400, "InvalidInputException")


def test_get_partitions_expression_filters_and_pages(glue, orders):
    days = _days(60)  # 2024-01-01..28, 2024-02-01..28, 2024-03-01..04
    _load(glue, days)
    found = _all_partitions(glue, Expression="month = '02' AND day BETWEEN '10' AND '12'", MaxResults=2)
    assert [tuple(p["Values"]) for p in found] == [("2024", "02", "10"), ("2024", "02", "11"), ("2024", "02", "12")]
    found = _all_partitions(glue, Expression="month IN ('03') OR (month = '01' AND day = '05')")
    assert [tuple(p["Values"]) for p in found] == [("2024", "01", "05")] + [("2024", "03", f"{d:02d}") for d in range(1, 5)]


def test_get_partitions_bad_expression_raises_invalid_input(glue, orders):
    with pytest.raises(ClientError) as exc:
        glue.get_partitions(DatabaseName=DB, TableName=TABLE, Expression="nokey = '1'")
    assert error_of(exc)[:2] == (400, "InvalidInputException")


def test_get_partitions_exclude_column_schema_drops_columns(glue, orders):
    _load(glue, _days(1))
    partition = glue.get_partitions(DatabaseName=DB, TableName=TABLE, ExcludeColumnSchema=True)["Partitions"][0]
    assert "Columns" not in partition["StorageDescriptor"]
    assert partition["StorageDescriptor"]["Location"] == _location(_days(1)[0])


def test_partition_indexes_are_stored_and_listed(glue, orders):
    glue.create_partition_index(DatabaseName=DB, TableName=TABLE,
                                PartitionIndex={"IndexName": "by_year_month", "Keys": ["year", "month"]})
    indexes = glue.get_partition_indexes(DatabaseName=DB, TableName=TABLE)["PartitionIndexDescriptorList"]
    assert indexes == [{"IndexName": "by_year_month", "IndexStatus": "ACTIVE",
                        "Keys": [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "string"}]}]
    with pytest.raises(ClientError) as exc:
        glue.create_partition_index(DatabaseName=DB, TableName=TABLE,
                                    PartitionIndex={"IndexName": "by_year_month", "Keys": ["year"]})
    assert error_of(exc)[:2] == (400, "AlreadyExistsException")
    with pytest.raises(ClientError) as exc:
        glue.create_partition_index(DatabaseName=DB, TableName=TABLE,
                                    PartitionIndex={"IndexName": "bad", "Keys": ["order_id"]})
    assert error_of(exc)[:2] == (400, "InvalidInputException")
    glue.create_partition_index(DatabaseName=DB, TableName=TABLE, PartitionIndex={"IndexName": "i2", "Keys": ["day"]})
    glue.create_partition_index(DatabaseName=DB, TableName=TABLE, PartitionIndex={"IndexName": "i3", "Keys": ["year"]})
    with pytest.raises(ClientError) as exc:
        glue.create_partition_index(DatabaseName=DB, TableName=TABLE,
                                    PartitionIndex={"IndexName": "i4", "Keys": ["month"]})
    assert error_of(exc)[:2] == (400, "ResourceNumberLimitExceededException")
    glue.delete_partition_index(DatabaseName=DB, TableName=TABLE, IndexName="by_year_month")
    names = [i["IndexName"] for i in glue.get_partition_indexes(DatabaseName=DB,
                                                                TableName=TABLE)["PartitionIndexDescriptorList"]]
    assert names == ["i2", "i3"]


def test_create_table_with_partition_indexes(glue, orders):
    glue.create_table(DatabaseName=DB, TableInput={"Name": "events", "PartitionKeys": [{"Name": "dt", "Type": "date"}]},
                      PartitionIndexes=[{"IndexName": "by_dt", "Keys": ["dt"]}])
    indexes = glue.get_partition_indexes(DatabaseName=DB, TableName="events")["PartitionIndexDescriptorList"]
    assert [i["IndexName"] for i in indexes] == ["by_dt"]


def test_get_partitions_on_an_int_key_with_a_non_integer_value_raises_invalid_state(glue, orders):
    glue.create_table(DatabaseName=DB, TableInput={"Name": "by_n", "PartitionKeys": [{"Name": "n", "Type": "int"}]})
    for value in ("1", "2", "x"):
        glue.create_partition(DatabaseName=DB, TableName="by_n", PartitionInput={"Values": [value]})
    with pytest.raises(ClientError) as exc:
        glue.get_partitions(DatabaseName=DB, TableName="by_n", Expression="n > 1")
    assert error_of(exc)[:2] == (400, "InvalidStateException")
    glue.delete_partition(DatabaseName=DB, TableName="by_n", PartitionValues=["x"])
    found = glue.get_partitions(DatabaseName=DB, TableName="by_n", Expression="n > 1")["Partitions"]
    assert [p["Values"] for p in found] == [["2"]]
