"""Redshift's SUPER values on DuckDB's JSON type: PartiQL navigation and unnesting, dynamic typing,
and the SUPER functions.

A SUPER column is a JSON column here, and DuckDB already navigates JSON the way PartiQL does:
`c.orders[0].status` reads into objects and arrays, and a path that leads nowhere is NULL. What
needs a rewrite:
- subscripts are 0-based in both, but sqlglot shifts a subscript it cannot type by one for DuckDB's
  1-based lists; a subscript on a SUPER value keeps its index;
- `FROM t, t.arr AS x [AT i]` iterates an array's elements (and 0-based positions), and
  `FROM t, UNPIVOT t.obj AS v AT k` an object's values and keys. A value that is not an array (or not
  an object) gives no rows, as Redshift's lax mode does;
- dynamic typing: a SUPER string compared with (or cast to) text is its characters, not its JSON
  spelling with quotes;
- ARRAY(...) and OBJECT(...) build SUPER values, and the SUPER functions Redshift documents
  (JSON_TYPEOF, JSON_SIZE, GET_ARRAY_LENGTH, SUBARRAY, ARRAY_CONCAT, ARRAY_FLATTEN, the IS_* type
  checks, CAN_JSON_PARSE) are session macros.

Which expressions are SUPER is known from the statement alone: columns the tables declare SUPER,
the functions that return SUPER, casts to SUPER, PartiQL aliases and any navigation from those.
Imports sqlglot only.
"""

from __future__ import annotations

import json
from typing import Callable, Optional

from sqlglot import exp

#: DuckDB's name for each JSON value type, as JSON_TYPEOF names it.
_TYPE_NAMES = ("CASE json_type(j) WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array' WHEN 'VARCHAR' THEN "
               "'string' WHEN 'BOOLEAN' THEN 'boolean' WHEN 'NULL' THEN 'null' ELSE 'number' END")
_INTEGRAL = "json_type(j) IN ('BIGINT', 'UBIGINT', 'HUGEINT')"


def _integer_within(bits: int) -> str:
    return (f"CASE WHEN {_INTEGRAL} THEN TRY_CAST(CAST(j AS VARCHAR) AS HUGEINT) BETWEEN "
            f"{-(2 ** (bits - 1))} AND {2 ** (bits - 1) - 1} ELSE false END")


#: The SUPER functions, made on each session (system_tables). A SQL NULL argument gives NULL.
SESSION_MACROS = [
    f"CREATE OR REPLACE TEMP MACRO json_typeof(j) AS {_TYPE_NAMES}",
    # Bytes of the value's serialized form (JSON_PARSE keeps it minified, as Redshift serializes).
    "CREATE OR REPLACE TEMP MACRO json_size(j) AS CAST(strlen(CAST(j AS VARCHAR)) AS INTEGER)",
    "CREATE OR REPLACE TEMP MACRO is_array(j) AS json_type(j) = 'ARRAY'",
    "CREATE OR REPLACE TEMP MACRO is_object(j) AS json_type(j) = 'OBJECT'",
    "CREATE OR REPLACE TEMP MACRO is_scalar(j) AS json_type(j) NOT IN ('ARRAY', 'OBJECT')",
    "CREATE OR REPLACE TEMP MACRO is_varchar(j) AS json_type(j) = 'VARCHAR'",
    # IS_CHAR: a string of ASCII characters only.
    "CREATE OR REPLACE TEMP MACRO is_char(j) AS json_type(j) = 'VARCHAR' AND "
    "regexp_full_match(json_extract_string(j, '$'), '[\\x00-\\x7F]*')",
    "CREATE OR REPLACE TEMP MACRO is_boolean(j) AS json_type(j) = 'BOOLEAN'",
    f"CREATE OR REPLACE TEMP MACRO is_smallint(j) AS {_integer_within(16)}",
    f"CREATE OR REPLACE TEMP MACRO is_integer(j) AS {_integer_within(32)}",
    f"CREATE OR REPLACE TEMP MACRO is_bigint(j) AS {_integer_within(64)}",
    # A JSON number with a fraction or an exponent is a float; any number is a decimal's value.
    "CREATE OR REPLACE TEMP MACRO is_float(j) AS json_type(j) = 'DOUBLE'",
    "CREATE OR REPLACE TEMP MACRO is_decimal(j) AS json_type(j) IN ('BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE')",
    "CREATE OR REPLACE TEMP MACRO get_array_length(j) AS "
    "CASE WHEN json_type(j) = 'ARRAY' THEN CAST(json_array_length(j) AS INTEGER) END",
    # The elements of an array (none for any other value) and the members of an object (none for
    # any other value): what PartiQL's FROM iterates.
    "CREATE OR REPLACE TEMP MACRO redshift_super_elements(j) AS "
    "CASE WHEN json_type(j) = 'ARRAY' THEN CAST(j AS JSON[]) ELSE CAST([] AS JSON[]) END",
    "CREATE OR REPLACE TEMP MACRO redshift_super_members(j) AS CASE WHEN json_type(j) = 'OBJECT' "
    "THEN CAST(j AS MAP(VARCHAR, JSON)) ELSE CAST(MAP() AS MAP(VARCHAR, JSON)) END",
    # SUBARRAY(array, start, length): 0-based start; past either end gives what is there.
    "CREATE OR REPLACE TEMP MACRO subarray(j, start, len) AS CASE WHEN json_type(j) = 'ARRAY' THEN "
    "to_json(list_slice(CAST(j AS JSON[]), start + 1, start + len)) END",
    "CREATE OR REPLACE TEMP MACRO redshift_array_concat(a, b) AS CASE WHEN json_type(a) = 'ARRAY' AND "
    "json_type(b) = 'ARRAY' THEN to_json(list_concat(CAST(a AS JSON[]), CAST(b AS JSON[]))) END",
    "CREATE OR REPLACE TEMP MACRO array_flatten(j) AS CASE WHEN json_type(j) = 'ARRAY' THEN "
    "CAST(redshift_array_flatten(CAST(j AS VARCHAR)) AS JSON) END",
    "CREATE OR REPLACE TEMP MACRO can_json_parse(text) AS coalesce(json_valid(text), false)",
    # A SUPER value as text: a string's characters, any other value its JSON spelling.
    "CREATE OR REPLACE TEMP MACRO redshift_super_text(j) AS "
    "CASE WHEN json_type(j) = 'VARCHAR' THEN json_extract_string(j, '$') ELSE CAST(j AS VARCHAR) END",
]

def array_flatten(text: str) -> str:
    """ARRAY_FLATTEN: the elements of an array and of the arrays nested in it, at any depth, in order."""
    flat: list = []

    def walk(value) -> None:
        for item in value:
            if isinstance(item, list):
                walk(item)
            else:
                flat.append(item)

    walk(json.loads(text))
    return json.dumps(flat, separators=(",", ":"), ensure_ascii=False)


#: Python functions the macros call, made on each session (system_tables):
#: (name, function, argument types, result type).
SESSION_FUNCTIONS = [("redshift_array_flatten", array_flatten, ["VARCHAR"], "VARCHAR")]

#: Functions whose result is a SUPER value.
_SUPER_FUNCTIONS = {"json_parse", "subarray", "array_concat", "array_flatten", "object", "array",
                    "json_array", "json_object"}
_TEXT_TYPES = {exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR, exp.DataType.Type.NCHAR,
               exp.DataType.Type.NVARCHAR, exp.DataType.Type.TEXT, exp.DataType.Type.BPCHAR}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)

ColumnTypes = Callable[[exp.Table], Optional[dict]]


def apply(tree: exp.Expression, column_types: Optional[ColumnTypes]) -> exp.Expression:
    """Rewrite the SUPER constructs of a parsed statement (see the module's docstring)."""
    if not _mentions_super(tree):
        return tree
    names = _super_names(tree, column_types)
    for join in list(tree.find_all(exp.Join)):
        replacement = _partiql_source(join.this, names)
        if replacement is not None:
            join.set("this", replacement)
    return tree.transform(lambda node: _rewrite(node, names))


def _mentions_super(tree: exp.Expression) -> bool:
    """Cheap test first, before the tables' columns are looked up: whether the statement has any
    construct this module may rewrite."""
    for node in tree.walk():
        if isinstance(node, (exp.Bracket, exp.Unnest, exp.AtIndex, exp.Array, exp.ArrayConcat, exp.Dot)):
            return True
        if isinstance(node, exp.Cast) and node.to.this in _TEXT_TYPES:
            return True
        if isinstance(node, _COMPARISONS) and any(isinstance(side, exp.Literal) and side.is_string
                                                  for side in (node.this, node.expression)):
            return True
        if isinstance(node, exp.Anonymous) and node.name.lower() in _SUPER_FUNCTIONS:
            return True
    return False


def _super_names(tree: exp.Expression, column_types: Optional[ColumnTypes]) -> set:
    """Lower-case names that stand for SUPER values in this statement: the SUPER columns of the
    tables it reads, and the aliases its PartiQL FROM items give (elements, values)."""
    names: set = set()
    if column_types is not None:
        for table in tree.find_all(exp.Table):
            if table.name and isinstance(table.this, exp.Identifier):
                for name, kind in (column_types(table) or {}).items():
                    if str(kind).upper() == "JSON":
                        names.add(name.lower())
    for unnest in tree.find_all(exp.Unnest):
        alias = unnest.args.get("alias")
        if alias is not None and alias.columns and _is_super(unnest.expressions[0], names):
            names.add(alias.columns[0].name.lower())
    for at in tree.find_all(exp.AtIndex):
        if isinstance(at.this, exp.Alias):
            names.add(at.this.alias.lower())
    for alias in tree.find_all(exp.Alias):
        if _is_super(alias.this, names):
            names.add(alias.alias.lower())
    return names


def _is_super(node: Optional[exp.Expression], names: set) -> bool:
    """Whether `node` is a SUPER value: a SUPER column or alias, a SUPER function's result, a cast to
    SUPER, or a navigation into one of those."""
    if node is None:
        return False
    if isinstance(node, exp.Paren):
        return _is_super(node.this, names)
    if isinstance(node, exp.Column):
        # `c.orders` names column orders of c, or navigates into SUPER column (or alias) c; a longer
        # path (`c.orders.status.code`) is a navigation when any part of it is SUPER.
        return any(part.name.lower() in names for part in node.parts)
    if isinstance(node, exp.Dot):
        return _is_super(node.this, names) or (isinstance(node.this, exp.Column) and node.this.table == "")
    if isinstance(node, exp.Bracket):
        return _is_super(node.this, names)
    if isinstance(node, exp.Cast):
        return node.to.this in (exp.DataType.Type.SUPER, exp.DataType.Type.JSON)
    if isinstance(node, exp.ParseJSON):
        return True
    if isinstance(node, exp.Array):
        return not node.args.get("bracket_notation")
    if isinstance(node, exp.ArrayConcat):
        return True
    if isinstance(node, exp.Anonymous):
        return node.name.lower() in _SUPER_FUNCTIONS
    return False


def _partiql_source(source: exp.Expression, names: set) -> Optional[exp.Expression]:
    """A FROM item iterating a SUPER value, as a LATERAL subquery of DuckDB's (which keeps the
    elements in order); None for any other item. Its columns are the aliases the item gives."""
    if isinstance(source, exp.Unnest) and len(source.expressions) == 1 and _is_path(source.expressions[0]):
        alias = source.args.get("alias")
        if alias is None or len(alias.columns) != 1:
            return None
        # `t.arr AS x`, as sqlglot reads it.
        value, element, position, unpivot = source.expressions[0], alias.columns[0].name, None, False
    else:
        unpivot = bool(isinstance(source, exp.Pivot) and source.args.get("unpivot"))
        at = source.this if unpivot else source
        if not isinstance(at, exp.AtIndex) or not isinstance(at.this, exp.Alias):
            return None
        value, element, position = at.this.this, at.this.alias, at.expression.name
    if unpivot:
        members = exp.Anonymous(this="redshift_super_members", expressions=[value.copy()])
        columns = [(exp.Anonymous(this="map_values", expressions=[members]), element),
                   (exp.Anonymous(this="map_keys", expressions=[members.copy()]), position)]
    else:
        elements = exp.Anonymous(this="redshift_super_elements", expressions=[value.copy()])
        columns = [(elements, element)]
        if position:
            count = exp.Anonymous(this="len", expressions=[elements.copy()])
            columns.append((exp.Anonymous(this="range", expressions=[count]), position))
    rows = exp.select(*(exp.alias_(exp.Unnest(expressions=[listed]), name, quoted=True) for listed, name in columns))
    alias = exp.TableAlias(this=exp.to_identifier(f"_partiql_{element}"))
    return exp.Lateral(this=exp.Subquery(this=rows), alias=alias)


def _is_path(node: exp.Expression) -> bool:
    return isinstance(node, (exp.Column, exp.Dot, exp.Bracket))


def _rewrite(node: exp.Expression, names: set) -> exp.Expression:
    if isinstance(node, exp.Bracket) and _is_super(node.this, names):
        # A SUPER subscript is 0-based in DuckDB's JSON too: no shift for a 1-based list.
        node.set("offset", 1)
        return node
    if isinstance(node, exp.Array) and not node.args.get("bracket_notation"):
        # ARRAY(a, b, ...) builds a SUPER array (ARRAY[...] is Postgres's, which catalog queries use).
        return exp.Anonymous(this="json_array", expressions=list(node.expressions))
    if isinstance(node, exp.Anonymous) and node.name.lower() == "object":
        return exp.Anonymous(this="json_object", expressions=list(node.expressions))
    if isinstance(node, exp.ArrayConcat) or (isinstance(node, exp.Anonymous) and node.name.lower() == "array_concat"):
        # DuckDB's own array_concat joins lists; Redshift's joins two SUPER arrays.
        return exp.Anonymous(this="redshift_array_concat", expressions=[node.this, *node.expressions]
                             if isinstance(node, exp.ArrayConcat) else list(node.expressions))
    if isinstance(node, exp.Cast) and node.to.this in _TEXT_TYPES and _is_super(node.this, names):
        text = exp.Anonymous(this="redshift_super_text", expressions=[node.this])
        return exp.Cast(this=text, to=node.to) if node.to.expressions else text
    if isinstance(node, _COMPARISONS):
        # Dynamic typing: a SUPER string compared with text compares its characters.
        for super_side, other in ((node.this, node.expression), (node.expression, node.this)):
            if isinstance(other, exp.Literal) and other.is_string and _is_super(super_side, names):
                super_side.replace(exp.Anonymous(this="redshift_super_text", expressions=[super_side.copy()]))
                break
    return node
