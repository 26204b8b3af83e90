"""Redshift's system views that scripts and tools read: PG_TABLE_DEF, SVV_TABLE_INFO, STV_TBL_PERM,
SVV_DISKUSAGE, STL_UNDONE, the SVV_EXTERNAL_* views of Spectrum, the load history and load errors COPY
records (`load_log`), the query history and sessions (`query_history`), the views listing tables,
columns, schemas and databases (SVV_TABLES, SVV_ALL_*, SVV_REDSHIFT_*: `svv_all_views`), and the
pg_catalog tables DuckDB lacks or answers otherwise (`pg_catalog_tables`).

DuckDB has none of them, and their answers come from three places: DuckDB's own catalog (columns,
sizes, row counts), what CREATE TABLE said that DuckDB does not keep (`_lakebox.table_design`), and
the Glue catalog (external schemas' tables and partitions). So a statement that names one of them
gets, for that statement only, a relation computed from those now: an Arrow table registered on the
connection (catalog views) or a view over lakebox's own tables (load views). Column names and order
are AWS's documented ones.

Imports duckdb, pyarrow and this package.
"""

from __future__ import annotations

import json
import math
from typing import Callable, Optional

import duckdb
import pyarrow as pa
from sqlglot import exp

from . import (RedshiftError, character_types, function_rules, interval_types, numeric_types, pg_catalog_tables,
               query_history, super_values, svv_all_views)
from .load_log import SYSTEM_VIEWS as LOAD_VIEWS
from .semantics import SESSION_FUNCTIONS, SESSION_MACROS
from .spectrum import META
from .svv_all_views import sort_key

#: SVV_TABLES and SVV_COLUMNS, which SHOW TABLES and SHOW COLUMNS read too (show_commands).
_svv_tables, _svv_columns = svv_all_views.svv_tables, svv_all_views.svv_columns

_TEXT, _INT, _BIG, _BOOL, _FLOAT = pa.string(), pa.int32(), pa.int64(), pa.bool_(), pa.float64()
#: The schemas a system view may be named in: none (found through the search path) or pg_catalog.
_SYSTEM_SCHEMAS = {"", "pg_catalog"}
#: DuckDB stores a table in blocks of this size; SVV_TABLE_INFO counts 1 MB blocks.
_DUCKDB_BLOCK = 262144


#: DuckDB's own schemas, which a Redshift database does not have: left out of the catalog views.
_INTERNAL = f"('{META}', 'main')"
#: Catalog views whose DuckDB rows include lakebox's and DuckDB's internals: read filtered.
_FILTERED = {
    ("pg_catalog", "pg_namespace"): f"SELECT * FROM pg_catalog.pg_namespace WHERE nspname NOT IN {_INTERNAL}",
    ("pg_catalog", "pg_tables"): "SELECT schemaname, tablename, pg_get_userbyid(100) AS tableowner, tablespace, "
                                 "hasindexes, hasrules, hastriggers FROM pg_catalog.pg_tables "
                                 f"WHERE schemaname NOT IN {_INTERNAL}",
    ("pg_catalog", "pg_views"): "SELECT schemaname, viewname, pg_get_userbyid(100) AS viewowner, definition "
                                f"FROM pg_catalog.pg_views WHERE schemaname NOT IN {_INTERNAL}",
    # Redshift has no table inheritance; psql's \d asks anyway.
    ("pg_catalog", "pg_inherits"): "SELECT CAST(NULL AS BIGINT) AS inhrelid, CAST(NULL AS BIGINT) AS inhparent, "
                                   "CAST(NULL AS INTEGER) AS inhseqno WHERE false",
    ("information_schema", "schemata"): "SELECT * FROM information_schema.schemata "
                                        f"WHERE schema_name NOT IN {_INTERNAL}",
    **{("information_schema", view): f"SELECT * FROM information_schema.{view} WHERE table_schema NOT IN {_INTERNAL}"
       for view in ("tables", "columns", "views", "table_constraints", "key_column_usage")},
}


class SystemTablesMixin:
    """Needs `_con`, `_views`, `_external_schemas()`, `glue_catalog`, `account`, `region`."""

    def _system_view(self, table: exp.Table, views: list) -> Optional[exp.Expression]:
        if table.catalog:
            return None
        if isinstance(table.this, exp.Func):
            return self._system_function(table, views)
        name = table.name.lower()
        schema = table.db.lower() or "pg_catalog"
        filtered = _FILTERED.get((schema, name))
        if filtered is None and schema == "pg_catalog" and name in pg_catalog_tables.VIEWS:
            filtered = pg_catalog_tables.VIEWS[name](self)
        if filtered is not None:
            view = f"__system_{next(self._views)}"
            self._con.execute(f'CREATE OR REPLACE TEMP VIEW "{view}" AS {filtered}')
            views.append((view, []))
            return exp.Table(this=exp.to_identifier(view),
                             alias=exp.TableAlias(this=exp.to_identifier(table.alias or name)))
        if table.db.lower() not in _SYSTEM_SCHEMAS:
            return None
        view = f"__system_{next(self._views)}"
        if name in LOAD_VIEWS:
            self._con.execute(f'CREATE OR REPLACE TEMP VIEW "{view}" AS {LOAD_VIEWS[name]}')
            views.append((view, []))
        elif name in _CATALOG_VIEWS:
            self._register(view, *_CATALOG_VIEWS[name](self), views)
        else:
            return None
        return exp.Table(this=exp.to_identifier(view), alias=exp.TableAlias(this=exp.to_identifier(table.alias or name)))

    def _system_function(self, table: exp.Table, views: list) -> Optional[exp.Expression]:
        """PG_GET_LATE_BINDING_VIEW_COLS() in FROM, with the column list Postgres asks of a function
        returning records: a relation of its rows (none: see pg_catalog_tables), its columns named
        as the list names them."""
        function = table.this
        if function.name.lower() != "pg_get_late_binding_view_cols":
            return None
        alias = table.args.get("alias")
        defined = [c.name for c in (alias.columns if alias else [])]
        columns = pg_catalog_tables.LATE_BINDING_VIEW_COLUMNS
        if defined and len(defined) != len(columns):
            raise RedshiftError("a column definition list must name the function's "
                                f"{len(columns)} columns", "42601")
        view = f"__system_{next(self._views)}"
        self._register(view, [(new or old, kind) for new, (old, kind) in
                              zip(defined or [None] * len(columns), columns)], [], views)
        return exp.Table(this=exp.to_identifier(view),
                         alias=exp.TableAlias(this=exp.to_identifier(alias.name if alias and alias.name
                                                                      else "pg_get_late_binding_view_cols")))

    def _register(self, view: str, schema: list, rows: list, views: list) -> None:
        self._con.register(view, pa.Table.from_pylist(rows, schema=pa.schema(schema)))
        views.append((view, [view]))

    def _define_session_functions(self, user: Optional[str]) -> None:
        """Postgres catalog functions psql's and drivers' catalog queries call that DuckDB lacks, as
        macros of this session: pg_get_userbyid answers rdsdb for Redshift's system user (1) and the
        user logged in for any other id (DuckDB records no owners)."""
        name = (user or "rdsdb").replace("'", "''")
        self._con.execute(f"CREATE OR REPLACE TEMP MACRO pg_get_userbyid(id) AS "
                          f"CASE WHEN id = 1 THEN 'rdsdb' ELSE '{name}' END")
        # Postgres's three-argument form (pretty-printing), which psql's \d sends.
        self._con.execute("CREATE OR REPLACE TEMP MACRO pg_get_expr(node, relation) AS node, "
                          "(node, relation, pretty) AS node")
        # Redshift functions DuckDB lacks: STRTOL(text, base), IS_VALID_JSON_ARRAY, JSON_SERIALIZE and
        # the DATE_CMP family.
        self._con.execute("CREATE OR REPLACE TEMP MACRO strtol(text, base) AS list_reduce(list_transform("
                          "string_split(CASE WHEN base = 16 AND lower(trim(text)) LIKE '0x%' "
                          "THEN substr(lower(trim(text)), 3) ELSE lower(trim(text)) END, ''), "
                          "lambda c: CAST(position(c IN "
                          "'0123456789abcdefghijklmnopqrstuvwxyz') - 1 AS BIGINT)), lambda acc, d: acc * base + d)")
        self._con.execute("CREATE OR REPLACE TEMP MACRO is_valid_json_array(text) AS "
                          "coalesce(json_valid(text) AND json_type(text) = 'ARRAY', false)")
        # JSON_SERIALIZE of a NULL is the JSON text 'null' (AWS: "always a non-null JSON string").
        self._con.execute("CREATE OR REPLACE TEMP MACRO json_serialize(value) AS "
                          "coalesce(CAST(value AS VARCHAR), 'null')")
        # What `semantics` rewrites Redshift's TO_CHAR, SIMILAR TO, AVG, SUM, ADD_MONTHS ... into.
        for name, function, arguments, result in (SESSION_FUNCTIONS + interval_types.SESSION_FUNCTIONS
                                                  + super_values.SESSION_FUNCTIONS
                                                  + function_rules.SESSION_FUNCTIONS):
            try:
                self._con.create_function(name, function, arguments, result, side_effects=False)
            except duckdb.Error:
                pass  # already defined on this connection
        for sql in (SESSION_MACROS + numeric_types.SESSION_MACROS + pg_catalog_tables.SESSION_MACROS
                    + super_values.SESSION_MACROS + character_types.SESSION_MACROS
                    + function_rules.SESSION_MACROS):
            self._con.execute(sql)
        self._con.execute("CREATE OR REPLACE TEMP MACRO pg_encoding_to_char(encoding) AS "
                          "CASE WHEN encoding = 6 THEN 'UTF8' ELSE 'SQL_ASCII' END")
        for name, kind in (("date_cmp", "DATE"), ("timestamp_cmp", "TIMESTAMP"), ("date_cmp_timestamp", "TIMESTAMP"),
                           ("timestamp_cmp_date", "TIMESTAMP")):
            # -1, 0 or 1 as the first value is earlier, equal or later.
            self._con.execute(f"CREATE OR REPLACE TEMP MACRO {name}(a, b) AS CASE WHEN CAST(a AS {kind}) < "
                              f"CAST(b AS {kind}) THEN -1 WHEN CAST(a AS {kind}) > CAST(b AS {kind}) THEN 1 "
                              "WHEN a IS NOT NULL AND b IS NOT NULL THEN 0 END")

    # -- the cluster's own tables ----------------------------------------------------------------

    def _design_by_table(self) -> dict:
        """{(schema, table): [(column or None, attribute, value)]} of every table CREATE TABLE described."""
        found: dict = {}
        for schema, table, column, attribute, value in self._con.execute(
                f"SELECT schema_name, table_name, column_name, attribute, value FROM {META}.table_design").fetchall():
            found.setdefault((schema, table), []).append((column, attribute, value))
        return found

    def _user_columns(self, schemas: Optional[list] = None) -> list:
        """(schema, table, table oid, column, DuckDB type, nullable) of every user table, in order."""
        sql = ("SELECT c.schema_name, c.table_name, c.table_oid, c.column_name, c.data_type, c.is_nullable "
               "FROM duckdb_columns() c JOIN duckdb_tables() t ON t.table_oid = c.table_oid "
               "WHERE c.database_name = current_database() AND NOT t.temporary AND c.schema_name NOT IN "
               f"('{META}', 'information_schema', 'pg_catalog')")
        params: list = []
        if schemas is not None:
            sql += f" AND c.schema_name IN ({', '.join('?' for _ in schemas)})"
            params = list(schemas)
        return self._con.execute(sql + " ORDER BY c.schema_name, c.table_name, c.column_index", params).fetchall()

    def _search_path(self) -> list:
        path = _one(self, "SELECT current_setting('search_path')") or ""
        schemas = [s.strip().strip('"') for s in path.split(",") if s.strip()]
        return schemas or [_one(self, "SELECT current_schema()")]


def _one(db, sql: str):
    """The one value `sql` answers. fetchall, not fetchone: a result left open makes DuckDB refuse
    the `register` of the view that follows on the same connection."""
    return db._con.execute(sql).fetchall()[0][0]


def _pg_table_def(db) -> tuple:
    """PG_TABLE_DEF: one row per column of the tables in schemas on the search path."""
    from .database import pg_type_name

    design = db._design_by_table()
    rows = []
    for schema, table, _, column, duck_type, nullable in db._user_columns(db._search_path()):
        said = design.get((schema, table), [])
        declared = {a: v for c, a, v in said if c == column}
        table_wide = {a: v for c, a, v in said if c is None}
        sort_columns, interleaved = sort_key(table_wide)
        position = sort_columns.index(column) + 1 if column in sort_columns else 0
        rows.append({"schemaname": schema, "tablename": table, "column": column,
                     "type": declared.get("TYPE") or pg_type_name(duck_type),
                     "encoding": (declared.get("ENCODE") or "none").lower(),
                     "distkey": table_wide.get("DISTKEY") == column,
                     "sortkey": -position if interleaved else position, "notnull": not nullable})
    return ([("schemaname", _TEXT), ("tablename", _TEXT), ("column", _TEXT), ("type", _TEXT),
             ("encoding", _TEXT), ("distkey", _BOOL), ("sortkey", _INT), ("notnull", _BOOL)], rows)


def _svv_table_info(db) -> tuple:
    """SVV_TABLE_INFO: one row per table that holds rows (AWS leaves empty tables out)."""
    design = db._design_by_table()
    tables: dict = {}
    for schema, table, oid, column, _, _ in db._user_columns():
        tables.setdefault((schema, table, oid), []).append(column)
    database = _one(db, "SELECT current_database()")
    rows = []
    for (schema, table, oid), columns in tables.items():
        qualified = f'"{schema}"."{table}"'
        count = _one(db, f"SELECT count(*) FROM {qualified}")
        if count == 0:
            continue
        said = design.get((schema, table), [])
        table_wide = {a: v for c, a, v in said if c is None}
        sort_columns, interleaved = sort_key(table_wide)
        encodes = {c: v.lower() for c, a, v in said if a == "ENCODE" and c}
        lengths = [int(v.split("(")[1].rstrip(")")) for c, a, v in said
                   if a == "TYPE" and v.startswith("character varying(")]
        size_mb = _size_mb(db, schema, table)
        rows.append({
            "database": database, "schema": schema, "table_id": oid, "table": table,
            "encoded": "Y" if encodes else "Y, AUTO(ENCODE)", "diststyle": _dist_style(table_wide),
            "sortkey1": ("INTERLEAVED" if interleaved else sort_columns[0]) if sort_columns else "AUTO(SORTKEY)",
            "max_varchar": max(lengths) if lengths else 0,
            "sortkey1_enc": (encodes.get(sort_columns[0], "none") if sort_columns and not interleaved else None),
            "sortkey_num": len(sort_columns), "size": size_mb, "pct_used": 0.0, "empty": 0,
            "unsorted": 0.0 if sort_columns else None, "stats_off": 0.0, "tbl_rows": count,
            "skew_sortkey1": 1.0 if sort_columns else None, "skew_rows": 1.0,
            "estimated_visible_rows": count, "risk_event": None, "vacuum_sort_benefit": 0.0 if sort_columns else None,
            "create_time": None})
    return ([("database", _TEXT), ("schema", _TEXT), ("table_id", _BIG), ("table", _TEXT), ("encoded", _TEXT),
             ("diststyle", _TEXT), ("sortkey1", _TEXT), ("max_varchar", _INT), ("sortkey1_enc", _TEXT),
             ("sortkey_num", _INT), ("size", _BIG), ("pct_used", _FLOAT), ("empty", _BIG), ("unsorted", _FLOAT),
             ("stats_off", _FLOAT), ("tbl_rows", _BIG), ("skew_sortkey1", _FLOAT), ("skew_rows", _FLOAT),
             ("estimated_visible_rows", _BIG), ("risk_event", _TEXT), ("vacuum_sort_benefit", _FLOAT),
             ("create_time", pa.timestamp("us"))], rows)


def _stv_tbl_perm(db) -> tuple:
    """STV_TBL_PERM: one row per table, the session's temporary tables included (temp = 1), all on
    slice 0 (DuckDB has no slices), its rows all sorted (DuckDB keeps no unsorted region)."""
    design = db._design_by_table()
    database_id = _database_id(db)
    rows = []
    for schema, table, oid, temporary in db._con.execute(
            "SELECT schema_name, table_name, table_oid, temporary FROM duckdb_tables() WHERE temporary OR "
            f"(database_name = current_database() AND schema_name NOT IN ('{META}', 'information_schema', "
            "'pg_catalog')) ORDER BY table_oid").fetchall():
        count = _one(db, f"SELECT count(*) FROM {_qualified(schema, table, temporary)}")
        table_wide = {a: v for c, a, v in design.get((schema, table), []) if c is None}
        rows.append({"slice": 0, "id": oid, "name": table, "rows": count, "sorted_rows": count,
                     "temp": int(temporary), "db_id": database_id, "insert_pristine": 0, "delete_pristine": 0,
                     "backup": 0 if table_wide.get("BACKUP") == "NO" else 1,
                     "dist_style": _DIST_STYLE_IDS[_dist_style(table_wide).split("(")[0]],
                     "block_count": _size_mb(db, schema, table) if count and not temporary else 0})
    return ([("slice", _INT), ("id", _INT), ("name", _TEXT), ("rows", _BIG), ("sorted_rows", _BIG), ("temp", _INT),
             ("db_id", _INT), ("insert_pristine", _INT), ("delete_pristine", _INT), ("backup", _INT),
             ("dist_style", _INT), ("block_count", _INT)], rows)


def _svv_diskusage(db) -> tuple:
    """SVV_DISKUSAGE: one row per block; here one block per column of each table that holds rows,
    the three hidden columns Redshift appends (INSERT_XID, DELETE_XID, ROW_ID) included, holding all
    of the table's values. minvalue and maxvalue are the column's for integer columns, else 0."""
    design = db._design_by_table()
    database_id = _database_id(db)
    tables: dict = {}
    for schema, table, oid, column, duck_type, _ in db._user_columns():
        tables.setdefault((schema, table, oid), []).append((column, duck_type))
    rows = []
    for (schema, table, oid), columns in tables.items():
        integers = [name for name, duck_type in columns if duck_type in _INTEGER_TYPES]
        bounds = "".join(f", min({_quote(c)}), max({_quote(c)})" for c in integers)
        count, *values = db._con.execute(f"SELECT count(*){bounds} FROM {_qualified(schema, table)}").fetchall()[0]
        if not count:
            continue
        limits = {name: (values[2 * i], values[2 * i + 1]) for i, name in enumerate(integers)}
        sorted_table = bool(sort_key({a: v for c, a, v in design.get((schema, table), []) if c is None})[0])
        for number, name in enumerate([name for name, _ in columns] + list(_HIDDEN_COLUMNS)):
            low, high = limits.get(name, (0, 0))
            rows.append({"db_id": database_id, "name": table, "slice": 0, "col": number, "tbl": oid, "blocknum": 0,
                         "num_values": count, "minvalue": low or 0, "maxvalue": high or 0, "sb_pos": number,
                         "pinned": 0, "on_disk": 0, "modified": 0, "hdr_modified": 0,
                         "unsorted": 0 if sorted_table else 1, "tombstone": 0, "preferred_diskno": 0,
                         "temporary": 0, "newblock": 0})
    return ([("db_id", _INT), ("name", _TEXT), ("slice", _INT), ("col", _INT), ("tbl", _INT), ("blocknum", _INT),
             ("num_values", _INT), ("minvalue", _BIG), ("maxvalue", _BIG), ("sb_pos", _INT), ("pinned", _INT),
             ("on_disk", _INT), ("modified", _INT), ("hdr_modified", _INT), ("unsorted", _INT), ("tombstone", _INT),
             ("preferred_diskno", _INT), ("temporary", _INT), ("newblock", _INT)], rows)


#: Redshift's numbers for distribution styles (RELEFFECTIVEDISTSTYLE; STV_TBL_PERM.dist_style).
_DIST_STYLE_IDS = {"EVEN": 0, "KEY": 1, "ALL": 8, "AUTO": 10}
#: DuckDB column types whose values SVV_DISKUSAGE gives as minvalue and maxvalue.
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT"}
#: The columns Redshift appends to every table, after its own.
_HIDDEN_COLUMNS = ("insert_xid", "delete_xid", "row_id")


def _size_mb(db, schema: str, table: str) -> int:
    """The 1 MB blocks a table takes: DuckDB's blocks of the table, rounded up, at least one."""
    blocks = _one(db, f"SELECT count(DISTINCT block_id) FROM pragma_storage_info('{schema}.{table}') "
                      "WHERE block_id >= 0")
    return max(1, math.ceil(blocks * _DUCKDB_BLOCK / (1 << 20)))


def _qualified(schema: str, table: str, temporary: bool = False) -> str:
    return f"temp.main.{_quote(table)}" if temporary else f"{_quote(schema)}.{_quote(table)}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _database_id(db) -> int:
    """The oid PG_DATABASE gives the database a statement runs in."""
    return _database_ids(db).get(_one(db, "SELECT current_database()"), 100000)


def _database_ids(db) -> dict:
    names = getattr(db.users, "database_names", None) or [_one(db, "SELECT current_database()")]
    return {name: 100000 + i for i, name in enumerate(sorted(names))}


def _dist_style(table_wide: dict) -> str:
    if table_wide.get("DISTKEY") and table_wide["DISTKEY"] != "AUTO":
        return f"KEY({table_wide['DISTKEY']})"
    style = table_wide.get("DISTSTYLE")
    return style if style in ("EVEN", "ALL") else "AUTO(ALL)"


# -- Spectrum ------------------------------------------------------------------------------------

def _svv_external_schemas(db) -> tuple:
    rows = [{"esoid": 100000 + i, "eskind": 1, "schemaname": schema, "esowner": 100, "databasename": database,
             "esoptions": json.dumps({"IAM_ROLE": role}) if role else None}
            for i, (schema, database, role) in enumerate(db._external_schema_rows())]
    return ([("esoid", _BIG), ("eskind", _INT), ("schemaname", _TEXT), ("esowner", _INT), ("databasename", _TEXT),
             ("esoptions", _TEXT)], rows)


def _svv_external_databases(db) -> tuple:
    rows = []
    for database in sorted({d for _, d, _ in db._external_schema_rows()}):
        found = db.glue_catalog.get_database(db.account, db.region, database) or {}
        rows.append({"eskind": 1, "esoptions": None, "databasename": database,
                     "location": found.get("LocationUri") or "",
                     "parameters": json.dumps(found.get("Parameters") or {})})
    return ([("eskind", _INT), ("esoptions", _TEXT), ("databasename", _TEXT), ("location", _TEXT),
             ("parameters", _TEXT)], rows)


def _external_tables(db):
    """(schema, Glue table) of every table in the external schemas' Glue databases."""
    for schema, database, _ in db._external_schema_rows():
        for table in sorted(db.glue_catalog.list_tables(db.account, db.region, database), key=lambda t: t["Name"]):
            yield schema, table


def _storage(sd: dict) -> dict:
    serde = sd.get("SerdeInfo") or {}
    return {"location": sd.get("Location") or "", "input_format": sd.get("InputFormat") or "",
            "output_format": sd.get("OutputFormat") or "", "serialization_lib": serde.get("SerializationLibrary") or "",
            "serde_parameters": json.dumps(serde.get("Parameters") or {}), "compressed": 1 if sd.get("Compressed") else 0}


_STORAGE_COLUMNS = [("location", _TEXT), ("input_format", _TEXT), ("output_format", _TEXT),
                    ("serialization_lib", _TEXT), ("serde_parameters", _TEXT), ("compressed", _INT)]


def _svv_external_tables(db) -> tuple:
    database = _one(db, "SELECT current_database()")
    rows = [{"redshift_database_name": database, "schemaname": schema, "tablename": table["Name"],
             "tabletype": "VIEW" if table.get("TableType") == "VIRTUAL_VIEW" else "TABLE",
             **_storage(table.get("StorageDescriptor") or {}), "parameters": json.dumps(table.get("Parameters") or {})}
            for schema, table in _external_tables(db)]
    return ([("redshift_database_name", _TEXT), ("schemaname", _TEXT), ("tablename", _TEXT), ("tabletype", _TEXT),
             *_STORAGE_COLUMNS, ("parameters", _TEXT)], rows)


def _svv_external_columns(db) -> tuple:
    database = _one(db, "SELECT current_database()")
    rows = []
    for schema, table in _external_tables(db):
        columns = (table.get("StorageDescriptor") or {}).get("Columns") or []
        keys = table.get("PartitionKeys") or []
        for number, column in enumerate(columns + keys, start=1):
            part_key = number - len(columns) if number > len(columns) else 0
            rows.append({"redshift_database_name": database, "schemaname": schema, "tablename": table["Name"],
                         "columnname": column["Name"], "external_type": column.get("Type") or "",
                         "columnnum": number, "part_key": part_key, "is_nullable": "true"})
    return ([("redshift_database_name", _TEXT), ("schemaname", _TEXT), ("tablename", _TEXT), ("columnname", _TEXT),
             ("external_type", _TEXT), ("columnnum", _INT), ("part_key", _INT), ("is_nullable", _TEXT)], rows)


def _svv_external_partitions(db) -> tuple:
    rows = []
    for schema, table in _external_tables(db):
        if not table.get("PartitionKeys"):
            continue
        for partition in db.glue_catalog.get_partitions(db.account, db.region, table["DatabaseName"], table["Name"]):
            rows.append({"schemaname": schema, "tablename": table["Name"],
                         "values": json.dumps(partition.get("Values") or []),
                         **_storage(partition.get("StorageDescriptor") or {}),
                         "parameters": json.dumps(partition.get("Parameters") or {})})
    rows.sort(key=lambda r: (r["schemaname"], r["tablename"], r["values"]))
    return ([("schemaname", _TEXT), ("tablename", _TEXT), ("values", _TEXT), *_STORAGE_COLUMNS,
             ("parameters", _TEXT)], rows)


# -- users and the unified views -------------------------------------------------------------------

def _pg_user(db) -> tuple:
    """PG_USER: rdsdb (Redshift's system user), the master user and the users CREATE USER made."""
    doc = getattr(db.users, "doc", None) or {}
    rows = [{"usename": "rdsdb", "usesysid": 1, "usecreatedb": True, "usesuper": True, "usecatupd": True,
             "passwd": "********", "valuntil": None, "useconfig": None}]
    master = (doc.get("MasterUsername") or "").lower()
    if master:
        rows.append({"usename": master, "usesysid": 100, "usecreatedb": True, "usesuper": True, "usecatupd": False,
                     "passwd": "********", "valuntil": None, "useconfig": None})
    for number, (name, entry) in enumerate(sorted((doc.get("Users") or {}).items()), start=101):
        until = entry.get("valid_until")
        rows.append({"usename": name, "usesysid": number, "usecreatedb": bool(entry.get("createdb")),
                     "usesuper": bool(entry.get("superuser")), "usecatupd": False, "passwd": "********",
                     "valuntil": until[:19].replace("T", " ") if until else None, "useconfig": None})
    return ([("usename", _TEXT), ("usesysid", _INT), ("usecreatedb", _BOOL), ("usesuper", _BOOL),
             ("usecatupd", _BOOL), ("passwd", _TEXT), ("valuntil", _TEXT), ("useconfig", _TEXT)], rows)


def _stl_undone(db) -> tuple:
    """STL_UNDONE, AWS's columns and no rows. Redshift logs here each table whose changes an undo
    transaction removed when a write transaction was rolled back. DuckDB rolls a transaction back
    inside the transaction itself, and lakebox keeps no record of rollbacks, so it has no row to give
    for one; a write transaction rolled back on lakebox is not listed, as it would be on Redshift."""
    return ([("userid", _INT), ("xact_id", _BIG), ("xact_id_undone", _BIG), ("undo_start_ts", pa.timestamp("us")),
             ("undo_end_ts", pa.timestamp("us")), ("table_id", _BIG)], [])


def _pg_database(db) -> tuple:
    """PG_DATABASE: the cluster's databases (DuckDB's own view has no owner, encoding or ACL)."""
    rows = [{"oid": oid, "datname": name, "datdba": 100, "encoding": 6, "datcollate": "C", "datctype": "C",
             "datistemplate": False, "datallowconn": True, "datconfig": None, "datacl": None}
            for name, oid in _database_ids(db).items()]
    return ([("oid", _BIG), ("datname", _TEXT), ("datdba", _INT), ("encoding", _INT), ("datcollate", _TEXT),
             ("datctype", _TEXT), ("datistemplate", _BOOL), ("datallowconn", _BOOL), ("datconfig", _TEXT),
             ("datacl", pa.list_(pa.string()))], rows)


_CATALOG_VIEWS: dict[str, Callable] = {
    **query_history.VIEWS, **svv_all_views.VIEWS, **pg_catalog_tables.TABLES,
    "pg_user": _pg_user, "pg_database": _pg_database, "stl_undone": _stl_undone,
    "pg_table_def": _pg_table_def, "svv_table_info": _svv_table_info, "stv_tbl_perm": _stv_tbl_perm,
    "svv_diskusage": _svv_diskusage,
    "svv_external_schemas": _svv_external_schemas, "svv_external_databases": _svv_external_databases,
    "svv_external_tables": _svv_external_tables, "svv_external_columns": _svv_external_columns,
    "svv_external_partitions": _svv_external_partitions,
}
