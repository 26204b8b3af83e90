"""Saved Logs Insights queries: PutQueryDefinition, DescribeQueryDefinitions, DeleteQueryDefinition.

Consoles, IaC tools and scripts save and list them, and round-trip what they saved; StartQuery
(insights.py) runs a query string, saved or not. A definition belongs to an account and region;
its id is a UUID that a later PutQueryDefinition names to update it in place. Each write is one
transaction in the logs store (`query_definitions`), so they survive a restart.
"""

from __future__ import annotations

import json
import uuid
from typing import Optional

from ...protocol.context import RequestContext
from . import store as st
from .common import decode_token, encode_token, not_found

#: DescribeQueryDefinitions' maxResults when the request gives none (the model allows 1 to 1000).
DESCRIBE_DEFAULT = 1000
DEFINITION_MISSING = "The specified query definition does not exist."


class QueryDefinitionsMixin:
    store: st.LogsStore

    def put_query_definition(self, ctx: RequestContext, params: dict) -> dict:
        definition_id: Optional[str] = params.get("queryDefinitionId")
        row = (params["name"], params["queryString"], params.get("queryLanguage") or "CWLI",
               json.dumps(params.get("logGroupNames") or []),
               json.dumps(params["parameters"]) if params.get("parameters") is not None else None,
               self._now_ms())
        with self.store.write() as db:
            if definition_id:
                cur = db.execute("UPDATE query_definitions SET name = ?, query_string = ?, query_language = ?, "
                                 "log_group_names = ?, parameters = ?, last_modified_ms = ? "
                                 "WHERE id = ? AND account = ? AND region = ?",
                                 (*row, definition_id, ctx.account_id, ctx.region))
                if cur.rowcount == 0:
                    raise not_found(DEFINITION_MISSING)
            else:
                definition_id = str(uuid.uuid4())
                db.execute("INSERT INTO query_definitions (id, account, region, name, query_string, query_language, "
                           "log_group_names, parameters, last_modified_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (definition_id, ctx.account_id, ctx.region, *row))
        return {"queryDefinitionId": definition_id}

    def describe_query_definitions(self, ctx: RequestContext, params: dict) -> dict:
        limit = params.get("maxResults") or DESCRIBE_DEFAULT
        after = decode_token(params.get("nextToken"), "query-definitions")
        sql = "SELECT * FROM query_definitions WHERE account = ? AND region = ?"
        args: list = [ctx.account_id, ctx.region]
        prefix = params.get("queryDefinitionNamePrefix")
        if prefix:
            sql += " AND substr(name, 1, ?) = ?"
            args += [len(prefix), prefix]
        if params.get("queryLanguage"):
            sql += " AND query_language = ?"
            args.append(params["queryLanguage"])
        if after is not None:
            sql += " AND (name, id) > (?, ?)"
            args += list(after)
        rows = self.store.read(sql + " ORDER BY name, id LIMIT ?", [*args, limit + 1])
        result: dict = {"queryDefinitions": [_definition_output(r) for r in rows[:limit]]}
        if len(rows) > limit:
            last = rows[limit - 1]
            result["nextToken"] = encode_token("query-definitions", [last["name"], last["id"]])
        return result

    def delete_query_definition(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.write() as db:
            cur = db.execute("DELETE FROM query_definitions WHERE id = ? AND account = ? AND region = ?",
                             (params["queryDefinitionId"], ctx.account_id, ctx.region))
            if cur.rowcount == 0:
                raise not_found(DEFINITION_MISSING)
        return {"success": True}


def _definition_output(row) -> dict:
    out = {"queryDefinitionId": row["id"], "name": row["name"], "queryString": row["query_string"],
           "queryLanguage": row["query_language"], "lastModified": row["last_modified_ms"],
           "logGroupNames": json.loads(row["log_group_names"])}
    if row["parameters"] is not None:
        out["parameters"] = json.loads(row["parameters"])
    return out
