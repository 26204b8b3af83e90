"""What Redshift's load system views show: every COPY (`_lakebox.load_history`) and the rows it
rejected (`_lakebox.load_errors`), kept in the database file, and `SYSTEM_VIEWS`, the DuckDB
SELECTs that answer STL_LOAD_ERRORS, SYS_LOAD_ERROR_DETAIL, STL_LOAD_COMMITS and SYS_LOAD_HISTORY
with the columns AWS documents.

Redshift's system tables are not transactional: a failed COPY rolls its rows back but leaves its
errors behind, which is the point of them. So the log is written on a cursor of its own (a
connection of its own, committing at once), never inside the statement's or the session's
transaction (a session inside an explicit transaction sees the entries once that transaction ends:
DuckDB's snapshot). Query ids are the statements' own (query_history), unique in the database.

Imports `spectrum.META` (the schema lakebox keeps its tables in) only; the connection is passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .spectrum import META

#: Rejected rows kept per COPY; the count of all of them is in load_history.error_count.
MAX_RECORDED_ERRORS = 100

SETUP_SQL = [
    f"CREATE TABLE IF NOT EXISTS {META}.load_history (query BIGINT, userid INTEGER, user_name VARCHAR, "
    "session INTEGER, xid BIGINT, database_name VARCHAR, schema_name VARCHAR, table_name VARCHAR, tbl BIGINT, "
    "status VARCHAR, starttime TIMESTAMP, endtime TIMESTAMP, data_source VARCHAR, file_format VARCHAR, "
    "loaded_rows BIGINT, loaded_bytes BIGINT, error_count BIGINT, "
    "files STRUCT(filename VARCHAR, lines_scanned BIGINT, errors BIGINT, bytes BIGINT)[])",
    f"CREATE TABLE IF NOT EXISTS {META}.load_errors (query BIGINT, userid INTEGER, user_name VARCHAR, "
    "session INTEGER, xid BIGINT, database_name VARCHAR, schema_name VARCHAR, table_name VARCHAR, tbl BIGINT, "
    'slice INTEGER, starttime TIMESTAMP, filename VARCHAR, line_number BIGINT, colname VARCHAR, "type" VARCHAR, '
    'col_length VARCHAR, "position" INTEGER, raw_line VARCHAR, raw_field_value VARCHAR, err_code INTEGER, '
    "err_reason VARCHAR)",
]

#: Redshift system view -> the DuckDB SELECT over `_lakebox` that answers it.
SYSTEM_VIEWS: dict[str, str] = {
    "stl_load_errors": (
        "SELECT userid, slice, CAST(tbl AS INTEGER) AS tbl, starttime, session, CAST(query AS INTEGER) AS query, "
        'filename, line_number, colname, "type", col_length, "position", raw_line, raw_field_value, err_code, '
        f"err_reason FROM {META}.load_errors"),
    "sys_load_error_detail": (
        "SELECT userid AS user_id, query AS query_id, xid AS transaction_id, session AS session_id, database_name, "
        "CAST(tbl AS INTEGER) AS table_id, starttime AS start_time, filename AS file_name, line_number, "
        'colname AS column_name, "type" AS column_type, col_length AS column_length, "position", '
        f"err_code AS error_code, err_reason AS error_message FROM {META}.load_errors"),
    "stl_load_commits": (
        "SELECT userid, CAST(query AS INTEGER) AS query, 0 AS slice, table_name AS name, f.filename AS filename, "
        "0 AS byte_offset, CAST(f.lines_scanned AS INTEGER) AS lines_scanned, CAST(f.errors AS INTEGER) AS errors, "
        "endtime AS curtime, 1 AS status, CASE file_format WHEN 'json' THEN 'JSON' WHEN 'parquet' THEN 'Parquet' "
        "ELSE 'Text' END AS file_format, 0 AS is_partial, CAST(0 AS BIGINT) AS start_offset, "
        f"CAST(0 AS BIGINT) AS copy_job_id FROM (SELECT *, unnest(files) AS f FROM {META}.load_history "
        "WHERE status = 'completed')"),
    "sys_load_history": (
        "SELECT userid AS user_id, query AS query_id, xid AS transaction_id, session AS session_id, database_name, "
        "status, table_name, starttime AS start_time, endtime AS end_time, "
        "date_diff('microsecond', starttime, endtime) AS duration, data_source, file_format, loaded_rows, "
        "loaded_bytes, CAST(len(files) AS INTEGER) AS source_file_count, "
        "CAST(coalesce(list_sum([f.bytes FOR f IN files]), 0) AS BIGINT) AS source_file_bytes, "
        "CAST(len(files) AS INTEGER) AS file_count_scanned, "
        "CAST(coalesce(list_sum([f.bytes FOR f IN files]), 0) AS BIGINT) AS file_bytes_scanned, error_count, "
        f"CAST(0 AS BIGINT) AS copy_job_id FROM {META}.load_history"),
}


@dataclass
class LoadRecord:
    """One COPY as the load views show it. Who ran it and where are filled in by the database;
    `copy_into` fills in what it read, loaded and rejected."""
    query: int
    user_name: str
    session: int
    xid: int
    database_name: str
    schema_name: str
    table_name: str
    tbl: int
    data_source: str
    starttime: dt.datetime
    file_format: str = "txt"
    status: str = "completed"
    loaded_rows: int = 0
    error_count: int = 0
    #: (s3:// URL, lines scanned, rows rejected, bytes) per source object.
    files: list = field(default_factory=list)
    #: Rejected rows, at most MAX_RECORDED_ERRORS: dicts with the STL_LOAD_ERRORS columns from
    #: filename to err_reason.
    errors: list = field(default_factory=list)


def write(con, record: LoadRecord) -> None:
    """Keep the COPY and its rejected rows, committed on a cursor of its own whatever becomes of
    the statement's transaction."""
    now = _utcnow()
    who = [record.query, _USERID, record.user_name, record.session, record.xid, record.database_name,
           record.schema_name, record.table_name, record.tbl]
    files = [{"filename": url, "lines_scanned": lines, "errors": errors, "bytes": size}
             for url, lines, errors, size in record.files]
    loaded_bytes = sum(size for *_, size in record.files) if record.status == "completed" else 0
    cursor = con.cursor()
    try:
        cursor.execute("BEGIN TRANSACTION")
        cursor.execute(f"INSERT INTO {META}.load_history VALUES ({', '.join(['?'] * 18)})",
                       who + [record.status, record.starttime, now, record.data_source, record.file_format,
                              record.loaded_rows, loaded_bytes, record.error_count, files])
        if record.errors:
            cursor.executemany(
                f"INSERT INTO {META}.load_errors VALUES ({', '.join(['?'] * 9)}, 0, {', '.join(['?'] * 11)})",
                [who + [record.starttime, e["filename"], e["line_number"], e["colname"], e["type"], e["col_length"],
                        e["position"], e["raw_line"], e["raw_field_value"], e["err_code"], e["err_reason"]]
                 for e in record.errors[:MAX_RECORDED_ERRORS]])
        cursor.execute("COMMIT")
    finally:
        cursor.close()


#: Redshift's first user (the cluster's admin) is 100; lakebox keeps user names, not ids.
_USERID = 100


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
