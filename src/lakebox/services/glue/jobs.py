"""Job definitions: CreateJob, GetJob, GetJobs, ListJobs, BatchGetJobs, UpdateJob, DeleteJob.

Only definitions, kept in the `JobStore` (`<data>/.lakebox/glue/jobs.db`): running them (StartJobRun,
GetJobRun(s), BatchStopJobRun, the bookmarks) is job_runs.py's, on the Spark engine. The document is built and checked by job_definition.py; a job's tags
(CreateJob's `Tags`, TagResource on `arn:aws:glue:<region>:<account>:job/<name>`) are in the catalog
store's `tags`, like every Glue resource's.

The mixin opens its store in `__init__` (cooperatively, through the provider's `super().__init__`);
the provider closes it with the others.
"""

from __future__ import annotations

from typing import Any

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import owner_key, page, resource_arn
from .errors import entity_not_found
from .job_definition import definition_of, new_job, updated_job
from .jobs_store import JobStore
from .store import CatalogStore
from .tags import forget_tags, put_tags

#: GetJobs and ListJobs return this many when MaxResults is not given.
DEFAULT_PAGE_SIZE = 100


def job_not_found(name: str) -> AwsError:
    return entity_not_found(f"Job {name} not found.")


class JobsMixin:
    store: CatalogStore
    clock: ServiceClock

    def __init__(self, config: Any, *args: Any, **kwargs: Any):
        super().__init__(config, *args, **kwargs)
        self.job_store = JobStore(config.data_dir / ".lakebox" / "glue" / "jobs.db")

    def create_job(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        doc = new_job(params, self.clock.now())
        with self.job_store.write() as db:
            old = self.job_store.load_job(db, key, doc["Name"])
            if old is not None:
                # Glue treats a repeated identical CreateJob as a retry; a different one is refused.
                if definition_of(old) == definition_of(doc):
                    return {"Name": old["Name"]}
                raise AwsError("IdempotentParameterMismatchException",
                               f"Job {doc['Name']} already exists with a different definition.", 400)
            self.job_store.put_job(db, key, doc)
        if params.get("Tags"):
            with self.store.write() as db:
                put_tags(db, resource_arn(ctx, "job/" + doc["Name"]), params["Tags"])
        return {"Name": doc["Name"]}

    def get_job(self, ctx: RequestContext, params: dict) -> dict:
        doc = self.job_store.get_job(owner_key(ctx), params["JobName"])
        if doc is None:
            raise job_not_found(params["JobName"])
        return {"Job": doc}

    def get_jobs(self, ctx: RequestContext, params: dict) -> dict:
        docs = [(doc["Name"], doc) for doc in self.job_store.jobs(owner_key(ctx))]
        chunk, token = page(docs, params.get("NextToken"), params.get("MaxResults"), DEFAULT_PAGE_SIZE)
        return {"Jobs": chunk, "NextToken": token}

    def list_jobs(self, ctx: RequestContext, params: dict) -> dict:
        names = [doc["Name"] for doc in self.job_store.jobs(owner_key(ctx))]
        wanted = params.get("Tags")
        if wanted:
            tags = self._job_tags(ctx)
            names = [n for n in names if all(tags.get(n, {}).get(k) == v for k, v in wanted.items())]
        chunk, token = page([(n, n) for n in names], params.get("NextToken"), params.get("MaxResults"),
                            DEFAULT_PAGE_SIZE)
        return {"JobNames": chunk, "NextToken": token}

    def batch_get_jobs(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        found, missing = [], []
        for name in params["JobNames"]:
            doc = self.job_store.get_job(key, name)
            (found.append(doc) if doc is not None else missing.append(name))
        return {"Jobs": found, "JobsNotFound": missing}

    def update_job(self, ctx: RequestContext, params: dict) -> dict:
        key, name = owner_key(ctx), params["JobName"]
        with self.job_store.write() as db:
            old = self.job_store.load_job(db, key, name)
            if old is None:
                raise job_not_found(name)
            self.job_store.put_job(db, key, updated_job(old, params["JobUpdate"], self.clock.now()))
        return {"JobName": name}

    def delete_job(self, ctx: RequestContext, params: dict) -> dict:
        # Glue documents that deleting a job that does not exist is not an error.
        name = params["JobName"]
        with self.job_store.write() as db:
            self.job_store.delete_job(db, owner_key(ctx), name)
        with self.store.write() as db:
            forget_tags(db, resource_arn(ctx, f"job/{name}"))
        return {"JobName": name}

    def _job_tags(self, ctx: RequestContext) -> dict[str, dict[str, str]]:
        """Every job's tags in the account and region, by job name, in one read."""
        prefix = resource_arn(ctx, "job/")
        rows = self.store.read("SELECT arn, key, value FROM tags WHERE substr(arn, 1, ?) = ?",
                               (len(prefix), prefix))
        tags: dict[str, dict[str, str]] = {}
        for row in rows:
            tags.setdefault(row["arn"][len(prefix):], {})[row["key"]] = row["value"]
        return tags
