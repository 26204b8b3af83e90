"""`Job`: a Glue job run's start (`init`) and its successful end (`commit`), which saves bookmarks.

Why it matters beyond ceremony: with `--job-bookmark-option job-bookmark-enable`, reads that name a
`transformation_ctx` skip the files earlier committed runs read, and `commit()` is what records this
run's files. A script that never commits leaves the bookmark as it was (see bookmarks.py).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

from . import bookmarks
from .utils import RESERVED_DASHED

__all__ = ["Job"]


class Job:
    @staticmethod
    def job_bookmark_options() -> list[str]:
        return ["--job-bookmark-option", *bookmarks.OPTIONS]

    @staticmethod
    def continuation_options() -> list[str]:
        return ["--continuation-option", *(RESERVED_DASHED["continuation-option"] or ())]

    @staticmethod
    def job_bookmark_range_options() -> list[str]:
        return ["--job-bookmark-from", "--job-bookmark-to"]

    @staticmethod
    def id_params() -> list[str]:
        return ["--JOB_NAME", "--JOB_ID", "--JOB_RUN_ID", "--SECURITY_CONFIGURATION"]

    @staticmethod
    def encryption_type_options() -> list[str]:
        return ["--encryption-type", "sse-s3"]

    def __init__(self, glue_context: Any):
        self._glue_context = glue_context
        self._job_name: Optional[str] = None
        self._bookmark: Optional[bookmarks.JobBookmark] = None

    def init(self, job_name: str, args: Optional[dict] = None) -> None:
        """Start the run; `args` is getResolvedOptions' result (its job_bookmark_option and JOB_RUN_ID)."""
        if self._job_name is not None:
            raise RuntimeError(f"Job {self._job_name!r} is already initialized")
        if not job_name:
            raise ValueError("Job.init needs the job's name (args['JOB_NAME'])")
        args = dict(args or {})
        option = args.get("job_bookmark_option") or _from_argv("job-bookmark-option") or bookmarks.DISABLE
        run_id = args.get("JOB_RUN_ID") or _from_argv("JOB_RUN_ID")
        path = os.environ.get(bookmarks.ENV)
        self._job_name = job_name
        self._bookmark = bookmarks.JobBookmark(path, job_name, run_id, option) if path else None
        bookmarks.activate(self._bookmark)

    def isInitialized(self) -> bool:
        return self._job_name is not None

    @property
    def name(self) -> Optional[str]:
        return self._job_name

    def commit(self) -> None:
        """End the run successfully: with bookmarks enabled, save which files this run read."""
        if self._job_name is None:
            raise RuntimeError("Job.commit() before Job.init(job_name, args)")
        if self._bookmark is not None:
            self._bookmark.commit()


def _from_argv(name: str) -> Optional[str]:
    """A `--name value` / `--name=value` from sys.argv, for a script that called init without args."""
    argv = sys.argv[1:]
    for i, token in enumerate(argv):
        if token == f"--{name}" and i + 1 < len(argv):
            return argv[i + 1]
        if token.startswith(f"--{name}="):
            return token.split("=", 1)[1]
    return None
