"""Job runs: StartJobRun, GetJobRun, GetJobRuns, BatchStopJobRun, GetJobBookmark, ResetJobBookmark.

Runs are in the `JobRunStore` (`<data>/.lakebox/glue/job_runs.db`) and move on the `JobRunWorker`'s
threads (job_run_worker.py): these methods only check requests and shape answers. A run's document is
built by job_run_start.py, its driver by job_run_app.py. Bookmarks are files the job's driver writes
(job_bookmarks.py); these operations read and remove them.

Not done: JobRunQueuingEnabled is echoed, but no run waits in WAITING for a free slot (a run past the
job's MaxConcurrentRuns is refused with ConcurrentRunsExceededException), and DeleteJob leaves the
job's runs and bookmark behind.

The mixin opens its store in `__init__` (cooperatively, through the provider's `super().__init__`);
the provider builds the worker, which needs the lake and the logs service, and closes both.
"""

from __future__ import annotations

from typing import Any

from ...protocol.context import RequestContext
from .common import make_token, owner_key, read_token
from .errors import invalid_input
from .job_bookmarks import bookmark_not_found, bookmark_path, read_entry, remove
from .job_run_store import JobRunStore, public
from .job_run_worker import run_not_found
from .jobs import job_not_found

#: GetJobRuns returns this many when MaxResults is not given (its most is 200).
DEFAULT_PAGE_SIZE = 100


class JobRunsMixin:
    job_store: Any
    job_runner: Any  # the JobRunWorker, built by the provider

    def __init__(self, config: Any, *args: Any, **kwargs: Any):
        super().__init__(config, *args, **kwargs)
        self.job_run_store = JobRunStore(config.data_dir / ".lakebox" / "glue" / "job_runs.db")
        self._job_data_dir = config.data_dir

    def start_job_run(self, ctx: RequestContext, params: dict) -> dict:
        run = self.job_runner.start(owner_key(ctx), params["JobName"], params)
        return {"JobRunId": run["Id"]}

    def get_job_run(self, ctx: RequestContext, params: dict) -> dict:
        key, name = owner_key(ctx), params["JobName"]
        self._existing_job(key, name)
        run = self.job_run_store.run(key, name, params["RunId"])
        if run is None:
            raise run_not_found(params["RunId"])
        view = public(run)
        if not params.get("PredecessorsIncluded"):
            view.pop("PredecessorRuns", None)
        return {"JobRun": view}

    def get_job_runs(self, ctx: RequestContext, params: dict) -> dict:
        """Newest first; the token holds the position of the last run returned, so runs started
        between two pages never shift the next one."""
        key, name = owner_key(ctx), params["JobName"]
        self._existing_job(key, name)
        before = read_token(params.get("NextToken"))
        if before is not None and not isinstance(before, int):
            raise invalid_input("Invalid pagination token.")
        limit = params.get("MaxResults") or DEFAULT_PAGE_SIZE
        rows = self.job_run_store.runs(key, name, before=before, limit=limit + 1)
        chunk = rows[:limit]
        token = make_token(chunk[-1][0]) if len(rows) > limit else None
        return {"JobRuns": [public(run) for _, run in chunk], "NextToken": token}

    def batch_stop_job_run(self, ctx: RequestContext, params: dict) -> dict:
        done, errors = self.job_runner.stop(owner_key(ctx), params["JobName"], params["JobRunIds"])
        return {"SuccessfulSubmissions": done, "Errors": errors}

    def get_job_bookmark(self, ctx: RequestContext, params: dict) -> dict:
        return {"JobBookmarkEntry": self._bookmark(owner_key(ctx), params["JobName"])}

    def reset_job_bookmark(self, ctx: RequestContext, params: dict) -> dict:
        """The entry as it was; the next run with bookmarks enabled processes everything again."""
        key, name = owner_key(ctx), params["JobName"]
        entry = self._bookmark(key, name)
        remove(bookmark_path(self._job_data_dir, key, name))
        return {"JobBookmarkEntry": entry}

    # -- helpers -------------------------------------------------------------------------------------

    def _existing_job(self, key: str, name: str) -> dict:
        job = self.job_store.get_job(key, name)
        if job is None:
            raise job_not_found(name)
        return job

    def _bookmark(self, key: str, name: str) -> dict:
        self._existing_job(key, name)
        entry = read_entry(bookmark_path(self._job_data_dir, key, name), name)
        if entry is None:
            raise bookmark_not_found(name)
        run = self.job_run_store.run(key, name, entry["RunId"]) if entry.get("RunId") else None
        if run is not None:
            entry["Attempt"] = run["Attempt"]
        return entry
