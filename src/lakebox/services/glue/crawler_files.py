"""Which files a crawl reads: the S3 target's objects, less Exclusions, and SampleSize per leaf folder.

Exclusions are AWS's glob patterns, matched against the key relative to the target path:
`*` any characters within one folder level, `**` any characters across levels, `?` one character,
`[abc]`/`[a-z]`/`[!a-c]` a class, `{a,b}` alternatives, and `\\` escapes the next character.

Files that the Hive tools ignore are skipped as lakebox's own choice, the way Athena skips them:
names starting with `_` or `.` (`_SUCCESS`, `_temporary/...`, `.crc`), `$folder$` markers and empty
"folder" keys ending in `/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...storage import errors as st

_PAGE = 1000


class TargetError(Exception):
    """A target that cannot be crawled (the message says why, for LastCrawl.ErrorMessage)."""


@dataclass(frozen=True)
class TargetFile:
    key: str
    size: int
    #: The key's folder, ending in `/` ('' for a file at the bucket root).
    folder: str


def split_s3_path(path: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix/` -> ("bucket", "some/prefix/"); the prefix ends in `/` unless empty."""
    if not path.lower().startswith("s3://"):
        raise ValueError(f"{path} is not an s3:// path")
    bucket, _, prefix = path[5:].partition("/")
    if not bucket:
        raise ValueError(f"{path} names no bucket")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return bucket, prefix


def glob_regex(pattern: str) -> re.Pattern[str]:
    """AWS's exclusion glob as a regular expression matched against the whole relative key."""
    out: list[str] = []
    i = 0
    depth = 0  # inside {...}
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if c == "*":
            if pattern.startswith("**", i):
                # `**/` also matches no folder at all, so `**/x` excludes a top-level `x` too.
                if pattern.startswith("**/", i):
                    out.append("(?:.*/)?")
                    i += 3
                else:
                    out.append(".*")
                    i += 2
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern.startswith("[!", i) else i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end + 1
                continue
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        raise ValueError(f"unbalanced braces in exclusion pattern {pattern!r}")
    return re.compile("".join(out), re.DOTALL)


def excluded(relative_key: str, patterns: list[re.Pattern[str]]) -> bool:
    """True if the key, or one of its folders (`a/b/` for `a/b/c.json`), matches a pattern."""
    if any(p.fullmatch(relative_key) for p in patterns):
        return True
    parts = relative_key.split("/")[:-1]
    for n in range(1, len(parts) + 1):
        folder = "/".join(parts[:n])
        if any(p.fullmatch(folder) or p.fullmatch(folder + "/") for p in patterns):
            return True
    return False


def ignored(key: str) -> bool:
    if key.endswith(("/", "$folder$")):
        return True
    return any(segment.startswith(("_", ".")) for segment in key.split("/") if segment)


def target_files(lake: Any, path: str, exclusions: list[str] | None = None) -> Iterator[TargetFile]:
    """Every crawlable file under the target, in key order; TargetError if the bucket is missing."""
    try:
        bucket, prefix = split_s3_path(path)
    except ValueError as exc:
        raise TargetError(str(exc)) from None
    try:
        patterns = [glob_regex(p) for p in exclusions or []]
    except ValueError as exc:
        raise TargetError(str(exc)) from None
    after = ""
    while True:
        try:
            page = lake.list_objects(bucket, prefix=prefix, start_after=after, max_keys=_PAGE)
        except st.NoSuchBucketError:
            raise TargetError(f"S3 target {path} cannot be crawled: the bucket {bucket} does not exist") from None
        except st.InvalidBucketNameError:
            raise TargetError(f"S3 target {path} cannot be crawled: {bucket} is not a valid bucket name") from None
        for info in page.objects:
            relative = info.key[len(prefix):]
            if info.is_delete_marker or ignored(relative) or excluded(relative, patterns):
                continue
            folder = info.key[:info.key.rfind("/") + 1]
            yield TargetFile(info.key, info.size, folder)
        if not page.is_truncated or not page.objects:
            return
        after = page.next_marker or page.objects[-1].key


def sample(files: list[TargetFile], sample_size: int | None) -> set[str]:
    """The keys to read: the first `sample_size` files of each leaf folder (all files without one)."""
    if not sample_size:
        return {f.key for f in files}
    taken: dict[str, int] = {}
    keys = set()
    for f in files:
        if taken.get(f.folder, 0) < sample_size:
            taken[f.folder] = taken.get(f.folder, 0) + 1
            keys.add(f.key)
    return keys
