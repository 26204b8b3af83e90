"""Translation rules for Trino functions that DuckDB lacks, or has under the same name with another
meaning: URL extraction, Joda-pattern date formatting and parsing, ISO 8601 text, `zip` and
`zip_with`, an `array_distinct` that keeps first-seen order, date `sequence`s, `round` of a decimal,
`to_base`, `luhn_check`, the Wilson score interval and `human_readable_seconds`.

Each builder takes the (typed) sqlglot node of the Trino call and returns the DuckDB expression that
gives Trino's answer, as the rules of `translate` do; `translate.RULES` merges `FUNCTION_RULES`, which
takes in the rules of the functions computed in Python (`python_functions`: hashes, checksum).
Imports sqlglot and this package only.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

from sqlglot import exp

from . import python_functions, trino_types
from .errors import QueryError
from .sql_template import template, typed

# --------------------------------------------------------------------------------------- helpers


def _kind(node: Optional[exp.Expression]) -> Optional[exp.DataType.Type]:
    return node.type.this if node is not None and node.type is not None else None


def _arguments(node: exp.Expression, name: str, count: int) -> list:
    args = list(node.expressions)
    if len(args) != count:
        raise QueryError("FUNCTION_NOT_FOUND", f"FUNCTION_NOT_FOUND: line 1:1: Unexpected parameters for function {name}")
    return args


# ------------------------------------------------------------------------------------------- URLs
#: RFC 3986's generic syntax, as Trino's url_extract_* functions read it: scheme, userinfo, host,
#: port, path, query, fragment. A value that is not an absolute URL gives NULL for the host.
_SCHEME = r"^([A-Za-z][A-Za-z0-9+.\-]*):"
_AUTHORITY = r"^[A-Za-z][A-Za-z0-9+.\-]*://(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::([0-9]*))?"
_PATH = r"^(?:[A-Za-z][A-Za-z0-9+.\-]*:)?(?://[^/?#]*)?([^?#]*)"
_QUERY = r"^[^?#]*\?([^#]*)"
_FRAGMENT = r"^[^#]*#(.*)$"


def _match_or_null(url: exp.Expression, pattern: str, group: int) -> exp.Expression:
    """The group's text, or NULL where the pattern does not match (DuckDB would answer '')."""
    return template(f"CASE WHEN regexp_matches(__p_u, '{pattern}') "
                     f"THEN regexp_extract(__p_u, '{pattern}', {group}) END", u=url)


def _url_part(name: str, pattern: str, group: int, trino_type: str = "varchar") -> Callable:
    def build(node: exp.Expression) -> exp.Expression:
        (url,) = _arguments(node, name, 1)
        part = _match_or_null(url, pattern, group)
        if trino_type == "bigint":
            part = template("TRY_CAST(NULLIF(__p_x, '') AS BIGINT)", x=part)
        return typed(part, trino_type)
    return build


def _url_extract_parameter(node: exp.Expression) -> exp.Expression:
    """The first value of a query parameter, as written (not percent-decoded), NULL if absent."""
    url, name = _arguments(node, "url_extract_parameter", 2)
    query = _match_or_null(url, _QUERY, 1)
    found = template(
        "list_extract(list_transform(list_filter(string_split(__p_q, '&'), "
        "lambda p: split_part(p, '=', 1) = __p_n), lambda p: substr(p, length(__p_n) + 2)), 1)",
        q=query, n=name)
    return typed(found, "varchar")


# -------------------------------------------------------------------------------------- date text
#: Joda-Time pattern letters (Trino's format_datetime / parse_datetime) -> strftime, longest first.
_JODA = [("yyyy", "%Y"), ("YYYY", "%Y"), ("xxxx", "%G"), ("yy", "%y"), ("MMMM", "%B"), ("MMM", "%b"),
         ("MM", "%m"), ("M", "%-m"), ("dd", "%d"), ("d", "%-d"), ("DDD", "%j"), ("HH", "%H"),
         ("H", "%-H"), ("hh", "%I"), ("h", "%-I"), ("mm", "%M"), ("m", "%-M"), ("ss", "%S"),
         ("s", "%-S"), ("SSSSSS", "%f"), ("SSS", "%g"), ("a", "%p"), ("EEEE", "%A"), ("EEE", "%a"),
         ("ZZ", "%z"), ("Z", "%z"), ("zzzz", "%Z"), ("z", "%Z"), ("ww", "%V"), ("e", "%u")]
_JODA_TOKEN = re.compile("|".join(re.escape(joda) for joda, _ in _JODA) + r"|'[^']*'|[A-Za-z]|.", re.S)
_JODA_MAP = dict(_JODA)


def joda_to_strftime(pattern: str) -> str:
    """`yyyy-MM-dd HH:mm` -> `%Y-%m-%d %H:%M`; quoted text is literal (`''` is a quote)."""
    out = []
    for token in _JODA_TOKEN.findall(pattern):
        if token in _JODA_MAP:
            out.append(_JODA_MAP[token])
        elif token.startswith("'"):
            out.append("'" if token == "''" else token[1:-1].replace("%", "%%"))
        elif token.isalpha():
            raise QueryError("INVALID_FUNCTION_ARGUMENT",
                             f"INVALID_FUNCTION_ARGUMENT: Illegal pattern component: {token}")
        else:
            out.append(token.replace("%", "%%"))
    return "".join(out)


def _joda_literal(node: exp.Expression, name: str) -> str:
    if not (isinstance(node, exp.Literal) and node.is_string):
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {name} needs its format as a string literal in lakebox's engine")
    return joda_to_strftime(node.this)


def _format_datetime(node: exp.Expression) -> exp.Expression:
    value, pattern = _arguments(node, "format_datetime", 2)
    return typed(exp.Anonymous(this="STRFTIME", expressions=[
        value, exp.Literal.string(_joda_literal(pattern, "format_datetime"))]), "varchar")


def _parse_datetime(node: exp.Expression) -> exp.Expression:
    """A timestamp with time zone (UTC unless the pattern reads a zone), as Trino answers."""
    fmt = _joda_literal(node.args.get("format"), "parse_datetime")
    parsed = exp.Anonymous(this="STRPTIME", expressions=[node.this, exp.Literal.string(fmt)])
    return typed(template("CAST(__p_x AS TIMESTAMPTZ)", x=parsed), "timestamp(3) with time zone")


def _current_timestamp(node: exp.Expression) -> exp.Expression:
    """current_timestamp and now() are Trino's `timestamp(3) with time zone` (the session zone's
    instant), which DuckDB's CURRENT_TIMESTAMP also is; sqlglot types it as a plain timestamp."""
    return typed(node, "timestamp(3) with time zone")


def _to_iso8601(node: exp.Expression) -> exp.Expression:
    """'2024-01-15' for a date, '2024-01-15T10:00:00.000' for a timestamp, with 'Z' appended for a
    timestamp with time zone (the engine's session zone is UTC)."""
    (value,) = _arguments(node, "to_iso8601", 1)
    kind = _kind(value)
    if kind == exp.DataType.Type.DATE:
        text = template("strftime(__p_x, '%Y-%m-%d')", x=value)
    elif kind in (exp.DataType.Type.TIMESTAMPTZ, exp.DataType.Type.TIMESTAMPLTZ):
        text = template("strftime(__p_x, '%Y-%m-%dT%H:%M:%S.%g') || 'Z'", x=value)
    elif kind in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.DATETIME):
        text = template("strftime(__p_x, '%Y-%m-%dT%H:%M:%S.%g')", x=value)
    else:
        # Type unknown here (a column of an unannotated source): decided by DuckDB at run time.
        text = template("CASE typeof(__p_x) WHEN 'DATE' THEN strftime(__p_x, '%Y-%m-%d') "
                         "WHEN 'TIMESTAMP WITH TIME ZONE' THEN strftime(__p_x, '%Y-%m-%dT%H:%M:%S.%g') || 'Z' "
                         "ELSE strftime(CAST(__p_x AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%g') END", x=value)
    return typed(text, "varchar")


# ----------------------------------------------------------------------------------------- arrays


def _zip(node: exp.Expression) -> exp.Expression:
    """Trino's zip: an array of rows with fields field0, field1 ..., shorter arrays padded with NULL."""
    arrays = list(node.expressions)
    if len(arrays) < 2:
        raise QueryError("FUNCTION_NOT_FOUND", "FUNCTION_NOT_FOUND: line 1:1: Unexpected parameters for function zip")
    names = ", ".join(f"'field{i}': t[{i + 1}]" for i in range(len(arrays)))
    placeholders = ", ".join(f"__p_a{i}" for i in range(len(arrays)))
    return template(f"list_transform(list_zip({placeholders}), lambda t: {{{names}}})",
                     **{f"a{i}": array for i, array in enumerate(arrays)})


def _array_distinct(node: exp.Expression) -> exp.Expression:
    """Trino keeps each value's first occurrence in order (and one NULL); DuckDB's list_distinct
    neither keeps the order nor the NULL."""
    return template("list_filter(__p_a, lambda v, i: list_position(__p_a, v) = i)", a=node.this)


def _sequence(node: exp.Expression) -> exp.Expression:
    """sequence(date, date[, interval]) is an array of dates in Trino; DuckDB counts in timestamps."""
    if _kind(node.args.get("start")) == exp.DataType.Type.DATE and _kind(node.args.get("end")) in (exp.DataType.Type.DATE, None):
        if node.args.get("step") is None:
            node.set("step", exp.Interval(this=exp.Literal.string("1"), unit=exp.var("DAY")))
        cast = exp.Cast(this=node, to=exp.DataType.build("DATE[]", dialect="duckdb"))
        return typed(cast, "array(date)")
    return node


def _round(node: exp.Round) -> exp.Expression:
    """round(decimal(p,s), d) keeps the type decimal(p,s) in Trino (2.567 -> 2.570); DuckDB narrows the scale."""
    if node.args.get("decimals") is None or not trino_types.is_decimal(node.this):
        return node
    decimal = trino_types.decimal_of(node.this)
    if decimal is None:
        return node
    kind = trino_types.build_type("DECIMAL(%d,%d)" % decimal)
    cast = exp.Cast(this=node, to=kind)
    cast.type = kind.copy()
    return cast


def _array_union(node: exp.Expression) -> exp.Expression:
    """The distinct elements of both arrays, in first-seen order."""
    left, right = _arguments(node, "array_union", 2)
    both = exp.Anonymous(this="LIST_CONCAT", expressions=[left, right])
    return template("list_filter(__p_a, lambda v, i: list_position(__p_a, v) = i)", a=both)


def _array_except(node: exp.Expression) -> exp.Expression:
    """The distinct elements of the first array that are not in the second, in first-seen order
    (DuckDB's list_distinct would reorder them)."""
    left, right = node.this, node.expression
    return template("CASE WHEN __p_a IS NULL OR __p_b IS NULL THEN NULL ELSE list_filter(__p_a, lambda v, i: "
                    "list_position(__p_a, v) = i AND NOT list_contains(__p_b, v)) END", a=left, b=right)


def _split_to_map(node: exp.Expression) -> exp.Expression:
    """split_to_map(text, entry delimiter, key-value delimiter): each entry's key is what comes before
    its first key-value delimiter, its value what comes after."""
    text, entries, pair = node.this, node.args.get("pair_delim"), node.args.get("key_value_delim")
    if entries is None or pair is None:
        raise QueryError("FUNCTION_NOT_FOUND", "FUNCTION_NOT_FOUND: line 1:1: Unexpected parameters for function "
                                               "split_to_map")
    return typed(template(
        "map_from_entries(list_transform(list_filter(string_split(__p_t, __p_e), lambda __kv: __kv <> ''), "
        "lambda __kv: {'key': split_part(__kv, __p_k, 1), "
        "'value': substr(__kv, length(split_part(__kv, __p_k, 1)) + length(__p_k) + 1)}))",
        t=text, e=entries, k=pair), "map(varchar, varchar)")


def _bit_count(node: exp.Expression) -> exp.Expression:
    """bit_count(x, bits): the 1 bits of x as a two's complement integer of `bits` bits."""
    value, bits = _arguments(node, "bit_count", 2)
    return typed(template("CAST(CASE WHEN __p_b >= 64 THEN bit_count(CAST(__p_x AS BIGINT)) "
                          "ELSE bit_count(CAST(__p_x AS BIGINT) & CAST((CAST(1 AS HUGEINT) << CAST(__p_b AS INTEGER)) "
                          "- 1 AS BIGINT)) END AS BIGINT)", x=value, b=bits), "bigint")


def _renamed(name: str, sql: str, count: int, trino_type: str) -> Callable:
    """A Trino function DuckDB has under another name or spelling (`__p_0`, `__p_1` ... its arguments)."""
    def build(node: exp.Expression) -> exp.Expression:
        args = _arguments(node, name, count)
        return typed(template(sql, **{str(i): arg for i, arg in enumerate(args)}), trino_type)
    return build


def _arrays_overlap(node: exp.Expression) -> exp.Expression:
    left, right = _arguments(node, "arrays_overlap", 2)
    return typed(template("list_has_any(__p_a, __p_b)", a=left, b=right), "boolean")


def _match(name: str, sql: str) -> Callable:
    """all_match / any_match / none_match: the predicate over every element; an empty array is
    true, false and true respectively, as in Trino (DuckDB's list_bool_* would give NULL)."""
    def build(node: exp.Expression) -> exp.Expression:
        array, predicate = _arguments(node, name, 2)
        return typed(template(sql, a=array, f=predicate), "boolean")
    return build


def _rebound(function: exp.Expression, name: str, variable: str, values: list) -> exp.Lambda:
    """A Trino `(a, b ...) -> body` as a lambda of the one parameter `variable`, each of its own
    parameters replaced in the body by the matching expression of `values` (over `variable`)."""
    if not isinstance(function, exp.Lambda) or len(function.expressions) != len(values):
        raise QueryError("FUNCTION_NOT_FOUND",
                         f"FUNCTION_NOT_FOUND: line 1:1: Unexpected parameters for function {name}")
    bound = {parameter.name: value for parameter, value in zip(function.expressions, values)}

    def swap(node):
        # Lambda parameters are bare identifiers in the body (columns, once qualified).
        bare = isinstance(node, exp.Identifier) and not isinstance(node.parent, (exp.Column, exp.Dot, exp.Lambda))
        if (bare or (isinstance(node, exp.Column) and not node.table)) and node.name in bound:
            return bound[node.name].copy()
        return node

    return exp.Lambda(this=function.this.copy().transform(swap), expressions=[exp.to_identifier(variable)])


def _entry_lambda(function: exp.Expression, name: str) -> exp.Lambda:
    """A Trino `(k, v) -> body` as a lambda over one map entry `e` (`e.key`, `e.value`)."""
    entry = "__lakebox_entry"
    return _rebound(function, name, entry, [exp.Dot(this=exp.column(entry), expression=exp.to_identifier(field))
                                            for field in ("key", "value")])


def _zip_with(node: exp.Expression) -> exp.Expression:
    """zip_with(a, b, (x, y) -> ...): the function of the arrays' elements pairwise, the shorter array
    padded with NULL (as list_zip pads it); NULL if either array is."""
    left, right, function = _arguments(node, "zip_with", 3)
    # Named by its depth among lambdas, so that a zip_with in another's function keeps its own pair.
    depth, outer = 0, node.parent
    while outer is not None:
        depth, outer = depth + isinstance(outer, exp.Lambda), outer.parent
    pair = f"__lakebox_pair{depth}"
    each = _rebound(function, "zip_with", pair, [template(f"{pair}[1]"), template(f"{pair}[2]")])
    return template("CASE WHEN __p_a IS NULL OR __p_b IS NULL THEN NULL "
                    "ELSE list_transform(list_zip(__p_a, __p_b), __p_f) END", a=left, b=right, f=each)


def _map_lambda(name: str, sql: str) -> Callable:
    """map_filter / transform_values / transform_keys through the map's entries."""
    def build(node: exp.Expression) -> exp.Expression:
        mapping, function = _arguments(node, name, 2)
        entry = _entry_lambda(function, name)
        return template(sql, m=mapping, f=entry, e=exp.column("__lakebox_entry"))
    return build


def _is_map(node: exp.Expression) -> bool:
    return node.type is not None and node.type.this == exp.DataType.Type.MAP


def _unnest(node: exp.Unnest) -> exp.Expression:
    """Trino's `UNNEST(a, b) AS u(x, y)` zips arrays (the shorter padded with NULL) and
    `UNNEST(m) AS u(k, v)` gives a map's entries; DuckDB's UNNEST takes one list. Both become a
    lateral subquery of one UNNEST per array, which DuckDB zips the same way, with the ordinality
    column (`WITH ORDINALITY`) counted alongside."""
    arrays = list(node.expressions)
    alias = node.args.get("alias")
    columns = list(alias.columns) if alias is not None else []
    if not (len(arrays) > 1 or (len(arrays) == 1 and _is_map(arrays[0]))):
        return node
    lists = []
    for array in arrays:
        if _is_map(array):
            lists += [exp.Anonymous(this="MAP_KEYS", expressions=[array.copy()]),
                      exp.Anonymous(this="MAP_VALUES", expressions=[array.copy()])]
        else:
            lists.append(array.copy())
    offset = node.args.get("offset")
    if isinstance(offset, exp.Identifier):  # sqlglot keeps the ordinality column's name apart
        columns.append(offset)
    ordinality = bool(offset)
    if len(columns) != len(lists) + ordinality:
        return node  # Trino refuses a column list of the wrong length; DuckDB will say so too
    items = [exp.alias_(exp.Unnest(expressions=[values]), column.copy()) for values, column in zip(lists, columns)]
    if ordinality:
        longest = exp.Anonymous(this="GREATEST", expressions=[exp.Anonymous(this="LEN", expressions=[values.copy()])
                                                              for values in lists])
        counter = template("UNNEST(range(1, __p_n + 1))", n=longest)
        items.append(exp.alias_(counter, columns[-1].copy()))
    subquery = exp.Subquery(this=exp.Select(expressions=items),
                            alias=exp.TableAlias(this=alias.this.copy() if alias.this else exp.to_identifier("_u")))
    return subquery


# -------------------------------------------------------------------------------- numbers and text
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _to_base(node: exp.Expression) -> exp.Expression:
    """Java's Long.toString(x, radix), as Trino's to_base: lower-case digits, a minus sign before a
    negative number (DuckDB's to_base writes upper case and refuses negatives). A negative number is
    written as its quotient by the radix and its last digit, since negating the smallest long overflows."""
    value, radix = _arguments(node, "to_base", 2)
    return typed(template(
        "CASE WHEN __p_r < 2 OR __p_r > 36 THEN error('INVALID_FUNCTION_ARGUMENT: Radix must be between 2 and 36') "
        "WHEN __p_x >= 0 THEN lower(to_base(__p_x, CAST(__p_r AS INTEGER))) "
        "ELSE '-' || CASE WHEN __p_x > -__p_r THEN '' "
        "ELSE lower(to_base(-(__p_x // __p_r), CAST(__p_r AS INTEGER))) END "
        f"|| substr('{_DIGITS}', CAST(-(__p_x % __p_r) AS INTEGER) + 1, 1) END",
        x=template("CAST(__p_v AS BIGINT)", v=value), r=template("CAST(__p_v AS BIGINT)", v=radix)), "varchar")


def _luhn_check(node: exp.Expression) -> exp.Expression:
    """true when the digits pass the Luhn check; false for ''; a non-digit fails the query."""
    (digits,) = _arguments(node, "luhn_check", 1)
    doubled = "CAST(d AS INTEGER) * 2 - CASE WHEN CAST(d AS INTEGER) > 4 THEN 9 ELSE 0 END"
    return typed(template(
        "CASE WHEN __p_s = '' THEN false "
        "WHEN NOT regexp_full_match(__p_s, '[0-9]+') "
        "THEN error('INVALID_FUNCTION_ARGUMENT: Input contains non-digit character') "
        f"ELSE list_sum(list_transform(string_split(reverse(__p_s), ''), lambda d, i: "
        f"CASE WHEN i % 2 = 0 THEN {doubled} ELSE CAST(d AS INTEGER) END)) % 10 = 0 END", s=digits), "boolean")


def _wilson_interval(name: str, sign: str) -> Callable:
    """The Wilson score interval's bound, in the order of operations of Trino's WilsonInterval (so
    that the double is the same to the last bit), with its argument checks."""
    def build(node: exp.Expression) -> exp.Expression:
        successes, trials, z = _arguments(node, name, 3)
        fail = "error('INVALID_FUNCTION_ARGUMENT: {}')".format
        return typed(template(
            f"CASE WHEN __p_s < 0 THEN {fail('number of successes must not be negative')} "
            f"WHEN __p_n <= 0 THEN {fail('number of trials must be positive')} "
            f"WHEN __p_s > __p_n THEN {fail('number of successes must not be larger than number of trials')} "
            f"WHEN isnan(__p_z) OR __p_z < 0 THEN {fail('z-score must not be negative')} "
            f"ELSE (__p_p + (__p_z * __p_z) / (2 * __p_d) {sign} __p_z * sqrt((__p_p * (1 - __p_p)) / __p_d "
            f"+ (__p_z * __p_z) / (4 * __p_d * __p_d))) / (1 + (__p_z * __p_z) / __p_d) END",
            s=successes, n=trials, z=template("CAST(__p_v AS DOUBLE)", v=z),
            p=template("CAST(__p_s AS DOUBLE) / CAST(__p_n AS DOUBLE)", s=successes, n=trials),
            d=template("CAST(__p_n AS DOUBLE)", n=trials)), "double")
    return build


#: human_readable_seconds' units, largest first, each with its count out of the rounded seconds `t`.
_PERIODS = [("week", "t // 604800"), ("day", "(t % 604800) // 86400"), ("hour", "(t % 86400) // 3600"),
            ("minute", "(t % 3600) // 60"), ("second", "t % 60")]


def _human_readable_seconds(node: exp.Expression) -> exp.Expression:
    """'1 minute, 36 seconds' for 96: the absolute value rounded to whole seconds, in weeks, days,
    hours, minutes and seconds, the units that are 0 left out ('0 seconds' if all are)."""
    (seconds,) = _arguments(node, "human_readable_seconds", 1)
    parts = ", ".join(f"CASE WHEN {count} > 0 THEN CAST({count} AS VARCHAR) || "
                      f"CASE WHEN {count} = 1 THEN ' {unit}' ELSE ' {unit}s' END END" for unit, count in _PERIODS)
    # Java's Math.round saturates at the largest long, where DuckDB's cast would fail.
    rounded = "CASE WHEN abs(__p_x) >= 9223372036854775807 THEN 9223372036854775807 " \
              "ELSE CAST(round(abs(__p_x)) AS BIGINT) END"
    return typed(template(
        "CASE WHEN isnan(__p_x) OR isinf(__p_x) THEN error('INVALID_FUNCTION_ARGUMENT: Invalid argument found: ' "
        "|| CASE WHEN isnan(__p_x) THEN 'NaN' WHEN __p_x > 0 THEN 'Infinity' ELSE '-Infinity' END) "
        f"ELSE list_extract(list_transform([{rounded}], lambda t: "
        f"coalesce(nullif(concat_ws(', ', {parts}), ''), '0 seconds')), 1) END",
        x=template("CAST(__p_v AS DOUBLE)", v=seconds)), "varchar")


FUNCTION_RULES: dict = {
    "url_extract_protocol": _url_part("url_extract_protocol", _SCHEME, 1),
    "url_extract_host": _url_part("url_extract_host", _AUTHORITY, 1),
    "url_extract_port": _url_part("url_extract_port", _AUTHORITY, 2, "bigint"),
    "url_extract_path": _url_part("url_extract_path", _PATH, 1),
    "url_extract_query": _url_part("url_extract_query", _QUERY, 1),
    "url_extract_fragment": _url_part("url_extract_fragment", _FRAGMENT, 1),
    "url_extract_parameter": _url_extract_parameter,
    "format_datetime": _format_datetime,
    "to_iso8601": _to_iso8601,
    "zip": _zip,
    "zip_with": _zip_with,
    exp.ParseDatetime: _parse_datetime,
    exp.CurrentTimestamp: _current_timestamp,
    exp.ArrayDistinct: _array_distinct,
    exp.GenerateSeries: _sequence,
    exp.Round: _round,
    exp.Unnest: _unnest,
    "array_union": _array_union,
    exp.ArrayExcept: _array_except,
    exp.StrToMap: _split_to_map,
    "bit_count": _bit_count,
    "hamming_distance": _renamed("hamming_distance", "hamming(__p_0, __p_1)", 2, "bigint"),
    "e": _renamed("e", "exp(1)", 0, "double"),
    "is_json_scalar": _renamed("is_json_scalar", "json_type(CAST(__p_0 AS JSON)) NOT IN ('OBJECT', 'ARRAY')", 1,
                               "boolean"),
    "arrays_overlap": _arrays_overlap,
    "all_match": _match("all_match", "CASE WHEN len(__p_a) = 0 THEN true ELSE list_bool_and(list_transform(__p_a, __p_f)) END"),
    "any_match": _match("any_match", "CASE WHEN len(__p_a) = 0 THEN false ELSE list_bool_or(list_transform(__p_a, __p_f)) END"),
    "none_match": _match("none_match", "CASE WHEN len(__p_a) = 0 THEN true ELSE NOT list_bool_or(list_transform(__p_a, __p_f)) END"),
    "map_filter": _map_lambda("map_filter", "map_from_entries(list_filter(map_entries(__p_m), __p_f))"),
    "transform_values": _map_lambda(
        "transform_values", "map_from_entries(list_transform(map_entries(__p_m), lambda __lakebox_entry: "
                            "{'key': __lakebox_entry.key, 'value': list_extract(list_transform([__lakebox_entry], __p_f), 1)}))"),
    "transform_keys": _map_lambda(
        "transform_keys", "map_from_entries(list_transform(map_entries(__p_m), lambda __lakebox_entry: "
                          "{'key': list_extract(list_transform([__lakebox_entry], __p_f), 1), 'value': __lakebox_entry.value}))"),
    "to_base": _to_base,
    "luhn_check": _luhn_check,
    "wilson_interval_lower": _wilson_interval("wilson_interval_lower", "-"),
    "wilson_interval_upper": _wilson_interval("wilson_interval_upper", "+"),
    "human_readable_seconds": _human_readable_seconds,
    **python_functions.RULES,
}
