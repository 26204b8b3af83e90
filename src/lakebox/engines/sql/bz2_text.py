"""bzip2 text files (`.bz2`), which Athena reads as it reads gzip ones and DuckDB's readers refuse.

Each `.bz2` file of a text table is decompressed once per file version into lakebox's own folder
(`<data>/.lakebox/cache/bz2/`) and the readers get that plain copy, so delimited, CSV and JSON tables
keep exactly the parsing of their uncompressed files. Decompression streams in blocks: a large file
never sits in memory whole. A copy is written to a temp name and renamed into place, so a concurrent
query sees either no copy or a complete one; a new version of a file replaces its old copy.

Imports the standard library only.
"""

from __future__ import annotations

import bz2
import hashlib
import os
import threading
from typing import Optional

_BLOCK = 1 << 20
_lock = threading.Lock()
_sequence = 0


def is_bz2(path: str) -> bool:
    return path.lower().endswith(".bz2")


def plain_paths(paths: list, internal_dir: Optional[str]) -> list:
    """`paths` with every `.bz2` file replaced by the path of its decompressed copy."""
    if internal_dir is None or not any(is_bz2(p) for p in paths):
        return paths
    folder = os.path.join(internal_dir, "cache", "bz2")
    return [_plain_copy(p, folder) if is_bz2(p) else p for p in paths]


def _plain_copy(path: str, folder: str) -> str:
    info = os.stat(path)
    source = hashlib.sha1(path.encode("utf-8", "surrogateescape")).hexdigest()[:20]
    version = hashlib.sha1(f"{info.st_size}:{info.st_mtime_ns}:{info.st_ino}".encode()).hexdigest()[:12]
    # The copy keeps the name's extension before `.bz2` (data.csv.bz2 -> ....csv): readers go by it.
    inner = os.path.splitext(os.path.basename(path))[0]
    suffix = os.path.splitext(inner)[1]
    target = os.path.join(folder, f"{source}-{version}{suffix}")
    if os.path.exists(target):
        return target
    os.makedirs(folder, exist_ok=True)
    global _sequence
    with _lock:
        _sequence += 1
        temp = os.path.join(folder, f".{source}-{os.getpid()}-{threading.get_ident()}-{_sequence}.tmp")
    try:
        with bz2.open(path, "rb") as compressed, open(temp, "wb") as plain:
            while True:
                block = compressed.read(_BLOCK)
                if not block:
                    break
                plain.write(block)
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise
    for name in os.listdir(folder):  # older versions of the same file
        if name.startswith(source + "-") and os.path.join(folder, name) != target:
            try:
                os.remove(os.path.join(folder, name))
            except FileNotFoundError:
                pass
    return target
