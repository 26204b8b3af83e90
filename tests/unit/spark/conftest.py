"""Fixtures for the Spark-engine unit tests: one lakebox server and one in-process SparkSession per module.

Why module-scoped: a JVM start costs seconds, and CI has two cores. The SparkSession's `s3://` paths
map onto the server's lake folder (lake_conf), so files put with boto3 are the files Spark reads, and
the server's Glue catalog is the one `awsglue` asks through AWS_ENDPOINT_URL.
"""

from __future__ import annotations

import os
import sys

import pytest

from lakebox.testing import running_lakebox

# lakebox's `awsglue` (glue_lib/ is what a Glue job's driver has on its path), importable by the tests
# whatever order their imports are sorted in.
GLUE_LIB = os.path.join(os.path.dirname(__file__), "..", "..", "..", "src", "lakebox", "engines", "spark", "glue_lib")
if os.path.abspath(GLUE_LIB) not in sys.path:
    sys.path.insert(0, os.path.abspath(GLUE_LIB))


@pytest.fixture(scope="module")
def lake_server(tmp_path_factory):
    """A lakebox server for the whole module (AWS_ENDPOINT_URL points at it while the module runs)."""
    with running_lakebox(tmp_path_factory.mktemp("lake") / "data") as server:
        yield server


@pytest.fixture(scope="module")
def spark(lake_server):
    from lakebox.engines.spark import lake_conf, unavailable_reason

    reason = unavailable_reason()
    if reason:
        pytest.skip(f"Spark cannot run here: {reason}")
    from pyspark.sql import SparkSession

    saved = {key: os.environ.get(key) for key in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    # The Python workers must be this interpreter (pyspark's default is whatever `python3` is on PATH).
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    builder = (SparkSession.builder.master("local[2]").appName("lakebox-unit-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2").config("spark.driver.host", "127.0.0.1")
               # a few rows per test: code generation and adaptive planning cost more than they save
               .config("spark.sql.codegen.wholeStage", "false").config("spark.sql.adaptive.enabled", "false")
               .config("spark.driver.bindAddress", "127.0.0.1"))
    for key, value in lake_conf(lake_server.data_dir).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
