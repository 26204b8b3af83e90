"""Query result reuse (`ResultReuseConfiguration.ResultReuseByAgeConfiguration`), as Athena does it.

A StartQueryExecution that asks for reuse gets, instead of a new run, the latest SUCCEEDED SELECT of
the same workgroup with the exact same query string, parameters, database, catalog and result
configuration, completed at most MaxAgeInMinutes ago (60 by default, 10080 at most) on the service
clock. Like AWS, reuse goes by age only: a change to the data read since then is not noticed. The new
execution is SUCCEEDED at once, its OutputLocation is the earlier result file, and its statistics say
ReusedPreviousResult with no data scanned. It is stored like any execution, so it survives restarts.
"""

from __future__ import annotations

import copy
import sqlite3
from datetime import datetime, timedelta
from typing import Optional

from .errors import invalid_request
from .results import output_of, record_output
from .store import decode

DEFAULT_MAX_AGE_MINUTES = 60
MAX_AGE_MINUTES = 10080


def reuse_max_age(config: Optional[dict]) -> Optional[int]:
    """Minutes a reusable result may be old, or None when the request does not ask for reuse."""
    by_age = (config or {}).get("ResultReuseByAgeConfiguration") or {}
    if not by_age.get("Enabled"):
        return None
    minutes = by_age.get("MaxAgeInMinutes", DEFAULT_MAX_AGE_MINUTES)
    if not isinstance(minutes, int) or not 0 <= minutes <= MAX_AGE_MINUTES:
        raise invalid_request(f"MaxAgeInMinutes must be between 0 and {MAX_AGE_MINUTES}, got {minutes}")
    return minutes


def _same_request(doc: dict, previous: dict) -> bool:
    def result_config(d: dict) -> dict:
        config = dict(d.get("ResultConfiguration") or {})
        config.pop("OutputLocation", None)
        return config

    def context(d: dict) -> tuple:
        ctx = d.get("QueryExecutionContext") or {}
        return (ctx.get("Database") or "").lower(), (ctx.get("Catalog") or "AwsDataCatalog").lower()

    return (previous["Query"] == doc["Query"] and previous.get("WorkGroup") == doc.get("WorkGroup")
            and context(previous) == context(doc)
            and previous.get("ExecutionParameters") == doc.get("ExecutionParameters")
            and previous["lakebox"].get("OutputDir") == doc["lakebox"].get("OutputDir")
            and result_config(previous) == result_config(doc))


def find_reusable(db: sqlite3.Connection, scope_key: str, doc: dict, max_age_minutes: int,
                  now: datetime) -> Optional[dict]:
    """The latest execution whose result `doc` may reuse, or None."""
    oldest = now - timedelta(minutes=max_age_minutes)
    rows = db.execute("SELECT doc FROM executions WHERE scope = ? AND workgroup = ? AND state = 'SUCCEEDED' "
                      "ORDER BY seq DESC", (scope_key, doc["WorkGroup"])).fetchall()
    for row in rows:
        previous = decode(row["doc"])
        if previous.get("SubstatementType") != "SELECT" or not _same_request(doc, previous):
            continue
        # A reused execution's result is as old as the run that wrote it.
        completed = previous["lakebox"].get("ResultTime") or previous["Status"].get("CompletionDateTime")
        if completed is not None and completed >= oldest:
            return previous
    return None


def reuse(doc: dict, previous: dict, now: datetime) -> None:
    """Make `doc` a finished execution that answers with `previous`'s result file."""
    doc["Status"] = {"State": "SUCCEEDED", "SubmissionDateTime": now, "CompletionDateTime": now}
    doc["StatementType"] = previous.get("StatementType", "DML")
    doc["SubstatementType"] = previous.get("SubstatementType", "SELECT")
    doc["Statistics"] = {"EngineExecutionTimeInMillis": 0, "DataScannedInBytes": 0, "TotalExecutionTimeInMillis": 0,
                         "QueryQueueTimeInMillis": 0, "ServicePreProcessingTimeInMillis": 0,
                         "QueryPlanningTimeInMillis": 0, "ServiceProcessingTimeInMillis": 0,
                         "ResultReuseInformation": {"ReusedPreviousResult": True}}
    record_output(doc, output_of(previous), None)
    doc["lakebox"].update({"ColumnInfo": copy.deepcopy(previous["lakebox"].get("ColumnInfo") or []),
                           "UpdateCount": previous["lakebox"].get("UpdateCount", 0),
                           # The same result file, so the same rows returned.
                           **{k: v for k, v in previous["lakebox"].items() if k in ("OutputRows", "OutputBytes")},
                           "ReusedFrom": previous["lakebox"].get("ReusedFrom") or previous["QueryExecutionId"],
                           "ResultTime": previous["lakebox"].get("ResultTime")
                           or previous["Status"].get("CompletionDateTime")})
