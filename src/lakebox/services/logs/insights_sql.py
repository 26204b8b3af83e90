"""Translate a parsed Logs Insights query (insights_language.py) into one DuckDB SELECT.

The events come as a table with the columns in `EVENT_COLUMNS`: `__fields` is a MAP of the fields
discovered in a JSON message, flattened with dots as AWS names them (`a.b`, `list.0.c`), values as
text. Each command becomes one CTE over the previous one, so the pipe reads top to bottom:

    fields/parse -> add (or replace) columns      filter -> WHERE        stats -> GROUP BY
    sort -> a row_number column that later steps order by                 limit -> ORDER BY .. LIMIT
    dedup -> QUALIFY row_number() OVER (PARTITION BY ..) = 1 (rows with a null key are all kept)

Values are typed as the translator knows them: `num`, `str`, `ts`, `bool`, or `any` for a discovered
field (text that may hold a number). A comparison with a number compares numbers; two `any` values
compare as numbers when both are, else as text, the way Logs Insights treats JSON values. Sorting
follows AWS's documented order: text before numbers, numbers by value (text among itself is
compared by code point; AWS's chunked "natural" order of mixed text is not reproduced).

The last step selects the output fields as `__o0`, `__o1`, ... and, for queries over events, `@ptr`.
Names of results: an alias, else the expression as written (`count(*)`, `bin(5m)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from . import insights_language as lang
from .insights_language import QuerySyntaxError

#: The columns of the events table the runner builds, and their types here.
EVENT_COLUMNS = {"@timestamp": "ts", "@message": "str", "@logStream": "str", "@log": "str",
                 "@ingestionTime": "ts", "@ptr": "str"}
#: What a query outputs when it names no fields (AWS's console default, without @logStream/@log).
DEFAULT_FIELDS = ("@timestamp", "@message")
DEFAULT_LIMIT = 10_000
#: The default order of events: newest first, then the later-ingested of equal timestamps.
EVENT_ORDER = '"__ts" DESC, "__id" DESC'
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%g"

_DURATION_UNITS = {"ms": 1, "s": 1000, "sec": 1000, "second": 1000, "seconds": 1000,
                   "m": 60_000, "min": 60_000, "minute": 60_000, "minutes": 60_000,
                   "h": 3_600_000, "hr": 3_600_000, "hour": 3_600_000, "hours": 3_600_000,
                   "d": 86_400_000, "day": 86_400_000, "days": 86_400_000,
                   "w": 604_800_000, "week": 604_800_000, "weeks": 604_800_000}
_AGGREGATES = {"count", "sum", "avg", "min", "max", "count_distinct", "earliest", "latest"}
_UNSUPPORTED_AGGREGATES = {"pct", "stddev", "sortsfirst", "sortslast"}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass
class Translation:
    sql: str
    #: Counts the records the query matched: the events that passed its filters (before stats,
    #: dedup or limit).
    count_sql: str
    #: The result names of the columns `__o0`, `__o1`, ...
    columns: list
    #: Whether the query returns events (then each row also carries `@ptr`).
    with_ptr: bool


def duration_ms(node: lang.Duration) -> int:
    factor = _DURATION_UNITS.get(node.unit.lower())
    if factor is None:
        raise QuerySyntaxError(f"unsupported time unit '{node.unit}' (lakebox knows ms, s, m, h, d, w)",
                               node.start, node.end)
    if node.amount <= 0:
        raise QuerySyntaxError("a time period must be positive", node.start, node.end)
    return node.amount * factor


def named_groups(pattern: str) -> tuple[str, dict[str, int]]:
    """The pattern with `(?<name>` spelled `(?P<name>` (RE2's spelling) and each name's group number."""
    out, groups, number, i, in_class = [], {}, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            match = re.match(r"\(\?P?<([A-Za-z][A-Za-z0-9_]*)>", pattern[i:])
            if match:
                number += 1
                groups[match.group(1)] = number
                out.append(f"(?P<{match.group(1)}>")
                i += match.end()
                continue
            if not pattern.startswith("(?", i):
                number += 1
        out.append(ch)
        i += 1
    return "".join(out), groups


def glob_regex(glob: str) -> str:
    """parse's glob as a regex: each `*` a lazy group, a `*` that ends the pattern takes the rest."""
    parts = glob.split("*")
    regex = ""
    for index, part in enumerate(parts):
        regex += re.escape(part)
        if index < len(parts) - 1:
            regex += "(.*)" if index == len(parts) - 2 and parts[-1] == "" else "(.*?)"
    return regex


@dataclass
class _Scope:
    """What the relation at one step of the pipe holds."""
    columns: dict  # name -> type, every one a real column
    events: bool  # rows are events (with __ts, __id, __fields and @ptr)
    order: str  # the ORDER BY that the rows are in
    order_keys: list = field(default_factory=list)


class Translator:
    def __init__(self, query: lang.Query, table: str, limit: Optional[int] = None):
        self.query = query
        self.table = table
        self.limit = limit
        self.ctes: list[tuple[str, str]] = []
        self.scope = _Scope(dict(EVENT_COLUMNS), True, EVENT_ORDER)
        self.fields_out: list = []   # names from fields/parse/stats, in order
        self.display: Optional[list] = None
        self.has_fields = False
        self.matched: Optional[str] = None
        self.limited = False
        self.aggregating = False
        self._in_stats = False
        self._in_aggregate = False

    # -- the relation chain ------------------------------------------------------------------------

    def _add(self, sql: str) -> None:
        self.ctes.append((f"__s{len(self.ctes)}", sql))

    @property
    def _prev(self) -> str:
        return self.ctes[-1][0]

    def _extend(self, name: str, sql: str, kind: str) -> None:
        """Add the column `name`, replacing it if the relation has it."""
        if name in self.scope.columns:
            self._add(f"SELECT * REPLACE ({sql} AS {quote(name)}) FROM {self._prev}")
        else:
            self._add(f"SELECT *, {sql} AS {quote(name)} FROM {self._prev}")
        self.scope.columns[name] = kind

    def _note_output(self, name: str) -> None:
        if name not in self.fields_out:
            self.fields_out.append(name)

    def translate(self) -> Translation:
        self._add("SELECT \"__id\", \"__ts\", make_timestamp(\"__ts\" * 1000) AS \"@timestamp\", \"@message\", "
                  "\"@logStream\", \"@log\", make_timestamp(\"__ingestion\" * 1000) AS \"@ingestionTime\", "
                  f"\"@ptr\", \"__fields\" FROM {quote(self.table)}")
        commands = self.query.commands
        for index, command in enumerate(commands):
            if command.kind in ("stats", "limit", "dedup") and self.matched is None:
                self.matched = self._prev
            if command.kind == "dedup" and any(c.kind != "limit" for c in commands[index + 1:]):
                later = next(c for c in commands[index + 1:] if c.kind != "limit")
                raise QuerySyntaxError("only limit may follow dedup", later.start, later.end)
            getattr(self, f"_{command.kind}")(command)
        if self.matched is None:
            self.matched = self._prev
        return self._finish()

    def _finish(self) -> Translation:
        if self.display is not None:
            names = self.display
        elif self.has_fields or self.aggregating:
            names = self.fields_out
        else:
            names = list(DEFAULT_FIELDS) + [n for n in self.fields_out if n not in DEFAULT_FIELDS]
        selects = [f"{self._value(self._field(name))} AS __o{i}" for i, name in enumerate(names)]
        with_ptr = self.scope.events
        if with_ptr:
            selects.append('"@ptr"')
        limit = self.limit or DEFAULT_LIMIT
        with_clause = "WITH " + ", ".join(f"{name} AS ({sql})" for name, sql in self.ctes)
        sql = (f"{with_clause} SELECT {', '.join(selects) or 'NULL AS __none'} FROM {self._prev} "
               f"ORDER BY {self.scope.order} LIMIT {limit}")
        count_sql = f"{with_clause} SELECT count(*) FROM {self.matched}"
        return Translation(sql, count_sql, names, with_ptr)

    def _value(self, typed: tuple[str, str]) -> str:
        """An output value: timestamps as AWS prints them, everything else as it is (the runner
        prints numbers)."""
        sql, kind = typed
        if kind == "ts":
            return f"strftime({sql}, '{TIMESTAMP_FORMAT}')"
        return sql

    # -- commands ----------------------------------------------------------------------------------

    def _fields(self, command: lang.Command) -> None:
        self.has_fields = True
        for item in command.items:
            if isinstance(item.expr, lang.Field) and item.alias is None:
                if item.expr.name not in self.scope.columns:
                    sql, kind = self._field(item.expr.name)
                    self._extend(item.expr.name, sql, kind)
            else:
                sql, kind = self._expr(item.expr)
                self._extend(item.name, sql, kind)
            self._note_output(item.name)

    def _display(self, command: lang.Command) -> None:
        self.display = [item.name for item in command.items]

    def _filter(self, command: lang.Command) -> None:
        self._add(f"SELECT * FROM {self._prev} WHERE {self._condition(command.condition)}")

    def _parse(self, command: lang.Command) -> None:
        source = self._text(self._expr(command.source))
        if isinstance(command.pattern, lang.String):
            regex = glob_regex(command.pattern.value)
            groups = {name: index + 1 for index, name in enumerate(command.names)}
        else:
            regex, groups = named_groups(command.pattern.pattern)
            if not groups:
                raise QuerySyntaxError("a parse regular expression needs named capturing groups (?<name>...)",
                                       command.pattern.start, command.pattern.end)
        pattern = literal(regex)
        for name, group in groups.items():
            self._extend(name, f"CASE WHEN regexp_matches({source}, {pattern}) "
                               f"THEN regexp_extract({source}, {pattern}, {group}) END", "any")
            self._note_output(name)

    def _sort(self, command: lang.Command) -> None:
        keys = []
        for expr, descending in command.keys:
            direction = "DESC" if descending else "ASC"
            sql, kind = self._expr(expr)
            if kind in ("str", "any"):
                number = f"TRY_CAST({sql} AS DOUBLE)"
                keys += [f"({number} IS NOT NULL) {direction}", f"{number} {direction}",
                         f"{sql} {direction} NULLS LAST"]
            else:
                keys.append(f"{sql} {direction} NULLS LAST")
        order = ", ".join(keys + [self.scope.order])
        column = f"__ord{len(self.ctes)}"
        self._add(f"SELECT *, row_number() OVER (ORDER BY {order}) AS {column} FROM {self._prev}")
        self.scope.order = column

    def _limit(self, command: lang.Command) -> None:
        self._add(f"SELECT * FROM {self._prev} ORDER BY {self.scope.order} LIMIT {command.count}")
        self.limit = command.count

    def _dedup(self, command: lang.Command) -> None:
        keys = [self._field(item.name)[0] for item in command.items]
        nulls = " OR ".join(f"{key} IS NULL" for key in keys)
        self._add(f"SELECT * FROM {self._prev} QUALIFY {nulls} OR row_number() OVER "
                  f"(PARTITION BY {', '.join(keys)} ORDER BY {self.scope.order}) = 1")

    def _stats(self, command: lang.Command) -> None:
        selects, columns, group_keys, order = [], {}, [], []
        for position, item in enumerate(command.by, start=1):
            sql, kind = self._expr(item.expr)
            selects.append(f"{sql} AS {quote(item.name)}")
            columns[item.name] = kind
            group_keys.append(str(position))
            # Time bins come newest first, as events do; other keys in ascending order.
            order.append(f"{quote(item.name)} {'DESC' if kind == 'ts' else 'ASC'} NULLS LAST")
        self.aggregating = self._in_stats = True
        try:
            for item in command.items:
                sql, kind = self._expr(item.expr)
                if item.name in columns:
                    raise QuerySyntaxError(f"the name '{item.name}' is used twice", item.expr.start, item.expr.end)
                selects.append(f"{sql} AS {quote(item.name)}")
                columns[item.name] = kind
                if not self._has_aggregate(item.expr):
                    raise QuerySyntaxError(f"stats needs an aggregate function such as count(*), found "
                                           f"'{item.text}'", item.expr.start, item.expr.end)
        finally:
            self._in_stats = False
        group = f" GROUP BY {', '.join(group_keys)}" if group_keys else ""
        self._add(f"SELECT {', '.join(selects)} FROM {self._prev}{group}")
        self.scope = _Scope(columns, False, ", ".join(order) or "1")
        self.fields_out = list(columns)

    def _has_aggregate(self, node) -> bool:
        if isinstance(node, lang.Call) and node.name.lower() in _AGGREGATES:
            return True
        children = []
        if isinstance(node, lang.Call):
            children = node.args
        elif isinstance(node, lang.Binary):
            children = [node.left, node.right]
        elif isinstance(node, lang.Unary):
            children = [node.operand]
        return any(self._has_aggregate(child) for child in children)

    # -- expressions -------------------------------------------------------------------------------

    def _field(self, name: str) -> tuple[str, str]:
        if name in self.scope.columns:
            return quote(name), self.scope.columns[name]
        if self.scope.events:
            return f"\"__fields\"[{literal(name)}]", "any"
        return "NULL", "any"

    def _expr(self, node) -> tuple[str, str]:
        if isinstance(node, lang.Field):
            return self._field(node.name)
        if isinstance(node, lang.Number):
            return node.text if "." not in node.text else repr(node.value), "num"
        if isinstance(node, lang.String):
            return literal(node.value), "str"
        if isinstance(node, lang.Unary):
            if node.op == "not":
                return f"(NOT {self._condition(node.operand)})", "bool"
            return f"(-{self._number(node.operand)})", "num"
        if isinstance(node, lang.Binary):
            return self._binary(node)
        if isinstance(node, lang.Like):
            return self._like(node), "bool"
        if isinstance(node, lang.In):
            return self._in(node), "bool"
        if isinstance(node, lang.Call):
            return self._call(node)
        if isinstance(node, lang.Regex):
            raise QuerySyntaxError("a regular expression can only follow like or =~", node.start, node.end)
        if isinstance(node, lang.Duration):
            raise QuerySyntaxError("a time period can only be an argument of bin, datefloor or dateceil",
                                   node.start, node.end)
        raise QuerySyntaxError("'*' can only be the argument of count", node.start, node.end)

    def _number(self, node) -> str:
        sql, kind = self._expr(node)
        return self._as_number(sql, kind)

    @staticmethod
    def _as_number(sql: str, kind: str) -> str:
        if kind == "num":
            return sql
        if kind == "ts":
            return f"epoch_ms({sql})"
        if kind == "bool":
            return f"CAST({sql} AS INTEGER)"
        return f"TRY_CAST({sql} AS DOUBLE)"

    def _text(self, typed: tuple[str, str]) -> str:
        sql, kind = typed
        if kind in ("str", "any"):
            return sql
        if kind == "ts":
            return f"strftime({sql}, '{TIMESTAMP_FORMAT}')"
        return f"CAST({sql} AS VARCHAR)"

    def _condition(self, node) -> str:
        sql, kind = self._expr(node)
        if kind == "bool":
            return sql
        if kind == "num":
            return f"({sql} <> 0)"
        raise QuerySyntaxError("expected a condition (a comparison, like, in, or a function such as ispresent)",
                               node.start, node.end)

    def _binary(self, node: lang.Binary) -> tuple[str, str]:
        op = node.op
        if op in ("and", "or"):
            return f"({self._condition(node.left)} {op.upper()} {self._condition(node.right)})", "bool"
        if op in ("+", "-", "*", "/", "%", "^"):
            left, right = self._number(node.left), self._number(node.right)
            if op == "^":
                return f"pow({left}, {right})", "num"
            if op == "%":
                return f"fmod({left}, {right})", "num"
            if op == "/":
                return f"({left} / NULLIF({right}, 0))", "num"
            return f"({left} {op} {right})", "num"
        left_sql, left_kind = self._expr(node.left)
        right_sql, right_kind = self._expr(node.right)
        sql_op = "<>" if op == "!=" else op
        kinds = {left_kind, right_kind}
        if "num" in kinds or "bool" in kinds:
            return (f"({self._as_number(left_sql, left_kind)} {sql_op} "
                    f"{self._as_number(right_sql, right_kind)})"), "bool"
        if "ts" in kinds:
            left = left_sql if left_kind == "ts" else f"TRY_CAST({left_sql} AS TIMESTAMP)"
            right = right_sql if right_kind == "ts" else f"TRY_CAST({right_sql} AS TIMESTAMP)"
            return f"({left} {sql_op} {right})", "bool"
        if kinds == {"any"}:
            left_num, right_num = f"TRY_CAST({left_sql} AS DOUBLE)", f"TRY_CAST({right_sql} AS DOUBLE)"
            return (f"(CASE WHEN {left_num} IS NOT NULL AND {right_num} IS NOT NULL THEN {left_num} {sql_op} "
                    f"{right_num} ELSE {left_sql} {sql_op} {right_sql} END)"), "bool"
        return f"({left_sql} {sql_op} {right_sql})", "bool"

    def _like(self, node: lang.Like) -> str:
        text = self._text(self._expr(node.operand))
        if isinstance(node.pattern, lang.Regex):
            regex, _ = named_groups(node.pattern.pattern)
            test = f"regexp_matches({text}, {literal(regex)})"
        else:
            test = f"contains({text}, {literal(node.pattern.value)})"
        return f"(NOT coalesce({test}, false))" if node.negated else f"coalesce({test}, false)"

    def _in(self, node: lang.In) -> str:
        if not node.values:
            return "false" if not node.negated else "true"
        values = [self._expr(value) for value in node.values]
        sql, kind = self._expr(node.operand)
        if all(k == "num" for _, k in values) and kind != "str":
            operand, members = self._as_number(sql, kind), [v for v, _ in values]
        else:
            operand, members = self._text((sql, kind)), [self._text(v) for v in values]
        test = f"{operand} IN ({', '.join(members)})"
        return f"(NOT coalesce({test}, false))" if node.negated else f"coalesce({test}, false)"

    # -- functions ---------------------------------------------------------------------------------

    def _call(self, node: lang.Call) -> tuple[str, str]:
        name = node.name.lower()
        if name in _AGGREGATES:
            return self._aggregate(node, name)
        if name in _UNSUPPORTED_AGGREGATES:
            raise QuerySyntaxError(f"the function {node.name} is not supported by lakebox", node.start, node.end)
        method = getattr(self, f"_fn_{name}", None)
        if method is None:
            raise QuerySyntaxError(f"the function {node.name} is not supported by lakebox", node.start, node.end)
        return method(node)

    def _args(self, node: lang.Call, low: int, high: Optional[int] = None) -> list:
        high = low if high is None else high
        if not low <= len(node.args) <= (high if high >= 0 else len(node.args)):
            want = str(low) if low == high else (f"{low} to {high}" if high >= 0 else f"at least {low}")
            raise QuerySyntaxError(f"{node.name} takes {want} argument{'s' if want != '1' else ''}, "
                                   f"got {len(node.args)}", node.start, node.end)
        return node.args

    def _aggregate(self, node: lang.Call, name: str) -> tuple[str, str]:
        if not self._in_stats:
            raise QuerySyntaxError(f"the aggregate function {node.name} can only be used in stats", node.start,
                                   node.end)
        if self._in_aggregate:
            raise QuerySyntaxError("aggregate functions cannot be nested", node.start, node.end)
        if name == "count":
            args = self._args(node, 0, 1)
            if not args or isinstance(args[0], lang.Star):
                return "count(*)", "num"
        else:
            args = self._args(node, 1)
        self._in_aggregate = True
        try:
            sql, kind = self._expr(args[0])
        finally:
            self._in_aggregate = False
        if name == "count":
            return f"count({sql})", "num"
        if name == "count_distinct":
            return f"count(DISTINCT {sql})", "num"
        if name in ("sum", "avg"):
            return f"{name}({self._as_number(sql, kind)})", "num"
        if name in ("min", "max"):
            if kind in ("ts", "str", "num"):
                return f"{name}({sql})", kind
            return f"{name}({self._as_number(sql, kind)})", "num"
        if not self.scope.events:
            raise QuerySyntaxError(f"{node.name} needs log events, not the results of stats", node.start, node.end)
        return f"{'arg_min' if name == 'earliest' else 'arg_max'}({sql}, \"__ts\")", kind

    def _time_floor(self, ts_sql: str, node: lang.Node, ceil: bool = False) -> str:
        if not isinstance(node, lang.Duration):
            raise QuerySyntaxError("expected a time period such as 5m or 1h", node.start, node.end)
        width = duration_ms(node)
        ms = f"epoch_ms({ts_sql})"
        if ceil:
            return f"make_timestamp(CAST(ceil({ms} / {width}) AS BIGINT) * {width * 1000})"
        return f"make_timestamp(({ms} // {width}) * {width * 1000})"

    def _fn_bin(self, node):
        (period,) = self._args(node, 1)
        if "@timestamp" not in self.scope.columns:
            raise QuerySyntaxError("bin needs @timestamp, which the results of stats do not have", node.start,
                                   node.end)
        return self._time_floor('"@timestamp"', period), "ts"

    def _fn_datefloor(self, node):
        ts, period = self._args(node, 2)
        return self._time_floor(self._timestamp(ts), period), "ts"

    def _fn_dateceil(self, node):
        ts, period = self._args(node, 2)
        return self._time_floor(self._timestamp(ts), period, ceil=True), "ts"

    def _timestamp(self, node) -> str:
        sql, kind = self._expr(node)
        if kind == "ts":
            return sql
        return f"make_timestamp(CAST({self._as_number(sql, kind)} AS BIGINT) * 1000)"

    def _fn_frommillis(self, node):
        (value,) = self._args(node, 1)
        return f"make_timestamp(CAST({self._number(value)} AS BIGINT) * 1000)", "ts"

    def _fn_tomillis(self, node):
        (value,) = self._args(node, 1)
        return f"epoch_ms({self._timestamp(value)})", "num"

    def _fn_ispresent(self, node):
        (value,) = self._args(node, 1)
        return f"({self._expr(value)[0]} IS NOT NULL)", "bool"

    def _fn_isempty(self, node):
        (value,) = self._args(node, 1)
        text = self._text(self._expr(value))
        return f"({text} IS NULL OR {text} = '')", "bool"

    def _fn_isblank(self, node):
        (value,) = self._args(node, 1)
        text = self._text(self._expr(value))
        return f"({text} IS NULL OR trim({text}) = '')", "bool"

    def _fn_strcontains(self, node):
        value, part = self._args(node, 2)
        return (f"CASE WHEN contains({self._text(self._expr(value))}, {self._text(self._expr(part))}) "
                "THEN 1 ELSE 0 END"), "num"

    def _fn_strlen(self, node):
        (value,) = self._args(node, 1)
        return f"length({self._text(self._expr(value))})", "num"

    def _string_fn(self, node, sql_name: str, low: int = 1, high: Optional[int] = None):
        args = [self._text(self._expr(arg)) for arg in self._args(node, low, high)]
        return f"{sql_name}({', '.join(args)})", "str"

    def _fn_toupper(self, node):
        return self._string_fn(node, "upper")

    def _fn_tolower(self, node):
        return self._string_fn(node, "lower")

    def _fn_trim(self, node):
        return self._string_fn(node, "trim", 1, 2)

    def _fn_ltrim(self, node):
        return self._string_fn(node, "ltrim", 1, 2)

    def _fn_rtrim(self, node):
        return self._string_fn(node, "rtrim", 1, 2)

    def _fn_replace(self, node):
        return self._string_fn(node, "replace", 3)

    def _fn_concat(self, node):
        return self._string_fn(node, "concat", 1, -1)

    def _fn_substr(self, node):
        args = self._args(node, 2, 3)
        # Logs Insights counts from 0, SQL from 1.
        parts = [self._text(self._expr(args[0])), f"CAST({self._number(args[1])} AS BIGINT) + 1"]
        if len(args) == 3:
            parts.append(f"CAST({self._number(args[2])} AS BIGINT)")
        return f"substr({', '.join(parts)})", "str"

    def _numeric_fn(self, node, sql_name: str, low: int = 1, high: Optional[int] = None):
        args = [self._number(arg) for arg in self._args(node, low, high)]
        return f"{sql_name}({', '.join(args)})", "num"

    def _fn_abs(self, node):
        return self._numeric_fn(node, "abs")

    def _fn_ceil(self, node):
        return self._numeric_fn(node, "ceil")

    def _fn_floor(self, node):
        return self._numeric_fn(node, "floor")

    def _fn_sqrt(self, node):
        return self._numeric_fn(node, "sqrt")

    def _fn_log(self, node):
        return self._numeric_fn(node, "ln")

    def _fn_greatest(self, node):
        return self._numeric_fn(node, "greatest", 1, -1)

    def _fn_least(self, node):
        return self._numeric_fn(node, "least", 1, -1)

    def _fn_coalesce(self, node):
        typed = [self._expr(arg) for arg in self._args(node, 1, -1)]
        kinds = {kind for _, kind in typed}
        if len(kinds) == 1:
            return f"coalesce({', '.join(sql for sql, _ in typed)})", kinds.pop()
        return f"coalesce({', '.join(self._text(t) for t in typed)})", "str"


def translate(query: lang.Query, table: str, limit: Optional[int] = None) -> Translation:
    """The DuckDB SQL for `query` over the events table `table`; `limit` is StartQuery's (a limit
    command in the query takes precedence)."""
    return Translator(query, table, limit).translate()


def translate_text(text: str, table: str, limit: Optional[int] = None) -> Translation:
    return translate(lang.parse_query(text), table, limit)
