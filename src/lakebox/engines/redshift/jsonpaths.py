"""JSONPaths files (`COPY ... JSON 's3://bucket/paths.json'`): the file read from the lake, its
expressions parsed as Redshift reads them, and each one turned into the SQL that takes a column's
value out of a JSON record, as a `load_checks.Field` (so that its values are converted, checked
and logged like any other field's).

Redshift's JSONPath is a small subset: `$`, then names in dot notation (`$.a.b`) or bracket
notation (`$['a']['b']`), and zero-based array indexes (`[0]`). Wildcards, filters, slices and
recursive descent could match more than one element, so Redshift refuses them, and so does this
module. A name that is not in the record gives NULL; a name looked up in something that is not an
object, or an index into something that is not an array or past its end, is a load error of the
row (AWS: "Invalid JSONPath format: Not an array or index out of range."). An object or array
selected whole is loaded as its JSON text (or as itself into a SUPER column).

Imports this package's lake, quoting and field helpers only.
"""

from __future__ import annotations

import json
import os
import re
from typing import Optional, Union

from . import RedshiftError
from .copy_unload import _q, _s, split_url
from .load_checks import Field, TargetColumn

#: The column each JSON record is read into (whole, as JSON) when a JSONPaths file maps the columns.
RECORD = "__record"

Step = Union[str, int]  # an object member's name, or an array index

_INDEX = re.compile(r"\[\s*(\d+)\s*\]")
_BRACKET_NAME = re.compile(r"""\[\s*(?:'([^']+)'|"([^"]+)")\s*\]""")
#: Dot notation names may not contain quotes, periods or brackets (AWS); `*` is a wildcard.
_DOT_NAME = re.compile(r"\.([^.\[\]'*]+)")
_NOT_AN_OBJECT = "Invalid JSONPath format: Member is not an object."
_NOT_AN_ARRAY = "Invalid JSONPath format: Not an array or index out of range."


def read(lake, url: str) -> Optional[list[list[Step]]]:
    """The parsed expressions of the JSONPaths file at `url`, or None when its object names no
    "jsonpaths" (Redshift then loads as with 'auto'). A missing or malformed file fails the COPY;
    MAXERROR does not apply to it."""
    bucket, key = split_url(url)
    path = os.path.join(lake.bucket_path(bucket), key)
    if not key or not os.path.isfile(path):
        raise RedshiftError(f"Problem reading JSONPaths file '{url}' - S3ServiceException:The specified key does "
                            "not exist.,Status 404,Error NoSuchKey", "XX000")
    with open(path, "rb") as handle:
        try:
            document = json.loads(handle.read().decode("utf-8"))
        except ValueError as error:
            raise RedshiftError(f"Invalid JSONPaths file '{url}': not a single well-formed JSON object ({error})",
                                "XX000") from None
    if not isinstance(document, dict):
        raise RedshiftError(f"Invalid JSONPaths file '{url}': it must hold a single JSON object, not an array "
                            "or a value", "XX000")
    if "jsonpaths" not in document:
        return None
    expressions = document["jsonpaths"]
    if not isinstance(expressions, list) or not all(isinstance(e, str) and e for e in expressions):
        raise RedshiftError(f"Invalid JSONPaths file '{url}': \"jsonpaths\" must be an array of non-empty strings",
                            "XX000")
    return [parse(expression) for expression in expressions]


def parse(expression: str) -> list[Step]:
    """The steps of one JSONPath expression: names (str) and array indexes (int) after the `$`."""
    steps: list[Step] = []
    at = 1
    while expression.startswith("$") and at < len(expression):
        match = next(filter(None, (p.match(expression, at) for p in (_INDEX, _BRACKET_NAME, _DOT_NAME))), None)
        if match is None:
            break
        steps.append(int(match.group(1)) if match.re is _INDEX else next(g for g in match.groups() if g))
        at = match.end()
    if not expression.startswith("$") or at < len(expression):
        raise RedshiftError("Invalid JSONPath format. Supported notations are 'dot-notation' and "
                            f"'bracket-notation': {expression}", "XX000")
    return steps


def count_mismatch(paths: int, columns: int) -> RedshiftError:
    """The error of a JSONPaths file whose expressions are not one per target column."""
    return RedshiftError(f"Number of jsonpaths and the number of columns should match. JSONPath size: {paths}, "
                         f"Number of columns in table or column list: {columns}", "XX000")


def field(steps: list[Step], column: TargetColumn) -> Field:
    """The field a JSONPath expression selects from the record column: the value's text, read as
    strictly as a text field (an object or array as its JSON text), or the JSON value itself for a
    SUPER column; `refused` names the JSONPath error of a record the path cannot be followed in."""
    record, path = _q(RECORD), _s(_duck_path(steps))
    refused = _refusal(steps)
    if column.kind == "super":
        # A JSON null is a NULL, as a missing member is, not a SUPER null.
        return Field(f"CASE WHEN json_type({record}, {path}) <> 'NULL' THEN json_extract({record}, {path}) END",
                     text=False, refused=refused)
    return Field(f"json_extract_string({record}, {path})", text=True, refused=refused)


def _refusal(steps: list[Step]) -> Optional[str]:
    """SQL naming the first step the record cannot be followed through (NULL when none): a name
    in something that is neither an object nor null, an index in something that is not an array,
    or past its end. A container that is missing or null just makes the value NULL."""
    record, whens = _q(RECORD), []
    for at, step in enumerate(steps):
        container = _s(_duck_path(steps[:at]))
        kind = f"json_type({record}, {container})"
        if isinstance(step, int):
            whens.append(f"WHEN {kind} <> 'NULL' AND ({kind} <> 'ARRAY' OR "
                         f"json_array_length({record}, {container}) <= {step}) THEN {_s(_NOT_AN_ARRAY)}")
        else:
            whens.append(f"WHEN {kind} NOT IN ('OBJECT', 'NULL') THEN {_s(_NOT_AN_OBJECT)}")
    return f"CASE {' '.join(whens)} END" if whens else None


def _duck_path(steps: list[Step]) -> str:
    """DuckDB's JSON path for the steps: every name quoted, so that any character may be in it."""
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else
                         '."' + step.replace("\\", "\\\\").replace('"', '\\"') + '"' for step in steps)
