"""One test per rule of the crawler's single-file inference, on small files generated in tmp_path."""

from __future__ import annotations

import bz2
import datetime
import decimal
import gzip
import json
import os
import struct
import zipfile

import pytest

from lakebox.services.glue.crawler_infer import infer_file, merge_columns, widen_type


def _write(tmp_path, name, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _infer(path: str):
    return infer_file(path, os.path.getsize(path))


def _types(schema) -> dict:
    return {c["Name"]: c["Type"] for c in schema.columns}


# --- Parquet, ORC, Avro ------------------------------------------------------------------------


def _arrow_table():
    import pyarrow as pa

    return pa.table(
        {
            "ID": pa.array([1, 2], pa.int64()),
            "small": pa.array([1, 2], pa.int16()),
            "tiny": pa.array([1, 2], pa.int8()),
            "i": pa.array([1, 2], pa.int32()),
            "f": pa.array([1.5, 2.5], pa.float32()),
            "d": pa.array([1.5, 2.5], pa.float64()),
            "b": pa.array([True, False]),
            "s": pa.array(["x", "y"]),
            "bin": pa.array([b"x", b"y"], pa.binary()),
            "amount": pa.array([decimal.Decimal("1.25"), None], pa.decimal128(10, 2)),
            "day": pa.array([datetime.date(2024, 1, 1), None], pa.date32()),
            "ts": pa.array([datetime.datetime(2024, 1, 1), None], pa.timestamp("ms")),
            "tags": pa.array([["a"], []], pa.list_(pa.string())),
            "addr": pa.array([{"city": "x", "zip": 1}, None], pa.struct([("city", pa.string()), ("zip", pa.int32())])),
            "attrs": pa.array([[("k", 1)], []], pa.map_(pa.string(), pa.int64())),
        }
    )


EXPECTED_COLUMNAR_TYPES = {
    "id": "bigint",
    "small": "smallint",
    "tiny": "tinyint",
    "i": "int",
    "f": "float",
    "d": "double",
    "b": "boolean",
    "s": "string",
    "bin": "binary",
    "amount": "decimal(10,2)",
    "day": "date",
    "ts": "timestamp",
    "tags": "array<string>",
    "addr": "struct<city:string,zip:int>",
    "attrs": "map<string,bigint>",
}


def test_parquet_footer_types_map_to_glue_types(tmp_path):
    import pyarrow.parquet as pq

    path = str(tmp_path / "a.parquet")
    pq.write_table(_arrow_table(), path)
    schema = _infer(path)
    assert schema.classification == "parquet"
    assert _types(schema) == EXPECTED_COLUMNAR_TYPES
    assert [c["Name"] for c in schema.columns][0] == "id"  # file order, lower-cased
    assert schema.record_count == 2
    assert schema.serde == {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "Parameters": {"serialization.format": "1"},
    }
    assert schema.input_format == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    assert schema.output_format == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
    assert schema.parameters == {"classification": "parquet", "compressionType": "none", "typeOfData": "file"}


def test_orc_footer_types_map_to_glue_types(tmp_path):
    import pyarrow.orc as orc

    path = str(tmp_path / "a.orc")
    orc.write_table(_arrow_table().drop_columns(["attrs"]), path)
    schema = _infer(path)
    assert schema.classification == "orc"
    expected = dict(EXPECTED_COLUMNAR_TYPES)
    del expected["attrs"]
    assert _types(schema) == expected
    assert schema.record_count == 2
    assert schema.serde["SerializationLibrary"] == "org.apache.hadoop.hive.ql.io.orc.OrcSerde"
    assert schema.input_format == "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat"
    assert schema.output_format == "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat"


def test_avro_header_schema_maps_to_glue_types(tmp_path):
    import fastavro

    avro_schema = {
        "type": "record",
        "name": "Order",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "qty", "type": "int"},
            {"name": "note", "type": ["null", "string"]},
            {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
            {"name": "day", "type": {"type": "int", "logicalType": "date"}},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "items", "type": {"type": "array", "items": "string"}},
            {"name": "attrs", "type": {"type": "map", "values": "double"}},
            {"name": "kind", "type": {"type": "enum", "name": "K", "symbols": ["A", "B"]}},
            {"name": "raw", "type": "bytes"},
            {"name": "ok", "type": "boolean"},
            {"name": "ratio", "type": "float"},
        ],
    }
    records = [
        {"id": i, "qty": 1, "note": None, "price": decimal.Decimal("1.00"), "day": datetime.date(2024, 1, 1),
         "at": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc), "items": [], "attrs": {},
         "kind": "A", "raw": b"", "ok": True, "ratio": 0.5}
        for i in range(7)
    ]
    path = str(tmp_path / "a.avro")
    with open(path, "wb") as f:
        fastavro.writer(f, fastavro.parse_schema(avro_schema), records, sync_interval=50)
    schema = _infer(path)
    assert schema.classification == "avro"
    assert _types(schema) == {
        "id": "bigint", "qty": "int", "note": "string", "price": "decimal(9,2)", "day": "date",
        "at": "timestamp", "items": "array<string>", "attrs": "map<string,double>", "kind": "string",
        "raw": "binary", "ok": "boolean", "ratio": "float",
    }
    assert schema.record_count == 7  # from the block headers, several blocks
    assert schema.serde["SerializationLibrary"] == "org.apache.hadoop.hive.serde2.avro.AvroSerDe"
    assert json.loads(schema.serde["Parameters"]["avro.schema.literal"])["name"] == "Order"
    assert schema.input_format == "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat"
    assert schema.output_format == "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat"


# --- JSON --------------------------------------------------------------------------------------


def test_json_lines_infer_primitive_types(tmp_path):
    path = _write(tmp_path, "a.json", b'{"order_id": 1, "total": 9.5, "paid": true, "note": "x"}\n'
                                      b'{"order_id": 2, "total": 3.0, "paid": false, "note": "y"}\n')
    schema = _infer(path)
    assert schema.classification == "json"
    assert schema.columns == [
        {"Name": "order_id", "Type": "bigint"}, {"Name": "total", "Type": "double"},
        {"Name": "paid", "Type": "boolean"}, {"Name": "note", "Type": "string"},
    ]
    assert schema.record_count == 2
    assert schema.serde == {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
                            "Parameters": {"paths": "note,order_id,paid,total"}}
    assert schema.input_format == "org.apache.hadoop.mapred.TextInputFormat"
    assert schema.output_format == "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
    assert schema.parameters == {"classification": "json", "compressionType": "none", "typeOfData": "file"}


def test_json_dates_stay_strings(tmp_path):
    path = _write(tmp_path, "a.json", b'{"day": "2024-01-15", "at": "2024-01-15 10:00:00"}\n')
    assert _types(_infer(path)) == {"day": "string", "at": "string"}


def test_json_multiline_objects_are_records(tmp_path):
    path = _write(tmp_path, "a.json", b'{\n  "a": 1\n}\n{\n  "a": 2,\n  "b": "x"\n}\n')
    schema = _infer(path)
    assert schema.record_count == 2
    assert _types(schema) == {"a": "bigint", "b": "string"}


def test_json_nested_objects_and_arrays_to_any_depth(tmp_path):
    record = {"customer": {"id": 7, "address": {"city": "Oslo", "geo": [1.5, 2.5]}},
              "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2, "gift": True}]}
    path = _write(tmp_path, "a.json", json.dumps(record).encode())
    assert _types(_infer(path)) == {
        "customer": "struct<id:bigint,address:struct<city:string,geo:array<double>>>",
        "items": "array<struct<sku:string,qty:bigint,gift:boolean>>",
    }


def test_json_mixed_types_widen_across_records(tmp_path):
    path = _write(tmp_path, "a.json", b'{"n": 1, "s": 1, "x": null}\n{"n": 2.5, "s": "one", "x": null}\n')
    assert _types(_infer(path)) == {"n": "double", "s": "string", "x": "string"}


def test_json_null_then_value_takes_the_value_type(tmp_path):
    path = _write(tmp_path, "a.json", b'{"n": null}\n{"n": 5}\n')
    assert _types(_infer(path)) == {"n": "bigint"}


def test_json_top_level_array_is_one_record_in_column_array(tmp_path):
    path = _write(tmp_path, "a.json", b'[{"type": "c", "id": 1}, {"type": "d", "id": 2}]')
    schema = _infer(path)
    assert schema.record_count == 1
    assert schema.columns == [{"Name": "array", "Type": "array<struct<type:string,id:bigint>>"}]


def test_json_sample_is_first_megabyte(tmp_path):
    line = json.dumps({"k": "v" * 1000}).encode() + b"\n"  # ~1 KB records, 3 MB in all
    path = _write(tmp_path, "a.json", line * 3000)
    schema = _infer(path)
    assert schema.record_count == (1024 * 1024) // len(line)


def test_json_sample_extends_to_ten_megabytes_when_no_record_fits(tmp_path):
    big = json.dumps({"blob": "x" * (2 * 1024 * 1024)}).encode()
    path = _write(tmp_path, "a.json", big + b"\n" + b'{"blob": "y"}\n')
    schema = _infer(path)
    assert schema.classification == "json"
    assert schema.record_count == 2


def test_json_record_beyond_ten_megabytes_is_not_classified_as_json(tmp_path):
    big = json.dumps({"blob": "x" * (11 * 1024 * 1024)}).encode()
    assert _infer(_write(tmp_path, "a.json", big)) is None


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_header_detected_when_data_rows_have_non_strings(tmp_path):
    path = _write(tmp_path, "a.csv", b"Order_ID,total,paid,city\n1,9.5,true,Oslo\n2,3,false,Bergen\n")
    schema = _infer(path)
    assert schema.classification == "csv"
    assert schema.columns == [
        {"Name": "order_id", "Type": "bigint"}, {"Name": "total", "Type": "double"},
        {"Name": "paid", "Type": "boolean"}, {"Name": "city", "Type": "string"},
    ]
    assert schema.record_count == 2
    assert schema.parameters == {
        "classification": "csv", "compressionType": "none", "typeOfData": "file", "delimiter": ",",
        "areColumnsQuoted": "false", "columnsOrdered": "true", "skip.header.line.count": "1",
    }
    assert schema.serde == {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                            "Parameters": {"field.delim": ","}}
    assert schema.input_format == "org.apache.hadoop.mapred.TextInputFormat"


def test_csv_without_header_names_columns_col0(tmp_path):
    schema = _infer(_write(tmp_path, "a.csv", b"1,Oslo\n2,Bergen\n"))
    assert schema.columns == [{"Name": "col0", "Type": "bigint"}, {"Name": "col1", "Type": "string"}]
    assert "skip.header.line.count" not in schema.parameters
    assert schema.record_count == 2


def test_csv_all_string_file_has_no_header(tmp_path):
    schema = _infer(_write(tmp_path, "a.csv", b"name,city\nann,Oslo\nbob,Bergen\n"))
    assert [c["Name"] for c in schema.columns] == ["col0", "col1"]
    assert schema.record_count == 3


def test_csv_header_value_of_150_chars_is_not_a_header(tmp_path):
    data = ("x" * 150 + ",b\n1,2\n3,4\n").encode()
    assert [c["Name"] for c in _infer(_write(tmp_path, "a.csv", data)).columns] == ["col0", "col1"]


def test_csv_duplicate_header_values_are_not_a_header(tmp_path):
    schema = _infer(_write(tmp_path, "a.csv", b"a,a\n1,2\n3,4\n"))
    assert [c["Name"] for c in schema.columns] == ["col0", "col1"]


def test_csv_empty_header_value_is_not_a_header(tmp_path):
    schema = _infer(_write(tmp_path, "a.csv", b"a,,c\n1,2,3\n4,5,6\n"))
    assert [c["Name"] for c in schema.columns] == ["col0", "col1", "col2"]


def test_csv_trailing_delimiter_allows_empty_last_header(tmp_path):
    schema = _infer(_write(tmp_path, "a.csv", b"a,b,\n1,2,\n3,4,\n"))
    assert schema.parameters["skip.header.line.count"] == "1"
    assert [c["Name"] for c in schema.columns][:2] == ["a", "b"]


@pytest.mark.parametrize("delimiter", [",", "|", "\t", ";", "\x01"])
def test_csv_each_aws_delimiter_is_detected(tmp_path, delimiter):
    rows = ["id", "name", "score"], ["1", "ann", "2.5"], ["2", "bob", "3.5"]
    data = "".join(delimiter.join(r) + "\n" for r in rows).encode()
    schema = _infer(_write(tmp_path, "a.txt", data))
    assert schema.classification == "csv"
    assert schema.parameters["delimiter"] == delimiter
    assert schema.serde["Parameters"] == {"field.delim": delimiter}
    assert _types(schema) == {"id": "bigint", "name": "string", "score": "double"}


def test_csv_semicolon_file_with_decimal_commas_is_not_split_on_commas(tmp_path):
    schema = _infer(_write(tmp_path, "a.csv", b"a;b\n1,5;x\n2;y\n"))
    assert schema.parameters["delimiter"] == ";"


def test_csv_quoted_fields_use_open_csv_serde(tmp_path):
    schema = _infer(_write(tmp_path, "a.csv", b'id,name\n1,"Smith, Ann"\n2,"Bob"\n'))
    assert schema.parameters["areColumnsQuoted"] == "true"
    assert schema.serde == {"SerializationLibrary": "org.apache.hadoop.hive.serde2.OpenCSVSerde",
                            "Parameters": {"separatorChar": ",", "quoteChar": '"'}}
    assert _types(schema) == {"id": "bigint", "name": "string"}


def test_csv_dates_and_timestamps(tmp_path):
    schema = _infer(_write(tmp_path, "a.csv", b"id,day,at\n1,2024-01-15,2024-01-15 10:00:00\n2,2024-02-01,2024-02-01 11:30:00.5\n"))
    assert _types(schema) == {"id": "bigint", "day": "date", "at": "timestamp"}


def test_csv_mixed_column_widens(tmp_path):
    schema = _infer(_write(tmp_path, "a.csv", b"a,b,c\n1,1,1\n2.5,x,\n"))
    assert _types(schema) == {"a": "double", "b": "string", "c": "bigint"}


def test_csv_single_column_is_not_csv(tmp_path):
    assert _infer(_write(tmp_path, "a.csv", b"a\n1\n2\n")) is None


def test_csv_single_row_is_not_csv(tmp_path):
    assert _infer(_write(tmp_path, "a.csv", b"1,2,3\n")) is None


def test_csv_ragged_rows_are_not_csv(tmp_path):
    assert _infer(_write(tmp_path, "a.txt", b"a,b\n1,2,3\n4\n")) is None


def test_csv_sample_stops_at_one_megabyte(tmp_path):
    row = ("1," + "x" * 4998 + "\n").encode()  # 5 KB rows, 5 MB in all
    schema = _infer(_write(tmp_path, "big.csv", row * 1000))
    assert schema.record_count == (1024 * 1024) // len(row)
    assert schema.sample_bytes <= 1024 * 1024


def test_csv_sample_stops_at_one_thousand_records(tmp_path):
    schema = _infer(_write(tmp_path, "many.csv", b"id,v\n" + b"1,2\n" * 5000))
    assert schema.record_count == 999  # the header is the first of the 1,000 records


# --- Compression -------------------------------------------------------------------------------

JSON_DATA = b'{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n'


def _snappy_framed(data: bytes) -> bytes:
    import cramjam

    body = bytes(cramjam.snappy.compress_raw(data))
    chunk = b"\x00" + (len(body) + 4).to_bytes(3, "little") + b"\0\0\0\0" + body
    return b"\xff\x06\x00\x00sNaPpY" + chunk


def _hadoop_snappy(data: bytes) -> bytes:
    import cramjam

    body = bytes(cramjam.snappy.compress_raw(data))
    return struct.pack(">II", len(data), len(body)) + body


def _zip(data: bytes) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("part.json", data)
    return buffer.getvalue()


def _lz4(data: bytes) -> bytes:
    import lz4.frame

    return lz4.frame.compress(data)


@pytest.mark.parametrize(
    "name,compress,expected",
    [
        ("a.json.gz", gzip.compress, "gzip"),
        ("a.json.bz2", bz2.compress, "bzip2"),
        ("a.zip", _zip, "zip"),
        ("a.json.lz4", _lz4, "lz4"),
        ("a.json.sz", _snappy_framed, "snappy"),
        ("a.json.snappy", _hadoop_snappy, "snappy"),
    ],
)
def test_compressed_json_is_classified_with_its_compression(tmp_path, name, compress, expected):
    schema = _infer(_write(tmp_path, name, compress(JSON_DATA)))
    assert schema.classification == "json"
    assert schema.compression == expected
    assert schema.parameters["compressionType"] == expected
    assert _types(schema) == {"a": "bigint", "b": "string"}
    assert schema.sample_bytes == len(JSON_DATA.strip().replace(b"\n", b""))


def test_gzip_csv_sample_bound_is_on_uncompressed_bytes(tmp_path):
    row = ("1," + "x" * 4998 + "\n").encode()
    schema = _infer(_write(tmp_path, "big.csv.gz", gzip.compress(row * 1000)))
    assert schema.compression == "gzip"
    assert schema.record_count == (1024 * 1024) // len(row)


def test_zip_with_two_files_is_not_classified(tmp_path):
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("a.json", JSON_DATA)
        z.writestr("b.json", JSON_DATA)
    assert _infer(_write(tmp_path, "a.zip", buffer.getvalue())) is None


# --- Unknown files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"just one line of prose\n", bytes(range(256)) * 4, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"PAR1garbagePAR1"],
)
def test_unknown_files_return_none(tmp_path, data):
    assert _infer(_write(tmp_path, "a.bin", data)) is None


# --- Widening and merging ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "a,b,expected",
    [
        ("bigint", "bigint", "bigint"),
        ("int", "bigint", "bigint"),
        ("tinyint", "smallint", "smallint"),
        ("bigint", "double", "double"),
        ("float", "double", "double"),
        ("bigint", "string", "string"),
        ("boolean", "bigint", "string"),
        ("date", "timestamp", "timestamp"),
        ("decimal(10,2)", "decimal(12,1)", "decimal(13,2)"),
        ("int", "decimal(5,2)", "decimal(12,2)"),
        ("decimal(10,2)", "double", "double"),
        ("array<bigint>", "array<double>", "array<double>"),
        ("struct<a:bigint>", "struct<a:double,b:string>", "struct<a:double,b:string>"),
        ("map<string,int>", "map<string,bigint>", "map<string,bigint>"),
        ("struct<a:bigint>", "string", "string"),
        ("array<struct<a:array<bigint>>>", "array<struct<a:array<string>,b:boolean>>",
         "array<struct<a:array<string>,b:boolean>>"),
    ],
)
def test_widen_type(a, b, expected):
    assert widen_type(a, b) == expected


def test_merge_columns_unions_by_name_and_widens():
    a = [{"Name": "id", "Type": "bigint"}, {"Name": "v", "Type": "bigint"}]
    b = [{"Name": "v", "Type": "double"}, {"Name": "new", "Type": "string"}]
    assert merge_columns(a, b) == [
        {"Name": "id", "Type": "bigint"}, {"Name": "v", "Type": "double"}, {"Name": "new", "Type": "string"},
    ]


@pytest.mark.parametrize(
    "name,data",
    [
        ("a.json.gz", b"\x1f\x8b" + b"garbage" * 10),
        ("a.json.gz", gzip.compress(JSON_DATA * 50)[:-30]),  # truncated
        ("a.json.bz2", b"BZh9" + b"garbage" * 10),
        ("a.json.lz4", b"\x04\x22\x4d\x18" + b"garbage" * 10),
        ("a.json.sz", b"\xff\x06\x00\x00sNaPpY" + b"\x00\x10\x00\x00" + b"garbage" * 3),
    ],
)
def test_corrupt_compressed_files_match_no_classifier(tmp_path, name, data):
    assert _infer(_write(tmp_path, name, data)) is None
