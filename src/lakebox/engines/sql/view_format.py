"""A view's query as SHOW CREATE VIEW prints it: re-formatted by Trino's SQL formatter, not as written.

Athena answers SHOW CREATE VIEW with the stored query parsed and printed again by Trino's formatter
(`SqlFormatter` and `ExpressionFormatter`): `CREATE VIEW db.v AS SELECT a FROM t` comes back as

    CREATE VIEW db.v AS
    SELECT a
    FROM
      t

The rules kept here are Trino's: a clause per line, several select items one per line after `  `
and `, `, a FROM relation on its own line indented by two spaces, joins parenthesized, every
comparison, arithmetic, logical, IN, BETWEEN, LIKE, IS NULL and CASE in parentheses, aliases without
AS, sort items with their direction, a literal with a point printed as the double it is in Athena
(`0.5` as `5E-1`). A query using something outside these rules (window functions, lambdas, set
operations other than UNION ...) is printed as written, which is what lakebox printed before.
"""

from __future__ import annotations

import re
from decimal import Decimal

import sqlglot
from sqlglot import exp

#: Trino indents nested queries by three spaces a level.
_INDENT = "   "
_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BINARY = {exp.EQ: "=", exp.NEQ: "<>", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<=",
           exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%", exp.DPipe: "||"}
_JOIN_KINDS = {"": "INNER", "INNER": "INNER", "LEFT": "LEFT", "RIGHT": "RIGHT", "FULL": "FULL", "CROSS": "CROSS"}


class _Unformattable(Exception):
    """The query uses something these rules do not cover: it is printed as written."""


def show_create_view(database: str, name: str, original_sql: str) -> list[str]:
    """The rows (one per line) of SHOW CREATE VIEW for a view whose stored query is `original_sql`."""
    try:
        tree = sqlglot.parse_one(original_sql, read="trino")
        body = _Formatter().query(tree, 0).rstrip("\n")
    except (_Unformattable, sqlglot.errors.SqlglotError):
        body = original_sql.strip()
    return f"CREATE VIEW {_name(database)}.{_name(name)} AS\n{body}".splitlines()


def _name(identifier: str) -> str:
    return identifier if _PLAIN_NAME.match(identifier) else '"' + identifier.replace('"', '""') + '"'


def _identifier(node: exp.Expression) -> str:
    if isinstance(node, exp.Identifier):
        return '"' + node.name.replace('"', '""') + '"' if node.quoted else node.name
    raise _Unformattable(type(node).__name__)


def _double(text: str) -> str:
    """Java's DecimalFormat("0.###################E0###") of a double: `3.3E-1`, `1E2`, `7E0`."""
    value = Decimal(repr(float(text)))
    if value == 0:
        return "0E0"
    sign, digits, exponent = value.normalize().as_tuple()
    mantissa = "".join(map(str, digits))
    power = len(digits) - 1 + exponent
    return ("-" if sign else "") + mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "") + f"E{power}"


class _Formatter:
    """Trino's SqlFormatter (`query`, `select`, relations) and ExpressionFormatter (`expr`)."""
    # -- relations and queries (SqlFormatter) -------------------------------------------------------

    def query(self, node: exp.Expression, indent: int) -> str:
        pad = _INDENT * indent
        out = ""
        with_ = node.args.get("with_") or node.args.get("with")
        if with_ is not None:
            out += pad + "WITH" + (" RECURSIVE" if with_.args.get("recursive") else "") + "\n  "
            ctes = list(with_.expressions)
            for i, cte in enumerate(ctes):
                columns = cte.args["alias"].columns
                out += pad + _identifier(cte.args["alias"].this)
                if columns:
                    out += "(" + ", ".join(_identifier(c) for c in columns) + ")"
                out += " AS " + self.subquery(cte.this, indent) + "\n"
                if i < len(ctes) - 1:
                    out += ", "
        if isinstance(node, exp.Union):
            if any(node.args.get(k) is not None for k in ("order", "limit", "offset")):
                raise _Unformattable("ordered union")
            out += self.query(node.this, indent) + pad + "UNION " + ("" if node.args.get("distinct") else "ALL ")
            out += self.query(node.expression, indent).lstrip(" ")
            return out
        if not isinstance(node, exp.Select):
            raise _Unformattable(type(node).__name__)
        return out + self.select(node, indent)

    def subquery(self, node: exp.Expression, indent: int) -> str:
        return "(\n" + self.query(node, indent + 1) + _INDENT * indent + ") "

    def select(self, node: exp.Select, indent: int) -> str:
        pad = _INDENT * indent
        items = node.expressions
        out = pad + "SELECT" + (" DISTINCT" if node.args.get("distinct") else "")
        if len(items) > 1:
            for position, item in enumerate(items):
                out += "\n" + pad + ("  " if position == 0 else ", ") + self.select_item(item)
        else:
            out += " " + self.select_item(items[0])
        out += "\n"
        source = node.args.get("from_") or node.args.get("from")
        if source is not None:
            relation = self.relation(source.this, indent)
            for join in node.args.get("joins") or []:
                relation = self.join(relation, join, indent)
            out += pad + "FROM\n" + pad + "  " + relation + "\n"
        if node.args.get("where") is not None:
            out += pad + "WHERE " + self.expr(node.args["where"].this) + "\n"
        group = node.args.get("group")
        if group is not None:
            if any(group.args.get(k) for k in ("grouping_sets", "cube", "rollup")):
                raise _Unformattable("grouping sets")
            out += pad + "GROUP BY " + ", ".join(self.expr(e) for e in group.expressions) + "\n"
        if node.args.get("having") is not None:
            out += pad + "HAVING " + self.expr(node.args["having"].this) + "\n"
        order = node.args.get("order")
        if order is not None:
            out += pad + "ORDER BY " + ", ".join(self.sort_item(o) for o in order.expressions) + "\n"
        offset = node.args.get("offset")
        if offset is not None:
            out += pad + "OFFSET " + self.expr(offset.expression) + " ROWS\n"
        limit = node.args.get("limit")
        if limit is not None:
            out += pad + "LIMIT " + self.expr(limit.expression) + "\n"
        if node.args.get("qualify") is not None or node.args.get("windows"):
            raise _Unformattable("window")
        return out

    def select_item(self, item: exp.Expression) -> str:
        if isinstance(item, exp.Alias):
            return self.expr(item.this) + " " + _identifier(item.args["alias"])
        return self.expr(item)

    def sort_item(self, item: exp.Ordered) -> str:
        text = self.expr(item.this) + (" DESC" if item.args.get("desc") else " ASC")
        if item.args.get("nulls_first") is not None and _explicit_nulls(item):
            text += " NULLS FIRST" if item.args["nulls_first"] else " NULLS LAST"
        return text

    def relation(self, node: exp.Expression, indent: int) -> str:
        if isinstance(node, exp.Table):
            if node.args.get("joins") or node.args.get("pivots"):
                raise _Unformattable("table")
            text = ".".join(_identifier(part) for part in node.parts)
        elif isinstance(node, exp.Subquery):
            text = self.subquery(node.this, indent).rstrip(" ")
        else:
            raise _Unformattable(type(node).__name__)
        alias = node.args.get("alias")
        if alias is not None and alias.this is not None:
            text += " " + _identifier(alias.this)
            if alias.columns:
                text += "(" + ", ".join(_identifier(c) for c in alias.columns) + ")"
        return text

    def join(self, left: str, join: exp.Join, indent: int) -> str:
        right = self.relation(join.this, indent)
        side, kind = (join.args.get("side") or "").upper(), (join.args.get("kind") or "").upper()
        if kind == "CROSS" or (not side and not kind and join.args.get("on") is None
                               and not join.args.get("using")):
            if kind != "CROSS":  # FROM a, b
                return left + "\n" + _INDENT * indent + ", " + right
            return "(" + left + "\n" + _INDENT * indent + "CROSS JOIN " + right + ")"
        word = _JOIN_KINDS.get(side or kind)
        if word is None:
            raise _Unformattable(f"{side} {kind} join")
        text = "(" + left + "\n" + _INDENT * indent + word + " JOIN " + right
        if join.args.get("using"):
            text += " USING (" + ", ".join(_identifier(u) for u in join.args["using"]) + ")"
        elif join.args.get("on") is not None:
            text += " ON " + self.expr(join.args["on"])
        return text + ")"

    # -- expressions (ExpressionFormatter) ----------------------------------------------------------

    def expr(self, node: exp.Expression) -> str:
        if isinstance(node, exp.Paren):
            return self.expr(node.this)
        if isinstance(node, exp.Column):
            if isinstance(node.this, exp.Star):
                return (_identifier(node.args["table"]) + "." if node.args.get("table") else "") + "*"
            return ".".join(_identifier(p) for p in node.parts)
        if isinstance(node, exp.Star):
            return "*"
        if isinstance(node, exp.Literal):
            if node.is_string:
                return "'" + node.this.replace("'", "''") + "'"
            text = node.this
            return _double(text) if ("." in text or "e" in text.lower()) else text
        if isinstance(node, exp.Boolean):
            return "true" if node.this else "false"
        if isinstance(node, exp.Null):
            return "null"
        if type(node) in _BINARY:
            return "(" + self.expr(node.this) + " " + _BINARY[type(node)] + " " + self.expr(node.expression) + ")"
        if isinstance(node, (exp.And, exp.Or)):
            word = " AND " if isinstance(node, exp.And) else " OR "
            return "(" + word.join(self.expr(term) for term in node.flatten()) + ")"
        if isinstance(node, exp.Not):
            inner = node.this.this if isinstance(node.this, exp.Paren) else node.this
            if isinstance(inner, exp.Is):
                return "(" + self.expr(inner.this) + " IS NOT NULL)"
            return "(NOT " + self.expr(node.this) + ")"
        if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
            return "(" + self.expr(node.this) + " IS NULL)"
        if isinstance(node, exp.Neg):
            value = self.expr(node.this)
            return ("- " if value.startswith("-") else "-") + value
        if isinstance(node, exp.Between):
            return ("(" + self.expr(node.this) + " BETWEEN " + self.expr(node.args["low"]) + " AND "
                    + self.expr(node.args["high"]) + ")")
        if isinstance(node, exp.In):
            if node.args.get("query") is not None:
                return "(" + self.expr(node.this) + " IN (" + self.query(node.args["query"].this, 0).rstrip("\n") + "))"
            return "(" + self.expr(node.this) + " IN (" + ", ".join(self.expr(e) for e in node.expressions) + "))"
        if isinstance(node, exp.Like):
            like = "(" + self.expr(node.this) + " LIKE " + self.expr(node.expression) + ")"
            return "(NOT " + like + ")" if node.args.get("negate") else like
        if isinstance(node, exp.Escape) and isinstance(node.this, exp.Like):
            like = node.this
            return ("(" + self.expr(like.this) + " LIKE " + self.expr(like.expression) + " ESCAPE "
                    + self.expr(node.expression) + ")")
        if isinstance(node, exp.Cast):
            word = "TRY_CAST" if isinstance(node, exp.TryCast) else "CAST"
            if isinstance(node.this, exp.Literal) and node.this.is_string and _typed_literal(node):
                return node.to.this.value + " " + self.expr(node.this)
            return word + "(" + self.expr(node.this) + " AS " + node.to.sql(dialect="trino") + ")"
        if isinstance(node, exp.Case):
            parts = ["CASE"] + ([self.expr(node.this)] if node.this is not None else [])
            for when in node.args.get("ifs") or []:
                parts.append("WHEN " + self.expr(when.this) + " THEN " + self.expr(when.args["true"]))
            if node.args.get("default") is not None:
                parts += ["ELSE", self.expr(node.args["default"])]
            return "(" + " ".join(parts + ["END"]) + ")"
        if isinstance(node, exp.Interval):
            unit = node.args.get("unit")
            return "INTERVAL " + self.expr(node.this) + (" " + unit.name.upper() if unit is not None else "")
        if isinstance(node, exp.Subquery):
            return "(" + self.query(node.this, 0).rstrip("\n") + ")"
        if isinstance(node, exp.Exists):
            return "(EXISTS (" + self.query(node.this, 0).rstrip("\n") + "))"
        if isinstance(node, exp.Array):
            return "ARRAY[" + ", ".join(self.expr(e) for e in node.expressions) + "]"
        if isinstance(node, exp.Window) or node.find(exp.Window, exp.Lambda) is not None:
            raise _Unformattable("window or lambda")
        if isinstance(node, exp.Func):
            return self.function(node)
        raise _Unformattable(type(node).__name__)

    def function(self, node: exp.Func) -> str:
        """name(args) in lower case, DISTINCT kept; only calls whose arguments sqlglot keeps as
        `this` and `expressions`, in that order (others, such as date_add's unit, are not formatted)."""
        if isinstance(node, exp.Anonymous):
            name, args = node.name, list(node.expressions)
        else:
            given = {k: v for k, v in node.args.items() if v is not None and v != [] and not isinstance(v, bool)}
            if not set(given) <= {"this", "expressions"}:
                raise _Unformattable(type(node).__name__)
            name = node.sql_name()
            args = ([given["this"]] if "this" in given else []) + list(given.get("expressions") or [])
        if isinstance(node, exp.Count) and len(args) == 1 and isinstance(args[0], exp.Star):
            return "count(*)"
        distinct = ""
        if len(args) == 1 and isinstance(args[0], exp.Distinct):
            distinct, args = "DISTINCT ", list(args[0].expressions)
        return name.lower() + "(" + distinct + ", ".join(self.expr(a) for a in args) + ")"


def _typed_literal(node: exp.Cast) -> bool:
    """`DATE '2024-01-01'`, which sqlglot reads as a cast of the string (as it reads CAST('..' AS
    DATE)): printed as the typed literal, the far more common spelling."""
    return node.to.this in (exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP)


def _explicit_nulls(item: exp.Ordered) -> bool:
    """sqlglot fills nulls_first for every sort item; Trino prints NULLS only when written."""
    return bool(item.meta.get("nulls_written"))
