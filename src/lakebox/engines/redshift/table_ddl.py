"""Table statements of Redshift that DuckDB has no form for: CREATE TABLE ... (LIKE parent),
ALTER TABLE ... APPEND FROM, ALTER COLUMN ... TYPE VARCHAR(n), and ALTER DISTKEY / DISTSTYLE /
SORTKEY / ENCODE.

- LIKE is written out as the CREATE TABLE it stands for (the parent's columns with their declared
  types, NOT NULL, its DISTKEY and SORTKEY, and its defaults only when INCLUDING DEFAULTS says so)
  and run like any CREATE TABLE, so the new table checks lengths and records its design the same way.
- APPEND moves the rows: inserted into the target, deleted from the source, in one transaction.
- A VARCHAR column grows by rebuilding its table, since DuckDB cannot change a column that has a
  CHECK (the length check `translate` adds): the table's own CREATE statement, as DuckDB keeps it,
  with the new limit, filled from the old rows.
- The physical design changes are recorded in `_lakebox.table_design`, as CREATE TABLE's are.

Imports duckdb and this package.
"""

from __future__ import annotations

import re
from typing import Optional

import duckdb

from . import RedshiftError, translate
from .errors import duck_error
from .results import Result
from .spectrum import META

_NAME = r'(?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?'
_LIKE = re.compile(r"(?is)^\s*CREATE\s+(?P<temp>(?:LOCAL\s+)?TEMP(?:ORARY)?\s+)?TABLE\s+(?P<exists>IF\s+NOT\s+EXISTS\s+)?"
                   rf"(?P<name>{_NAME})\s*\(\s*LIKE\s+(?P<parent>{_NAME})"
                   r"(?:\s+(?P<defaults>INCLUDING|EXCLUDING)\s+DEFAULTS)?\s*\)(?P<rest>.*?);?\s*$")
_ALTER = re.compile(rf"(?is)^\s*ALTER\s+TABLE\s+(?P<name>{_NAME})\s+(?P<action>.*?);?\s*$")
_APPEND = re.compile(rf"(?is)^APPEND\s+FROM\s+(?P<source>{_NAME})(?:\s+(?P<option>IGNOREEXTRA|FILLTARGET))?$")
_COLUMN_TYPE = re.compile(r"(?is)^ALTER\s+COLUMN\s+(?P<column>\"[^\"]+\"|[\w$]+)\s+TYPE\s+(?P<type>.+)$")
_DESIGN = re.compile(r"(?is)^ALTER\s+(?:(?P<distkey>DISTKEY\s+(?P<key>\S+))|DISTSTYLE\s+(?P<style>ALL|EVEN|AUTO)"
                     r"|DISTSTYLE\s+KEY\s+DISTKEY\s+(?P<key2>\S+)|(?P<kind>COMPOUND\s+)?SORTKEY\s*"
                     r"(?:\((?P<sort>[^)]*)\)|(?P<sortword>AUTO|NONE))|ENCODE\s+AUTO"
                     r"|COLUMN\s+(?P<column>\S+)\s+ENCODE\s+(?P<encoding>\w+))$")


class TableDdlMixin:
    """Needs `_con`, `_current_schema()`, `_run()`, `_in_transaction`."""

    def _table_ddl(self, statement: str, words: list) -> Optional[Result]:
        if words[:1] == ["CREATE"] and "TABLE" in words[:4]:
            match = _LIKE.match(statement)
            return self._create_like(match) if match else None
        if words[:2] != ["ALTER", "TABLE"]:
            return None
        match = _ALTER.match(statement)
        if match is None:
            return None
        schema, table = self._split(match.group("name"))
        action = match.group("action").strip()
        append = _APPEND.match(action)
        if append:
            return self._append(match.group("name"), append.group("source"), append.group("option"))
        column_type = _COLUMN_TYPE.match(action)
        if column_type:
            return self._alter_column_type(schema, table, _ident(column_type.group("column")),
                                           column_type.group("type").strip())
        design = _DESIGN.match(action)
        if design:
            return self._alter_design(schema, table, design)
        return None

    # -- CREATE TABLE ... (LIKE parent) --------------------------------------------------------

    def _create_like(self, match: re.Match) -> Result:
        schema, parent = self._split(match.group("parent"))
        columns = self._columns(schema, parent)
        design = self._design(schema, parent)
        defaults = (match.group("defaults") or "EXCLUDING").upper() == "INCLUDING"
        parts = []
        for name, duck_type, nullable, default in columns:
            declared = design.get((name, "TYPE")) or duck_type
            parts.append(f"{translate.qualified(None, name)} {declared}"
                         + ("" if nullable else " NOT NULL")
                         + (f" DEFAULT {default}" if defaults and default is not None else ""))
        attributes = " ".join(f"{attribute} ({value})" if attribute.endswith(("DISTKEY", "SORTKEY")) and value != "AUTO"
                              else f"{attribute} {value}"
                              for (column, attribute), value in design.items()
                              if column is None and attribute in ("DISTKEY", "SORTKEY", "COMPOUND SORTKEY",
                                                                   "INTERLEAVED SORTKEY", "DISTSTYLE"))
        rest = match.group("rest").strip()
        sql = (f"CREATE {'TEMP ' if match.group('temp') else ''}TABLE {match.group('exists') or ''}"
               f"{match.group('name')} ({', '.join(parts)}) {rest or attributes}")
        self._run(sql)
        return Result([], [], "CREATE TABLE", -1)

    # -- ALTER TABLE ... APPEND FROM -------------------------------------------------------------

    def _append(self, target_name: str, source_name: str, option: Optional[str]) -> Result:
        """Move every row of the source to the end of the target: columns matched by name;
        IGNOREEXTRA leaves the source's extra columns out, FILLTARGET fills the target's missing ones
        with their defaults. Redshift runs it outside any transaction block, and so does this."""
        if self._in_transaction:
            raise RedshiftError("ALTER TABLE APPEND cannot run inside a transaction block", "25001")
        target_columns = [c[0] for c in self._columns(*self._split(target_name))]
        source_columns = [c[0] for c in self._columns(*self._split(source_name))]
        extra = [c for c in source_columns if c not in target_columns]
        missing = [c for c in target_columns if c not in source_columns]
        if extra and (option or "").upper() != "IGNOREEXTRA":
            raise RedshiftError(f'Target table and source table attributes don\'t match: column "{extra[0]}" of the '
                                "source table is not in the target table (use IGNOREEXTRA)", "42804")
        if missing and (option or "").upper() != "FILLTARGET":
            raise RedshiftError(f'Target table and source table attributes don\'t match: column "{missing[0]}" of '
                                "the target table is not in the source table (use FILLTARGET)", "42804")
        names = ", ".join(translate.qualified(None, c) for c in target_columns if c in source_columns)
        target, origin = _reference(target_name), _reference(source_name)
        self._atomically([f"INSERT INTO {target} ({names}) SELECT {names} FROM {origin}", f"DELETE FROM {origin}"])
        return Result([], [], "ALTER TABLE APPEND", -1)

    # -- ALTER TABLE ... ALTER COLUMN ... TYPE VARCHAR(n) ------------------------------------------

    def _alter_column_type(self, schema: str, table: str, column: str, new_type: str) -> Result:
        size = re.fullmatch(r"(?is)(?:VARCHAR|CHARACTER\s+VARYING|NVARCHAR)\s*\(\s*(\d+|MAX)\s*\)", new_type)
        if size is None:
            raise RedshiftError("ALTER COLUMN TYPE changes only the size of a VARCHAR column: "
                                f"target type {new_type} is not a VARCHAR(n)", "0A000")
        limit = 65535 if size.group(1).upper() == "MAX" else int(size.group(1))
        declared = self._design(schema, table).get((column, "TYPE"))
        if column not in [c[0] for c in self._columns(schema, table)]:
            raise RedshiftError(f'column "{column}" of relation "{table}" does not exist', "42703")
        if not (declared or "").startswith("character varying"):
            raise RedshiftError(f'ALTER COLUMN TYPE is supported only for VARCHAR columns; "{column}" is '
                                f"{declared or 'not one'}", "0A000")
        qualified = translate.qualified(schema, table)
        longest = self._con.execute(f"SELECT coalesce(max(strlen({translate.qualified(None, column)})), 0) "
                                    f"FROM {qualified}").fetchall()[0][0]
        if longest > limit:
            raise RedshiftError("target column size should be greater or equal to current maximum column size",
                                "22001")
        created = self._con.execute("SELECT sql FROM duckdb_tables() WHERE database_name = current_database() "
                                    "AND schema_name = ? AND table_name = ?", [schema, table]).fetchall()[0][0]
        check = re.compile(r'CHECK\(\(strlen\((' + re.escape(translate.qualified(None, column)) + "|"
                           + re.escape(column) + r')\) <= \d+\)\)')
        if not check.search(created):
            raise RedshiftError(f'table "{table}" was created before lakebox kept column lengths; recreate it '
                                "to change a column's size", "0A000")
        rebuilt = check.sub(lambda m: f"CHECK((strlen({m.group(1)}) <= {limit}))", created, count=1)
        old = translate.qualified(schema, f"{table}__lakebox_resize")
        self._atomically([f"ALTER TABLE {qualified} RENAME TO {translate.qualified(None, f'{table}__lakebox_resize')}",
                          rebuilt.rstrip(";"), f"INSERT INTO {qualified} SELECT * FROM {old}", f"DROP TABLE {old}",
                          (f"UPDATE {META}.table_design SET value = ? WHERE schema_name = ? AND table_name = ? "
                           "AND column_name = ? AND attribute = 'TYPE'",
                           [f"character varying({limit})", schema, table, column])])
        return Result([], [], "ALTER TABLE", -1)

    # -- ALTER DISTKEY / DISTSTYLE / SORTKEY / ENCODE ----------------------------------------------

    def _alter_design(self, schema: str, table: str, match: re.Match) -> Result:
        """Recorded as CREATE TABLE's attributes are: DuckDB has no distribution or sort keys."""
        columns = [c[0] for c in self._columns(schema, table)]
        changes: list = []
        key = match.group("key") or match.group("key2")
        if key:
            key = _ident(key)
            if key not in columns:
                raise RedshiftError(f'column "{key}" named in distribution key does not exist', "42703")
            changes = [("DISTKEY", key), ("DISTSTYLE", "KEY")]
        elif match.group("style"):
            changes = [("DISTSTYLE", match.group("style").upper()), ("DISTKEY", None)]
        elif match.group("sort") is not None or match.group("sortword"):
            names = [_ident(n) for n in (match.group("sort") or "").split(",") if n.strip()]
            unknown = [n for n in names if n not in columns]
            if unknown:
                raise RedshiftError(f'column "{unknown[0]}" named in sort key does not exist', "42703")
            word = (match.group("sortword") or "").upper()
            value = ",".join(names) if names else ("AUTO" if word == "AUTO" else None)
            changes = [("SORTKEY", None), ("INTERLEAVED SORTKEY", None), ("COMPOUND SORTKEY", value)] \
                if match.group("kind") else [("COMPOUND SORTKEY", None), ("INTERLEAVED SORTKEY", None),
                                             ("SORTKEY", value)]
        elif match.group("column"):
            column = _ident(match.group("column"))
            if column not in columns:
                raise RedshiftError(f'column "{column}" of relation "{table}" does not exist', "42703")
            self._set_design(schema, table, column, "ENCODE", match.group("encoding").upper())
            return Result([], [], "ALTER TABLE", -1)
        else:
            changes = [("ENCODE", "AUTO")]
        for attribute, value in changes:
            self._set_design(schema, table, None, attribute, value)
        return Result([], [], "ALTER TABLE", -1)

    # -- helpers ---------------------------------------------------------------------------------

    def _split(self, name: str) -> tuple[str, str]:
        parts = [_ident(p) for p in re.split(r"\s*\.\s*", name.strip())]
        return (parts[0], parts[1]) if len(parts) == 2 else (self._current_schema(), parts[0])

    def _columns(self, schema: str, table: str) -> list:
        """(name, DuckDB type, nullable, default) of a table, a temporary one first as Postgres finds it."""
        rows = self._con.execute(
            "SELECT column_name, data_type, is_nullable, column_default FROM duckdb_columns() WHERE table_name = ? "
            "AND ((database_name = current_database() AND schema_name = ?) OR database_name = 'temp') "
            "ORDER BY database_name = 'temp' DESC, column_index", [table, schema]).fetchall()
        if not rows:
            raise RedshiftError(f'relation "{table}" does not exist', "42P01")
        return rows

    def _design(self, schema: str, table: str) -> dict:
        return {(column, attribute): value for column, attribute, value in self._con.execute(
            f"SELECT column_name, attribute, value FROM {META}.table_design WHERE schema_name = ? AND table_name = ?",
            [schema, table]).fetchall()}

    def _set_design(self, schema: str, table: str, column: Optional[str], attribute: str,
                    value: Optional[str]) -> None:
        self._con.execute(f"DELETE FROM {META}.table_design WHERE schema_name = ? AND table_name = ? AND "
                          "column_name IS NOT DISTINCT FROM ? AND attribute = ?", [schema, table, column, attribute])
        if value is not None:
            self._con.execute(f"INSERT INTO {META}.table_design VALUES (?, ?, ?, ?, ?)",
                              [schema, table, column, attribute, value])

    def _atomically(self, statements: list) -> None:
        """Run the statements as one transaction, joined to the session's when one is open."""
        own = not self._in_transaction
        try:
            if own:
                self._con.execute("BEGIN TRANSACTION")
            try:
                for item in statements:
                    self._con.execute(*item) if isinstance(item, tuple) else self._con.execute(item)
                if own:
                    self._con.execute("COMMIT")
            except BaseException:
                if own:
                    self._con.execute("ROLLBACK")
                raise
        except duckdb.Error as error:
            raise duck_error(error) from None


def _reference(name: str) -> str:
    """A table name as written (qualified or not, so that a temporary table is found first), quoted."""
    return ".".join(translate.qualified(None, _ident(p)) for p in re.split(r"\s*\.\s*", name.strip()))


def _ident(text: str) -> str:
    text = text.strip()
    return text[1:-1] if text.startswith('"') else text.lower()
