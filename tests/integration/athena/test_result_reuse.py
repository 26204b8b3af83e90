"""Query result reuse through boto3 on a real lakebox server: a repeated SELECT that asks for reuse
answers from the earlier result file without scanning, by age only (a change to the data is not
noticed, as on AWS), within MaxAgeInMinutes on the service clock, and only for the same query string,
database and result configuration."""

from __future__ import annotations

import json
import urllib.request

import pytest
from athena_helpers import error_of, make_client, wait_for
from botocore.exceptions import ClientError

from lakebox.testing import running_lakebox

REUSE = {"ResultReuseByAgeConfiguration": {"Enabled": True, "MaxAgeInMinutes": 30}}


def start(athena, sql, output, reuse=None, database="shop"):
    params = {"QueryString": sql, "QueryExecutionContext": {"Database": database},
              "ResultConfiguration": {"OutputLocation": output}}
    if reuse:
        params["ResultReuseConfiguration"] = reuse
    execution = wait_for(athena, athena.start_query_execution(**params)["QueryExecutionId"])
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    return execution


def rows(athena, qid):
    result = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    return [[d.get("VarCharValue") for d in r["Data"]] for r in result]


def advance_clock(endpoint_url, duration):
    request = urllib.request.Request(f"{endpoint_url}/_lakebox/clock", method="POST",
                                     data=json.dumps({"advance": duration}).encode())
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200


@pytest.fixture
def shop(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    start(athena, "CREATE DATABASE shop", results)
    start(athena, "CREATE TABLE shop.items WITH (external_location = 's3://lake/items/') AS "
                  "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name)", results)
    return results


COUNT = "SELECT count(*) AS n, sum(id) AS total FROM items"


def test_repeated_select_reuses_the_earlier_result(athena, shop):
    first = start(athena, COUNT, shop)
    assert first["Statistics"]["ResultReuseInformation"] == {"ReusedPreviousResult": False}
    second = start(athena, COUNT, shop, REUSE)
    assert second["QueryExecutionId"] != first["QueryExecutionId"]
    assert second["Statistics"]["ResultReuseInformation"] == {"ReusedPreviousResult": True}
    assert second["Statistics"]["DataScannedInBytes"] == 0
    assert second["ResultConfiguration"]["OutputLocation"] == first["ResultConfiguration"]["OutputLocation"]
    assert second["StatementType"] == "DML" and second["SubstatementType"] == "SELECT"
    assert rows(athena, second["QueryExecutionId"]) == [["n", "total"], ["2", "3"]]
    columns = athena.get_query_results(QueryExecutionId=second["QueryExecutionId"])["ResultSet"][
        "ResultSetMetadata"]["ColumnInfo"]
    assert [(c["Name"], c["Type"]) for c in columns] == [("n", "bigint"), ("total", "bigint")]


def test_reuse_goes_by_age_only_not_by_data_changes(athena, shop, lakebox_server):
    first = start(athena, COUNT, shop)
    start(athena, "INSERT INTO items VALUES (3, 'c')", shop)
    reused = start(athena, COUNT, shop, REUSE)
    assert reused["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"] is True
    assert rows(athena, reused["QueryExecutionId"]) == [["n", "total"], ["2", "3"]]
    assert rows(athena, start(athena, COUNT, shop)["QueryExecutionId"]) == [["n", "total"], ["3", "6"]]
    advance_clock(lakebox_server.endpoint_url, "31m")
    fresh = start(athena, COUNT, shop, REUSE)
    # The latest run (3 rows) is now 31 minutes old: past MaxAgeInMinutes, so the query runs again.
    assert fresh["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"] is False
    assert fresh["Statistics"]["DataScannedInBytes"] > 0
    assert fresh["ResultConfiguration"]["OutputLocation"] != first["ResultConfiguration"]["OutputLocation"]
    assert rows(athena, fresh["QueryExecutionId"]) == [["n", "total"], ["3", "6"]]


def test_no_reuse_across_query_text_output_location_or_disabled(athena, shop, s3):
    start(athena, COUNT, shop)
    other_text = start(athena, COUNT.replace("items", "items "), shop, REUSE)
    assert other_text["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"] is False
    other_output = start(athena, COUNT, "s3://athena-results/elsewhere/", REUSE)
    assert other_output["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"] is False
    disabled = start(athena, COUNT, shop, {"ResultReuseByAgeConfiguration": {"Enabled": False}})
    assert disabled["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"] is False


def test_default_age_is_60_minutes(athena, shop, lakebox_server):
    start(athena, COUNT, shop)
    advance_clock(lakebox_server.endpoint_url, "45m")
    reused = start(athena, COUNT, shop, {"ResultReuseByAgeConfiguration": {"Enabled": True}})
    assert reused["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"] is True


def test_max_age_over_a_week_is_refused(lakebox_server, shop):
    athena = make_client("athena", lakebox_server.endpoint_url, validate=False)
    with pytest.raises(ClientError) as exc:
        athena.start_query_execution(
            QueryString=COUNT, QueryExecutionContext={"Database": "shop"},
            ResultConfiguration={"OutputLocation": shop},
            ResultReuseConfiguration={"ResultReuseByAgeConfiguration": {"Enabled": True, "MaxAgeInMinutes": 10081}})
    assert error_of(exc)[0] == "InvalidRequestException"


def test_reuse_survives_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        athena = make_client("athena", server.endpoint_url)
        make_client("s3", server.endpoint_url).create_bucket(Bucket="athena-results")
        first = start(athena, "SELECT 6 * 7 AS answer", "s3://athena-results/q/", database="default")
    with running_lakebox(data, set_env=False) as server:
        athena = make_client("athena", server.endpoint_url)
        again = start(athena, "SELECT 6 * 7 AS answer", "s3://athena-results/q/", REUSE, database="default")
        assert again["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"] is True
        assert again["ResultConfiguration"]["OutputLocation"] == first["ResultConfiguration"]["OutputLocation"]
        assert rows(athena, again["QueryExecutionId"]) == [["answer"], ["42"]]


def test_a_reused_result_ages_from_the_run_that_wrote_it(athena, shop, lakebox_server):
    first = start(athena, COUNT, shop)
    advance_clock(lakebox_server.endpoint_url, "20m")
    assert start(athena, COUNT, shop, REUSE)["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"]
    advance_clock(lakebox_server.endpoint_url, "20m")
    # The latest execution is 20 minutes old, but the result it pointed at was written 40 minutes ago.
    again = start(athena, COUNT, shop, REUSE)
    assert again["Statistics"]["ResultReuseInformation"]["ReusedPreviousResult"] is False
    assert again["ResultConfiguration"]["OutputLocation"] != first["ResultConfiguration"]["OutputLocation"]
