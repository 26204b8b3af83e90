"""COPY: lake objects loaded into a table row by row, as Redshift loads them, bad rows and all.

The files are read into a temporary staging table (every field of a delimited file as text, with
its file and its position in it), each field is converted and checked there (`load_checks`), and
only then are the good rows inserted, in file order. A row is bad when DuckDB's CSV reader rejects
its line (too few or too many fields, invalid UTF-8: `store_rejects` keeps those aside with their
line numbers) or when a field does not convert or does not fit its column. Up to MAXERROR bad rows
are skipped; one more and nothing is inserted and the COPY fails as Redshift's does. Either way the
COPY and its bad rows are written to the load log (`load_log`), which survives the failure.

Self-describing files are read with their own types: Parquet and JSON by DuckDB, ORC by pyarrow
(registered on the connection for the COPY's duration). A JSONPaths file maps each JSON record's
values to the columns by position (`jsonpaths`), as text fields checked like a delimited file's.

Imports duckdb, pyarrow (ORC), cramjam (ACCEPTINVCHARS in compressed files) and this package.
"""

from __future__ import annotations

import codecs
import gzip
import os
import shutil
import tempfile
from typing import Optional

import cramjam
import duckdb
import pyarrow as pa
import pyarrow.orc as orc

from . import RedshiftError, jsonpaths, load_log
from . import load_checks as checks
from .copy_unload import _COMPRESSION, CopySpec, Options, _q, _s, source_objects
from .load_checks import Field, TargetColumn

#: DuckDB CSV reader rejections -> Redshift load error (code, reason).
_REJECTS = {"MISSING COLUMNS": (1214, "Delimiter not found"), "TOO MANY COLUMNS": (1214, "Extra column(s) found"),
            "INVALID ENCODING": (1220, "String contains invalid or unsupported UTF8 codepoints"),
            "INVALID UNICODE": (1220, "String contains invalid or unsupported UTF8 codepoints"),
            "UNQUOTED VALUE": (1216, "Invalid quote formatting for CSV"),
            "UNTERMINATED QUOTE": (1216, "Invalid quote formatting for CSV")}
#: Redshift's text format reads this as NULL unless NULL AS says otherwise.
_DEFAULT_NULL = "\\N"
#: SYS_LOAD_HISTORY.file_format.
_FILE_FORMATS = {"CSV": "csv", "JSON": "json", "PARQUET": "parquet", "ORC": "orc"}
#: Formats whose files name (and type) their columns; the others are delimited text.
_SELF_DESCRIBING = ("PARQUET", "ORC", "JSON")


def copy_into(con, spec: CopySpec, lake, columns: list[TargetColumn], identity: set,
              record: load_log.LoadRecord) -> int:
    """Load the files into the table; return the rows loaded. `columns` are the target table's;
    `identity` names its IDENTITY columns, which get sequence values unless the statement lists them
    (or says EXPLICIT_IDS). `record` is filled in and written to the load log."""
    opts = spec.options
    fmt = opts.get("FORMAT", "TEXT")
    if fmt in ("AVRO", "FIXEDWIDTH", "SHAPEFILE"):
        raise RedshiftError(f"COPY from {fmt} is not supported", "0A000")
    if opts.get("COMPRESSION") in ("BZIP2", "LZOP"):
        raise RedshiftError(f"COPY with {opts.get('COMPRESSION')} is not supported", "0A000")
    argument = opts.get("FORMAT_ARG", "auto") if fmt == "JSON" else "auto"
    noshred = argument.lower() == "noshred"
    if noshred:
        paths: Optional[list] = [[]]  # JSONPath `$`: each document whole, as one SUPER value
    else:
        paths = None if argument.lower() in ("auto", "auto ignorecase") else jsonpaths.read(lake, argument)
    by_name = {column.name: column for column in columns}
    if spec.columns:
        unknown = [c for c in spec.columns if c not in by_name]
        if unknown:
            raise RedshiftError(f'column "{unknown[0]}" of relation "{spec.table}" does not exist', "42703")
        targets = [by_name[c] for c in spec.columns]
    else:
        targets = [c for c in columns if opts.get("EXPLICIT_IDS") or c.name not in identity]
    if noshred and (len(targets) != 1 or targets[0].duck_type.upper() != "JSON"):
        # AWS: 'noshred' loads the entire JSON document into a single SUPER data column.
        raise RedshiftError("COPY with JSON 'noshred' loads each document into a single SUPER column: the table "
                            "(or the COPY's column list) must have exactly one column, of type SUPER", "0A000")
    if paths is not None and len(paths) != len(targets):
        raise jsonpaths.count_mismatch(len(paths), len(targets))
    record.file_format = _FILE_FORMATS.get(fmt, "txt")
    objects = source_objects(lake, spec)
    record.files = [(url, 0, 0, os.path.getsize(path)) for url, path in objects]
    try:
        load = _Load(con, spec, objects, targets, {c.name.lower() for c in columns}, record, paths)
        count = load.run() if objects else 0
    except BaseException:
        record.status = "aborted"
        raise
    finally:
        load_log.write(con, record)
    return count


class _Load:
    """One COPY's staging, checking and insert, on temporary tables named after its query id."""

    def __init__(self, con, spec: CopySpec, objects: list, targets: list[TargetColumn], table_columns: set,
                 record: load_log.LoadRecord, paths: Optional[list] = None):
        self.con, self.spec, self.opts, self.record = con, spec, spec.options, record
        self.targets, self.table_columns = targets, table_columns
        #: The JSONPaths file's parsed expressions, one per target column; None loads JSON by name.
        self.jsonpaths = paths
        self.urls = {path: url for url, path in objects}
        self.paths = [path for _, path in objects]
        self.fmt = self.opts.get("FORMAT", "TEXT")
        self.names = {part: f"__lakebox_copy_{part}_{record.query}"
                      for part in ("stage", "checked", "rejects", "scans", "orc")}
        self.rejected: list[dict] = []
        self.folder: Optional[str] = None
        self.registered = False

    def run(self) -> int:
        try:
            if self.fmt == "ORC":
                self._register_orc()
            loaded = self._load_if_clean()
            if loaded is not None:
                return loaded
            self._drop("rejects", "scans")
            unreadable = None
            try:
                self._check(self._stage())
            except (duckdb.ConversionException, duckdb.InvalidInputException, duckdb.IOException) as error:
                unreadable = str(error).splitlines()[0]
            if unreadable is not None:
                self._fail(1216, unreadable)
            bad_rows = self._account()
            limit = float("inf") if self.opts.get("IGNOREALLERRORS") else int(self.opts.get("MAXERROR", 0))
            if bad_rows > limit:
                self._fail()
            if self.opts.get("NOLOAD"):
                return 0
            return self._insert()
        finally:
            self._drop("stage", "checked", "rejects", "scans")
            if self.registered:
                self.con.unregister(self.names["orc"])
            if self.folder:
                shutil.rmtree(self.folder, ignore_errors=True)

    def _drop(self, *parts: str) -> None:
        for part in parts:
            try:
                self.con.execute(f"DROP TABLE IF EXISTS {_q(self.names[part])}")
            except duckdb.TransactionException:
                # The session's transaction was aborted by the error being raised; its ROLLBACK
                # drops the temporary tables created in it.
                return

    def _fail(self, code: Optional[int] = None, reason: str = "") -> None:
        """Fail the COPY as Redshift fails it; a failure no row explains is logged as one error."""
        if code is not None:
            self.record.error_count += 1
            self.record.errors.append(_error_row(self.spec.source, 0, "", "", "0", 0, "", "", code, reason))
        raise RedshiftError(f"Load into table '{self.spec.table}' failed.  Check 'stl_load_errors' system table "
                            "for details.", "XX000")

    # -- staging -----------------------------------------------------------------------------------

    def _stage(self) -> list[Field]:
        if self.fmt in _SELF_DESCRIBING:
            return self._stage_self_describing()
        fields = self._stage_delimited()
        replacement = self.opts.get("ACCEPTINVCHARS")
        if replacement and any(r["err_code"] == 1220 for r in self.rejected):
            # Re-read, with the invalid bytes of the files that have them replaced.
            self.folder = tempfile.mkdtemp(prefix="lakebox-copy-")
            bad = {r["path"] for r in self.rejected if r["err_code"] == 1220}
            for index, path in enumerate(self.paths):
                if path in bad:
                    cleaned = _replace_invalid(path, self.opts.get("COMPRESSION"), replacement, self.folder, index)
                    self.urls[cleaned] = self.urls[path]
                    self.paths[index] = cleaned
            self._drop("stage", "rejects", "scans")
            fields = self._stage_delimited()
        return fields

    def _stage_delimited(self) -> list[Field]:
        """read_csv over the files, every field a string: CSV quotes fields, Redshift's default text
        format (pipe-delimited) does not. Lines the reader cannot split into the table's fields are
        kept aside (store_rejects) with their line numbers."""
        names = [f"__f{i}" for i in range(len(self.targets))]
        self.con.execute(f"CREATE TEMP TABLE {_q(self.names['stage'])} AS SELECT __file, "
                         f"row_number() OVER () AS __seq, {', '.join(names)} FROM {self._delimited_source(True)}")
        self._read_rejects(dict(zip(names, self.targets)))
        return [Field(name, text=True) for name in names]

    def _delimited_source(self, keep_rejects: bool) -> str:
        """read_csv of the files, field i as text column __f<i>; `keep_rejects` sets the lines it
        cannot split aside in the rejects tables instead of failing."""
        opts, csv = self.opts, self.fmt == "CSV"
        delimiter = opts.get("DELIMITER", "," if csv else "|")
        quote = opts.get("QUOTE", '"') if csv else ""
        columns = "{" + ", ".join(f"'__f{i}': 'VARCHAR'" for i in range(len(self.targets))) + "}"
        rejects = (f", store_rejects=true, rejects_table={_s(self.names['rejects'])}, "
                   f"rejects_scan={_s(self.names['scans'])}") if keep_rejects else ""
        return (f"read_csv({self._listed()}, columns={columns}, header=false, "
                f"skip={int(opts.get('IGNOREHEADER', 0))}, delim={_s(delimiter)}, quote={_s(quote)}, "
                f"escape={_s(quote if csv else '')}, auto_detect=false, "
                f"nullstr={_s(opts.get('NULL', _DEFAULT_NULL))}, "
                f"null_padding={'true' if opts.get('FILLRECORD') else 'false'}, filename='__file'"
                f"{rejects}{_compression(opts)})")

    def _read_rejects(self, by_field: dict) -> None:
        rows = self.con.execute(
            "SELECT s.file_path, e.line, e.column_name, e.error_type, e.csv_line, e.error_message, "
            f"e.byte_position - e.line_byte_position FROM {_q(self.names['rejects'])} e "
            f"JOIN {_q(self.names['scans'])} s USING (scan_id, file_id) ORDER BY s.file_id, e.line").fetchall()
        self.rejected, seen = [], set()
        for path, line, field_name, kind, raw_line, message, position in rows:
            if (path, line) in seen:
                continue  # a line is one bad row, with the first error found in it (as Redshift logs it)
            seen.add((path, line))
            code, reason = _REJECTS.get(kind, (1216, message.splitlines()[0] if message else kind))
            column = by_field.get(field_name) if code == 1220 else None
            row = _error_row(self.urls.get(path, path), line, column.name if column else "",
                             column.redshift_type if column else "", column.col_length if column else "0",
                             position or 0, raw_line or "", "", code, reason)
            self.rejected.append({**row, "path": path})

    def _load_if_clean(self) -> Optional[int]:
        """Loads whose every line splits and every row converts and fits (nearly all of them) go
        straight from the files into the table: one pass checks and counts the rows per file, a
        second inserts them. Nothing is staged. None when some row is bad: then the staged path
        finds and logs them."""
        if self.fmt in _SELF_DESCRIBING:
            fields = self._self_describing_fields()
            checked_source, insert_source = (self._self_describing_source(),) * 2
        else:
            fields = [Field(f"__f{i}", text=True) for i in range(len(self.targets))]
            checked_source, insert_source = self._delimited_source(True), self._delimited_source(False)
        checked, first = self._checked_sql(fields, checked_source)
        per_file = {path: (rows, bad) for path, rows, bad in self.con.execute(
            f"SELECT __file, count(*), count({first}) FROM ({checked}) GROUP BY __file").fetchall()}
        if any(bad for _, bad in per_file.values()):
            return None
        if self.fmt not in _SELF_DESCRIBING and self.con.execute(
                f"SELECT count(*) FROM {_q(self.names['rejects'])}").fetchall()[0][0]:
            return None
        self.record.files = [(self.urls[path], per_file.get(path, (0, 0))[0], 0, os.path.getsize(path))
                             for path in self.paths]
        self.record.error_count = 0
        if self.opts.get("NOLOAD"):
            return 0
        return self._insert_from(f"({self._converted_sql(fields, insert_source)})", "")

    def _self_describing_source(self) -> str:
        """The files' rows, with the file each came from (__file). JSON is read as a stream of values
        (one per row, newline-delimited or not, each on as many lines as it likes); with a
        JSONPaths file each value is kept whole, as JSON, in one column (jsonpaths.RECORD)."""
        if self.fmt == "ORC":
            return _q(self.names["orc"])
        if self.fmt == "PARQUET":
            return f"read_parquet({self._listed()}, union_by_name=true, filename='__file')"
        shape = "union_by_name=true"
        if self.jsonpaths is not None:
            shape = f"records=false, columns={{{_s(jsonpaths.RECORD)}: 'JSON'}}"
        return (f"read_json({self._listed()}, format='unstructured', {shape}, filename='__file'"
                f"{_compression(self.opts)})")

    def _register_orc(self) -> None:
        """The ORC files as one Arrow table on the connection (their columns united by name), for
        as long as the COPY runs: DuckDB has no ORC reader."""
        tables = []
        for path in self.paths:
            try:
                table = orc.read_table(path)
            except (pa.ArrowException, OSError) as error:
                raise RedshiftError(f"Failed to read ORC file '{self.urls[path]}': {error}", "XX000") from None
            tables.append(table.append_column("__file", pa.array([path] * table.num_rows, pa.string())))
        self.con.register(self.names["orc"], pa.concat_tables(tables, promote_options="permissive"))
        self.registered = True

    def _stage_self_describing(self) -> list[Field]:
        fields = self._self_describing_fields()
        self.con.execute(f"CREATE TEMP TABLE {_q(self.names['stage'])} AS SELECT *, row_number() OVER () AS __seq "
                         f"FROM {self._self_describing_source()}")
        return fields

    def _self_describing_fields(self) -> list[Field]:
        """Parquet, ORC and JSON columns matched to the table's: by name when every field names a
        column of the table (case-insensitive), else (Parquet and ORC only) by position, as Redshift
        maps them. A JSONPaths file maps its expressions to the target columns in order."""
        if self.jsonpaths is not None:
            return [jsonpaths.field(steps, target) for steps, target in zip(self.jsonpaths, self.targets)]
        described = self.con.execute(
            f"DESCRIBE SELECT * EXCLUDE (__file) FROM {self._self_describing_source()}").fetchall()
        kinds = {name: kind for name, kind, *_ in described}
        lower = {name.lower(): name for name in kinds}
        if all(name.lower() in self.table_columns for name in kinds) or self.fmt == "JSON" or self.spec.columns:
            matched = [t for t in self.targets if t.name.lower() in lower] or self.targets
            self.targets = matched
            return [_typed_field(lower.get(t.name.lower()), kinds.get(lower.get(t.name.lower(), "")), t)
                    for t in matched]
        if len(kinds) != len(self.targets):
            raise RedshiftError("Spectrum Scan Error: Unmatched number of columns between table and file. "
                                f"Table columns: {len(self.targets)}, Data columns: {len(kinds)}", "XX000")
        return [_typed_field(name, kinds[name], t) for name, t in zip(kinds, self.targets)]

    def _listed(self) -> str:
        return "[" + ", ".join(_s(path) for path in self.paths) + "]"

    # -- checking and loading ----------------------------------------------------------------------

    def _converted_sql(self, fields: list[Field], source: str) -> str:
        """The rows of `source` with each field prepared (__p) and converted (__v)."""
        pairs = list(enumerate(zip(fields, self.targets)))
        prep = ", ".join(f"{checks.prepared(f, t, self.opts)} AS __p{i}" for i, (f, t) in pairs)
        conv = ", ".join(f"{checks.converted(f'__p{i}', f, t, self.opts)} AS __v{i}" for i, (f, t) in pairs)
        return f"SELECT *, {conv} FROM (SELECT *, {prep} FROM {source})"

    def _checked_sql(self, fields: list[Field], source: str) -> tuple[str, str]:
        """The rows of `source` with each field prepared, converted and checked (__e), and the
        expression of a row's first error; each step a query level of its own."""
        errs = ", ".join(f"{checks.error(f'__p{i}', f'__v{i}', f, t, self.opts)} AS __e{i}"
                         for i, (f, t) in enumerate(zip(fields, self.targets)))
        first = f"coalesce({', '.join(f'__e{i}' for i in range(len(fields)))})" if fields else "NULL"
        return f"SELECT *, {errs or 'NULL AS __e'} FROM ({self._converted_sql(fields, source)})", first

    def _check(self, fields: list[Field]) -> None:
        """The staging rows, checked, with the row's first error (__err), the line it shows (__raw_line)
        and its position in its file (__ord), kept in a table for the accounting and the insert."""
        numbered = (f"(SELECT *, __seq - min(__seq) OVER (PARTITION BY __file) + 1 AS __ord "
                    f"FROM {_q(self.names['stage'])})")
        checked, first = self._checked_sql(fields, numbered)
        self.con.execute(
            f"CREATE TEMP TABLE {_q(self.names['checked'])} AS SELECT *, {first} AS __err, "
            f"CASE WHEN {first} IS NOT NULL THEN {self._raw_line(fields)} END AS __raw_line FROM ({checked})")

    def _raw_line(self, fields: list[Field]) -> str:
        """The line an error row shows: the fields joined again (delimited files; quotes are not
        restored) or the row as JSON; at most 1024 characters, multibyte ones as periods."""
        if self.jsonpaths is not None:
            line = f"CAST({_q(jsonpaths.RECORD)} AS VARCHAR)"
        elif self.fmt in _SELF_DESCRIBING:
            line = "CAST(to_json(struct_pack(" + ", ".join(
                f"{_q(t.name)} := {f.expr}" for f, t in zip(fields, self.targets)) + ")) AS VARCHAR)"
        else:
            null = _s(self.opts.get("NULL", _DEFAULT_NULL))
            delimiter = _s(self.opts.get("DELIMITER", "," if self.fmt == "CSV" else "|"))
            line = f"concat_ws({delimiter}, " + ", ".join(f"coalesce({f.expr}, {null})" for f in fields) + ")"
        return f"left(regexp_replace({line}, '{checks.NOT_ASCII}', '.', 'g'), 1024)"

    def _account(self) -> int:
        """Count the bad rows and keep the first of them, with their files' line counts, on the
        record; return the number of bad rows."""
        checked, skip = _q(self.names["checked"]), int(self.opts.get("IGNOREHEADER", 0))
        delimited = self.fmt not in _SELF_DESCRIBING
        lines_before = {}
        for reject in self.rejected:
            lines_before.setdefault(reject["path"], []).append(reject["line_number"])
        found = []
        for path, ordinal, err, raw_line in self.con.execute(
                f"SELECT __file, __ord, __err, __raw_line FROM {checked} WHERE __err IS NOT NULL ORDER BY __seq "
                f"LIMIT {load_log.MAX_RECORDED_ERRORS}").fetchall():
            line = ordinal + skip if delimited else ordinal
            for rejected_line in sorted(lines_before.get(path, [])):
                line += rejected_line <= line
            found.append({**_error_row(self.urls.get(path, path), line, err["colname"], err["type"],
                                       err["col_length"], err["position"], raw_line or "",
                                       _shown(err["raw"]), err["code"], err["reason"]), "path": path})
        order = {path: index for index, path in enumerate(self.paths)}
        errors = sorted(self.rejected + found, key=lambda e: (order.get(e["path"], 0), e["line_number"]))
        self.record.errors = [{k: v for k, v in e.items() if k != "path"} for e in errors]
        per_file = {path: [rows, bad] for path, rows, bad in self.con.execute(
            f"SELECT __file, count(*), count(__err) FROM {checked} GROUP BY __file").fetchall()}
        rejected_rows = {(r["path"], r["line_number"]) for r in self.rejected}
        for path, _ in rejected_rows:
            counts = per_file.setdefault(path, [0, 0])
            counts[0], counts[1] = counts[0] + 1, counts[1] + 1
        self.record.files = [(self.urls[path], per_file.get(path, [0, 0])[0], per_file.get(path, [0, 0])[1],
                              os.path.getsize(path)) for path in self.paths]
        self.record.error_count = sum(bad for _, bad in per_file.values())
        return self.record.error_count

    def _insert(self) -> int:
        return self._insert_from(_q(self.names["checked"]), " WHERE __err IS NULL ORDER BY __seq")

    def _insert_from(self, rows: str, condition: str) -> int:
        """Insert the converted values (__v) of `rows` into the table."""
        table = _q(self.spec.table) if not self.spec.schema else f"{_q(self.spec.schema)}.{_q(self.spec.table)}"
        values = ", ".join(f"__v{i}" for i in range(len(self.targets)))
        refused = None
        try:
            count = self.con.execute(
                f"INSERT INTO {table} ({', '.join(_q(t.name) for t in self.targets)}) SELECT {values} "
                f"FROM {rows}{condition}").fetchall()[0][0]
        except (duckdb.ConversionException, duckdb.InvalidInputException, duckdb.ConstraintException) as error:
            refused = str(error).splitlines()[0]
        if refused is not None:
            # The checks let through a row the table still refuses: logged as Redshift's unknown error.
            self._fail(1200, refused)
        self.record.loaded_rows = count
        return count


def _typed_field(name: Optional[str], file_type: Optional[str], target: TargetColumn) -> Field:
    """A column of a self-describing file; nested values go into a string or SUPER column as JSON.
    Any value of the file's own type goes into a SUPER column as that SUPER value: a string stays a
    string scalar (`"{...}"`), never parsed as JSON text (SERIALIZETOJSON serializes, it does not parse)."""
    if name is None:
        return Field("CAST(NULL AS VARCHAR)", text=False)
    nested = (file_type or "").startswith(("STRUCT", "MAP")) or (file_type or "").endswith("]")
    if (nested and target.duck_type.upper() == "VARCHAR") or (target.duck_type.upper() == "JSON"
                                                              and file_type != "JSON"):
        return Field(f"to_json({_q(name)})", text=False)
    if file_type == "JSON" and target.duck_type.upper() != "JSON":
        # A JSON key whose values differ in type across rows: read it as the text of each value,
        # as strictly as a text field.
        return Field(f"json_extract_string({_q(name)}, '$')", text=True)
    return Field(_q(name), text=False)


def _error_row(filename: str, line: int, colname: str, type_name: str, col_length: str, position: int,
               raw_line: str, raw_value: str, code: int, reason: str) -> dict:
    """One STL_LOAD_ERRORS row, from filename to err_reason (raw_line, err_reason at Redshift's widths)."""
    return {"filename": filename, "line_number": line, "colname": colname, "type": type_name,
            "col_length": col_length, "position": position, "raw_line": raw_line[:1024],
            "raw_field_value": raw_value[:1024], "err_code": code, "err_reason": reason[:512]}


def _shown(value: Optional[str]) -> str:
    return "".join(c if ord(c) < 128 else "." for c in (value or ""))


def _compression(opts: Options) -> str:
    codec = _COMPRESSION.get(opts.get("COMPRESSION") or "", (None, ""))[0]
    return f", compression='{codec}'" if codec else ""


def _replace_invalid(path: str, compression: Optional[str], replacement: str, folder: str, index: int) -> str:
    """A copy of the file with each byte of invalid UTF-8 replaced by `replacement` (ACCEPTINVCHARS:
    a string of the same length in bytes), compressed as the original was."""
    handler = f"lakebox-acceptinvchars-{ord(replacement[0])}"
    try:
        codecs.lookup_error(handler)
    except LookupError:
        codecs.register_error(handler, lambda e: (replacement[0] * (e.end - e.start), e.end))
    with open(path, "rb") as handle:
        data = handle.read()
    if compression == "GZIP":
        data = gzip.decompress(data)
    elif compression == "ZSTD":
        data = bytes(cramjam.zstd.decompress(data))
    data = data.decode("utf-8", errors=handler).encode("utf-8")
    if compression == "GZIP":
        data = gzip.compress(data)
    elif compression == "ZSTD":
        data = bytes(cramjam.zstd.compress(data))
    cleaned = os.path.join(folder, f"{index}-{os.path.basename(path)}")
    with open(cleaned, "wb") as handle:
        handle.write(data)
    return cleaned
