"""Result files, written and read back as Athena does, through `ResultStorage` (the lake for an S3
output location, Athena-owned storage for a workgroup with managed query results).

A query's results go to `<OutputLocation>/<QueryExecutionId>.csv` (DML, EXPLAIN) or `.txt` (DDL, and
the SHOW and DESCRIBE statements, which are UTILITY):

- `.csv`: a header row with the column labels, then one line per row; every value is double-quoted
  (a `"` inside doubled), a NULL is an empty, unquoted field, and lines end with "\n". This is the
  format Athena's own result files have, so clients that read them directly (awswrangler, pandas)
  see the same bytes.
- `.txt`: no header; one line per row, the values joined with a tab, NULL as an empty string. Athena
  writes SHOW/DESCRIBE output this way.
- `<file>.metadata`: Athena's is a binary, undocumented file. lakebox's is UTF-8 JSON of its own:
  `{"lakebox": 1, "ColumnInfo": [...], "RowCount": n, "StatementType": ..., "UpdateCount": n}`.

GetQueryResults pages over the rows of the result file itself, so results survive restarts and a
client that replaced the file sees what it wrote. Paging through a large result asks for the file once
per page, so the parsed rows of the last few files are kept (`_PARSED`, an LRU bounded by entries and
by memory), keyed by the object's identity (ETag, size, modification time, version): a rewritten file
is a new key and is parsed again. `write_results` seeds the cache with the rows it just wrote, so the
first page of a fresh result parses nothing.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

from .result_storage import (  # noqa: F401 - re-exported: the runner and tests import them from here
    ResultLocationError,
    ResultStorage,
    is_managed,
    split_s3_uri,
)

#: The SubstatementType of CREATE TABLE AS SELECT.
CTAS = "CREATE_TABLE_AS_SELECT"
#: Writes each query's `.metadata` file while its result file is being written.
_WRITERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="athena-results")
#: One field of a result `.csv` and what follows it: a quoted value (quotes kept, so that `""`, an empty
#: string, differs from an empty unquoted field, a NULL) or an unquoted run, then `,` or a line end.
_FIELD = re.compile(r'("(?:[^"]|"")*"|[^,\n"]*)(,|\n|$)')


def output_file(location: str, execution_id: str, statement_type: Optional[str],
                substatement_type: Optional[str] = None) -> str:
    """`<location>/<id>.csv`, or `.txt` for DDL and the SHOW and DESCRIBE statements, as Athena names
    them. A CTAS has no result file: its OutputLocation is `<location>/<id>`, with only
    `<id>.metadata` (and `<id>-manifest.csv`) beside it."""
    if substatement_type == CTAS:
        return f"{location.rstrip('/')}/{execution_id}"
    listing = (substatement_type or "").startswith(("SHOW_", "DESCRIBE"))
    suffix = "txt" if statement_type == "DDL" or listing else "csv"
    return f"{location.rstrip('/')}/{execution_id}.{suffix}"


def has_result_file(output: str) -> bool:
    """False for a CTAS's OutputLocation, which names no file (see `output_file`)."""
    return output.endswith((".csv", ".txt"))


def _quote(value: Optional[str]) -> str:
    return "" if value is None else '"' + value.replace('"', '""') + '"'


def render_csv(columns: list[dict], rows: list[list[Optional[str]]]) -> bytes:
    lines = [",".join(_quote(c.get("Label") or c.get("Name", "")) for c in columns)]
    lines += [",".join(_quote(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8") if columns else b""


def render_txt(rows: list[list[Optional[str]]]) -> bytes:
    return "".join("\t".join(v or "" for v in row) + "\n" for row in rows).encode("utf-8")


def parse_csv(data: bytes) -> list[list[Optional[str]]]:
    """The rows of a result `.csv` (header included); an empty unquoted field is NULL, `""` the empty
    string."""
    return list(read_csv_rows(data))


class TextRows(Sequence):
    """The rows of a result file read into Arrow (every column text), turned into Python lists only
    for the slice asked for: a page of GetQueryResults costs its own rows, not the whole file's."""

    def __init__(self, table):
        self.table = table

    def __len__(self) -> int:
        return self.table.num_rows

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self.table.num_rows)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            part = self.table.slice(start, max(stop - start, 0))
            return [list(row) for row in zip(*(column.to_pylist() for column in part.columns))]
        if index < 0:
            index += self.table.num_rows
        if not 0 <= index < self.table.num_rows:
            raise IndexError(index)
        return [column[index].as_py() for column in self.table.columns]


def read_csv_rows(data: bytes) -> Sequence:
    """Like `parse_csv`, as a sequence that converts rows when sliced. pyarrow's CSV reader parses the
    file (about 20x faster than Python on a large result); a file it refuses (rows of different
    widths, written by hand) is read by `_parse_csv_slowly`, which takes any field sequence."""
    if not data:
        return []
    if not data.endswith(b"\n"):
        data += b"\n"  # pyarrow reads a last empty field without a line end as "", not NULL
    width = len(_first_record(data))
    try:
        return TextRows(_read_all_text(data, width))
    except ValueError:  # pyarrow.lib.ArrowInvalid (a ValueError): a file lakebox did not write
        return _parse_csv_slowly(data)


def _first_record(data: bytes) -> list:
    text = data[:65536].decode("utf-8", errors="replace")
    fields = []
    for match in _FIELD.finditer(text):
        fields.append(match.group(1))
        if match.group(2) != ",":
            break
    return fields


def _read_all_text(data: bytes, width: int):
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = [f"c{i}" for i in range(width)]
    return pa_csv.read_csv(
        pa.BufferReader(data),
        read_options=pa_csv.ReadOptions(column_names=names, use_threads=False,
                                        block_size=max(len(data) + 1, 1 << 20)),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[""],
                                              strings_can_be_null=True, quoted_strings_can_be_null=False))


def _parse_csv_slowly(data: bytes) -> list[list[Optional[str]]]:
    """One regex scan over the whole text, then a pass per field."""
    text = data.decode("utf-8")
    if not text.endswith("\n"):
        text += "\n"
    rows: list[list[Optional[str]]] = []
    row: list[Optional[str]] = []
    for value, separator in _FIELD.findall(text):
        if value:
            if value[0] == '"':
                value = value[1:-1]
                if '""' in value:
                    value = value.replace('""', '"')
            row.append(value)
        else:
            if not separator:  # the empty match at the very end
                break
            row.append(None)
        if separator != ",":
            rows.append(row)
            row = []
    return rows


def parse_txt(data: bytes) -> list[list[Optional[str]]]:
    lines = data.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # Athena answers every line of a DDL result as one value, even where ColumnInfo lists several
    # columns (DESCRIBE's col_name, data_type, comment come back as one tab-joined string).
    return [[line] for line in lines]


def check_bucket_owner(storage: ResultStorage, output: str, expected_owner: Optional[str]) -> None:
    """ResultConfiguration.ExpectedBucketOwner: the output bucket must belong to that account, as
    S3 checks it for Athena's writes. Raises ResultLocationError."""
    if not expected_owner:
        return
    owner = storage.bucket_owner(output)
    if owner is not None and owner != expected_owner:
        raise ResultLocationError(f"Access denied when writing output to url: {output} . Please ensure you are "
                                  "allowed to access the S3 bucket. If you are encrypting query results with KMS "
                                  "key, please ensure you are allowed to access your KMS key")


def write_results(storage: ResultStorage, output: str, columns: list[dict], rows: list[list[Optional[str]]],
                  statement_type: Optional[str], update_count: int) -> int:
    """Write the result file and its `.metadata` next to it; the size of the result file, which is what
    GetQueryRuntimeStatistics reports as the bytes the query returned. Raises ResultLocationError."""
    is_txt = output.endswith(".txt")
    body = render_txt(rows) if is_txt else render_csv(columns, rows)
    meta = {"lakebox": 1, "ColumnInfo": columns, "RowCount": len(rows), "StatementType": statement_type,
            "UpdateCount": update_count}
    if not has_result_file(output):  # a CTAS: its `.metadata` alone
        storage.put(output + ".metadata", json.dumps(meta).encode("utf-8"), "application/octet-stream")
        return 0
    # The two files are written at the same time: each write ends in fsyncs, and the filesystem's
    # journal commits concurrent fsyncs together, so this takes about the time of one.
    metadata = _WRITERS.submit(storage.put, output + ".metadata", json.dumps(meta).encode("utf-8"),
                               "application/octet-stream")
    try:
        stored = storage.put(output, body, "text/plain" if is_txt else "text/csv")
    finally:
        metadata.result()
    if not is_txt and columns and stored is not None:
        # Exactly what parse_csv would read back: every non-NULL value is quoted, so none is lost.
        header = [c.get("Label") or c.get("Name", "") for c in columns]
        _PARSED.put(stored.identity + (len(columns),), [header, *rows])
    return len(body)


def manifest_file(location: str, execution_id: str) -> str:
    """`<location>/<id>-manifest.csv`: the data files a CTAS, INSERT or UNLOAD wrote."""
    return f"{location.rstrip('/')}/{execution_id}-manifest.csv"


def write_manifest(storage: ResultStorage, manifest: str, files: list[str]) -> None:
    """One s3:// URL per line, as Athena writes it. Raises ResultLocationError."""
    storage.put(manifest, "".join(f"{url}\n" for url in files).encode("utf-8"), "text/csv")


class _ParsedResults:
    """A small LRU of parsed result files, bounded by entries and by an estimate of their memory: the
    Arrow buffers of a file read back, ~64 bytes per value for rows kept as Python lists."""

    def __init__(self, max_entries: int = 16, max_bytes: int = 128 << 20):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Optional[list]:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found[0]
            return None

    def put(self, key: tuple, rows: Sequence) -> None:
        if isinstance(rows, TextRows):
            size = rows.table.nbytes
        else:
            size = 64 * sum(len(row) for row in rows[:1]) * len(rows)
        if size > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= previous[1]
            self._entries[key] = (rows, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_PARSED = _ParsedResults()


def read_results(storage: ResultStorage, output: str, width: int) -> Optional[Sequence]:
    """The rows of a result file (the header first for a `.csv`), as a sequence of lists that
    supports len() and slicing; None if the file is gone. It is shared with the cache: callers must
    not change it. A CTAS, which has no result file, has no rows."""
    if not has_result_file(output):
        return []
    stored = storage.find(output)
    if stored is None:
        return None
    identity = stored.identity + (width,)
    rows = _PARSED.get(identity)
    if rows is not None:
        return rows
    data = stored.read()
    rows = parse_txt(data) if output.endswith(".txt") else read_csv_rows(data)
    _PARSED.put(identity, rows)
    return rows


def read_manifest(storage: ResultStorage, manifest: str) -> Optional[list[str]]:
    """The s3:// URLs listed in a `-manifest.csv`; None if the file is gone."""
    stored = storage.find(manifest)
    if stored is None:
        return None
    return [line for line in stored.read().decode("utf-8").splitlines() if line]


def record_output(doc: dict, output: str, manifest: Optional[str]) -> None:
    """Say where a finished execution's result file (and manifest) are: in ResultConfiguration's
    OutputLocation and Statistics' DataManifestLocation for an S3 location; for managed results, whose
    storage is Athena's own and shown to no one, only in the private `lakebox` member."""
    if is_managed(output):
        doc["lakebox"]["ManagedOutput"] = output
        if manifest is not None:
            doc["lakebox"]["ManagedManifest"] = manifest
        return
    doc["ResultConfiguration"]["OutputLocation"] = output
    if manifest is not None:
        doc["Statistics"]["DataManifestLocation"] = manifest


def output_of(doc: dict) -> Optional[str]:
    """Where an execution's result file is (see `record_output`)."""
    return doc["ResultConfiguration"].get("OutputLocation") or doc["lakebox"].get("ManagedOutput")


def manifest_of(doc: dict) -> Optional[str]:
    return (doc.get("Statistics") or {}).get("DataManifestLocation") or doc["lakebox"].get("ManagedManifest")


def data_location(output_dir: str) -> Optional[str]:
    """Where a CTAS without `external_location` puts its data: under the S3 output location; managed
    results have no S3 location to put it under."""
    return None if is_managed(output_dir) else output_dir
