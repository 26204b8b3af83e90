"""INTERVAL YEAR TO MONTH and INTERVAL DAY TO SECOND in statements: what DuckDB runs for them, and which
result columns are of these types.

DuckDB has one INTERVAL type, which a column of either Redshift type is stored as (months only, or
microseconds only); the declared type is in the catalog (`_lakebox.table_design`), from which the
caller's `column_types` reports such a column as "INTERVAL YEAR TO MONTH" or "INTERVAL DAY TO SECOND".
So that values and results keep Redshift's types (clients decode OIDs 1188 and 1190), the rules here:
- spell the type names `intervaly2m` and `intervald2s` as the qualified types sqlglot reads, and a
  literal with a qualifier (`INTERVAL '1-8' YEAR TO MONTH`) as a CAST to its type;
- turn a CAST to a qualified interval into the session functions that read Redshift's interval
  text (`intervals`), since DuckDB's reader knows neither `'1-2'` nor `'10 23:59:59'`;
- read the values INSERT ... VALUES and UPDATE ... SET give such a column the same way, with the
  column's qualifier (an INTERVAL HOUR TO MINUTE column drops seconds);
- make a date plus or minus a YEAR TO MONTH interval a date, and print these types as Redshift
  does when cast to text;
- type each result column, and send one of these types as its months or microseconds, which the
  database turns into `intervals.YearToMonth` or `DayToSecond` values.
Imports sqlglot and this package.
"""

from __future__ import annotations

from typing import Callable, Optional

from sqlglot import exp
from sqlglot.tokens import TokenType

from . import intervals
from .intervals import D2S, Y2M

#: The Python functions the rewritten casts call (made on each session, with semantics.SESSION_FUNCTIONS).
SESSION_FUNCTIONS = [
    ("redshift_interval_months", intervals.year_to_month, ["VARCHAR", "VARCHAR"], "INTEGER"),
    ("redshift_interval_micros", intervals.day_to_second, ["VARCHAR", "VARCHAR"], "BIGINT"),
    ("redshift_interval_months_text", lambda months: str(intervals.YearToMonth(months)), ["BIGINT"], "VARCHAR"),
    ("redshift_interval_micros_text", lambda micros: str(intervals.DayToSecond(micros)), ["BIGINT"], "VARCHAR"),
]
_TEXT_TYPES = {exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT, exp.DataType.Type.CHAR, exp.DataType.Type.NVARCHAR,
               exp.DataType.Type.NCHAR, exp.DataType.Type.BPCHAR}
_TYPE_NAMES = {Y2M: "INTERVAL YEAR TO MONTH", D2S: "INTERVAL DAY TO SECOND"}
_KIND = "redshift_interval_kind"
#: The relations lakebox makes for a statement's system views and Spectrum tables, which hold no
#: column of these types: their types are not asked for.
_OWN_RELATIONS = ("__system_", "__spectrum_")
_DATE = "date"
_FULL = {Y2M: "YEAR TO MONTH", D2S: "DAY TO SECOND"}


def spell_type_names(sql: str, tokens: list) -> str:
    """`intervaly2m` and `intervald2s` where a type is expected (after `::`, after AS in a CAST, after a
    column's name in CREATE TABLE or ALTER TABLE) as `INTERVAL YEAR TO MONTH` / `INTERVAL DAY TO SECOND`;
    a literal with a qualifier (`INTERVAL '1-8' YEAR TO MONTH`, of the qualified type) as a CAST, which
    sqlglot reads whatever the quoted text holds (it splits `'2 days 1:1:1'` at its unit)."""
    cuts = []
    ddl = bool(tokens) and tokens[0].text.upper() in ("CREATE", "ALTER")
    for i, token in enumerate(tokens):
        literal = _qualified_literal(tokens, i)
        if literal is not None:
            end, qualifier = literal
            quoted = "'" + tokens[i + 1].text.replace("'", "''") + "'"
            cuts.append((token.start, tokens[end].end, f"CAST({quoted} AS INTERVAL {qualifier})"))
            continue
        name = token.text.lower()
        if name not in _TYPE_NAMES or token.token_type == TokenType.STRING or i == 0:
            continue
        before = tokens[i - 1]
        if before.token_type == TokenType.DCOLON or (before.token_type == TokenType.ALIAS and _in_cast(tokens, i)) \
                or (ddl and before.token_type in (TokenType.VAR, TokenType.IDENTIFIER)):
            cuts.append((token.start, token.end, _TYPE_NAMES[name]))
    for start, end, text in reversed(cuts):
        sql = sql[:start] + text + sql[end + 1:]
    return sql


_FIELDS = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"}


def _qualified_literal(tokens: list, i: int) -> Optional[tuple]:
    """(index of its last token, qualifier) of `INTERVAL 'text' field [TO field] [(precision)]` at token i."""
    if tokens[i].text.upper() != "INTERVAL" or i + 2 >= len(tokens) or tokens[i + 1].token_type != TokenType.STRING \
            or tokens[i + 2].text.upper() not in _FIELDS:
        return None
    end, qualifier = i + 2, tokens[i + 2].text.upper()
    if end + 2 < len(tokens) and tokens[end + 1].text.upper() == "TO" and tokens[end + 2].text.upper() in _FIELDS:
        end, qualifier = end + 2, f"{qualifier} TO {tokens[end + 2].text.upper()}"
    if end + 3 < len(tokens) and tokens[end + 1].token_type == TokenType.L_PAREN \
            and tokens[end + 2].token_type == TokenType.NUMBER and tokens[end + 3].token_type == TokenType.R_PAREN:
        end += 3  # the seconds' precision: DuckDB keeps microseconds
    return end, qualifier


def _in_cast(tokens: list, i: int) -> bool:
    """Whether token i is inside the parentheses of CAST( or CONVERT(."""
    depth = 0
    for j in range(i - 1, 0, -1):
        kind = tokens[j].token_type
        if kind == TokenType.R_PAREN:
            depth += 1
        elif kind == TokenType.L_PAREN:
            if depth == 0:
                return tokens[j - 1].text.upper() in ("CAST", "TRY_CAST", "CONVERT")
            depth -= 1
    return False


def interval_kind(data_type) -> Optional[str]:
    """Y2M or D2S for a qualified interval type (a sqlglot DataType or a type name), else None."""
    if isinstance(data_type, exp.DataType):
        unit = data_type.this.args.get("unit") if isinstance(data_type.this, exp.Interval) else None
        if unit is None:
            return None
        leading = unit.this if isinstance(unit, exp.IntervalSpan) else unit
        return Y2M if leading.name.upper() in ("YEAR", "MONTH") else D2S
    words = str(data_type or "").upper().split()
    if len(words) < 2 or words[0] != "INTERVAL":
        return {"INTERVALY2M": Y2M, "INTERVALD2S": D2S}.get(words[0]) if words else None
    return Y2M if words[1] in ("YEAR", "MONTH") else D2S


def _qualifier(data_type: exp.DataType) -> str:
    unit = data_type.this.args["unit"]
    if isinstance(unit, exp.IntervalSpan):
        return f"{unit.this.name.upper()} TO {unit.expression.name.upper()}"
    return unit.name.upper()


def _from_text(value: exp.Expression, kind: str, qualifier: str) -> exp.Expression:
    """DuckDB's INTERVAL of `value` read as Redshift reads interval text (a NULL stays NULL)."""
    function, make = (("redshift_interval_months", "to_months") if kind == Y2M
                      else ("redshift_interval_micros", "to_microseconds"))
    read = exp.Anonymous(this=function, expressions=[exp.cast(value, "VARCHAR"), exp.Literal.string(qualifier)])
    made = exp.Anonymous(this=make, expressions=[read])
    made.meta[_KIND] = kind
    return made


def apply(tree: exp.Expression, column_types: Optional[Callable[[exp.Table], Optional[dict]]]
          ) -> tuple[exp.Expression, dict]:
    """The statement rewritten for DuckDB, and {result column index: Y2M or D2S}."""
    if not _may_hold_intervals(tree):
        return tree, {}
    columns = _ColumnKinds(tree, column_types)
    for node in reversed(list(tree.find_all(exp.Cast))):  # the innermost first: '1-2'::intervaly2m::text
        kind = interval_kind(node.to)
        if kind is not None:
            replacement = _from_text(node.this.copy(), kind, _qualifier(node.to))
        elif node.to.this in _TEXT_TYPES and columns.kind_of(node.this):
            replacement = exp.cast(_as_text(node.this.copy(), columns.kind_of(node.this)), node.to.copy())
        else:
            continue
        if node is tree:
            return replacement, {}
        node.replace(replacement)
    for node in list(tree.find_all(exp.Add, exp.Sub)):
        # A date plus or minus a YEAR TO MONTH interval is a date (AWS's interval arithmetic tables).
        if Y2M in (columns.kind_of(node.this), columns.kind_of(node.expression)) \
                and _DATE in (columns.date_kind(node.this), columns.date_kind(node.expression)):
            node.replace(exp.cast(node.copy(), "DATE"))
    if isinstance(tree, exp.Insert):
        _cast_inserted_values(tree, columns)
    if isinstance(tree, exp.Update):
        for assignment in tree.expressions:
            if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column):
                _cast_assigned(assignment.expression, assignment.this, columns)
    selects = _result_selects(tree)
    for select in selects:
        _expand_star(select, columns)
    # A column is sent as an interval type only when every branch of a UNION agrees on it.
    branch_kinds = [[columns.kind_of(p) for p in select.expressions] for select in selects]
    found = {index: kinds[0] for index, kinds in enumerate(zip(*branch_kinds))
             if kinds[0] is not None and len(set(kinds)) == 1}
    for select in selects:
        for index, projection in enumerate(select.expressions):
            if index not in found:
                continue
            value = projection.this if isinstance(projection, exp.Alias) else projection
            sent = (_months(value.copy()) if found[index] == Y2M
                    else exp.Anonymous(this="epoch_us", expressions=[value.copy()]))
            projection.replace(exp.alias_(sent, projection.output_name or "?column?", quoted=True))
    return tree, found


def _as_text(value: exp.Expression, kind: str) -> exp.Expression:
    """An interval of Redshift's types as Redshift prints it (`1 year 2 mons`, DuckDB's `1 year 2 months`)."""
    if kind == Y2M:
        return exp.Anonymous(this="redshift_interval_months_text", expressions=[_months(value)])
    return exp.Anonymous(this="redshift_interval_micros_text",
                         expressions=[exp.Anonymous(this="epoch_us", expressions=[value])])


def _may_hold_intervals(tree: exp.Expression) -> bool:
    """Whether the statement may touch these types at all: a qualified interval type, or any table
    (whose columns may be of them)."""
    return any(interval_kind(node) for node in tree.find_all(exp.DataType)) or tree.find(exp.Table) is not None


def _months(value: exp.Expression) -> exp.Expression:
    years = exp.Anonymous(this="datepart", expressions=[exp.Literal.string("year"), value])
    months = exp.Anonymous(this="datepart", expressions=[exp.Literal.string("month"), value.copy()])
    return exp.Paren(this=exp.Add(this=exp.Mul(this=years, expression=exp.Literal.number(12)), expression=months))


def _result_selects(tree: exp.Expression) -> list:
    if isinstance(tree, exp.Select):
        return [tree]
    if isinstance(tree, exp.SetOperation):
        return _result_selects(tree.this) + _result_selects(tree.expression)
    return []


def _expand_star(select: exp.Select, columns: "_ColumnKinds") -> None:
    """`SELECT *` from one table with interval columns: its columns named, so each can be sent as its type."""
    if len(select.expressions) != 1 or not isinstance(select.expressions[0], exp.Star) or select.args.get("joins"):
        return
    source = select.args.get("from_")
    table = source.this if source is not None else None
    if not isinstance(table, exp.Table):
        return
    names = columns.table_columns(table)
    if names and any(columns.kind_of(exp.column(n, table=table.alias_or_name)) for n in names):
        select.set("expressions", [exp.column(n, table=table.alias_or_name, quoted=True) for n in names])


def _cast_inserted_values(tree: exp.Insert, columns: "_ColumnKinds") -> None:
    target = tree.this
    table = target.this if isinstance(target, exp.Schema) else target
    if not isinstance(table, exp.Table):
        return
    names = ([c.name for c in target.expressions] if isinstance(target, exp.Schema) and target.expressions
             else columns.table_columns(table))
    targets = [exp.column(n, table=table.alias_or_name) for n in names or []]
    values = tree.expression
    if not any(columns.kind_of(t) for t in targets) or not isinstance(values, exp.Values):
        return
    for row in values.expressions:
        for value, target in zip(list(row.expressions), targets):
            _cast_assigned(value, target, columns)


def _cast_assigned(value: exp.Expression, target: exp.Column, columns: "_ColumnKinds") -> None:
    """A value given to a column of an interval type, read as that type with the column's qualifier
    (an INTERVAL HOUR TO MINUTE column drops the seconds of what it is given)."""
    declared = columns.column_type(target)
    kind = interval_kind(declared)
    if kind is None:
        return
    qualifier = " ".join(declared.upper().split()[1:]) or _FULL[kind]
    if columns.kind_of(value) != kind or qualifier != _FULL[kind]:
        value.replace(_from_text(value.copy(), kind, qualifier))


class _ColumnKinds:
    """The interval kind of a statement's columns, from the types of the tables it names."""

    def __init__(self, tree: exp.Expression, column_types):
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        self._tables: dict = {}
        self._column_types = column_types
        for table in tree.find_all(exp.Table):
            if table.name and table.name not in ctes and isinstance(table.this, exp.Identifier) \
                    and not table.name.startswith(_OWN_RELATIONS):
                self._tables[table.alias_or_name] = table

    def table_columns(self, table: exp.Table) -> list:
        types = self._types(table) if table.alias_or_name in self._tables else None
        return list(types) if types else []

    def _types(self, table: exp.Table) -> Optional[dict]:
        if self._column_types is None or table.args.get("catalog"):
            return None
        return self._column_types(table)

    def column_type(self, column: exp.Column) -> Optional[str]:
        """The column's type, when the tables the statement names tell it without ambiguity."""
        tables = [self._tables[column.table]] if column.table in self._tables else (
            [] if column.table else list(self._tables.values()))
        found = {(self._types(table) or {}).get(column.name) for table in tables} - {None}
        return found.pop() if len(found) == 1 else None

    def date_kind(self, node: exp.Expression) -> Optional[str]:
        """_DATE for a DATE value: a cast to DATE, a date literal, or a DATE column."""
        if isinstance(node, exp.Paren):
            return self.date_kind(node.this)
        if isinstance(node, exp.Cast):
            return _DATE if node.to.this == exp.DataType.Type.DATE else None
        if isinstance(node, exp.Column) and node.name:
            return _DATE if self.column_type(node) == "DATE" else None
        return None

    def kind_of(self, node: exp.Expression) -> Optional[str]:
        if _KIND in node.meta:
            return node.meta[_KIND]
        if isinstance(node, exp.Cast):
            return interval_kind(node.to)
        if isinstance(node, (exp.Alias, exp.Paren, exp.Neg, exp.Min, exp.Max, exp.AnyValue)):
            return self.kind_of(node.this)
        if isinstance(node, exp.Window):
            return self.kind_of(node.this) if isinstance(node.this, (exp.Min, exp.Max)) else None
        if isinstance(node, exp.Column) and node.name:
            return interval_kind(self.column_type(node))
        if isinstance(node, (exp.Add, exp.Sub)):
            left, right = self.kind_of(node.this), self.kind_of(node.expression)
            return left if left == right else None
        if isinstance(node, (exp.Mul, exp.Div)):
            left, right = self.kind_of(node.this), self.kind_of(node.expression)
            return (left or right) if not (left and right) else None
        if isinstance(node, (exp.Coalesce, exp.Case, exp.If)):
            kinds = {self.kind_of(child) for child in _branches(node)}
            return kinds.pop() if len(kinds) == 1 else None
        return None


def _branches(node: exp.Expression) -> list:
    if isinstance(node, exp.Coalesce):
        return [node.this, *node.expressions]
    if isinstance(node, exp.Case):
        return [i.args["true"] for i in node.args.get("ifs") or []] + (
            [node.args["default"]] if node.args.get("default") is not None else [])
    return [node.args.get("true"), node.args.get("false")] if node.args.get("false") is not None \
        else [node.args.get("true")]
