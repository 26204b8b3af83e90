"""The rule types about a dataset's files rather than its rows: FileFreshness, FileSize, FileUniqueness
and FileMatch, over S3 objects read from the lake.

A rule names a file or a folder (`"s3://bucket/path/"`, every object below it); without a path it
takes the evaluated table's Location, as AWS infers the files a Data Catalog table reads. Names that
engines skip (`_SUCCESS`, `.crc` files, folder markers) are not data files. The `recentFiles = n` tag
keeps the n most recently modified files.

Meanings and metrics, as the DQDL reference states them:
- FileFreshness: the share of files whose last-modified time meets the date condition (dates are
  midnight UTC, or in the `timeZone` tag's zone), `Dataset.*.FileFreshness.Compliance`, all of them or
  the threshold; `Dataset.*.FileCount`;
- FileSize: the share of files whose size (`2 MB`: binary units) meets the condition,
  `Dataset.*.FileSize.Compliance`, with `Dataset.*.FileCount`, `Dataset.*.MinimumFileSize` and
  `Dataset.*.MaximumFileSize`;
- FileUniqueness: the share of files whose content no other file has (and, with `matchFileName =
  "true"`, whose name no other file has), `Dataset.*.FileUniquenessRatio`, with `Dataset.*.FileCount`;
- FileMatch: with `in [...]` (or `=`), every file's checksum (`hashAlgorithm` MD5, SHA-1 or SHA-256,
  the default) must be one of those given (`not in`, `!=`: none of them); with two paths, both must
  hold files of the same contents (and names, with `matchFileName = "true"`). `Dataset.*.FileCount`.
A path with no files fails the rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from typing import Any, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...storage.errors import NoSuchBucketError
from .dq_conditions import Unsupported, failed_message, holds
from .dq_rules import IS_ONE, Dataset, Handler, Outcome, Rows, RuleFails, failing_on_error
from .dqdl_model import Condition, DateExpr, Number, Rule, Size, Text

_SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4}
_ALGORITHMS = {"MD5": hashlib.md5, "SHA-1": hashlib.sha1, "SHA1": hashlib.sha1, "SHA-256": hashlib.sha256,
               "SHA256": hashlib.sha256}


class LakeFiles:
    """The objects of s3:// paths in the lake, and their checksums."""

    def __init__(self, lake: Any):
        self.lake = lake

    def list(self, uri: str) -> list:
        """The data files at `uri`: the object itself, or every object below the folder."""
        bucket, _, key = uri[len("s3://"):].partition("/")
        if not uri.startswith("s3://") or not bucket:
            raise Unsupported(f"{uri} is not an S3 location (s3://bucket/path)")
        try:
            if key and not key.endswith("/"):
                found = self.lake.head_object(bucket, key)
                if found is not None:
                    return [found]
                key += "/"
            objects, marker = [], ""
            while True:
                page = self.lake.list_objects(bucket, prefix=key, start_after=marker)
                objects += page.objects
                if not page.is_truncated or not page.next_marker:
                    break
                marker = page.next_marker
        except NoSuchBucketError:
            return []
        return [o for o in objects if _is_data_file(o.key)]

    def digest(self, info, algorithm: str) -> str:
        hasher = _ALGORITHMS[algorithm]()
        with self.lake.open_object(info) as reader:
            for chunk in reader:
                hasher.update(chunk)
        return hasher.hexdigest()


def _is_data_file(key: str) -> bool:
    if key.endswith("/"):
        return False
    return not any(part.startswith(("_", ".")) for part in key.split("/")) and not key.endswith(".crc")


def _tag(rule: Rule, name: str) -> Optional[str]:
    for tag, value in rule.tags:
        if tag.lower() == name.lower():
            return value[1:-1] if value.startswith('"') and value.endswith('"') else value
    return None


def _files(rule: Rule, data: Dataset, path: Optional[str]) -> list:
    if data.files is None:
        raise Unsupported("File rules need the lake, which this evaluation has no access to")
    uri = path or data.location
    if not uri:
        raise Unsupported("Unable to parse file path from DataFrame")
    files = data.files.list(uri)
    recent = _tag(rule, "recentFiles")
    if recent is not None:
        if not recent.isdigit() or int(recent) < 1:
            raise Unsupported(f"recentFiles takes a whole number of files, not {recent}")
        files = sorted(files, key=lambda f: f.last_modified, reverse=True)[:int(recent)]
    if not files:
        raise RuleFails(f"No files found at {uri}")
    return files


def _path(rule: Rule) -> Optional[str]:
    return rule.parameters[0] if rule.parameters else None


def _share(metric: str, met: int, files: list, rule: Rule, extra: Optional[dict] = None) -> Outcome:
    ratio = met / len(files)
    metrics = {metric: ratio, "Dataset.*.FileCount": float(len(files)), **(extra or {})}
    if holds(rule.threshold or IS_ONE, ratio):
        return Outcome("PASS", None, metrics)
    return Outcome("FAIL", failed_message(ratio), metrics)


# -- FileFreshness -------------------------------------------------------------------------------------

def _moment(expr: DateExpr, now: dt.datetime, zone: dt.tzinfo) -> Optional[dt.datetime]:
    """A DQDL date as a moment: a date is its midnight, a time of day (`9:30 AM`, `21:45`) is today's
    (today in UTC), both in the zone; `now()` and `(now() - 3 hours)` are the service clock's."""
    if expr.date is not None:
        return dt.datetime.fromisoformat(expr.date).replace(tzinfo=zone)
    if expr.time is not None:
        text = expr.time.strip().upper()
        clock = dt.datetime.strptime(text, "%I:%M %p" if text.endswith(("AM", "PM")) else "%H:%M").time()
        today = _aware(now).astimezone(dt.timezone.utc).date()
        return dt.datetime.combine(today, clock, tzinfo=zone)
    if not expr.now:
        return None
    moment = now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)
    if expr.offset is not None:
        sign, duration = expr.offset
        moment += dt.timedelta(hours=duration.hours) * (1 if sign == "+" else -1)
    return moment


def _file_freshness(rule: Rule, data: Dataset, rows: Rows) -> Outcome:
    zone_name = _tag(rule, "timeZone")
    try:
        zone = ZoneInfo(zone_name) if zone_name else dt.timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        raise Unsupported(f"Unknown time zone: {zone_name}") from None
    moments = [_moment(o, data.now, zone) for o in rule.condition.operands]
    if None in moments:
        raise Unsupported("FileFreshness compares with dates, not NULL")
    stamps = [m.timestamp() for m in moments]
    if rule.condition.operator.endswith("between"):
        stamps = sorted(stamps)
    condition = Condition("NUMBER", rule.condition.operator, tuple(Number(str(s), s) for s in stamps))
    files = _files(rule, data, _path(rule))
    met = sum(1 for f in files if holds(condition, _aware(f.last_modified).timestamp()))
    return _share("Dataset.*.FileFreshness.Compliance", met, files, rule)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


# -- FileSize ------------------------------------------------------------------------------------------

def _file_size(rule: Rule, data: Dataset, rows: Rows) -> Outcome:
    def in_bytes(operand) -> Number:
        if isinstance(operand, Size):
            value = float(operand.amount * _SIZE_UNITS[operand.unit])
            return Number(str(operand), value)
        return operand
    condition = Condition("NUMBER", rule.condition.operator, tuple(in_bytes(o) for o in rule.condition.operands))
    files = _files(rule, data, _path(rule))
    sizes = [float(f.size) for f in files]
    met = sum(1 for size in sizes if holds(condition, size))
    return _share("Dataset.*.FileSize.Compliance", met, files, rule,
                  {"Dataset.*.MaximumFileSize": max(sizes), "Dataset.*.MinimumFileSize": min(sizes)})


# -- FileUniqueness ------------------------------------------------------------------------------------

def _file_uniqueness(rule: Rule, data: Dataset, rows: Rows) -> Outcome:
    files = _files(rule, data, _path(rule))
    digests = [data.files.digest(f, "SHA-256") for f in files]
    names = [posixpath.basename(f.key) for f in files]
    by_name = _tag(rule, "matchFileName") == "true"
    unique = sum(1 for i in range(len(files))
                 if digests.count(digests[i]) == 1 and (not by_name or names.count(names[i]) == 1))
    ratio = unique / len(files)
    metrics = {"Dataset.*.FileUniquenessRatio": ratio, "Dataset.*.FileCount": float(len(files))}
    if holds(rule.condition, ratio):
        return Outcome("PASS", None, metrics)
    return Outcome("FAIL", failed_message(ratio), metrics)


# -- FileMatch -----------------------------------------------------------------------------------------

def _algorithm(rule: Rule) -> str:
    name = (_tag(rule, "hashAlgorithm") or "SHA-256").upper()
    if name not in _ALGORITHMS:
        raise Unsupported(f"Unsupported hashAlgorithm {name}: use MD5, SHA-1 or SHA-256")
    return name


def _file_match(rule: Rule, data: Dataset, rows: Rows) -> Outcome:
    algorithm = _algorithm(rule)
    if rule.condition is None:
        if len(rule.parameters) != 2:
            raise Unsupported("FileMatch takes two paths to compare, or checksums: in [\"...\"]")
        return _same_files(rule, data, algorithm)
    if len(rule.parameters) > 1:
        raise Unsupported("FileMatch with checksums takes at most one path")
    if rule.condition.operator not in ("in", "not in", "=", "!="):
        raise Unsupported("FileMatch compares checksums with in, not in, = or !=")
    wanted = {o.value.lower() for o in rule.condition.operands if isinstance(o, Text)}
    files = _files(rule, data, _path(rule))
    negated = rule.condition.operator in ("not in", "!=")
    mismatched = [f for f in files if (data.files.digest(f, algorithm) in wanted) == negated]
    metrics = {"Dataset.*.FileCount": float(len(files))}
    if not mismatched:
        return Outcome("PASS", None, metrics)
    listed = ", ".join(f"s3://{f.bucket}/{f.key}" for f in mismatched[:10])
    verb = "matches one of" if negated else "does not match any of"
    return Outcome("FAIL", f"The {algorithm} checksum of {listed} {verb} the given checksums", metrics)


def _same_files(rule: Rule, data: Dataset, algorithm: str) -> Outcome:
    first, second = (_files(rule, data, path) for path in rule.parameters)
    metrics = {"Dataset.*.FileCount": float(len(first) + len(second))}

    def contents(files: list) -> list:
        if _tag(rule, "matchFileName") == "true":
            return sorted((posixpath.basename(f.key), data.files.digest(f, algorithm)) for f in files)
        return sorted(data.files.digest(f, algorithm) for f in files)
    if contents(first) == contents(second):
        return Outcome("PASS", None, metrics)
    return Outcome("FAIL", f"The files at {rule.parameters[0]} do not match the files at {rule.parameters[1]}",
                   metrics)


FILE_HANDLERS: dict[str, Handler] = {
    "FileFreshness": failing_on_error(_file_freshness),
    "FileSize": failing_on_error(_file_size),
    "FileUniqueness": failing_on_error(_file_uniqueness),
    "FileMatch": failing_on_error(_file_match),
}

__all__ = ["FILE_HANDLERS", "LakeFiles"]
