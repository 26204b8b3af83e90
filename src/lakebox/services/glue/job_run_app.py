"""From a job run to a driver the Spark engine can start: the run's folder, its code, its SparkApp.

Why apart from the worker: this is everything Glue does before the driver starts, and each step can
fail the run with a message the user can act on (`RunSetupError`), before any JVM is started.

The run's folder is `<data>/.lakebox/glue/job-runs/<run id>/`: the driver's working folder and its
logs (`stdout`, `stderr`, and for Spark jobs `driver-stderr`, see job_run_driver.py), with the code
Glue downloads from S3 in `code/`: the script (`Command.ScriptLocation`) and `--extra-py-files`,
which go on the driver's import path, as do the packages of `--additional-python-modules`
(python_modules.py), and `--extra-jars`, which go on the JVMs' class paths. `--extra-files` are
copied into the working folder, where Glue puts them. The kinds of jobs are Glue's: `glueetl` and
`gluestreaming` run on Spark, `pythonshell` on plain Python; both can import lakebox's `awsglue`.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path
from typing import Any, Optional

from ...engines.spark import SparkApp
from .job_bookmarks import BOOKMARK_ENV, bookmark_path
from .job_definition import SPARK_COMMANDS
from .job_run_start import argv, driver_arguments
from .python_modules import InstallError, prepare_modules

DRIVER = Path(__file__).with_name("job_run_driver.py")
DRIVER_NAME = "_lakebox_glue_driver.py"
#: Python shell jobs are Glue's `pythonshell`; Ray jobs cannot run in lakebox.
PYTHON_SHELL = "pythonshell"


class RunSetupError(Exception):
    """The run cannot start; the message says why."""


@dataclasses.dataclass
class PreparedRun:
    app: SparkApp
    #: Where a Spark driver's Python stderr goes (None for Python shell jobs: their stderr is the process's).
    driver_stderr: Optional[str]
    #: Lines for the run's error log before the driver's own (what was done to prepare the run).
    notes: list[str]


def run_folder(data_dir: Path, run_id: str) -> Path:
    return Path(data_dir) / ".lakebox" / "glue" / "job-runs" / run_id


def prepare(data_dir: Path, lake: Any, key: str, job: dict, run: dict) -> PreparedRun:
    """Fetch the run's code from the lake and describe its driver (RunSetupError when it cannot start)."""
    command = job.get("Command") or {}
    kind = command.get("Name") or "glueetl"
    if kind == "glueray":
        raise RunSetupError("lakebox cannot run Ray jobs (Command.Name glueray): only glueetl, gluestreaming "
                            "and pythonshell jobs run here")
    if kind not in (*SPARK_COMMANDS, PYTHON_SHELL):
        raise RunSetupError("Could not find command for the given criteria")  # Glue's words for an unknown name
    if not command.get("ScriptLocation"):
        raise RunSetupError("The job has no Command.ScriptLocation: there is no script to run")
    folder = run_folder(data_dir, run["Id"])
    code = folder / "code"
    code.mkdir(parents=True, exist_ok=True)
    script = fetch(lake, command["ScriptLocation"], code, "script")
    arguments = driver_arguments(key, job, run)
    py_files = [fetch(lake, uri, code / f"py{i}", "--extra-py-files file")
                for i, uri in enumerate(uris(arguments.get("--extra-py-files")))]
    for uri in uris(arguments.get("--extra-files")):
        fetch(lake, uri, folder, "--extra-files file")
    notes: list[str] = []
    try:
        modules = prepare_modules(data_dir, arguments,
                                  lambda uri, where: fetch(lake, uri, where, "--additional-python-modules wheel"))
    except InstallError as exc:
        raise RunSetupError(str(exc)) from None
    if modules:
        notes.append(f"Installed --additional-python-modules {arguments['--additional-python-modules']} "
                     f"in {modules[0]}")
    # The driver's keys and region come from the worker (job_drivers.py); this is the run's own.
    env = {BOOKMARK_ENV: str(bookmark_path(data_dir, key, job["Name"]))}
    name = f"glue job {job['Name']} run {run['Id']}"
    if kind == PYTHON_SHELL:
        # Plain Python imports from folders and archives: a .py file goes on the path by its folder.
        paths = [str(Path(p).parent) if p.endswith(".py") else p for p in py_files]
        app = SparkApp(name=name, script=script, args=argv(arguments), log_dir=str(folder), py_files=paths,
                       env=env, glue_libs=True, spark=False, python_path=modules)
        return PreparedRun(app, None, notes)
    driver = code / DRIVER_NAME
    shutil.copyfile(DRIVER, driver)
    driver_stderr = str(folder / "driver-stderr")
    app = SparkApp(name=name, script=str(driver), args=[driver_stderr, script, *argv(arguments)],
                   log_dir=str(folder), conf=jar_conf(lake, code, arguments), py_files=py_files, env=env,
                   glue_libs=True, spark=True, glue_catalog=uses_glue_catalog(arguments), python_path=modules)
    return PreparedRun(app, driver_stderr, notes)


def uses_glue_catalog(arguments: dict) -> bool:
    """Whether Spark SQL's metastore is the Glue Data Catalog (`--enable-glue-datacatalog`).

    On by default: Glue Studio and the console set the argument on every job, and a script that
    names catalog tables in spark.sql expects it; `--enable-glue-datacatalog false` turns it off.
    """
    return str(arguments.get("--enable-glue-datacatalog", "true")).strip().lower() != "false"


def fetch(lake: Any, uri: str, folder: Path, what: str) -> str:
    """Copy the lake object `s3://bucket/key` into `folder` under its own file name; the local path."""
    if not uri.startswith("s3://"):
        raise RunSetupError(f"The {what} {uri} is not an s3:// URI")
    bucket, _, key = uri[5:].partition("/")
    name = key.rsplit("/", 1)[-1]
    if not bucket or not name:
        raise RunSetupError(f"The {what} {uri} does not name an S3 object")
    if lake is None:
        raise RunSetupError(f"The {what} {uri} cannot be read: lakebox has no S3 lake")
    try:
        info = lake.head_object(bucket, key)
    except Exception:  # noqa: BLE001 - an unusable key or bucket name is a missing object too
        info = None
    if info is None:
        raise RunSetupError(f"The {what} {uri} does not exist (NoSuchKey)")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    staged = folder / f".{name}.part"
    with open(staged, "wb") as out:
        for chunk in lake.open_object(info):
            out.write(chunk)
    os.replace(staged, target)
    return str(target)


def jar_conf(lake: Any, code: Path, arguments: dict) -> dict[str, str]:
    """The Spark conf of a Spark job: its `--conf`, and the `--extra-jars` (fetched from S3) on the
    driver's and executors' class paths, ahead of Spark's own with `--user-jars-first true`."""
    conf = spark_conf(arguments.get("--conf"))
    jars = [fetch(lake, uri, code / f"jar{i}", "--extra-jars file")
            for i, uri in enumerate(uris(arguments.get("--extra-jars")))]
    if jars:
        conf["spark.jars"] = ",".join(filter(None, [conf.get("spark.jars"), *jars]))
        if str(arguments.get("--user-jars-first", "")).strip().lower() == "true":
            conf["spark.driver.userClassPathFirst"] = conf["spark.executor.userClassPathFirst"] = "true"
    return conf


def spark_conf(value: Optional[str]) -> dict[str, str]:
    """Glue's `--conf` argument, `k=v` or `k=v --conf k2=v2 ...`, as Spark conf."""
    conf: dict[str, str] = {}
    for part in (value or "").split("--conf"):
        name, sep, setting = part.strip().partition("=")
        if sep and name:
            conf[name.strip()] = setting.strip()
    return conf


def uris(value: Optional[str]) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]
