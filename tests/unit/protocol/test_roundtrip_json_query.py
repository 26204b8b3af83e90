"""botocore is the oracle for the json and query protocols (DESIGN D1).

For every operation of the nine json/query services:
- requests: botocore's serializer writes an example input, lakebox's parser must read back exactly it;
- responses: lakebox's serializer writes an example output, botocore's parser must read back exactly it.
No value is normalized: the examples (model_values.py) use floats that are exact in binary and
timestamps on whole seconds, so every protocol carries them losslessly.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import botocore.parsers
import botocore.serialize
import pytest

from lakebox.protocol.specs import load_service_model

from botocore_wire import (
    botocore_response,
    http_request_from_botocore,
    lakebox_client,
    operation_cases,
    parser_for,
    serializer_for,
)
from model_values import TIMESTAMP, example_value

CASES = operation_cases()


def _example_input(operation) -> dict:
    if operation.input_shape is None:
        return {}
    return example_value(operation.input_shape, items=2) or {}


@pytest.mark.parametrize("service,operation_name", CASES)
def test_request_roundtrip(service, operation_name):
    model = load_service_model(service)
    operation = model.operation_model(operation_name)
    params = _example_input(operation)
    serialized = botocore.serialize.create_serializer(model.protocol, include_validation=False).serialize_to_request(
        params, operation
    )
    request = http_request_from_botocore(serialized)

    parser = parser_for(service)
    found, uri_params = parser.find_operation(request)
    assert found.name == operation_name
    assert parser.parse(request, found, uri_params) == params


@pytest.mark.parametrize("service,operation_name", CASES)
def test_response_roundtrip(service, operation_name):
    model = load_service_model(service)
    operation = model.operation_model(operation_name)
    shape = operation.output_shape
    if shape is not None and shape.event_stream_name:
        pytest.skip("event-stream output: framed by the event-stream encoder, not the json serializer")
    result = (example_value(shape, items=2) or {}) if shape is not None else {}

    response = serializer_for(service).serialize_response(operation, result, "req-123")
    assert response.status == 200
    parsed = botocore.parsers.create_parser(model.protocol).parse(botocore_response(response), shape)
    metadata = parsed.pop("ResponseMetadata")
    assert metadata["RequestId"] == "req-123"
    assert parsed == result


# -- wire details botocore is lenient about, but other clients are not ------------------------------


def test_json_response_writes_epoch_seconds_and_content_type():
    model = load_service_model("glue")
    operation = model.operation_model("GetDatabase")
    response = serializer_for("glue").serialize_response(
        operation, {"Database": {"Name": "db", "CreateTime": TIMESTAMP}}, "rid"
    )
    assert response.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert response.headers["x-amzn-RequestId"] == "rid"
    body = json.loads(response.body_bytes())
    assert body == {"Database": {"Name": "db", "CreateTime": TIMESTAMP.timestamp()}}


def test_json_response_drops_none_and_unmodeled_members():
    operation = load_service_model("glue").operation_model("GetDatabase")
    response = serializer_for("glue").serialize_response(
        operation, {"Database": {"Name": "db", "Description": None, "_internal": 1}}, "rid"
    )
    assert json.loads(response.body_bytes()) == {"Database": {"Name": "db"}}


def test_query_response_envelope_uses_result_wrapper_and_namespace():
    operation = load_service_model("sts").operation_model("GetCallerIdentity")
    response = serializer_for("sts").serialize_response(
        operation, {"Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root", "UserId": "AIDA"}, "rid"
    )
    assert response.headers["Content-Type"] == "text/xml"
    root = ET.fromstring(response.body_bytes())
    ns = "{https://sts.amazonaws.com/doc/2011-06-15/}"
    assert root.tag == f"{ns}GetCallerIdentityResponse"
    assert root.find(f"{ns}GetCallerIdentityResult/{ns}Account").text == "000000000000"
    assert root.find(f"{ns}ResponseMetadata/{ns}RequestId").text == "rid"


def test_query_response_lists_use_member_location_names_and_iso_timestamps():
    operation = load_service_model("redshift").operation_model("DescribeClusters")
    result = {"Clusters": [{"ClusterIdentifier": "c1", "ClusterCreateTime": TIMESTAMP, "Encrypted": False}]}
    body = serializer_for("redshift").serialize_response(operation, result, "rid").body_bytes().decode()
    assert "<Clusters><Cluster><ClusterIdentifier>c1</ClusterIdentifier>" in body
    assert "<ClusterCreateTime>2026-01-02T03:04:05.000Z</ClusterCreateTime>" in body
    assert "<Encrypted>false</Encrypted>" in body


def test_query_response_without_output_shape_still_has_metadata():
    operation = load_service_model("redshift").operation_model("CreateTags")
    response = serializer_for("redshift").serialize_response(operation, {}, "rid")
    root = ET.fromstring(response.body_bytes())
    assert root.tag.endswith("CreateTagsResponse")
    assert [child.tag.split("}")[1] for child in root] == ["ResponseMetadata"]


# -- requests that botocore never writes, but other clients do --------------------------------------


def test_json_request_accepts_iso_timestamps_and_fractional_epochs():
    from lakebox.protocol.http import BytesBody, Headers, HttpRequest

    parser = parser_for("logs")
    body = {"logGroupName": "g", "logStreamName": "s", "logEvents": [{"timestamp": 1, "message": "m"}]}
    request = HttpRequest("POST", "/", headers=Headers([("X-Amz-Target", "Logs_20140328.PutLogEvents")]),
                          body=BytesBody(json.dumps(body).encode()))
    operation, uri = parser.find_operation(request)
    assert parser.parse(request, operation, uri)["logEvents"] == [{"timestamp": 1, "message": "m"}]

    parser = parser_for("glue")
    for raw in ("2026-01-02T03:04:05.250Z", "2026-01-02T05:04:05.25+02:00", 1767323045.25):
        body = {"DatabaseName": "d", "TableName": "t", "QueryAsOfTime": raw}
        request = HttpRequest("POST", "/", headers=Headers([("X-Amz-Target", "AWSGlue.GetTable")]),
                              body=BytesBody(json.dumps(body).encode()))
        operation, uri = parser.find_operation(request)
        assert parser.parse(request, operation, uri)["QueryAsOfTime"] == TIMESTAMP + dt.timedelta(milliseconds=250)


def test_query_request_from_query_string_with_special_characters():
    from lakebox.protocol.http import HttpRequest

    parser = parser_for("sts")
    request = HttpRequest(
        "GET", "/",
        query="Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"
              "&RoleSessionName=a%2Bb+c%26d%3De%C3%A9&DurationSeconds=900&PolicyArns.member.1.arn=p1"
              "&PolicyArns.member.2.arn=p2",
    )
    operation, uri = parser.find_operation(request)
    assert parser.parse(request, operation, uri) == {
        "RoleArn": "arn:aws:iam::1:role/r",
        "RoleSessionName": "a+b c&d=eé",
        "DurationSeconds": 900,
        "PolicyArns": [{"arn": "p1"}, {"arn": "p2"}],
    }


def test_query_request_empty_list_and_maps():
    params = {"ResourceName": "arn:x", "TagKeys": []}
    model = load_service_model("redshift")
    operation = model.operation_model("DeleteTags")
    serialized = botocore.serialize.create_serializer("query").serialize_to_request(params, operation)
    request = http_request_from_botocore(serialized)
    assert parser_for("redshift").parse(request, operation, {}) == params


# -- a real botocore client, end to end through parser, handler and serializer -----------------------


def test_client_roundtrip_glue_get_table():
    seen = {}

    def handler(operation, params):
        seen[operation] = params
        return {"Table": {"Name": params["Name"], "DatabaseName": params["DatabaseName"], "CreateTime": TIMESTAMP,
                          "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "int"}]}}}

    table = lakebox_client("glue", handler).get_table(DatabaseName="db", Name="t1")["Table"]
    assert seen == {"GetTable": {"DatabaseName": "db", "Name": "t1"}}
    assert table["CreateTime"] == TIMESTAMP
    assert table["StorageDescriptor"]["Columns"] == [{"Name": "id", "Type": "int"}]


def test_client_roundtrip_kinesis_blob_and_sts_query():
    records = []

    def kinesis(operation, params):
        records.append(params["Data"])
        return {"ShardId": "shardId-000000000000", "SequenceNumber": "1"}

    out = lakebox_client("kinesis", kinesis).put_record(StreamName="s", Data=b"\x00\xffbytes", PartitionKey="k")
    assert records == [b"\x00\xffbytes"] and out["ShardId"] == "shardId-000000000000"

    def sts(operation, params):
        return {"Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root", "UserId": "u"}

    assert lakebox_client("sts", sts).get_caller_identity()["Account"] == "000000000000"


def test_client_roundtrip_redshift_nested_lists():
    def handler(operation, params):
        assert params == {"ClusterIdentifier": "c1", "Tags": [{"Key": "k", "Value": "v"}], "NodeType": "dc2.large",
                          "MasterUsername": "u", "MasterUserPassword": "Passw0rd!"}
        return {"Cluster": {"ClusterIdentifier": "c1", "Tags": [{"Key": "k", "Value": "v"}],
                            "Endpoint": {"Address": "127.0.0.1", "Port": 5439}}}

    cluster = lakebox_client("redshift", handler).create_cluster(
        ClusterIdentifier="c1", NodeType="dc2.large", MasterUsername="u", MasterUserPassword="Passw0rd!",
        Tags=[{"Key": "k", "Value": "v"}],
    )["Cluster"]
    assert cluster["Endpoint"] == {"Address": "127.0.0.1", "Port": 5439}
    assert cluster["Tags"] == [{"Key": "k", "Value": "v"}]
