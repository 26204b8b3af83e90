"""The pg_catalog tables and functions of Redshift's Postgres lineage that DuckDB's own pg_catalog
lacks or answers otherwise, for drivers' catalog queries and tools that read them.

Three kinds:
- tables DuckDB has no form of (pg_aggregate, pg_language, pg_locks, pg_statistic ...), each with
  the columns of Redshift's Postgres (8.0; pg_shdepend and pg_locks as 8.1 shaped them) and only the
  rows lakebox has to give: the aggregates DuckDB has, the views' `_RETURN` rules, the languages
  Redshift registers. Where lakebox keeps none of a table's objects (operator classes, casts, large
  objects, statistics, locks, user groups, default privileges) the table is empty;
- DuckDB tables whose rows are not Redshift's: pg_type gains Redshift's own types (bpchar, super,
  varbyte ...) and loses DuckDB's oid-less internals; pg_attribute gives each column the type and
  modifier CREATE TABLE declared (`character varying(30)` is varchar with typmod 34, as `format_type`
  and drivers' `atttypmod - 4` expect); a declared PRIMARY KEY is the index relation `<table>_pkey`
  in pg_class, pg_index and pg_attribute, as Redshift keeps it (drivers' get_primary_keys read it),
  and PG_INDEXES lists it with its definition (upsert tools parse the key's columns from it);
  pg_proc lists the stored procedures (`procedures`) with DuckDB's functions;
- PG_PROC_INFO (pg_proc with `prooid`) and PG_GET_LATE_BINDING_VIEW_COLS(), which redshift_connector's
  get_procedures and get_columns read. Every view here binds its columns when it is made, so the
  late-binding views' function has no rows: their columns are in pg_attribute with the others'.

Each answer is computed when a statement names the table (`system_tables`). `format_type` is a
session macro here, since DuckDB's own answers DuckDB's type names. Imports pyarrow and this package.
"""

from __future__ import annotations

import re
from typing import Callable

import pyarrow as pa

from . import pg_types
from .spectrum import META

_TEXT, _INT, _SMALL, _BIG, _BOOL, _FLOAT = pa.string(), pa.int32(), pa.int16(), pa.int64(), pa.bool_(), pa.float32()
_TEXT_LIST, _INT_LIST = pa.list_(pa.string()), pa.list_(pa.int32())


def _empty(*columns) -> Callable:
    """A table lakebox has no rows for: its columns, and none."""
    return lambda db: (list(columns), [])


def _pg_language(db) -> tuple:
    """The languages Redshift registers. Their handler and validator functions are not in lakebox's
    pg_proc, so their oids are 0."""
    rows = [{"lanname": name, "lanispl": procedural, "lanpltrusted": trusted, "lanplcallfoid": 0, "lanvalidator": 0,
             "lanacl": None}
            for name, procedural, trusted in (("internal", False, False), ("c", False, False), ("sql", False, True),
                                              ("plpgsql", True, True), ("plpythonu", True, True))]
    return ([("lanname", _TEXT), ("lanispl", _BOOL), ("lanpltrusted", _BOOL), ("lanplcallfoid", _BIG),
             ("lanvalidator", _BIG), ("lanacl", _TEXT_LIST)], rows)


def _pg_aggregate(db) -> tuple:
    """One row per aggregate function DuckDB has (pg_proc's prokind 'a'); DuckDB keeps no transition
    functions or types, so those are `-` (no function) and 0, as Postgres shows an unset regproc."""
    rows = [{"aggfnoid": name, "aggtransfn": "-", "aggfinalfn": "-", "aggtranstype": 0, "agginitval": None}
            for (name,) in db._con.execute("SELECT DISTINCT proname FROM pg_catalog.pg_proc WHERE prokind = 'a' "
                                           "ORDER BY 1").fetchall()]
    return ([("aggfnoid", _TEXT), ("aggtransfn", _TEXT), ("aggfinalfn", _TEXT), ("aggtranstype", _BIG),
             ("agginitval", _TEXT)], rows)


def _pg_rewrite(db) -> tuple:
    """A view is its `_RETURN` rule: one row per view of the database (pg_class relkind 'v'). DuckDB
    keeps a view's SQL, not Postgres's rule tree, so ev_action is NULL."""
    rows = [{"rulename": "_RETURN", "ev_class": oid, "ev_attr": -1, "ev_type": "1", "is_instead": True,
             "ev_qual": "<>", "ev_action": None}
            for (oid,) in db._con.execute(
                "SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                f"WHERE c.relkind = 'v' AND n.nspname NOT IN ('{META}', 'main', 'pg_catalog', "
                "'information_schema') ORDER BY 1").fetchall()]
    return ([("rulename", _TEXT), ("ev_class", _BIG), ("ev_attr", _SMALL), ("ev_type", _TEXT),
             ("is_instead", _BOOL), ("ev_qual", _TEXT), ("ev_action", _TEXT)], rows)


_STATISTIC = [("starelid", _BIG), ("staattnum", _SMALL), ("stanullfrac", _FLOAT), ("stawidth", _INT),
              ("stadistinct", _FLOAT),
              *[(f"{kind}{i}", t) for kind, t in (("stakind", _SMALL), ("staop", _BIG)) for i in range(1, 5)],
              *[(f"stanumbers{i}", pa.list_(pa.float32())) for i in range(1, 5)],
              *[(f"stavalues{i}", _TEXT_LIST) for i in range(1, 5)]]

#: name -> fn(db) -> (columns, rows).
TABLES: dict[str, Callable] = {
    "pg_language": _pg_language,
    "pg_aggregate": _pg_aggregate,
    "pg_rewrite": _pg_rewrite,
    # Rules other than views' _RETURN rules: Redshift has no CREATE RULE.
    "pg_rules": _empty(("schemaname", _TEXT), ("tablename", _TEXT), ("rulename", _TEXT), ("definition", _TEXT)),
    "pg_amop": _empty(("amopclaid", _BIG), ("amopsubtype", _BIG), ("amopstrategy", _SMALL), ("amopreqcheck", _BOOL),
                      ("amopopr", _BIG)),
    "pg_amproc": _empty(("amopclaid", _BIG), ("amprocsubtype", _BIG), ("amprocnum", _SMALL), ("amproc", _TEXT)),
    "pg_opclass": _empty(("opcamid", _BIG), ("opcname", _TEXT), ("opcnamespace", _BIG), ("opcowner", _INT),
                         ("opcintype", _BIG), ("opcdefault", _BOOL), ("opckeytype", _BIG)),
    "pg_operator": _empty(("oprname", _TEXT), ("oprnamespace", _BIG), ("oprowner", _INT), ("oprkind", _TEXT),
                          ("oprcanhash", _BOOL), ("oprleft", _BIG), ("oprright", _BIG), ("oprresult", _BIG),
                          ("oprcom", _BIG), ("oprnegate", _BIG), ("oprlsortop", _BIG), ("oprrsortop", _BIG),
                          ("oprltcmpop", _BIG), ("oprgtcmpop", _BIG), ("oprcode", _TEXT), ("oprrest", _TEXT),
                          ("oprjoin", _TEXT)),
    "pg_cast": _empty(("castsource", _BIG), ("casttarget", _BIG), ("castfunc", _BIG), ("castcontext", _TEXT)),
    "pg_conversion": _empty(("conname", _TEXT), ("connamespace", _BIG), ("conowner", _INT), ("conforencoding", _INT),
                            ("contoencoding", _INT), ("conproc", _TEXT), ("condefault", _BOOL)),
    # ALTER DEFAULT PRIVILEGES is not kept (GRANT is accepted and not enforced); AWS's columns.
    "pg_default_acl": _empty(("defacluser", _INT), ("defaclnamespace", _BIG), ("defaclobjtype", _TEXT),
                             ("defaclacl", _TEXT_LIST)),
    "pg_largeobject": _empty(("loid", _BIG), ("pageno", _INT), ("data", pa.binary())),
    # Owners are not recorded, so no object depends on a user.
    "pg_shdepend": _empty(("dbid", _BIG), ("classid", _BIG), ("objid", _BIG), ("refclassid", _BIG),
                          ("refobjid", _BIG), ("deptype", _TEXT)),
    # ANALYZE is accepted and gathers nothing.
    "pg_statistic": _empty(*_STATISTIC),
    "pg_stats": _empty(("schemaname", _TEXT), ("tablename", _TEXT), ("attname", _TEXT), ("null_frac", _FLOAT),
                       ("avg_width", _INT), ("n_distinct", _FLOAT), ("most_common_vals", _TEXT_LIST),
                       ("most_common_freqs", pa.list_(pa.float32())), ("histogram_bounds", _TEXT_LIST),
                       ("correlation", _FLOAT)),
    # CREATE GROUP is not supported: the cluster has no user groups.
    "pg_group": _empty(("groname", _TEXT), ("grosysid", _INT), ("grolist", _INT_LIST)),
    # LOCK is checked and not held (DuckDB serializes writers itself): no lock is ever listed.
    "pg_locks": _empty(("locktype", _TEXT), ("database", _BIG), ("relation", _BIG), ("page", _INT),
                       ("tuple", _SMALL), ("transactionid", _BIG), ("classid", _BIG), ("objid", _BIG),
                       ("objsubid", _SMALL), ("transaction", _BIG), ("pid", _INT), ("mode", _TEXT),
                       ("granted", _BOOL)),
}


# -- DuckDB's tables made Redshift's --------------------------------------------------------------

#: Redshift types DuckDB's pg_type lacks: (oid, typname, typlen, typcategory).
_REDSHIFT_TYPES = [(18, "char", 1, "S"), (19, "name", 64, "S"), (25, "text", -1, "S"), (26, "oid", 4, "N"),
                   (1042, "bpchar", -1, "S"), (3000, "geometry", -1, "U"), (3001, "geography", -1, "U"),
                   (4000, "super", -1, "U"), (6551, "varbyte", -1, "U"), (1188, "intervaly2m", 4, "T"),
                   (1190, "intervald2s", 8, "T")]
#: Redshift's interval types: YEAR/MONTH ranges are intervaly2m, DAY to SECOND ones intervald2s.
_INTERVAL_Y2M, _INTERVAL_D2S = 1188, 1190


def _pg_type_sql(db) -> str:
    values = ", ".join(f"({oid}, '{name}', {length}, '{category}')" for oid, name, length, category in _REDSHIFT_TYPES)
    return ("SELECT * FROM pg_catalog.pg_type WHERE oid IS NOT NULL UNION ALL BY NAME "
            "SELECT t.oid, t.typname, (SELECT typnamespace FROM pg_catalog.pg_type WHERE oid = 23) AS typnamespace, "
            "0 AS typowner, t.typlen, t.typlen > 0 AS typbyval, 'b' AS typtype, t.typcategory, "
            "false AS typispreferred, true AS typisdefined, 'i' AS typalign, "
            f"CASE WHEN t.typlen > 0 THEN 'p' ELSE 'x' END AS typstorage FROM (VALUES {values}) "
            "t(oid, typname, typlen, typcategory)")


#: Redshift keeps a table's primary key as an index relation, `<table>_pkey`, which drivers find through
#: pg_index (get_primary_keys). DuckDB lists none, so lakebox gives each declared key one, its oid
#: this far above its table's.
_INDEX_OID_OFFSET = 1_000_000_000
#: lakebox's own schemas and DuckDB's default one, which Redshift has not.
_INTERNAL = f"('{META}', 'main')"


def _primary_keys(db) -> list:
    """(index oid, table oid, schema, table, [(key column, its attnum)]) of each table whose CREATE
    TABLE declared a PRIMARY KEY (on a column or on the table)."""
    keys: dict = {}
    for schema, table, column, value in db._con.execute(
            f"SELECT schema_name, table_name, column_name, value FROM {META}.table_design "
            "WHERE attribute = 'PRIMARY KEY'").fetchall():
        keys[(schema, table)] = [column] if column is not None else value.split(",")
    if not keys:
        return []
    oids, attnums = {}, {}
    for schema, table, oid, column, attnum in db._con.execute(
            "SELECT schema_name, table_name, table_oid, column_name, column_index FROM duckdb_columns() "
            "WHERE database_name = current_database()").fetchall():
        oids[(schema, table)] = oid
        attnums[(schema, table, column)] = attnum
    return [(oids[key] + _INDEX_OID_OFFSET, oids[key], *key, [(c, attnums[(*key, c)]) for c in columns])
            for key, columns in sorted(keys.items()) if key in oids and all((*key, c) in attnums for c in columns)]


def _key_columns(keys: list) -> str:
    """VALUES of (index oid, table oid, column, place in the key) of every key column."""
    rows = [f"({index}, {table_oid}, {_literal(column)}, {place})"
            for index, table_oid, _, _, columns in keys for place, (column, _) in enumerate(columns, start=1)]
    return f"(VALUES {', '.join(rows)}) k(indexrelid, indrelid, attname, keyseq)"


def _pg_class_sql(db) -> str:
    # Sequences are how lakebox numbers IDENTITY columns; Redshift has none (no CREATE SEQUENCE).
    base = ("SELECT * FROM pg_catalog.pg_class WHERE relkind <> 'S' AND relnamespace NOT IN (SELECT oid FROM "
            f"pg_catalog.pg_namespace WHERE nspname IN {_INTERNAL})")
    keys = _primary_keys(db)
    if not keys:
        return base
    values = ", ".join(f"({index}, {table_oid}, {_literal(table + '_pkey')}, {len(columns)})"
                       for index, table_oid, _, table, columns in keys)
    return (f"{base} UNION ALL BY NAME SELECT k.oid, k.relname, c.relnamespace, c.relowner, 'i' AS relkind, "
            "0 AS relam, k.relnatts, false AS relhasindex, false AS relisshared, 'p' AS relpersistence, "
            f"0 AS relpages, 0 AS reltuples FROM (VALUES {values}) k(oid, indrelid, relname, relnatts) "
            "JOIN pg_catalog.pg_class c ON c.oid = k.indrelid")


def _pg_index_sql(db) -> str:
    keys = _primary_keys(db)
    if not keys:
        return "SELECT * FROM pg_catalog.pg_index"
    values = ", ".join(f"({index}, {table_oid}, {len(columns)}, {[attnum for _, attnum in columns]})"
                       for index, table_oid, _, _, columns in keys)
    return ("SELECT * FROM pg_catalog.pg_index UNION ALL BY NAME SELECT k.indexrelid, k.indrelid, k.indnatts, "
            "k.indnatts AS indnkeyatts, true AS indisunique, true AS indisprimary, false AS indisexclusion, "
            "true AS indimmediate, false AS indisclustered, true AS indisvalid, false AS indcheckxmin, "
            "true AS indisready, true AS indislive, false AS indisreplident, CAST(k.indkey AS INTEGER[]) AS indkey "
            f"FROM (VALUES {values}) k(indexrelid, indrelid, indnatts, indkey)")


def _pg_attribute_sql(db) -> str:
    """pg_attribute with the declared type's oid and modifier for the columns CREATE TABLE declared,
    and the columns of the primary keys' index relations."""
    declared = []
    for schema, table, column, value in db._con.execute(
            f"SELECT schema_name, table_name, column_name, value FROM {META}.table_design "
            "WHERE attribute = 'TYPE'").fetchall():
        oid, modifier = _declared_type_oid(value)
        declared.append(f"({_literal(schema)}, {_literal(table)}, {_literal(column)}, {oid}, {modifier})")
    internal = ("SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                f"WHERE n.nspname IN {_INTERNAL}")
    base = f"SELECT * FROM pg_catalog.pg_attribute WHERE attrelid NOT IN ({internal})"
    if declared:
        base = ("SELECT a.* REPLACE (coalesce(d.typid, a.atttypid) AS atttypid, coalesce(d.typmod, a.atttypmod) "
                "AS atttypmod) FROM pg_catalog.pg_attribute a LEFT JOIN (SELECT c.oid AS relid, d.attname, d.typid, "
                "d.typmod FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                f"JOIN (VALUES {', '.join(declared)}) d(nspname, relname, attname, typid, typmod) "
                "ON d.nspname = n.nspname AND d.relname = c.relname) d ON d.relid = a.attrelid "
                f"AND d.attname = a.attname WHERE a.attrelid NOT IN ({internal})")
    keys = _primary_keys(db)
    if not keys:
        return base
    return (f"WITH base AS ({base}) SELECT * FROM base UNION ALL SELECT b.* REPLACE (k.indexrelid AS attrelid, "
            f"CAST(k.keyseq AS INTEGER) AS attnum, false AS atthasdef) FROM base b JOIN {_key_columns(keys)} "
            "ON b.attrelid = k.indrelid AND b.attname = k.attname")


def _pg_indexes_sql(db) -> str:
    """PG_INDEXES: Redshift's only indexes are the primary keys' `<table>_pkey` relations, each with the
    definition Postgres's pg_get_indexdef words (`CREATE UNIQUE INDEX t_pkey ON t USING btree (id)`,
    the table qualified when its schema is not on the search path), which upsert tools parse for the
    key's columns."""
    keys = _primary_keys(db)
    columns = ("CAST(NULL AS VARCHAR) AS schemaname, CAST(NULL AS VARCHAR) AS tablename, "
               "CAST(NULL AS VARCHAR) AS indexname, CAST(NULL AS VARCHAR) AS tablespace, "
               "CAST(NULL AS VARCHAR) AS indexdef")
    if not keys:
        return f"SELECT {columns} WHERE false"
    path = db._search_path()
    rows = []
    for _, _, schema, table, key_columns in keys:
        relation = _identifier(table) if schema in path else f"{_identifier(schema)}.{_identifier(table)}"
        definition = (f"CREATE UNIQUE INDEX {_identifier(table + '_pkey')} ON {relation} USING btree "
                      f"({', '.join(_identifier(column) for column, _ in key_columns)})")
        rows.append(f"({_literal(schema)}, {_literal(table)}, {_literal(table + '_pkey')}, {_literal(definition)})")
    return ("SELECT schemaname, tablename, indexname, CAST(NULL AS VARCHAR) AS tablespace, indexdef FROM "
            f"(VALUES {', '.join(rows)}) k(schemaname, tablename, indexname, indexdef)")


#: Stored procedures get oids in this range, from a hash of their identity (schema, name, argument types).
_PROCEDURE_OID_BASE = 2_000_000_000


def _pg_proc_sql(db) -> str:
    """DuckDB's functions and the database's stored procedures (prokind 'p'), which `procedures`
    keeps in its own table of the database file."""
    base = "SELECT * FROM pg_catalog.pg_proc"
    if not db._con.execute("SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND "
                           f"schema_name = '{META}' AND table_name = 'procedures'").fetchall():
        return base
    identity = "p.schema_name || '.' || p.proc_name || '(' || p.signature || ')'"
    return (f"{base} UNION ALL BY NAME SELECT {_PROCEDURE_OID_BASE} + CAST(hash({identity}) % 1000000000 AS BIGINT) "
            "AS oid, p.proc_name AS proname, n.oid AS pronamespace, 'p' AS prokind, false AS proisagg, "
            "CAST(CASE WHEN p.signature = '' THEN 0 ELSE len(string_split(p.signature, ', ')) END AS BIGINT) "
            "AS pronargs, p.security = 'DEFINER' AS prosecdef, p.body AS prosrc "
            f"FROM {META}.procedures p JOIN pg_catalog.pg_namespace n ON n.nspname = p.schema_name")


def _declared_type_oid(type_name: str) -> tuple:
    """(pg_type oid, typmod) of a declared Redshift type name."""
    if type_name.startswith("interval "):
        ranges = type_name.split()[1:]
        return (_INTERVAL_Y2M if ranges[0] in ("year", "month") else _INTERVAL_D2S), -1
    kind = pg_types.column_type(type_name)
    return kind.oid, kind.modifier


def _identifier(name: str) -> str:
    """A name as Postgres's quote_identifier writes it: bare when it is a plain lower-case word."""
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


#: name -> fn(db) -> the SQL of a view over DuckDB's own catalog.
VIEWS: dict[str, Callable] = {
    "pg_type": _pg_type_sql,
    "pg_attribute": _pg_attribute_sql,
    "pg_class": _pg_class_sql,
    "pg_index": _pg_index_sql,
    "pg_indexes": _pg_indexes_sql,
    "pg_proc": _pg_proc_sql,
    # Redshift's PG_PROC_INFO: pg_proc with the function's oid as `prooid` (DuckDB's pg_proc already
    # has prokind, proargmodes and proallargtypes).
    "pg_proc_info": lambda db: f"SELECT p.*, p.oid AS prooid FROM ({_pg_proc_sql(db)}) p",
}

#: Postgres's type names by oid, as format_type gives them (DuckDB's own format_type answers its names).
_FORMAT_NAMES = {16: "boolean", 18: '"char"', 19: "name", 20: "bigint", 21: "smallint", 23: "integer", 25: "text",
                 26: "oid", 700: "real", 701: "double precision", 1082: "date", 1083: "time without time zone",
                 1114: "timestamp without time zone", 1184: "timestamp with time zone", 1186: "interval",
                 1188: "interval year to month", 1190: "interval day to second", 1266: "time with time zone",
                 3000: "geometry", 3001: "geography", 4000: "super", 6551: "varbyte"}
_FORMAT_CASES = " ".join(f"WHEN type_oid = {oid} THEN '{name}'" for oid, name in _FORMAT_NAMES.items())
#: Session macros of the catalog functions drivers call: format_type(type oid, typmod) as Postgres
#: words a column's type (`character varying(30)`, `numeric(10,2)`); '???' for an oid it does not know.
SESSION_MACROS = [
    "CREATE OR REPLACE TEMP MACRO format_type(type_oid, typmod) AS CASE "
    "WHEN type_oid IS NULL THEN NULL "
    "WHEN type_oid IN (1043, 1042) THEN (CASE type_oid WHEN 1043 THEN 'character varying' ELSE 'character' END) "
    "|| CASE WHEN typmod > 4 THEN '(' || CAST(typmod - 4 AS VARCHAR) || ')' ELSE '' END "
    "WHEN type_oid = 1700 THEN 'numeric' || CASE WHEN typmod >= 4 THEN '(' || CAST((typmod - 4) >> 16 AS VARCHAR) "
    "|| ',' || CAST((typmod - 4) & 65535 AS VARCHAR) || ')' ELSE '' END "
    f"{_FORMAT_CASES} ELSE '???' END",
]

#: Table functions: name -> (columns, rows) of PG_GET_LATE_BINDING_VIEW_COLS() (see the module's doc).
LATE_BINDING_VIEW_COLUMNS = [("schemaname", _TEXT), ("tablename", _TEXT), ("columnname", _TEXT),
                             ("columntype", _TEXT), ("columnnum", _INT)]
