"""Avro compatibility, decided by Avro's schema-resolution rules (the specification's "Schema
Resolution" section, which Avro's own `SchemaCompatibility` implements and Glue applies).

`incompatibilities(reader, writer)` lists why data written with `writer` cannot be read with `reader`;
an empty list means it can. A registry mode is then a direction:
- BACKWARD: the new version (reader) reads data written with the previous one (writer);
- FORWARD: the previous version (reader) reads data written with the new one;
- FULL: both.
The rules: the same primitive, or a promotion (int to long, float or double; long to float or double;
float to double; string and bytes both ways); records with the same unqualified name (or a reader alias),
where every reader field either exists in the writer (matched by name or alias) with a readable type or
has a default, and writer fields the reader lacks are skipped; enums with the same name whose writer
symbols the reader has, or a reader enum default; fixed with the same name and size; arrays and maps by
their items and values; a writer union whose every branch the reader can read; a reader union with a
branch that reads the writer. Logical types are ignored, as Avro ignores them when resolving.
"""

from __future__ import annotations

from typing import Any

from .avro_schema import AvroSchema

_PROMOTIONS = {
    "int": {"long", "float", "double"},
    "long": {"float", "double"},
    "float": {"double"},
    "string": {"bytes"},
    "bytes": {"string"},
}


def incompatibilities(reader: AvroSchema, writer: AvroSchema) -> list[str]:
    problems: list[str] = []
    _check(reader, writer, reader.root, writer.root, "/", problems, set())
    return problems


def _kind(schema: Any) -> str:
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, str):
        return schema
    return schema["type"]


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _check(rs: AvroSchema, ws: AvroSchema, reader: Any, writer: Any, path: str, problems: list[str],
           seen: set) -> None:
    reader, writer = rs.resolve(reader), ws.resolve(writer)
    rkind, wkind = _kind(reader), _kind(writer)
    if wkind == "union":
        for index, branch in enumerate(writer):
            _check(rs, ws, reader, branch, f"{path}[{index}]", problems, seen)
        return
    if rkind == "union":
        for branch in reader:
            attempt: list[str] = []
            _check(rs, ws, branch, writer, path, attempt, set(seen))
            if not attempt:
                return
        problems.append(f"{path}: the reader's union has no branch that reads the writer's {_describe(writer)}")
        return
    if rkind != wkind:
        if rkind in _PROMOTIONS.get(wkind, ()):
            return
        problems.append(f"{path}: the reader's {rkind} cannot read the writer's {wkind}")
        return
    if rkind in ("record", "error", "enum", "fixed"):
        if not _names_match(reader, writer):
            problems.append(f"{path}: the reader's {rkind} {reader['name']} does not match the writer's "
                            f"{writer['name']}")
            return
    if rkind in ("record", "error"):
        pair = (reader["name"], writer["name"])
        if pair not in seen:  # a recursive type: assume the pair resolves while it is being checked
            _check_record(rs, ws, reader, writer, path, problems, seen | {pair})
    elif rkind == "enum":
        missing = [s for s in writer["symbols"] if s not in reader["symbols"]]
        if missing and "default" not in reader:
            problems.append(f"{path}: the reader's enum {reader['name']} lacks the writer's symbols "
                            f"{', '.join(missing)} and has no default")
    elif rkind == "fixed":
        if reader["size"] != writer["size"]:
            problems.append(f"{path}: fixed {reader['name']} has size {reader['size']}, the writer's has "
                            f"{writer['size']}")
    elif rkind == "array":
        _check(rs, ws, reader["items"], writer["items"], f"{path}items/", problems, seen)
    elif rkind == "map":
        _check(rs, ws, reader["values"], writer["values"], f"{path}values/", problems, seen)


def _names_match(reader: dict, writer: dict) -> bool:
    if _short(reader["name"]) == _short(writer["name"]):
        return True
    return _short(writer["name"]) in {_short(a) for a in reader.get("aliases") or []}


def _check_record(rs: AvroSchema, ws: AvroSchema, reader: dict, writer: dict, path: str, problems: list[str],
                  seen: set) -> None:
    written = {f["name"]: f for f in writer["fields"]}
    for field in reader["fields"]:
        names = [field["name"], *(field.get("aliases") or [])]
        source = next((written[n] for n in names if n in written), None)
        where = f"{path}{field['name']}/"
        if source is not None:
            _check(rs, ws, field["type"], source["type"], where, problems, seen)
        elif "default" not in field:
            problems.append(f"{where}: the reader's field {field['name']} is missing from the writer's "
                            f"{_short(writer['name'])} and has no default")


def _describe(schema: Any) -> str:
    kind = _kind(schema)
    return f"{kind} {schema['name']}" if isinstance(schema, dict) and "name" in schema else kind
