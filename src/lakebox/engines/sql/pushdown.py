"""Which WHERE conjuncts reach a table's partitions: those of the table's own SELECT that name only its
partition keys (for pruning and partition projection, with the constants of equalities and bounds),
and the outer conjuncts repeated inside a simple view so the tables under it get pruned too.

Pure sqlglot tree work; imports this package's translation (to DuckDB SQL) and projection's
`KeyConjunct`.
"""

from __future__ import annotations

from typing import Optional

from sqlglot import exp

from . import projection, translate


def own_conjuncts(table: exp.Table) -> list:
    """The WHERE conjuncts of the table's own SELECT whose columns all belong to this table reference
    (qualified by its name or alias, or unqualified when it is the only source), copied with bare,
    lower-cased column names. Conjuncts with subqueries, parameters, IS, COALESCE or functions whose
    value changes between calls are left out."""
    select = table.find_ancestor(exp.Select)
    where = select.args.get("where") if select is not None else None
    if where is None:
        return []
    own = {(table.alias or table.name).lower(), table.name.lower()}
    sources = len(list(select.find_all(exp.Table)))
    kept = []
    for conjunct in where.this.flatten() if isinstance(where.this, exp.And) else [where.this]:
        columns = list(conjunct.find_all(exp.Column))
        if not columns or conjunct.find(exp.Subquery, exp.Is, exp.Coalesce, exp.Placeholder, exp.Rand) is not None:
            continue
        if any(isinstance(f, exp.Anonymous) and f.name.lower() in _VOLATILE for f in conjunct.find_all(exp.Anonymous)):
            continue
        if all((c.table and c.table.lower() in own) or (not c.table and sources == 1) for c in columns):
            kept.append(conjunct.copy().transform(
                lambda n: exp.column(n.name.lower(), quoted=True) if isinstance(n, exp.Column) else n))
    return kept


_VOLATILE = {"random", "rand", "uuid", "shuffle"}


def prune_predicate(table: exp.Table, keys: list) -> list:
    """The WHERE conjuncts of the table's own SELECT that name only its partition keys, as
    `projection.KeyConjunct`s: DuckDB SQL over the bare key names, and the constants of an equality
    (`key = c`, `key IN (c, ...)`, `key = a OR key = b`) for injected projection."""
    found = []
    for bare in own_conjuncts(table):
        names = {c.name for c in bare.find_all(exp.Column)}
        if names <= set(keys):
            single = len(names) == 1
            found.append(projection.KeyConjunct(frozenset(names), translate.to_duckdb(bare),
                                                _equality_constants(bare) if single else None,
                                                _bounds(bare) if single else None))
    return found


def pinned_constants(table: exp.Table, names: list) -> dict:
    """{column: [DuckDB SQL constant]} for the columns among `names` that a WHERE conjunct of the
    table's own SELECT pins to constants (`c = v`, `c IN (...)`, `c = a OR c = b`); several such
    conjuncts on one column keep the first. Used for bucket pruning."""
    pinned: dict = {}
    wanted = set(names)
    for bare in own_conjuncts(table):
        columns = {c.name for c in bare.find_all(exp.Column)}
        if len(columns) != 1 or not columns <= wanted or next(iter(columns)) in pinned:
            continue
        constants = _equality_constants(bare)
        if constants is not None:
            pinned[next(iter(columns))] = constants
    return pinned


def _equality_constants(conjunct: exp.Expression) -> Optional[list]:
    """DuckDB SQL of the constants a one-column conjunct pins the column to, or None when it is not
    an equality against constants."""
    terms = conjunct.flatten() if isinstance(conjunct, exp.Or) else [conjunct]
    constants = []
    for term in terms:
        term = term.unnest()
        if isinstance(term, exp.EQ):
            sides = [term.this, term.expression]
            column = [s for s in sides if isinstance(s, exp.Column)]
            other = [s for s in sides if not isinstance(s, exp.Column)]
            if len(column) != 1 or len(other) != 1 or other[0].find(exp.Column) is not None:
                return None
            constants.append(translate.to_duckdb(other[0].copy()))
        elif isinstance(term, exp.In) and isinstance(term.this, exp.Column) and not term.args.get("query"):
            if any(e.find(exp.Column) is not None for e in term.expressions):
                return None
            constants.extend(translate.to_duckdb(e.copy()) for e in term.expressions)
        else:
            return None
    return constants


_BOUND_OPS = {exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<=", exp.EQ: "="}
_FLIPPED = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "="}


def _bounds(conjunct: exp.Expression) -> Optional[list]:
    """[(op, constant SQL)] when a one-column conjunct is `column <op> constant` or `column BETWEEN a
    AND b`: lets a projected date key enumerate only the steps inside the bounds."""
    conjunct = conjunct.unnest()
    if isinstance(conjunct, exp.Between) and isinstance(conjunct.this, exp.Column):
        low, high = conjunct.args.get("low"), conjunct.args.get("high")
        if low is None or high is None or low.find(exp.Column) or high.find(exp.Column):
            return None
        return [(">=", translate.to_duckdb(low.copy())), ("<=", translate.to_duckdb(high.copy()))]
    op = _BOUND_OPS.get(type(conjunct))
    if op is None:
        return None
    left, right = conjunct.this, conjunct.expression
    if isinstance(right, exp.Column) and not isinstance(left, exp.Column):
        left, right, op = right, left, _FLIPPED[op]
    if not isinstance(left, exp.Column) or right.find(exp.Column) is not None:
        return None
    return [(op, translate.to_duckdb(right.copy()))]


def push_into_view(tree: exp.Expression, pushed: list) -> None:
    """AND the outer conjuncts (over the view's column names) into the view's WHERE, each view column
    replaced by its defining expression. Only a plain SELECT ... FROM one table or view [WHERE ...]
    qualifies: no GROUP BY, HAVING, aggregates, windows, LIMIT/OFFSET, joins, UNNEST or WITH, where
    filtering before or after the view gives the same rows. Conjuncts naming a column the view does
    not define (or only through `*` of a join) are skipped."""
    if not isinstance(tree, exp.Select) or tree.args.get("with_") or tree.args.get("with") or tree.args.get("joins"):
        return
    if any(tree.args.get(arg) for arg in ("group", "having", "limit", "offset", "qualify", "laterals")):
        return
    source = tree.args.get("from_") or tree.args.get("from")
    if source is None or not isinstance(source.this, exp.Table) or isinstance(source.this.this, exp.Func):
        return
    if any(e.find(exp.AggFunc, exp.Window, exp.Unnest, exp.Explode) is not None for e in tree.expressions):
        return
    defined, star = {}, False
    for projected in tree.expressions:
        if isinstance(projected, exp.Star) or (isinstance(projected, exp.Column) and projected.is_star):
            star = True
            continue
        defined[projected.alias_or_name.lower()] = projected.unalias() if isinstance(projected, exp.Alias) else projected
    added = []
    for conjunct in pushed:
        names = {c.name for c in conjunct.find_all(exp.Column)}
        if not all(n in defined or star for n in names):
            continue
        rewritten = conjunct.copy().transform(
            lambda n: (exp.paren(defined[n.name].copy()) if not isinstance(defined[n.name], exp.Column)
                       else defined[n.name].copy()) if isinstance(n, exp.Column) and n.name in defined else n)
        added.append(rewritten)
    if added:
        tree.where(*added, copy=False)
