"""How a command-runner.jar `spark-submit` command line is read: what is kept, what is ignored because
the driver runs on local Spark, and what is refused. Pure parsing, no server."""

from __future__ import annotations

import pytest

from lakebox.services.emr.spark_submit import SparkSubmitError, parse


def test_the_guide_s_command_keeps_the_application_and_its_arguments():
    submit = parse(["--deploy-mode", "cluster", "--master", "yarn", "--conf", "spark.executor.memory=4g", "--conf",
                    "spark.executor.cores=2", "s3://my-bucket/scripts/process_data.py", "--input",
                    "s3://my-bucket/input/", "--output", "s3://my-bucket/output/"])
    assert submit.application == "s3://my-bucket/scripts/process_data.py"
    assert submit.app_args == ["--input", "s3://my-bucket/input/", "--output", "s3://my-bucket/output/"]
    assert submit.conf == {}
    assert submit.ignored == ["--deploy-mode cluster", "--master yarn", "--conf spark.executor.memory=4g",
                              "--conf spark.executor.cores=2"]


def test_conf_files_and_names_are_kept():
    submit = parse(["--name", "nightly", "--conf", "spark.sql.shuffle.partitions=4", "--conf=spark.x.y=a=b",
                    "--py-files", "s3://b/lib.zip,s3://b/util.py", "--files", "s3://b/a.json", "--jars", "/opt/x.jar",
                    "--packages", "org.example:lib:1.0", "--driver-memory", "8g", "--num-executors", "20",
                    "--conf", "spark.dynamicAllocation.enabled=true", "--verbose", "app.py", "--conf", "passed"])
    assert submit.name == "nightly"
    assert submit.conf == {"spark.sql.shuffle.partitions": "4", "spark.x.y": "a=b",
                           "spark.jars.packages": "org.example:lib:1.0"}
    assert submit.py_files == ["s3://b/lib.zip", "s3://b/util.py"]
    assert submit.files == ["s3://b/a.json"] and submit.jars == ["/opt/x.jar"]
    # Everything after the application is the application's, options included.
    assert submit.application == "app.py" and submit.app_args == ["--conf", "passed"]
    assert "--driver-memory 8g" in submit.ignored and "--verbose" in submit.ignored


@pytest.mark.parametrize("args, words", [
    (["--class", "org.example.Main", "s3://b/app.jar"], "Java/Scala"),
    (["s3://b/app.jar"], "not a Python file"),
    (["s3://b/app.R"], "not a Python file"),
    (["--properties-file", "/etc/spark.conf", "a.py"], "--properties-file"),
    (["--bogus", "a.py"], "unrecognized option --bogus"),
    (["--conf", "novalue", "a.py"], "key=value"),
    (["--master"], "needs a value"),
    (["--master", "yarn"], "no application"),
])
def test_command_lines_lakebox_cannot_run_are_refused(args, words):
    with pytest.raises(SparkSubmitError, match=words):
        parse(args)
