"""Files under an S3 (or local) path, through Hadoop's FileSystem in the driver's JVM.

Why Hadoop's and not os or boto3: the same code must see exactly what Spark reads. In a lakebox job
`s3://` resolves to the lake folder through the lake file system of the Spark engine; on a real
cluster it would be S3A. Listing through the JVM gives the paths Spark will be handed back, with
their modification times (which job bookmarks compare), and skips the hidden files Spark skips
(names starting with `_` or `.`, such as `_SUCCESS` and `_temporary/`).
"""

from __future__ import annotations

from typing import Any

File = tuple[str, int]  # (path as Hadoop spells it, modification time in epoch milliseconds)


def _fs(spark: Any, uri: str) -> tuple[Any, Any]:
    sc = spark.sparkContext
    path = sc._jvm.org.apache.hadoop.fs.Path(uri)
    try:
        return path, path.getFileSystem(sc._jsc.hadoopConfiguration())
    except Exception as exc:
        java = getattr(exc, "java_exception", None)
        if java is not None and java.getClass().getName() == "java.io.FileNotFoundException":
            # e.g. the lake's "NoSuchBucket: The specified bucket does not exist: x", without a JVM trace
            raise FileNotFoundError(f"{uri}: {java.getMessage()}") from exc
        raise


def _hidden(relative: str) -> bool:
    return any(part.startswith(("_", ".")) for part in relative.split("/") if part)


def status(spark: Any, uri: str) -> tuple[bool, bool]:
    """(exists, is a directory)."""
    path, fs = _fs(spark, uri)
    if not fs.exists(path):
        return False, False
    return True, fs.getFileStatus(path).isDirectory()


def list_files(spark: Any, uri: str, recursive: bool) -> list[File]:
    """The data files at `uri` (a file, or a folder's files; its subfolders' too when recursive)."""
    path, fs = _fs(spark, uri)
    if not fs.exists(path):
        return []
    top = fs.getFileStatus(path)
    if top.isFile():
        return [(top.getPath().toString(), top.getModificationTime())]
    # listStatus folder by folder (what Spark's own file index does), not listFiles: file systems
    # that only rewrite listStatus's paths, such as the lake file system, need not support listFiles.
    found = []
    folders = [path]
    while folders:
        for entry in fs.listStatus(folders.pop()):
            entry_path = entry.getPath()
            if _hidden(entry_path.getName()):
                continue
            if entry.isDirectory():
                if recursive:
                    folders.append(entry_path)
            else:
                found.append((entry_path.toString(), entry.getModificationTime()))
    return sorted(found)


def delete_file(spark: Any, uri: str) -> bool:
    path, fs = _fs(spark, uri)
    return bool(fs.delete(path, False))


def write_text(spark: Any, uri: str, text: str) -> None:
    path, fs = _fs(spark, uri)
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def qualified(spark: Any, uri: str) -> str:
    """The path as Hadoop names it (scheme and authority filled in), to compare with listed paths."""
    path, fs = _fs(spark, uri)
    return fs.makeQualified(path).toString()
