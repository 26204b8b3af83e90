"""A `*` never includes a table's hidden columns ("$path", "$file_size", "$file_modified_time").

The scan of a table adds a hidden column only when the query names it (reader.build_scan), and then
it is a real column of the temporary view: `SELECT *, "$path" FROM t` would list `$path` twice, once
from the star. Athena (Trino) leaves hidden columns out of every star, so each `*` and `t.*` over
such a view gets `EXCLUDE (...)` of the hidden columns it would otherwise pick up.

Imports sqlglot only.
"""

from __future__ import annotations

from sqlglot import exp


def exclude_hidden_from_stars(tree: exp.Expression, hidden: dict[int, list[str]]) -> None:
    """`hidden` maps id(table node) of a table in `tree` to the hidden columns its view carries."""
    if not hidden:
        return
    for select in list(tree.find_all(exp.Select)):
        sources = [node for node in _own_sources(select) if id(node) in hidden]
        if not sources:
            continue
        for item in select.expressions:
            inner = item.unalias() if isinstance(item, exp.Alias) else item
            if isinstance(inner, exp.Star):
                _exclude(inner, [name for node in sources for name in hidden[id(node)]])
            elif isinstance(inner, exp.Column) and inner.is_star:
                qualifier = inner.table.lower()
                names = [name for node in sources if node.alias_or_name.lower() == qualifier
                         for name in hidden[id(node)]]
                _exclude(inner.this, names)


def _own_sources(select: exp.Select) -> list:
    """The tables of a SELECT's own FROM and JOINs (not those inside its subqueries)."""
    tables = []
    for clause in [select.args.get("from_"), *(select.args.get("joins") or [])]:
        if clause is not None and isinstance(clause.this, exp.Table):
            tables.append(clause.this)
    return tables


def _exclude(star: exp.Star, names: list[str]) -> None:
    if not names:
        return
    kept = list(star.args.get("except_") or [])
    present = {column.name for column in kept}
    kept += [exp.column(exp.to_identifier(name, quoted=True)) for name in dict.fromkeys(names) if name not in present]
    star.set("except_", kept)
