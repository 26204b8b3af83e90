"""The table reader over real files: Hive text collections (LazySimpleSerDe delimiters at every
nesting level, null format), JSON SerDe and Parquet nested columns, RegexSerDe, Avro and the formats
that answer NOT_SUPPORTED. Expected rows come from the plain Python values the files were written
from (a small Hive text encoder, json, pyarrow, fastavro), never from the engine."""

from __future__ import annotations

import json

import fastavro
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engine_helpers import ACCOUNT, PARQUET, REGION, engine_on_empty_database

from lakebox.engines.sql.engine import QueryError
from lakebox.engines.sql.hive_text import parse_hive_type
from lakebox.engines.sql.reader_text import hive_byte, separators

TEXT = {"InputFormat": "org.apache.hadoop.mapred.TextInputFormat"}
LAZY = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"


@pytest.fixture
def env(tmp_path):
    yield from engine_on_empty_database(tmp_path)


def add_table(catalog, name, columns, storage, params=None, keys=None):
    catalog.create_table(ACCOUNT, REGION, "d", {
        "Name": name, "Parameters": params or {}, "PartitionKeys": keys or [],
        "StorageDescriptor": {**storage, "Location": f"s3://lake/{name}/",
                              "Columns": [{"Name": n, "Type": t} for n, t in columns]}})


def write(tmp_path, table, file_name, data: bytes):
    folder = tmp_path / "s3" / "lake" / table
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file_name).write_bytes(data)


# -- a Hive text encoder, written from Hive's LazySimpleSerDe rules, to produce the test files -------

def encode(value, hive_type: str, level: int, seps: list, null: str) -> str:
    node = parse_hive_type(hive_type)
    return _encode(value, node, level, seps, null)


def _sep(seps, level):
    return seps[level] if level < len(seps) else chr(level + 1)


def _encode(value, node, level, seps, null):
    if value is None:
        return null
    if node.kind == "array":
        return _sep(seps, level).join(_encode(v, node.children[0], level + 1, seps, null) for v in value)
    if node.kind == "map":
        return _sep(seps, level).join(
            _encode(k, node.children[0], level + 2, seps, null) + _sep(seps, level + 1)
            + _encode(v, node.children[1], level + 2, seps, null) for k, v in value.items())
    if node.kind == "struct":
        return _sep(seps, level).join(_encode(value.get(n), c, level + 1, seps, null)
                                      for n, c in zip(node.names, node.children))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


COLUMNS = [("id", "int"), ("tags", "array<string>"), ("scores", "map<string,int>"),
           ("who", "struct<name:string,age:int,langs:array<string>>"),
           ("grid", "array<array<int>>"), ("lookup", "map<string,array<double>>"), ("note", "string")]
ROWS = [
    {"id": 1, "tags": ["a", "b", None], "scores": {"x": 1, "y": None},
     "who": {"name": "Ann", "age": 30, "langs": ["pt", "en"]}, "grid": [[1, 2], [3]],
     "lookup": {"k": [1.5, 2.0], "z": []}, "note": "first"},
    {"id": 2, "tags": [], "scores": {}, "who": None, "grid": None, "lookup": {"only": [0.25]}, "note": None},
    {"id": 3, "tags": None, "scores": None, "who": {"name": None, "age": None, "langs": []},
     "grid": [[7]], "lookup": None, "note": ""},
]


def rendered(value, hive_type):
    """Athena's VarCharValue for a nested value: [a, b], {k=v}, {name=v, ...}, null inside."""
    node = parse_hive_type(hive_type)

    def show(v, n):
        if v is None:
            return "null"
        if n.kind == "array":
            return "[" + ", ".join(show(x, n.children[0]) for x in v) + "]"
        if n.kind == "map":
            return "{" + ", ".join(f"{show(k, n.children[0])}={show(x, n.children[1])}" for k, x in v.items()) + "}"
        if n.kind == "struct":
            return "{" + ", ".join(f"{name}={show(v.get(name), c)}" for name, c in zip(n.names, n.children)) + "}"
        return repr(v) if isinstance(v, float) else str(v)
    return None if value is None else (show(value, node) if node.kind != "scalar" else str(value))


@pytest.mark.parametrize("serde, null", [
    ({"serialization.format": "1"}, "\\N"),
    ({"field.delim": "|", "collection.delim": ",", "mapkey.delim": ":", "serialization.null.format": "NA"}, "NA"),
])
def test_lazy_simple_text_collections_read_as_hive(env, serde, null):
    tmp_path, catalog, engine = env
    seps = separators(serde)
    lines = [seps[0].join(encode(row[n], t, 1, seps, null) for n, t in COLUMNS) for row in ROWS]
    write(tmp_path, "nested", "part-0", ("\n".join(lines) + "\n").encode())
    add_table(catalog, "nested", COLUMNS, {**TEXT, "SerdeInfo": {"SerializationLibrary": LAZY, "Parameters": serde}})
    outcome = engine.execute("SELECT " + ", ".join(n for n, _ in COLUMNS) + " FROM nested ORDER BY id", "d")
    assert outcome.rows == [[rendered(row[n], t) for n, t in COLUMNS] for row in ROWS]
    # ColumnInfo names complex types by kind only, as Athena does; typeof() gives the full type.
    assert [c["Type"] for c in outcome.columns] == ["integer", "array", "map", "row", "array", "map", "varchar"]
    typed = engine.execute("SELECT " + ", ".join(f"typeof({n})" for n, _ in COLUMNS) + " FROM nested LIMIT 1", "d")
    assert typed.rows[0] == [
        "integer", "array(varchar)", "map(varchar, integer)",
        "row(name varchar, age integer, langs array(varchar))", "array(array(integer))",
        "map(varchar, array(double))", "varchar"]


def test_text_collections_are_queryable_with_trino_functions(env):
    tmp_path, catalog, engine = env
    seps = separators({})
    lines = [seps[0].join(encode(row[n], t, 1, seps, "\\N") for n, t in COLUMNS) for row in ROWS]
    write(tmp_path, "nested", "part-0", ("\n".join(lines) + "\n").encode())
    add_table(catalog, "nested", COLUMNS, {**TEXT, "SerdeInfo": {"SerializationLibrary": LAZY}})
    outcome = engine.execute("SELECT id, cardinality(tags), element_at(scores, 'x'), who.age, t.tag "
                             "FROM nested CROSS JOIN UNNEST(tags) AS t(tag) ORDER BY id, t.tag", "d")
    expected = [[str(r["id"]), str(len(r["tags"])), str(r["scores"].get("x")), str(r["who"]["age"]), tag]
                for r in ROWS if r["tags"] for tag in r["tags"]]
    # ORDER BY id, tag: NULL tags last, as Trino sorts them.
    assert outcome.rows == sorted(expected, key=lambda row: (int(row[0]), row[4] is None, row[4] or ""))


def test_hive_text_struct_fields_split_in_declared_order_and_extra_fields_ignored(env):
    tmp_path, catalog, engine = env
    write(tmp_path, "s", "f", b"1\x01a\x02b\x02c\x02d\n2\x01only\n3\x01\\N\n4\x01\x02x\n")
    add_table(catalog, "s", [("id", "int"), ("p", "struct<first:string,second:string,third:string>")],
              {**TEXT, "SerdeInfo": {"SerializationLibrary": LAZY}})
    outcome = engine.execute("SELECT id, p.first, p.second, p.third, p IS NULL FROM s ORDER BY id", "d")
    assert outcome.rows == [["1", "a", "b", "c", "false"], ["2", "only", None, None, "false"],
                            ["3", None, None, None, "true"], ["4", "", "x", None, "false"]]


def test_hive_text_map_keeps_first_duplicate_key_and_drops_null_keys(env):
    tmp_path, catalog, engine = env
    write(tmp_path, "m", "f", b"1\x01a\x031\x02a\x032\x02\\N\x033\x02b\n")
    add_table(catalog, "m", [("id", "int"), ("m", "map<string,int>")],
              {**TEXT, "SerdeInfo": {"SerializationLibrary": LAZY}})
    outcome = engine.execute("SELECT m['a'], cardinality(map_keys(m)), element_at(m, 'b') FROM m", "d")
    assert outcome.rows == [["1", "2", None]]


def test_delimiters_given_as_byte_numbers_or_octal_escape():
    assert hive_byte("1", ",") == "\x01"
    assert hive_byte("9", ",") == "\t"
    assert hive_byte("|", ",") == "|"
    assert hive_byte(None, "\x02") == "\x02"
    assert separators({"field.delim": ",", "collection.delim": "2"})[:4] == [",", "\x02", "\x03", "\x04"]


def test_json_serde_nested_types_match_the_json(env):
    tmp_path, catalog, engine = env
    docs = [{"id": 1, "tags": ["a", "b"], "attrs": {"k": 1, "j": 2}, "who": {"name": "Ann", "langs": ["pt"]}},
            {"id": 2, "tags": [], "attrs": {}, "who": {"name": None, "langs": []}},
            {"id": 3, "tags": None, "attrs": None, "who": None}]
    write(tmp_path, "js", "a.json", "\n".join(json.dumps(d) for d in docs).encode())
    add_table(catalog, "js", [("id", "int"), ("tags", "array<string>"), ("attrs", "map<string,int>"),
                              ("who", "struct<name:string,langs:array<string>>")],
              {**TEXT, "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"}})
    outcome = engine.execute("SELECT id, cardinality(tags), element_at(attrs, 'k'), who.name, "
                             "cardinality(who.langs) FROM js ORDER BY id", "d")
    expected = [[str(d["id"]), None if d["tags"] is None else str(len(d["tags"])),
                 None if not d["attrs"] or "k" not in d["attrs"] else str(d["attrs"]["k"]),
                 d["who"] and d["who"]["name"], None if d["who"] is None else str(len(d["who"]["langs"]))]
                for d in docs]
    assert outcome.rows == expected


def test_parquet_nested_types_match_pyarrow(env):
    tmp_path, catalog, engine = env
    table = pa.table({"id": pa.array([1, 2], pa.int32()),
                      "tags": pa.array([["a", "b"], []], pa.list_(pa.string())),
                      "attrs": pa.array([[("k", 1)], []], pa.map_(pa.string(), pa.int32())),
                      "who": pa.array([{"name": "Ann", "age": 3}, None],
                                      pa.struct([("name", pa.string()), ("age", pa.int32())]))})
    folder = tmp_path / "s3" / "lake" / "pq"
    folder.mkdir(parents=True)
    pq.write_table(table, folder / "p.parquet")
    add_table(catalog, "pq", [("id", "int"), ("tags", "array<string>"), ("attrs", "map<string,int>"),
                              ("who", "struct<name:string,age:int>")], PARQUET)
    outcome = engine.execute("SELECT id, tags, attrs, who.name, who.age FROM pq ORDER BY id", "d")
    data = table.to_pylist()
    assert outcome.rows == [
        [str(r["id"]), "[" + ", ".join(r["tags"]) + "]", "{" + ", ".join(f"{k}={v}" for k, v in r["attrs"]) + "}",
         r["who"] and r["who"]["name"], None if r["who"] is None else str(r["who"]["age"])] for r in data]


# -- RegexSerDe ----------------------------------------------------------------------------------------

REGEX = "org.apache.hadoop.hive.serde2.RegexSerDe"


def test_regex_serde_whole_line_match_cast_and_null_row_for_non_matching_lines(env):
    tmp_path, catalog, engine = env
    write(tmp_path, "logs", "a.log", b"GET /a 200 12\nPOST /b 404 x\n# comment line\nget /c 500 7\r\n")
    add_table(catalog, "logs", [("method", "string"), ("path", "string"), ("status", "int"), ("bytes", "bigint")],
              {**TEXT, "SerdeInfo": {"SerializationLibrary": REGEX,
                                     "Parameters": {"input.regex": r"([A-Z]+) (\S+) (\d{3}) (\S+)"}}})
    outcome = engine.execute("SELECT method, path, status, bytes FROM logs", "d")
    assert outcome.rows == [["GET", "/a", "200", "12"], ["POST", "/b", "404", None],
                            [None, None, None, None], [None, None, None, None]]


def test_regex_serde_case_insensitive_and_java_named_groups(env):
    tmp_path, catalog, engine = env
    write(tmp_path, "logs", "a.log", b"get /c 500\n")
    add_table(catalog, "logs", [("method", "string"), ("path", "string"), ("status", "int")],
              {**TEXT, "SerdeInfo": {"SerializationLibrary": REGEX,
                                     "Parameters": {"input.regex": r"(?<m>[A-Z]+) (\S+) (\d+)",
                                                    "input.regex.case.insensitive": "true"}}})
    assert engine.execute("SELECT * FROM logs", "d").rows == [["get", "/c", "500"]]


def test_regex_serde_group_count_must_match_columns(env):
    tmp_path, catalog, engine = env
    write(tmp_path, "logs", "a.log", b"a b\n")
    add_table(catalog, "logs", [("a", "string")],
              {**TEXT, "SerdeInfo": {"SerializationLibrary": REGEX, "Parameters": {"input.regex": "(a) (b)"}}})
    with pytest.raises(QueryError) as exc:
        engine.execute("SELECT * FROM logs", "d")
    assert exc.value.error_type == "HIVE_INVALID_METADATA"
    assert "Number of matching groups doesn't match the number of columns" in exc.value.message


# -- Avro ----------------------------------------------------------------------------------------------

AVRO = {"InputFormat": "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.avro.AvroSerDe"}}
AVRO_SCHEMA = {"type": "record", "name": "Order", "fields": [
    {"name": "Id", "type": "long"}, {"name": "amount", "type": ["null", "double"]},
    {"name": "tags", "type": {"type": "array", "items": "string"}},
    {"name": "attrs", "type": {"type": "map", "values": "int"}},
    {"name": "who", "type": ["null", {"type": "record", "name": "Who", "fields": [
        {"name": "Name", "type": "string"}, {"name": "age", "type": "int"}]}]}]}
AVRO_RECORDS = [{"Id": 1, "amount": 2.5, "tags": ["a"], "attrs": {"k": 1}, "who": {"Name": "Ann", "age": 30}},
                {"Id": 2, "amount": None, "tags": [], "attrs": {}, "who": None}]
AVRO_COLUMNS = [("id", "bigint"), ("amount", "double"), ("tags", "array<string>"), ("attrs", "map<string,int>"),
                ("who", "struct<name:string,age:int>")]


def write_avro(tmp_path, table, name, schema, records):
    folder = tmp_path / "s3" / "lake" / table
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "wb") as handle:
        fastavro.writer(handle, fastavro.parse_schema(schema), records)


def test_avro_applies_glue_schema_by_name_at_every_level(env):
    tmp_path, catalog, engine = env
    write_avro(tmp_path, "orders", "a.avro", AVRO_SCHEMA, AVRO_RECORDS)
    add_table(catalog, "orders", AVRO_COLUMNS + [("missing", "string")], AVRO)
    outcome = engine.execute("SELECT id, amount, tags, element_at(attrs, 'k'), who.name, who.age, missing "
                             "FROM orders ORDER BY id", "d")
    with open(tmp_path / "s3" / "lake" / "orders" / "a.avro", "rb") as handle:
        records = list(fastavro.reader(handle))
    assert outcome.rows == [[str(r["Id"]), None if r["amount"] is None else repr(r["amount"]),
                             "[" + ", ".join(r["tags"]) + "]",
                             None if "k" not in r["attrs"] else str(r["attrs"]["k"]),
                             r["who"] and r["who"]["Name"], None if r["who"] is None else str(r["who"]["age"]), None]
                            for r in records]
    assert [c["Type"] for c in outcome.columns][:2] == ["bigint", "double"]


def test_avro_schema_literal_fills_defaults_for_old_files(env):
    tmp_path, catalog, engine = env
    old = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}
    write_avro(tmp_path, "orders", "old.avro", old, [{"id": 7}])
    new = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"},
                                                         {"name": "region", "type": "string", "default": "eu"}]}
    add_table(catalog, "orders", [("id", "bigint"), ("region", "string")],
              {**AVRO, "SerdeInfo": {**AVRO["SerdeInfo"], "Parameters": {"avro.schema.literal": json.dumps(new)}}})
    assert engine.execute("SELECT id, region FROM orders", "d").rows == [["7", "eu"]]


def test_avro_value_of_another_type_is_cast(env):
    tmp_path, catalog, engine = env
    schema = {"type": "record", "name": "R", "fields": [{"name": "n", "type": "string"}]}
    write_avro(tmp_path, "r", "a.avro", schema, [{"n": "12"}, {"n": "x"}])
    add_table(catalog, "r", [("n", "int")], AVRO)
    assert engine.execute("SELECT n FROM r", "d").rows == [["12"], [None]]


# -- formats without a reader ----------------------------------------------------------------------------

@pytest.mark.parametrize("input_format, serde, name", [
    ("org.apache.hadoop.mapred.SequenceFileInputFormat", LAZY, "SEQUENCEFILE"),
    ("org.apache.hadoop.hive.ql.io.RCFileInputFormat",
     "org.apache.hadoop.hive.serde2.columnar.LazyBinaryColumnarSerDe", "RCFILE"),
    ("com.amazon.ionhiveserde.formats.IonInputFormat", "com.amazon.ionhiveserde.IonHiveSerDe", "ION"),
])
def test_sequencefile_rcfile_and_ion_are_not_supported(env, input_format, serde, name):
    tmp_path, catalog, engine = env
    write(tmp_path, "x", "f", b"1\n")
    add_table(catalog, "x", [("a", "int")], {"InputFormat": input_format, "SerdeInfo": {"SerializationLibrary": serde}})
    with pytest.raises(QueryError) as exc:
        engine.execute("SELECT * FROM x", "d")
    assert exc.value.error_type == "NOT_SUPPORTED"
    assert exc.value.message.startswith(f"NOT_SUPPORTED: reading {name} tables is not supported")


def test_avro_logical_types_enums_and_unions(env):
    import datetime as dt
    import decimal
    tmp_path, catalog, engine = env
    schema = {"type": "record", "name": "R", "fields": [
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
        {"name": "kind", "type": {"type": "enum", "name": "K", "symbols": ["A", "B"]}},
        {"name": "u", "type": ["null", "string", "long"]}]}
    records = [{"ts": dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.timezone.utc), "day": dt.date(2024, 1, 2),
                "price": decimal.Decimal("12.34"), "kind": "B", "u": "x"},
               {"ts": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc), "day": dt.date(2024, 1, 3),
                "price": decimal.Decimal("0.50"), "kind": "A", "u": 5}]
    write_avro(tmp_path, "lt", "x.avro", schema, records)
    add_table(catalog, "lt", [("ts", "timestamp"), ("day", "date"), ("price", "decimal(10,2)"), ("kind", "string"),
                              ("u", "string")], AVRO)
    outcome = engine.execute("SELECT * FROM lt ORDER BY day", "d")
    assert outcome.rows == [[r["ts"].strftime("%Y-%m-%d %H:%M:%S.") + f"{r['ts'].microsecond // 1000:03d}",
                             r["day"].isoformat(), str(r["price"]), r["kind"], str(r["u"])] for r in records]
    assert [c["Type"] for c in outcome.columns] == ["timestamp", "date", "decimal", "varchar", "varchar"]
