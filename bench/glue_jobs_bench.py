"""Glue job runs benchmark: a glueetl job through lakebox against the raw engine, in one run.

The same PySpark script (CSV in, group by, Parquet out) runs two ways on this machine:
- **lakebox**: CreateJob + StartJobRun, polled with GetJobRun until SUCCEEDED; the time is from the
  StartJobRun call to the first GetJobRun that answers SUCCEEDED (so it includes copying the script,
  the JVM start, shipping the driver's logs and the poll interval of 0.2 s);
- **raw**: pyspark's own `spark-submit --master local[*]` on the same script, reading and writing
  local files: the least the job can cost here.
The ratio lakebox/raw is lakebox's overhead. An interactive session is measured the same way: the
time from CreateSession to READY against starting a SparkSession in a fresh Python, and a statement
(the same aggregate, from RunStatement to AVAILABLE, polled every 0.05 s) against running its code in
that SparkSession. A pythonshell job (a print) is measured the same way
against `python script.py`, which shows the fixed cost of a run without Spark. moto's server is
measured too when installed: its StartJobRun runs nothing, so its output check fails and it shows
`wrong`. Every result is checked (the Parquet written must hold the right totals), so a fast wrong
answer cannot score. No assertions on timings.

    .venv/bin/python bench/glue_jobs_bench.py [--rows 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from s3_bench import start_lakebox, start_moto  # noqa: E402

SCRIPT = """\
import sys
from pyspark.sql import SparkSession, functions as F
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
spark = SparkSession.builder.getOrCreate()
sales = spark.read.option("header", True).schema("region string, amount double").csv(args["--input"])
sales.groupBy("region").agg(F.sum("amount").alias("total"), F.count("*").alias("n")) \\
    .write.mode("overwrite").parquet(args["--output"])
"""
SHELL_SCRIPT = "print('hello from a python shell job')\n"
#: The statement a session runs: the ETL's aggregate, answered as text ({path} is the input).
STATEMENT = """\
from pyspark.sql import functions as F
totals = spark.read.option("header", True).schema("region string, amount double").csv("{path}") \\
    .groupBy("region").agg(F.sum("amount").alias("total"), F.count("*").alias("n")).collect()
sorted((r.region, round(r.total, 3), r.n) for r in totals)"""
#: The raw session: start Spark, run the statement `repeat` times, print the timings as JSON.
RAW_SESSION = """\
import json, sys, time
start = time.perf_counter()
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[*]").config("spark.ui.enabled", "false").getOrCreate()
timings = {{"start": time.perf_counter() - start, "statement": []}}
for _ in range({repeat}):
    start = time.perf_counter()
    namespace = {{"spark": spark}}
    code = {code!r}
    *body, last = code.split("\\n")
    exec("\\n".join(body), namespace)
    timings["answer"] = repr(eval(last, namespace))
    timings["statement"].append(time.perf_counter() - start)
print(json.dumps(timings))
"""
REGIONS = ["north", "south", "east", "west"]


def client(service: str, endpoint: str):
    import boto3

    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test")


def sales_csv(rows: int) -> bytes:
    lines = ["region,amount"] + [f"{REGIONS[i % 4]},{i % 100}.5" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def expected_totals(rows: int) -> dict[str, tuple[float, int]]:
    totals: dict[str, list] = {r: [0.0, 0] for r in REGIONS}
    for i in range(rows):
        totals[REGIONS[i % 4]][0] += i % 100 + 0.5
        totals[REGIONS[i % 4]][1] += 1
    return {r: (round(t, 3), n) for r, (t, n) in totals.items()}


def parquet_totals(tables) -> dict[str, tuple[float, int]]:
    return {r["region"]: (round(r["total"], 3), r["n"]) for t in tables for r in t.to_pylist()}


def run_job(endpoint: str, name: str, command: str, script_key: str, args: dict) -> float:
    glue = client("glue", endpoint)
    glue.create_job(Name=name, Role="arn:aws:iam::000000000000:role/Glue",
                    Command={"Name": command, "ScriptLocation": f"s3://bench/{script_key}"}, DefaultArguments=args)
    start = time.perf_counter()
    run_id = glue.start_job_run(JobName=name)["JobRunId"]
    while True:
        run = glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]
        if run["JobRunState"] not in ("STARTING", "RUNNING", "STOPPING", "WAITING"):
            elapsed = time.perf_counter() - start
            if run["JobRunState"] != "SUCCEEDED":
                raise RuntimeError(f"{name}: {run['JobRunState']} {run.get('ErrorMessage')}")
            return elapsed
        time.sleep(0.2)


def measure_server(server, rows: int, repeat: int) -> dict:
    import pyarrow.parquet as pq

    s3 = client("s3", server.endpoint)
    s3.create_bucket(Bucket="bench")
    s3.put_object(Bucket="bench", Key="input/sales.csv", Body=sales_csv(rows))
    s3.put_object(Bucket="bench", Key="scripts/etl.py", Body=SCRIPT.encode())
    s3.put_object(Bucket="bench", Key="scripts/shell.py", Body=SHELL_SCRIPT.encode())
    result: dict = {"etl": [], "shell": []}
    for n in range(repeat):
        output = f"output/run{n}/"
        seconds = run_job(server.endpoint, f"etl-{n}", "glueetl", "scripts/etl.py",
                          {"--input": "s3://bench/input/", "--output": f"s3://bench/{output}"})
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="bench", Prefix=output).get("Contents", [])]
        tables = [pq.read_table(io.BytesIO(s3.get_object(Bucket="bench", Key=k)["Body"].read())) for k in keys]
        if parquet_totals(tables) != expected_totals(rows):
            result["wrong"] = f"run {n}: the Parquet under s3://bench/{output} does not hold the totals ({len(keys)} objects)"
            return result
        result["etl"].append(seconds)
        result["shell"].append(run_job(server.endpoint, f"shell-{n}", "pythonshell", "scripts/shell.py", {}))
    try:
        result.update(measure_session(server.endpoint, rows, repeat))
    except Exception as exc:  # noqa: BLE001 - a server without sessions scores `wrong` on them
        result["session_wrong"] = f"{type(exc).__name__}: {exc}"
    return result


def expected_statement(rows: int) -> str:
    return repr(sorted((region, total, n) for region, (total, n) in expected_totals(rows).items()))


def measure_session(endpoint: str, rows: int, repeat: int) -> dict:
    """CreateSession to READY, then the statement `repeat` times; checked against the totals."""
    glue = client("glue", endpoint)
    start = time.perf_counter()
    glue.create_session(Id="bench", Role="arn:aws:iam::000000000000:role/Glue", Command={"Name": "glueetl"})
    while (status := glue.get_session(Id="bench")["Session"]["Status"]) == "PROVISIONING":
        time.sleep(0.05)
    if status != "READY":
        raise RuntimeError(f"session ended {status}")
    result: dict = {"session_start": [time.perf_counter() - start], "statement": []}
    for _ in range(repeat):
        start = time.perf_counter()
        statement_id = glue.run_statement(SessionId="bench", Code=STATEMENT.format(path="s3://bench/input/"))["Id"]
        while (statement := glue.get_statement(SessionId="bench", Id=statement_id)["Statement"])["State"] in (
                "WAITING", "RUNNING"):
            time.sleep(0.05)
        result["statement"].append(time.perf_counter() - start)
        answer = statement.get("Output", {}).get("Data", {}).get("TextPlain")
        if answer != expected_statement(rows):
            raise RuntimeError(f"the session's statement answered {answer!r}")
    glue.delete_session(Id="bench")
    return result


def measure_raw(tmp: Path, rows: int, repeat: int) -> dict:
    import pyarrow.parquet as pq
    import pyspark

    (tmp / "input").mkdir()
    (tmp / "input" / "sales.csv").write_bytes(sales_csv(rows))
    (tmp / "etl.py").write_text(SCRIPT)
    (tmp / "shell.py").write_text(SHELL_SCRIPT)
    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    result: dict = {"etl": [], "shell": []}
    for n in range(repeat):
        output = tmp / f"out{n}"
        start = time.perf_counter()
        subprocess.run([str(submit), "--master", "local[*]", "--conf", "spark.ui.enabled=false", str(tmp / "etl.py"),
                        "--input", str(tmp / "input"), "--output", str(output)], check=True,
                       capture_output=True)
        result["etl"].append(time.perf_counter() - start)
        if parquet_totals([pq.read_table(p) for p in output.glob("*.parquet")]) != expected_totals(rows):
            raise RuntimeError("the raw run's totals are wrong")
        start = time.perf_counter()
        subprocess.run([sys.executable, str(tmp / "shell.py")], check=True, capture_output=True)
        result["shell"].append(time.perf_counter() - start)
    code = STATEMENT.format(path=str(tmp / "input"))
    done = subprocess.run([sys.executable, "-c", RAW_SESSION.format(repeat=repeat, code=code)], check=True,
                          capture_output=True, text=True)
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    if timings["answer"] != expected_statement(rows):
        raise RuntimeError(f"the raw session answered {timings['answer']!r}")
    result.update(session_start=[timings["start"]], statement=timings["statement"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as work:
        tmp = Path(work)
        print(f"raw spark-submit, {args.rows:,} CSV rows, {args.repeat} runs ...", flush=True)
        (tmp / "raw").mkdir()
        results["raw"] = measure_raw(tmp / "raw", args.rows, args.repeat)
        for name, start in (("lakebox", start_lakebox), ("moto", start_moto)):
            if name == "moto":
                try:
                    import moto  # noqa: F401
                except ImportError:
                    print("moto is not installed (pip install 'moto[server]'): skipped")
                    continue
            print(f"{name} ...", flush=True)
            (tmp / name).mkdir()
            server = start(tmp / name)
            try:
                results[name] = measure_server(server, args.rows, args.repeat)
            except Exception as exc:  # noqa: BLE001 - a server that cannot run the job scores `wrong`
                results[name] = {"wrong": f"{type(exc).__name__}: {exc}"}
            finally:
                server.stop()
    raw = results["raw"]
    print(f"\n{'metric':<34}{'lakebox':>12}{'raw engine':>12}{'lakebox/raw':>13}{'moto':>10}")
    for metric, label in (("etl", "glueetl job, median seconds"), ("shell", "pythonshell job, median seconds"),
                          ("session_start", "session to READY, seconds"),
                          ("statement", "session statement, median seconds")):
        base = statistics.median(raw[metric])
        cells = []
        for name in ("lakebox", "moto"):
            res = results.get(name)
            cells.append("-" if res is None else "wrong" if "wrong" in res or metric not in res
                         else f"{statistics.median(res[metric]):.2f}")
        ratio = f"{float(cells[0]) / base:.2f}" if cells[0] not in ("-", "wrong") else "-"
        print(f"{label:<34}{cells[0]:>12}{base:>12.2f}{ratio:>13}{cells[1]:>10}")
    for name in ("lakebox", "moto"):
        for key in ("wrong", "session_wrong"):
            if results.get(name, {}).get(key):
                print(f"{name} {key.replace('_', ' ')}: {results[name][key]}")


if __name__ == "__main__":
    main()
