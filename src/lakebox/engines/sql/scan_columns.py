"""Which columns of a table a query reads, for counting DataScannedInBytes as Athena does on Parquet
(the column chunks of the referenced columns only).

Deliberately simple, and never an undercount of what DuckDB reads:

- every name a column reference in the statement carries (its column, and its qualifier, which may
  be a struct column such as `s` in `s.field`), and every `JOIN ... USING` name, counts for every
  table of the statement that has a column of that name (two tables sharing a column name both
  count it);
- a `*` or `t.*` in a SELECT (not `count(*)`) makes every column of the tables in that SELECT's own
  FROM and JOINs count; except in a view's top SELECT, where it passes on only the names the query
  over the view reads (`engine` adds them).

Imports sqlglot only.
"""

from __future__ import annotations

from typing import Optional

from sqlglot import exp


def referenced_names(tree: exp.Expression) -> set:
    """Lower-case names that column references in `tree` use."""
    names = set()
    for column in tree.find_all(exp.Column):
        for part in column.parts:
            if isinstance(part, exp.Identifier):
                names.add(part.name.lower())
    for join in tree.find_all(exp.Join):
        for using in join.args.get("using") or []:
            names.add(using.name.lower())
    return names


def selects_with_star(tree: exp.Expression) -> set:
    """ids of the SELECTs that have a `*` or `t.*` among their items (a whole-row read)."""
    found = set()
    for select in tree.find_all(exp.Select):
        for item in select.expressions:
            inner = item.unalias() if isinstance(item, exp.Alias) else item
            if isinstance(inner, exp.Star) or (isinstance(inner, exp.Column) and inner.is_star):
                found.add(id(select))
                break
    return found


def top_selects(tree: exp.Expression) -> set:
    """ids of the SELECTs whose rows are the statement's own (the branches of a UNION too)."""
    if isinstance(tree, exp.SetOperation):
        return top_selects(tree.left) | top_selects(tree.right)
    if isinstance(tree, exp.Subquery):
        return top_selects(tree.this)
    return {id(tree)} if isinstance(tree, exp.Select) else set()


def needed_columns(table: exp.Table, names: set, star_selects: set) -> Optional[set]:
    """The columns of `table` to count: `names`, or None (all) when the SELECT reading it has a star."""
    select = table.find_ancestor(exp.Select)
    if select is not None and id(select) in star_selects:
        return None
    return names
