"""Group the failures of an s3-tests run by cause, so the most common ones get fixed first.

    python3 tools/s3tests_report.py OUT_DIR [--scope FILE] [--top 15]

OUT_DIR is a results folder of run-s3-tests.sh (junit.xml). A cause is the failure's first `E` line
with run-specific noise (bucket names, ids, numbers in quotes) masked; AWS error codes and operation
names are kept, because they say what to fix. Prints markdown: counts, then one row per cause with
its count and an example test and the assertion line it failed on.
"""

from __future__ import annotations

import argparse
import collections
import re
import xml.etree.ElementTree as ET
from pathlib import Path

CLIENT_ERROR = re.compile(r"An error occurred \((\w+)\) when calling the (\w+) operation")
NOISE = [
    (re.compile(r"s3t-[a-z0-9-]+"), "<bucket>"),
    (re.compile(r"0x[0-9a-f]+"), "<addr>"),
    (re.compile(r"'[0-9a-f]{16,}(-\d+)?'"), "'<hex>'"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<md5>"),
    (re.compile(r"\b\d{5,}\b"), "<n>"),
]


def load(junit: Path) -> dict[str, tuple[str, str]]:
    """node id -> (status, failure text)."""
    out: dict[str, tuple[str, str]] = {}
    for tc in ET.parse(junit).getroot().iter("testcase"):
        tid = f"{tc.get('classname', '').replace('.', '/')}.py::{tc.get('name')}"
        bad = tc.find("failure") if tc.find("failure") is not None else tc.find("error")
        if tc.find("skipped") is not None:
            status, text = "skipped", ""
        elif bad is not None:
            status, text = "failed", f"{bad.get('message', '')}\n{bad.text or ''}"
        else:
            status, text = "passed", ""
        if out.get(tid, ("",))[0] != "failed":  # a teardown error after a pass counts as a failure
            out[tid] = (status, text)
    return out


def cause(text: str) -> tuple[str, str]:
    """(cause key, the source line that failed)."""
    e_lines = [l[1:].strip() for l in text.splitlines() if l.startswith("E ")]
    src = [l[1:].strip() for l in text.splitlines() if l.startswith(">")]
    where = src[-1] if src else ""
    m = CLIENT_ERROR.search(text)
    if m and not any(l.startswith("assert") for l in e_lines[:1]):
        key = f"ClientError {m.group(1)} on {m.group(2)}"
    elif e_lines:
        key = e_lines[0]
        for rx, repl in NOISE:
            key = rx.sub(repl, key)
        if key.startswith(("AssertionError", "assert")) and where:
            key = f"{key}   [at: {where[:90]}]"
    else:
        key = (text.strip().splitlines() or ["(no message)"])[0]
    return key[:200], where


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--scope", help="only count these node ids (one a line)")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    results = load(Path(args.out) / "junit.xml")
    if args.scope:
        scope = {l.split("#")[0].strip() for l in open(args.scope)} - {""}
        missing = sorted(scope - set(results))
        results = {t: r for t, r in results.items() if t in scope}
    else:
        scope, missing = set(results), []
    counts = collections.Counter(status for status, _ in results.values())
    total = len(scope)
    print(f"## s3-tests: {counts['passed']} of {total} passed "
          f"({100 * counts['passed'] / max(total, 1):.1f}%), {counts['failed']} failed, "
          f"{counts['skipped']} skipped, {len(missing)} not run\n")
    groups: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for tid, (status, text) in sorted(results.items()):
        if status == "failed":
            key, where = cause(text)
            groups[key].append((tid, where))
    print("| # | failures | cause | example |\n|---:|---:|---|---|")
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for i, (key, tests) in enumerate(ranked[: args.top], 1):
        print(f"| {i} | {len(tests)} | `{key.replace('|', '/')}` | {tests[0][0].split('::')[-1]} |")
    rest = sum(len(t) for _, t in ranked[args.top:])
    if rest:
        print(f"\n{rest} more failures in {len(ranked) - args.top} smaller groups.")
    if missing:
        print("\nNot run (not collected):\n" + "\n".join(f"- {m}" for m in missing[:20]))
    print("\n### All failures by cause\n")
    for key, tests in ranked:
        print(f"- **{len(tests)}** `{key}`")
        for tid, _ in tests:
            print(f"  - {tid.split('::')[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
