"""Result files in the lake, written and read back as Athena does.

A query's results go to `<OutputLocation>/<QueryExecutionId>.csv` (DML, UTILITY) or `.txt` (DDL):

- `.csv`: a header row with the column labels, then one line per row; every value is double-quoted
  (a `"` inside doubled), a NULL is an empty, unquoted field, and lines end with "\n". This is the
  format Athena's own result files have, so clients that read them directly (awswrangler, pandas)
  see the same bytes.
- `.txt`: no header; one line per row, the values joined with a tab, NULL as an empty string. Athena
  writes SHOW/DESCRIBE output this way.
- `<file>.metadata`: Athena's is a binary, undocumented file. lakebox's is UTF-8 JSON of its own:
  `{"lakebox": 1, "ColumnInfo": [...], "RowCount": n, "StatementType": ..., "UpdateCount": n}`.

GetQueryResults pages over the rows of the result file itself, so results survive restarts and a
client that replaced the file sees what it wrote.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

from ...storage.api import ObjectMeta

#: Writes each query's `.metadata` file while its result file is being written.
_WRITERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="athena-results")
_FIELD = re.compile(r'"((?:[^"]|"")*)"|([^,\n]*)')


class ResultLocationError(Exception):
    """The output location is not an S3 URI, or its bucket does not exist."""


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ResultLocationError(f"{uri} is not a valid S3 location")
    bucket, _, key = uri[5:].partition("/")
    if not bucket:
        raise ResultLocationError(f"{uri} is not a valid S3 location")
    return bucket, key


def output_file(location: str, execution_id: str, statement_type: Optional[str]) -> str:
    """`<location>/<id>.csv`, or `.txt` for DDL, as Athena names them."""
    suffix = "txt" if statement_type == "DDL" else "csv"
    return f"{location.rstrip('/')}/{execution_id}.{suffix}"


def _quote(value: Optional[str]) -> str:
    return "" if value is None else '"' + value.replace('"', '""') + '"'


def render_csv(columns: list[dict], rows: list[list[Optional[str]]]) -> bytes:
    lines = [",".join(_quote(c.get("Label") or c.get("Name", "")) for c in columns)]
    lines += [",".join(_quote(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8") if columns else b""


def render_txt(rows: list[list[Optional[str]]]) -> bytes:
    return "".join("\t".join(v or "" for v in row) + "\n" for row in rows).encode("utf-8")


def parse_csv(data: bytes) -> list[list[Optional[str]]]:
    """The rows of a result `.csv` (header included); an empty unquoted field is NULL."""
    text = data.decode("utf-8")
    rows: list[list[Optional[str]]] = []
    pos, end = 0, len(text)
    while pos < end:
        row: list[Optional[str]] = []
        while True:
            match = _FIELD.match(text, pos)
            quoted, plain = match.group(1), match.group(2)
            if quoted is not None:
                row.append(quoted.replace('""', '"'))
            else:
                row.append(plain if plain else None)
            pos = match.end()
            if pos < end and text[pos] == ",":
                pos += 1
                continue
            pos += 1  # the "\n" (or the end)
            break
        rows.append(row)
    return rows


def parse_txt(data: bytes, width: int) -> list[list[Optional[str]]]:
    lines = data.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.split("\t", max(width - 1, 0)) if width > 1 else [line] for line in lines]


def write_results(lake, output: str, columns: list[dict], rows: list[list[Optional[str]]],
                  statement_type: Optional[str], update_count: int) -> None:
    """Write the result file and its `.metadata` next to it. Raises ResultLocationError."""
    bucket, key = split_s3_uri(output)
    if lake.get_bucket(bucket) is None:
        raise ResultLocationError(f"Unable to verify/create output bucket {bucket}")
    body = render_txt(rows) if key.endswith(".txt") else render_csv(columns, rows)
    content_type = "text/plain" if key.endswith(".txt") else "text/csv"
    meta = {"lakebox": 1, "ColumnInfo": columns, "RowCount": len(rows), "StatementType": statement_type,
            "UpdateCount": update_count}
    # The two files are written at the same time: each write ends in fsyncs, and the filesystem's
    # journal commits concurrent fsyncs together, so this takes about the time of one.
    metadata = _WRITERS.submit(lake.put_object, bucket, key + ".metadata", json.dumps(meta).encode("utf-8"),
                               ObjectMeta(content_type="application/octet-stream"))
    try:
        lake.put_object(bucket, key, body, ObjectMeta(content_type=content_type))
    finally:
        metadata.result()


def manifest_file(location: str, execution_id: str) -> str:
    """`<location>/<id>-manifest.csv`: the data files a CTAS, INSERT or UNLOAD wrote."""
    return f"{location.rstrip('/')}/{execution_id}-manifest.csv"


def write_manifest(lake, manifest: str, files: list[str]) -> None:
    """One s3:// URL per line, as Athena writes it. Raises ResultLocationError."""
    bucket, key = split_s3_uri(manifest)
    if lake.get_bucket(bucket) is None:
        raise ResultLocationError(f"Unable to verify/create output bucket {bucket}")
    body = "".join(f"{url}\n" for url in files).encode("utf-8")
    lake.put_object(bucket, key, body, ObjectMeta(content_type="text/csv"))


def read_results(lake, output: str, width: int) -> Optional[list[list[Optional[str]]]]:
    """The rows of a result file (the header first for a `.csv`); None if the file is gone."""
    bucket, key = split_s3_uri(output)
    info = lake.head_object(bucket, key)
    if info is None:
        return None
    with lake.open_object(info) as reader:
        data = b"".join(reader)
    return parse_txt(data, width) if key.endswith(".txt") else parse_csv(data)


def read_manifest(lake, manifest: str) -> Optional[list[str]]:
    """The s3:// URLs listed in a `-manifest.csv`; None if the file is gone."""
    bucket, key = split_s3_uri(manifest)
    info = lake.head_object(bucket, key)
    if info is None:
        return None
    with lake.open_object(info) as reader:
        data = b"".join(reader)
    return [line for line in data.decode("utf-8").splitlines() if line]
