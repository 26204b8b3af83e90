"""Firehose record processing and encoding: processors, compression formats and JSON -> columnar rows."""

from __future__ import annotations

import gzip
import io
import json
import struct
import zipfile

import cramjam
import pytest

from lakebox.protocol.errors import AwsError
from lakebox.services.firehose import compression, conversion, destination, partitioning


def _description(processors, dynamic=False):
    out = {"ProcessingConfiguration": {"Enabled": True, "Processors": processors}}
    if dynamic:
        out["DynamicPartitioningConfiguration"] = {"Enabled": True}
    return out


def _param(name, value):
    return {"ParameterName": name, "ParameterValue": value}


def test_append_delimiter_defaults_to_newline():
    items, failures = partitioning.process(_description([{"Type": "AppendDelimiterToRecord"}]),
                                           [(b"a", 1), (b"b", 2)])
    assert [i.data for i in items] == [b"a\n", b"b\n"] and failures == []


def test_deaggregation_splits_concatenated_json_and_delimited_records():
    json_split = _description([{"Type": "RecordDeAggregation", "Parameters": [_param("SubRecordType", "JSON")]}])
    items, _ = partitioning.process(json_split, [(b'{"a":1}{"a":2} {"a":3}', 5)])
    assert [json.loads(i.data) for i in items] == [{"a": 1}, {"a": 2}, {"a": 3}]
    assert {i.arrival_ms for i in items} == {5}
    delimited = _description([{"Type": "RecordDeAggregation", "Parameters": [
        _param("SubRecordType", "DELIMITED"), _param("Delimiter", "|")]}])
    items, _ = partitioning.process(delimited, [(b"x|y|z", 1)])
    assert [i.data for i in items] == [b"x", b"y", b"z"]


def test_metadata_extraction_yields_keys_and_fails_bad_records():
    description = _description([{"Type": "MetadataExtraction", "Parameters": [
        _param("MetadataExtractionQuery", "{customer: .customer.id, year: .year}"),
        _param("JsonParsingEngine", "JQ-1.6")]}], dynamic=True)
    records = [(json.dumps({"customer": {"id": "c1"}, "year": 2024}).encode(), 1), (b"not json", 2),
               (json.dumps({"year": 2024}).encode(), 3)]
    items, failures = partitioning.process(description, records)
    assert [(i.keys, i.arrival_ms) for i in items] == [({"customer": "c1", "year": "2024"}, 1)]
    assert [(f.data, f.code) for f in failures] == [
        (b"not json", "DynamicPartitioning.MetadataExtractionFailed"),
        (records[2][0], "DynamicPartitioning.MetadataExtractionFailed")]


def test_a_query_jq_refuses_is_invalid_argument():
    description = _description([{"Type": "MetadataExtraction", "Parameters": [
        _param("MetadataExtractionQuery", "{a: .x |||}")]}], dynamic=True)
    with pytest.raises(AwsError) as info:
        partitioning.query_of(description)
    assert info.value.code == "InvalidArgumentException"


def test_error_lines_carry_the_raw_record():
    line = json.loads(partitioning.error_line(partitioning.Failure(b"\x00raw", 10, "Code", "why"), 20))
    assert line["rawData"] == "AHJhdw==" and line["errorCode"] == "Code" and line["arrivalTimestamp"] == 10
    assert line["attemptEndingTimestamp"] == 20


@pytest.mark.parametrize("fmt", ["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"])
def test_compression_formats_round_trip(fmt):
    data = b"".join(b'{"n": %d}\n' % i for i in range(2000))
    packed = compression.compress(data, fmt, "entry")
    if fmt == "UNCOMPRESSED":
        assert packed == data
    elif fmt == "GZIP":
        assert gzip.decompress(packed) == data
    elif fmt == "ZIP":
        with zipfile.ZipFile(io.BytesIO(packed)) as archive:
            assert archive.namelist() == ["entry"] and archive.read("entry") == data
    elif fmt == "Snappy":
        assert packed.startswith(b"\xff\x06\x00\x00sNaPpY")  # the framing format's stream identifier
        assert bytes(cramjam.snappy.decompress(packed)) == data
    else:
        length, block = struct.unpack(">II", packed[:8])
        assert length == len(data) and block == len(packed) - 8
        assert bytes(cramjam.snappy.decompress_raw(packed[8:])) == data
    assert len(packed) < len(data) or fmt == "UNCOMPRESSED"


def test_openx_rows_match_keys_case_insensitively_and_map_columns():
    columns = [("user_id", "BIGINT"), ("page", "VARCHAR"), ("ts", "VARCHAR")]
    serde = {"ColumnToJsonKeyMappings": {"ts": "event.time"}, "ConvertDotsInJsonKeysToUnderscores": False}
    row = conversion._row(b'{"User_ID": 7, "Page": "/a", "event.time": "t", "other": 1}', columns, serde)
    assert row == {"user_id": 7, "page": "/a", "ts": "t"}
    dotted = conversion._row(b'{"a.b": 1}', [("a_b", "BIGINT")], {"ConvertDotsInJsonKeysToUnderscores": True})
    assert dotted == {"a_b": 1}
    with pytest.raises(ValueError):
        conversion._row(b"[1, 2]", columns, {})


def test_convert_types_the_rows_and_separates_bad_ones():
    import pyarrow.parquet as pq

    columns = [("id", "BIGINT"), ("name", "VARCHAR")]
    config = {"OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {"Compression": "GZIP"}}}}
    items = [partitioning.Item(b'{"id": 1, "name": "a"}', 1), partitioning.Item(b'{"id": "x"}', 2),
             partitioning.Item(b"oops", 3), partitioning.Item(b'{"ID": 2}', 4)]
    body, failures = conversion.convert(items, columns, config)
    table = pq.read_table(io.BytesIO(body))
    assert table.to_pylist() == [{"id": 1, "name": "a"}, {"id": 2, "name": None}]
    assert pq.ParquetFile(io.BytesIO(body)).metadata.row_group(0).column(0).compression == "GZIP"
    assert sorted((f.arrival_ms, f.code) for f in failures) == [
        (2, "DataFormatConversion.InvalidSchema"), (3, "DataFormatConversion.MalformedData")]


def test_epoch_numbers_fill_timestamp_columns():
    import datetime as dt
    import pyarrow.parquet as pq

    config = {"OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}}
    items = [partitioning.Item(b'{"ts": 1705314600}', 1), partitioning.Item(b'{"ts": 1705314600123}', 2),
             partitioning.Item(b'{"ts": "2024-01-15T10:30:00Z"}', 3)]
    body, failures = conversion.convert(items, [("ts", "TIMESTAMP")], config)
    assert failures == []
    assert [r["ts"] for r in pq.read_table(io.BytesIO(body)).to_pylist()] == [
        dt.datetime(2024, 1, 15, 10, 30), dt.datetime(2024, 1, 15, 10, 30, 0, 123000), dt.datetime(2024, 1, 15, 10, 30)]


def test_orc_output():
    from pyarrow import orc

    config = {"OutputFormatConfiguration": {"Serializer": {"OrcSerDe": {}}}}
    body, failures = conversion.convert([partitioning.Item(b'{"id": 5}', 1)], [("id", "BIGINT")], config)
    assert orc.ORCFile(io.BytesIO(body)).read().to_pylist() == [{"id": 5}] and failures == []
    assert conversion.extension(config) == ".orc"


def _extended(**extra):
    return {"RoleARN": "arn:aws:iam::1:role/r", "BucketARN": "arn:aws:s3:::lake", **extra}


def test_destination_defaults():
    description = destination.from_create({"S3DestinationConfiguration": _extended()})
    assert description["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 300}
    assert description["CompressionFormat"] == "UNCOMPRESSED"
    assert description["EncryptionConfiguration"] == {"NoEncryptionConfig": "NoEncryption"}
    shown = destination.describe(description)
    assert set(shown) == {"DestinationId", "S3DestinationDescription", "ExtendedS3DestinationDescription"}
    assert "S3BackupMode" not in shown["S3DestinationDescription"]


CONVERSION = {"SchemaConfiguration": {"DatabaseName": "d", "TableName": "t", "RoleARN": "arn:aws:iam::1:role/r"},
              "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
              "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}}


@pytest.mark.parametrize("config, message", [
    ({"S3DestinationConfiguration": _extended(), "ExtendedS3DestinationConfiguration": _extended()}, "Exactly one"),
    ({}, "A destination configuration must be specified"),
    ({"ElasticsearchDestinationConfiguration": {}}, "Amazon S3, Iceberg tables, Redshift and HTTP endpoints only"),
    ({"S3DestinationConfiguration": _extended(BucketARN="arn:aws:s3:::B")}, "not a valid S3 bucket ARN"),
    ({"ExtendedS3DestinationConfiguration": _extended(Prefix="p/!{timestamp:yyyy}/")}, "ErrorOutputPrefix cannot be null"),
    ({"ExtendedS3DestinationConfiguration": _extended(CompressionFormat="GZIP", DataFormatConversionConfiguration=CONVERSION)},
     "UNCOMPRESSED"),
    ({"ExtendedS3DestinationConfiguration": _extended(BufferingHints={"SizeInMBs": 5},
                                                      DataFormatConversionConfiguration=CONVERSION)}, "at least 64"),
    ({"ExtendedS3DestinationConfiguration": _extended(DataFormatConversionConfiguration={
        **CONVERSION, "InputFormatConfiguration": {}})}, "exactly one deserializer"),
    ({"ExtendedS3DestinationConfiguration": _extended(DynamicPartitioningConfiguration={"Enabled": True},
                                                      Prefix="p/", ErrorOutputPrefix="e/")}, "must use the partitionKey"),
    ({"ExtendedS3DestinationConfiguration": _extended(ProcessingConfiguration={"Enabled": True, "Processors": [
        {"Type": "Lambda", "Parameters": []}]})}, "Lambda"),
])
def test_destinations_aws_refuses(config, message):
    with pytest.raises(AwsError, match=message) as info:
        destination.from_create(config)
    assert info.value.code == "InvalidArgumentException"


def test_conversion_defaults_buffer_to_128_mib_and_update_keeps_the_rest():
    description = destination.from_create({"ExtendedS3DestinationConfiguration": _extended(
        DataFormatConversionConfiguration=CONVERSION)})
    assert description["BufferingHints"]["SizeInMBs"] == 128
    assert description["DataFormatConversionConfiguration"]["SchemaConfiguration"]["VersionId"] == "LATEST"
    updated = destination.apply_update(description, {"BufferingHints": {"IntervalInSeconds": 60}})
    assert updated["BufferingHints"] == {"SizeInMBs": 128, "IntervalInSeconds": 60}
    assert updated["DataFormatConversionConfiguration"] == description["DataFormatConversionConfiguration"]
    with pytest.raises(AwsError, match="cannot be enabled"):
        destination.apply_update(destination.from_create({"S3DestinationConfiguration": _extended()}),
                                 {"DynamicPartitioningConfiguration": {"Enabled": True}})
