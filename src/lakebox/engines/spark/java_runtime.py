"""Finding Java and pyspark: what a Spark driver needs before it can start.

Why a module of its own: every caller (the launcher, the lake file system's compile step, `lakebox
serve`'s health report) asks the same two questions, and a missing JDK must be reported once, in
words a user can act on, instead of as a JVM stack trace from inside a job.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Optional

INSTALL_HINT = ("install a Java 17 JDK (Debian/Ubuntu: `apt-get install openjdk-17-jdk-headless`) "
                "or set JAVA_HOME to one")


class SparkUnavailable(RuntimeError):
    """Spark cannot run on this machine; the message says why and what to install."""


def _java_tool(name: str) -> Optional[str]:
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = os.path.join(home, "bin", name)
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


@functools.lru_cache(maxsize=None)
def java_version() -> Optional[int]:
    """The major version of the `java` found (JAVA_HOME first, then PATH), or None."""
    java = _java_tool("java")
    if java is None:
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def javac() -> str:
    """The `javac` that compiles the lake file system; SparkUnavailable when there is none."""
    tool = _java_tool("javac")
    if tool is None:
        raise SparkUnavailable(f"javac was not found: {INSTALL_HINT}")
    return tool


def spark_home() -> Path:
    """pyspark's folder, which is a Spark distribution (bin/spark-submit, jars/)."""
    try:
        import pyspark
    except ImportError as exc:
        raise SparkUnavailable(f"pyspark is not installed ({exc}): run `pip install -e .` in lakebox's folder") from exc
    return Path(pyspark.__file__).parent


@functools.lru_cache(maxsize=None)
def unavailable_reason() -> Optional[str]:
    """None when Java and pyspark can run a Spark driver, else the reason and what to do."""
    version = java_version()
    if version is None:
        return f"Java was not found: {INSTALL_HINT}"
    if version not in (8, 11, 17, 21):
        return f"Java {version} is not a version Spark 3.5 runs on (8, 11, 17 or 21): {INSTALL_HINT}"
    try:
        spark_home()
        javac()
    except SparkUnavailable as exc:
        return str(exc)
    return None


def status() -> str:
    """One line for `/_lakebox/health`: what Spark runs on, or why it cannot run."""
    reason = unavailable_reason()
    if reason:
        return f"unavailable: {reason}"
    import pyspark

    return f"ready: pyspark {pyspark.__version__} on Java {java_version()}"
