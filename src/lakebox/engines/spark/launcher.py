"""Starting Spark drivers (Glue job runs, EMR steps) as child processes of the server.

Why subprocesses and `spark-submit`: a driver is the user's script, run as on AWS, with its own
JVM. Running it in the server's process would share the GIL, the JVM and the crash of one job with
every request (DESIGN D7). Each driver gets:
- the server's Spark master (`local[*]` unless `--spark-master` names a standalone, YARN or
  Kubernetes one), and the lake file system (lake_filesystem.py) on the driver's and the executors'
  class paths, so `s3://` paths are the lake's files (executors elsewhere must see the data folder
  at the same path: a shared file system);
- AWS_ENDPOINT_URL pointing back at this server with dummy credentials, so boto3 calls from the
  script (the Glue catalog, S3) reach lakebox;
- a quiet log4j configuration (warnings only), because Spark's INFO lines would bury the script's
  own output in the job's logs;
- its own process group, so `stop()` ends the JVM too, and a working folder (the run's log folder),
  so stray files such as a Derby `metastore_db` land there and not in the server's folder.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

from .java_runtime import SparkUnavailable, spark_home, unavailable_reason
from .lake_filesystem import cache_dir, lake_conf

log = logging.getLogger("lakebox.spark")

#: The folder holding the `awsglue` package that Glue scripts import.
GLUE_LIBS = Path(__file__).with_name("glue_lib")

LOG4J2 = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
logger.native.name = org.apache.hadoop.util.NativeCodeLoader
logger.native.level = error
"""

#: Conf every driver gets, before the app's own (which may override it).
BASE_CONF = {
    "spark.master": "local[*]",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}


@dataclasses.dataclass
class SparkApp:
    """One driver to run: the script, its arguments, and where its output goes."""

    name: str
    script: str
    args: list[str] = dataclasses.field(default_factory=list)
    log_dir: str = ""
    conf: dict[str, str] = dataclasses.field(default_factory=dict)
    py_files: list[str] = dataclasses.field(default_factory=list)
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    #: lakebox's `awsglue` package is importable by the script.
    glue_libs: bool = False
    #: Spark SQL resolves table names in the Glue Data Catalog (glue_lib/lakebox_glue_catalog.py).
    glue_catalog: bool = False
    #: False runs the script with plain Python and no JVM (Glue's pythonshell jobs).
    spark: bool = True
    #: Folders put first on the driver's (and its Python workers') import path, ahead of everything
    #: else: packages installed for this app (Glue's --additional-python-modules).
    python_path: list[str] = dataclasses.field(default_factory=list)
    #: A program and its arguments to run as they are, instead of a Python script (an EMR
    #: command-runner.jar step such as `bash -c ...` or `aws s3 cp ...`); `spark` must be False.
    command: list[str] = dataclasses.field(default_factory=list)
    #: The folder the process starts in; the log folder when empty (a driver's files go there, as
    #: on YARN).
    work_dir: str = ""


class SparkProcess:
    """A started driver: poll it, wait for it, stop it, and read why it failed."""

    def __init__(self, app: SparkApp, popen: subprocess.Popen, stdout_path: str, stderr_path: str):
        self.app = app
        self._popen = popen
        self.pid = popen.pid
        self.stdout_path = stdout_path
        self.stderr_path = stderr_path

    def poll(self) -> Optional[int]:
        return self._popen.poll()

    def wait(self, timeout: Optional[float] = None) -> int:
        return self._popen.wait(timeout)

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM the driver's process group (the JVM included), then SIGKILL what is left.

        It returns once the whole group has gone, not only spark-submit: the JVM and the Python
        driver can outlive it by a moment, and a step or cluster reported ended must have no
        process of its driver left running."""
        group = self._popen.pid
        if self._popen.poll() is not None and not _group_members(group):
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 30.0)):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + wait
            try:
                self._popen.wait(wait)
            except subprocess.TimeoutExpired:
                continue
            while _group_members(group) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not _group_members(group):
                return

    def error_summary(self, limit: int = 2048) -> str:
        """Why the driver failed: its last exception line, as Glue and EMR report it.

        spark-submit runs a Python driver with its stderr merged into stdout, so a script's
        traceback is in stdout; the JVM's own failures are in stderr.
        """
        stdout = tail_text(self.stdout_path)
        if "Traceback (most recent call last)" in stdout:
            return error_summary(stdout[stdout.rindex("Traceback (most recent call last)"):], limit)
        return error_summary(tail_text(self.stderr_path) or stdout, limit)


def error_summary(stderr: str, limit: int = 2048) -> str:
    """The last exception line of a driver's stderr (a Python traceback's or a JVM's), else its last line."""
    lines = [line.rstrip() for line in stderr.splitlines() if line.strip()]
    exception = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)|[\w.]*Py4JJavaError)\b(:.*)?$")
    for line in reversed(lines):
        if exception.match(line.strip()):
            return line.strip()[:limit]
    return (lines[-1].strip() if lines else NO_OUTPUT)[:limit]


#: error_summary's answer for a process that wrote nothing.
NO_OUTPUT = "The driver ended without output"


def kill_orphan(pid: Optional[int], marker: str) -> bool:
    """SIGKILL the process group of a driver that a dead server left running; True if one was killed.

    Only when `pid` is still that driver: its command line or its working folder must contain
    `marker` (the run's or the step's id, which names its run folder; a program an EMR step runs as
    it is, such as `sleep 600`, names it only in its folder), so a pid reused by another process is
    never hit.
    """
    if not pid:
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read().decode("utf-8", "replace")
    except OSError:
        return False
    try:
        folder = os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        folder = ""
    if marker not in command and marker not in folder:
        return False
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return False
    log.info("killed the orphaned driver %d of %s", pid, marker)
    return True


def _group_members(group: int) -> list[int]:
    """The live (not zombie) processes of a process group, from /proc; [] where there is no /proc."""
    members = []
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # after the command name: state, ppid, pgrp
        if len(fields) > 2 and fields[0] != b"Z" and int(fields[2]) == group:
            members.append(int(pid))
    return members


def tail_text(path: str, size: int = 64 * 1024) -> str:
    """The last `size` bytes of a log file as text ("" when it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - size))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


class SparkLauncher:
    """Starts drivers against one lakebox server's lake and endpoint."""

    def __init__(self, data_dir: Path, endpoint: str, master: str = "local[*]"):
        self.data_dir = Path(data_dir)
        self.endpoint = endpoint
        self.master = master

    def unavailable_reason(self) -> Optional[str]:
        return unavailable_reason()

    def start(self, app: SparkApp) -> SparkProcess:
        if app.spark:
            reason = unavailable_reason()
            if reason:
                raise SparkUnavailable(reason)
        log_dir = Path(app.log_dir or (self.data_dir / ".lakebox" / "spark" / "runs" / app.name))
        log_dir.mkdir(parents=True, exist_ok=True)
        if app.command:
            command = list(app.command)
        else:
            command = self._spark_command(app) if app.spark else [sys.executable, app.script, *app.args]
        stdout_path, stderr_path = str(log_dir / "stdout"), str(log_dir / "stderr")
        with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
            popen = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                                     cwd=app.work_dir or str(log_dir), env=self._environment(app),
                                     start_new_session=True)
        log.info("started %s (pid %d): %s", app.name, popen.pid, app.script or " ".join(command))
        return SparkProcess(app, popen, stdout_path, stderr_path)

    def _spark_command(self, app: SparkApp) -> list[str]:
        conf = {**BASE_CONF, "spark.master": self.master, **lake_conf(self.data_dir), **app.conf}
        # The lake file system must be on the JVMs' own class paths; keep any the app adds.
        for key in ("spark.driver.extraClassPath", "spark.executor.extraClassPath"):
            ours = lake_conf(self.data_dir)[key]
            if app.conf.get(key):
                conf[key] = f"{ours}:{app.conf[key]}"
        command = [str(spark_home() / "bin" / "spark-submit"), "--name", app.name]
        for key, value in conf.items():
            command += ["--conf", f"{key}={value}"]
        if app.py_files:
            command += ["--py-files", ",".join(app.py_files)]
        return command + [app.script, *app.args]

    def _environment(self, app: SparkApp) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("PYSPARK_", "SPARK_", "AWS_PROFILE", "PYTEST_"))}
        python_path = list(app.python_path)
        python_path += [str(GLUE_LIBS)] if app.glue_libs or app.glue_catalog else []
        python_path += [path for path in app.py_files]
        if env.get("PYTHONPATH"):
            python_path.append(env["PYTHONPATH"])
        env.update({
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": os.environ.get("LAKEBOX_JOB_ACCESS_KEY", "test"),
            "AWS_SECRET_ACCESS_KEY": os.environ.get("LAKEBOX_JOB_SECRET_KEY", "test"),
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "PYTHONUNBUFFERED": "1",
        })
        env.pop("AWS_SESSION_TOKEN", None)
        if python_path:
            env["PYTHONPATH"] = os.pathsep.join(python_path)
        if app.glue_catalog:
            env["LAKEBOX_GLUE_CATALOG"] = "1"
        if app.spark:
            env.update({"SPARK_HOME": str(spark_home()), "PYSPARK_PYTHON": sys.executable,
                        "PYSPARK_DRIVER_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1",
                        "SPARK_CONF_DIR": str(_conf_dir())})
        env.update(app.env)
        return env


def _conf_dir() -> Path:
    """A Spark conf folder with the quiet log4j2 configuration (written once, atomically)."""
    folder = cache_dir() / "spark" / "conf"
    target = folder / "log4j2.properties"
    if not target.is_file() or target.read_text() != LOG4J2:
        folder.mkdir(parents=True, exist_ok=True)
        staged = folder / f".log4j2.{os.getpid()}.tmp"
        staged.write_text(LOG4J2)
        os.replace(staged, target)
    return folder
