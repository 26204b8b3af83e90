"""The schema of XML rows, for the crawler's XML classifiers: every `<RowTag>` element of a sample is a
record, and the records' types are widened together as the JSON classifier widens its records.

- a row's attributes become columns named `_<attribute>`, and its child elements columns of their
  own name (Glue's XML reader prefixes attributes with `_`);
- a leaf element's text is bigint, double, boolean or string, as the JSON classifier types JSON values;
  an empty one stays open (string if nothing else is seen);
- an element with children or attributes is a struct (its own text, if any, is field `_value`); a tag
  repeated inside one parent is an array;
- a self-closing row (`<row a="1"/>`) is not a record, as AWS documents for RowTag.

A pure engine: the standard library and crawler_infer's type helpers.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .crawler_infer import TypeTree, _widen
from .crawler_infer_text import csv_value_type

#: Prefix of a column made from an attribute, and the field of an element's own text beside children.
ATTRIBUTE_PREFIX = "_"
TEXT_FIELD = "_value"


@dataclass
class XmlRows:
    fields: list[tuple[str, TypeTree]]  # the row struct's fields, names as in the document
    attributes: set[str]  # the field names that came from attributes (with their prefix)
    record_count: int
    sample_bytes: int


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _scalar(text: str | None) -> TypeTree:
    value = (text or "").strip()
    if not value:
        return "null"
    t = csv_value_type(value)
    return t if t in ("bigint", "double", "boolean") else "string"


def element_type(element: ET.Element) -> TypeTree:
    """The type of one element: a scalar for a bare leaf, else a struct of attributes, children and text."""
    children = list(element)
    if not children and not element.attrib:
        return _scalar(element.text)
    fields: dict[str, TypeTree] = {}
    for name, value in element.attrib.items():
        fields[ATTRIBUTE_PREFIX + _local(name)] = _scalar(value)
    seen: dict[str, list[TypeTree]] = {}
    for child in children:
        seen.setdefault(_local(child.tag), []).append(element_type(child))
    for name, types in seen.items():
        merged = types[0]
        for t in types[1:]:
            merged = _widen(merged, t)
        fields[name] = ("array", merged) if len(types) > 1 else merged
    if (element.text or "").strip() and TEXT_FIELD not in fields:
        fields[TEXT_FIELD] = _scalar(element.text)
    return ("struct", list(fields.items()))


def xml_rows(text: str, row_tag: str) -> XmlRows | None:
    """The widened schema of the `<row_tag>` records in `text` (which may be cut short); None if none."""
    # ElementTree cannot tell <row/> from <row></row>; AWS reads only the latter, so drop the former.
    text = re.sub(rf"<{re.escape(row_tag)}(?:\s[^<>]*)?/>", "", text)
    parser = ET.XMLPullParser(events=("start", "end"))
    tree: TypeTree | None = None
    count, size, depth = 0, 0, 0
    try:
        parser.feed(text)
        for event, element in parser.read_events():
            is_row = _local(element.tag) == row_tag
            if event == "start":
                depth += is_row
                continue
            if not is_row:
                continue
            depth -= 1
            if depth:
                continue  # a row nested in a row belongs to the outer one
            t = element_type(element)
            if not isinstance(t, tuple):
                t = ("struct", [])
            tree = t if tree is None else _widen(tree, t)
            count += 1
            size += len(ET.tostring(element))
            element.clear()
    except ET.ParseError:
        pass  # a sample cut mid-document, or text that is not XML: the rows read so far count
    if tree is None or not tree[1]:
        return None
    attributes = {name for name, _ in tree[1] if name.startswith(ATTRIBUTE_PREFIX) and name != TEXT_FIELD}
    return XmlRows(fields=list(tree[1]), attributes=attributes, record_count=count, sample_bytes=size)


def column_xpath(row_tag: str, name: str, t: TypeTree, attributes: set[str]) -> str:
    """The XPath the Hive XML SerDe reads a column from."""
    if name in attributes:
        return f"/{row_tag}/@{name[len(ATTRIBUTE_PREFIX):]}"
    if name == TEXT_FIELD:
        return f"/{row_tag}/text()"
    leaf = t if not isinstance(t, tuple) or t[0] != "array" else t[1]
    return f"/{row_tag}/{name}/text()" if isinstance(leaf, str) else f"/{row_tag}/{name}"
