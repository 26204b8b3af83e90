"""The declared length of `varchar(n)` and `char(n)` result columns, for ColumnInfo.

DuckDB has one VARCHAR without a length, so a column Glue declares `varchar(10)` comes back from it
as plain VARCHAR, which Athena would report with Precision 2147483647. Athena reports the declared
length (Precision 10), and `char(n)` as type `char`; clients such as pyathena show it in
`cursor.description`. Where a result column is a table's column as it is (named, or through `*`
or `t.*`), or a CAST to such a type, its declared type is known from the query itself; anything
computed is reported as DuckDB types it.

Imports sqlglot only.
"""

from __future__ import annotations

import re
from typing import Optional

from sqlglot import exp

_DECLARED = re.compile(r"^\s*(varchar|char)\s*\(\s*(\d+)\s*\)\s*$", re.IGNORECASE)

#: ("varchar" | "char", length), or None for any other column.
Declared = Optional[tuple[str, int]]


def declared(hive_type: str) -> Declared:
    """("varchar", 10) for "varchar(10)"; None for any other Hive type."""
    match = _DECLARED.match(hive_type or "")
    return (match.group(1).lower(), int(match.group(2))) if match else None


class Source:
    """A table a query reads: its columns in the order `*` lists them, and their declared types."""

    def __init__(self, columns: list[str], types: dict[str, Declared]):
        self.columns = columns
        self.types = types


def output_types(tree: exp.Expression, sources: dict[int, Source]) -> Optional[list[Declared]]:
    """One entry per result column of `tree`'s top SELECT, or None when that cannot be told
    (set operations, stars over subqueries or USING joins). `sources` maps id(table node) to what
    that (resolved) table holds."""
    if not isinstance(tree, exp.Select):
        return None
    tables = [clause.this for clause in [tree.args.get("from_"), *(tree.args.get("joins") or [])] if clause is not None]
    by_alias = {table.alias_or_name.lower(): sources.get(id(table)) for table in tables}
    found: list[Declared] = []
    for item in tree.expressions:
        inner = item.unalias() if isinstance(item, exp.Alias) else item
        if isinstance(inner, exp.Star) or (isinstance(inner, exp.Column) and inner.is_star):
            if any(join.args.get("using") for join in tree.args.get("joins") or []):
                return None
            picked = list(by_alias.values()) if isinstance(inner, exp.Star) else [by_alias.get(inner.table.lower())]
            if any(source is None for source in picked):
                return None
            found += [source.types.get(column) for source in picked for column in source.columns]
        elif isinstance(inner, exp.Column):
            found.append(_column_type(inner, by_alias))
        elif isinstance(inner, exp.Cast):
            found.append(_cast_type(inner))
        else:
            found.append(None)
    return found


def _column_type(column: exp.Column, by_alias: dict) -> Declared:
    name = column.name.lower()
    if column.table:
        source = by_alias.get(column.table.lower())
        return source.types.get(name) if source is not None else None
    holders = [source for source in by_alias.values() if source is not None and name in source.columns]
    return holders[0].types.get(name) if len(holders) == 1 else None


def _cast_type(cast: exp.Cast) -> Declared:
    target = cast.to
    if target.this not in (exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR) or len(target.expressions) != 1:
        return None
    size = target.expressions[0]
    text = size.name if isinstance(size, exp.DataTypeParam) else size.sql()
    if not text.isdigit():
        return None
    return ("char" if target.this == exp.DataType.Type.CHAR else "varchar", int(text))
