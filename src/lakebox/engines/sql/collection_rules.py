"""Translation rules for Trino's array and map functions and its map- and array-building aggregates,
where DuckDB lacks them or answers otherwise: array_sort with a comparator, array_position,
array_remove, trim_array, slice, combinations, ngrams, contains_sequence, array_histogram, repeat,
reverse of an array, descending `sequence`s, map_entries, multimap_from_entries, map_zip_with,
split_to_multimap, and the aggregates map_union, multimap_agg, set_union, approx_most_frequent.

Builders take the typed sqlglot node of the Trino call and return the DuckDB expression with Trino's
answer (NULL handling and errors included) and type; `text_number_rules.TEXT_NUMBER_RULES` merges
`RULES`. Imports sqlglot and this package only.
"""

from __future__ import annotations

from typing import Callable

from sqlglot import exp

from .errors import QueryError
from .function_rules import _arguments, _rebound, _sequence
from .sql_template import template, typed

T = exp.DataType.Type


def _not_found(name: str) -> QueryError:
    return QueryError("FUNCTION_NOT_FOUND", f"FUNCTION_NOT_FOUND: line 1:1: Unexpected parameters for function {name}")


def _depth(node: exp.Expression) -> int:
    """How many lambdas enclose `node`: the suffix of the lambda variables a rule introduces, so that
    a rule used inside another's lambda does not shadow that lambda's variables."""
    depth, outer = 0, node.parent
    while outer is not None:
        depth, outer = depth + isinstance(outer, exp.Lambda), outer.parent
    return depth


def _body(function: exp.Expression, name: str, values: list) -> exp.Expression:
    """The body of the Trino lambda `function` with its parameters replaced by `values`."""
    return _rebound(function, name, "__lakebox_unused", values).this


def _same_type(node: exp.Expression, source: exp.Expression) -> exp.Expression:
    if source.type is not None and source.type.this != T.UNKNOWN:
        node.type = source.type.copy()
    return node


def _fail(message: str) -> str:
    return f"error('INVALID_FUNCTION_ARGUMENT: {message}')"


# ----------------------------------------------------------------------------------------- arrays


def _array_sort(node: exp.ArraySort) -> exp.Expression:
    """array_sort(a, (x, y) -> c): a stable sort by the comparator (Trino sorts with Java's List.sort).
    Each element's place is the number of elements that come before it: those the comparator puts
    first, and the equal ones (or ones the comparator does not order consistently) of a smaller index."""
    comparator = node.args.get("expression")
    if comparator is None:
        return node
    d = _depth(node)
    x, y, i, j, e = (f"__lakebox_{v}{d}" for v in "xyije")
    check = ("CASE WHEN __lakebox_c IS NULL OR __lakebox_c NOT IN (-1, 0, 1) "
             f"THEN {_fail('Lambda comparator must return either -1, 0, or 1')} ELSE __lakebox_c END")
    after = _body(comparator, "array_sort", [exp.column(y), exp.column(x)])
    before = _body(comparator, "array_sort", [exp.column(x), exp.column(y)])
    order = template(f"({check.replace('__lakebox_c', '(__p_a)')}) - ({check.replace('__lakebox_c', '(__p_b)')})",
                     a=after, b=before)
    sorted_ = template(
        f"CASE WHEN __p_arr IS NULL THEN NULL ELSE list_transform(list_sort(list_transform(__p_arr, lambda {x}, {i}: "
        f"{{'r': len(list_filter(__p_arr, lambda {y}, {j}: {j} <> {i} AND "
        f"list_transform([__p_s], lambda s: s < 0 OR (s = 0 AND {j} < {i}))[1])), 'i': {i}}})), "
        f"lambda {e}: __p_arr[{e}.i]) END", arr=node.this, s=order)
    return _same_type(sorted_, node.this)


def _array_position(node: exp.ArrayPosition) -> exp.Expression:
    """The 1-based position of the first equal element, 0 if none; NULL for a NULL array or element."""
    return typed(template("CASE WHEN __p_a IS NULL OR __p_e IS NULL THEN NULL "
                          "ELSE CAST(coalesce(list_position(__p_a, __p_e), 0) AS BIGINT) END",
                          a=node.this, e=node.expression), "bigint")


def _array_remove(node: exp.ArrayRemove) -> exp.Expression:
    """Removes the elements equal to the value, keeping NULL elements; NULL for a NULL value."""
    d = _depth(node)
    return _same_type(template(f"CASE WHEN __p_e IS NULL THEN NULL ELSE list_filter(__p_a, lambda __lakebox_u{d}: "
                               f"__lakebox_u{d} IS NULL OR __lakebox_u{d} <> __p_e) END",
                               a=node.this, e=node.expression), node.this)


def _trim_array(node: exp.Expression) -> exp.Expression:
    array, size = _arguments(node, "trim_array", 2)
    return _same_type(template(
        f"CASE WHEN __p_n < 0 OR __p_n > len(__p_a) THEN "
        f"{_fail('size must not be negative or exceed array cardinality')} "
        "ELSE list_slice(__p_a, 1, len(__p_a) - __p_n) END", a=array, n=size), array)


def _slice(node: exp.ArraySlice) -> exp.Expression:
    """slice(a, start, length): from `start` (from the end if negative) at most `length` elements."""
    start, length = node.args.get("start"), node.args.get("end")
    if start is None or length is None:
        raise _not_found("slice")
    first = template("CASE WHEN __p_s > 0 THEN __p_s ELSE len(__p_a) + __p_s + 1 END", s=start, a=node.this)
    return _same_type(template(
        f"CASE WHEN __p_s = 0 THEN error('INVALID_FUNCTION_ARGUMENT: SQL array indices start at 1') "
        f"WHEN __p_n < 0 THEN {_fail('length must be greater than or equal to 0')} "
        "WHEN __p_f < 1 THEN list_slice(__p_a, 1, 0) ELSE list_slice(__p_a, __p_f, __p_f + __p_n - 1) END",
        s=start, n=length, a=node.this, f=first), node.this)


def _combinations(node: exp.Expression) -> exp.Expression:
    """combinations(a, n), n a constant 0..5, in Trino's order: by the last index, then the one before
    (the order of its nextCombination)."""
    array, size = _arguments(node, "combinations", 2)
    if not (isinstance(size, exp.Literal) and not size.is_string):
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: combinations needs its size as an integer literal "
                                          "in lakebox's engine")
    n = int(size.this)
    if n < 0:
        raise QueryError("INVALID_FUNCTION_ARGUMENT",
                         f"INVALID_FUNCTION_ARGUMENT: combination size must not be negative: {n}")
    if n > 5:
        raise QueryError("INVALID_FUNCTION_ARGUMENT",
                         f"INVALID_FUNCTION_ARGUMENT: combination size must not exceed 5: {n}")
    d = _depth(node)
    if n == 0:
        return _nested(template("CASE WHEN __p_a IS NULL THEN NULL ELSE [list_slice(__p_a, 1, 0)] END", a=array), array)
    index = [f"__lakebox_k{d}_{k}" for k in range(n)]
    element = ", ".join(f"__p_a[{v}]" for v in index)
    sql = f"[{element}]"
    # Innermost is the first index; each loop runs below the index of the loop around it.
    for k in range(n):
        bound = "len(__p_a) + 1" if k == n - 1 else index[k + 1]
        sql = f"list_transform(range(1, {bound}), lambda {index[k]}: {sql})"
        if k:
            sql = f"flatten({sql})"
    count = " * ".join(f"(len(__p_a) - {k})" for k in range(n))
    factorial = 1
    for k in range(2, n + 1):
        factorial *= k
    return _nested(template(
        f"CASE WHEN __p_a IS NULL THEN NULL WHEN len(__p_a) >= {n} AND ({count}) // {factorial} * {n} > 100000 "
        f"THEN {_fail('combinations exceed max size')} ELSE {sql} END", a=array), array)


def _nested(node: exp.Expression, array: exp.Expression) -> exp.Expression:
    kind = array.type
    if kind is not None and kind.this == T.ARRAY:
        node.type = exp.DataType(this=T.ARRAY, expressions=[kind.copy()], nested=True)
    return node


def _windows(size: str, d: int) -> str:
    """SQL for the runs of `size` adjacent elements of `__p_a`, in order (ngrams, contains_sequence)."""
    return (f"list_transform(range(1, len(__p_a) - {size} + 2), lambda __lakebox_g{d}: "
            f"list_slice(__p_a, __lakebox_g{d}, __lakebox_g{d} + {size} - 1))")


def _ngrams(node: exp.Expression) -> exp.Expression:
    """The n-grams of adjacent elements in order; the whole array when n exceeds its length."""
    array, n = _arguments(node, "ngrams", 2)
    return _nested(template(
        f"CASE WHEN __p_n <= 0 THEN {_fail('N must be positive')} WHEN __p_n >= len(__p_a) THEN [__p_a] "
        f"ELSE {_windows('__p_n', _depth(node))} END", a=array, n=n), array)


def _contains_sequence(node: exp.Expression) -> exp.Expression:
    array, sequence = _arguments(node, "contains_sequence", 2)
    d = _depth(node)
    return typed(template(
        f"CASE WHEN __p_a IS NULL OR __p_s IS NULL THEN NULL WHEN len(__p_s) = 0 THEN true "
        f"ELSE list_bool_or(list_transform({_windows('len(__p_s)', d)}, lambda __lakebox_w{d}: "
        f"__lakebox_w{d} IS NOT DISTINCT FROM __p_s)) IS TRUE END", a=array, s=sequence), "boolean")


def _first_seen(values: str, d: int) -> str:
    """The distinct non-NULL values of the list `values` in first-seen order."""
    return (f"list_filter({values}, lambda __lakebox_v{d}, __lakebox_n{d}: __lakebox_v{d} IS NOT NULL "
            f"AND list_position({values}, __lakebox_v{d}) = __lakebox_n{d})")


def _array_histogram(node: exp.Expression) -> exp.Expression:
    """{element: count} of the non-NULL elements, in first-seen order."""
    (array,) = _arguments(node, "array_histogram", 1)
    d = _depth(node)
    return template(
        f"map_from_entries(list_transform({_first_seen('__p_a', d)}, lambda __lakebox_k{d}: "
        f"{{'key': __lakebox_k{d}, 'value': CAST(len(list_filter(__p_a, lambda __lakebox_w{d}: "
        f"__lakebox_w{d} = __lakebox_k{d})) AS BIGINT)}}))", a=array)


def _repeat(node: exp.Repeat) -> exp.Expression:
    """repeat(element, count) is an array in Trino (DuckDB's repeat of a string is a string)."""
    return template(
        "CASE WHEN __p_n < 0 THEN error('INVALID_FUNCTION_ARGUMENT: count argument of repeat function must be "
        "greater than or equal to 0') WHEN __p_n > 10000 THEN error('INVALID_FUNCTION_ARGUMENT: count argument "
        "of repeat function must be less than or equal to 10000') ELSE repeat([__p_e], CAST(__p_n AS BIGINT)) END",
        e=node.this, n=node.args["times"])


def _reverse(node: exp.Reverse) -> exp.Expression:
    """reverse of an array or a varbinary; DuckDB's reverse reads either as text."""
    kind = node.this.type.this if node.this.type is not None else None
    if kind == T.ARRAY:
        return _same_type(template("list_reverse(__p_a)", a=node.this), node.this)
    if kind in (T.VARBINARY, T.BINARY, T.BLOB):
        return typed(template("lakebox_reverse_bytes(__p_b)", b=node.this), "varbinary")
    return node


def _extreme(function: str) -> Callable:
    """array_max / array_min: NULL when the array holds a NULL, as Trino answers (DuckDB's list_max
    and list_min skip NULLs)."""
    def build(node: exp.Expression) -> exp.Expression:
        return _same_type(template(
            f"CASE WHEN list_count(__p_a) < len(__p_a) THEN NULL ELSE {function}(__p_a) END", a=node.this), node)
    return build


def _integer_sequence(node: exp.GenerateSeries) -> exp.Expression:
    """sequence(start, stop[, step]) of integers: counts down without a step when stop < start, and
    fails, as Trino does, on a zero step, a step away from stop, or more than 10,000 entries."""
    kinds = [node.args.get(k).type.this if node.args.get(k) is not None and node.args.get(k).type is not None
             else None for k in ("start", "end", "step")]
    if any(kind in (T.DATE, T.TIMESTAMP, T.TIMESTAMPTZ, T.DATETIME, T.INTERVAL) for kind in kinds):
        return _sequence(node)
    start, stop, step = (node.args.get(k) for k in ("start", "end", "step"))
    if step is None:
        step = template("CASE WHEN __p_a <= __p_b THEN 1 ELSE -1 END", a=start, b=stop)
    return typed(template(
        "CASE WHEN __p_c = 0 THEN error('INVALID_FUNCTION_ARGUMENT: step must not be zero') "
        "WHEN (__p_c > 0 AND __p_a > __p_b) OR (__p_c < 0 AND __p_a < __p_b) THEN error('INVALID_FUNCTION_ARGUMENT: "
        "sequence stop value should be greater than or equal to start value if step is greater than zero otherwise "
        "stop should be less than or equal to start') "
        "WHEN (CAST(__p_b AS HUGEINT) - __p_a) // __p_c + 1 > 10000 THEN error('INVALID_FUNCTION_ARGUMENT: result of "
        "sequence function must not have more than 10000 entries') "
        "ELSE generate_series(CAST(__p_a AS BIGINT), CAST(__p_b AS BIGINT), CAST(__p_c AS BIGINT)) END",
        a=start, b=stop, c=step), "array(bigint)")


# ------------------------------------------------------------------------------------------- maps


def _map_entries(node: exp.Expression) -> exp.Expression:
    """An array of anonymous rows (field0 key, field1 value), as Athena shows them."""
    (mapping,) = _arguments(node, "map_entries", 1)
    d = _depth(node)
    return template(f"list_transform(map_entries(__p_m), lambda __lakebox_e{d}: "
                    f"{{'field0': __lakebox_e{d}.key, 'field1': __lakebox_e{d}.value}})", m=mapping)


def _entry_field(entry: str, position: int) -> str:
    """A field of a map entry row by position: ROW(...) entries have Athena's names, CASTs others."""
    return f"struct_extract_at({entry}, {position})"


def _multimap(entries: str, d: int) -> str:
    """A map of each key to the list of its values in order, keys in first-seen order; a NULL key fails."""
    keys = f"list_transform({entries}, lambda __lakebox_r{d}: {_entry_field(f'__lakebox_r{d}', 1)})"
    return (f"CASE WHEN list_contains(list_transform({entries}, lambda __lakebox_r{d}: "
            f"{_entry_field(f'__lakebox_r{d}', 1)} IS NULL), true) THEN {_fail('map key cannot be null')} "
            f"ELSE map_from_entries(list_transform({_first_seen(keys, d)}, lambda __lakebox_k{d}: "
            f"{{'key': __lakebox_k{d}, 'value': list_transform(list_filter({entries}, lambda __lakebox_r{d}: "
            f"{_entry_field(f'__lakebox_r{d}', 1)} = __lakebox_k{d}), lambda __lakebox_r{d}: "
            f"{_entry_field(f'__lakebox_r{d}', 2)})}})) END")


def _multimap_from_entries(node: exp.Expression) -> exp.Expression:
    (entries,) = _arguments(node, "multimap_from_entries", 1)
    return template(f"CASE WHEN __p_a IS NULL THEN NULL ELSE {_multimap('__p_a', _depth(node))} END", a=entries)


def _map_zip_with(node: exp.Expression) -> exp.Expression:
    """map_zip_with(m1, m2, (k, v1, v2) -> ...): over the keys of m1 then those only in m2, a missing
    value passed as NULL."""
    left, right, function = _arguments(node, "map_zip_with", 3)
    d = _depth(node)
    key = f"__lakebox_k{d}"
    body = _body(function, "map_zip_with", [exp.column(key), template(f"map_extract_value(__p_m, {key})", m=left),
                                            template(f"map_extract_value(__p_m, {key})", m=right)])
    return template(
        "CASE WHEN __p_l IS NULL OR __p_r IS NULL THEN NULL ELSE map_from_entries(list_transform("
        f"list_distinct_ordered, lambda {key}: {{'key': {key}, 'value': __p_f}})) END"
        .replace("list_distinct_ordered", _first_seen("list_concat(map_keys(__p_l), map_keys(__p_r))", d)),
        l=left, r=right, f=body)


def _split_to_multimap(node: exp.Expression) -> exp.Expression:
    """Each key (the text before an entry's first key-value delimiter) to its values in order."""
    text, entries, pair = _arguments(node, "split_to_multimap", 3)
    d = _depth(node)
    rows = (f"list_transform(list_filter(string_split(__p_t, __p_e), lambda __lakebox_s{d}: __lakebox_s{d} <> ''), "
            f"lambda __lakebox_s{d}: {{'k': split_part(__lakebox_s{d}, __p_p, 1), 'v': substr(__lakebox_s{d}, "
            f"length(split_part(__lakebox_s{d}, __p_p, 1)) + length(__p_p) + 1)}})")
    return typed(template(_multimap(rows, d), t=text, e=entries, p=pair), "map(varchar, array(varchar))")


# ------------------------------------------------------------------------------------- aggregates


def _refuse_window(node: exp.Expression, name: str) -> None:
    if isinstance(node.parent, exp.Window):
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {name} with OVER is not supported by lakebox's engine")


def _map_union(node: exp.Expression) -> exp.Expression:
    """The union of the maps; a key in several keeps the first value met (Trino's is arbitrary)."""
    (mapping,) = _arguments(node, "map_union", 1)
    _refuse_window(node, "map_union")
    entries = "flatten(list(map_entries(__p_m)) FILTER (WHERE __p_m IS NOT NULL))"
    return template(f"CASE WHEN count(__p_m) = 0 THEN NULL ELSE map_from_entries(list_filter({entries}, "
                    f"lambda __lakebox_e, __lakebox_i: list_position(list_transform({entries}, lambda __lakebox_y: "
                    "__lakebox_y.key), __lakebox_e.key) = __lakebox_i)) END", m=mapping)


def _multimap_agg(node: exp.Expression) -> exp.Expression:
    """Each key to the list of its values (NULLs kept), keys in first-seen order; a NULL key fails."""
    key, value = _arguments(node, "multimap_agg", 2)
    _refuse_window(node, "multimap_agg")
    entries = "list({'k': __p_k, 'v': __p_v})"
    return template(f"CASE WHEN count(*) = 0 THEN NULL ELSE {_multimap(entries, 0)} END", k=key, v=value)


def _set_union(node: exp.Expression) -> exp.Expression:
    """The distinct elements of all the arrays (one NULL kept, as Trino's set does)."""
    (array,) = _arguments(node, "set_union", 1)
    _refuse_window(node, "set_union")
    values = "flatten(list(__p_a) FILTER (WHERE __p_a IS NOT NULL))"
    return _same_type(template(
        f"CASE WHEN count(__p_a) = 0 THEN NULL ELSE list_filter({values}, lambda __lakebox_v, __lakebox_n: "
        f"list_position({values}, __lakebox_v) = __lakebox_n) END", a=array), array)


def _set_agg(node: exp.ArrayUniqueAgg) -> exp.Expression:
    """The distinct values, one NULL included (Trino's set_agg keeps it), in first-seen order."""
    _refuse_window(node, "set_agg")
    return template("CASE WHEN count(*) = 0 THEN NULL ELSE list_filter(list(__p_x), lambda __lakebox_v, __lakebox_n: "
                    "list_position(list(__p_x), __lakebox_v) = __lakebox_n) END", x=node.this)


def _approx_most_frequent(node: exp.Expression) -> exp.Expression:
    """The `buckets` most frequent non-NULL values with their exact counts, most frequent first (ties
    in first-seen order): what Trino's stream summary gives when `capacity` holds every value."""
    buckets, value, capacity = _arguments(node, "approx_most_frequent", 3)
    _refuse_window(node, "approx_most_frequent")
    values = "list(__p_x) FILTER (WHERE __p_x IS NOT NULL)"
    ranked = (f"list_transform({_first_seen(values, 0)}, lambda __lakebox_k: "
              f"{{'c': -len(list_filter({values}, lambda __lakebox_w: __lakebox_w = __lakebox_k)), "
              f"'p': list_position({values}, __lakebox_k), 'k': __lakebox_k}})")
    return template(
        f"CASE WHEN count(__p_x) = 0 THEN NULL ELSE map_from_entries(list_transform(list_slice(list_sort({ranked}), "
        "1, __p_b), lambda __lakebox_r: {'key': __lakebox_r.k, 'value': CAST(-__lakebox_r.c AS BIGINT)})) END",
        x=value, b=buckets, c=capacity)


RULES: dict[object, Callable] = {
    exp.ArraySort: _array_sort,
    exp.ArrayPosition: _array_position,
    exp.ArrayRemove: _array_remove,
    "trim_array": _trim_array,
    exp.ArraySlice: _slice,
    "combinations": _combinations,
    "ngrams": _ngrams,
    "contains_sequence": _contains_sequence,
    "array_histogram": _array_histogram,
    exp.Repeat: _repeat,
    exp.Reverse: _reverse,
    exp.ArrayMax: _extreme("list_max"),
    exp.ArrayMin: _extreme("list_min"),
    exp.GenerateSeries: _integer_sequence,
    "map_entries": _map_entries,
    "multimap_from_entries": _multimap_from_entries,
    "map_zip_with": _map_zip_with,
    "split_to_multimap": _split_to_multimap,
    "map_union": _map_union,
    "multimap_agg": _multimap_agg,
    "set_union": _set_union,
    exp.ArrayUniqueAgg: _set_agg,
    "approx_most_frequent": _approx_most_frequent,
}
