"""Athena's Hive DDL, executed against the Glue catalog and written exactly as Athena writes it.

Parsing: sqlglot's Hive dialect parses CREATE EXTERNAL TABLE (columns, types, ROW FORMAT, STORED
AS, LOCATION, TBLPROPERTIES), DROP TABLE/DATABASE, DESCRIBE, and ALTER TABLE SET LOCATION / SET
TBLPROPERTIES / ADD COLUMNS / REPLACE COLUMNS. It falls back to an opaque Command for CREATE
DATABASE, MSCK REPAIR TABLE, SHOW ..., and ALTER TABLE ADD PARTITION with several specs; those go
through `ddl_tokens`' small parser, as does ALTER TABLE ADD/DROP PARTITION always (one code path;
the partition statements are ddl_partitions.py's).
ALTER TABLE CHANGE COLUMN (whose COMMENT, FIRST and AFTER sqlglot does not read) is split by a pattern,
its column definition parsed by sqlglot. An Iceberg table's ALTER TABLE is iceberg_schema.py's.

Catalog errors (the Glue provider's AwsError) become `DdlError`s with Athena's Hive messages.
Views are not handled here (the query engine owns CREATE VIEW).
"""

from __future__ import annotations

import re
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError as SqlglotParseError

from ...protocol.errors import AwsError
from . import ddl_hive, ddl_show, delta, iceberg
from .ddl_partitions import PartitionStatements
from .ddl_tokens import Cursor, ParseError
from .errors import QueryError

_DDL_START = re.compile(r"^\s*(CREATE\s+(DATABASE|SCHEMA|EXTERNAL\s+TABLE|TABLE\s+(?!.*\bAS\b))|DROP\s+(DATABASE|SCHEMA|TABLE)"
                        r"|ALTER\s+(TABLE|DATABASE|SCHEMA)|MSCK|SHOW|DESCRIBE|DESC)\b", re.I | re.S)


_NAME = r"(?:`[^`]+`|[\w.]+)"
_CHANGE = re.compile(rf"ALTER\s+TABLE\s+(?P<table>{_NAME}(?:\.`[^`]+`)?)\s+CHANGE\s+(?:COLUMN\s+)?"
                     rf"(?P<old>{_NAME})\s+(?P<new>{_NAME})\s+(?P<rest>.*)$", re.I | re.S)
_POSITION = re.compile(rf"\s(?:FIRST|AFTER\s+(?P<after>{_NAME}))\s*$", re.I)


@dataclass
class DdlResult:
    substatement_type: str
    columns: list[tuple[str, str]] = field(default_factory=list)
    rows: list[list[Optional[str]]] = field(default_factory=list)


class DdlError(QueryError):
    """A DDL statement that fails; a `QueryError`, so Athena reports it like any failed query."""


_LEADING_COMMENTS = re.compile(r"^(\s*(--[^\n]*|/\*.*?\*/))*", re.S)


def is_ddl(sql: str) -> bool:
    # Athena accepts comments before a statement, as the guide writes them (`-- Criar database`).
    return bool(_DDL_START.match(_LEADING_COMMENTS.sub("", sql or "", count=1)))


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql).strip().rstrip(";").strip()


def run_ddl(sql: str, database: Optional[str], catalog: Any, lake: Any, account: str, region: str,
            check_catalog: Optional[Callable[[str], None]] = None) -> DdlResult:
    """`check_catalog` raises unless a `catalog.db.table` name's catalog is this Glue catalog (the
    engine's `check_catalog`); without it only awsdatacatalog is."""
    # The Hive DDL engine takes a context database quoted as a Hive identifier (`shop`), which
    # awswrangler's describe_table, show_create_table and repair_table send.
    run = _Run(catalog, lake, account, region, (database or "default").strip("`").lower(),
               check_catalog or _only_aws_data_catalog)
    text = _strip_comments(sql)
    try:
        return run.dispatch(text)
    except ParseError as error:
        raise DdlError("SYNTAX_ERROR", f"FAILED: ParseException {error}") from None
    except SqlglotParseError as error:
        raise DdlError("SYNTAX_ERROR", f"FAILED: ParseException line 1:0 {error}") from None
    except ddl_hive.TableFormatError as error:
        raise DdlError("SYNTAX_ERROR", f"FAILED: SemanticException {error}") from None


def _only_aws_data_catalog(name: str) -> None:
    if name.lower() != "awsdatacatalog":
        raise DdlError("NOT_SUPPORTED", f"NOT_SUPPORTED: catalog '{name}' is not supported")


def _split_name(name: str, default_db: str, check_catalog: Callable[[str], None]) -> tuple[str, str]:
    """(database, table) of `[[catalog.]db.]table`; a catalog part must be this Glue catalog, never
    silently dropped, so that a table of another catalog is not found in this one."""
    parts = [p.strip("`").lower() for p in name.split(".")]
    if len(parts) == 3:
        check_catalog(parts[0])
        parts = parts[1:]
    return (parts[0], parts[1]) if len(parts) == 2 else (default_db, parts[0])


def _s3(location: str) -> tuple[str, str]:
    parsed = urllib.parse.urlparse(location)
    if parsed.scheme not in ("s3", "s3a", "s3n"):
        raise DdlError("INVALID_INPUT", f"FAILED: SemanticException Invalid location: {location}")
    return parsed.netloc, parsed.path.lstrip("/")


class _Run(PartitionStatements):
    def __init__(self, catalog, lake, account: str, region: str, database: str,
                 check_catalog: Callable[[str], None]):
        self.catalog, self.lake, self.account, self.region, self.database = catalog, lake, account, region, database
        self.check_catalog = check_catalog

    # -- catalog access with Athena's messages ----------------------------------------------------

    def _call(self, method: str, *args):
        try:
            return getattr(self.catalog, method)(self.account, self.region, *args)
        except AwsError as error:
            if error.code == "AlreadyExistsException":
                raise DdlError("ALREADY_EXISTS", "FAILED: Execution Error, return code 1 from "
                               f"org.apache.hadoop.hive.ql.exec.DDLTask. AlreadyExistsException(message:{error.message})")
            if error.code == "EntityNotFoundException":
                raise DdlError("NOT_FOUND", f"FAILED: SemanticException {error.message}")
            raise DdlError("INVALID_INPUT", f"FAILED: Execution Error, return code 1 from "
                           f"org.apache.hadoop.hive.ql.exec.DDLTask. {error.code}: {error.message}")

    def _need_database(self, name: str) -> dict:
        found = self._call("get_database", name)
        if found is None:
            raise DdlError("NOT_FOUND", f"FAILED: SemanticException [Error 10072]: Database does not exist: {name}")
        return found

    def _need_table(self, db: str, name: str) -> dict:
        self._need_database(db)
        found = self._call("get_table", db, name)
        if found is None:
            raise DdlError("NOT_FOUND", f"FAILED: SemanticException [Error 10001]: Table not found {db}.{name}")
        return found

    def _create_iceberg(self, statement: exp.Create, schema, db: str, name: str, props: list) -> DdlResult:
        """CREATE TABLE … TBLPROPERTIES ('table_type'='ICEBERG'): a new Iceberg table, made by pyiceberg
        (imported here: most DDL never needs it)."""
        from . import iceberg_statements

        self._need_database(db)
        if self._call("get_table", db, name) is not None:
            if statement.args.get("exists"):
                return DdlResult("CREATE_TABLE")
            raise DdlError("ALREADY_EXISTS", f"FAILED: AlreadyExistsException Table {db}.{name} already exists")
        columns = [ddl_hive.column(c) for c in schema.expressions if isinstance(c, exp.ColumnDef)] \
            if isinstance(schema, exp.Schema) else []
        iceberg_statements.create_from_ddl(self.catalog, self.lake, self.account, self.region, db, name, columns,
                                           props)
        return DdlResult("CREATE_TABLE")

    @staticmethod
    def _current_columns(table: dict) -> dict:
        """An Iceberg table less the Glue entries its catalog keeps of dropped and renamed columns."""
        if not iceberg.is_iceberg(table):
            return table
        sd = dict(table.get("StorageDescriptor") or {})
        sd["Columns"] = iceberg.current_columns(sd.get("Columns") or [])
        return {**table, "StorageDescriptor": sd}

    def _with_log_schema(self, table: dict) -> dict:
        """A Delta Lake table's columns are those of its transaction log, as Athena describes it (Glue
        may hold a placeholder such as `col array<string>`, or nothing); an Iceberg table's are its
        current schema's."""
        if iceberg.is_iceberg(table):
            return self._current_columns(table)
        if not delta.is_delta(table):
            return table
        from .reader import location_path

        sd = dict(table.get("StorageDescriptor") or {})
        log = delta.snapshot(sd.get("Location") or "", lambda url: location_path(self.lake, url))
        sd["Columns"] = [{"Name": name, "Type": hive} for name, hive in log.hive_columns]
        return {**table, "StorageDescriptor": sd}

    # -- dispatch ---------------------------------------------------------------------------------

    def dispatch(self, text: str) -> DdlResult:
        head = text.split(None, 3)
        words = [w.upper() for w in head]
        if words[:1] == ["CREATE"] and len(words) > 1 and words[1] in ("DATABASE", "SCHEMA"):
            return self.create_database(Cursor(text))
        if words[:1] == ["MSCK"]:
            return self.msck(Cursor(text))
        if words[:1] == ["SHOW"]:
            return self.show(Cursor(text))
        if words[:1] == ["ALTER"] and re.search(r"\b(ADD|DROP)\s+(IF\s+(NOT\s+)?EXISTS\s+)?PARTITION\b", text, re.I):
            return self.alter_partitions(Cursor(text))
        if words[:1] == ["ALTER"] and _CHANGE.match(text):
            return self.change_column(text)
        if words[:1] == ["CREATE"] and re.match(r"CREATE\s+(OR\s+REPLACE\s+)?VIEW\b", text, re.I):
            raise DdlError("NOT_SUPPORTED", "CREATE VIEW is run by the query engine, not the DDL executor")
        statement = sqlglot.parse_one(text, read="hive")
        if isinstance(statement, exp.Create) and statement.kind == "TABLE" and statement.expression is None:
            return self.create_table(statement)
        if isinstance(statement, exp.Drop) and statement.kind in ("TABLE", "DATABASE", "SCHEMA"):
            return self.drop(statement)
        if isinstance(statement, exp.Describe):
            return self.describe(statement)
        if isinstance(statement, exp.Alter) and statement.kind == "TABLE":
            return self.alter_table(statement)
        raise DdlError("NOT_SUPPORTED", f"NOT_SUPPORTED: this DDL statement is not supported: {text[:80]}")

    # -- databases --------------------------------------------------------------------------------

    def create_database(self, cur: Cursor) -> DdlResult:
        cur.expect("CREATE")
        cur.accept("DATABASE") or cur.expect("SCHEMA")
        if_not_exists = cur.accept("IF", "NOT", "EXISTS")
        name = cur.name().lower()
        given: dict = {"Name": name}
        while not cur.at_end():
            if cur.accept("COMMENT"):
                given["Description"] = cur.string()
            elif cur.accept("LOCATION"):
                given["LocationUri"] = cur.string()
            elif cur.accept("WITH", "DBPROPERTIES"):
                given["Parameters"] = dict(cur.pairs())
            else:
                cur.fail("expecting COMMENT, LOCATION or WITH DBPROPERTIES")
        if self._call("get_database", name) is not None:
            if if_not_exists:
                return DdlResult("CREATE_DATABASE")
            raise DdlError("ALREADY_EXISTS", "FAILED: Execution Error, return code 1 from "
                           f"org.apache.hadoop.hive.ql.exec.DDLTask. Database {name} already exists")
        self._call("create_database", given)
        return DdlResult("CREATE_DATABASE")

    def drop(self, statement: exp.Drop) -> DdlResult:
        target = statement.this or (statement.args.get("tables") or [None])[0]
        if statement.kind == "TABLE":
            db, name = _split_name(target.sql(dialect="hive"), self.database, self.check_catalog)
            self._need_database(db)
            table = self._call("get_table", db, name)
            if table is None:
                if statement.args.get("exists"):
                    return DdlResult("DROP_TABLE")
                raise DdlError("NOT_FOUND", f"FAILED: SemanticException [Error 10001]: Table not found {db}.{name}")
            self._call("delete_table", db, name)
            if iceberg.is_iceberg(table):
                self._purge((table.get("StorageDescriptor") or {}).get("Location") or "")
            return DdlResult("DROP_TABLE")
        name = target.name.lower()
        if self._call("get_database", name) is None:
            if statement.args.get("exists"):
                return DdlResult("DROP_DATABASE")
            raise DdlError("NOT_FOUND", f"FAILED: SemanticException [Error 10072]: Database does not exist: {name}")
        if not statement.args.get("cascade") and self._call("list_tables", name):
            raise DdlError("INVALID_INPUT", "FAILED: Execution Error, return code 1 from "
                           "org.apache.hadoop.hive.ql.exec.DDLTask. InvalidOperationException"
                           f"(message:Database {name} is not empty. One or more tables exist.)")
        self._call("delete_database", name)
        return DdlResult("DROP_DATABASE")

    def _purge(self, location: str) -> None:
        """Athena treats Iceberg tables as managed: dropping one deletes its data and metadata, every
        object under its location (through the lake, so S3 stops listing them)."""
        try:
            bucket, prefix = _s3(location)
        except DdlError:
            return  # not in the lake: nothing of it to delete here
        if not prefix.strip("/"):
            return  # never a whole bucket
        for key in list(_keys(self.lake, bucket, prefix.rstrip("/") + "/")):
            self.lake.delete_object(bucket, key)

    # -- tables -----------------------------------------------------------------------------------

    def create_table(self, statement: exp.Create) -> DdlResult:
        schema = statement.this
        table_node = schema.this if isinstance(schema, exp.Schema) else schema
        db, name = _split_name(table_node.sql(dialect="hive"), self.database, self.check_catalog)
        props = list((statement.args.get("properties") or exp.Properties()).expressions)
        if any(isinstance(p, exp.Property) and p.name.lower() == "table_type" and
               p.text("value").upper() == "ICEBERG" for p in props):
            return self._create_iceberg(statement, schema, db, name, props)
        if not any(isinstance(p, exp.ExternalProperty) for p in props):
            raise DdlError("NOT_SUPPORTED", "FAILED: SemanticException Only external tables are supported "
                           "(CREATE EXTERNAL TABLE); use CTAS for managed-style tables")
        columns = [ddl_hive.column(c) for c in schema.expressions if isinstance(c, exp.ColumnDef)] \
            if isinstance(schema, exp.Schema) else []
        given: dict = {"Name": name, "TableType": "EXTERNAL_TABLE", "Owner": "hadoop", "Retention": 0,
                       "PartitionKeys": [], "Parameters": {"EXTERNAL": "TRUE",
                                                           "transient_lastDdlTime": str(int(time.time()))}}
        location = None
        for prop in props:
            if isinstance(prop, exp.PartitionedByProperty):
                given["PartitionKeys"] = [ddl_hive.column(c) for c in prop.this.expressions]
            elif isinstance(prop, exp.SchemaCommentProperty):
                given["Description"] = prop.this.name
            elif isinstance(prop, exp.LocationProperty):
                location = prop.this.name
            elif type(prop) is exp.Property:  # plain TBLPROPERTIES; the clauses are subclasses
                given["Parameters"][prop.name] = prop.args["value"].name
        if location is None:
            raise DdlError("SYNTAX_ERROR", "FAILED: SemanticException External tables require a LOCATION")
        _s3(location)
        input_format, output_format, serde = ddl_hive.storage(props)
        given["StorageDescriptor"] = {
            "Columns": columns, "Location": location, "InputFormat": input_format, "OutputFormat": output_format,
            "Compressed": False, "NumberOfBuckets": -1, "SerdeInfo": serde, "BucketColumns": [],
            "SortColumns": [], "Parameters": {}, "StoredAsSubDirectories": False}
        self._need_database(db)
        if self._call("get_table", db, name) is not None:
            if statement.args.get("exists"):
                return DdlResult("CREATE_TABLE")
            raise DdlError("ALREADY_EXISTS", "FAILED: Execution Error, return code 1 from "
                           f"org.apache.hadoop.hive.ql.exec.DDLTask. AlreadyExistsException(message:Table {name} already exists)")
        self._call("create_table", db, given)
        return DdlResult("CREATE_TABLE")

    def alter_table(self, statement: exp.Alter) -> DdlResult:
        db, name = _split_name(statement.this.sql(dialect="hive"), self.database, self.check_catalog)
        table = self._need_table(db, name)
        if iceberg.is_iceberg(table):
            from . import iceberg_schema  # an Iceberg schema changes by commit, not in Glue alone

            return DdlResult(iceberg_schema.alter(self._iceberg_catalog(), db, name, statement))
        given = _table_input(table)
        sd = given["StorageDescriptor"]
        kind = "ALTER_TABLE"
        for action in statement.args.get("actions") or []:
            if isinstance(action, exp.AlterSet) and action.args.get("location") is not None:
                sd["Location"] = action.args["location"].name
                kind = "ALTER_TABLE_SET_LOCATION"
            elif isinstance(action, exp.AlterSet) and action.expressions:
                for props in action.expressions:
                    for prop in props.expressions:
                        given["Parameters"][prop.name] = prop.args["value"].name
                kind = "ALTER_TABLE_SET_TBLPROPERTIES"
            elif isinstance(action, exp.ReplaceColumns):
                sd["Columns"] = [ddl_hive.column(c) for c in action.expressions]
                kind = "ALTER_TABLE_REPLACE_COLUMNS"
            elif isinstance(action, exp.Schema) or isinstance(action, exp.ColumnDef):
                defs = action.expressions if isinstance(action, exp.Schema) else [action]
                existing = {c["Name"] for c in sd["Columns"]} | {k["Name"] for k in given["PartitionKeys"]}
                for defn in defs:
                    col = ddl_hive.column(defn)
                    if col["Name"] in existing:
                        raise DdlError("INVALID_INPUT", f"FAILED: SemanticException [Error 10036]: "
                                       f"Duplicate column name: {col['Name']}")
                    sd["Columns"].append(col)
                kind = "ALTER_TABLE_ADD_COLUMNS"
            else:
                raise DdlError("NOT_SUPPORTED", f"NOT_SUPPORTED: ALTER TABLE {action.sql(dialect='hive')[:60]}")
        self._call("update_table", db, given)
        return DdlResult(kind)

    def _iceberg_catalog(self):
        from . import iceberg_io

        return iceberg_io.catalog_for(self.catalog, self.lake, self.account, self.region)

    def change_column(self, text: str) -> DdlResult:
        """ALTER TABLE t CHANGE [COLUMN] old new type [COMMENT '…'] [FIRST | AFTER col] (sqlglot's Hive
        dialect reads only the bare form): an Iceberg table's schema changes by a commit, a Hive
        table's Glue column is rewritten in place."""
        from . import iceberg_schema

        found = _CHANGE.match(text)
        db, name = _split_name(found["table"], self.database, self.check_catalog)
        rest, position = found["rest"].strip(), None
        moved = _POSITION.search(rest)
        if moved is not None:
            position = "FIRST" if moved["after"] is None else moved["after"].strip("`").lower()
            rest = rest[:moved.start()].strip()
        definition = sqlglot.parse_one(f"CREATE TABLE _t ({found['new']} {rest})", read="hive").this.expressions
        if len(definition) != 1 or not isinstance(definition[0], exp.ColumnDef) or \
                definition[0].args.get("kind") is None:
            raise ParseError(0, f"cannot recognize input near '{rest[:20]}': expecting a column type")
        change = iceberg_schema.Change(found["old"].strip("`").lower(), ddl_hive.column(definition[0]), position)
        table = self._need_table(db, name)
        if iceberg.is_iceberg(table):
            return DdlResult(iceberg_schema.change_column(self._iceberg_catalog(), db, name, change))
        given = _table_input(table)
        columns = given["StorageDescriptor"]["Columns"]
        index = next((i for i, c in enumerate(columns) if c["Name"].lower() == change.old), None)
        if index is None:
            raise DdlError("INVALID_INPUT", f"FAILED: SemanticException [Error 10002]: Invalid column reference "
                                            f"{change.old}")
        column = {**columns.pop(index), **change.column}
        names = [c["Name"].lower() for c in columns]
        if column["Name"] in names + [k["Name"].lower() for k in given["PartitionKeys"]]:
            raise DdlError("INVALID_INPUT", f"FAILED: SemanticException [Error 10036]: Duplicate column name: "
                                            f"{column['Name']}")
        if position == "FIRST":
            index = 0
        elif position is not None:
            if position not in names:
                raise DdlError("INVALID_INPUT", f"FAILED: SemanticException [Error 10002]: Invalid column reference "
                                                f"{position}")
            index = names.index(position) + 1
        columns.insert(index, column)
        self._call("update_table", db, given)
        return DdlResult("ALTER_TABLE_CHANGE_COLUMN")

    # -- SHOW and DESCRIBE ------------------------------------------------------------------------

    def show(self, cur: Cursor) -> DdlResult:
        cur.expect("SHOW")
        if cur.accept("DATABASES") or cur.accept("SCHEMAS"):
            pattern = self._pattern(cur)
            names = [d["Name"] for d in self._call("list_databases")]
            return DdlResult("SHOW_DATABASES", [("database_name", "string")],
                             [[n] for n in names if pattern is None or pattern.fullmatch(n)])
        if cur.accept("TABLES"):
            db = cur.name().lower() if cur.accept("IN") or cur.accept("FROM") else self.database
            pattern = self._pattern(cur)
            self._need_database(db)
            # Base tables and views alike (AWS: "Lists all the base tables and views in a database").
            names = [t["Name"] for t in self._call("list_tables", db)]
            return DdlResult("SHOW_TABLES", [("tab_name", "string")],
                             [[n] for n in names if pattern is None or pattern.fullmatch(n)])
        if cur.accept("PARTITIONS"):
            db, name = _split_name(cur.name(), self.database, self.check_catalog)
            cur.end()
            table = self._need_table(db, name)
            keys = table.get("PartitionKeys") or []
            if not keys:
                raise DdlError("INVALID_INPUT", f"FAILED: SemanticException [Error 10241]: Table {name} is not a "
                               "partitioned table")
            names = sorted(ddl_show.partition_name(keys, p["Values"]) for p in self._call("get_partitions", db, name))
            return DdlResult("SHOW_PARTITIONS", [("partition", "string")], [[n] for n in names])
        if cur.accept("COLUMNS"):
            cur.accept("IN") or cur.expect("FROM")
            db, name = _split_name(cur.name(), self.database, self.check_catalog)
            if cur.accept("IN") or cur.accept("FROM"):
                db = cur.name().lower()
            cur.end()
            table = self._with_log_schema(self._need_table(db, name))
            cols = (table.get("StorageDescriptor") or {}).get("Columns") or []
            cols = cols + (table.get("PartitionKeys") or [])
            # Hive's layout, which Athena passes on: each name left-aligned in 20 characters.
            return DdlResult("SHOW_COLUMNS", [("field", "string")], [[c["Name"].ljust(20)] for c in cols])
        if cur.accept("CREATE", "TABLE"):
            written = cur.name()
            db, name = _split_name(written, self.database, self.check_catalog)
            cur.end()
            # Hive names the table as the statement did: `t` for a bare name, `db`.`t` when qualified.
            qualified = "." in written
            return DdlResult("SHOW_CREATE_TABLE", [("createtab_stmt", "string")],
                             ddl_show.show_create_table(self._current_columns(self._need_table(db, name)), qualified))
        if cur.accept("TBLPROPERTIES"):
            db, name = _split_name(cur.name(), self.database, self.check_catalog)
            wanted = None
            if cur.accept("("):
                wanted = cur.string()
                cur.expect(")")
            cur.end()
            params = self._need_table(db, name).get("Parameters") or {}
            rows = [[k, v] for k, v in sorted(params.items()) if wanted is None or k == wanted]
            return DdlResult("SHOW_TBLPROPERTIES", [("prpt_name", "string"), ("prpt_value", "string")], rows)
        raise DdlError("NOT_SUPPORTED", "NOT_SUPPORTED: this SHOW statement is not supported here")

    @staticmethod
    def _pattern(cur: Cursor):
        if cur.accept("LIKE") or (cur.peek() is not None and cur.peek().kind == "str"):
            text = cur.string()
            cur.end()
            # Hive's SHOW patterns: `*` is any run of characters and `|` separates alternatives.
            alternatives = [re.escape(p).replace(r"\*", ".*") for p in text.lower().split("|")]
            return re.compile("|".join(alternatives))
        cur.end()
        return None

    def describe(self, statement: exp.Describe) -> DdlResult:
        db, name = _split_name(statement.this.sql(dialect="hive"), self.database, self.check_catalog)
        table = self._with_log_schema(self._need_table(db, name))
        formatted = (statement.args.get("style") or "").upper() in ("FORMATTED", "EXTENDED")
        # Hive's three DESCRIBE columns, as Athena lists them in ColumnInfo (awswrangler's describe_table
        # names the tab-separated fields of the .txt result after them).
        columns = [("col_name", "string"), ("data_type", "string"), ("comment", "string")]
        return DdlResult("DESCRIBE_TABLE", columns, ddl_show.describe(table, formatted))


def _table_input(table: dict) -> dict:
    """A TableInput from a GetTable answer: what UpdateTable accepts back."""
    allowed = ("Name", "Description", "Owner", "LastAccessTime", "LastAnalyzedTime", "Retention", "StorageDescriptor",
               "PartitionKeys", "ViewOriginalText", "ViewExpandedText", "TableType", "Parameters", "TargetTable")
    given = {k: table[k] for k in allowed if k in table}
    given["StorageDescriptor"] = dict(given.get("StorageDescriptor") or {})
    given["StorageDescriptor"]["Columns"] = list(given["StorageDescriptor"].get("Columns") or [])
    given["Parameters"] = dict(given.get("Parameters") or {})
    given.setdefault("PartitionKeys", [])
    return given


def _keys(lake: Any, bucket: str, prefix: str):
    after = ""
    while True:
        listing = lake.list_objects(bucket, prefix=prefix, start_after=after, max_keys=1000)
        for obj in listing.objects:
            yield obj.key
        if not listing.is_truncated or not listing.objects:
            return
        after = listing.objects[-1].key
