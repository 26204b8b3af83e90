"""The driver of a hadoop-streaming step on local Spark: map, partition and sort by key, reduce.

spark-submit runs this file (lakebox never imports it); its one argument is the job as JSON, from
hadoop_streaming.py. It does what MapReduce does for a streaming job: every line of the input goes
to the mapper program's stdin; each line the mapper writes is split at its first tab into key and
value (no tab: the whole line is the key); the lines are partitioned by key into the reduce tasks
and sorted by key within each; each partition goes through the reducer (a program, Hadoop's
`aggregate` reducer, or none, which keeps the sorted lines); the results are written as part files
in the output folder, which must not exist yet. With no reduce tasks the mapper's lines are the
output. A program that exits with an error fails the step, as a failed task fails the job; the step's
error is then the task's (or Hadoop's, such as a missing input path), not Py4J's wrapper.

The programs run in the driver's working folder, where the step's `-files` were put, with `python`
on their PATH being the Python that runs Spark.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading


def split(line: str) -> tuple[str, str]:
    key, _, value = line.partition("\t")
    return key, value


def through_program(command: str, env: dict, cwd: str):
    """A partition function that pipes the partition's lines through `command`."""
    argv = shlex.split(command)

    def run(lines):
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=cwd,
                                   text=True, encoding="utf-8", errors="surrogateescape")
        failure = []

        def feed():
            try:
                for line in lines:
                    process.stdin.write(line + "\n")
            except BrokenPipeError:  # the program stopped reading; its exit code says whether that was right
                pass
            except Exception as exc:  # noqa: BLE001 - reported by the task below, not swallowed
                failure.append(exc)
            finally:
                try:
                    process.stdin.close()
                except BrokenPipeError:
                    pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        for out in process.stdout:
            yield out.rstrip("\n")
        code = process.wait()
        writer.join()
        if failure:
            raise failure[0]
        if code != 0:
            raise RuntimeError(f"PipeMapRed.waitOutputThreads(): subprocess failed with code {code}: {command}")

    return run


def _aggregate_one(key: str, values: list[str]) -> str:
    kind, _, name = key.partition(":")
    if kind == "LongValueSum":
        result = str(sum(int(v) for v in values))
    elif kind == "LongValueMax":
        result = str(max(int(v) for v in values))
    elif kind == "LongValueMin":
        result = str(min(int(v) for v in values))
    elif kind == "DoubleValueSum":
        result = repr(float(sum(float(v) for v in values)))
    elif kind == "StringValueMax":
        result = max(values)
    elif kind == "StringValueMin":
        result = min(values)
    elif kind == "UniqValueCount":
        result = str(len(set(values)))
    else:
        raise ValueError(f"aggregate reducer: unknown aggregator type {kind!r} in key {key!r} (use LongValueSum, "
                         "LongValueMax, LongValueMin, DoubleValueSum, StringValueMax, StringValueMin or "
                         "UniqValueCount)")
    return f"{name}\t{result}"


def aggregate(lines):
    """Hadoop's aggregate reducer over lines sorted by key: one `name<TAB>result` line per key."""
    current, values = None, []
    for line in lines:
        key, value = split(line)
        if key != current:
            if current is not None:
                yield _aggregate_one(current, values)
            current, values = key, []
        values.append(value)
    if current is not None:
        yield _aggregate_one(current, values)


class StreamingJobError(Exception):
    """The job failed in Spark; the message is the Java exception's, or the failed task's own error."""


def job_failure(message: str) -> str:
    """The line of a Spark failure (its Java exceptions, outermost first) that says why: the last
    `SomeError: ...` line, the deepest cause (a failed task's own exception), else the first line."""
    lines = message.splitlines()
    causes = [line for line in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception): ", line)]
    return (causes[-1] if causes else lines[0] if lines else message).strip()


def main(spec: dict) -> None:
    from pyspark import SparkContext

    env = dict(os.environ)
    env.update(spec["env"])
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", os.defpath)
    cwd = os.getcwd()
    sc = SparkContext.getOrCreate()
    lines = sc.textFile(",".join(spec["inputs"]))
    mapped = lines.mapPartitions(through_program(spec["mapper"], env, cwd)) if spec["mapper"] else lines
    if spec["num_reducers"] == 0:
        result = mapped
    else:
        ordered = mapped.map(lambda line: (split(line)[0], line)).repartitionAndSortWithinPartitions(
            numPartitions=spec["num_reducers"]).values()
        if spec["reducer"] == "aggregate":
            result = ordered.mapPartitions(aggregate)
        elif spec["reducer"]:
            result = ordered.mapPartitions(through_program(spec["reducer"], env, cwd))
        else:
            result = ordered
    try:
        result.saveAsTextFile(spec["output"])
    except Exception as exc:
        java = getattr(exc, "java_exception", None)
        if java is None:
            raise
        chain = []
        while java is not None and len(chain) < 20:
            chain.append(str(java.toString()))
            java = java.getCause()
        raise StreamingJobError(job_failure("\n".join(chain))) from exc
    finally:
        sc.stop()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
