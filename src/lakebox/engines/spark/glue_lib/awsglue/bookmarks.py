"""Job bookmarks: which S3 files each `transformation_ctx` has already read in committed runs.

Why a file named by the environment: the Glue service of the lakebox server owns a job's bookmark
(GetJobBookmark, ResetJobBookmark read and reset it) and passes its path to the driver as
LAKEBOX_GLUE_BOOKMARK_PATH; without that variable bookmarks are off. The driver reads it when the job
starts and rewrites it only on `Job.commit()` (temp file, fsync, rename), so a run that fails before
committing leaves the previous bookmark in force, as on AWS. The file's content:

    {"job_name": ..., "version": <+1 per commit>, "run_id": ..., "previous_run_id": ...,
     "contexts": {"<transformation_ctx>": {"files": {"<s3 uri>": <mtime in epoch ms>}}}}

A file counts as read when its URI is listed with the same or a later modification time, so a file
rewritten after the run is read again (Glue compares S3's last-modified times the same way).
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Optional

ENV = "LAKEBOX_GLUE_BOOKMARK_PATH"
ENABLE, DISABLE, PAUSE = "job-bookmark-enable", "job-bookmark-disable", "job-bookmark-pause"
OPTIONS = (ENABLE, DISABLE, PAUSE)

File = tuple[str, int]


class JobBookmark:
    """The bookmark of one run: the saved state, and what this run has read since it started."""

    def __init__(self, path: str, job_name: str, run_id: Optional[str], option: str):
        if option not in OPTIONS:
            raise ValueError(f"Invalid job bookmark option {option!r}: use one of {', '.join(OPTIONS)}")
        self.path, self.job_name, self.run_id, self.option = path, job_name, run_id, option
        self.saved = load(path)
        self.pending: dict[str, dict[str, int]] = {}

    def unread(self, ctx: str, files: list[File]) -> list[File]:
        """The files `ctx` has not read in a committed run (all of them when bookmarks are disabled)."""
        if not ctx or self.option == DISABLE:
            return files
        seen = self.saved.get("contexts", {}).get(ctx, {}).get("files", {})
        return [(uri, mtime) for uri, mtime in files if uri not in seen or mtime > seen[uri]]

    def saw(self, ctx: str, files: list[File]) -> None:
        if ctx and self.option == ENABLE:
            self.pending.setdefault(ctx, {}).update(dict(files))

    def commit(self) -> bool:
        """Save what this run read; False (and nothing written) unless bookmarks are enabled."""
        if self.option != ENABLE:
            return False
        contexts = {ctx: {"files": dict(entry.get("files", {}))}
                    for ctx, entry in self.saved.get("contexts", {}).items()}
        for ctx, files in self.pending.items():
            contexts.setdefault(ctx, {"files": {}})["files"].update(files)
        state = {"job_name": self.job_name, "version": int(self.saved.get("version", 0)) + 1,
                 "run_id": self.run_id, "previous_run_id": self.saved.get("run_id"), "contexts": contexts}
        save(self.path, state)
        self.saved, self.pending = state, {}
        return True


def load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}
    if not text.strip():
        return {}
    try:
        state = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"The job bookmark file {path} is not valid JSON ({exc}); reset the job's bookmark") from exc
    if not isinstance(state, dict):
        raise ValueError(f"The job bookmark file {path} does not hold a JSON object; reset the job's bookmark")
    return state


def save(path: str, state: dict) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, staged = tempfile.mkstemp(prefix=".bookmark-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(state, out, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(staged, path)
    except BaseException:
        if os.path.exists(staged):
            os.unlink(staged)
        raise
    try:  # the rename itself survives a crash only once the folder is synced
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


_active: Optional[JobBookmark] = None


def activate(bookmark: Optional[JobBookmark]) -> None:
    """Make `bookmark` the one reads consult (Job.init does this)."""
    global _active
    _active = bookmark


def current() -> Optional[JobBookmark]:
    return _active


def unread(ctx: str, files: list[File]) -> list[File]:
    return _active.unread(ctx, files) if _active is not None else files


def saw(ctx: str, files: list[File]) -> None:
    if _active is not None:
        _active.saw(ctx, files)
