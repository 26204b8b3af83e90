"""EMR benchmark: one small Spark script as an EMR step through lakebox, and run directly with pyspark's
`spark-submit`, in the same run on this machine.

What it measures is the step machinery's overhead: AddJobFlowSteps, the worker claiming the step,
copying the script out of the lake, starting the driver, noticing its end, gzipping the logs into the
LogUri and committing COMPLETED, as seen by a client polling DescribeStep every 50 ms. The direct run
is `spark-submit --master local[*]` of the same script over the same input files (read from the lake
folder by path), timed from the process start to its exit. Both write Parquet, and both outputs are
read back and checked (row count and the sum of a column), so a fast wrong answer cannot score. Each
is run N times in turn (after one warm-up of each, so the JVM's files are in the page cache for both);
the medians are compared. No assertions on timings.

    .venv/bin/python bench/emr_bench.py [--quick] [--runs N] [--rows N]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from s3_bench import start_lakebox  # noqa: E402

BUCKET = "emr-bench"

SCRIPT = b'''
import sys
from pyspark.sql import SparkSession, functions as F

source, target = sys.argv[1], sys.argv[2]
spark = SparkSession.builder.appName("emr-bench").getOrCreate()
orders = spark.read.option("header", True).option("inferSchema", True).csv(source)
totals = orders.groupBy("customer").agg(F.sum("amount").alias("total"), F.count("*").alias("orders"))
totals.write.mode("overwrite").parquet(target)
spark.stop()
'''


def client(service: str, endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def make_input(rows: int) -> tuple[bytes, int]:
    """A CSV of orders over 100 customers; the expected sum of `orders` is `rows`."""
    lines = ["customer,amount"] + [f"c{n % 100},{n % 997}.25" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode(), rows


def check_parquet(files: list[bytes], rows: int) -> None:
    import pyarrow.parquet as pq

    tables = [pq.read_table(io.BytesIO(body)) for body in files]
    customers = sum(t.num_rows for t in tables)
    orders = sum(sum(t.column("orders").to_pylist()) for t in tables)
    if customers != 100 or orders != rows:
        raise AssertionError(f"wrong output: {customers} customers, {orders} orders (want 100, {rows})")


def run_step(emr, s3, cluster_id: str, n: int, rows: int) -> dict:
    target = f"s3://{BUCKET}/out/emr-{n}/"
    start = time.perf_counter()
    step_id = emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[{
        "Name": f"bench-{n}", "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {"Jar": "command-runner.jar", "Args": [
            "spark-submit", "--deploy-mode", "cluster", f"s3://{BUCKET}/bench.py", f"s3://{BUCKET}/input/",
            target]}}])["StepIds"][0]
    while True:
        step = emr.describe_step(ClusterId=cluster_id, StepId=step_id)["Step"]
        state = step["Status"]["State"]
        if state in ("COMPLETED", "FAILED", "CANCELLED"):
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if state != "COMPLETED":
        raise AssertionError(f"step {step_id} {state}: {step['Status'].get('FailureDetails')}")
    timeline = step["Status"]["Timeline"]
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"out/emr-{n}/").get("Contents", [])
    check_parquet([s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listing
                   if o["Key"].endswith(".parquet")], rows)
    return {"wall": elapsed, "step": (timeline["EndDateTime"] - timeline["StartDateTime"]).total_seconds()}


def run_direct(lake: Path, work: Path, n: int, rows: int) -> float:
    import pyspark

    spark_submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    target = work / f"direct-{n}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYSPARK_", "SPARK_"))}
    env.update({"PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable,
                "SPARK_LOCAL_IP": "127.0.0.1"})
    command = [str(spark_submit), "--master", "local[*]", "--conf", "spark.ui.enabled=false",
               str(lake / "bench.py"), str(lake / "input"), str(target)]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=work, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise AssertionError(f"spark-submit failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    check_parquet([p.read_bytes() for p in target.glob("*.parquet")], rows)
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 timed run of each")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument("--rows", type=int, default=200_000, help="rows of input CSV (default 200,000)")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else args.runs
    body, rows = make_input(args.rows)
    with tempfile.TemporaryDirectory(prefix="lakebox-emr-bench-") as tmp:
        tmp_path = Path(tmp)
        server = start_lakebox(tmp_path)
        try:
            emr, s3 = client("emr", server.endpoint), client("s3", server.endpoint)
            s3.create_bucket(Bucket=BUCKET)
            s3.put_object(Bucket=BUCKET, Key="bench.py", Body=SCRIPT)
            s3.put_object(Bucket=BUCKET, Key="input/orders.csv", Body=body)
            cluster_id = emr.run_job_flow(Name="emr-bench", ReleaseLabel="emr-7.0.0", LogUri=f"s3://{BUCKET}/logs/",
                                          Applications=[{"Name": "Spark"}],
                                          Instances={"MasterInstanceType": "m5.xlarge",
                                                     "KeepJobFlowAliveWhenNoSteps": True})["JobFlowId"]
            lake = tmp_path / "lakebox-data" / "s3" / BUCKET
            work = tmp_path / "direct"
            work.mkdir()
            print(f"input: {rows:,} rows ({len(body) / (1 << 20):.1f} MiB of CSV); warm-up of each ...", flush=True)
            run_direct(lake, work, 0, rows)
            run_step(emr, s3, cluster_id, 0, rows)
            direct, steps = [], []
            for n in range(1, runs + 1):
                direct.append(run_direct(lake, work, n, rows))
                steps.append(run_step(emr, s3, cluster_id, n, rows))
                print(f"run {n}: spark-submit {direct[-1]:.2f} s, EMR step {steps[-1]['wall']:.2f} s", flush=True)
            emr.terminate_job_flows(JobFlowIds=[cluster_id])
        finally:
            server.stop()
        shutil.rmtree(tmp_path / "direct", ignore_errors=True)
    d = statistics.median(direct)
    w = statistics.median(s["wall"] for s in steps)
    inner = statistics.median(s["step"] for s in steps)
    print(f"\n{'run':<52} {'median s':>9}")
    print("-" * 62)
    print(f"{'spark-submit, directly':<52} {d:>9.2f}")
    print(f"{'EMR step through lakebox (AddJobFlowSteps -> COMPLETED)':<52} {w:>9.2f}")
    print(f"{'  of which the step ran (Start -> EndDateTime)':<52} {inner:>9.2f}")
    around = statistics.median(s["wall"] - s["step"] for s in steps)
    print(f"\nEMR step / spark-submit: {w / d:.2f}x; overhead of the step machinery: {w - d:+.2f} s per step "
          f"({around:.2f} s of it outside the driver: queueing, copying the script, logs, commits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
