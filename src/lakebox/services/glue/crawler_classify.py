"""Which classifier recognizes a file: the crawler's custom classifiers first, in its order, then the
built-in ones (crawler_infer).

Custom classifiers applied here:
- CSV: the given delimiter and quote symbol; the header PRESENT, ABSENT or (UNKNOWN) detected as the
  built-in classifier does; `Header` names the columns; AllowSingleColumn; the Serde choice;
- JSON: `JsonPath` picks the records (`$[*]` turns a top-level array into rows, `$.items[*]` an inner
  one); the table records it in its `jsonPath` parameter;
- Grok: every sampled non-blank line must match the pattern (crawler_grok); the columns are its fields;
- XML: the `<RowTag>` elements of the sample are the records (crawler_xml).
A classifier that does not recognize a file passes it to the next one. Grok and XML tables carry the
classifier's Classification; CSV and JSON ones `csv` and `json`, as AWS writes them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

from .crawler_grok import GrokError, compile_grok
from .crawler_infer import (
    TEXT_INPUT_FORMAT,
    TEXT_OUTPUT_FORMAT,
    FileSchema,
    _widen,  # the tree form of widen_type, for nested JSON records
    detect_compression,
    infer_file,
    open_decompressed,
    render_type,
    table_parameters,
    widen_type,
)
from .crawler_infer_text import (
    CSV_MAX_RECORDS,
    CSV_SAMPLE,
    JSON_SAMPLE,
    JSON_SAMPLE_MAX,
    JSON_SERDE,
    LAZY_SIMPLE_SERDE,
    OPEN_CSV_SERDE,
    _detect_header,
    _json_records,
    _json_type,
    _null_to_string,
    csv_value_type,
)
from .crawler_xml import column_xpath, xml_rows

#: (kind, definition): the Classifier union's member name ("CsvClassifier" …) and the stored classifier.
Classifier = tuple[str, dict]

GROK_SERDE = "com.amazonaws.glue.serde.GrokSerDe"
XML_SERDE = "com.ibm.spss.hive.serde2.xml.XmlSerDe"
XML_INPUT_FORMAT = "com.ibm.spss.hive.serde2.xml.XmlInputFormat"
XML_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.IgnoreKeyTextOutputFormat"


def custom_classifiers(store: Any, key: str, names: list[str], log: Callable[[str], None]) -> list[Classifier]:
    """The crawler's classifiers, in its order, as (kind, definition); unknown names are logged and skipped."""
    found = []
    for name in names:
        union = store.classifier(key, name)
        if union is None:
            log(f"WARN : Classifier {name} does not exist; skipped")
            continue
        kind, definition = next(iter(union.items()))
        if kind == "GrokClassifier":
            try:
                compile_grok(definition.get("GrokPattern") or "", definition.get("CustomPatterns"))
            except GrokError as exc:
                log(f"WARN : Classifier {name}: {exc}; skipped")
                continue
        found.append((kind, definition))
    return found


def classify_file(path: str, size: int, classifiers: list[Classifier]) -> FileSchema | None:
    if size == 0:
        return None
    for kind, definition in classifiers:
        schema = _APPLY[kind](path, definition)
        if schema is not None:
            return schema
    return infer_file(path, size)


def _text(path: str, limit: int) -> tuple[str | None, str, bool]:
    """(decoded text of the first `limit` bytes or None, compression, whether that is the whole file)."""
    with open(path, "rb") as f:
        head = f.read(16)
    compression = detect_compression(path, head)
    with open_decompressed(path, compression) as stream:
        data = stream.read(limit + 1)
    whole = len(data) <= limit
    data = data[:limit]
    if not whole:
        data = data[:data.rfind(b"\n") + 1]
    try:
        return data.decode("utf-8-sig"), compression, whole
    except UnicodeDecodeError:
        return None, compression, whole


# -- CSV -----------------------------------------------------------------------------------------------

def _csv(path: str, spec: dict) -> FileSchema | None:
    text, compression, _ = _text(path, CSV_SAMPLE)
    if not text or "\x00" in text:
        return None
    delimiter, quote = spec.get("Delimiter") or ",", spec.get("QuoteSymbol") or '"'
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote)
    try:
        rows = [row for _, row in zip(range(CSV_MAX_RECORDS), (r for r in reader if r and r != [""]))]
    except csv.Error:
        return None
    width = len(rows[0]) if rows else 0
    if not rows or any(len(r) != width for r in rows) or (width < 2 and not spec.get("AllowSingleColumn")):
        return None
    if not spec.get("DisableValueTrimming"):
        rows = [[v.strip() for v in r] for r in rows]
    contains = spec.get("ContainsHeader") or "UNKNOWN"
    header = contains == "PRESENT" or (contains == "UNKNOWN" and len(rows) > 1 and _detect_header(rows))
    given = spec.get("Header") or []
    if given and len(given) != width:
        return None
    names = [n.lower() for n in given] or ([v.lower() or f"col{i}" for i, v in enumerate(rows[0])] if header
                                            else [f"col{i}" for i in range(width)])
    data = rows[1:] if header else rows
    types: list[str | None] = [None] * width
    for row in data:
        for i, value in enumerate(row):
            t = csv_value_type(value)
            if t is not None:
                types[i] = t if types[i] is None else widen_type(types[i], t)
    quoted = quote in text
    serde_choice = spec.get("Serde") or "None"
    if serde_choice == "OpenCSVSerDe" or (serde_choice == "None" and quoted):
        serde = {"SerializationLibrary": OPEN_CSV_SERDE, "Parameters": {"separatorChar": delimiter, "quoteChar": quote}}
    else:
        serde = {"SerializationLibrary": LAZY_SIMPLE_SERDE, "Parameters": {"field.delim": delimiter}}
    extra = {"delimiter": delimiter, "areColumnsQuoted": str(quoted).lower(), "columnsOrdered": "true"}
    if header:
        extra["skip.header.line.count"] = "1"
    return FileSchema(classification="csv", compression=compression,
                      columns=[{"Name": n, "Type": t or "string"} for n, t in zip(names, types)], serde=serde,
                      input_format=TEXT_INPUT_FORMAT, output_format=TEXT_OUTPUT_FORMAT,
                      parameters=table_parameters("csv", compression, **extra), record_count=len(data),
                      sample_bytes=sum(len(delimiter.join(r)) + 1 for r in data))


# -- JSON ----------------------------------------------------------------------------------------------

_STEP = re.compile(r"\.(\*|[A-Za-z_][\w$-]*)|\[(\*|\d+|'[^']*'|\"[^\"]*\")\]")


def json_path_steps(path: str) -> list[str]:
    """`$.a[*]['b']` -> ['a', '*', 'b']; ValueError for anything else."""
    path = path.strip()
    if not path.startswith("$"):
        raise ValueError(f"JsonPath {path!r} must start with $")
    steps, pos = [], 1
    while pos < len(path):
        match = _STEP.match(path, pos)
        if not match:
            raise ValueError(f"JsonPath {path!r} is not valid at {path[pos:]!r}")
        token = match.group(1) or match.group(2)
        steps.append(token[1:-1] if token[0] in "'\"" else token)
        pos = match.end()
    return steps


def _select(value: Any, steps: list[str]) -> list[Any]:
    values = [value]
    for step in steps:
        nxt = []
        for v in values:
            if step == "*":
                nxt.extend(v if isinstance(v, list) else list(v.values()) if isinstance(v, dict) else [])
            elif step.isdigit() and isinstance(v, list):
                nxt.extend(v[int(step):int(step) + 1])
            elif isinstance(v, dict) and step in v:
                nxt.append(v[step])
        values = nxt
    return values


def _json(path: str, spec: dict) -> FileSchema | None:
    try:
        steps = json_path_steps(spec.get("JsonPath") or "$")
    except ValueError:
        return None
    text, compression, whole = _text(path, JSON_SAMPLE_MAX)
    if not text:
        return None
    values = _json_records(text, whole)
    if not values:
        return None
    records = [r for value, _ in values for r in _select(value, steps)]
    if not records or not all(isinstance(r, dict) for r in records):
        return None
    tree = None
    for record in records:
        t = _json_type(record)
        if not isinstance(t, tuple):  # an empty object, or one with only nulls
            t = ("struct", [(name, "null") for name in record])
        tree = t if tree is None else _widen(tree, t)
    fields = tree[1]
    columns = [{"Name": name.lower(), "Type": render_type(_null_to_string(t))} for name, t in fields]
    return FileSchema(classification="json", compression=compression, columns=columns,
                      serde={"SerializationLibrary": JSON_SERDE,
                             "Parameters": {"paths": ",".join(sorted(n for n, _ in fields))}},
                      input_format=TEXT_INPUT_FORMAT, output_format=TEXT_OUTPUT_FORMAT,
                      parameters=table_parameters("json", compression, jsonPath=spec.get("JsonPath") or "$"),
                      record_count=len(records),
                      sample_bytes=sum(len(json.dumps(r)) for r in records))


# -- Grok ----------------------------------------------------------------------------------------------

def _grok(path: str, spec: dict) -> FileSchema | None:
    try:
        grok = compile_grok(spec.get("GrokPattern") or "", spec.get("CustomPatterns"))
    except GrokError:
        return None
    text, compression, _ = _text(path, CSV_SAMPLE)
    if not text or "\x00" in text:
        return None
    lines = [line for line in text.splitlines() if line.strip()][:CSV_MAX_RECORDS]
    if not lines or any(grok.match(line) is None for line in lines):
        return None
    serde_parameters = {"input.format": spec["GrokPattern"]}
    if spec.get("CustomPatterns"):
        serde_parameters["input.grokCustomPatterns"] = spec["CustomPatterns"]
    classification = spec.get("Classification") or "grok"
    return FileSchema(classification=classification, compression=compression, columns=grok.columns(),
                      serde={"SerializationLibrary": GROK_SERDE, "Parameters": serde_parameters},
                      input_format=TEXT_INPUT_FORMAT, output_format=TEXT_OUTPUT_FORMAT,
                      parameters=table_parameters(classification, compression), record_count=len(lines),
                      sample_bytes=sum(len(line.encode()) + 1 for line in lines))


# -- XML -----------------------------------------------------------------------------------------------

def _xml(path: str, spec: dict) -> FileSchema | None:
    row_tag = spec.get("RowTag") or ""
    if not row_tag:
        return None
    # Like JSON: the first 1 MB, extended up to 10 MB when it holds no complete row.
    for limit in (JSON_SAMPLE, JSON_SAMPLE_MAX):
        text, compression, whole = _text(path, limit)
        if not text:
            return None
        rows = xml_rows(text, row_tag)
        if rows is not None or whole:
            break
    if rows is None:
        return None
    columns, xpaths = [], {}
    for name, t in rows.fields:
        column = name.lower()
        columns.append({"Name": column, "Type": render_type(_null_to_string(t))})
        xpaths[f"column.xpath.{column}"] = column_xpath(row_tag, name, t, rows.attributes)
    classification = spec.get("Classification") or "xml"
    start = f"<{row_tag} " if rows.attributes else f"<{row_tag}>"
    return FileSchema(classification=classification, compression=compression, columns=columns,
                      serde={"SerializationLibrary": XML_SERDE, "Parameters": xpaths},
                      input_format=XML_INPUT_FORMAT, output_format=XML_OUTPUT_FORMAT,
                      parameters=table_parameters(classification, compression, rowTag=row_tag,
                                                  **{"xmlinput.start": start, "xmlinput.end": f"</{row_tag}>"}),
                      record_count=rows.record_count, sample_bytes=rows.sample_bytes)


#: What applies each kind of custom classifier to a file: a FileSchema, or None to pass it on.
_APPLY: dict[str, Callable[[str, dict], FileSchema | None]] = {
    "CsvClassifier": _csv, "JsonClassifier": _json, "GrokClassifier": _grok, "XMLClassifier": _xml,
}
