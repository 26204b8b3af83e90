"""Redshift's SHOW commands: SHOW DATABASES, SHOW SCHEMAS FROM DATABASE, SHOW TABLES FROM SCHEMA and
SHOW COLUMNS FROM TABLE, each with `[LIKE 'pattern'] [LIMIT n]`, answered with the columns AWS
documents. They read the same rows as SVV_TABLES and SVV_COLUMNS (`system_tables`), so Spectrum's
external tables are listed too.

Only the database the session is connected to can be shown, as a session sees only its own
database's catalog here.

Imports this package.
"""

from __future__ import annotations

import re
from typing import Optional

import sqlglot

from ..like_patterns import like_regex
from . import RedshiftError
from .results import Column, Result
from .system_tables import _svv_columns, _svv_tables

_TEXT, _INT = "character varying", "integer"
#: Session settings SHOW answers with the value a new Redshift session has.
_SETTINGS = {"timezone": "UTC", "datestyle": "ISO, MDY", "server_version": "8.0.2", "client_encoding": "UTF8",
             "server_encoding": "UTF8", "extra_float_digits": "0", "enable_result_cache_for_session": "on",
             "query_group": "default", "describe_field_name_in_uppercase": "off"}
_NAME = r"(?:\"(?:[^\"]|\"\")+\"|[\w$]+)"
_SHOW = re.compile(
    r"(?is)^\s*SHOW\s+(?:(?P<databases>DATABASES)|SCHEMAS\s+FROM\s+DATABASE\s+(?P<database>" + _NAME + r")"
    r"|TABLES\s+FROM\s+SCHEMA\s+(?P<schema>" + _NAME + r"(?:\s*\.\s*" + _NAME + r")?)"
    r"|COLUMNS\s+FROM\s+TABLE\s+(?P<table>" + _NAME + r"(?:\s*\.\s*" + _NAME + r"){0,2}))"
    r"(?:\s+LIKE\s+(?P<like>'(?:[^'\\]|''|\\.)*'))?(?:\s+LIMIT\s+(?P<limit>\d+))?\s*;?\s*$")


class ShowCommandsMixin:
    """Needs `name`, `_con`, `case_sensitive_identifiers`, `statement_timeout_ms`, `_current_schema()`,
    `_external_schemas()`, `list_schemas()` and `users` (the cluster, for its database names)."""

    def _show(self, statement: str, words: list) -> Optional[Result]:
        if words[:1] != ["SHOW"]:
            return None
        # sqlglot reads all of SHOW's rest as one word, so the text itself is matched.
        what = re.match(r"(?is)\s*SHOW\s+(\w+)", statement)
        if what is None:
            raise RedshiftError("syntax error at end of input", "42601")
        kind = what.group(1).upper()
        if kind not in ("DATABASES", "SCHEMAS", "TABLES", "COLUMNS"):
            return self._show_setting(kind.lower(), statement[what.end():])
        match = _SHOW.match(statement)
        if match is None:
            raise RedshiftError(f'syntax error at or near "{kind.lower()}"', "42601")
        limit = int(match.group("limit")) if match.group("limit") else None
        if limit is not None and limit > 10000:
            raise RedshiftError("LIMIT must be between 0 and 10000", "22023")
        like = _literal(match.group("like")) if match.group("like") is not None else None
        if match.group("databases"):
            (columns, rows), key = self._show_databases(), 0
        elif match.group("database"):
            (columns, rows), key = self._show_schemas(_parts(match.group("database"))), 1
        elif match.group("schema"):
            (columns, rows), key = self._show_tables(_parts(match.group("schema"))), 2
        else:
            (columns, rows), key = self._show_columns(_parts(match.group("table"))), 3
        if like is not None:
            rows = [row for row in rows if _like(like, row[key])]
        rows = rows[:limit] if limit is not None else rows
        return Result([Column(name, kind) for name, kind in columns], rows, "SHOW", len(rows))

    def _show_setting(self, name: str, rest: str) -> Result:
        """SHOW <setting>, as Postgres answers it: one row, one column named after the setting."""
        if rest.strip().rstrip(";").strip():
            raise RedshiftError(f'syntax error at or near "{rest.strip().split()[0]}"', "42601")
        if name == "search_path":
            path = self._con.execute("SELECT current_setting('search_path')").fetchall()[0][0] or ""
            value = ", ".join(s.strip() for s in path.split(",") if s.strip()) or "$user, public"
        elif name == "statement_timeout":
            value = str(self.statement_timeout_ms)
        elif name == "enable_case_sensitive_identifier":
            value = "on" if self.case_sensitive_identifiers else "off"
        elif name in _SETTINGS:
            value = _SETTINGS[name]
        else:
            raise RedshiftError(f'unrecognized configuration parameter "{name}"', "42704")
        return Result([Column(name, _TEXT)], [(value,)], "SHOW", 1)

    # -- the four listings -----------------------------------------------------------------------

    def _current_database(self) -> str:
        return self.name  # DuckDB's catalog name spells some database names escaped

    def _checked_database(self, name: Optional[str]) -> Optional[str]:
        """The database SHOW lists from: this session's, or None for one that does not exist (an empty
        listing: Redshift's SHOW filters its catalog and names no missing object, as the driver's
        own suite, run against Redshift, expects). Another existing database cannot be read here."""
        current = self._current_database()
        if name is None or name == current:
            return current
        if name in (getattr(self.users, "database_names", None) or []):
            raise RedshiftError(f'SHOW of database "{name}" from a session of "{current}" is not supported; '
                                "connect to it", "0A000")
        return None

    def _show_databases(self) -> tuple:
        names = getattr(self.users, "database_names", None) or [self._current_database()]
        columns = [("database_name", _TEXT), ("database_owner", _INT), ("database_type", _TEXT),
                   ("database_acl", _TEXT), ("parameters", _TEXT), ("database_isolation_level", _TEXT)]
        return columns, [(name, 100, "local", None, None, "Snapshot Isolation") for name in sorted(names)]

    def _show_schemas(self, parts: list) -> tuple:
        database = self._checked_database(parts[0])
        external = self._external_schemas() if database is not None else {}
        rows = [(database, schema, 100, "external" if schema in external else "local", None,
                 external.get(schema), None)
                for schema in (self.list_schemas() if database is not None else ())]
        return ([("database_name", _TEXT), ("schema_name", _TEXT), ("schema_owner", _INT), ("schema_type", _TEXT),
                 ("schema_acl", _TEXT), ("source_database", _TEXT), ("schema_option", _TEXT)], rows)

    def _show_tables(self, parts: list) -> tuple:
        database, schema = (self._checked_database(None), parts[0]) if len(parts) == 1 else \
            (self._checked_database(parts[0]), parts[1])
        kinds = {"BASE TABLE": "TABLE", "VIEW": "VIEW", "EXTERNAL TABLE": "EXTERNAL TABLE"}
        _, all_tables = _svv_tables(self) if database is not None else (None, [])
        rows = [(database, t["table_schema"], t["table_name"], kinds[t["table_type"]], None, t["remarks"])
                for t in all_tables if t["table_schema"] == schema]
        return ([("database_name", _TEXT), ("schema_name", _TEXT), ("table_name", _TEXT), ("table_type", _TEXT),
                 ("table_acl", _TEXT), ("remarks", _TEXT)], sorted(rows, key=lambda r: r[2]))

    def _show_columns(self, parts: list) -> tuple:
        if len(parts) == 3:
            database, schema, table = self._checked_database(parts[0]), parts[1], parts[2]
        elif len(parts) == 2:
            database, (schema, table) = self._checked_database(None), parts
        else:
            database, schema, table = self._checked_database(None), self._current_schema(), parts[0]
        _, all_columns = _svv_columns(self) if database is not None else (None, [])
        rows = [(database, c["table_schema"], c["table_name"], c["column_name"], c["ordinal_position"],
                 c["column_default"], c["is_nullable"], c["data_type"], c["character_maximum_length"],
                 c["numeric_precision"], c["numeric_scale"], c["remarks"])
                for c in all_columns if c["table_schema"] == schema and c["table_name"] == table]
        return ([("database_name", _TEXT), ("schema_name", _TEXT), ("table_name", _TEXT), ("column_name", _TEXT),
                 ("ordinal_position", _INT), ("column_default", _TEXT), ("is_nullable", _TEXT), ("data_type", _TEXT),
                 ("character_maximum_length", _INT), ("numeric_precision", _INT), ("numeric_scale", _INT),
                 ("remarks", _TEXT)], sorted(rows, key=lambda r: r[4]))


def _parts(text: str) -> list:
    """`dev.public` -> ["dev", "public"]: quoted parts as written, others folded to lower case."""
    return [p[1:-1].replace('""', '"') if p.startswith('"') else p.lower() for p in re.findall(_NAME, text)]


def _literal(text: str) -> str:
    """The value of a Redshift string literal: quotes doubled and backslash escapes undone (`'a\\\\_b'` is
    a, backslash, underscore, b), as Redshift reads every literal."""
    return sqlglot.parse_one(text, read="redshift").this


def _like(pattern: str, value: str) -> bool:
    """SQL LIKE, case-sensitive, as SHOW's LIKE matches, escaping with a backslash as Redshift's LIKE does."""
    return re.fullmatch(like_regex(pattern, escape="\\"), value or "", re.DOTALL) is not None
