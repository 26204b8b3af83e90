"""Reading the `spark-submit` command line of a `command-runner.jar` step.

On EMR, `command-runner.jar` runs a program on the master node; for `spark-submit` lakebox runs the
same application on its local Spark (DESIGN D4), so the options are sorted by what they mean here:

- kept: `--conf` (minus the keys below), `--name`, `--py-files`, `--files`, `--jars`, `--archives`,
  `--packages`, `--repositories`, `--exclude-packages`, `--driver-java-options`,
  `--driver-class-path`, `--driver-library-path`;
- ignored, because the driver runs on lakebox's Spark master (`local[*]` unless `lakebox serve
  --spark-master` names another): `--master`, `--deploy-mode`, the
  executor and driver resources (`--executor-memory`, `--num-executors`, `--driver-memory` ...),
  `--queue`, `--supervise`, `--verbose`, and the same settings given as `--conf` keys;
- refused (SparkSubmitError): `--class` and any main resource other than a `.py` file (a Java or
  Scala application cannot run here), `--properties-file`, `--kill`, `--status`, and options
  spark-submit itself does not know.

As with spark-submit, the first argument that is not an option is the application, and every
argument after it belongs to the application.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


class SparkSubmitError(ValueError):
    """A spark-submit command line that lakebox cannot run; the message says why."""


#: Options that take a value and are dropped: they place or size the job on a cluster.
IGNORED_WITH_VALUE = {"--master", "--deploy-mode", "--driver-memory", "--executor-memory", "--driver-cores",
                      "--executor-cores", "--total-executor-cores", "--num-executors", "--queue", "--proxy-user",
                      "--principal", "--keytab"}
IGNORED_FLAGS = {"--supervise", "--verbose", "-v"}
#: Options kept as the Spark conf key that spark-submit itself turns them into.
AS_CONF = {"--packages": "spark.jars.packages", "--repositories": "spark.jars.repositories",
           "--exclude-packages": "spark.jars.excludes", "--driver-java-options": "spark.driver.extraJavaOptions",
           "--driver-class-path": "spark.driver.extraClassPath",
           "--driver-library-path": "spark.driver.extraLibraryPath"}
LISTS = {"--py-files": "py_files", "--files": "files", "--jars": "jars", "--archives": "archives"}
REFUSED = {"--properties-file": "a properties file on the master node", "--kill": "killing a submission",
           "--status": "asking a submission's status", "--help": "help", "-h": "help", "--version": "its version",
           "--usage-error": "usage"}
#: `--conf` keys that place or size the job on a cluster; locally they mean nothing or harm.
IGNORED_CONF_KEYS = {"spark.master", "spark.submit.deployMode", "spark.executor.memory", "spark.executor.cores",
                     "spark.executor.instances", "spark.driver.memory", "spark.driver.cores", "spark.cores.max",
                     "spark.executor.memoryOverhead", "spark.driver.memoryOverhead"}
IGNORED_CONF_PREFIXES = ("spark.yarn.", "spark.dynamicAllocation.", "spark.kubernetes.")


@dataclass
class SparkSubmit:
    #: The application: an s3://, file:// or local path of a .py file.
    application: str
    app_args: list[str] = field(default_factory=list)
    conf: dict[str, str] = field(default_factory=dict)
    name: Optional[str] = None
    py_files: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    jars: list[str] = field(default_factory=list)
    archives: list[str] = field(default_factory=list)
    #: What was dropped, for the step's log.
    ignored: list[str] = field(default_factory=list)


def _split_option(arg: str) -> tuple[str, Optional[str]]:
    """`--conf=k=v` -> ("--conf", "k=v"); `--conf` -> ("--conf", None)."""
    if arg.startswith("--") and "=" in arg:
        name, value = arg.split("=", 1)
        return name, value
    return arg, None


def _conf_ignored(key: str) -> bool:
    return key in IGNORED_CONF_KEYS or key.startswith(IGNORED_CONF_PREFIXES)


def parse(args: list[str]) -> SparkSubmit:
    """The arguments after `spark-submit` as a `SparkSubmit`; SparkSubmitError if lakebox cannot run them."""
    options: dict = {"conf": {}, "py_files": [], "files": [], "jars": [], "archives": [], "ignored": []}
    name: Optional[str] = None
    i = 0
    while i < len(args):
        option, value = _split_option(args[i])
        if not option.startswith("-"):
            break
        if option in IGNORED_FLAGS:
            options["ignored"].append(option)
            i += 1
            continue
        if option in REFUSED:
            raise SparkSubmitError(f"spark-submit {option} ({REFUSED[option]}) is not supported by lakebox.")
        if option == "--class":
            raise SparkSubmitError("spark-submit --class runs a Java/Scala application; lakebox runs EMR steps on "
                                   "local PySpark and can run only Python applications (.py).")
        known = option in IGNORED_WITH_VALUE or option in AS_CONF or option in LISTS or option in (
            "--conf", "-c", "--name")
        if not known:
            raise SparkSubmitError(f"spark-submit: unrecognized option {option}.")
        if value is None:
            if i + 1 >= len(args):
                raise SparkSubmitError(f"spark-submit: option {option} needs a value.")
            value = args[i + 1]
            i += 2
        else:
            i += 1
        if option in IGNORED_WITH_VALUE:
            options["ignored"].append(f"{option} {value}")
        elif option in AS_CONF:
            options["conf"][AS_CONF[option]] = value
        elif option in LISTS:
            options[LISTS[option]] += [item for item in value.split(",") if item]
        elif option == "--name":
            name = value
        else:  # --conf / -c
            if "=" not in value:
                raise SparkSubmitError(f"spark-submit: --conf {value} is not of the form key=value.")
            key, conf_value = value.split("=", 1)
            if _conf_ignored(key):
                options["ignored"].append(f"--conf {value}")
            else:
                options["conf"][key] = conf_value
    if i >= len(args):
        raise SparkSubmitError("spark-submit: no application (.py file) was given.")
    application = args[i]
    if not application.split("?", 1)[0].lower().endswith(".py"):
        raise SparkSubmitError(f"spark-submit's application {application} is not a Python file; a Java/Scala (.jar) "
                               "or R application cannot run on lakebox, which runs EMR steps on local PySpark.")
    return SparkSubmit(application=application, app_args=list(args[i + 1:]), name=name, **options)
