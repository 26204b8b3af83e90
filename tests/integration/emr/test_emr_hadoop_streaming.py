"""hadoop-streaming steps: EMR's word-count sample (a Python mapper shipped with -files, Hadoop's
aggregate reducer, two reduce tasks) really counts the words of the lake's files on Spark; and the
driver's pieces on their own: a reducer program, a failing program, the aggregate types. A step whose
mapper fails reports the task's error.

Two Spark drivers run in this module, one after the other on one cluster.
"""

from __future__ import annotations

import collections
import os
import sys

import pytest
from emr_helpers import client, gunzip_object, wait_step

from lakebox.services.emr.streaming_driver import aggregate, through_program
from lakebox.testing import running_lakebox

#: EMR's wordSplitter.py sample, in spirit: one `LongValueSum:<word>\t1` line per word.
WORD_SPLITTER = b'''
import re
import sys

pattern = re.compile("[a-zA-Z][a-zA-Z0-9]*")
for line in sys.stdin:
    for word in pattern.findall(line):
        print("LongValueSum:" + word.lower() + "\\t" + "1")
'''

TEXTS = {"input/part-1.txt": "The quick brown fox\njumps over the lazy dog\n",
         "input/part-2.txt": "the dog barks\nThe fox runs, the fox hides\n"}


def _expected_counts() -> dict[str, int]:
    import re

    return dict(collections.Counter(w.lower() for text in TEXTS.values()
                                    for w in re.findall("[a-zA-Z][a-zA-Z0-9]*", text)))


@pytest.fixture(scope="module")
def wordcount(tmp_path_factory):
    with running_lakebox(tmp_path_factory.mktemp("emr-streaming") / "data", set_env=False) as server:
        s3, emr = client(server.endpoint_url, "s3"), client(server.endpoint_url, "emr")
        for bucket in ("samples", "results", "logs"):
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket="samples", Key="wordcount/wordSplitter.py", Body=WORD_SPLITTER)
        for key, text in TEXTS.items():
            s3.put_object(Bucket="samples", Key=key, Body=text.encode())
        cluster_id = emr.run_job_flow(
            Name="wordcount", LogUri="s3://logs/emr/", ReleaseLabel="emr-6.5.0",
            Instances={"MasterInstanceType": "m5.xlarge", "KeepJobFlowAliveWhenNoSteps": True},
            Steps=[{"Name": "word count", "ActionOnFailure": "CONTINUE", "HadoopJarStep": {
                "Jar": "command-runner.jar",
                "Args": ["hadoop-streaming", "-D", "mapreduce.job.reduces=2", "-D", "mapreduce.map.memory.mb=2048",
                         "-files", "s3://samples/wordcount/wordSplitter.py#splitter.py",
                         "-mapper", "python splitter.py", "-input", "s3://samples/input/",
                         "-output", "s3://results/wordcount/", "-reducer", "aggregate"]}}])["JobFlowId"]
        step_id = emr.list_steps(ClusterId=cluster_id)["Steps"][0]["Id"]
        yield emr, s3, cluster_id, step_id


def test_the_word_count_sample_counts_the_words_of_the_lake_files(wordcount):
    emr, s3, cluster_id, step_id = wordcount
    step = wait_step(emr, cluster_id, step_id, "COMPLETED", "FAILED", timeout=180)
    assert step["Status"]["State"] == "COMPLETED", step["Status"].get("FailureDetails")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="results", Prefix="wordcount/")["Contents"])
    assert keys == ["wordcount/part-00000", "wordcount/part-00001"]
    counts, seen = {}, []
    for key in keys:
        lines = s3.get_object(Bucket="results", Key=key)["Body"].read().decode().splitlines()
        words = [line.split("\t")[0] for line in lines]
        assert words == sorted(words)  # each reduce task's output is sorted by key
        seen += words
        counts.update({word: int(n) for word, n in (line.split("\t") for line in lines)})
    assert len(seen) == len(set(seen))  # a key goes to one reduce task only
    assert counts == _expected_counts() and counts["the"] == 5 and counts["fox"] == 3
    stderr = gunzip_object(s3, "logs", f"emr/{cluster_id}/steps/{step_id}/stderr.gz")
    assert "Command exiting with ret '0'" in stderr


def test_a_failing_mapper_fails_the_step_with_the_task_s_error(wordcount):
    emr, s3, cluster_id, first = wordcount
    wait_step(emr, cluster_id, first, "COMPLETED", "FAILED", timeout=180)
    s3.put_object(Bucket="samples", Key="bad/mapper.py", Body=b"import sys\nsys.stdin.read()\nsys.exit(3)\n")
    step_id = emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[{
        "Name": "bad mapper", "ActionOnFailure": "CONTINUE", "HadoopJarStep": {"Jar": "command-runner.jar", "Args": [
            "hadoop-streaming", "-files", "s3://samples/bad/mapper.py", "-mapper", "python mapper.py",
            "-input", "s3://samples/input/part-1.txt", "-output", "s3://results/bad/", "-numReduceTasks", "0"]}}])[
        "StepIds"][0]
    step = wait_step(emr, cluster_id, step_id, "COMPLETED", "FAILED", timeout=180)
    assert step["Status"]["State"] == "FAILED"
    assert step["Status"]["FailureDetails"]["Message"] == (
        "StreamingJobError: RuntimeError: PipeMapRed.waitOutputThreads(): subprocess failed with code 3: "
        "python mapper.py")
    assert "Contents" not in s3.list_objects_v2(Bucket="results", Prefix="bad/")
    assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]["State"] == "WAITING"


def test_a_program_reducer_gets_the_sorted_lines_and_the_cmdenv(tmp_path):
    script = tmp_path / "total.py"
    script.write_text("import os, sys\nrows = [l.rstrip('\\n').split('\\t') for l in sys.stdin]\n"
                      "print(os.environ['LABEL'] + '\\t' + ','.join(k for k, v in rows) + '\\t' + "
                      "str(sum(int(v) for k, v in rows)))\n")
    env = {**os.environ, "LABEL": "total"}
    run = through_program(f"{sys.executable} total.py", env, str(tmp_path))
    assert list(run(iter(["a\t1", "b\t2", "c\t3"]))) == ["total\ta,b,c\t6"]


def test_a_failing_program_fails_the_task_with_its_exit_code(tmp_path):
    run = through_program(f"{sys.executable} -c \"import sys; sys.stdin.read(); sys.exit(3)\"", dict(os.environ),
                          str(tmp_path))
    with pytest.raises(RuntimeError, match="subprocess failed with code 3"):
        list(run(iter(["x"] * 1000)))


def test_the_aggregate_reducer_types():
    lines = ["DoubleValueSum:price\t1.5", "DoubleValueSum:price\t2", "LongValueMax:size\t7", "LongValueMax:size\t12",
             "LongValueMin:size\t7", "LongValueMin:size\t-2", "LongValueSum:word\t1", "LongValueSum:word\t1",
             "StringValueMax:name\tann", "StringValueMax:name\tzoe", "UniqValueCount:user\tu1",
             "UniqValueCount:user\tu2", "UniqValueCount:user\tu1"]
    assert list(aggregate(iter(lines))) == ["price\t3.5", "size\t12", "size\t-2", "word\t2", "name\tzoe", "user\t2"]
    with pytest.raises(ValueError, match="unknown aggregator type 'Median'"):
        list(aggregate(iter(["Median:x\t1"])))
