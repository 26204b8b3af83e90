"""Translation rules for Trino's scalar math, string and JSON functions that DuckDB names or answers
differently: codepoint, normalize, regexp_position, width_bucket, from_base, infinity/nan,
random(n), sign, cbrt, current_timezone, every, json_array_contains, json_size, json_array_get and CAST of a
string to JSON.

Builders take the typed sqlglot node of the Trino call and return the DuckDB expression with
Trino's answer and type; `translate.RULES` merges `SCALAR_RULES`. Imports sqlglot and this package.
"""

from __future__ import annotations

from sqlglot import exp

from . import python_functions, trino_types
from .sql_template import template, typed

_INTEGRAL = {exp.DataType.Type.TINYINT, exp.DataType.Type.SMALLINT, exp.DataType.Type.INT,
             exp.DataType.Type.BIGINT}


def _codepoint(node: exp.Expression) -> exp.Expression:
    return typed(template("CAST(unicode(__p_s) AS INTEGER)", s=node.expressions[0]), "integer")


def _normalize(node: exp.Normalize) -> exp.Expression:
    """NFC, Trino's default form, is DuckDB's nfc_normalize; NFD, NFKC and NFKD are computed in Python."""
    form = node.args.get("form")
    name = str(form.name if isinstance(form, exp.Expression) else form).upper() if form else "NFC"
    if name != "NFC":
        return python_functions.normalized(node.this, name)
    return typed(template("nfc_normalize(__p_s)", s=node.this), "varchar")


def _regexp_position(node: exp.Expression) -> exp.Expression:
    """1-based position of the first match, or -1 (the 3-argument form starts at a position)."""
    args = node.expressions
    text, pattern = args[0], args[1]
    if len(args) >= 3:
        start = args[2]
        found = template(
            "CASE WHEN regexp_matches(substr(__p_s, __p_n), __p_p) "
            "THEN length(regexp_split_to_array(substr(__p_s, __p_n), __p_p)[1]) + __p_n ELSE -1 END",
            s=text, p=pattern, n=start)
    else:
        found = template("CASE WHEN regexp_matches(__p_s, __p_p) "
                          "THEN length(regexp_split_to_array(__p_s, __p_p)[1]) + 1 ELSE -1 END", s=text, p=pattern)
    return typed(template("CAST(__p_x AS INTEGER)", x=found), "integer")


def _width_bucket(node: exp.WidthBucket) -> exp.Expression:
    """Equal-width histogram bucket of x in [bound1, bound2) with n buckets; 0 below, n+1 above."""
    return typed(template(
        "CAST(CASE WHEN __p_x < __p_lo THEN 0 WHEN __p_x >= __p_hi THEN __p_n + 1 "
        "ELSE floor((__p_x - __p_lo) * __p_n / (__p_hi - __p_lo)) + 1 END AS BIGINT)",
        x=node.this, lo=node.args["min_value"], hi=node.args["max_value"], n=node.args["num_buckets"]), "bigint")


def _from_base(node: exp.FromBase) -> exp.Expression:
    """Digits 0-9 then a-z, in any radix 2..36, as Trino reads them."""
    return typed(template(
        "list_reduce(list_transform(string_split(lower(__p_s), ''), "
        "lambda c: CAST(instr('0123456789abcdefghijklmnopqrstuvwxyz', c) - 1 AS BIGINT)), "
        "lambda acc, d: acc * __p_r + d, CAST(0 AS BIGINT))", s=node.this, r=node.expression), "bigint")


def _constant(sql: str) -> callable:
    def build(node: exp.Expression) -> exp.Expression:
        return typed(template(sql), "double")
    return build


def _random(node: exp.Rand) -> exp.Expression:
    """random(n) is 0 <= x < n, of n's integer type (sqlglot reads the n as a seed); an n that is not
    positive fails the query, as Trino's `bound must be positive`."""
    bound = node.this
    if bound is None:
        return node
    kind = bound.type.sql("duckdb") if bound.type is not None and bound.type.this in _INTEGRAL else "BIGINT"
    return template(f"CASE WHEN __p_n <= 0 THEN error('INVALID_FUNCTION_ARGUMENT: bound must be positive') "
                    f"ELSE CAST(floor(random() * __p_n) AS {kind}) END", n=bound)


def _sign(node: exp.Sign) -> exp.Expression:
    """sign keeps its argument's type in Trino (integer -> integer, decimal(2,1) -> -1.0); DuckDB
    answers a tinyint."""
    kind = node.this.type
    if trino_types.is_decimal(node.this) and trino_types.decimal_of(node.this) is not None:
        kind = trino_types.build_type("DECIMAL(%d,%d)" % trino_types.decimal_of(node.this))
    elif kind is None or (kind.this not in _INTEGRAL and kind.this != exp.DataType.Type.DOUBLE):
        return node
    cast = exp.Cast(this=node, to=kind.copy())
    cast.type = kind.copy()
    return cast


def _cbrt(node: exp.Cbrt) -> exp.Expression:
    """Java's cube root (Trino's) is exact for a perfect cube, where the C library's may be one ulp
    off (cbrt(27) = 3.0000000000000004): a root whose rounded value cubes back to x is that value."""
    return typed(template(
        "CASE WHEN round(cbrt(__p_x)) * round(cbrt(__p_x)) * round(cbrt(__p_x)) = CAST(__p_x AS DOUBLE) "
        "THEN round(cbrt(__p_x)) ELSE cbrt(__p_x) END", x=node.this), "double")


def _current_timezone(node: exp.Expression) -> exp.Expression:
    """Athena's sessions run in UTC."""
    return typed(exp.Literal.string("UTC"), "varchar")


def _every(node: exp.Expression) -> exp.Expression:
    return typed(template("bool_and(__p_x)", x=node.expressions[0]), "boolean")


def _json_array_contains(node: exp.Expression) -> exp.Expression:
    return typed(template("json_contains(CAST(__p_j AS JSON), to_json(__p_v))",
                            j=node.this, v=node.expression), "boolean")


def _json_size(node: exp.Expression) -> exp.Expression:
    """The size of the array or object at the path; 0 for a scalar, NULL where nothing is."""
    json, path = node.expressions
    return typed(template(
        "CAST(CASE json_type(CAST(__p_j AS JSON), __p_p) WHEN 'ARRAY' THEN json_array_length(CAST(__p_j AS JSON), __p_p) "
        "WHEN 'OBJECT' THEN len(json_keys(CAST(__p_j AS JSON), __p_p)) WHEN NULL THEN NULL ELSE 0 END AS BIGINT)",
        j=json, p=path), "bigint")


def _cast(node: exp.Cast) -> exp.Expression:
    """Trino's CAST of a varchar to JSON makes a JSON string of it (`'{"a":1}'` -> `"{\\"a\\":1}"`),
    where DuckDB parses the text; json_parse is the function that parses. A double cast to varchar
    is written as Java writes it (python_functions)."""
    source = node.this.type
    if node.to.this == exp.DataType.Type.VARCHAR and not node.to.expressions and source is not None \
            and source.this == exp.DataType.Type.DOUBLE:
        return typed(template("lakebox_double_text(__p_v)", v=node.this), "varchar")
    text = (isinstance(node.this, exp.Literal) and node.this.is_string) or (
        source is not None and source.is_type(*exp.DataType.TEXT_TYPES))
    if node.to.is_type(exp.DataType.Type.JSON) and text:
        return typed(template("to_json(__p_v)", v=node.this), "json")
    return node


def _json_array_get(node: exp.Expression) -> exp.Expression:
    """The element at a 0-based index, negative counting from the end; NULL out of range."""
    json, index = node.expressions
    return typed(template(
        "json_extract(CAST(__p_j AS JSON), '$[' || CASE WHEN __p_i >= 0 THEN CAST(__p_i AS VARCHAR) "
        "ELSE '#' || CAST(__p_i AS VARCHAR) END || ']')", j=json, i=index), "json")


SCALAR_RULES: dict = {
    "codepoint": _codepoint,
    exp.Normalize: _normalize,
    "regexp_position": _regexp_position,
    exp.WidthBucket: _width_bucket,
    exp.FromBase: _from_base,
    "infinity": _constant("CAST('infinity' AS DOUBLE)"),
    "nan": _constant("CAST('nan' AS DOUBLE)"),
    exp.Rand: _random,
    exp.Sign: _sign,
    exp.Cbrt: _cbrt,
    exp.CurrentTimezone: _current_timezone,
    "every": _every,
    exp.JSONArrayContains: _json_array_contains,
    "json_size": _json_size,
    "json_array_get": _json_array_get,
    exp.Cast: _cast,
}
