"""Interactive sessions and their statements: `<data>/.lakebox/glue/sessions.db` (WAL, one writer).

`sessions` holds each session's document, shaped like the API's `Session`, plus lakebox's keys
starting with `_` (`public` drops them): `_Folder`, the session's folder name under
`.lakebox/glue/sessions/`, and `_Seq`, its creation order. `statements` holds each statement's
document, shaped like the API's `Statement`. Rows are keyed by `catalog`, `<region>:<account>`.
"""

from __future__ import annotations

from .store import CatalogStore, decode, encode

SESSION_SCHEMA_VERSION = 1

SESSION_SCHEMA = [
    ("CREATE TABLE sessions (catalog TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, "
     "status TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, id))"),
    "CREATE INDEX sessions_by_status ON sessions (status)",
    ("CREATE TABLE statements (catalog TEXT NOT NULL, session TEXT NOT NULL, id INTEGER NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY (catalog, session, id))"),
]

#: A session in these states has (or is starting) a driver.
LIVE_STATES = ("PROVISIONING", "READY", "STOPPING")
#: A statement in these states has not ended.
OPEN_STATEMENT_STATES = ("WAITING", "RUNNING", "CANCELLING")


def public(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class SessionStore(CatalogStore):
    def _create_schema(self) -> None:
        self.apply_schema(SESSION_SCHEMA, SESSION_SCHEMA_VERSION)

    def session(self, catalog: str, session_id: str) -> dict | None:
        rows = self.read("SELECT doc FROM sessions WHERE catalog = ? AND id = ?", (catalog, session_id))
        return decode(rows[0]["doc"]) if rows else None

    def sessions(self, catalog: str) -> list[dict]:
        rows = self.read("SELECT doc FROM sessions WHERE catalog = ? ORDER BY seq", (catalog,))
        return [decode(r["doc"]) for r in rows]

    def live_sessions(self) -> list[tuple[str, dict]]:
        marks = ",".join("?" * len(LIVE_STATES))
        rows = self.read(f"SELECT catalog, doc FROM sessions WHERE status IN ({marks}) ORDER BY seq", LIVE_STATES)
        return [(r["catalog"], decode(r["doc"])) for r in rows]

    @staticmethod
    def load_session(db, catalog: str, session_id: str) -> dict | None:
        row = db.execute("SELECT doc FROM sessions WHERE catalog = ? AND id = ?", (catalog, session_id)).fetchone()
        return decode(row["doc"]) if row else None

    @staticmethod
    def put_session(db, catalog: str, doc: dict) -> None:
        if "_Seq" not in doc:
            doc["_Seq"] = db.execute("SELECT coalesce(max(seq), 0) + 1 FROM sessions").fetchone()[0]
        db.execute("INSERT OR REPLACE INTO sessions (catalog, id, seq, status, doc) VALUES (?, ?, ?, ?, ?)",
                   (catalog, doc["Id"], doc["_Seq"], doc["Status"], encode(doc)))

    @staticmethod
    def delete_session(db, catalog: str, session_id: str) -> None:
        db.execute("DELETE FROM statements WHERE catalog = ? AND session = ?", (catalog, session_id))
        db.execute("DELETE FROM sessions WHERE catalog = ? AND id = ?", (catalog, session_id))

    def statement(self, catalog: str, session_id: str, statement_id: int) -> dict | None:
        rows = self.read("SELECT doc FROM statements WHERE catalog = ? AND session = ? AND id = ?",
                         (catalog, session_id, statement_id))
        return decode(rows[0]["doc"]) if rows else None

    def statements(self, catalog: str, session_id: str) -> list[dict]:
        rows = self.read("SELECT doc FROM statements WHERE catalog = ? AND session = ? ORDER BY id",
                         (catalog, session_id))
        return [decode(r["doc"]) for r in rows]

    @staticmethod
    def load_statement(db, catalog: str, session_id: str, statement_id: int) -> dict | None:
        row = db.execute("SELECT doc FROM statements WHERE catalog = ? AND session = ? AND id = ?",
                         (catalog, session_id, statement_id)).fetchone()
        return decode(row["doc"]) if row else None

    @staticmethod
    def load_statements(db, catalog: str, session_id: str) -> list[dict]:
        rows = db.execute("SELECT doc FROM statements WHERE catalog = ? AND session = ? ORDER BY id",
                          (catalog, session_id)).fetchall()
        return [decode(r["doc"]) for r in rows]

    @staticmethod
    def next_statement_id(db, catalog: str, session_id: str) -> int:
        return db.execute("SELECT coalesce(max(id), 0) + 1 FROM statements WHERE catalog = ? AND session = ?",
                          (catalog, session_id)).fetchone()[0]

    @staticmethod
    def put_statement(db, catalog: str, session_id: str, doc: dict) -> None:
        db.execute("INSERT OR REPLACE INTO statements (catalog, session, id, doc) VALUES (?, ?, ?, ?)",
                   (catalog, session_id, doc["Id"], encode(doc)))
