"""The worker pool that runs query executions, so that the gateway never waits for a query (D7).

Each execution moves QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED, and each move is written
through to the store at once. StopQueryExecution writes CANCELLED itself and sets the execution's
cancel event, which the engine checks; the worker's own final write only applies while the
execution is still RUNNING, so a late engine answer never overwrites a cancellation.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Callable, Optional

from .data_catalogs import check_query_catalog
from .prepared import (
    PreparedStatementMissing,
    PreparedStatementParameters,
    resolve_execute,
    run_prepare_statement,
)
from .results import (
    ResultLocationError,
    check_bucket_owner,
    data_location,
    manifest_file,
    output_file,
    record_output,
    write_manifest,
    write_results,
)
from .store import AthenaStore, decode, encode

log = logging.getLogger(__name__)

WORKERS_ENV = "LAKEBOX_ATHENA_WORKERS"
#: AWS's reason for a query stopped by the workgroup's BytesScannedCutoffPerQuery.
CUTOFF_REASON = "Query cancelled! Bytes scanned limit was exceeded"
RESTART_REASON = "Query was interrupted: lakebox stopped while it was running."


def athena_error(category: int, error_type: int, message: str, retryable: bool = False) -> dict:
    return {"ErrorCategory": category, "ErrorType": error_type, "Retryable": retryable, "ErrorMessage": message}


def _millis(start: datetime, end: datetime) -> int:
    """Whole milliseconds, rounded up: a phase that took 0.3 ms took time, and reads as 1, not 0."""
    return max(math.ceil((end - start).total_seconds() * 1000), 0)


class QueryRunner:
    def __init__(self, store: AthenaStore, lake: Any, engine_factory: Callable[[str, str], Any],
                 now: Callable[[], datetime]):
        self.store = store
        self.lake = lake  # a result_storage.ResultStorage: the lake, or Athena-owned storage for managed results
        self.now = now
        self._engine_factory = engine_factory
        self._engines = threading.local()
        self._cancels: dict[str, threading.Event] = {}
        #: Set when an execution leaves QUEUED/RUNNING: what `wait_ended` waits on.
        self._ended: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        workers = int(os.environ.get(WORKERS_ENV) or 4)
        self._pool = ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix="athena-query")

    # --- state changes -------------------------------------------------------------------------
    def _update(self, execution_id: str, change: Callable[[dict], None], *, only_if: tuple[str, ...]) -> bool:
        """Apply `change` to the stored execution if its state is one of `only_if`."""
        with self.store.write() as db:
            row = db.execute("SELECT doc FROM executions WHERE id = ?", (execution_id,)).fetchone()
            if row is None:
                return False
            doc = decode(row["doc"])
            if doc["Status"]["State"] not in only_if:
                return False
            change(doc)
            db.execute("UPDATE executions SET doc = ?, state = ? WHERE id = ?",
                       (encode(doc), doc["Status"]["State"], execution_id))
            return True

    def _finish(self, doc: dict, state: str, reason: Optional[str] = None, error: Optional[dict] = None,
                phases: Optional[dict] = None) -> None:
        """End the execution. `phases` are the measured milliseconds of a query that ran to the end:
        `pre` (parsing), `plan` (table resolution and translation, part of the engine's time, as AWS
        counts it), `engine` (from the parse to the last row) and `processing` (writing the results).
        Total is then queue + pre + engine + processing, as AWS defines it."""
        now = self.now()
        status = doc["Status"]
        status["State"] = state
        status["CompletionDateTime"] = now
        if reason:
            status["StateChangeReason"] = reason
        if error:
            status["AthenaError"] = error
        submitted = status["SubmissionDateTime"]
        started = doc["lakebox"].get("Started") or now
        stats = doc.setdefault("Statistics", {})
        queue = _millis(submitted, started)
        if phases is None:
            stats.update({"TotalExecutionTimeInMillis": _millis(submitted, now), "QueryQueueTimeInMillis": queue,
                          "EngineExecutionTimeInMillis": _millis(started, now),
                          "ServicePreProcessingTimeInMillis": 0, "QueryPlanningTimeInMillis": 0,
                          "ServiceProcessingTimeInMillis": 0})
        else:
            stats.update({"QueryQueueTimeInMillis": queue, "ServicePreProcessingTimeInMillis": phases["pre"],
                          "QueryPlanningTimeInMillis": phases["plan"], "EngineExecutionTimeInMillis": phases["engine"],
                          "ServiceProcessingTimeInMillis": phases["processing"],
                          "TotalExecutionTimeInMillis": queue + phases["pre"] + phases["engine"]
                          + phases["processing"]})
        stats.setdefault("DataScannedInBytes", 0)

    # --- the pool ------------------------------------------------------------------------------
    def submit(self, execution_id: str) -> None:
        with self._lock:
            self._cancels[execution_id] = threading.Event()
            self._ended[execution_id] = threading.Event()
        self._pool.submit(self._run_logged, execution_id)

    def wait_ended(self, execution_id: str, seconds: float) -> None:
        """Wait up to `seconds` for a submitted execution to end (at once if it is not running here)."""
        with self._lock:
            event = self._ended.get(execution_id)
        if event is not None:
            event.wait(seconds)

    def cancel(self, execution_id: str) -> bool:
        """Mark a QUEUED or RUNNING execution CANCELLED and tell its engine to stop."""
        changed = self._update(execution_id, lambda doc: self._finish(doc, "CANCELLED"),
                               only_if=("QUEUED", "RUNNING"))
        with self._lock:
            event = self._cancels.get(execution_id)
            ended = self._ended.get(execution_id) if changed else None
        if event is not None:
            event.set()
        if ended is not None:
            ended.set()  # the stored state is final now, whenever the engine notices
        return changed

    def fail_interrupted(self) -> int:
        """At start: executions that were QUEUED or RUNNING when lakebox stopped end FAILED."""
        ids = [r["id"] for r in self.store.read("SELECT id FROM executions WHERE state IN ('QUEUED', 'RUNNING')")]
        error = athena_error(1, 401, RESTART_REASON, retryable=True)
        for execution_id in ids:
            self._update(execution_id, lambda doc: self._finish(doc, "FAILED", RESTART_REASON, error),
                         only_if=("QUEUED", "RUNNING"))
        return len(ids)

    def close(self) -> None:
        with self._lock:
            events = list(self._cancels.values()) + list(self._ended.values())
        for event in events:
            event.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run_logged(self, execution_id: str) -> None:
        try:
            self._run(execution_id)
        except Exception as exc:  # one logged internal failure, never a query stuck in RUNNING
            log.exception("Athena query %s failed inside lakebox", execution_id)
            error = athena_error(1, 401, f"INTERNAL_ERROR_QUERY_ENGINE: {exc}", retryable=True)
            self._update(execution_id, lambda doc: self._finish(doc, "FAILED", error["ErrorMessage"], error),
                         only_if=("QUEUED", "RUNNING"))
        finally:
            with self._lock:
                self._cancels.pop(execution_id, None)
                ended = self._ended.pop(execution_id, None)
            if ended is not None:
                ended.set()

    def _engine(self, scope_key: str):
        engines = self._engines.__dict__.setdefault("by_scope", {})
        if scope_key not in engines:
            account, region = scope_key.split(":", 1)
            engines[scope_key] = self._engine_factory(account, region)
        return engines[scope_key]

    def _run(self, execution_id: str) -> None:
        with self._lock:
            cancel = self._cancels.get(execution_id) or threading.Event()

        def start(doc: dict) -> None:
            doc["Status"]["State"] = "RUNNING"
            doc["lakebox"]["Started"] = self.now()

        if cancel.is_set() or not self._update(execution_id, start, only_if=("QUEUED",)):
            return
        row = self.store.read("SELECT scope, doc FROM executions WHERE id = ?", (execution_id,))[0]
        doc, scope_key = decode(row["doc"]), row["scope"]
        internal = doc["lakebox"]
        from ...engines.sql.engine import QueryOutcome
        from ...engines.sql.errors import QueryError

        try:
            check_bucket_owner(self.lake, internal["OutputDir"], doc["ResultConfiguration"].get("ExpectedBucketOwner"))
        except ResultLocationError as exc:
            self._fail(execution_id, athena_error(2, 1301, str(exc)), str(exc))
            return
        try:
            engine_started = time.perf_counter()
            command = run_prepare_statement(self.store, scope_key, doc["WorkGroup"], doc["Query"], self.now())
            if command is not None:
                outcome = QueryOutcome(statement_type="UTILITY", substatement_type=command, columns=[], rows=[],
                                       data_scanned_bytes=0)
            else:
                sql, parameters = resolve_execute(self.store, scope_key, doc["WorkGroup"], doc["Query"],
                                                  doc.get("ExecutionParameters"))
                # The context's catalog is where unqualified tables live: it must be this Glue catalog.
                check_query_catalog(self.store, scope_key, doc.get("QueryExecutionContext", {}).get("Catalog"))
                outcome = self._engine(scope_key).execute(
                    sql, doc.get("QueryExecutionContext", {}).get("Database"), parameters=parameters, cancel=cancel,
                    output_location=data_location(internal["OutputDir"]), query_id=execution_id)
        except PreparedStatementMissing as exc:
            self._fail(execution_id, athena_error(2, 1100, str(exc)), str(exc))
            return
        except PreparedStatementParameters as exc:
            reason = f"SYNTAX_ERROR: line 1:1: {exc}"
            self._fail(execution_id, athena_error(2, 1100, reason), reason)
            return
        except QueryError as exc:
            self._fail(execution_id, _query_error(exc), _reason(exc))
            return
        engine_seconds = time.perf_counter() - engine_started
        if cancel.is_set():
            return
        cutoff = internal.get("BytesScannedCutoffPerQuery")
        if cutoff and outcome.data_scanned_bytes > cutoff:
            def cut(d: dict) -> None:
                self._finish(d, "CANCELLED", CUTOFF_REASON)
                d["Statistics"]["DataScannedInBytes"] = outcome.data_scanned_bytes
            self._update(execution_id, cut, only_if=("RUNNING",))
            return
        output = output_file(internal["OutputDir"], execution_id, outcome.statement_type,
                             outcome.substatement_type)
        manifest_files = getattr(outcome, "manifest_files", None)
        manifest = manifest_file(internal["OutputDir"], execution_id) if manifest_files is not None else None
        writing_started = time.perf_counter()
        try:
            output_bytes = write_results(self.lake, output, outcome.columns, outcome.rows, outcome.statement_type,
                                         outcome.update_count or 0)
            if manifest is not None:
                write_manifest(self.lake, manifest, manifest_files)
        except ResultLocationError as exc:
            self._fail(execution_id, athena_error(2, 1301, str(exc)), str(exc))
            return

        timings = getattr(outcome, "timings", None) or {}
        pre = _ms(timings.get("parse", 0.0))
        phases = {"pre": pre, "plan": _ms(timings.get("plan", 0.0)),
                  "engine": max(_ms(engine_seconds) - pre, 0), "processing": _ms(time.perf_counter() - writing_started)}

        def succeed(d: dict) -> None:
            self._finish(d, "SUCCEEDED", phases=phases)
            record_output(d, output, manifest)
            d["StatementType"] = outcome.statement_type
            if outcome.substatement_type:
                d["SubstatementType"] = outcome.substatement_type
            d["Statistics"]["DataScannedInBytes"] = outcome.data_scanned_bytes or 0
            d["Statistics"]["ResultReuseInformation"] = {"ReusedPreviousResult": False}
            # OutputRows/OutputBytes: what GetQueryRuntimeStatistics reports the query returned.
            d["lakebox"].update({"ColumnInfo": outcome.columns, "UpdateCount": outcome.update_count or 0,
                                 "OutputRows": len(outcome.rows), "OutputBytes": output_bytes})

        self._update(execution_id, succeed, only_if=("RUNNING",))

    def _fail(self, execution_id: str, error: dict, reason: str) -> None:
        self._update(execution_id, lambda d: self._finish(d, "FAILED", reason, error), only_if=("RUNNING",))


def _ms(seconds: float) -> int:
    return max(int(round(seconds * 1000)), 0)


def _reason(exc: Any) -> str:
    message = getattr(exc, "message", None) or str(exc)
    kind = getattr(exc, "error_type", None)
    return message if not kind or message.startswith(str(kind)) else f"{kind}: {message}"


def _query_error(exc: Any) -> dict:
    category = getattr(exc, "error_category", None) or 2
    error_type = getattr(exc, "athena_error_type", None) or 1100
    return athena_error(int(category), int(error_type), _reason(exc), retryable=int(category) == 1)
