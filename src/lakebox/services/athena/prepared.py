"""Prepared statements, per workgroup, and the SQL statements over them: `PREPARE name FROM stmt`,
`EXECUTE name [USING v1, v2 ...]` and `DEALLOCATE PREPARE name`.

These are Athena's own statements, not Trino SQL the engine parses. The runner swaps an EXECUTE for
the stored statement and passes the USING literals as the values of its `?` placeholders; PREPARE
and DEALLOCATE PREPARE change the workgroup's statements, the same ones the API's
Create/DeletePreparedStatement manage, and answer an empty UTILITY result.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Optional

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import page, scope
from .errors import invalid_request, resource_not_found
from .store import AthenaStore, decode, encode

#: The statement name is an identifier: bare, or in double quotes (`EXECUTE "my_statement"`).
_EXECUTE = re.compile(r'^\s*EXECUTE\s+(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_@:]*))'
                      r"(?:\s+USING\s+(.*?))?\s*;?\s*$", re.IGNORECASE | re.DOTALL)
_PREPARE = re.compile(r"^\s*PREPARE\s+([A-Za-z_][A-Za-z0-9_]*)\s+FROM\s+(.*?)\s*;?\s*$", re.IGNORECASE | re.DOTALL)
_DEALLOCATE = re.compile(r"^\s*DEALLOCATE\s+PREPARE\s+([A-Za-z_][A-Za-z0-9_]*)\s*;?\s*$", re.IGNORECASE)
#: StatementName's pattern in the API model: a name that does not match cannot name a statement.
_STATEMENT_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_@:]{0,255}")


class PreparedStatementMissing(Exception):
    """EXECUTE names a statement the workgroup does not have."""


class PreparedStatementParameters(Exception):
    """EXECUTE ... USING ? is given a different number of ExecutionParameters."""


def split_literals(text: str) -> list[str]:
    """`'a,b', 1, DATE '2024-01-01'` -> the three SQL literals: commas inside quotes or parentheses
    do not separate."""
    items, current, depth, quote = [], [], 0, None
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    tail = "".join(current).strip()
    if tail or items:
        items.append(tail)
    return items


def resolve_execute(store: AthenaStore, scope_key: str, workgroup: str, sql: str,
                    parameters: Optional[list[str]]) -> tuple[str, Optional[list[str]]]:
    """The SQL to run and its parameters: an EXECUTE becomes its prepared statement."""
    match = _EXECUTE.match(sql)
    if not match:
        return sql, parameters
    name = match.group(1).replace('""', '"') if match.group(1) is not None else match.group(2)
    using = match.group(3)
    rows = store.read("SELECT doc FROM prepared WHERE scope = ? AND workgroup = ? AND name = ?",
                      (scope_key, workgroup, name))
    if not rows:
        raise PreparedStatementMissing(f"Prepared statement {name} not found in workgroup {workgroup}")
    values = _using_values(split_literals(using), list(parameters or [])) if using else list(parameters or [])
    return decode(rows[0]["doc"])["QueryStatement"], values or None


def _using_values(literals: list[str], parameters: list[str]) -> list[str]:
    """The USING list with each `?` in it taken, in order, from the ExecutionParameters
    (`EXECUTE s USING ?, 2` with ExecutionParameters ['1'] binds 1 and 2)."""
    wanted = sum(literal == "?" for literal in literals)
    if wanted != len(parameters):
        raise PreparedStatementParameters(f"Incorrect number of parameters: expected {wanted} but found "
                                          f"{len(parameters)}")
    pending = iter(parameters)
    return [next(pending) if literal == "?" else literal for literal in literals]


def run_prepare_statement(store: AthenaStore, scope_key: str, workgroup: str, sql: str,
                          now: datetime) -> Optional[str]:
    """Carry out a PREPARE or DEALLOCATE PREPARE statement; return its kind ("PREPARE",
    "DEALLOCATE"), or None when `sql` is neither. PREPARE replaces a statement of the same name."""
    prepare = _PREPARE.match(sql)
    if prepare:
        name, statement = prepare.groups()
        key = (scope_key, workgroup, name)
        doc = {"StatementName": name, "QueryStatement": statement, "WorkGroupName": workgroup, "LastModifiedTime": now}
        with store.write() as db:
            db.execute("DELETE FROM prepared WHERE scope = ? AND workgroup = ? AND name = ?", key)
            db.execute("INSERT INTO prepared (scope, workgroup, name, doc) VALUES (?, ?, ?, ?)", (*key, encode(doc)))
        return "PREPARE"
    deallocate = _DEALLOCATE.match(sql)
    if deallocate:
        name = deallocate.group(1)
        with store.write() as db:
            gone = db.execute("DELETE FROM prepared WHERE scope = ? AND workgroup = ? AND name = ?",
                              (scope_key, workgroup, name)).rowcount
        if not gone:
            raise PreparedStatementMissing(f"Prepared statement {name} not found in workgroup {workgroup}")
        return "DEALLOCATE"
    return None


class PreparedStatementsMixin:
    store: AthenaStore
    clock: ServiceClock

    def _prepared_key(self, ctx: RequestContext, params: dict) -> tuple[str, str, str]:
        self.workgroup(ctx, params["WorkGroup"])
        return scope(ctx), params["WorkGroup"], params["StatementName"]

    def _load_prepared(self, db, key: tuple[str, str, str]) -> dict:
        row = db.execute("SELECT doc FROM prepared WHERE scope = ? AND workgroup = ? AND name = ?", key).fetchone()
        if row is None:
            raise resource_not_found(f"Prepared statement {key[2]} was not found in workgroup {key[1]}.", key[2])
        return decode(row["doc"])

    def create_prepared_statement(self, ctx: RequestContext, params: dict) -> dict:
        key = self._prepared_key(ctx, params)
        doc = {"StatementName": key[2], "QueryStatement": params["QueryStatement"], "WorkGroupName": key[1],
               "LastModifiedTime": self.clock.now()}
        if params.get("Description"):
            doc["Description"] = params["Description"]
        with self.store.write() as db:
            if db.execute("SELECT 1 FROM prepared WHERE scope = ? AND workgroup = ? AND name = ?", key).fetchone():
                raise invalid_request(f"Prepared statement {key[2]} already exists in workgroup {key[1]}.",
                                      "ALREADY_EXISTS")
            db.execute("INSERT INTO prepared (scope, workgroup, name, doc) VALUES (?, ?, ?, ?)", (*key, encode(doc)))
        return {}

    def get_prepared_statement(self, ctx: RequestContext, params: dict) -> dict:
        return {"PreparedStatement": self._load_prepared(self.store.reader(), self._prepared_key(ctx, params))}

    def update_prepared_statement(self, ctx: RequestContext, params: dict) -> dict:
        key = self._prepared_key(ctx, params)
        with self.store.write() as db:
            doc = self._load_prepared(db, key)
            doc["QueryStatement"] = params["QueryStatement"]
            if "Description" in params:
                doc["Description"] = params["Description"]
            doc["LastModifiedTime"] = self.clock.now()
            db.execute("UPDATE prepared SET doc = ? WHERE scope = ? AND workgroup = ? AND name = ?",
                       (encode(doc), *key))
        return {}

    def delete_prepared_statement(self, ctx: RequestContext, params: dict) -> dict:
        key = self._prepared_key(ctx, params)
        with self.store.write() as db:
            self._load_prepared(db, key)
            db.execute("DELETE FROM prepared WHERE scope = ? AND workgroup = ? AND name = ?", key)
        return {}

    def batch_get_prepared_statement(self, ctx: RequestContext, params: dict) -> dict:
        """Each name is answered on its own: found, or listed unprocessed with the reason AWS documents
        (INVALID_INPUT for a name that cannot be one, STATEMENT_NOT_FOUND for one the workgroup lacks)."""
        workgroup = self.workgroup(ctx, params["WorkGroup"])["Name"]
        found, unprocessed = [], []
        db = self.store.reader()
        for name in params["PreparedStatementNames"]:
            if not _STATEMENT_NAME.fullmatch(name):
                unprocessed.append({"StatementName": name, "ErrorCode": "INVALID_INPUT",
                                    "ErrorMessage": f"Prepared statement name {name} is not valid."})
                continue
            row = db.execute("SELECT doc FROM prepared WHERE scope = ? AND workgroup = ? AND name = ?",
                             (scope(ctx), workgroup, name)).fetchone()
            if row is None:
                unprocessed.append({"StatementName": name, "ErrorCode": "STATEMENT_NOT_FOUND",
                                    "ErrorMessage": f"Prepared statement {name} was not found in workgroup "
                                                    f"{workgroup}."})
            else:
                found.append(decode(row["doc"]))
        return {"PreparedStatements": found, "UnprocessedPreparedStatementNames": unprocessed}

    def list_prepared_statements(self, ctx: RequestContext, params: dict) -> dict:
        self.workgroup(ctx, params["WorkGroup"])
        rows = self.store.read("SELECT doc FROM prepared WHERE scope = ? AND workgroup = ? ORDER BY name",
                               (scope(ctx), params["WorkGroup"]))
        docs, token = page(rows, params.get("NextToken"), params.get("MaxResults"), 50)
        summaries = [{k: d[k] for k in ("StatementName", "LastModifiedTime")} for d in map(lambda r: decode(r["doc"]), docs)]
        return {"PreparedStatements": summaries, "NextToken": token}
