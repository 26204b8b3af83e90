"""A job's definition: Glue's checks on CreateJob/UpdateJob input, and the defaults Glue fills in.

Why one pure module: CreateJob and UpdateJob build the same `Job` document from the same members
(UpdateJob's `JobUpdate` replaces the whole definition, "unspecified configuration is removed or
reset to default values", except GlueVersion, which an update keeps when it leaves it out), so one
function builds it for both. The capacity rules are the API reference's and Glue's own messages:

- Spark (glueetl, gluestreaming): 2 to 100 whole DPUs, default 10. From Glue 2.0 on, DPUs are G.1X
  workers, so Glue sets WorkerType G.1X and NumberOfWorkers to the DPUs (boto3 issue 2644, where
  AWS's service team explains this); given a WorkerType, MaxCapacity is the workers' DPUs.
- Python shell: MaxCapacity 0.0625 (the default) or 1.
- Ray (glueray): Z.2X workers, the only type Ray takes.
- MaxCapacity or AllocatedCapacity next to WorkerType/NumberOfWorkers, or both capacities, is refused.
- Timeout: 2,880 minutes up to Glue 4.0, 480 from Glue 5.0, at most 10,080 (7 days); a streaming job
  has none unless given.
- GlueVersion: 5.1 when not given (the reference's default); Python shell jobs take 3.0, the newest
  they run on, and Ray jobs 4.0.

It raises InvalidInputException (errors.py) and touches no state.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from .errors import invalid_input

SPARK_COMMANDS = ("glueetl", "gluestreaming")
COMMANDS = (*SPARK_COMMANDS, "pythonshell", "glueray")
#: DPUs per worker of each type (a Standard worker is one DPU, as in Glue 0.9/1.0).
WORKER_DPUS = {"Standard": 1.0, "G.025X": 0.25, "G.1X": 1.0, "G.2X": 2.0, "G.4X": 4.0, "G.8X": 8.0, "Z.2X": 2.0}
DEFAULT_GLUE_VERSION = {"glueetl": "5.1", "gluestreaming": "5.1", "pythonshell": "3.0", "glueray": "4.0"}
SPARK_DEFAULT_DPUS, SPARK_MIN_DPUS, SPARK_MAX_DPUS = 10, 2, 100
PYTHON_SHELL_DPUS = (0.0625, 1.0)
MAX_TIMEOUT = 10080
JOB_MODES = ("SCRIPT", "VISUAL", "NOTEBOOK")
EXECUTION_CLASSES = ("FLEX", "STANDARD")

#: Members the `Job` document keeps exactly as given (absent when not given).
GIVEN_FIELDS = ("Description", "LogUri", "Role", "DefaultArguments", "NonOverridableArguments", "Connections",
                "SecurityConfiguration", "NotificationProperty", "CodeGenConfigurationNodes",
                "SourceControlDetails", "MaintenanceWindow", "JobRunQueuingEnabled", "ExecutionClass")
#: Members Glue sets itself; the rest of a `Job` is its definition.
BOOKKEEPING_FIELDS = ("Name", "CreatedOn", "LastModifiedOn")

_VERSION_PATTERN = re.compile(r"^(\w+\.)+\w+$")
_PYTHON_VERSION_PATTERN = re.compile(r"^([2-3]|3[.]9)$")


def new_job(params: dict, now) -> dict:
    """The `Job` document for a CreateJob request (checked)."""
    definition = _definition(params, params.get("GlueVersion"), "")
    return {"Name": params["Name"], "CreatedOn": now, "LastModifiedOn": now, **definition}


def updated_job(old: dict, update: dict, now) -> dict:
    """The `Job` document after UpdateJob: the update replaces the definition (checked)."""
    for member in ("Role", "Command"):
        if update.get(member) is None:
            raise invalid_input(f"{member} is required in JobUpdate.")
    definition = _definition(update, update.get("GlueVersion") or old.get("GlueVersion"), "jobUpdate.")
    return {"Name": old["Name"], "CreatedOn": old["CreatedOn"], "LastModifiedOn": now, **definition}


def definition_of(doc: dict) -> dict:
    """A job's definition, without the members Glue keeps for itself."""
    return {k: v for k, v in doc.items() if k not in BOOKKEEPING_FIELDS}


def _definition(given: dict, glue_version: Optional[str], path: str) -> dict[str, Any]:
    command = _command(given.get("Command") or {}, path)
    # A command name Glue does not know is kept as given and gets a Spark ETL job's defaults: the API
    # reference lists the four names but documents no refusal of others.
    kind = command["Name"] if command["Name"] in COMMANDS else "glueetl"
    version = glue_version or DEFAULT_GLUE_VERSION[kind]
    if not _VERSION_PATTERN.match(version):
        raise _pattern_error(version, path + "glueVersion", _VERSION_PATTERN.pattern)
    if kind in (*SPARK_COMMANDS, "pythonshell") and "PythonVersion" not in command:
        command["PythonVersion"] = _default_python(kind, version)
    mode = given.get("JobMode") or "SCRIPT"
    if mode not in JOB_MODES:
        raise _enum_error(mode, path + "jobMode", JOB_MODES)
    doc: dict[str, Any] = {"JobMode": mode}
    doc.update({name: given[name] for name in GIVEN_FIELDS if given.get(name) is not None})
    execution = dict(given.get("ExecutionProperty") or {})
    if execution.get("MaxConcurrentRuns") is None:
        execution["MaxConcurrentRuns"] = 1
    if execution["MaxConcurrentRuns"] < 1:
        raise invalid_input("MaxConcurrentRuns must be at least 1.")
    retries = given.get("MaxRetries")
    if retries is not None and retries < 0:
        raise invalid_input("MaxRetries must not be negative.")
    doc.update({"ExecutionProperty": execution, "Command": command, "MaxRetries": retries or 0})
    doc.update(capacity(given, kind, version, path))
    timeout = _timeout(given.get("Timeout"), kind, version)
    if timeout is not None:
        doc["Timeout"] = timeout
    doc["GlueVersion"] = version
    _check_execution_class(doc.get("ExecutionClass"), kind, version, path)
    return doc


def _command(given: dict, path: str) -> dict:
    command = dict(given)
    command["Name"] = command.get("Name") or "glueetl"
    python = command.get("PythonVersion")
    if python is not None and not _PYTHON_VERSION_PATTERN.match(python):
        raise _pattern_error(python, path + "command.pythonVersion", _PYTHON_VERSION_PATTERN.pattern)
    return command


def _default_python(kind: str, version: str) -> str:
    # Glue 0.9 and 1.0 ran Python 2 unless told otherwise; Python shell 3.0 runs Python 3.9.
    if not _at_least(version, 2):
        return "2"
    return "3.9" if kind == "pythonshell" else "3"


def capacity(given: dict, kind: str, version: str, path: str) -> dict[str, Any]:
    worker, workers = given.get("WorkerType"), given.get("NumberOfWorkers")
    max_capacity, allocated = given.get("MaxCapacity"), given.get("AllocatedCapacity")
    if max_capacity is not None and allocated is not None:
        raise invalid_input("Please set only Allocated Capacity or Max Capacity.")
    if worker is not None or workers is not None:
        if max_capacity is not None:
            raise invalid_input("Please do not set Max Capacity if using Worker Type and Number of Workers.")
        if allocated is not None:
            raise invalid_input("Please do not set Allocated Capacity if using Worker Type and Number of Workers.")
        if worker is None or workers is None:
            raise invalid_input("Please set both Worker Type and Number of Workers.")
        _check_workers(worker, workers, kind, version, path)
        dpus = workers * WORKER_DPUS[worker]
        return {"AllocatedCapacity": int(dpus), "MaxCapacity": float(dpus), "WorkerType": worker,
                "NumberOfWorkers": workers}
    dpus = max_capacity if max_capacity is not None else allocated
    if kind == "pythonshell":
        dpus = PYTHON_SHELL_DPUS[0] if dpus is None else float(dpus)
        if dpus not in PYTHON_SHELL_DPUS:
            raise invalid_input(f"Max Capacity {dpus:g} is not valid for a pythonshell job: "
                                "use 0.0625 or 1 DPU.")
        return {"AllocatedCapacity": int(dpus), "MaxCapacity": dpus}
    if kind == "glueray":
        raise invalid_input("Please set both Worker Type and Number of Workers.")
    dpus = SPARK_DEFAULT_DPUS if dpus is None else dpus
    if dpus != int(dpus) or not SPARK_MIN_DPUS <= dpus <= SPARK_MAX_DPUS:
        raise invalid_input(f"Max Capacity {dpus:g} is not valid for a {kind} job: use a whole number of "
                            f"DPUs from {SPARK_MIN_DPUS} to {SPARK_MAX_DPUS}.")
    dpus = int(dpus)
    capacity: dict[str, Any] = {"AllocatedCapacity": dpus, "MaxCapacity": float(dpus)}
    if _at_least(version, 2):
        capacity.update({"WorkerType": "G.1X", "NumberOfWorkers": dpus})
    return capacity


def _check_workers(worker: str, workers: int, kind: str, version: str, path: str) -> None:
    if worker not in WORKER_DPUS:
        raise _enum_error(worker, path + "workerType", tuple(WORKER_DPUS))
    if workers < 1:
        raise invalid_input("Number of Workers must be at least 1.")
    if kind == "pythonshell":
        raise invalid_input("Worker Type is not supported for pythonshell jobs: set Max Capacity "
                            "(0.0625 or 1 DPU) instead.")
    if (kind == "glueray") != (worker == "Z.2X"):
        raise invalid_input(f"Worker Type {worker} is not supported for {kind} jobs: Ray jobs take Z.2X "
                            "workers, and only Ray jobs do.")
    if worker == "Standard" and _at_least(version, 2):
        raise invalid_input(f"Worker Type Standard is not supported for Glue version {version}.")
    if worker in ("G.4X", "G.8X", "G.025X") and not _at_least(version, 3):
        raise invalid_input(f"Worker Type {worker} needs Glue version 3.0 or later.")
    if worker == "G.025X" and kind != "gluestreaming":
        raise invalid_input("Worker Type G.025X is only supported for gluestreaming jobs.")


def _timeout(given: Optional[int], kind: str, version: str) -> Optional[int]:
    if given is not None:
        if given > MAX_TIMEOUT:
            raise invalid_input(f"Timeout {given} is too long: jobs must have a timeout of at most "
                                f"{MAX_TIMEOUT} minutes (7 days).")
        return given
    if kind == "gluestreaming":
        return None
    return 480 if _at_least(version, 5) else 2880


def _check_execution_class(value: Optional[str], kind: str, version: str, path: str) -> None:
    if value is None:
        return
    if value not in EXECUTION_CLASSES:
        raise _enum_error(value, path + "executionClass", EXECUTION_CLASSES)
    if value == "FLEX" and (kind != "glueetl" or not _at_least(version, 3)):
        raise invalid_input("Only jobs with Glue version 3.0 and above and command type glueetl are allowed "
                            "to set ExecutionClass to FLEX.")


def _at_least(version: str, major: int) -> bool:
    """Whether a Glue version ("0.9", "4.0", "5.1") is `major`.0 or later."""
    head = version.split(".", 1)[0]
    return not head.isdigit() or int(head) >= major


def _enum_error(value: str, where: str, allowed: tuple[str, ...]):
    return invalid_input(f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy "
                         f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]")


def _pattern_error(value: str, where: str, pattern: str):
    return invalid_input(f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy "
                         f"constraint: Member must satisfy regular expression pattern: {pattern}")
