"""Building DuckDB expressions from SQL text for the translation rules.

A rule that rewrites a Trino call often says it best as DuckDB SQL with holes for the call's
arguments: `template("list_has_any(__p_a, __p_b)", a=left, b=right)`. The holes are columns named
`__p_<name>`, filled with copies of the given (already translated) nodes. Imports sqlglot and `trino_types` only, so
that `translate` and the rule modules it merges can all use it. `typed` records the Trino type a
built expression has, for the rules of enclosing nodes and the result's column types.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from . import trino_types


def template(sql: str, **parts: exp.Expression) -> exp.Expression:
    """A DuckDB expression from `sql`, where `__p_<name>` columns take the given nodes."""
    tree = sqlglot.parse_one(sql, read="duckdb")

    def fill(node):
        if isinstance(node, exp.Column) and not node.table and node.name.startswith("__p_"):
            return parts[node.name[4:]].copy()
        return node

    return tree.transform(fill)


def typed(node: exp.Expression, trino_type: str) -> exp.Expression:
    """`node`, annotated with the Trino type it evaluates to (`varchar`, `array(date)` ...)."""
    node.type = trino_types.build_type(trino_type)
    return node
