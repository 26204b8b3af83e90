"""`getResolvedOptions`: the job arguments a Glue script asks for, as AWS documents it.

Why a parser of our own and not argparse: Glue passes arguments as `--NAME value` (and users write
`--NAME=value`); values such as `-1` or `--` prefixed strings must not be mistaken for options, and
argparse's abbreviation matching (`--in` for `--input_path`) is a trap AWS users hit. The observable
contract is AWS's: the names asked for are required, the result maps each name (without dashes) to
its value, Glue's reserved arguments (`--job-bookmark-option`, `--JOB_RUN_ID`, `--TempDir`, ...) are
always present in the result, and the reserved names with a dash cannot be asked for.
"""

from __future__ import annotations

from typing import Iterable, Optional

__all__ = ["GlueArgumentError", "getResolvedOptions"]

#: Reserved arguments with a dash, and the values each accepts (None: any value).
RESERVED_DASHED: dict[str, Optional[tuple[str, ...]]] = {
    "job-bookmark-option": ("job-bookmark-enable", "job-bookmark-disable", "job-bookmark-pause"),
    "continuation-option": ("continuation-enabled", "continuation-readonly", "continuation-ignore"),
    "job-bookmark-from": None,
    "job-bookmark-to": None,
    "encryption-type": ("sse-s3",),
}
#: Arguments Glue passes to every run; always in the result (None when absent).
RESERVED_PLAIN = ("JOB_ID", "JOB_RUN_ID", "SECURITY_CONFIGURATION", "TempDir", "RedshiftTempDir")

#: How continuation options (the older name of bookmarks) translate to bookmark options.
_CONTINUATION_TO_BOOKMARK = {
    "continuation-enabled": "job-bookmark-enable",
    "continuation-readonly": "job-bookmark-pause",
    "continuation-ignore": "job-bookmark-disable",
}


class GlueArgumentError(Exception):
    """A job argument is missing, has no value, or has a value Glue does not accept."""


def _scan(argv: Iterable[str]) -> dict[str, Optional[str]]:
    """Every `--NAME value` / `--NAME=value` in argv (the last one wins); None for a name with no value."""
    found: dict[str, Optional[str]] = {}
    tokens = list(argv)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if not token.startswith("--") or token == "--":
            continue
        name = token[2:]
        if "=" in name:
            name, value = name.split("=", 1)
            found[name] = value
        elif i < len(tokens) and not (tokens[i].startswith("--") and len(tokens[i]) > 2):
            found[name] = tokens[i]
            i += 1
        else:
            found[name] = None
    return found


def _value(found: dict[str, Optional[str]], name: str) -> Optional[str]:
    if name in found and found[name] is None:
        raise GlueArgumentError(f"argument --{name}: expected one argument")
    return found.get(name)


def getResolvedOptions(args: list[str], options: list[str]) -> dict[str, Optional[str]]:
    """The values of the arguments named in `options` (each required), plus Glue's reserved ones.

    `args` is `sys.argv` (its first element, the script, is skipped). Keys have no leading dashes;
    the dashed reserved names come back with underscores (`job_bookmark_option`).
    """
    for option in options:
        if option in RESERVED_DASHED:
            raise GlueArgumentError(f"Using reserved arguments {option}")
    found = _scan(args[1:])
    resolved: dict[str, Optional[str]] = {}
    for name, choices in RESERVED_DASHED.items():
        value = _value(found, name)
        if value is not None and choices is not None and value not in choices:
            raise GlueArgumentError(f"argument --{name}: invalid choice: {value!r} "
                                    f"(choose from {', '.join(repr(c) for c in choices)})")
        resolved[name.replace("-", "_")] = value
    continuation = resolved.pop("continuation_option")
    if resolved["job_bookmark_option"] is None:
        resolved["job_bookmark_option"] = _CONTINUATION_TO_BOOKMARK.get(continuation or "", "job-bookmark-disable")
    for name in RESERVED_PLAIN:
        resolved[name] = _value(found, name)
    missing = []
    for option in options:
        value = _value(found, option)
        if value is None:
            if option in RESERVED_PLAIN:
                continue  # TempDir and friends: asked for or not, absent is None (as on AWS)
            missing.append(f"--{option}")
        resolved[option.replace("-", "_")] = value
    if missing:
        raise GlueArgumentError(f"the following arguments are required: {', '.join(missing)}")
    return resolved
