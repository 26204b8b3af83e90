"""Job bookmarks: where a job's bookmark file lives, and GetJobBookmark's / ResetJobBookmark's entry.

Why a file and not a table: the bookmark is written by the job's driver (lakebox's `awsglue` library,
`Job.commit()`), a separate process that knows nothing of lakebox's stores. The service hands the
driver the path in `LAKEBOX_GLUE_BOOKMARK_PATH`, `<data>/.lakebox/glue/bookmarks/<region>:<account>/
<job>.json`, and the library replaces that file atomically (temp file, fsync, rename) with
`{"job_name", "version", "run_id", "previous_run_id", "contexts": {...}}`. The service only reads it
(GetJobBookmark) and removes it (ResetJobBookmark).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional
from urllib.parse import quote

from .errors import entity_not_found

BOOKMARK_ENV = "LAKEBOX_GLUE_BOOKMARK_PATH"


def bookmark_path(data_dir: Path, key: str, job: str) -> Path:
    """The job's bookmark file; the job name is escaped so that any name is one plain file name."""
    name = quote(job, safe="-_ ")
    if name.startswith("."):
        name = "%2E" + name[1:]
    return Path(data_dir) / ".lakebox" / "glue" / "bookmarks" / key / f"{name}.json"


def bookmark_not_found(job: str):
    return entity_not_found(f"Continuation for job {job} not found")


def read_entry(path: Path, job: str, attempt: int = 0) -> Optional[dict]:
    """The `JobBookmarkEntry` of the bookmark file, or None when the job has none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        state = json.loads(text)
    except ValueError:
        state = {}
    if not isinstance(state, dict):
        state = {}
    version = state.get("version")
    version = version if isinstance(version, int) else 0
    entry = {"JobName": job, "Version": version, "Run": version, "Attempt": attempt, "JobBookmark": text}
    if state.get("run_id"):
        entry["RunId"] = str(state["run_id"])
    if state.get("previous_run_id"):
        entry["PreviousRunId"] = str(state["previous_run_id"])
    return entry


def remove(path: Path) -> None:
    """Forget the bookmark: the next run with bookmarks enabled reads everything again."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
