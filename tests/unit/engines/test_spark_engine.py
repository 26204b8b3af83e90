"""The Spark engine: drivers started with spark-submit, and s3:// paths on the lake folder.

One real driver run (module-scoped, one JVM) checks the lake file system from inside Spark: writes
land as plain files under `<data>/s3/<bucket>/`, with no .crc or _SUCCESS files; every path Spark
sees is an s3 path; a missing bucket is NoSuchBucket; `..` cannot leave the bucket. The rest needs
no JVM: plain-Python drivers, stopping, and reading a failure's summary.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
import time

import pyarrow.parquet as pq
import pytest

from lakebox.engines.spark import SparkApp, SparkLauncher, error_summary, lake_conf, unavailable_reason

DRIVER = textwrap.dedent('''
    import json, sys
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.getOrCreate()
    out = {"master": spark.sparkContext.master, "args": sys.argv[1:]}
    df = spark.createDataFrame([(i, "k%d" % (i % 3)) for i in range(30)], ["id", "part"])
    df.write.mode("overwrite").partitionBy("part").parquet("s3://lake/silver/items/")
    back = spark.read.parquet("s3a://lake/silver/items")
    out["count"] = back.count()
    out["parts"] = sorted(r.part for r in back.select("part").distinct().collect())
    out["input_files"] = sorted(back.inputFiles())
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path("s3n://lake/silver/items/")
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    out["listing"] = sorted(str(s.getPath()) for s in fs.listStatus(path))
    files, found = fs.listFiles(path, True), []
    while files.hasNext():
        status = files.next()
        found.append([str(status.getPath()), status.getLen(), str(status.getPermission())])
    out["recursive"] = sorted(found)
    spark.read.text("s3://lake/raw/notes.txt").write.mode("overwrite").text("s3://lake/raw-copy/")
    for name, target in (("missing_bucket", "s3://no-such-bucket/x/"), ("escape", "s3://lake/../other/x")):
        try:
            spark.read.parquet(target).count()
            out[name] = "read"
        except Exception as exc:
            out[name] = str(exc)
    print("RESULT " + json.dumps(out))
''')


pytestmark = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))


@pytest.fixture(scope="module")
def spark_run(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    (data / "s3" / "lake" / "raw").mkdir(parents=True)
    (data / "s3" / "other").mkdir(parents=True)
    (data / "s3" / "lake" / "raw" / "notes.txt").write_text("first line\nsecond line\n")
    script = data / "driver.py"
    script.write_text(DRIVER)
    launcher = SparkLauncher(data, "http://127.0.0.1:1")
    process = launcher.start(SparkApp(name="engine-test", script=str(script), args=["--input", "s3://lake/raw/"],
                                      log_dir=str(data / "run")))
    code = process.wait(300)
    stdout = open(process.stdout_path).read()
    assert code == 0, stdout[-3000:] + open(process.stderr_path).read()[-3000:]
    result = json.loads(next(line for line in stdout.splitlines() if line.startswith("RESULT "))[7:])
    return data, result


def test_a_driver_runs_locally_with_its_arguments(spark_run):
    _, result = spark_run
    assert result["master"] == "local[*]"
    assert result["args"] == ["--input", "s3://lake/raw/"]


def test_spark_writes_partitioned_parquet_as_plain_files_in_the_bucket_folder(spark_run):
    data, result = spark_run
    assert result["count"] == 30 and result["parts"] == ["k0", "k1", "k2"]
    folder = data / "s3" / "lake" / "silver" / "items"
    names = sorted(os.listdir(folder))
    assert names == ["part=k0", "part=k1", "part=k2"]  # no _SUCCESS, no _temporary left behind
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files and all(p.name.startswith("part-") and p.suffix == ".parquet" for p in files)  # no .crc
    rows = sorted(r["id"] for p in files for r in pq.read_table(p).to_pylist())
    assert rows == list(range(30))


def test_spark_sees_lake_paths_never_local_ones(spark_run):
    data, result = spark_run
    assert result["listing"] == [f"s3n://lake/silver/items/part=k{i}" for i in range(3)]
    assert result["input_files"] and all(f.startswith("s3a://lake/silver/items/part=k") for f in result["input_files"])
    assert str(data) not in json.dumps(result["input_files"])


def test_a_recursive_listing_gives_lake_paths_sizes_and_default_permissions(spark_run):
    data, result = spark_run
    files = [p for p in (data / "s3" / "lake" / "silver" / "items").rglob("*") if p.is_file()]
    expected = sorted(["s3n://lake/" + str(p.relative_to(data / "s3" / "lake")), p.stat().st_size] for p in files)
    assert [[path, size] for path, size, _ in result["recursive"]] == expected
    assert {perm for *_, perm in result["recursive"]} == {"rw-rw-rw-"}


def test_text_read_and_written_through_s3_paths(spark_run):
    data, _ = spark_run
    copies = [p for p in (data / "s3" / "lake" / "raw-copy").iterdir() if p.is_file()]
    assert sorted(line for p in copies for line in p.read_text().splitlines()) == ["first line", "second line"]


def test_a_missing_bucket_is_no_such_bucket_and_dot_dot_cannot_leave_the_bucket(spark_run):
    data, result = spark_run
    assert "NoSuchBucket" in result["missing_bucket"]
    assert result["escape"] != "read"
    assert not (data / "s3" / "no-such-bucket").exists()


def test_lake_conf_maps_all_three_schemes_onto_the_data_folder(tmp_path):
    conf = lake_conf(tmp_path)
    assert {conf[f"spark.hadoop.fs.{s}.impl"] for s in ("s3", "s3a", "s3n")} == {"lakebox.hadoop.LakeFileSystem"}
    assert conf["spark.hadoop.fs.lakebox.root"] == str(tmp_path.absolute() / "s3")
    assert os.path.isfile(conf["spark.driver.extraClassPath"])


def test_a_plain_python_driver_gets_the_endpoint_and_the_glue_library_path(tmp_path):
    script = tmp_path / "shell.py"
    script.write_text("import json, os, sys\nprint(json.dumps([os.environ['AWS_ENDPOINT_URL'], sys.argv[1:], "
                      "[p for p in sys.path if p.endswith('glue_lib')]]))\n")
    launcher = SparkLauncher(tmp_path, "http://127.0.0.1:4599")
    process = launcher.start(SparkApp(name="shell", script=str(script), args=["--a", "b"], log_dir=str(tmp_path / "r"),
                                      spark=False, glue_libs=True))
    assert process.wait(60) == 0
    endpoint, args, glue = json.loads(open(process.stdout_path).read())
    assert endpoint == "http://127.0.0.1:4599" and args == ["--a", "b"] and len(glue) == 1


def test_stop_ends_a_running_driver_and_its_children(tmp_path):
    # The child takes a second to exit on SIGTERM, longer than its parent: stop() returns only
    # once the child is gone too (a step or job reported ended has no process left).
    slow_child = ("import signal, sys, time; "
                  "signal.signal(signal.SIGTERM, lambda *a: (time.sleep(1), sys.exit(0))); time.sleep(600)")
    script = tmp_path / "sleep.py"
    script.write_text("import subprocess, sys, time\n"
                      f"child = subprocess.Popen([{sys.executable!r}, '-c', {slow_child!r}])\n"
                      "print(child.pid, flush=True)\ntime.sleep(600)\n")
    process = SparkLauncher(tmp_path, "http://x").start(SparkApp(name="sleep", script=str(script),
                                                                  log_dir=str(tmp_path / "r"), spark=False))
    deadline = time.monotonic() + 30
    while not open(process.stdout_path).read().strip():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child = int(open(process.stdout_path).read())
    process.stop(grace=5)
    assert process.poll() is not None
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie waiting for its new parent to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_failure_summary_is_the_scripts_exception(tmp_path):
    script = tmp_path / "fail.py"
    script.write_text("print('working')\nraise ValueError('no rows for 2024-01-15')\n")
    process = SparkLauncher(tmp_path, "http://x").start(SparkApp(name="fail", script=str(script),
                                                                  log_dir=str(tmp_path / "r"), spark=False))
    assert process.wait(60) == 1
    assert process.error_summary() == "ValueError: no rows for 2024-01-15"


@pytest.mark.parametrize("stderr, summary", [
    ("Traceback (most recent call last):\n  File \"x.py\", line 1\nKeyError: 'order_id'\n", "KeyError: 'order_id'"),
    ("pyspark.errors.exceptions.captured.AnalysisException: [PATH_NOT_FOUND] Path does not exist: s3://b/x.\n",
     "pyspark.errors.exceptions.captured.AnalysisException: [PATH_NOT_FOUND] Path does not exist: s3://b/x."),
    ("java.io.FileNotFoundException: NoSuchBucket: b\n\tat lakebox.hadoop.LakeFileSystem.initialize(X.java:1)\n",
     "java.io.FileNotFoundException: NoSuchBucket: b"),
    ("SystemExit: 3\n", "SystemExit: 3"),
    ("just a line\n", "just a line"),
    ("", "The driver ended without output"),
])
def test_error_summary_picks_the_last_exception_line(stderr, summary):
    assert error_summary(stderr) == summary


def test_kill_orphan_finds_a_program_by_its_run_folder_and_spares_others(tmp_path):
    """A program an EMR step runs as it is (`sleep 600`) names its step only in its working folder;
    a process of the same command line elsewhere is not touched."""
    import subprocess

    from lakebox.engines.spark import kill_orphan

    run = tmp_path / "s-ORPHAN123" / "work"
    run.mkdir(parents=True)
    other = tmp_path / "elsewhere"
    other.mkdir()
    orphan = subprocess.Popen(["sleep", "600"], cwd=run, start_new_session=True)
    bystander = subprocess.Popen(["sleep", "600"], cwd=other, start_new_session=True)
    try:
        assert not kill_orphan(bystander.pid, "s-ORPHAN123")
        assert kill_orphan(orphan.pid, "s-ORPHAN123")
        assert orphan.wait(10) == -9
        assert bystander.poll() is None
    finally:
        for process in (orphan, bystander):
            process.kill()
            process.wait()
