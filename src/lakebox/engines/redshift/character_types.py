"""CHAR(n) and VARCHAR(n) values as Redshift makes them, where DuckDB has one VARCHAR without a length
(AWS "Character types" and its "Significance of trailing blanks", CAST, LEN, OCTET_LENGTH, CONCAT):
- a CAST (or CONVERT) to VARCHAR(n) or CHAR(n) keeps the first n bytes of the text, never splitting a
  character, and CHAR(n) pads it with blanks to n bytes (`'cat'::char(6)` is 'cat   ');
- a value stored into a VARCHAR(n) or CHAR(n) column by INSERT, UPDATE or MERGE, or as a column's
  DEFAULT, that is longer than n only by blanks is cut to n, and a CHAR(n) value is padded with blanks
  to n, so that it is stored, compared and returned as Redshift returns it; a longer value is still
  refused by the column's CHECK (translate), as "value too long";
- a CHAR value's trailing blanks are not counted by LEN / LENGTH (OCTET_LENGTH counts them), and are
  removed when it is cast to another character type;
- CONCAT(a, b) is NULL when a or b is, as `a || b` is (DuckDB's CONCAT skips NULLs).
Comparisons that disregard trailing blanks are `semantics`'s (it asks `is_text` here).

A column's declared type comes from the caller's `column_types` ("CHAR(4)", "VARCHAR(20)"; a plain
"VARCHAR" is a column whose declaration lakebox did not see, left as it is). COPY stores values
through `load_checks`, by the same rules. Imports sqlglot only.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

from sqlglot import exp

_T = exp.DataType.Type
_CHAR_TYPES = {_T.CHAR, _T.NCHAR, _T.BPCHAR}
TEXT_TYPES = _CHAR_TYPES | {_T.VARCHAR, _T.NVARCHAR, _T.TEXT}
#: A declared length of MAX, in bytes (AWS: 4096 for CHAR, 65535 for VARCHAR).
_MAX = {"char": 4096, "varchar": 65535}
_VARCHAR_CAST, _CHAR_CAST = "redshift_varchar_cast", "redshift_char_cast"
_STORE = {"varchar": "redshift_varchar_store", "char": "redshift_char_store"}
#: Session macros whose result is a character value.
TEXT_MACROS = {_VARCHAR_CAST, _CHAR_CAST}

#: The macros the rewritten statements call, made on each session's connection (system_tables).
SESSION_MACROS = [
    # The longest start of s that is at most n UTF-8 bytes: a character (at most four bytes) is never
    # split, so the first of the cuts 0 to 3 bytes short of n that decodes is the one.
    "CREATE OR REPLACE TEMP MACRO redshift_cut_bytes(s, n) AS CASE WHEN strlen(s) <= n THEN s "
    "WHEN strlen(s) = length(s) THEN left(s, n) ELSE coalesce("
    + ", ".join(f"try(decode(unhex(left(hex(encode(s)), 2 * greatest(n - {back}, 0)))))" for back in range(4))
    + ") END",
    "CREATE OR REPLACE TEMP MACRO redshift_char_pad(s, n) AS s || repeat(' ', CAST(n - strlen(s) AS BIGINT))",
    f"CREATE OR REPLACE TEMP MACRO {_VARCHAR_CAST}(s, n) AS redshift_cut_bytes(CAST(s AS VARCHAR), n)",
    f"CREATE OR REPLACE TEMP MACRO {_CHAR_CAST}(s, n) AS "
    "redshift_char_pad(redshift_cut_bytes(CAST(s AS VARCHAR), n), n)",
    # A value longer than its column only by blanks loses the blanks past n (one byte each); any other
    # value is stored as it is, and a CHAR value that fits is padded to n.
    f"CREATE OR REPLACE TEMP MACRO {_STORE['varchar']}(s, n) AS CASE WHEN strlen(s) <= n OR strlen(rtrim(s)) > n "
    "THEN s ELSE left(s, length(s) - (strlen(s) - n)) END",
    f"CREATE OR REPLACE TEMP MACRO {_STORE['char']}(s, n) AS CASE WHEN strlen(rtrim(s)) <= n "
    "THEN redshift_char_pad(rtrim(s), n) ELSE s END",
]

_DECLARED = re.compile(r"character( varying)?(?:\((\d+|max)\))?", re.IGNORECASE)
_DUCK = re.compile(r"(VAR)?CHAR\((\d+)\)")


def duck_type(declared: str) -> Optional[str]:
    """The type `column_types` reports for a declared character type: `character(4)` is "CHAR(4)",
    `character varying(20)` "VARCHAR(20)", `character varying` (TEXT) "VARCHAR(256)"; None for others."""
    match = _DECLARED.fullmatch(declared.strip())
    if match is None:
        return None
    kind = "varchar" if match.group(1) else "char"
    size = match.group(2) or "256"
    length = _MAX[kind] if size.lower() == "max" else int(size)
    return f"{kind.upper()}({length})"


def character_type(duck: Optional[str]) -> Optional[tuple]:
    """("char" | "varchar", n) for a type `duck_type` made; None for any other."""
    match = _DUCK.fullmatch(duck or "")
    return ("varchar" if match.group(1) else "char", int(match.group(2))) if match else None


def stored_text(text: str, kind: str, length: int) -> str:
    """A string as a CHAR(length) or VARCHAR(length) column stores it (the macros' rule, for literals)."""
    size, kept = len(text.encode()), text.rstrip(" ")
    if kind == "char" and len(kept.encode()) <= length:
        return kept + " " * (length - len(kept.encode()))
    if kind == "varchar" and size > length and len(kept.encode()) <= length:
        return text[:len(text) - (size - length)]
    return text


def is_text(node: exp.Expression) -> bool:
    """A value that is certainly of a character type: a cast to one, or one of the casts made here."""
    if isinstance(node, exp.Cast):
        return node.to.this in TEXT_TYPES
    return isinstance(node, exp.Anonymous) and node.name.lower() in TEXT_MACROS


# -- the statement ---------------------------------------------------------------------------------

def apply(tree: exp.Expression, column_types: Optional[Callable[[exp.Table], Optional[dict]]]) -> exp.Expression:
    """The statement with its character casts, CHAR lengths, CONCATs and stored values rewritten."""
    columns = _DeclaredTypes(tree, column_types)
    if isinstance(tree, (exp.Insert, exp.Update, exp.Merge)) and column_types is not None:
        _stored_values(tree, columns)
    # Children before their parents: a cast to CHAR(n) is a CHAR value to the LENGTH or cast around it.
    for node in [n for n in reversed(list(tree.walk())) if isinstance(n, (exp.Cast, exp.Length, exp.Concat))]:
        replacement = _rewrite(node, columns)
        if replacement is not None and replacement is not node:
            tree = replacement if node is tree else tree
            node.replace(replacement)
    return tree


def _rewrite(node: exp.Expression, columns: "_DeclaredTypes") -> Optional[exp.Expression]:
    if isinstance(node, exp.Cast) and node.to.this in TEXT_TYPES and not node.find_ancestor(exp.ColumnDef):
        return _cast(node, columns)
    if isinstance(node, exp.Length) and not node.args.get("binary") and columns.is_char(node.this):
        # LEN / LENGTH / CHAR_LENGTH of a CHAR value: its trailing blanks do not count.
        node.set("this", _rtrim(node.this))
        return node
    if isinstance(node, exp.Concat) and len(node.expressions) > 1:
        # CONCAT as `||`, which is NULL when either side is.
        result = node.expressions[0]
        for argument in node.expressions[1:]:
            result = exp.DPipe(this=result, expression=argument, safe=True)
        return result
    return None


def _cast(node: exp.Cast, columns: "_DeclaredTypes") -> Optional[exp.Expression]:
    """CAST(x AS VARCHAR(n) | CHAR(n)) through the macros that cut (and pad) it; a CHAR value cast to a
    character type loses its trailing blanks first. A cast without a length keeps DuckDB's cast."""
    value = node.this
    if columns.is_char(value):
        value = _rtrim(value)
    size = node.to.expressions[0].name if node.to.expressions else ""
    char = node.to.this in _CHAR_TYPES
    if not size:
        if value is node.this or char:
            return None
        node.set("this", value)
        return node
    length = _MAX["char" if char else "varchar"] if size.lower() == "max" else int(size)
    return exp.Anonymous(this=_CHAR_CAST if char else _VARCHAR_CAST, expressions=[value, exp.Literal.number(length)])


def _rtrim(value: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="rtrim", expressions=[value])


def _stored_values(tree: exp.Expression, columns: "_DeclaredTypes") -> None:
    """The values INSERT, UPDATE and MERGE give character columns, as the columns store them."""
    if isinstance(tree, exp.Insert):
        target = tree.this
        table = target.this if isinstance(target, exp.Schema) else target
        if isinstance(table, exp.Table):
            names = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else None
            _inserted(tree, columns.table_types(table), names, columns)
    elif isinstance(tree, exp.Update) and isinstance(tree.this, exp.Table):
        _assigned(tree.expressions, columns.table_types(tree.this))
    elif isinstance(tree, exp.Merge) and isinstance(tree.this, exp.Table):
        types = columns.table_types(tree.this)
        for when in tree.find_all(exp.When):
            action = when.args.get("then")
            if isinstance(action, exp.Update):
                _assigned(action.expressions, types)
            elif isinstance(action, exp.Insert) and isinstance(action.this, exp.Tuple):
                listed = action.this.expressions
                if len(listed) == 1 and isinstance(listed[0], exp.Anonymous) and listed[0].name.upper() == "VALUES":
                    _stored_row(listed[0].expressions, [_target(types, n) for n in types])  # INSERT VALUES (...)
                elif isinstance(action.expression, exp.Tuple):
                    _stored_row(action.expression.expressions, [_target(types, c.name) for c in listed])


def _target(types: dict, name: str) -> Optional[tuple]:
    return character_type(types.get(name))


def _inserted(tree: exp.Insert, types: dict, names: Optional[list], columns: "_DeclaredTypes") -> None:
    targets = [_target(types, name) for name in (names if names else list(types))]
    if any(targets) and tree.expression is not None:
        _stored_rows(tree.expression, targets, columns)


def _stored_rows(query: exp.Expression, targets: list, columns: "_DeclaredTypes") -> None:
    """An INSERT's rows as the target columns store them, position by position: each VALUES row, and
    the projections of each SELECT of a UNION (`SELECT * FROM t` spelled out as t's columns). A SELECT
    whose width is not known here (a star over a join) is left as it is."""
    while isinstance(query, exp.Subquery):
        query = query.this
    if isinstance(query, exp.Values):
        for row in query.expressions:
            if isinstance(row, exp.Tuple):
                _stored_row(row.expressions, targets)
    elif isinstance(query, exp.SetOperation):
        _stored_rows(query.this, targets, columns)
        _stored_rows(query.expression, targets, columns)
    elif isinstance(query, exp.Select) and _spelled_out(query, columns):
        for projection, target in zip(query.expressions, targets):
            if target is None:
                continue
            value = projection.this if isinstance(projection, exp.Alias) else projection
            stored = _stored(value, target)
            if isinstance(projection, exp.Column):  # `SELECT DISTINCT c ... ORDER BY c` still names it
                stored = exp.alias_(stored, projection.name, quoted=True)
            value.replace(stored)


def _spelled_out(select: exp.Select, columns: "_DeclaredTypes") -> bool:
    """Whether the SELECT's projections are its columns, one each: a `*` over one table (not a join or
    a CTE) is replaced by that table's columns, in their order."""
    if not any(p.is_star for p in select.expressions):
        return True
    source = select.args.get("from_")
    table = source.this if source is not None else None
    if select.args.get("joins") or not isinstance(table, exp.Table) or not columns.names(table) \
            or any(p.is_star and not isinstance(p, exp.Star) for p in select.expressions):
        return False
    spelled = []
    for projection in select.expressions:
        spelled += [exp.column(n, quoted=True) for n in columns.names(table)] if isinstance(projection, exp.Star) \
            else [projection]
    select.set("expressions", spelled)
    return True


def _assigned(assignments: list, types: dict) -> None:
    for assignment in assignments:
        if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column):
            target = _target(types, assignment.this.name)
            if target is not None:
                assignment.set("expression", _stored(assignment.expression, target))


def _stored_row(values: list, targets: list) -> None:
    for value, target in zip(list(values), targets):
        if target is not None:
            value.replace(_stored(value, target))


def _stored(value: exp.Expression, target: tuple) -> exp.Expression:
    if isinstance(value, exp.Literal) and value.is_string:
        return exp.Literal.string(stored_text(value.this, *target))
    if isinstance(value, (exp.Null, exp.Var)) or (isinstance(value, exp.Column) and not value.table
                                                   and value.name.upper() == "DEFAULT"):
        return value
    value = value.copy()
    text = value if is_text(value) or isinstance(value, exp.DPipe) else exp.cast(value, "VARCHAR")
    return exp.Anonymous(this=_STORE[target[0]], expressions=[text, exp.Literal.number(target[1])])


def stored_default(column: exp.ColumnDef, declared: str) -> None:
    """A character column's DEFAULT literal as the column stores it (CHAR's padded, blanks past n cut);
    `declared` is its type as the catalog shows it (`character(4)`)."""
    target = character_type(duck_type(declared))
    for constraint in column.constraints if target else []:
        default = constraint.kind
        if isinstance(default, exp.DefaultColumnConstraint) and isinstance(default.this, exp.Literal) \
                and default.this.is_string:
            default.set("this", exp.Literal.string(stored_text(default.this.this, *target)))


class _DeclaredTypes:
    """The declared character types of a statement's columns, from the tables it names."""

    def __init__(self, tree: exp.Expression, column_types: Optional[Callable[[exp.Table], Optional[dict]]]):
        self._column_types = column_types
        self._tables: dict = {}
        self._ctes: set = set()
        if column_types is None:
            return
        self._ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        # An INSERT's target is not a table its query reads.
        target = tree.this if isinstance(tree, exp.Insert) else None
        target = target.this if isinstance(target, exp.Schema) else target
        for table in tree.find_all(exp.Table):
            if self._known(table) and table is not target:
                self._tables.setdefault(table.alias_or_name, table)

    def _known(self, table: exp.Table) -> bool:
        return bool(table.name) and table.name not in self._ctes and isinstance(table.this, exp.Identifier) \
            and not table.args.get("catalog")

    def table_types(self, table: exp.Table) -> dict:
        return (self._column_types(table) or {}) if self._column_types is not None else {}

    def names(self, table: exp.Table) -> list:
        """The columns of a table the statement reads (not a CTE of its own), in their order."""
        return list(self.table_types(table)) if self._tables and self._known(table) else []

    def is_char(self, node: exp.Expression) -> bool:
        """A CHAR value: a cast to CHAR(n), or a CHAR column of the tables named (without ambiguity)."""
        if isinstance(node, exp.Anonymous):
            return node.name.lower() == _CHAR_CAST
        if not isinstance(node, exp.Column) or not node.name or not self._tables:
            return False
        if node.table:
            tables = [self._tables[node.table]] if node.table in self._tables else []
        else:
            tables = list(self._tables.values())
        found = {_target(types, node.name) for types in map(self.table_types, tables) if node.name in types}
        return len(found) == 1 and (found.pop() or ("",))[0] == "char"
