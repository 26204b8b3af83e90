"""What the COPY error tests share: a stand-in lake (a bucket is a folder), a Glue catalog that knows
nothing, a database on a temp file, and the load log read back through the system views
(a module of its own: `conftest` names collide across test folders)."""

from __future__ import annotations

import os

import pytest

from lakebox.engines.redshift.database import RedshiftDatabase, RedshiftError
from lakebox.engines.redshift.load_log import SYSTEM_VIEWS


class FakeLake:
    """The one LakeStore method COPY needs: where a bucket's folder is."""

    def __init__(self, root):
        self.root = root

    def bucket_path(self, bucket):
        return os.path.join(self.root, "s3", bucket)


class EmptyGlue:
    def get_table(self, account, region, db, name):
        return None

    def list_tables(self, account, region, db):
        return []


def new_database(tmp_path) -> tuple[RedshiftDatabase, FakeLake]:
    lake = FakeLake(str(tmp_path))
    os.makedirs(lake.bucket_path("lake"))
    db = RedshiftDatabase(tmp_path / "cluster" / "dev.duckdb", lake=lake, glue_catalog=EmptyGlue(),
                          account="000000000000", region="us-east-1")
    return db, lake


def put_file(lake, key: str, data: bytes) -> str:
    path = os.path.join(lake.bucket_path("lake"), key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def rows(db, sql: str) -> list[tuple]:
    return db.execute(sql)[-1].rows


def view(db, name: str, columns: str = "*", where: str = "true", order: str = "1") -> list[tuple]:
    """Rows of a Redshift load view, read on the database's DuckDB connection."""
    return db._con.execute(f"SELECT {columns} FROM ({SYSTEM_VIEWS[name]}) WHERE {where} ORDER BY {order}").fetchall()


def view_columns(db, name: str) -> list[str]:
    return [d[0] for d in db._con.execute(f"SELECT * FROM ({SYSTEM_VIEWS[name]}) LIMIT 0").description]


def copy_ids(db) -> list[int]:
    """The query ids of the COPYs run so far, oldest first (every statement takes an id, so a COPY's
    depends on what ran before it)."""
    return [query for (query,) in db._con.execute("SELECT query FROM _lakebox.load_history ORDER BY query").fetchall()]


def failed_copy(db, sql: str):
    """The RedshiftError a statement fails with (pytest fails the test when it does not fail)."""
    with pytest.raises(RedshiftError) as caught:
        db.execute(sql)
    return caught.value
