"""Named queries: Create (idempotent by ClientRequestToken), Get, BatchGet, List, Update, Delete."""

from __future__ import annotations

import uuid

from ...protocol.context import RequestContext
from .common import page, scope
from .errors import invalid_request
from .store import AthenaStore, decode, encode

_FIELDS = ("Name", "Description", "QueryString")


class NamedQueriesMixin:
    store: AthenaStore

    def _named_query(self, db, ctx: RequestContext, named_query_id: str) -> dict:
        row = db.execute("SELECT doc FROM named_queries WHERE id = ? AND scope = ?",
                         (named_query_id, scope(ctx))).fetchone()
        if row is None:
            raise invalid_request(f"NamedQuery {named_query_id} was not found", "INVALID_INPUT")
        return decode(row["doc"])

    def create_named_query(self, ctx: RequestContext, params: dict) -> dict:
        wg = self.workgroup(ctx, params.get("WorkGroup"))
        named_id = str(uuid.uuid4())
        doc = {"Name": params["Name"], "Database": params["Database"], "QueryString": params["QueryString"],
               "NamedQueryId": named_id, "WorkGroup": wg["Name"]}
        if params.get("Description"):
            doc["Description"] = params["Description"]
        token = params.get("ClientRequestToken")
        with self.store.write() as db:
            if token:
                row = db.execute("SELECT id FROM request_tokens WHERE scope = ? AND kind = 'named' AND token = ?",
                                 (scope(ctx), token)).fetchone()
                if row:
                    return {"NamedQueryId": row["id"]}
                db.execute("INSERT INTO request_tokens (scope, kind, token, id) VALUES (?, 'named', ?, ?)",
                           (scope(ctx), token, named_id))
            db.execute("INSERT INTO named_queries (id, scope, workgroup, doc) VALUES (?, ?, ?, ?)",
                       (named_id, scope(ctx), wg["Name"], encode(doc)))
        return {"NamedQueryId": named_id}

    def get_named_query(self, ctx: RequestContext, params: dict) -> dict:
        return {"NamedQuery": self._named_query(self.store.reader(), ctx, params["NamedQueryId"])}

    def batch_get_named_query(self, ctx: RequestContext, params: dict) -> dict:
        found, missing = [], []
        for named_id in params["NamedQueryIds"]:
            rows = self.store.read("SELECT doc FROM named_queries WHERE id = ? AND scope = ?", (named_id, scope(ctx)))
            if rows:
                found.append(decode(rows[0]["doc"]))
            else:
                missing.append({"NamedQueryId": named_id, "ErrorCode": "INVALID_INPUT",
                                "ErrorMessage": f"NamedQuery {named_id} was not found"})
        return {"NamedQueries": found, "UnprocessedNamedQueryIds": missing}

    def list_named_queries(self, ctx: RequestContext, params: dict) -> dict:
        wg = self.workgroup(ctx, params.get("WorkGroup"))
        rows = self.store.read("SELECT id FROM named_queries WHERE scope = ? AND workgroup = ? ORDER BY seq",
                               (scope(ctx), wg["Name"]))
        ids, token = page([r["id"] for r in rows], params.get("NextToken"), params.get("MaxResults"), 50)
        return {"NamedQueryIds": ids, "NextToken": token}

    def update_named_query(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.write() as db:
            doc = self._named_query(db, ctx, params["NamedQueryId"])
            for key in _FIELDS:
                if key in params:
                    doc[key] = params[key]
            db.execute("UPDATE named_queries SET doc = ? WHERE id = ?", (encode(doc), params["NamedQueryId"]))
        return {}

    def delete_named_query(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.write() as db:
            self._named_query(db, ctx, params["NamedQueryId"])
            db.execute("DELETE FROM named_queries WHERE id = ?", (params["NamedQueryId"],))
        return {}
