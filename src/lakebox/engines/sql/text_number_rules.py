"""Translation rules for Trino's string, regexp, JSON, binary, math, date and statistical functions that
DuckDB lacks or answers otherwise, found by sweeping Trino's function list: strpos with an instance,
soundex, split with a limit, split_part past the end, from_utf8, format_number, regexp_extract with no
match, regexp_replace's `$n`, regexp_position's occurrence, json_extract_scalar of a non-scalar, the
SQL/JSON json_value / json_query / json_exists on simple paths, width_bucket over bins, the
normal distribution, bitwise operators and shifts, sha1 / sha512 / HMACs, base64url, big-endian and
IEEE 754 bytes, varbinary length / substr, skewness, the bitwise aggregates, date_format's `%D` and
`%v`, year_of_week's `yow`, to_milliseconds, parse_duration, parse_data_size and cosine_similarity.

Functions Trino has that cannot be matched exactly here fail with NOT_SUPPORTED (`UNSUPPORTED`);
those Trino does not have fail as it does, with FUNCTION_NOT_FOUND. `TEXT_NUMBER_RULES` (these and
`collection_rules.RULES`) is merged into `translate.RULES`. Builders take the typed sqlglot node of
the Trino call and return the DuckDB expression with Trino's answer and type.
Imports sqlglot and this package only.
"""

from __future__ import annotations

import re
from typing import Callable

from sqlglot import exp

from . import collection_rules, scalar_rules
from .errors import QueryError
from .function_rules import _arguments
from .sql_template import template, typed

T = exp.DataType.Type
_BINARY = {T.VARBINARY, T.BINARY, T.BLOB}
_INTEGER_BITS = {T.TINYINT: 8, T.SMALLINT: 16, T.INT: 32, T.BIGINT: 64}


def _kind(node) -> object:
    return node.type.this if node is not None and node.type is not None else None


def _fail(message: str) -> str:
    return "error('INVALID_FUNCTION_ARGUMENT: " + message.replace("'", "''") + "')"


def _udf(name: str, count: int, sql: str, trino_type: str) -> Callable:
    """A Trino function computed by a Python function (`python_text_number_functions`): `__p_0` ...
    are its arguments."""
    def build(node: exp.Expression) -> exp.Expression:
        args = _arguments(node, name, count)
        return typed(template(sql, **{str(i): arg for i, arg in enumerate(args)}), trino_type)
    return build


def _not_supported(name: str, why: str) -> Callable:
    def build(node: exp.Expression) -> exp.Expression:
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {name} is not supported by lakebox's engine ({why})")
    return build


def _not_found(name: str) -> Callable:
    def build(node: exp.Expression) -> exp.Expression:
        raise QueryError("FUNCTION_NOT_FOUND", f"FUNCTION_NOT_FOUND: line 1:8: Function '{name}' not registered")
    return build


# ------------------------------------------------------------------------------------------ strings


def _strpos(node: exp.StrPosition) -> exp.Expression:
    """strpos(s, sub, instance): the position of the instance-th occurrence (overlapping ones count),
    from the end when negative; 0 when there are fewer."""
    instance = node.args.get("occurrence")
    if instance is None or node.args.get("position") is not None:
        return node
    positions = template("list_filter(range(1, length(__p_s) + 1), lambda __lakebox_i: "
                         "substr(__p_s, __lakebox_i, length(__p_t)) = __p_t)", s=node.this, t=node.args["substr"])
    refuse = _fail("'instance' must be a positive or negative number.")
    return typed(template(
        f"CASE WHEN __p_n = 0 THEN {refuse} "
        "WHEN __p_t = '' THEN 1 ELSE CAST(coalesce(list_extract(__p_p, __p_n), 0) AS BIGINT) END",
        n=instance, t=node.args["substr"], p=positions), "bigint")


def _split(node: exp.Split) -> exp.Expression:
    """split(s, d, limit): at most `limit` parts, the last holding the rest of the string."""
    limit = node.args.get("limit")
    if limit is None:
        return node
    parts = template("string_split(__p_s, __p_d)", s=node.this, d=node.expression)
    return typed(template(
        f"CASE WHEN __p_n <= 0 THEN {_fail('Limit must be positive')} WHEN len(__p_p) <= __p_n THEN __p_p "
        "ELSE list_append(list_slice(__p_p, 1, __p_n - 1), "
        "array_to_string(list_slice(__p_p, __p_n, len(__p_p)), __p_d)) END",
        n=limit, p=parts, d=node.expression), "array(varchar)")


def _split_part(node: exp.SplitPart) -> exp.Expression:
    """NULL past the last field (DuckDB answers ''); an index below 1 fails."""
    text, delimiter, index = node.this, node.args["delimiter"], node.args["part_index"]
    return typed(template(
        f"CASE WHEN __p_i <= 0 THEN {_fail('Index must be greater than zero')} "
        "WHEN __p_i > len(string_split(__p_s, __p_d)) THEN NULL ELSE split_part(__p_s, __p_d, __p_i) END",
        s=text, d=delimiter, i=index), "varchar")


def _from_utf8(node: exp.Decode) -> exp.Expression:
    """Invalid UTF-8 becomes U+FFFD, or the given replacement (a character, '', or a code point)."""
    replace = node.args.get("replace")
    if replace is None:
        replace = exp.Literal.string("\ufffd")
    elif _kind(replace) in _INTEGER_BITS:
        replace = template("chr(CAST(__p_r AS INTEGER))", r=replace)
    else:
        replace = template(f"CASE WHEN length(__p_r) > 1 THEN "
                           f"{_fail('Replacement character string must empty or a single character')} ELSE __p_r END",
                           r=replace)
    return typed(template("lakebox_from_utf8(__p_b, __p_r)", b=node.this, r=replace), "varchar")


def _format_number(node: exp.Expression) -> exp.Expression:
    """A bigint, or a double truncated to one as Java's (long) cast does, with K, M, B, T or Q."""
    (value,) = _arguments(node, "format_number", 1)
    number = value if _kind(value) in _INTEGER_BITS else template(
        "CASE WHEN isnan(CAST(__p_x AS DOUBLE)) THEN 0 WHEN __p_x >= 9.223372036854776e18 THEN 9223372036854775807 "
        "WHEN __p_x <= -9.223372036854776e18 THEN -9223372036854775808 ELSE CAST(trunc(__p_x) AS BIGINT) END", x=value)
    return typed(template("lakebox_format_number(CAST(__p_x AS BIGINT))", x=number), "varchar")


# ------------------------------------------------------------------------------------------- regexp


def _regexp_extract(node: exp.RegexpExtract) -> exp.Expression:
    """NULL where the pattern does not match (DuckDB answers '')."""
    return typed(template("CASE WHEN regexp_matches(__p_s, __p_p) THEN __p_x END",
                          s=node.this, p=node.expression, x=node), "varchar")


#: A Java replacement's `$n` group reference, `\x` escape, or other text.
_JAVA_REPLACEMENT = re.compile(r"\$(\d)|\$\{|\\(.)|([^$\\]+)|(.)", re.S)


def _regexp_replace(node: exp.RegexpReplace) -> exp.Expression:
    """Java's replacement syntax (`$1` a group, `\\$` a dollar) as RE2's (`\\1`, `$`); a lambda
    replacement is Trino's per-match function, which DuckDB cannot call."""
    replacement = node.args.get("replacement")
    if isinstance(replacement, exp.Lambda):
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: regexp_replace with a lambda is not supported by "
                                          "lakebox's engine")
    if not (isinstance(replacement, exp.Literal) and replacement.is_string):
        return node
    out = []
    for group, escaped, text, other in _JAVA_REPLACEMENT.findall(replacement.this):
        if group:
            out.append("\\" + group)
        elif escaped:
            out.append("\\\\" if escaped == "\\" else escaped)
        elif text:
            out.append(text)
        else:
            raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: regexp_replace with a named group or a trailing '$' "
                                              "in its replacement is not supported by lakebox's engine")
    node.set("replacement", exp.Literal.string("".join(out)))
    return node


def _regexp_position(node: exp.Expression) -> exp.Expression:
    """regexp_position(s, p, start, occurrence): where the occurrence-th match after `start` begins."""
    args = list(node.expressions)
    if len(args) < 2 or len(args) > 4:
        raise QueryError("FUNCTION_NOT_FOUND", "FUNCTION_NOT_FOUND: line 1:1: Unexpected parameters for function "
                                               "regexp_position")
    if len(args) < 4:
        return scalar_rules._regexp_position(node)
    text, pattern, start, occurrence = args
    rest = template("substr(__p_s, __p_n)", s=text, n=start)
    return typed(template(
        f"CAST(CASE WHEN __p_n <= 0 THEN {_fail('start must be a positive integer')} "
        f"WHEN __p_o <= 0 THEN {_fail('occurrence must be a positive integer')} "
        "WHEN len(regexp_extract_all(__p_r, __p_p)) < __p_o THEN -1 "
        "ELSE __p_n + list_sum(list_transform(list_slice(regexp_split_to_array(__p_r, __p_p), 1, __p_o), "
        "lambda __lakebox_z: length(__lakebox_z))) + coalesce(list_sum(list_transform(list_slice("
        "regexp_extract_all(__p_r, __p_p), 1, __p_o - 1), lambda __lakebox_z: length(__lakebox_z))), 0) "
        "END AS INTEGER)",
        n=start, o=occurrence, r=rest, p=pattern), "integer")


# --------------------------------------------------------------------------------------------- JSON


def _json_extract_scalar(node: exp.JSONExtractScalar) -> exp.Expression:
    """NULL where the value at the path is an object or array (DuckDB gives its text)."""
    path = node.expression
    return typed(template("CASE WHEN json_type(CAST(__p_j AS JSON), __p_p) IN ('OBJECT', 'ARRAY') THEN NULL "
                          "ELSE __p_x END", j=node.this, p=path, x=node), "varchar")


#: An SQL/JSON path that is a chain of member names and array subscripts, with its mode.
_SIMPLE_PATH = re.compile(r"^\s*(lax|strict)?\s*(\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)\s*$")


def _json_path(path: exp.Expression, name: str) -> exp.Expression:
    match = _SIMPLE_PATH.match(path.this) if isinstance(path, exp.Literal) and path.is_string else None
    if match is None:
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {name} with a path other than member names and array "
                                          "subscripts is not supported by lakebox's engine")
    return exp.Literal.string(match.group(2))


def _json_value(node: exp.JSONValue) -> exp.Expression:
    """The scalar at the path as text; NULL for an object, an array or nothing (NULL ON EMPTY/ERROR)."""
    if node.args.get("returning") or node.args.get("on_condition"):
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: json_value with RETURNING or ON EMPTY/ERROR is not "
                                          "supported by lakebox's engine")
    path = _json_path(node.args["path"], "json_value")
    return typed(template("CASE WHEN json_type(CAST(__p_j AS JSON), __p_p) IN ('OBJECT', 'ARRAY') THEN NULL "
                          "ELSE json_extract_string(CAST(__p_j AS JSON), __p_p) END", j=node.this, p=path), "varchar")


def _json_query(node: exp.JSONExtract) -> exp.Expression:
    """json_query: the object or array at the path as JSON text; NULL for a scalar or nothing."""
    if not node.args.get("json_query"):
        return node
    if node.args.get("option") or node.args.get("on_condition") or node.args.get("quote"):
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: json_query with a wrapper, quotes or ON EMPTY/ERROR "
                                          "option is not supported by lakebox's engine")
    path = _json_path(node.expression, "json_query")
    return typed(template("CASE WHEN json_type(CAST(__p_j AS JSON), __p_p) IN ('OBJECT', 'ARRAY') "
                          "THEN CAST(json_extract(CAST(__p_j AS JSON), __p_p) AS VARCHAR) END",
                          j=node.this, p=path), "varchar")


def _json_exists(node: exp.Expression) -> exp.Expression:
    json, path = _arguments(node, "json_exists", 2)
    return typed(template("json_exists(CAST(__p_j AS JSON), __p_p)", j=json,
                          p=_json_path(path, "json_exists")), "boolean")


# --------------------------------------------------------------------------------------------- math


def _width_bucket(node: exp.WidthBucket) -> exp.Expression:
    """width_bucket(x, bins): how many of the (ascending) bins are <= x."""
    if node.args.get("max_value") is not None:
        return scalar_rules._width_bucket(node)
    bins = node.args.get("min_value")
    return typed(template(
        f"CASE WHEN list_contains(list_transform(__p_b, lambda __lakebox_b: __lakebox_b IS NULL), true) "
        f"THEN {_fail('Bin values cannot be NULL')} "
        "ELSE CAST(len(list_filter(__p_b, lambda __lakebox_b: __lakebox_b <= __p_x)) AS BIGINT) END",
        b=bins, x=node.this), "bigint")


def _bitwise(sql: str) -> Callable:
    """bitwise_and / or / xor / not are bigint in Trino (DuckDB keeps the operands' integer type)."""
    def build(node: exp.Expression) -> exp.Expression:
        parts = {"a": node.this} if node.args.get("expression") is None else {"a": node.this, "b": node.expression}
        return typed(template(sql, **{k: template("CAST(__p_v AS BIGINT)", v=v) for k, v in parts.items()}), "bigint")
    return build


def _shift(name: str) -> Callable:
    """bitwise_left_shift / bitwise_right_shift / bitwise_right_shift_arithmetic of a value of b bits,
    in its type: 0 (or the sign) once the shift reaches b; the left shift wraps in two's complement,
    the logical right shift reads the value as unsigned."""
    def build(node: exp.Expression) -> exp.Expression:
        value, shift = _arguments(node, name, 2)
        bits = _INTEGER_BITS.get(_kind(value), 64)
        kind = {8: "TINYINT", 16: "SMALLINT", 32: "INTEGER", 64: "BIGINT"}[bits]
        unsigned = f"(CAST(__p_v AS HUGEINT) & ((CAST(1 AS HUGEINT) << {bits}) - 1))"
        if name == "bitwise_left_shift":
            raw = f"((CAST(__p_v AS HUGEINT) << CAST(__p_s AS INTEGER)) & ((CAST(1 AS HUGEINT) << {bits}) - 1))"
            result = f"CASE WHEN __p_s >= {bits} THEN 0 ELSE {raw} END"
        elif name == "bitwise_right_shift":
            raw = f"({unsigned} >> CAST(__p_s AS INTEGER))"
            result = f"CASE WHEN __p_s >= {bits} THEN 0 ELSE {raw} END"
        else:
            return typed(template(f"CAST(CASE WHEN __p_s >= {bits} THEN CASE WHEN __p_v < 0 THEN -1 ELSE 0 END "
                                  f"ELSE CAST(__p_v AS BIGINT) >> CAST(__p_s AS INTEGER) END AS {kind})",
                                  v=value, s=shift), kind.lower())
        signed = (f"CAST(CASE WHEN ({result}) >= (CAST(1 AS HUGEINT) << {bits - 1}) "
                  f"THEN ({result}) - (CAST(1 AS HUGEINT) << {bits}) ELSE ({result}) END AS {kind})")
        return typed(template(signed, v=value, s=shift), kind.lower())
    return build


def _cosine_similarity(node: exp.Expression) -> exp.Expression:
    """Of two sparse vectors (maps): the dot product over their common keys divided by the product
    of their L2 norms; NULL if a value is NULL. (Athena's engine has no array form.)"""
    left, right = _arguments(node, "cosine_similarity", 2)
    if _kind(left) == T.ARRAY or _kind(right) == T.ARRAY:
        raise QueryError("FUNCTION_NOT_FOUND", "FUNCTION_NOT_FOUND: line 1:1: Unexpected parameters "
                                               "(array(double), array(double)) for function cosine_similarity")
    norm = "sqrt(list_sum(list_transform(map_values({m}), lambda __lakebox_v: __lakebox_v * __lakebox_v)))"
    return typed(template(
        "CASE WHEN list_contains(list_transform(list_concat(map_values(__p_x), map_values(__p_y)), lambda __lakebox_v: "
        "__lakebox_v IS NULL), true) THEN NULL "
        "ELSE coalesce(list_sum(list_transform(map_entries(__p_x), lambda __lakebox_e: "
        "__lakebox_e.value * map_extract_value(__p_y, __lakebox_e.key))), 0.0) / (" + norm.format(m="__p_x") + " * "
        + norm.format(m="__p_y") + ") END",
        x=template("CAST(__p_m AS MAP(VARCHAR, DOUBLE))", m=left),
        y=template("CAST(__p_m AS MAP(VARCHAR, DOUBLE))", m=right)), "double")


# ------------------------------------------------------------------------------------------ binary


def _length(node: exp.Length) -> exp.Expression:
    if _kind(node.this) in _BINARY:
        return typed(template("CAST(octet_length(__p_b) AS BIGINT)", b=node.this), "bigint")
    return node


def _substring(node: exp.Substring) -> exp.Expression:
    if _kind(node.this) not in _BINARY:
        return node
    length = node.args.get("length") or exp.Literal.number(2 ** 62)
    return typed(template("lakebox_substr_bytes(__p_b, __p_s, __p_n)", b=node.this, s=node.args["start"],
                          n=length), "varbinary")


def _sha1(node: exp.SHA) -> exp.Expression:
    """sha1 is a varbinary digest in Trino; DuckDB's sha1 is its hex text."""
    return typed(template("unhex(sha1(__p_b))", b=node.this), "varbinary")


def _sha2(node: exp.SHA2Digest) -> exp.Expression:
    length = node.args.get("length")
    if isinstance(length, exp.Literal) and length.this == "512":
        return typed(template("lakebox_sha512(__p_b)", b=node.this), "varbinary")
    return node


# --------------------------------------------------------------------------------------- aggregates


def _in_window_or_filter(node: exp.Expression, name: str) -> None:
    if isinstance(node.parent, (exp.Window, exp.Filter)):
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {name} with OVER or FILTER is not supported by "
                                          "lakebox's engine")


def _skewness(node: exp.Skewness) -> exp.Expression:
    """Trino's skewness is the population's, sqrt(n) * M3 / M2^1.5 (NULL below 3 values); DuckDB's
    carries the sample adjustment sqrt(n(n-1)) / (n-2), taken back out here."""
    _in_window_or_filter(node, "skewness")
    return typed(template("CASE WHEN count(__p_x) < 3 THEN NULL ELSE skewness(__p_x) * (count(__p_x) - 2) "
                          "/ sqrt(count(__p_x) * (count(__p_x) - 1)) END", x=node.this), "double")


def _bigint_aggregate(node: exp.Expression) -> exp.Expression:
    """bitwise_and_agg / or / xor are bigint in Trino."""
    kind = exp.DataType.build("BIGINT")
    cast = exp.Cast(this=node, to=kind)
    cast.type = kind.copy()
    return cast


# -------------------------------------------------------------------------------------------- dates


def _date_format(node: exp.TimeToStr) -> exp.Expression:
    """date_format's `%v` (ISO week, sqlglot leaves it) and `%D` (day with English suffix), which
    strftime lacks: the format is cut at each `%D` and the pieces joined with the suffixed day."""
    fmt = node.args.get("format")
    if not (isinstance(fmt, exp.Literal) and fmt.is_string) or not re.search(r"%[Dv]", fmt.this):
        return node
    pieces = [piece.replace("%v", "%V") for piece in re.split(r"(?<!%)%D", fmt.this)]
    day = ("(CAST(day(__p_t) AS VARCHAR) || CASE WHEN day(__p_t) IN (11, 12, 13) THEN 'th' "
           "WHEN day(__p_t) % 10 = 1 THEN 'st' WHEN day(__p_t) % 10 = 2 THEN 'nd' WHEN day(__p_t) % 10 = 3 THEN 'rd' "
           "ELSE 'th' END)")
    parts = []
    for position, piece in enumerate(pieces):
        if position:
            parts.append(day)
        if piece:
            parts.append("strftime(__p_t, '" + piece.replace("'", "''") + "')")
    return typed(template(" || ".join(parts) or "''", t=node.this), "varchar")


#: airlift's Duration units, in milliseconds.
_DURATION_UNITS = {"ns": "1e-6", "us": "1e-3", "ms": "1.0", "s": "1000.0", "m": "60000.0", "h": "3600000.0",
                   "d": "86400000.0"}


def _parse_duration(node: exp.Expression) -> exp.Expression:
    """'42.8ms' -> an interval of whole milliseconds, rounded half up as airlift's Duration.toMillis."""
    (text,) = _arguments(node, "parse_duration", 1)
    pattern = r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$"
    factor = "CASE regexp_extract(__p_s, '{p}', 2) {w} END".format(
        p=pattern, w=" ".join(f"WHEN '{u}' THEN {f}" for u, f in _DURATION_UNITS.items()))
    return typed(template(
        f"CASE WHEN NOT regexp_matches(__p_s, '{pattern}') OR ({factor}) IS NULL THEN "
        "error('INVALID_FUNCTION_ARGUMENT: duration is not a valid data duration string: ' || __p_s) "
        f"ELSE to_milliseconds(CAST(floor(CAST(regexp_extract(__p_s, '{pattern}', 1) AS DOUBLE) * ({factor}) + 0.5) "
        "AS BIGINT)) END", s=text), "interval day to second")


#: parse_data_size's units, as powers of 1024.
_DATA_UNITS = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]


def _parse_data_size(node: exp.Expression) -> exp.Expression:
    """'2.3MB' -> 2411724: the number times the unit, the fraction of a byte dropped; decimal(38,0)."""
    (text,) = _arguments(node, "parse_data_size", 1)
    pattern = r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$"
    factor = "CASE regexp_extract(__p_s, '{p}', 2) {w} END".format(
        p=pattern, w=" ".join(f"WHEN '{u}' THEN CAST({1024 ** i} AS DECIMAL(38,0))" for i, u in enumerate(_DATA_UNITS)))
    return typed(template(
        f"CASE WHEN NOT regexp_matches(__p_s, '{pattern}') OR ({factor}) IS NULL THEN "
        "error('INVALID_FUNCTION_ARGUMENT: Invalid data size: ''' || __p_s || '''') "
        f"ELSE CAST(trunc(CAST(regexp_extract(__p_s, '{pattern}', 1) AS DECIMAL(38,10)) * ({factor})) "
        "AS DECIMAL(38,0)) END", s=text), "decimal(38,0)")


#: Trino functions no translation matches exactly: they fail instead of answering otherwise.
UNSUPPORTED = {
    "word_stem": "it needs Lucene's Snowball stemmers",
    "beta_cdf": "its regularized incomplete beta function is Commons Math's, which is not reproduced",
    "inverse_beta_cdf": "its regularized incomplete beta function is Commons Math's, which is not reproduced",
}


def _zone_field(name: str) -> Callable:
    """timezone_hour / timezone_minute: DuckDB's answer (0: values are kept in UTC, Athena's session
    zone) except for a value AT TIME ZONE another zone, whose zone the translation does not keep."""
    def build(node: exp.Expression) -> exp.Expression:
        (value,) = _arguments(node, name, 1)
        if value.meta.get("trino_type"):
            raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {name} of a value AT TIME ZONE is not supported by "
                                              "lakebox's engine")
        return typed(template(f"CAST({name}(__p_t) AS BIGINT)", t=value), "bigint")
    return build


TEXT_NUMBER_RULES: dict = {
    **collection_rules.RULES,
    exp.StrPosition: _strpos,
    exp.Soundex: lambda node: typed(template("lakebox_soundex(__p_s)", s=node.this), "varchar"),
    exp.Split: _split,
    exp.SplitPart: _split_part,
    exp.Decode: _from_utf8,
    "format_number": _format_number,
    exp.RegexpExtract: _regexp_extract,
    exp.RegexpReplace: _regexp_replace,
    "regexp_position": _regexp_position,
    exp.JSONExtractScalar: _json_extract_scalar,
    exp.JSONValue: _json_value,
    exp.JSONExtract: _json_query,
    "json_exists": _json_exists,
    exp.WidthBucket: _width_bucket,
    "is_finite": _udf("is_finite", 1, "isfinite(CAST(__p_0 AS DOUBLE))", "boolean"),
    "is_infinite": _udf("is_infinite", 1, "isinf(CAST(__p_0 AS DOUBLE))", "boolean"),
    "normal_cdf": _udf("normal_cdf", 3, "lakebox_normal_cdf(__p_0, __p_1, __p_2)", "double"),
    "inverse_normal_cdf": _udf("inverse_normal_cdf", 3, "lakebox_inverse_normal_cdf(__p_0, __p_1, __p_2)", "double"),
    "cosine_similarity": _cosine_similarity,
    exp.BitwiseAnd: _bitwise("__p_a & __p_b"),
    exp.BitwiseOr: _bitwise("__p_a | __p_b"),
    exp.BitwiseXor: _bitwise("xor(__p_a, __p_b)"),
    exp.BitwiseNot: _bitwise("~__p_a"),
    **{name: _shift(name) for name in ("bitwise_left_shift", "bitwise_right_shift",
                                        "bitwise_right_shift_arithmetic")},
    exp.SHA: _sha1,
    exp.SHA2Digest: _sha2,
    **{f"hmac_{h}": _udf(f"hmac_{h}", 2, f"lakebox_hmac_{h}(__p_0, __p_1)", "varbinary")
       for h in ("md5", "sha1", "sha256", "sha512")},
    "to_base64url": _udf("to_base64url", 1, "lakebox_to_base64url(__p_0)", "varchar"),
    "from_base64url": _udf("from_base64url", 1, "lakebox_from_base64url(__p_0)", "varbinary"),
    "to_big_endian_64": _udf("to_big_endian_64", 1, "lakebox_to_big_endian_64(__p_0)", "varbinary"),
    "to_big_endian_32": _udf("to_big_endian_32", 1, "lakebox_to_big_endian_32(__p_0)", "varbinary"),
    "from_big_endian_64": _udf("from_big_endian_64", 1, "lakebox_from_big_endian_64(__p_0)", "bigint"),
    "from_big_endian_32": _udf("from_big_endian_32", 1, "lakebox_from_big_endian_32(__p_0)", "integer"),
    "to_ieee754_64": _udf("to_ieee754_64", 1, "lakebox_to_ieee754_64(__p_0)", "varbinary"),
    "to_ieee754_32": _udf("to_ieee754_32", 1, "lakebox_to_ieee754_32(__p_0)", "varbinary"),
    "from_ieee754_64": _udf("from_ieee754_64", 1, "lakebox_from_ieee754_64(__p_0)", "double"),
    "from_ieee754_32": _udf("from_ieee754_32", 1, "lakebox_from_ieee754_32(__p_0)", "real"),
    exp.Length: _length,
    exp.Substring: _substring,
    exp.Skewness: _skewness,
    exp.BitwiseAndAgg: _bigint_aggregate,
    exp.BitwiseOrAgg: _bigint_aggregate,
    exp.BitwiseXorAgg: _bigint_aggregate,
    "entropy": _not_found("entropy"),
    exp.TimeToStr: _date_format,
    "yow": _udf("yow", 1, "CAST(isoyear(__p_0) AS BIGINT)", "bigint"),
    "to_milliseconds": _udf("to_milliseconds", 1, "CAST(epoch_ms(__p_0) AS BIGINT)", "bigint"),
    "parse_duration": _parse_duration,
    "parse_data_size": _parse_data_size,
    "timezone_hour": _zone_field("timezone_hour"),
    "timezone_minute": _zone_field("timezone_minute"),
    **{name: _not_supported(name, why) for name, why in UNSUPPORTED.items()},
}
