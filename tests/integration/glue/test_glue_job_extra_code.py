"""A job's own code besides its script: `--additional-python-modules` (a wheel from S3 installed with
pip before the run, importable by a Python shell job and by a Spark job's driver and its Python
workers; a failed install fails the run) and `--extra-jars` (on the driver's class path)."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile

import pytest
from crawler_helpers import ROLE, make_logs
from glue_job_helpers import BUCKET, log_lines, put_script, read_parquet_rows, shell_job, wait_run

from lakebox.engines.spark import unavailable_reason

WHEEL = "lakebox_greeting-1.0-py3-none-any.whl"
SHELL_SCRIPT = """
import lakebox_greeting
print("GREETING " + lakebox_greeting.greet("glue"))
"""
SPARK_SCRIPT = """
import sys
from awsglue.context import GlueContext
from pyspark.context import SparkContext
from pyspark.sql.functions import udf
import lakebox_greeting
spark = GlueContext(SparkContext.getOrCreate()).spark_session
greet = udf(lakebox_greeting.greet)  # runs in the Python workers, which must import it too
spark.createDataFrame([("a",), ("b",)], "name string").select(greet("name").alias("greeting")) \\
    .write.mode("overwrite").parquet("s3://lake/greetings/")
"""


def build_wheel() -> bytes:
    """A minimal pure-Python wheel, made here so that no package index is needed."""
    files = {
        "lakebox_greeting/__init__.py": b'def greet(name):\n    return "hello " + name\n',
        "lakebox_greeting-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: lakebox-greeting\nVersion: 1.0\n",
        "lakebox_greeting-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: lakebox-tests\n"
                                                b"Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("lakebox_greeting-1.0.dist-info/RECORD,,")
    files["lakebox_greeting-1.0.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def logs(lakebox_server):
    return make_logs(lakebox_server.endpoint_url)


@pytest.fixture
def wheel_uri(s3):
    s3.put_object(Bucket=BUCKET, Key=f"wheels/{WHEEL}", Body=build_wheel())
    return f"s3://{BUCKET}/wheels/{WHEEL}"


def test_a_wheel_from_s3_is_installed_for_a_python_shell_job(glue, s3, logs, wheel_uri, lakebox_server):
    job = shell_job(glue, s3, "greeter", script=SHELL_SCRIPT, DefaultArguments={
        "--additional-python-modules": wheel_uri, "--python-modules-installer-option": "--no-index"})
    first = glue.start_job_run(JobName=job)["JobRunId"]
    run = wait_run(glue, job, first, timeout=180)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert "GREETING hello glue" in log_lines(logs, "/aws-glue/python-jobs/output", first)
    installs = lakebox_server.data_dir / ".lakebox" / "glue" / "python-modules"
    assert len([p for p in installs.iterdir() if not p.name.startswith(".")]) == 1
    second = glue.start_job_run(JobName=job)["JobRunId"]  # the install is reused
    assert wait_run(glue, job, second, timeout=120)["JobRunState"] == "SUCCEEDED"
    assert len([p for p in installs.iterdir() if not p.name.startswith(".")]) == 1


def test_a_failed_install_fails_the_run_with_pips_reason(glue, s3):
    job = shell_job(glue, s3, "missing-module", script=SHELL_SCRIPT)
    run_id = glue.start_job_run(JobName=job, Arguments={
        "--additional-python-modules": "no-such-package-for-lakebox==1.0",
        "--python-modules-installer-option": "--no-index"})["JobRunId"]
    run = wait_run(glue, job, run_id, timeout=180)
    assert run["JobRunState"] == "FAILED"
    assert "Installing --additional-python-modules failed" in run["ErrorMessage"]
    assert "no-such-package-for-lakebox" in run["ErrorMessage"]


def test_a_missing_wheel_fails_the_run(glue, s3):
    job = shell_job(glue, s3, "missing-wheel", script=SHELL_SCRIPT)
    run_id = glue.start_job_run(JobName=job, Arguments={
        "--additional-python-modules": f"s3://{BUCKET}/wheels/none.whl"})["JobRunId"]
    run = wait_run(glue, job, run_id, timeout=60)
    assert run["JobRunState"] == "FAILED" and "does not exist" in run["ErrorMessage"]


@pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))
def test_a_spark_jobs_python_workers_import_the_module(glue, s3, wheel_uri):
    location = put_script(s3, "scripts/greet_spark.py", SPARK_SCRIPT)
    glue.create_job(Name="greet-spark", Role=ROLE, GlueVersion="4.0",
                    Command={"Name": "glueetl", "ScriptLocation": location},
                    DefaultArguments={"--additional-python-modules": wheel_uri,
                                      "--python-modules-installer-option": "--no-index"})
    run_id = glue.start_job_run(JobName="greet-spark")["JobRunId"]
    run = wait_run(glue, "greet-spark", run_id, timeout=300)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert sorted(r["greeting"] for r in read_parquet_rows(s3, "greetings/")) == ["hello a", "hello b"]


JAVA_SOURCE = """
package lakebox.tests;
public class Greeter {
    public static String greet(String name) { return "hello from java, " + name; }
}
"""
JAR_SCRIPT = """
from awsglue.context import GlueContext
from pyspark.context import SparkContext
sc = SparkContext.getOrCreate()
print("JAVA " + sc._jvm.lakebox.tests.Greeter.greet("glue"))
"""


@pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))
def test_extra_jars_from_s3_are_on_the_drivers_class_path(glue, s3, logs, tmp_path):
    import subprocess

    from lakebox.engines.spark.java_runtime import javac

    source = tmp_path / "src" / "lakebox" / "tests" / "Greeter.java"
    source.parent.mkdir(parents=True)
    source.write_text(JAVA_SOURCE)
    classes = tmp_path / "classes"
    subprocess.run([javac(), "-d", str(classes), str(source)], check=True)
    jar = tmp_path / "greeter.jar"
    with zipfile.ZipFile(jar, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        archive.write(classes / "lakebox" / "tests" / "Greeter.class", "lakebox/tests/Greeter.class")
    s3.put_object(Bucket=BUCKET, Key="jars/greeter.jar", Body=jar.read_bytes())
    location = put_script(s3, "scripts/java_greeter.py", JAR_SCRIPT)
    glue.create_job(Name="java-greeter", Role=ROLE, GlueVersion="4.0",
                    Command={"Name": "glueetl", "ScriptLocation": location},
                    DefaultArguments={"--extra-jars": f"s3://{BUCKET}/jars/greeter.jar"})
    run_id = glue.start_job_run(JobName="java-greeter")["JobRunId"]
    run = wait_run(glue, "java-greeter", run_id, timeout=300)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert "JAVA hello from java, glue" in log_lines(logs, "/aws-glue/jobs/output", run_id)
