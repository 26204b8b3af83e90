"""Query executions: Start, Get, BatchGet, List, Stop, GetQueryResults and GetQueryRuntimeStatistics.

Start only records the execution (QUEUED) and hands it to the `QueryRunner`; every other call reads
the store. GetQueryExecution on an execution that is still QUEUED or RUNNING first waits a little
(`POLL_HOLD_SECONDS`) for it to end, so that a client polling in a loop learns of the end when it
happens rather than one sleep later, and polls less; at most `POLL_HOLD_SLOTS` calls wait at once,
so the gateway's workers stay free for everything else. What the call answers is the state at the
moment it answers, as ever. Start itself holds a DDL statement up to `DDL_HOLD_SECONDS` (in the same
slots): catalog changes take milliseconds here, and code that calls GetDatabase or GetTableMetadata
right after a CREATE without polling (common in tests written against mocks) then sees the change, as
it would if the statement had simply been fast. Longer statements still answer QUEUED or RUNNING. The stored document is the API's `QueryExecution` plus a `lakebox` member (the output
folder, the cutoff, the result columns) that is never returned.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from ...clock import ServiceClock
from ...engines.sql import submission_checks
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import ENGINE_VERSION, page, scope
from .errors import invalid_request
from .result_storage import MANAGED_AND_OUTPUT, ResultStorage, managed_location
from .results import manifest_of, output_file, output_of, read_manifest, read_results
from .reuse import find_reusable, reuse, reuse_max_age
from .runner import QueryRunner
from .store import AthenaStore, decode, encode

# AWS's wording, its doubled space included.
NO_OUTPUT = ("No output location provided. You did not provide an output location for  your query results. Either "
             "specify an S3 bucket location or enable Athena managed query results in your workgroup settings.")
MAX_RESULTS = 1000
#: The database Athena runs a query in when its context names none, and which Athena itself creates.
DEFAULT_DATABASE = "default"
#: How long GetQueryExecution waits for a running execution to end before answering.
POLL_HOLD_SECONDS = 0.1
#: How many GetQueryExecution calls may wait at once (the gateway has 8 workers by default).
POLL_HOLD_SLOTS = 3
_poll_holds = threading.BoundedSemaphore(POLL_HOLD_SLOTS)
#: How long StartQueryExecution waits for a DDL statement to end before answering.
DDL_HOLD_SECONDS = 0.5


def public(doc: dict) -> dict:
    """The API's view of a stored document: without the `lakebox` member. Callers pass a document
    just decoded from the store, so a shallow copy is enough (a deep one was a quarter of the cost of
    every GetQueryExecution poll)."""
    return {key: value for key, value in doc.items() if key != "lakebox"}


class ExecutionsMixin:
    store: AthenaStore
    clock: ServiceClock
    runner: QueryRunner
    results: ResultStorage
    glue: Any

    def _load_execution(self, ctx: RequestContext, execution_id: str) -> dict:
        rows = self.store.read("SELECT doc FROM executions WHERE id = ? AND scope = ?", (execution_id, scope(ctx)))
        if not rows:
            raise invalid_request(f"QueryExecution {execution_id} was not found", "INVALID_INPUT")
        return decode(rows[0]["doc"])

    def start_query_execution(self, ctx: RequestContext, params: dict) -> dict:
        wg = self.workgroup(ctx, params.get("WorkGroup"))
        if wg["State"] != "ENABLED":
            raise invalid_request(f"WorkGroup {wg['Name']} is disabled.")
        token = params.get("ClientRequestToken")
        if token:
            rows = self.store.read("SELECT id FROM request_tokens WHERE scope = ? AND kind = 'query' AND token = ?",
                                   (scope(ctx), token))
            if rows:
                return {"QueryExecutionId": rows[0]["id"]}
        config = wg["Configuration"]
        managed = (config.get("ManagedQueryResultsConfiguration") or {}).get("Enabled")
        result_config = dict(params.get("ResultConfiguration") or {})
        wg_result = config.get("ResultConfiguration") or {}
        enforced = config.get("EnforceWorkGroupConfiguration")
        if enforced and (wg_result.get("OutputLocation") or managed):
            result_config = dict(wg_result)
        else:
            for key, value in wg_result.items():
                result_config.setdefault(key, value)
        if managed and result_config.get("OutputLocation"):
            # A client-side S3 location in a managed workgroup that does not override client settings.
            raise invalid_request(MANAGED_AND_OUTPUT)
        execution_id = str(uuid.uuid4())
        if result_config.get("OutputLocation"):
            output_dir = result_config["OutputLocation"]
            result_config["OutputLocation"] = output_file(output_dir, execution_id, None)
        elif managed:
            # Athena-owned storage: the execution shows no OutputLocation; GetQueryResults reads it.
            output_dir = managed_location(scope(ctx), wg["Name"])
        else:
            raise invalid_request(NO_OUTPUT)
        # Athena parses the text in this call: several statements, or one that does not parse, never run.
        several = submission_checks.statement_count_error(params["QueryString"])
        if several is not None:
            raise invalid_request(several)
        refused = submission_checks.syntax_error(params["QueryString"])
        if refused is not None:
            raise invalid_request(submission_checks.request_message(refused))
        context = dict(params.get("QueryExecutionContext") or {})
        # A query names its database in the context, or runs in `default`.
        if (context.get("Database") or DEFAULT_DATABASE).lower() == DEFAULT_DATABASE \
                and (context.get("Catalog") or "AwsDataCatalog").lower() == "awsdatacatalog":
            self._ensure_default_database(ctx)
        doc = {
            "QueryExecutionId": execution_id,
            "Query": params["QueryString"],
            "StatementType": _guess_statement_type(params["QueryString"]),
            "ResultConfiguration": result_config,
            "QueryExecutionContext": context,
            "Status": {"State": "QUEUED", "SubmissionDateTime": self.clock.now()},
            "Statistics": {"EngineExecutionTimeInMillis": 0, "DataScannedInBytes": 0,
                           "TotalExecutionTimeInMillis": 0, "QueryQueueTimeInMillis": 0,
                           "ServicePreProcessingTimeInMillis": 0, "QueryPlanningTimeInMillis": 0,
                           "ServiceProcessingTimeInMillis": 0},
            "WorkGroup": wg["Name"],
            "EngineVersion": config.get("EngineVersion", ENGINE_VERSION),
            "lakebox": {"OutputDir": output_dir,
                        "BytesScannedCutoffPerQuery": config.get("BytesScannedCutoffPerQuery")},
        }
        if managed:
            doc["ManagedQueryResultsConfiguration"] = dict(config["ManagedQueryResultsConfiguration"])
        if params.get("ExecutionParameters"):
            doc["ExecutionParameters"] = list(params["ExecutionParameters"])
        # Athena reports the reuse setting of every query, off unless the request turned it on.
        doc["ResultReuseConfiguration"] = (params.get("ResultReuseConfiguration")
                                           or {"ResultReuseByAgeConfiguration": {"Enabled": False}})
        max_age = reuse_max_age(params.get("ResultReuseConfiguration"))
        with self.store.write() as db:
            if token:
                row = db.execute("SELECT id FROM request_tokens WHERE scope = ? AND kind = 'query' AND token = ?",
                                 (scope(ctx), token)).fetchone()
                if row:
                    return {"QueryExecutionId": row["id"]}
                db.execute("INSERT INTO request_tokens (scope, kind, token, id) VALUES (?, 'query', ?, ?)",
                           (scope(ctx), token, execution_id))
            previous = find_reusable(db, scope(ctx), doc, max_age, self.clock.now()) if max_age else None
            if previous is not None:
                reuse(doc, previous, self.clock.now())
            db.execute("INSERT INTO executions (id, scope, workgroup, state, doc) VALUES (?, ?, ?, ?, ?)",
                       (execution_id, scope(ctx), wg["Name"], doc["Status"]["State"], encode(doc)))
        if previous is None:
            self.runner.submit(execution_id)
            if doc["StatementType"] == "DDL":
                self._hold(execution_id, DDL_HOLD_SECONDS)
        return {"QueryExecutionId": execution_id}

    def _ensure_default_database(self, ctx: RequestContext) -> None:
        """Athena's default database is `default`, and Athena makes it in the account's Glue Data Catalog
        when it is first used: a query in `default` (named, or with no database in its context) on a
        fresh account finds it (and can CREATE TABLE in it), as on AWS, while Glue shows no `default`
        until Athena has used it."""
        try:
            self.glue.get_database(ctx, {"Name": DEFAULT_DATABASE})
            return
        except AwsError as exc:
            if exc.code != "EntityNotFoundException":
                raise
        try:
            self.glue.create_database(ctx, {"DatabaseInput": {"Name": DEFAULT_DATABASE,
                                                              "Description": "Default Hive database"}})
        except AwsError as exc:
            if exc.code != "AlreadyExistsException":  # made by a concurrent query in the meantime
                raise

    def _hold(self, execution_id: str, seconds: float) -> None:
        """Wait up to `seconds` for the execution to end, if a hold slot is free."""
        if _poll_holds.acquire(blocking=False):
            try:
                self.runner.wait_ended(execution_id, seconds)
            finally:
                _poll_holds.release()

    def get_query_execution(self, ctx: RequestContext, params: dict) -> dict:
        execution_id = params["QueryExecutionId"]
        doc = self._load_execution(ctx, execution_id)
        if doc["Status"]["State"] in ("QUEUED", "RUNNING"):
            self._hold(execution_id, POLL_HOLD_SECONDS)
            doc = self._load_execution(ctx, execution_id)
        return {"QueryExecution": public(doc)}

    def batch_get_query_execution(self, ctx: RequestContext, params: dict) -> dict:
        found, missing = [], []
        for execution_id in params["QueryExecutionIds"]:
            rows = self.store.read("SELECT doc FROM executions WHERE id = ? AND scope = ?",
                                   (execution_id, scope(ctx)))
            if rows:
                found.append(public(decode(rows[0]["doc"])))
            else:
                missing.append({"QueryExecutionId": execution_id, "ErrorCode": "INVALID_INPUT",
                                "ErrorMessage": f"QueryExecution {execution_id} was not found"})
        return {"QueryExecutions": found, "UnprocessedQueryExecutionIds": missing}

    def list_query_executions(self, ctx: RequestContext, params: dict) -> dict:
        wg = self.workgroup(ctx, params.get("WorkGroup"))
        rows = self.store.read("SELECT id FROM executions WHERE scope = ? AND workgroup = ? ORDER BY seq DESC",
                               (scope(ctx), wg["Name"]))
        ids, token = page([r["id"] for r in rows], params.get("NextToken"), params.get("MaxResults"), 50)
        return {"QueryExecutionIds": ids, "NextToken": token}

    def stop_query_execution(self, ctx: RequestContext, params: dict) -> dict:
        self._load_execution(ctx, params["QueryExecutionId"])
        self.runner.cancel(params["QueryExecutionId"])
        return {}

    def get_query_results(self, ctx: RequestContext, params: dict) -> dict:
        result_type = params.get("QueryResultType") or "DATA_ROWS"
        if result_type not in ("DATA_ROWS", "DATA_MANIFEST"):
            raise invalid_request(f"Invalid QueryResultType {result_type}; valid values are DATA_ROWS and "
                                  "DATA_MANIFEST")
        max_results = params.get("MaxResults")
        if max_results is not None and not 0 < max_results <= MAX_RESULTS:
            raise invalid_request(f"MaxResults is more than maximum allowed length {MAX_RESULTS}")
        doc = self._load_execution(ctx, params["QueryExecutionId"])
        state = doc["Status"]["State"]
        if state in ("QUEUED", "RUNNING"):
            raise invalid_request(f"Query has not yet finished. Current state: {state}", "INVALID_INPUT")
        if state != "SUCCEEDED":
            reason = doc["Status"].get("StateChangeReason", "")
            raise invalid_request(f"Query did not finish successfully. Final query state: {state}"
                                  + (f"\n{reason}" if reason else ""), "INVALID_INPUT")
        if result_type == "DATA_MANIFEST":
            return self._manifest_rows(doc, params, max_results)
        columns = doc["lakebox"].get("ColumnInfo") or []
        output = output_of(doc)
        rows = read_results(self.results, output, len(columns)) if output else None
        if rows is None:
            where = doc["ResultConfiguration"].get("OutputLocation") or "Athena managed query results storage"
            raise invalid_request(f"Unable to find the query results file at {where}", "INVALID_INPUT")
        chunk, token = page(rows, params.get("NextToken"), max_results, MAX_RESULTS)
        result = {"UpdateCount": doc["lakebox"].get("UpdateCount", 0),
                  "ResultSet": {"Rows": [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]}
                                         for row in chunk],
                                "ResultSetMetadata": {"ColumnInfo": columns}}}
        if token:
            result["NextToken"] = token
        return result

    def get_query_runtime_statistics(self, ctx: RequestContext, params: dict) -> dict:
        return {"QueryRuntimeStatistics": runtime_statistics(self._load_execution(ctx, params["QueryExecutionId"]))}


    def _manifest_rows(self, doc: dict, params: dict, max_results) -> dict:
        """QueryResultType=DATA_MANIFEST: the data files a CTAS, INSERT or UNLOAD wrote, one per row, read
        from its `-manifest.csv`. Any other statement has no manifest, and AWS refuses the call."""
        manifest = manifest_of(doc)
        if not manifest:
            raise invalid_request("DATA_MANIFEST is only supported for CREATE TABLE AS SELECT, INSERT and UNLOAD "
                                  "queries", "INVALID_INPUT")
        files = read_manifest(self.results, manifest)
        if files is None:
            where = doc.get("Statistics", {}).get("DataManifestLocation") or "Athena managed query results storage"
            raise invalid_request(f"Unable to find the query manifest file at {where}", "INVALID_INPUT")
        chunk, token = page(files, params.get("NextToken"), max_results, MAX_RESULTS)
        result = {"UpdateCount": doc["lakebox"].get("UpdateCount", 0),
                  "ResultSet": {"Rows": [{"Data": [{"VarCharValue": url}]} for url in chunk],
                                "ResultSetMetadata": {"ColumnInfo": []}}}
        if token:
            result["NextToken"] = token
        return result


def runtime_statistics(doc: dict) -> dict:
    """GetQueryRuntimeStatistics from what the runner measured. The Timeline exists once the execution
    has ended (AWS: "as soon as" it is SUCCEEDED or FAILED). Rows only for a SUCCEEDED one: InputBytes
    are the bytes it read (DataScannedInBytes), OutputRows and OutputBytes the rows and bytes of the
    result file it wrote. InputRows and the stage tree (OutputStage) are not measured, so, as AWS
    does when it has none, they are left out rather than made up."""
    status = doc["Status"]["State"]
    if status in ("QUEUED", "RUNNING"):
        return {}
    stats = doc.get("Statistics") or {}
    result = {"Timeline": {key: stats[key] for key in _TIMELINE if key in stats}}
    if status == "SUCCEEDED":
        rows = {"InputBytes": stats.get("DataScannedInBytes", 0)}
        rows.update({key: doc["lakebox"][key] for key in ("OutputBytes", "OutputRows") if key in doc["lakebox"]})
        result["Rows"] = rows
    return result


_TIMELINE = ("QueryQueueTimeInMillis", "ServicePreProcessingTimeInMillis", "QueryPlanningTimeInMillis",
             "EngineExecutionTimeInMillis", "ServiceProcessingTimeInMillis", "TotalExecutionTimeInMillis")


def _guess_statement_type(sql: str) -> str:
    """The type Athena shows while a query is queued; the engine's answer replaces it."""
    words = sql.lstrip("( \n\t").split(None, 1)
    first = words[0].upper() if words else ""
    if first in ("CREATE", "DROP", "ALTER", "MSCK"):
        return "DDL"
    if first in ("EXPLAIN", "DESC", "SHOW", "DESCRIBE"):
        return "UTILITY"
    return "DML"
