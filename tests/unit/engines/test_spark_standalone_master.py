"""Drivers submitted to a Spark standalone cluster instead of local[*] (`lakebox serve --spark-master`).

A master and one worker are started from pyspark's own distribution on this machine; the driver's
tasks then run in the worker's executor, which reaches the lake through the same file system class
(on the executors' class path), so what they write lands in the bucket folder. The master's own
status page must list the application as completed: proof that the cluster, not local[*], ran it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import textwrap
import time
import urllib.request
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lakebox.engines.spark import SparkApp, SparkLauncher, unavailable_reason
from lakebox.engines.spark.java_runtime import spark_home

needs_java = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))

DRIVER = textwrap.dedent('''
    import json
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.getOrCreate()
    rows = spark.sparkContext.parallelize(range(40), 4).map(lambda i: (i, "k%d" % (i % 2)))
    spark.createDataFrame(rows, ["id", "part"]).write.partitionBy("part").parquet("s3://lake/cluster/items/")
    back = spark.read.parquet("s3://lake/cluster/items/")
    executors = spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size()
    print("RESULT " + json.dumps({"master": spark.sparkContext.master, "count": back.count(),
                                  "executors": executors}))
''')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, ready, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                status = json.loads(response.read())
            if ready(status):
                return status
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} not ready in {timeout} s")
        time.sleep(0.5)


@pytest.fixture
def standalone(tmp_path):
    """A Spark standalone master and one worker (1 core, 1 GiB) on 127.0.0.1; yields (master URL, status URL)."""
    port, ui = _free_port(), _free_port()
    spark_class = str(spark_home() / "bin" / "spark-class")
    env = {**os.environ, "SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_WORKER_DIR": str(tmp_path / "work"), "SPARK_LOG_DIR": str(tmp_path / "logs")}
    logs = [open(tmp_path / name, "wb") for name in ("master.log", "worker.log")]
    processes = [subprocess.Popen([spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                                   "--port", str(port), "--webui-port", str(ui)], env=env, stdout=logs[0],
                                  stderr=subprocess.STDOUT, start_new_session=True)]
    status = f"http://127.0.0.1:{ui}/json/"
    try:
        _wait_for(status, lambda s: s.get("status") == "ALIVE")
        processes.append(subprocess.Popen([spark_class, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                                           "--cores", "1", "--memory", "1g", "--webui-port", str(_free_port()),
                                           f"spark://127.0.0.1:{port}"], env=env, stdout=logs[1],
                                          stderr=subprocess.STDOUT, start_new_session=True))
        _wait_for(status, lambda s: s.get("aliveworkers", 0) >= 1)
        yield f"spark://127.0.0.1:{port}", status
    finally:
        for process in reversed(processes):
            try:
                os.killpg(process.pid, 9)
            except ProcessLookupError:
                pass
            process.wait(30)
        for log in logs:
            log.close()


def test_the_master_comes_from_the_environment_and_reaches_spark_submit(tmp_path, monkeypatch):
    from lakebox.config import Config
    from lakebox.engines.spark import lake_conf

    monkeypatch.setenv("LAKEBOX_SPARK_MASTER", "spark://10.0.0.5:7077")
    assert Config(data_dir=tmp_path).spark_master == "spark://10.0.0.5:7077"
    monkeypatch.delenv("LAKEBOX_SPARK_MASTER")
    assert Config(data_dir=tmp_path).spark_master == "local[*]"
    if unavailable_reason() is not None:
        return  # building the command needs the lake file system's jar, which needs a JDK
    launcher = SparkLauncher(tmp_path, "http://127.0.0.1:1", master="spark://10.0.0.5:7077")
    command = launcher._spark_command(SparkApp(name="n", script="job.py", conf={
        "spark.executor.extraClassPath": "/opt/extra.jar"}))
    confs = dict(command[i + 1].split("=", 1) for i, word in enumerate(command) if word == "--conf")
    assert confs["spark.master"] == "spark://10.0.0.5:7077"
    jar = lake_conf(tmp_path)["spark.driver.extraClassPath"]
    assert confs["spark.executor.extraClassPath"] == f"{jar}:/opt/extra.jar"


@needs_java
def test_a_driver_runs_on_the_standalone_cluster_and_writes_the_lake(tmp_path, standalone):
    master, status_url = standalone
    data = tmp_path / "data"
    (data / "s3" / "lake").mkdir(parents=True)
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    launcher = SparkLauncher(data, "http://127.0.0.1:1", master=master)
    process = launcher.start(SparkApp(name="on-the-cluster", script=str(script), log_dir=str(tmp_path / "run")))
    code = process.wait(300)
    stdout = Path(process.stdout_path).read_text()
    assert code == 0, stdout[-3000:] + Path(process.stderr_path).read_text()[-3000:]
    result = json.loads(next(line for line in stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert result["master"] == master
    assert result["count"] == 40
    assert result["executors"] >= 2  # the driver's block manager and the worker's executor
    files = sorted((data / "s3" / "lake" / "cluster" / "items").rglob("*.parquet"))
    assert {f.parent.name for f in files} == {"part=k0", "part=k1"}
    assert sum(pq.read_table(f).num_rows for f in files) == 40
    completed = _wait_for(status_url, lambda s: s.get("completedapps"))["completedapps"]
    assert [app["name"] for app in completed] == ["on-the-cluster"]
