"""UNLOAD: a query's rows written into lake objects, named as Redshift names them.

DuckDB writes the files into a temporary folder, then each one is stored with `lake.put_object` under
the names Redshift gives them (`<prefix>0000_part_00`, `.parquet` ...), so they are real S3 objects
with metadata, not files that merely appear in a folder. With PARTITION BY the name prefix becomes a
folder holding the partitions' folders (`<prefix>/<column>=<value>/0000_part_00.parquet`).

An existing object under the prefix fails the UNLOAD unless ALLOWOVERWRITE (objects written over) or
CLEANPATH (the prefix's objects, or with PARTITION BY only those of the partition folders written to,
deleted first) is given; the two cannot be combined. BZIP2 files are compressed here, after DuckDB
wrote them, since DuckDB writes no bzip2. The statement itself is read by `copy_unload.parse_unload`.
"""

from __future__ import annotations

import bz2
import json
import os
import re
import shutil
import tempfile

from ...storage.api import ObjectMeta
from ...storage.errors import NoSuchBucketError
from . import RedshiftError
from .copy_unload import Options, UnloadSpec, _COMPRESSION, _q, _s, list_prefix, split_url


def unload(con, spec: UnloadSpec, lake, query_sql: str, work_dir: str) -> tuple[int, list]:
    """Write the rows of `query_sql` (DuckDB SQL) as objects under the target prefix; return the row
    count and the s3:// URLs written (the manifest last, when asked for)."""
    opts = spec.options
    bucket, prefix = split_url(spec.target)
    fmt = opts.get("FORMAT", "TEXT")
    if fmt not in ("TEXT", "CSV", "PARQUET", "JSON"):
        raise RedshiftError(f"UNLOAD to {fmt} is not supported", "0A000")
    if opts.get("COMPRESSION") == "LZOP":
        raise RedshiftError("UNLOAD with LZOP is not supported", "0A000")
    if fmt == "PARQUET" and (opts.get("COMPRESSION") or opts.get("HEADER") or opts.get("DELIMITER")):
        raise RedshiftError("PARQUET format can't be used with compression, HEADER or DELIMITER options", "42601")
    if opts.get("CLEANPATH") and opts.get("ALLOWOVERWRITE"):
        raise RedshiftError("CLEANPATH and ALLOWOVERWRITE options are mutually exclusive", "42601")
    if not opts.get("ALLOWOVERWRITE") and not opts.get("CLEANPATH") and list_prefix(lake, bucket, prefix):
        raise RedshiftError("Specified unload destination on S3 is not empty. Consider using a different bucket / "
                            "prefix, manually removing the target files in S3, or using the ALLOWOVERWRITE option.",
                            "XX000")
    with tempfile.TemporaryDirectory(dir=work_dir) as folder:
        out = os.path.join(folder, "out")
        count = _write(con, query_sql, out, opts, fmt)
        if opts.get("COMPRESSION") == "BZIP2":
            _bzip2_files(out)
        if opts.get("CLEANPATH"):
            _clean(lake, bucket, prefix, out, opts)
        written = _store(lake, bucket, prefix, out, opts, fmt)
    if opts.get("MANIFEST"):
        written.append(_write_manifest(lake, bucket, prefix, written, opts))
    return count, [url for url, _ in written]


def _write(con, query_sql: str, out: str, opts: Options, fmt: str) -> int:
    """DuckDB COPY into the folder `out`: one file, or several when partitioned or size-limited."""
    settings = []
    if fmt == "PARQUET":
        settings.append("FORMAT parquet")
    elif fmt == "JSON":
        settings.append("FORMAT json")
    else:
        quoted = fmt == "CSV" or opts.get("ADDQUOTES")
        settings += ["FORMAT csv", f"DELIMITER {_s(opts.get('DELIMITER', ',' if fmt == 'CSV' else '|'))}",
                     f"HEADER {'true' if opts.get('HEADER') else 'false'}", f"QUOTE {_s(chr(34) if quoted else '')}",
                     f"NULLSTR {_s(opts.get('NULL', ''))}"]
        if opts.get("ADDQUOTES"):
            settings.append("FORCE_QUOTE *")
    codec = _COMPRESSION.get(opts.get("COMPRESSION") or "", (None, ""))[0]
    if codec:
        settings.append(f"COMPRESSION {codec}")
    partition = opts.get("PARTITION BY")
    if partition:
        settings.append(f"PARTITION_BY ({', '.join(_q(c) for c in partition)})")
        if opts.get("INCLUDE"):
            settings.append("WRITE_PARTITION_COLUMNS true")
    if opts.get("MAXFILESIZE"):
        settings.append(f"FILE_SIZE_BYTES {int(opts.get('MAXFILESIZE') * 1024 * 1024)}")
    if partition or opts.get("MAXFILESIZE"):
        settings.append("FILENAME_PATTERN 'part_{i}'")
        target = out
    else:
        os.makedirs(out)
        target = os.path.join(out, "part_0")
    row = con.execute(f"COPY ({query_sql}) TO {_s(target)} ({', '.join(settings)})").fetchone()
    return int(row[0]) if row else 0


def _bzip2_files(out: str) -> None:
    """Compress each file DuckDB wrote with bzip2, in place (in chunks: a file may be large)."""
    for root, _, files in os.walk(out):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as source, bz2.open(path + ".bz2", "wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
            os.replace(path + ".bz2", path)


def _partition_root(prefix: str) -> str:
    """The folder the partitions' folders go in: the name prefix, made a folder."""
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


def _clean(lake, bucket: str, prefix: str, out: str, opts: Options) -> None:
    """CLEANPATH: delete the objects under the prefix, or, with PARTITION BY, those in the partition
    folders this UNLOAD writes to (other partitions' files stay)."""
    if opts.get("PARTITION BY"):
        root = _partition_root(prefix)
        folders = sorted({os.path.relpath(r, out).replace(os.sep, "/") for r, _, files in os.walk(out) if files})
        prefixes = [root + folder + "/" for folder in folders if folder != "."]
    else:
        prefixes = [prefix]
    for folder in prefixes:
        for key, _ in list_prefix(lake, bucket, folder):
            lake.delete_object(bucket, key)


def _store(lake, bucket: str, prefix: str, out: str, opts: Options, fmt: str) -> list:
    """Put each written file as an object named as Redshift names it; return [(url, size)]."""
    serial = opts.get("PARALLEL", True) is False and fmt != "PARQUET"
    extension = "." + opts.get("EXTENSION").lstrip(".") if opts.get("EXTENSION") else (
        ".parquet" if fmt == "PARQUET" else _COMPRESSION.get(opts.get("COMPRESSION") or "", (None, ""))[1])
    groups: dict = {}
    for root, dirs, files in os.walk(out):
        dirs.sort()
        for name in files:
            groups.setdefault(os.path.relpath(root, out), []).append(os.path.join(root, name))
    written = []
    for partition_dir in sorted(groups):
        paths = sorted(groups[partition_dir], key=_file_number)
        for number, path in enumerate(paths):
            name = f"{number:03d}" if serial else f"0000_part_{number:02d}"
            if partition_dir == ".":
                key = f"{prefix}{name}{extension}"
            else:
                key = f"{_partition_root(prefix)}{partition_dir.replace(os.sep, '/')}/{name}{extension}"
            written.append((f"s3://{bucket}/{key}", _put(lake, bucket, key, path, fmt)))
    return written


def _file_number(path: str) -> int:
    match = re.search(r"(\d+)(?:\.\w+)*$", os.path.basename(path))
    return int(match.group(1)) if match else 0


def _put(lake, bucket: str, key: str, path: str, fmt: str) -> int:
    content_type = {"PARQUET": "application/octet-stream", "JSON": "application/json"}.get(fmt, "text/plain")
    with open(path, "rb") as body:
        try:
            lake.put_object(bucket, key, body, ObjectMeta(content_type=content_type))
        except NoSuchBucketError:
            raise RedshiftError(f"S3ServiceException:The specified bucket does not exist ({bucket})",
                                "XX000") from None
    return os.path.getsize(path)


def _write_manifest(lake, bucket: str, prefix: str, written: list, opts: Options) -> tuple[str, int]:
    entries = [{"url": url} for url, _ in written]
    if opts.get("VERBOSE"):
        for entry, (_, size) in zip(entries, written):
            entry["meta"] = {"content_length": size}
    body = json.dumps({"entries": entries}, indent=2).encode()
    key = f"{prefix}manifest"
    lake.put_object(bucket, key, body, ObjectMeta(content_type="application/json"))
    return f"s3://{bucket}/{key}", len(body)
