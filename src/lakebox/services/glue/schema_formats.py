"""The three data formats a registry schema can have (AVRO, JSON, PROTOBUF): parse a definition, its
canonical form, and the compatibility check that a compatibility mode asks for.

Why one dispatch module: the operations never care which format they hold; they ask "is it valid?",
"is it the same definition?" and "is it compatible with these versions?", and the answer comes from
avro_schema.py/avro_compat.py, json_schema_compat.py, or the Protobuf check below.

"The same definition" is decided on the canonical form (GetSchemaByDefinition documents that the
definition is "canonicalized, and hashed"): AVRO and JSON definitions compare as parsed JSON (key order
and whitespace do not matter), Protobuf definitions with comments removed and whitespace collapsed.

PROTOBUF is checked minimally: a `syntax = "proto2";` or `"proto3";` statement, balanced braces outside
strings and comments, and at least one `message`, `enum` or `service` block. Protobuf compatibility is
NOT checked: a PROTOBUF schema accepts every compatibility mode, as Glue does, but a new version under
BACKWARD, FORWARD, FULL or their _ALL forms is registered without any comparison; only NONE (nothing to
check) and DISABLED (no new versions) behave as on AWS. See the README's Glue section.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import avro_compat, json_schema_compat
from .avro_schema import AvroSchemaError, parse_avro
from .json_schema_compat import JsonSchemaError, parse_json_schema

_COMMENTS = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', re.S)
_SYNTAX = re.compile(r'\s*syntax\s*=\s*("proto[23]"|\'proto[23]\')\s*;')
_BLOCK = re.compile(r"\b(message|enum|service)\s+[A-Za-z_][A-Za-z0-9_]*\s*\{")

#: The modes and whether they compare the new version with all versions since the checkpoint
#: (the _ALL forms) or with the latest only; and in which directions.
_MODES = {
    "BACKWARD": (False, ("backward",)),
    "BACKWARD_ALL": (True, ("backward",)),
    "FORWARD": (False, ("forward",)),
    "FORWARD_ALL": (True, ("forward",)),
    "FULL": (False, ("backward", "forward")),
    "FULL_ALL": (True, ("backward", "forward")),
}


class InvalidDefinition(ValueError):
    """The definition is not valid for its data format."""


def parse(data_format: str, text: str) -> Any:
    """The parsed definition; InvalidDefinition with the reason when it is not valid."""
    try:
        if data_format == "AVRO":
            return parse_avro(text)
        if data_format == "JSON":
            return parse_json_schema(text)
        return _check_protobuf(text)
    except (AvroSchemaError, JsonSchemaError) as exc:
        raise InvalidDefinition(str(exc)) from None


def canonical(data_format: str, text: str) -> str:
    if data_format in ("AVRO", "JSON"):
        return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    return " ".join(_without_comments(text).split())


def compares_all(mode: str) -> bool:
    return _MODES.get(mode, (False, ()))[0]


def checked(data_format: str, mode: str) -> bool:
    """Whether registering under `mode` compares definitions at all (see the module docstring)."""
    return mode in _MODES and data_format in ("AVRO", "JSON")


def incompatibility(data_format: str, mode: str, new: Any, previous: list[tuple[int, Any]]) -> str | None:
    """Why `new` breaks `mode` against the `previous` (version number, parsed) definitions; None if not."""
    if not checked(data_format, mode):
        return None
    module = avro_compat if data_format == "AVRO" else json_schema_compat
    for number, old in previous:
        for direction in _MODES[mode][1]:
            reader, writer = (new, old) if direction == "backward" else (old, new)
            problems = module.incompatibilities(reader, writer)
            if problems:
                who = (f"the new version cannot read data written with version {number}" if direction == "backward"
                       else f"version {number} cannot read data written with the new version")
                return f"{mode}: {who}: " + "; ".join(problems[:5])
    return None


def _without_comments(text: str) -> str:
    # Strings are kept (a brace inside one is not a block); comments become a space.
    return _COMMENTS.sub(lambda m: m.group(0) if m.group(0)[0] in "\"'" else " ", text)


def _check_protobuf(text: str) -> str:
    code = _without_comments(text)
    if not _SYNTAX.match(code):
        raise InvalidDefinition('the first statement must be syntax = "proto2"; or syntax = "proto3";')
    bare = _COMMENTS.sub('""', code)  # strings emptied, so their braces do not count
    depth = 0
    for char in bare:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            raise InvalidDefinition("a '}' closes no block")
    if depth:
        raise InvalidDefinition(f"{depth} block(s) are not closed")
    if not _BLOCK.search(bare):
        raise InvalidDefinition("no message, enum or service is defined")
    return code
