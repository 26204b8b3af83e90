"""Helpers shared by the Glue integration tests: clients, table definitions and error extraction."""

from __future__ import annotations

import boto3
from botocore.config import Config

REGION = "us-east-1"


def make_glue(endpoint_url: str, region: str = REGION):
    return boto3.client("glue", endpoint_url=endpoint_url, region_name=region, aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def storage(location: str, columns=(("order_id", "bigint"), ("amount", "double"))) -> dict:
    return {
        "Columns": [{"Name": n, "Type": t} for n, t in columns],
        "Location": location,
        "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe", "Parameters": {"paths": "a"}},
    }


ORDER_KEYS = [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "string"},
              {"Name": "day", "Type": "string"}]


def error_of(exc) -> tuple[int, str, str]:
    """(HTTP status, code, message) of a ClientError caught by pytest.raises."""
    response = exc.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]
