"""`ClusterDatabases`: the databases of one cluster, each a DuckDB file in the cluster's folder.

The folder is the list: a database exists when its file does, so creating, dropping and renaming one
is a single rename of a file, and a `kill -9` at any moment leaves each database whole or absent,
never half made. `dev` always exists (its file is made when first opened); the database a cluster is
created with (DBName) gets its file when the cluster first starts (`materialize`). What Redshift
records about a database besides its data (owner, connection limit, collation, isolation level) is
kept with the cluster's settings by the runtime (runtime.py).

A database's file is `<name>.duckdb`, and DuckDB names its catalog after the file: so a name DuckDB
would read differently (one with `.`, `/`, `%`, `"`, `\\`, or `?`, where DuckDB's path parameters
begin, or DuckDB's own `temp`, `system`, `main`) is written with those characters %-escaped (`a.b` ->
`a%2Eb.duckdb`), and read back by unescaping. CURRENT_DATABASE() and SHOW answer with the real name.

Sessions are opened under `lock`, the lock that dropping and renaming take, so that a database with
a session open is never dropped from under it. A snapshot holds off creating, dropping and renaming
(not logins) while it copies.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Callable, Optional

import duckdb

from ...engines.redshift.database import RedshiftDatabase, RedshiftError
from ...storage.atomic import fsync_dir

log = logging.getLogger("lakebox.redshift")

#: The database every cluster has, which cannot be dropped or renamed.
DEV = "dev"
_SUFFIX = ".duckdb"
_ESCAPED = set('./%"\\?')
_DUCKDB_RESERVED = {"temp", "system", "main"}
#: Seconds DROP and RENAME wait for the sessions of a database to end (Postgres waits 5).
BUSY_WAIT = 5.0
#: Longest file name most file systems take, in bytes; the WAL file adds `.wal`.
_MAX_FILE_NAME = 255


def file_stem(name: str) -> str:
    """The file name (without .duckdb) of database `name`; `database_name` reads it back."""
    stem = "".join(c if c not in _ESCAPED and c.isprintable() else
                   "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in name)
    if stem.lower() in _DUCKDB_RESERVED:
        stem = f"%{ord(stem[0]):02X}{stem[1:]}"
    return stem


def database_name(stem: str) -> str:
    return urllib.parse.unquote(stem) if "%" in stem else stem


class ClusterDatabases:
    def __init__(self, folder: Path, open_database: Callable[[Path, str], RedshiftDatabase]):
        self.folder = Path(folder)
        self._open_database = open_database
        self.lock = threading.RLock()
        self._changes = threading.Lock()  # create, drop, rename and snapshot_to, one at a time
        self._open: dict[str, RedshiftDatabase] = {}
        # What a create or drop the process was killed in left behind.
        for leftover in list(self.folder.glob(".creating-*")) + list(self.folder.glob(".dropped-*")):
            leftover.unlink(missing_ok=True)

    # -- the list ---------------------------------------------------------------------------------

    def names(self) -> list[str]:
        found = {database_name(p.name[:-len(_SUFFIX)]) for p in self.folder.glob(f"*{_SUFFIX}")} \
            if self.folder.exists() else set()
        return sorted(found | {DEV})

    def find(self, name: str) -> Optional[str]:
        """The database `name` names: the one of that exact name, else one whose name it is in another
        case (a login's database name is taken as written; Redshift folds names to lower case)."""
        names = self.names()
        if name in names:
            return name
        lowered = name.lower()
        return next((n for n in names if n.lower() == lowered), None)

    def path(self, name: str) -> Path:
        stem = file_stem(name)
        if len((stem + _SUFFIX + ".wal").encode("utf-8")) > _MAX_FILE_NAME:
            raise RedshiftError(f'database name "{name[:30]}..." has too many special characters to be a file '
                                "name here", "42622")
        return self.folder / (stem + _SUFFIX)

    def get(self, name: str) -> RedshiftDatabase:
        """The open database `name` (3D000 when there is none)."""
        with self.lock:
            found = self.find(name)
            if found is None:
                raise RedshiftError(f'database "{name}" does not exist', "3D000")
            database = self._open.get(found)
            if database is None:
                self.folder.mkdir(parents=True, exist_ok=True)
                database = self._open[found] = self._open_database(self.path(found), found)
            return database

    def sessions(self, name: str) -> list:
        """The sessions open on database `name` (none when it is not open)."""
        database = self._open.get(name)
        return database.open_sessions() if database is not None else []

    # -- changes ----------------------------------------------------------------------------------

    def materialize(self, name: str) -> None:
        """Give database `name` its file, if it has none (the cluster's DBName, at its first start)."""
        if name != DEV and not self.path(name).exists():
            self.create(name)

    def create(self, name: str) -> None:
        """A new, empty database file, made under a temporary name and renamed into place."""
        with self._changes, self.lock:
            target = self.path(name)
            self.folder.mkdir(parents=True, exist_ok=True)
            staging = self.folder / f".creating-{uuid.uuid4().hex}"
            try:
                duckdb.connect(str(staging)).close()
                _fsync(staging)
                _wal(target).unlink(missing_ok=True)  # a dropped namesake's, if its drop was cut short
                os.rename(staging, target)
            finally:
                staging.unlink(missing_ok=True)
                _wal(staging).unlink(missing_ok=True)
            fsync_dir(str(self.folder))

    def drop(self, name: str) -> None:
        with self._changes, self.lock:
            self._check_unused(name)
            self._close(name)
            path = self.path(name)
            trash = self.folder / f".dropped-{uuid.uuid4().hex}"
            os.rename(path, trash)  # the drop itself: from here the database is gone
            fsync_dir(str(self.folder))
            _wal(path).unlink(missing_ok=True)
            trash.unlink(missing_ok=True)

    def rename(self, old: str, new: str) -> None:
        with self._changes, self.lock:
            self._check_unused(old)
            self._close(old)  # closing checkpoints: the data is all in the file, and no WAL is left
            source, target = self.path(old), self.path(new)
            _wal(target).unlink(missing_ok=True)
            if _wal(source).exists():
                os.rename(_wal(source), _wal(target))
            os.rename(source, target)
            fsync_dir(str(self.folder))

    def _check_unused(self, name: str) -> None:
        """55006 while sessions use database `name`, after waiting `BUSY_WAIT` seconds for them to end,
        as Postgres waits: a client that has just closed its connection may not be gone yet. (DROP
        DATABASE ... FORCE would end them; lakebox cannot end another client's connection, and
        Redshift answers this when the sessions cannot be ended.)"""
        deadline = time.monotonic() + BUSY_WAIT
        while self.sessions(name):
            if time.monotonic() >= deadline:
                raise RedshiftError(f'database "{name}" is being accessed by other users', "55006")
            time.sleep(0.05)

    def _close(self, name: str) -> None:
        database = self._open.pop(name, None)
        if database is not None:
            database.close()

    # -- the whole cluster ------------------------------------------------------------------------

    def snapshot_to(self, folder: Path) -> None:
        """Write a copy of every database into `folder`, under the same file names (copy_to)."""
        with self._changes:
            for name in self.names():
                self.get(name).copy_to(Path(folder) / self.path(name).name)

    def close(self) -> None:
        with self.lock:
            for database in self._open.values():
                database.close()
            self._open.clear()


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

