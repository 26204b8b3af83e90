"""Logs Insights queries: StartQuery, GetQueryResults, StopQuery and DescribeQueries.

Why they run for real: a query's answer is computed from the stored events. StartQuery checks the
groups and the query (parsed by insights_language.py, translated by insights_sql.py, and bound once
by DuckDB over no rows, so a bad regex or type is a MalformedQueryException at once), records the
query as Scheduled (insights_store.py) and hands it to a small worker pool: the gateway never waits
(D7). The worker marks it Running, reads the events of the window from the logs store, runs the
SQL on a DuckDB connection (insights_runner.py) and stores the rows and statistics with Complete.
StopQuery marks it Cancelled and interrupts DuckDB; the worker's own final write applies only while
the query is Running, so a cancellation is never overwritten.

AWS's window is whole seconds, both ends included: `startTime * 1000` to `endTime * 1000 + 999` ms,
which DescribeQueries shows in the query string it reports (`SOURCE "group" START=..000 END=..999 |
query`), as AWS does.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Optional

import duckdb

from ...engines.sql.engine import connect
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from . import store as st
from .common import decode_token, encode_token, invalid, not_found, parse_group_arn
from .insights_language import QuerySyntaxError
from .insights_runner import EventBatch, discovered_fields, execute, table_name
from .insights_sql import Translation, translate_text
from .insights_store import ACTIVE, InsightsStore

log = logging.getLogger(__name__)

WORKERS_ENV = "LAKEBOX_LOGS_INSIGHTS_WORKERS"
#: StartQuery queries at most this many log groups.
MAX_GROUPS = 50
DESCRIBE_LIMIT = 1000
QUERY_MISSING = "Query does not exist"
_ZERO_STATISTICS = {"recordsMatched": 0.0, "recordsScanned": 0.0, "bytesScanned": 0.0}


def malformed(message: str, start: int = 0, end: int = 0) -> AwsError:
    return AwsError("MalformedQueryException", message, 400, fields={"queryCompileError": {
        "location": {"startCharOffset": start, "endCharOffset": end}, "message": message}})


def record_pointer(group_id: int, event_id: int) -> str:
    """An event's @ptr: opaque to clients, as AWS's is."""
    return base64.urlsafe_b64encode(f"lakebox:{group_id}:{event_id}".encode()).decode().rstrip("=")


def _pointer_ids(pointer: str) -> Optional[tuple[int, int]]:
    """The (group id, event id) a record_pointer holds; None for anything else."""
    try:
        text = base64.urlsafe_b64decode(pointer + "=" * (-len(pointer) % 4)).decode()
        prefix, group_id, event_id = text.split(":")
        return (int(group_id), int(event_id)) if prefix == "lakebox" else None
    except (ValueError, UnicodeError):
        return None


class InsightsMixin:
    store: st.LogsStore
    insights: InsightsStore

    # -- lifecycle (called by the provider) ---------------------------------------------------------

    def open_insights(self, path: Path) -> None:
        self.insights = InsightsStore(path)
        self.insights.fail_interrupted(self._now_ms())
        workers = max(int(os.environ.get(WORKERS_ENV) or 2), 1)
        self._insights_pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="logs-insights")
        self._insights_lock = threading.Lock()
        #: query id -> (cancel event, the DuckDB connection once it has one)
        self._insights_active: dict[str, list] = {}

    def close_insights(self) -> None:
        with self._insights_lock:
            for cancel, con in self._insights_active.values():
                cancel.set()
                if con is not None:
                    con.interrupt()
        self._insights_pool.shutdown(wait=True, cancel_futures=True)
        self.insights.fail_interrupted(self._now_ms())
        self.insights.close()

    # -- operations ---------------------------------------------------------------------------------

    def start_query(self, ctx: RequestContext, params: dict) -> dict:
        language = params.get("queryLanguage") or "CWLI"
        if language != "CWLI":
            raise malformed(f"queryLanguage {language} is not supported by lakebox, which runs Logs Insights "
                            "QL (CWLI) queries")
        groups = self._query_groups(ctx, params)
        start_s, end_s = params["startTime"], params["endTime"]
        if end_s < start_s:
            raise invalid("End time cannot be less than Start time")
        name = table_name()
        translation = self._translate(params["queryString"], name, params.get("limit"))
        query_id = str(uuid.uuid4())
        self.insights.insert(query_id, ctx.account_id, ctx.region, language, params["queryString"],
                             [g.name for g in groups], start_s, end_s, params.get("limit"), self._now_ms())
        with self._insights_lock:
            self._insights_active[query_id] = [threading.Event(), None]
        self._insights_pool.submit(self._run_query_logged, query_id, translation, name, ctx.account_id, groups,
                                   start_s * 1000, end_s * 1000 + 999)
        return {"queryId": query_id}

    def get_query_results(self, ctx: RequestContext, params: dict) -> dict:
        row = self.insights.get(params["queryId"], ctx.account_id, ctx.region)
        if row is None:
            raise not_found(QUERY_MISSING)
        results = json.loads(row["results"]) if row["results"] else []
        out: dict = {"queryLanguage": row["query_language"], "results": results,
                     "statistics": json.loads(row["statistics"]) if row["statistics"] else dict(_ZERO_STATISTICS),
                     "status": row["status"]}
        size = params.get("maxItems")
        if size:
            offset = decode_token(params.get("nextToken"), "query-results") or 0
            out["results"] = results[offset:offset + size]
            if offset + size < len(results):
                out["nextToken"] = encode_token("query-results", offset + size)
        return out

    def get_log_record(self, ctx: RequestContext, params: dict) -> dict:
        """The whole event behind a query result's @ptr: its system fields as strings, as the query
        saw them, and the fields of a JSON message."""
        ids = _pointer_ids(params["logRecordPointer"])
        if ids is None:
            raise invalid("The log record pointer is not valid.")
        found = self.store.event_by_id(*ids)
        if found is None or (found[0].account, found[0].region) != (ctx.account_id, ctx.region):
            raise not_found("The specified log record does not exist.")
        group, stream, event = found
        record = {name: value for name, value in discovered_fields(event.message)}
        record.update({"@ingestionTime": str(event.ingestion_ms), "@log": f"{group.account}:{group.name}",
                       "@logStream": stream, "@message": event.message, "@timestamp": str(event.ts)})
        return {"logRecord": record}

    def stop_query(self, ctx: RequestContext, params: dict) -> dict:
        query_id = params["queryId"]
        row = self.insights.get(query_id, ctx.account_id, ctx.region)
        if row is None:
            raise not_found(QUERY_MISSING)
        if not self.insights.move(query_id, "Cancelled", only_from=ACTIVE, ended_ms=self._now_ms()):
            # AWS's words (clients such as awswrangler match them to tell a finished query apart).
            raise invalid(f"Query {query_id} is not in Running or Scheduled state")
        with self._insights_lock:
            active = self._insights_active.get(query_id)
            if active is not None:
                active[0].set()
                if active[1] is not None:
                    active[1].interrupt()
        return {"success": True}

    def describe_queries(self, ctx: RequestContext, params: dict) -> dict:
        limit = params.get("maxResults") or DESCRIBE_LIMIT
        after = decode_token(params.get("nextToken"), "queries")
        rows = self.insights.list(ctx.account_id, ctx.region, group=params.get("logGroupName"),
                                  status=params.get("status"), language=params.get("queryLanguage"),
                                  before=tuple(after) if after else None, limit=limit + 1)
        result: dict = {"queries": [_query_info(r) for r in rows[:limit]]}
        if len(rows) > limit:
            last = rows[limit - 1]
            result["nextToken"] = encode_token("queries", [last["created_ms"], last["id"]])
        return result

    # -- helpers ------------------------------------------------------------------------------------

    def _query_groups(self, ctx: RequestContext, params: dict) -> list[st.GroupRow]:
        name, names, identifiers = (params.get("logGroupName"), params.get("logGroupNames"),
                                    params.get("logGroupIdentifiers"))
        if sum(1 for given in (name, names, identifiers) if given) != 1:
            raise invalid("Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be specified.")
        wanted = [name] if name else list(names or [])
        for identifier in identifiers or []:
            if identifier.startswith("arn:"):
                region, account, group_name = parse_group_arn(identifier)
                if (region, account) != (ctx.region, ctx.account_id):
                    raise self._group_missing(ctx, group_name)
                wanted.append(group_name)
            else:
                wanted.append(identifier)
        if len(wanted) > MAX_GROUPS:
            raise invalid(f"A query can search at most {MAX_GROUPS} log groups, {len(wanted)} were given.")
        groups = []
        for group_name in dict.fromkeys(wanted):
            try:
                groups.append(self.store.get_group(ctx.account_id, ctx.region, group_name))
            except st.GroupNotFound:
                raise self._group_missing(ctx, group_name) from None
        return groups

    @staticmethod
    def _group_missing(ctx: RequestContext, name: str) -> AwsError:
        # AWS's message carries the Java exception's tail, request id included (recorded 2026).
        return not_found(f"Log group '{name}' does not exist for account ID '{ctx.account_id}' (Service: AWSLogs; "
                         f"Status Code: 400; Error Code: ResourceNotFoundException; Request ID: {ctx.request_id}; "
                         "Proxy: null)")

    def _translate(self, text: str, name: str, limit: Optional[int]) -> Translation:
        try:
            translation = translate_text(text, name, limit)
        except QuerySyntaxError as exc:
            raise malformed(exc.message, exc.start, exc.end) from None
        # Bind the SQL over no events: what DuckDB refuses (an RE2 pattern it cannot compile, say)
        # is the query's fault, and AWS reports it at StartQuery.
        con = connect()
        try:
            execute(con, translation, name, EventBatch())
        except duckdb.Error as exc:
            raise malformed(f"the query cannot run: {str(exc).splitlines()[0]}", 0, len(text)) from None
        finally:
            con.close()
        return translation

    def _run_query_logged(self, query_id: str, translation: Translation, name: str, account: str,
                          groups: list, start_ms: int, end_ms: int) -> None:
        try:
            self._run_query(query_id, translation, name, account, groups, start_ms, end_ms)
        except Exception as exc:  # noqa: BLE001 - a query's failure is reported through its status
            log.exception("Logs Insights query %s failed inside lakebox", query_id)
            self.insights.move(query_id, "Failed", only_from=ACTIVE, ended_ms=self._now_ms(), error=str(exc))
        finally:
            with self._insights_lock:
                self._insights_active.pop(query_id, None)

    def _run_query(self, query_id: str, translation: Translation, name: str, account: str, groups: list,
                   start_ms: int, end_ms: int) -> None:
        with self._insights_lock:
            cancel = self._insights_active[query_id][0]
        if cancel.is_set() or not self.insights.move(query_id, "Running", only_from=("Scheduled",)):
            return
        batch = self._read_events(groups, account, start_ms, end_ms, cancel)
        if batch is None:
            return
        con = connect()
        with self._insights_lock:
            self._insights_active[query_id][1] = con
        try:
            if cancel.is_set():
                return
            outcome = execute(con, translation, name, batch)
        except duckdb.InterruptException:
            return  # stopped: StopQuery or shutdown already recorded the end
        except duckdb.Error as exc:
            self.insights.move(query_id, "Failed", only_from=("Running",), ended_ms=self._now_ms(), error=str(exc))
            return
        finally:
            with self._insights_lock:
                self._insights_active[query_id][1] = None
            con.close()
        statistics = {"recordsMatched": float(outcome.matched), "recordsScanned": float(len(batch)),
                      "bytesScanned": float(batch.bytes), "estimatedRecordsSkipped": 0.0,
                      "estimatedBytesSkipped": 0.0, "logGroupsScanned": float(len(groups))}
        self.insights.move(query_id, "Complete", only_from=("Running",), ended_ms=self._now_ms(),
                           results=outcome.rows, statistics=statistics)

    def _read_events(self, groups: list, account: str, start_ms: int, end_ms: int,
                     cancel: threading.Event) -> Optional[EventBatch]:
        """The events of the window in every group (None when the query was stopped meanwhile)."""
        batch = EventBatch()
        for group in groups:
            streams = {s.id: s.name for s in self.store.streams_of(group)}
            log_name = f"{account}:{group.name}"
            events = self.store.group_events(group, None, start=self._window_start(group, start_ms), end=end_ms + 1)
            for count, event in enumerate(events):
                if count % 1000 == 0 and cancel.is_set():
                    return None
                if event.stream_id not in streams:  # a stream created since the listing
                    streams = {s.id: s.name for s in self.store.streams_of(group)}
                batch.add(event.id, event.ts, event.ingestion_ms, event.message, streams.get(event.stream_id, ""),
                          log_name, record_pointer(group.id, event.id))
        return None if cancel.is_set() else batch


def _query_info(row: Any) -> dict:
    groups = json.loads(row["log_groups"])
    source = " ".join(f'"{name}"' for name in groups)
    return {"queryId": row["id"], "queryLanguage": row["query_language"],
            "queryString": f"SOURCE {source} START={row['start_s']}000 END={row['end_s']}999 | {row['query_string']}",
            "status": row["status"], "createTime": row["created_ms"], **({"logGroupName": groups[0]} if groups else {})}
