"""The lake file system for Spark: `s3://bucket/key` paths on the lake folder, no hadoop-aws jar.

LakeFileSystem.java (next to this module) is compiled once with `javac` against pyspark's bundled
hadoop-client-api jar and kept in a user cache folder, keyed by the source's and pyspark's hashes,
so a new data folder or a new test server does not compile it again. `lake_conf` is the Spark
configuration that puts it under the s3, s3a and s3n schemes: the launcher passes it to every
driver, and tests that build a SparkSession in-process use it too.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
import zipfile
from pathlib import Path

from .java_runtime import SparkUnavailable, javac, spark_home

SOURCE = Path(__file__).with_name("LakeFileSystem.java")
CLASS_NAME = "lakebox.hadoop.LakeFileSystem"
SCHEMES = ("s3", "s3a", "s3n")

_compile_lock = threading.Lock()


def cache_dir() -> Path:
    """Where compiled helpers live: $LAKEBOX_CACHE, else $XDG_CACHE_HOME/lakebox, else ~/.cache/lakebox."""
    explicit = os.environ.get("LAKEBOX_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lakebox"


def _hadoop_api_jar() -> Path:
    jars = sorted((spark_home() / "jars").glob("hadoop-client-api-*.jar"))
    if not jars:
        raise SparkUnavailable(f"pyspark at {spark_home()} has no hadoop-client-api jar")
    return jars[-1]


def filesystem_jar() -> Path:
    """The compiled LakeFileSystem jar, built on first use."""
    api_jar = _hadoop_api_jar()
    digest = hashlib.sha256(SOURCE.read_bytes() + api_jar.name.encode()).hexdigest()[:16]
    jar = cache_dir() / "spark" / f"lakebox-fs-{digest}.jar"
    if jar.is_file():
        return jar
    with _compile_lock:
        if jar.is_file():
            return jar
        jar.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=jar.parent) as work:
            result = subprocess.run([javac(), "--release", "8", "-nowarn", "-cp", str(api_jar), "-d", work,
                                     str(SOURCE)], capture_output=True, text=True, timeout=300)
            if result.returncode != 0:
                raise SparkUnavailable(f"compiling the lake file system failed: {result.stderr.strip()[-2000:]}")
            staged = Path(work) / "fs.jar"
            with zipfile.ZipFile(staged, "w") as archive:
                for folder, _, files in os.walk(work):
                    for name in files:
                        if name.endswith(".class"):
                            path = os.path.join(folder, name)
                            archive.write(path, os.path.relpath(path, work))
            # Another process may have won the race: a rename over its jar is harmless (same bytes).
            os.replace(staged, jar)
    return jar


def lake_conf(data_dir: Path) -> dict[str, str]:
    """Spark conf mapping s3://, s3a:// and s3n:// onto `<data_dir>/s3/`, and writing like S3 committers do."""
    conf = {
        "spark.driver.extraClassPath": str(filesystem_jar()),
        "spark.executor.extraClassPath": str(filesystem_jar()),
        "spark.hadoop.fs.lakebox.root": str(Path(data_dir).absolute() / "s3"),
        # No _SUCCESS marker files among the data that crawlers and Athena read.
        "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
        "spark.hadoop.mapreduce.outputcommitter.factory.scheme.s3a":
            "org.apache.hadoop.mapreduce.lib.output.FileOutputCommitterFactory",
    }
    for scheme in SCHEMES:
        conf[f"spark.hadoop.fs.{scheme}.impl"] = CLASS_NAME
        conf[f"spark.hadoop.fs.{scheme}.impl.disable.cache"] = "true"
    return conf


def remove_cached_jars() -> None:
    """Forget compiled jars (for a clean rebuild)."""
    shutil.rmtree(cache_dir() / "spark", ignore_errors=True)
