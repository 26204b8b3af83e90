"""Helpers for the Glue Data Quality tests: Parquet tables written to the lake and catalogued, and
evaluation runs waited for to their end."""

from __future__ import annotations

import io
import time

import pyarrow as pa
import pyarrow.parquet as pq
from crawler_helpers import ROLE, make_s3

PARQUET_FORMAT = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
}
_ARROW_TYPES = {"bigint": pa.int64(), "double": pa.float64(), "string": pa.string(), "int": pa.int32()}


def put_table_file(s3, bucket: str, key: str, columns: list[tuple[str, str]], rows: dict) -> None:
    """One Parquet file with the given columns (Glue types) and values."""
    schema = pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in columns])
    sink = io.BytesIO()
    pq.write_table(pa.table(rows, schema=schema), sink)
    s3.put_object(Bucket=bucket, Key=key, Body=sink.getvalue())


def parquet_table(endpoint: str, glue, database: str, name: str, columns: list[tuple[str, str]], rows: dict,
                  bucket: str = "lake") -> None:
    """The catalog table `database.name` over one Parquet file under s3://bucket/<database>/<name>/."""
    put_table_file(make_s3(endpoint), bucket, f"{database}/{name}/part-0.parquet", columns, rows)
    glue.create_table(DatabaseName=database, TableInput={
        "Name": name, "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "parquet"},
        "StorageDescriptor": {"Columns": [{"Name": n, "Type": t} for n, t in columns],
                              "Location": f"s3://{bucket}/{database}/{name}/", **PARQUET_FORMAT}})


def glue_source(database: str, table: str) -> dict:
    return {"GlueTable": {"DatabaseName": database, "TableName": table}}


def wait_for_run(glue, run_id: str, timeout: float = 120.0, *, recommendation: bool = False) -> dict:
    """An evaluation run (a rule recommendation run with `recommendation`) once it has ended."""
    get = glue.get_data_quality_rule_recommendation_run if recommendation \
        else glue.get_data_quality_ruleset_evaluation_run
    deadline = time.monotonic() + timeout
    while True:
        run = get(RunId=run_id)
        if run["Status"] not in ("STARTING", "RUNNING", "STOPPING"):
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} still {run['Status']} after {timeout}s")
        time.sleep(0.1)


def evaluated(glue, database: str, table: str, ruleset: str, **options) -> dict:
    """The result of one successful run of the ruleset on the table."""
    run_id = glue.start_data_quality_ruleset_evaluation_run(
        DataSource=glue_source(database, table), Role=ROLE, RulesetNames=[ruleset], **options)["RunId"]
    run = wait_for_run(glue, run_id)
    assert run["Status"] == "SUCCEEDED", run.get("ErrorString")
    return glue.get_data_quality_result(ResultId=run["ResultIds"][0])


def outcomes(result: dict) -> list[tuple[str, dict, str]]:
    """(Result, EvaluatedMetrics, EvaluationMessage or '') of each rule, in ruleset order."""
    return [(r["Result"], r["EvaluatedMetrics"], r.get("EvaluationMessage", "")) for r in result["RuleResults"]]
