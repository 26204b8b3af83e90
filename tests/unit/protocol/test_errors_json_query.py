"""Errors in the json and query protocols, as botocore (and so boto3, the CLI, ...) reads them.

Our serializer's error bodies go through botocore's own parser, for a generic code and for every
modeled error shape of the nine services; the parsers' own protocol errors (unknown operation,
unreadable body) are checked as codes and statuses.
"""

from __future__ import annotations

import json

import botocore.parsers
import pytest
from botocore.exceptions import ClientError

from lakebox.protocol.errors import AwsError
from lakebox.protocol.http import BytesBody, Headers, HttpRequest
from lakebox.protocol.specs import load_service_model

from botocore_wire import SERVICES, botocore_response, error_shape_cases, lakebox_client, parser_for, serializer_for


def _first_operation(service: str):
    model = load_service_model(service)
    return model.operation_model(model.operation_names[0])


def _parse_error(service: str, error: AwsError) -> dict:
    """What botocore's endpoint produces for the error: generic fields, then the modeled ones."""
    model = load_service_model(service)
    operation = _first_operation(service)
    response = serializer_for(service).serialize_error(error, operation, "req-err")
    wire = botocore_response(response)
    parser = botocore.parsers.create_parser(model.protocol)
    parsed = parser.parse(wire, operation.output_shape)
    shape = model.shape_for_error_code(parsed["Error"]["Code"])
    if shape is not None:  # mirrors botocore.endpoint.Endpoint._add_modeled_error_fields
        parsed.update(parser.parse(wire, shape))
    return parsed


@pytest.mark.parametrize("service", SERVICES)
def test_generic_error_reaches_botocore_with_code_message_status(service):
    parsed = _parse_error(service, AwsError("EntityNotFoundException", "x", 400))
    assert parsed["Error"]["Code"] == "EntityNotFoundException"
    assert parsed["Error"]["Message"] == "x"
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert parsed["ResponseMetadata"]["RequestId"] == "req-err"


def test_query_error_echoing_a_character_xml_cannot_carry_still_parses():
    """A message quoting request input with NUL or a C0 control would otherwise be unparseable XML."""
    parsed = _parse_error("sts", AwsError("ValidationError", "Value 'a\x00b\x07c' at 'roleArn' is invalid", 400))
    assert parsed["Error"]["Code"] == "ValidationError"
    assert parsed["Error"]["Message"] == "Value 'a\ufffdb\ufffdc' at 'roleArn' is invalid"


@pytest.mark.parametrize("service,shape_name", error_shape_cases())
def test_every_modeled_error_round_trips(service, shape_name):
    shape = load_service_model(service).shape_for(shape_name)
    status = shape.metadata.get("error", {}).get("httpStatusCode", 400)
    sender = shape.metadata.get("error", {}).get("senderFault", not shape.metadata.get("fault"))
    parsed = _parse_error(service, AwsError(shape.error_code, "it broke", status, sender_fault=sender))
    assert parsed["Error"]["Code"] == shape.error_code
    assert parsed["Error"]["Message"] == "it broke"
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == status
    if load_service_model(service).protocol == "query":
        assert parsed["Error"]["Type"] == ("Sender" if sender else "Receiver")
    else:
        # The modeled message member (Message or message) is filled too, as AWS fills it.
        message_members = [m for m in shape.members if m.lower() == "message"]
        for member in message_members:
            assert parsed[member] == "it broke"


def test_json_error_body_and_headers():
    error = AwsError("ResourceNotFoundException", "Stream s not found", 400, fields={"Extra": 1})
    response = serializer_for("kinesis").serialize_error(error, None, "rid")
    assert response.status == 400
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert response.headers["x-amzn-RequestId"] == "rid"
    assert json.loads(response.body_bytes()) == {
        "__type": "ResourceNotFoundException", "message": "Stream s not found", "Extra": 1,
    }


def test_json_error_uses_the_modeled_message_spelling():
    response = serializer_for("glue").serialize_error(AwsError("EntityNotFoundException", "no"), None, "rid")
    assert json.loads(response.body_bytes()) == {"__type": "EntityNotFoundException", "Message": "no"}


def test_query_error_envelope():
    error = AwsError("ClusterNotFoundFault", "Cluster c not found.", 404)
    response = serializer_for("redshift").serialize_error(error, None, "rid")
    body = response.body_bytes().decode()
    # The shape name is accepted, but AWS sends the modeled wire code.
    assert "<Code>ClusterNotFound</Code>" in body
    assert "<Type>Sender</Type>" in body and "<RequestId>rid</RequestId>" in body
    assert response.headers["x-amzn-RequestId"] == "rid"


def test_server_fault_is_receiver_type():
    response = serializer_for("sts").serialize_error(AwsError("InternalError", "boom", 500, sender_fault=False), None, "r")
    assert "<Type>Receiver</Type>" in response.body_bytes().decode()


def test_boto3_raises_the_modeled_exception_class():
    def handler(operation, params):
        raise AwsError("EntityNotFoundException", f"Database {params['Name']} not found.", 400)

    client = lakebox_client("glue", handler)
    with pytest.raises(client.exceptions.EntityNotFoundException) as caught:
        client.get_database(Name="missing")
    assert caught.value.response["Error"] == {"Code": "EntityNotFoundException", "Message": "Database missing not found."}

    def redshift(operation, params):
        raise AwsError("ClusterNotFound", "Cluster c1 not found.", 404)

    client = lakebox_client("redshift", redshift)
    with pytest.raises(client.exceptions.ClusterNotFoundFault):
        client.describe_clusters(ClusterIdentifier="c1")


# -- the parsers' own protocol errors ----------------------------------------------------------------


def _json_request(target: str, body: bytes) -> HttpRequest:
    return HttpRequest("POST", "/", headers=Headers([("X-Amz-Target", target)]), body=BytesBody(body))


@pytest.mark.parametrize("target", ["AWSGlue.NoSuchOperation", "Kinesis_20131202.GetTable", "", "GetTable"])
def test_json_unknown_target_is_unknown_operation(target):
    with pytest.raises(AwsError) as caught:
        parser_for("glue").find_operation(_json_request(target, b"{}"))
    assert (caught.value.code, caught.value.status) == ("UnknownOperationException", 400)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1]", b'{"Name": 5}', b'{"Name": {"a": 1}}', b'{"Name": "d", "CatalogId": ["x"]}'],
)
def test_json_unreadable_body_is_serialization_exception(body):
    parser = parser_for("glue")
    request = _json_request("AWSGlue.GetDatabase", body)
    operation, uri = parser.find_operation(request)
    with pytest.raises(AwsError) as caught:
        parser.parse(request, operation, uri)
    assert (caught.value.code, caught.value.status) == ("SerializationException", 400)


def test_json_empty_body_is_empty_input():
    parser = parser_for("kinesis")
    request = _json_request("Kinesis_20131202.ListStreams", b"")
    operation, uri = parser.find_operation(request)
    assert parser.parse(request, operation, uri) == {}


@pytest.mark.parametrize("query", ["Action=NoSuchThing&Version=2011-06-15", "Version=2011-06-15", ""])
def test_query_unknown_action_is_invalid_action(query):
    with pytest.raises(AwsError) as caught:
        parser_for("sts").find_operation(HttpRequest("GET", "/", query=query))
    assert (caught.value.code, caught.value.status) == ("InvalidAction", 400)


def test_query_action_from_form_body():
    request = HttpRequest(
        "POST", "/", headers=Headers([("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]),
        body=BytesBody(b"Action=GetCallerIdentity&Version=2011-06-15"),
    )
    operation, _ = parser_for("sts").find_operation(request)
    assert operation.name == "GetCallerIdentity"


@pytest.mark.parametrize(
    "service,field,expected_code",
    [("sts", "DurationSeconds=abc", "ValidationError"), ("redshift", "NumberOfNodes=x", "InvalidParameterValue")],
)
def test_query_untyped_text_is_the_services_validation_error(service, field, expected_code):
    action = {"sts": "AssumeRole", "redshift": "CreateCluster"}[service]
    request = HttpRequest("GET", "/", query=f"Action={action}&{field}")
    parser = parser_for(service)
    operation, uri = parser.find_operation(request)
    with pytest.raises(AwsError) as caught:
        parser.parse(request, operation, uri)
    assert caught.value.code == expected_code


def test_client_error_carries_request_id():
    def handler(operation, params):
        raise AwsError("ThrottlingException", "Rate exceeded", 400)

    with pytest.raises(ClientError) as caught:
        lakebox_client("logs", handler).describe_log_groups()
    assert caught.value.response["ResponseMetadata"]["RequestId"] == "req-test"
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"
