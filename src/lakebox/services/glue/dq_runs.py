"""Data Quality evaluation runs on threads: one thread per run, RUNNING until SUCCEEDED, FAILED,
STOPPED or TIMEOUT.

Why threads: the gateway never blocks on a scan (DESIGN D7), so StartDataQualityRulesetEvaluationRun
only records the run (STARTING) and hands it here. A run reads the catalog table through the Athena
SQL engine (`RunEnv.engine`), with the run's AdditionalDataSources as reference datasets and the stored
results of earlier runs as each ruleset's history, evaluates each ruleset (dq_evaluate.py), writes the
results JSON under the run's ResultsS3Prefix through the lake, then records its end and its results in
one transaction.

Cancelling sets the run's event, which also interrupts the query in flight (the engine watches it);
the Timeout (minutes) does the same through a timer. A run that a stopped process left unfinished
ends FAILED (or STOPPED, if it was stopping) when the provider starts again: nothing runs it any more.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ...engines.sql.errors import QueryError
from ...storage.api import ObjectMeta
from ...storage.errors import NoSuchBucketError, StorageError
from .common import lower
from .dq_evaluate import Cancelled, evaluate
from .dq_files import LakeFiles
from .dq_rules import Dataset, QueryFailed
from .dq_store import DataQualityStore
from .dqdl import DqdlError, parse_ruleset

log = logging.getLogger("lakebox.glue.data_quality")

UNFINISHED = ("STARTING", "RUNNING", "STOPPING")


class RunFailed(Exception):
    """The run cannot go on (its table or a ruleset is gone); it ends FAILED with this message."""


@dataclass
class RunEnv:
    """What runs need from the provider. `table(region, catalog id, database, name)` is the Glue table
    (None if missing); `engine(catalog id, region)` is a SqlEngine over the lake and that catalog."""

    store: DataQualityStore
    now: Callable[[], dt.datetime]
    lake: Any
    table: Callable[[str, str, str, str], Optional[dict]]
    engine: Callable[[str, str], Any]


@dataclass
class RunControl:
    catalog: str
    run_id: str
    cancel: threading.Event = field(default_factory=threading.Event)
    timed_out: bool = False
    thread: Optional[threading.Thread] = None


def new_run_id() -> str:
    return "dqrun-" + secrets.token_hex(20)


def new_result_id() -> str:
    return "dqresult-" + secrets.token_hex(20)


class DataQualityRunner:
    #: The store's table of this runner's runs (dq_store.RUN_TABLES).
    TABLE = "runs"

    def __init__(self, env: RunEnv):
        self.env = env
        self._running: dict[tuple[str, str], RunControl] = {}
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------------------

    def recover(self) -> None:
        """Runs that a stopped process left unfinished end now: nothing runs them any more."""
        now = self.env.now()
        with self.env.store.write() as db:
            for catalog, run in self.env.store.unfinished_runs(self.TABLE):
                stopping = run["Status"] == "STOPPING"
                run.update(Status="STOPPED" if stopping else "FAILED", CompletedOn=now, LastModifiedOn=now,
                           ExecutionTime=_seconds(run["StartedOn"], now))
                if not stopping:
                    run["ErrorString"] = "lakebox stopped while the run was running"
                self.env.store.put_run(db, catalog, run, self.TABLE)

    def close(self) -> None:
        with self._lock:
            controls = list(self._running.values())
        for control in controls:
            control.cancel.set()
        for control in controls:
            if control.thread is not None:
                control.thread.join(timeout=30)

    # -- runs ------------------------------------------------------------------------------------------

    def launch(self, catalog: str, run: dict) -> None:
        control = RunControl(catalog, run["RunId"])
        control.thread = threading.Thread(target=self._run, args=(control, run.get("Timeout")),
                                          name=f"lakebox-dq-{run['RunId'][:14]}", daemon=True)
        with self._lock:
            self._running[(catalog, run["RunId"])] = control
        control.thread.start()

    def cancel(self, catalog: str, run_id: str) -> None:
        with self._lock:
            control = self._running.get((catalog, run_id))
        if control is not None:
            control.cancel.set()

    def _run(self, control: RunControl, timeout_minutes: Optional[int]) -> None:
        timer = None
        if timeout_minutes:
            timer = threading.Timer(timeout_minutes * 60, _expire, args=(control,))
            timer.daemon = True
            timer.start()
        try:
            self._update(control, "RUNNING", only_from=("STARTING",))
            status, results, error = self._outcome(control)
            self._finish(control, status, results, error)
        except Exception:  # the run's end must still be written; the cause goes to the log
            log.exception("evaluation run %s failed", control.run_id)
            self._finish(control, "FAILED", [], "Internal error while evaluating the rulesets")
        finally:
            if timer is not None:
                timer.cancel()
            with self._lock:
                self._running.pop((control.catalog, control.run_id), None)

    def _outcome(self, control: RunControl) -> tuple[str, list[dict], Optional[str]]:
        """(final status, results, error string) of the run."""
        try:
            run = self.env.store.run(control.catalog, control.run_id, self.TABLE)
            results = self._evaluate(control, run)
        except Cancelled:
            if control.timed_out:
                return "TIMEOUT", [], "The evaluation run timed out"
            return "STOPPED", [], None
        except RunFailed as failure:
            return "FAILED", [], str(failure)
        error = self._export(run, results)
        return ("FAILED" if error else "SUCCEEDED"), results, error

    def _evaluate(self, control: RunControl, run: dict) -> list[dict]:
        source = run["DataSource"].get("GlueTable") or run["DataSource"]["DataQualityGlueTable"]
        data = self._dataset(control, source)
        if data is None:
            raise RunFailed(f"Table {source['DatabaseName']}.{source['TableName']} not found.")
        data.source = self._sources(control, run.get("AdditionalDataSources") or {})
        method = (run.get("AdditionalRunOptions") or {}).get("CompositeRuleEvaluationMethod") or "COLUMN"
        results = []
        for name in run["RulesetNames"]:
            doc = self.env.store.ruleset(control.catalog, name)
            if doc is None:
                raise RunFailed(f"Data Quality ruleset {name} not found.")
            try:
                ruleset = parse_ruleset(doc["Ruleset"])
            except DqdlError as error:  # checked when stored; kept in case the language's rules change
                raise RunFailed(f"Ruleset {name} is not valid DQDL: {error}") from None
            started = self.env.now()
            answer = evaluate(ruleset, data, self._earlier(control.catalog, name, source), method)
            results.append({"ResultId": new_result_id(), "DataSource": run["DataSource"], "RulesetName": name,
                            "EvaluationContext": name, "StartedOn": started, "CompletedOn": self.env.now(),
                            "RulesetEvaluationRunId": control.run_id, **answer})
        return results

    def _dataset(self, control: RunControl, source: dict) -> Optional[Dataset]:
        """The catalog table a GlueTable names, as a Dataset read through the SQL engine; None if missing."""
        region, account = control.catalog.split(":", 1)
        catalog_id = source.get("CatalogId") or account
        table = self.env.table(region, catalog_id, source["DatabaseName"], source["TableName"])
        if table is None:
            return None
        return Dataset(table["DatabaseName"], table["Name"], _columns(table), self.env.now(),
                       _sql_runner(self.env.engine(catalog_id, region), table["DatabaseName"], control),
                       location=(table.get("StorageDescriptor") or {}).get("Location"), files=LakeFiles(self.env.lake),
                       predicate=source_predicate(source.get("AdditionalOptions") or {}, _columns(table)))

    def _sources(self, control: RunControl, additional: dict) -> Callable[[str], Optional[Dataset]]:
        """The reference datasets by alias: the run's AdditionalDataSources (an alias matched exactly,
        else ignoring case), else a catalog table named `<database>.<table>`; each read once per run."""
        by_lower = {alias.lower(): alias for alias in additional}
        found: dict[str, Optional[Dataset]] = {}

        def source(alias: str) -> Optional[Dataset]:
            if alias not in found:
                named = additional.get(alias) or additional.get(by_lower.get(alias.lower(), ""))
                table = (named or {}).get("GlueTable") or (named or {}).get("DataQualityGlueTable")
                if table is None and "." in alias:
                    database, _, name = alias.rpartition(".")
                    table = {"DatabaseName": database, "TableName": name}
                found[alias] = self._dataset(control, table) if table else None
            return found[alias]
        return source

    def _earlier(self, catalog: str, ruleset: str, source: dict) -> list[dict]:
        """The stored results of this ruleset on this table, the most recent first."""
        account = catalog.split(":", 1)[1]
        return [result for result in self.env.store.results(catalog) if result.get("RulesetName") == ruleset
                and same_table(_glue_table(result.get("DataSource") or {}), source, account)]

    def _export(self, run: dict, results: list[dict]) -> Optional[str]:
        """Write each result as `<ResultsS3Prefix>/<ResultId>.json`; the error string if that fails."""
        prefix = (run.get("AdditionalRunOptions") or {}).get("ResultsS3Prefix")
        if not prefix:
            return None
        bucket, _, key_prefix = prefix[len("s3://"):].partition("/")
        key_prefix = key_prefix.strip("/")
        for result in results:
            key = f"{key_prefix}/{result['ResultId']}.json" if key_prefix else f"{result['ResultId']}.json"
            body = json.dumps(result, default=_json_default, indent=2).encode("utf-8")
            try:
                self.env.lake.put_object(bucket, key, body, ObjectMeta(content_type="application/json"))
            except NoSuchBucketError:
                return f"Unable to write the results to {prefix}: the bucket {bucket} does not exist"
            except StorageError as error:
                return f"Unable to write the results to {prefix}: {type(error).__name__} {error}"
        return None

    def _update(self, control: RunControl, status: str, only_from: tuple[str, ...]) -> None:
        with self.env.store.write() as db:
            run = self.env.store.load_run(db, control.catalog, control.run_id, self.TABLE)
            if run is not None and run["Status"] in only_from:
                run.update(Status=status, LastModifiedOn=self.env.now())
                self.env.store.put_run(db, control.catalog, run, self.TABLE)

    def _finish(self, control: RunControl, status: str, results: list[dict], error: Optional[str]) -> None:
        """The run's end and its results, in one transaction."""
        now = self.env.now()
        with self.env.store.write() as db:
            run = self.env.store.load_run(db, control.catalog, control.run_id)
            if run is None:
                return
            for result in results:
                self.env.store.put_result(db, control.catalog, result)
            run.update(Status=status, CompletedOn=now, LastModifiedOn=now,
                       ExecutionTime=_seconds(run["StartedOn"], now))
            if results:
                run["ResultIds"] = [r["ResultId"] for r in results]
            if error:
                run["ErrorString"] = error
            self.env.store.put_run(db, control.catalog, run)


#: The DataSource options that select the rows a run reads, as AWS Glue's readers take them: Spark SQL
#: predicates (on partition columns, in practice) that Glue pushes down to the partitions it reads.
PREDICATE_OPTIONS = ("pushDownPredicate", "catalogPartitionPredicate")


def source_predicate(options: dict, columns: list[tuple[str, str]]) -> Optional[str]:
    """The GlueTable's AdditionalOptions predicates as one Trino SQL condition, None when there are none.
    A predicate that is not valid Spark SQL fails the run."""
    import sqlglot
    from sqlglot.errors import ParseError

    types = {name.lower(): glue_type for name, glue_type in columns}
    conditions = []
    for key in PREDICATE_OPTIONS:
        text = (options.get(key) or "").strip()
        if not text:
            continue
        try:
            tree = sqlglot.parse_one(text, read="spark")
        except ParseError as error:
            raise RunFailed(f"{key} {text!r} is not a valid predicate: {error}") from None
        conditions.append("(" + _spark_coercions(tree, types).sql(dialect="trino") + ")")
    return " AND ".join(conditions) or None


def _spark_coercions(tree, types: dict[str, str]):
    """Spark compares a column with a string literal by casting the literal to the column's type (Glue
    keeps partition values as strings, and `c2 == '0'` is how predicates name an int partition); Trino
    refuses to compare mixed types, so the cast is written out."""
    from sqlglot import exp

    def cast_for(column, literal) -> None:
        glue_type = types.get(column.name.lower(), "")
        if isinstance(literal, exp.Literal) and literal.is_string and glue_type \
                and not glue_type.lower().startswith(("string", "varchar", "char")):
            literal.replace(exp.Cast(this=literal.copy(), to=exp.DataType.build(glue_type, dialect="hive")))

    for node in list(tree.find_all(exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)):
        if isinstance(node.left, exp.Column):
            cast_for(node.left, node.right)
        elif isinstance(node.right, exp.Column):
            cast_for(node.right, node.left)
    for node in list(tree.find_all(exp.In)):
        if isinstance(node.this, exp.Column):
            for item in list(node.expressions):
                cast_for(node.this, item)
    return tree


def _expire(control: RunControl) -> None:
    control.timed_out = True
    control.cancel.set()


def _glue_table(source: dict) -> dict:
    return source.get("GlueTable") or source.get("DataQualityGlueTable") or {}


def same_table(one: dict, other: dict, account: str) -> bool:
    """Whether two table references name the same table (names case-insensitively, CatalogId
    defaulting to the caller's account)."""
    if not one or not other:
        return False
    return (lower(one["DatabaseName"]) == lower(other["DatabaseName"])
            and lower(one["TableName"]) == lower(other["TableName"])
            and (one.get("CatalogId") or account) == (other.get("CatalogId") or account))


def _columns(table: dict) -> list[tuple[str, str]]:
    sd = table.get("StorageDescriptor") or {}
    return [(c["Name"], c.get("Type") or "") for c in [*(sd.get("Columns") or []), *(table.get("PartitionKeys") or [])]]


def _sql_runner(engine: Any, database: str, control: RunControl) -> Callable[[str], list[list]]:
    """Trino SQL -> rows, through the engine; a cancelled run raises Cancelled, a failed query QueryFailed."""
    def run_sql(sql: str) -> list[list]:
        if control.cancel.is_set():
            raise Cancelled()
        try:
            return engine.execute(sql, database, cancel=control.cancel).rows
        except QueryError as error:
            if control.cancel.is_set():
                raise Cancelled() from None
            raise QueryFailed(error.message) from None
    return run_sql


def _seconds(start: dt.datetime, end: dt.datetime) -> int:
    return max(0, int((end - start).total_seconds()))


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
