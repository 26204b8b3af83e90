"""SelectObjectContent (S3 Select): S3 Select's SQL over one object's CSV, JSON or Parquet records,
run by DuckDB, answered as an event stream.

Why DuckDB: it reads the lake file in place (a large object never passes through Python) and runs
the filtering and aggregation; the S3 Select rules around it live in the select_* modules: the SQL
dialect (select_sql, select_functions), how the object is read (select_input), how records are
written and framed (select_output) and the error codes (select_errors).

The query is prepared and started, and its first rows fetched, before the answer begins, so that
a bad request, bad SQL or a CAST that fails on the first rows is a plain 400 error response, as
S3 answers errors it finds before streaming. The rest of the rows stream as Records events, then
Stats (BytesScanned, BytesProcessed, BytesReturned) and End; an error found later ends the
stream with an error event, as S3 does.

DuckDB (and the SQL engine's connection) is imported on the first query, not with the S3 service.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Iterator, Optional

from ...protocol.context import RequestContext
from ...storage.api import BucketInfo, ObjectInfo
from . import sse_c
from .common import S3Base
from .errors import translated
from .select_errors import ERRORS, SelectError, aws_error
from .select_functions import MACROS
from .select_input import CSV, JSON, InputFormat, Source, input_format, prepare, relation, scan_range
from .select_output import (OutputFormat, RecordWriter, counts_event, end_event, error_event, output_format,
                            records_event)
from .select_sql import SOURCE, parse, split_from_path, translate

log = logging.getLogger("lakebox.s3.select")

#: Rows fetched from DuckDB at a time, and the size from which a Records event is sent.
FETCH_ROWS = 4096
RECORDS_BYTES = 256 * 1024

#: Storage classes whose objects S3 Select cannot read (the API reference lists them).
UNSELECTABLE = frozenset({"GLACIER", "DEEP_ARCHIVE", "REDUCED_REDUNDANCY"})

#: DuckDB's errors as S3 Select's codes: (exception class name, a fragment of its message or None,
#: code); the first that matches wins. "<format>" is the input format's parsing error. Names, not
#: classes: DuckDB is imported on the first query, not with the S3 service (it is large).
ENGINE_ERRORS: tuple[tuple[str, Optional[str], str], ...] = (
    ("OutOfRangeException", None, "IntegerOverflow"),
    ("ConversionException", "out of range", "IntegerOverflow"),
    ("ConversionException", None, "CastFailed"),
    ("BinderException", "GROUP BY", "UnsupportedSqlStructure"),
    ("BinderException", "aggregate", "UnsupportedSqlStructure"),
    ("BinderException", None, "IncorrectSqlFunctionArgumentType"),
    ("InvalidInputException", None, "<format>"),
    ("IOException", None, "<format>"),
)
#: Each input format's parsing error.
PARSING_ERRORS = {CSV: "CSVParsingError", JSON: "JSONParsingError"}


def engine_error(error: Exception, kind: str) -> Optional[SelectError]:
    """S3 Select's error for what DuckDB raised; None for an error no request can cause."""
    import duckdb

    text = str(error).split("\n")[0]
    for class_name, fragment, code in ENGINE_ERRORS:
        matches = fragment is None or fragment.lower() in text.lower()
        if isinstance(error, getattr(duckdb, class_name)) and matches:
            if code == "<format>":
                code = PARSING_ERRORS.get(kind, "ParquetParsingError")
            return SelectError(code, text)
    return None


def _duckdb():
    import duckdb

    return duckdb


@dataclass(frozen=True)
class SelectRequest:
    expression: str
    input: InputFormat
    output: OutputFormat
    progress: bool


def select_request(params: dict) -> SelectRequest:
    """The request's own parts, checked before the object is looked at."""
    if (params.get("ExpressionType") or "").upper() != "SQL":
        raise SelectError("InvalidExpressionType", str(params.get("ExpressionType")))
    fmt = input_format(params.get("InputSerialization") or {})
    out = output_format(params.get("OutputSerialization") or {})
    expression = params.get("Expression") or ""
    parse(expression)  # syntax errors are the request's, whatever the object holds
    progress = bool((params.get("RequestProgress") or {}).get("Enabled"))
    return SelectRequest(expression, fmt, out, progress)


class SelectMixin(S3Base):
    def select_object_content(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        key = params["Key"]
        try:
            request = select_request(params)
        except SelectError as error:
            raise aws_error(error) from None
        info = self.object_for(bucket, params)
        if info.meta.storage_class in UNSELECTABLE:
            raise aws_error(SelectError("UnsupportedStorageClass", info.meta.storage_class))
        customer_key = sse_c.check_customer_key(info, params)
        with translated(bucket=bucket.name, key=key):
            try:
                byte_range = scan_range(params.get("ScanRange"), request.input, info.size)
                source = prepare(request.input, info.size, self._plain_path(bucket, info),
                                 lambda start, end: sse_c.decrypted(self.store.open_object(info, start, end), info,
                                                                    customer_key, start),
                                 self.store.tmp_dir, byte_range)
            except SelectError as error:
                raise aws_error(error) from None
        query = _Query(request, source, self.config.clock.now(), ctx.request_id)
        log.debug("select on s3://%s/%s: %s", bucket.name, key, request.expression)
        return {"Payload": query.start()}

    def _plain_path(self, bucket: BucketInfo, info: ObjectInfo) -> Optional[str]:
        """The lake file DuckDB may read in place: the object's plain file, when its bytes are the
        object's (not sealed by SSE-C) and it is still the file `info` describes."""
        if sse_c.is_sealed(info.meta.encryption):
            return None
        with translated(bucket=bucket.name, key=info.key):
            path = self.store.object_path(bucket.name, info.key)
        try:
            if path is None or os.stat(path).st_size != info.size:
                return None
        except FileNotFoundError:
            return None
        return path


class _Query:
    """One S3 Select query: the DuckDB cursor, the source bytes, and the event stream of its answer.

    It is the response body itself: the gateway iterates it for the event messages and calls
    `close` when it is done or the client has gone, which releases the cursor and the spooled copy
    even when the stream was never started.
    """

    def __init__(self, request: SelectRequest, source: Source, now, request_id: str):
        self.request, self.source, self.now, self.request_id = request, source, now, request_id
        self.con = None
        self.done = False
        self._stream: Optional[Iterator[bytes]] = None

    def start(self) -> "_Query":
        """Run the query up to its first rows. Any failure here releases the cursor and the source
        and is S3's error response."""
        try:
            first, writer = self._execute()
        except BaseException as error:
            self._release()
            if isinstance(error, SelectError):
                raise aws_error(error) from None
            if isinstance(error, _duckdb().Error):
                known = engine_error(error, self.request.input.kind)
                if known is not None:
                    raise aws_error(known) from None
            raise
        self._stream = self._events(first, writer)
        return self

    def __iter__(self) -> Iterator[bytes]:
        return self._stream

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
        self._release()

    def _execute(self) -> tuple[list, RecordWriter]:
        from ...engines.sql.engine import connect

        self.con = con = connect()
        for macro in MACROS:
            con.execute(macro)
        _, path = split_from_path(self.request.expression)
        read_sql, record = relation(con, self.request.input, self.source, path)
        translation = translate(self.request.expression, record, self.now)
        con.execute(f"WITH {SOURCE} AS ({read_sql}) {translation.sql}")
        json_columns = [str(column[1]) == "JSON" for column in con.description]
        writer = RecordWriter(self.request.output, translation.outputs, json_columns, translation.whole_record)
        return con.fetchmany(FETCH_ROWS), writer

    def _events(self, rows: list, writer: RecordWriter) -> Iterator[bytes]:
        """Records events of about RECORDS_BYTES each (with Progress after each, when asked for),
        then Stats and End; or, when the query fails on a later row, an error event."""
        source, progress = self.source, self.request.progress
        returned, pending, pending_size = 0, [], 0
        try:
            while rows:
                rendered = writer.render(rows)
                pending.append(rendered)
                pending_size += len(rendered)
                if pending_size >= RECORDS_BYTES:
                    payload, pending, pending_size = b"".join(pending), [], 0
                    returned += len(payload)
                    yield records_event(payload)
                    if progress:
                        yield counts_event("Progress", source.scanned, source.processed, returned)
                rows = self.con.fetchmany(FETCH_ROWS)
            self.done = True
            if pending:
                payload = b"".join(pending)
                returned += len(payload)
                yield records_event(payload)
            if progress:
                yield counts_event("Progress", source.scanned, source.processed, returned)
            yield counts_event("Stats", source.scanned, source.processed, returned)
            yield end_event()
        except _duckdb().Error as error:
            known = engine_error(error, self.request.input.kind)
            if known is None:
                log.exception("S3 Select failed while streaming (request id %s)", self.request_id)
                known = SelectError("InternalError")
            if pending:  # the records found before the error, as S3 sends them as it goes
                yield records_event(b"".join(pending))
            yield error_event(known.code, ERRORS[known.code][1])
        except Exception:  # noqa: BLE001 - the status line is sent: report it in the stream, logged
            log.exception("S3 Select failed while streaming (request id %s)", self.request_id)
            yield error_event("InternalError", ERRORS["InternalError"][1])
        finally:
            self._release()

    def _release(self) -> None:
        """Release the cursor (stopping a query the client no longer reads) and the spooled copy."""
        con, self.con = self.con, None
        if con is not None:
            if not self.done:
                con.interrupt()
            con.close()
        self.source.close()
