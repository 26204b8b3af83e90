"""From a step's `HadoopJarStep` to a `SparkApp` ready to start, or a `StepFailure` saying why not.

Every step here is `command-runner.jar`, which on EMR runs a program on the master node:
- `spark-submit` with a Python application runs on local Spark;
- `hadoop-streaming` (hadoop_streaming.py) runs its job on Spark through streaming_driver.py;
- `state-pusher-script`, the EMR debugging tool's, completes with nothing to do: its work belongs to
  the console, and its stdout says that nothing was pushed;
- any other program (`bash -c ...`, `aws s3 cp ...`, `python3 ...`) runs on this machine as it is,
  with the step's credentials and lakebox as its AWS endpoint, and lakebox's own tools (the AWS
  CLI, Python) first on its PATH. A program this machine does not have, such as EMR's `s3-dist-cp`
  or `hive-script`, fails the step saying so.
A custom JAR (a Java program, or `script-runner.jar`) fails the step with a clear reason, never a
silent COMPLETED.

The application, `--py-files`, `--files`, `--jars` and `--archives` given as s3:// (s3a://, s3n://)
URIs are copied from the lake, through its API so every key the lake holds can be read, into the
step's run folder `<data>/.lakebox/emr/runs/<cluster>/<step>/`; file:// URIs and plain paths are
taken from this machine. A missing application fails the step before any JVM starts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any, Optional

from ...storage.errors import NoSuchBucketError, StorageError
from . import hadoop_streaming
from .spark_submit import SparkSubmitError, parse


class StepWithoutWork(Exception):
    """A step of an EMR-provided program whose work has no counterpart on this machine: it completes,
    its stdout saying why nothing ran (the message)."""


#: command-runner.jar programs EMR provides whose effect lives outside the cluster's data: the
#: debugging tool's state pusher (awswrangler's `emr.create_cluster(debugging=True)`, the default,
#: adds it as a "Setup Hadoop Debugging" step) sends Hadoop's job state to the console's debugging
#: view, which lakebox does not have.
NOTHING_TO_DO = {"state-pusher-script": "lakebox has no EMR debugging console: there is no job state to push."}


class StepFailure(Exception):
    """A step that cannot run or could not start: FailureDetails' Reason and Message."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason, self.message = reason, message


COMMAND_RUNNER = "command-runner.jar"
#: Files of the log folder that a --files name must not replace.
RESERVED_LOG_NAMES = {"stdout", "stderr", "lakebox-ignored-options"}
_S3_URI = re.compile(r"^s3[an]?://([^/]+)/(.+)$")
#: The driver that runs a hadoop-streaming job on Spark.
STREAMING_DRIVER = Path(__file__).with_name("streaming_driver.py")


def is_command_runner(jar: str) -> bool:
    return jar.rstrip("/").rsplit("/", 1)[-1] == COMMAND_RUNNER


def build_app(step: dict, run_dir: Path, lake: Any, app_name: str):
    """The SparkApp that runs `step`; raises StepFailure for a step lakebox cannot run."""
    config = step["Config"]
    jar, args = config.get("Jar", ""), list(config.get("Args") or [])
    if not is_command_runner(jar):
        main = f" (main class {config['MainClass']})" if config.get("MainClass") else ""
        raise StepFailure("Custom JAR steps cannot run on lakebox",
                          f"The step runs the JAR {jar}{main}, a Java program. lakebox runs EMR steps on local "
                          "PySpark: use command-runner.jar with spark-submit and a Python application.")
    if not args:
        raise StepFailure("No command", "command-runner.jar was given no arguments; the first names the program "
                                        "to run (spark-submit).")
    program = args[0].rsplit("/", 1)[-1]
    if program in NOTHING_TO_DO:
        raise StepWithoutWork(NOTHING_TO_DO[program])
    if program == "hadoop-streaming":
        return _streaming_app(args[1:], run_dir, lake, app_name)
    if program != "spark-submit":
        return _command_app(args, run_dir, app_name)
    try:
        submit = parse(args[1:])
    except SparkSubmitError as exc:
        raise StepFailure("Unsupported spark-submit command", str(exc)) from None
    fetcher = _Fetcher(lake, run_dir)
    script = fetcher.fetch(submit.application, "app")
    conf = dict(submit.conf)
    if submit.files:
        # Into the driver's working folder (its log folder), where YARN puts them too.
        conf["spark.files"] = ",".join(str(fetcher.fetch(item, "logs")) for item in submit.files)
    if submit.jars:
        conf["spark.jars"] = ",".join(str(fetcher.fetch(item, "files")) for item in submit.jars)
    if submit.archives:
        # `uri#alias` unpacks the archive under the alias, as on YARN.
        conf["spark.archives"] = ",".join(
            str(fetcher.fetch(item.split("#", 1)[0], "files")) + ("#" + item.split("#", 1)[1] if "#" in item else "")
            for item in submit.archives)
    py_files = [str(fetcher.fetch(item, "deps")) for item in submit.py_files]
    log_dir = _log_dir(run_dir, "Options that place or size the job on a cluster, ignored on local Spark",
                       submit.ignored)
    from ...engines.spark import SparkApp

    # spark-submit's --name is the application's name, as on EMR; else the step's own.
    return SparkApp(name=submit.name or app_name, script=str(script), args=submit.app_args, log_dir=str(log_dir),
                    conf=conf, py_files=py_files)


def command_path() -> str:
    """PATH for a step's program: lakebox's own tools first (the AWS CLI and Python it was installed
    with, as EMR's master node has them), then this machine's."""
    return os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", os.defpath)])


def _command_app(args: list[str], run_dir: Path, app_name: str):
    """Any other command-runner program, run as it is, in the step's own work folder."""
    from ...engines.spark import SparkApp

    path = command_path()
    if shutil.which(args[0], path=path) is None:
        raise StepFailure(f"command-runner.jar program {args[0]} is not on this machine",
                          f"Cannot run program \"{args[0]}\": it is not installed here. lakebox runs spark-submit and "
                          "hadoop-streaming on local Spark, and other programs from this machine's PATH; EMR's own "
                          "tools (s3-dist-cp, hive-script, pig-script ...) are not part of lakebox.")
    work_dir = run_dir / "work"
    work_dir.mkdir(parents=True, exist_ok=True)
    return SparkApp(name=app_name, script="", command=list(args), spark=False, log_dir=str(_log_dir(run_dir, "", [])),
                    work_dir=str(work_dir), env={"PATH": path})


def _log_dir(run_dir: Path, header: str, ignored: list[str]) -> Path:
    """The step's log folder, with a note of the options the step gave that mean nothing here."""
    log_dir = run_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    if ignored:
        (log_dir / "lakebox-ignored-options").write_text(f"{header}:\n" + "\n".join(ignored) + "\n")
    return log_dir


def _streaming_app(args: list[str], run_dir: Path, lake: Any, app_name: str):
    """A hadoop-streaming job: streaming_driver.py on Spark, its -files in the working folder under their names."""
    try:
        job = hadoop_streaming.parse(args)
    except hadoop_streaming.StreamingError as exc:
        raise StepFailure("Unsupported hadoop-streaming command", str(exc)) from None
    fetcher = _Fetcher(lake, run_dir)
    for uri, name in job.files:
        fetcher.fetch(uri, "logs", name)
    log_dir = _log_dir(run_dir, "Options that tune MapReduce and mean nothing to the result, ignored on local Spark",
                       job.ignored)
    from ...engines.spark import SparkApp

    return SparkApp(name=app_name, script=str(STREAMING_DRIVER), args=[json.dumps(job.spec())], log_dir=str(log_dir))


class _Fetcher:
    """Copies the step's files into its run folder, each under its own name in `<run>/<area>/`."""

    def __init__(self, lake: Any, run_dir: Path):
        self.lake, self.run_dir = lake, run_dir
        self.used: set[Path] = set()

    def _target(self, area: str, name: str) -> Path:
        target = self.run_dir / area / name
        n = 0
        while target in self.used or (area == "logs" and name in RESERVED_LOG_NAMES and n == 0):
            n += 1
            target = self.run_dir / area / str(n) / name
        self.used.add(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def fetch(self, uri: str, area: str, name: Optional[str] = None) -> Path:
        """Copy `uri` into `<run>/<area>/`, as `name` if given (else under its own name)."""
        match = _S3_URI.match(uri)
        if match:
            return self._from_lake(uri, match.group(1), match.group(2), area, name)
        path = Path(uri[len("file://"):] if uri.startswith("file://") else uri)
        if not path.is_absolute() or not path.is_file():
            raise StepFailure("File not found",
                              f"{uri} does not exist on this machine (give an s3:// URI to read it from the lake).")
        target = self._target(area, name or path.name)
        shutil.copyfile(path, target)
        return target

    def _from_lake(self, uri: str, bucket: str, key: str, area: str, name: Optional[str]) -> Path:
        try:
            info = self.lake.head_object(bucket, key)
            if info is None or info.is_delete_marker:
                raise StepFailure("File not found", f"{uri} does not exist: there is no object {key} in bucket "
                                                    f"{bucket}.")
            target = self._target(area, name or key.rsplit("/", 1)[-1])
            with self.lake.open_object(info) as reader, open(target, "wb") as out:
                for chunk in reader:
                    out.write(chunk)
        except NoSuchBucketError:
            raise StepFailure("File not found", f"{uri} does not exist: there is no bucket {bucket}.") from None
        except StorageError as exc:
            raise StepFailure("File not found", f"{uri} cannot be read from the lake: {exc}") from None
        return target
