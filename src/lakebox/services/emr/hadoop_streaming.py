"""Reading the `hadoop-streaming` command line of a `command-runner.jar` step.

Hadoop streaming runs a MapReduce job whose mapper and reducer are programs reading lines on stdin
and writing `key<TAB>value` lines on stdout; EMR's word-count sample is one. lakebox runs the same
job on its local Spark (streaming_driver.py): the input files' lines go through the mapper, the
mapper's lines are partitioned by key and sorted within each partition, and each partition goes
through the reducer, as MapReduce does; the part files land in the output folder.

Kept: the generic options `-D` (only `mapreduce.job.reduces` / `mapred.reduce.tasks` mean something
here; the others are listed as ignored), `-files` (`uri#name` ships a file under that name into the
tasks' working folder, where the mapper finds it), and the streaming options `-input` (repeatable),
`-output`, `-mapper`, `-reducer` (a program, `aggregate` for Hadoop's aggregate package, or the
identity), `-combiner` (a combiner may only merge early what the reducer would merge anyway, so it is
not needed for the result and is not run), `-numReduceTasks`, `-cmdenv`, `-file` and `-verbose`.
Refused (StreamingError): Java classes as mapper or reducer, `-inputformat`, `-outputformat`,
`-partitioner`, `-libjars`, `-archives`, and options streaming itself does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

#: The reducer that sums, counts or compares values by the type named in the key (`LongValueSum:word`).
AGGREGATE = "aggregate"
IDENTITY_CLASSES = {"org.apache.hadoop.mapred.lib.IdentityMapper", "org.apache.hadoop.mapred.lib.IdentityReducer",
                    "IdentityMapper", "IdentityReducer"}
REDUCES_KEYS = ("mapreduce.job.reduces", "mapred.reduce.tasks")
REFUSED = {"-inputformat": "an input format is a Java class", "-outputformat": "an output format is a Java class",
           "-partitioner": "a partitioner is a Java class", "-libjars": "Java libraries cannot be used",
           "-archives": "archives are not unpacked for streaming tasks", "-inputreader": "an input reader is a "
           "Java class", "-io": "typed bytes are not supported", "-mapdebug": "debug scripts are not run",
           "-reducedebug": "debug scripts are not run"}
WITH_VALUE = {"-D", "-files", "-input", "-output", "-mapper", "-reducer", "-combiner", "-numReduceTasks", "-cmdenv",
              "-file"}


class StreamingError(ValueError):
    """A hadoop-streaming command line that lakebox cannot run; the message says why."""


@dataclass
class StreamingJob:
    inputs: list[str] = field(default_factory=list)
    output: str = ""
    #: The mapper and reducer commands; "" is the identity, `AGGREGATE` the aggregate reducer.
    mapper: str = ""
    reducer: str = ""
    num_reducers: Optional[int] = None
    env: dict[str, str] = field(default_factory=dict)
    #: (uri, name in the working folder) of each file the tasks need.
    files: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def spec(self) -> dict:
        """What the driver needs, as JSON-ready data (the files are already in its working folder)."""
        return {"inputs": self.inputs, "output": self.output, "mapper": self.mapper, "reducer": self.reducer,
                "num_reducers": self.num_reducers if self.num_reducers is not None else 1, "env": self.env}


def _program(option: str, value: str) -> str:
    """A mapper or reducer command; Java class names are refused, except the identity classes."""
    value = value.strip()
    if value in IDENTITY_CLASSES:
        return ""
    if value == AGGREGATE:
        if option != "-reducer":
            raise StreamingError("hadoop-streaming: aggregate is a reducer; the mapper must be a program.")
        return value
    first = value.split()[0] if value else ""
    if first.count(".") >= 2 and "/" not in first and first.split(".")[-1][:1].isupper():
        raise StreamingError(f"hadoop-streaming {option} {value} names a Java class; lakebox runs streaming "
                             "tasks as programs only.")
    return value


def _count(option: str, value: str) -> int:
    if not value.isdigit():
        raise StreamingError(f"hadoop-streaming: {option} {value} is not a number of reduce tasks.")
    return int(value)


def parse(args: list[str]) -> StreamingJob:
    """The arguments after `hadoop-streaming` as a StreamingJob; StreamingError if lakebox cannot run them."""
    job = StreamingJob()
    i = 0
    while i < len(args):
        option = args[i]
        if option in REFUSED:
            raise StreamingError(f"hadoop-streaming {option} is not supported by lakebox: {REFUSED[option]}.")
        if option in ("-verbose", "-lazyOutput"):
            job.ignored.append(option)
            i += 1
            continue
        if option not in WITH_VALUE:
            raise StreamingError(f"hadoop-streaming: unrecognized option {option}.")
        if i + 1 >= len(args):
            raise StreamingError(f"hadoop-streaming: option {option} needs a value.")
        value = args[i + 1]
        i += 2
        if option == "-D":
            key, _, setting = value.partition("=")
            if key in REDUCES_KEYS:
                job.num_reducers = _count(f"-D {key}", setting)
            else:
                job.ignored.append(f"-D {value}")
        elif option in ("-files", "-file"):
            for uri in (item for item in value.split(",") if item):
                path, _, alias = uri.partition("#")
                job.files.append((path, alias or path.rstrip("/").rsplit("/", 1)[-1]))
        elif option == "-input":
            job.inputs += [item for item in value.split(",") if item]
        elif option == "-output":
            job.output = value
        elif option in ("-mapper", "-reducer"):
            setattr(job, option[1:], _program(option, value))
        elif option == "-combiner":
            job.ignored.append(f"-combiner {value}")
        elif option == "-numReduceTasks":
            job.num_reducers = _count(option, value)
        else:  # -cmdenv
            key, sep, setting = value.partition("=")
            if not sep or not key:
                raise StreamingError(f"hadoop-streaming: -cmdenv {value} is not of the form NAME=VALUE.")
            job.env[key] = setting
    if not job.inputs or not job.output:
        raise StreamingError("hadoop-streaming: -input and -output are required.")
    if job.num_reducers == 0 and job.reducer:
        job.ignored.append(f"-reducer {job.reducer} (no reduce tasks)")
    return job
