"""The result rows of SHOW and DESCRIBE, in the shapes Athena returns them, built from Glue documents."""

from __future__ import annotations

from typing import Optional


def partition_name(keys: list[dict], values: list[str]) -> str:
    return "/".join(f"{k['Name']}={v}" for k, v in zip(keys, values))


def _describe_line(column: dict) -> str:
    return f"{column['Name']:<20}\t{column['Type']:<20}\t{column.get('Comment') or '':<20}"


def describe(table: dict, formatted: bool) -> list[list[Optional[str]]]:
    sd = table.get("StorageDescriptor") or {}
    cols = sd.get("Columns") or []
    keys = table.get("PartitionKeys") or []
    # Hive pads each of the three fields to 20 characters; Athena returns each line as one value.
    rows = [[_describe_line(c)] for c in cols + keys]
    if keys:
        rows += [[""], ["# Partition Information"], [_describe_line({"Name": "# col_name", "Type": "data_type",
                                                                     "Comment": "comment"})], [""]]
        rows += [[_describe_line(k)] for k in keys]
    if not formatted:
        return rows
    serde = sd.get("SerdeInfo") or {}
    rows += [[""], ["# Detailed Table Information"],
             [f"Database:           \t{table['DatabaseName']}"],
             [f"Owner:              \t{table.get('Owner', 'hadoop')}"],
             [f"Location:           \t{sd.get('Location', '')}"],
             [f"Table Type:         \t{table.get('TableType', '')}"],
             ["Table Parameters:"]]
    rows += [[f"\t{k:<20}\t{v}"] for k, v in sorted((table.get("Parameters") or {}).items())]
    rows += [[""], ["# Storage Information"],
             [f"SerDe Library:      \t{serde.get('SerializationLibrary', '')}"],
             [f"InputFormat:        \t{sd.get('InputFormat', '')}"],
             [f"OutputFormat:       \t{sd.get('OutputFormat', '')}"],
             ["Storage Desc Params:"]]
    rows += [[f"\t{k:<20}\t{v}"] for k, v in sorted((serde.get("Parameters") or {}).items())]
    return rows


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


_JAVA_ESCAPES = {"\b": "\\b", "\n": "\\n", "\t": "\\t", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def _property(value: str) -> str:
    """A SERDEPROPERTIES or TBLPROPERTIES value as Hive prints it: Java-escaped (a tab delimiter is
    a backslash and `t`, non-ASCII a `\\u` escape of each UTF-16 unit), then `'` and `;` backslashed,
    in single quotes."""
    out = []
    for ch in value:
        code = ord(ch)
        if ch in _JAVA_ESCAPES:
            out.append(_JAVA_ESCAPES[ch])
        elif code > 0xFFFF:
            high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
            out.append(f"\\u{high:04X}\\u{low:04X}")
        elif code < 32 or code > 0x7F:
            out.append(f"\\u{code:04X}")
        elif ch in "';":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def show_create_table(table: dict, qualified: bool = True) -> list[list[Optional[str]]]:
    """Hive's text, which Athena passes on. `qualified`: the statement named the database too."""
    sd = table.get("StorageDescriptor") or {}
    serde = sd.get("SerdeInfo") or {}
    name = f"`{table['DatabaseName']}`.`{table['Name']}`" if qualified else f"`{table['Name']}`"
    lines = [f"CREATE EXTERNAL TABLE {name}("]
    cols = sd.get("Columns") or []
    for i, c in enumerate(cols):
        comment = f" COMMENT {_quote(c['Comment'])}" if c.get("Comment") else ""
        lines.append(f"  `{c['Name']}` {c['Type']}{comment}{',' if i < len(cols) - 1 else ')'}")
    if table.get("Description"):
        lines.append(f"COMMENT {_quote(table['Description'])}")
    keys = table.get("PartitionKeys") or []
    if keys:
        lines.append("PARTITIONED BY ( ")
        lines += [f"  `{k['Name']}` {k['Type']}{',' if i < len(keys) - 1 else ')'}" for i, k in enumerate(keys)]
    buckets = sd.get("BucketColumns") or []
    if buckets and (sd.get("NumberOfBuckets") or 0) > 0:
        lines.append("CLUSTERED BY ( ")
        lines += [f"  `{b}`{', ' if i < len(buckets) - 1 else ') '}" for i, b in enumerate(buckets)]
        lines.append(f"INTO {sd['NumberOfBuckets']} BUCKETS")
    lines += ["ROW FORMAT SERDE ", f"  {_quote(serde.get('SerializationLibrary', ''))} "]
    # Hive leaves out serialization.format when it has its default value, "1".
    params = {k: v for k, v in (serde.get("Parameters") or {}).items()
              if not (k == "serialization.format" and v == "1")}
    if params:
        lines.append("WITH SERDEPROPERTIES ( ")
        items = sorted(params.items())
        lines += [f"  '{k}'={_property(v)}{', ' if i < len(items) - 1 else ') '}" for i, (k, v) in enumerate(items)]
    lines += ["STORED AS INPUTFORMAT ", f"  {_quote(sd.get('InputFormat', ''))} ",
              "OUTPUTFORMAT ", f"  {_quote(sd.get('OutputFormat', ''))}",
              "LOCATION", f"  {_quote(sd.get('Location', ''))}"]
    props = sorted((k, v) for k, v in (table.get("Parameters") or {}).items() if k != "EXTERNAL")
    if props:
        lines.append("TBLPROPERTIES (")
        lines += [f"  '{k}'={_property(v)}{', ' if i < len(props) - 1 else ')'}" for i, (k, v) in enumerate(props)]
    return [[line] for line in lines]
