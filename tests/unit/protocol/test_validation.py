"""Model-based input validation: the constraints, the message AWS writes, and each service's code."""

from __future__ import annotations

import copy

import pytest
from botocore.validate import ParamValidator

from lakebox.protocol.errors import AwsError
from lakebox.protocol.specs import SERVICE_NAMES, load_service_model
from lakebox.protocol.validation import VALIDATION_ERROR_CODES, validate_input

from botocore_wire import SERVICES, operation_cases
from model_values import example_value


def _errors(service: str, operation_name: str, params: dict) -> AwsError:
    operation = load_service_model(service).operation_model(operation_name)
    with pytest.raises(AwsError) as caught:
        validate_input(params, operation, service)
    return caught.value


def test_every_loaded_service_has_a_validation_code():
    assert set(SERVICE_NAMES) <= set(VALIDATION_ERROR_CODES)


@pytest.mark.parametrize("service,operation_name", operation_cases())
def test_example_input_is_valid_for_botocore_and_lakebox(service, operation_name):
    operation = load_service_model(service).operation_model(operation_name)
    if operation.input_shape is None:
        return
    params = example_value(operation.input_shape, items=2) or {}
    # botocore's client-side validator agrees the example is valid, so lakebox must too.
    assert not ParamValidator().validate(params, operation.input_shape).has_errors()
    validate_input(params, operation, service)


@pytest.mark.parametrize("service,operation_name", operation_cases())
def test_missing_required_member_is_rejected_like_botocore(service, operation_name):
    operation = load_service_model(service).operation_model(operation_name)
    shape = operation.input_shape
    if shape is None or not shape.required_members:
        pytest.skip("no required input members")
    params = example_value(shape) or {}
    missing = shape.required_members[0]
    params.pop(missing, None)
    assert ParamValidator().validate(params, shape).has_errors()
    error = _errors(service, operation_name, params)
    assert error.code == VALIDATION_ERROR_CODES[service]
    assert error.status == 400
    lower = missing[:1].lower() + missing[1:]
    assert f"Value null at '{lower}' failed to satisfy constraint: Member must not be null" in error.message


def test_nested_missing_member_message_matches_aws():
    error = _errors("glue", "CreateTable", {"DatabaseName": "db", "TableInput": {"Description": "d"}})
    assert error.code == "InvalidInputException"
    assert error.message == (
        "1 validation error detected: Value null at 'tableInput.name' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_too_long_string_and_two_errors_are_counted():
    error = _errors("glue", "GetTable", {"DatabaseName": "d" * 256})
    assert error.message == (
        "2 validation errors detected: "
        "Value null at 'name' failed to satisfy constraint: Member must not be null; "
        f"Value '{'d' * 256}' at 'databaseName' failed to satisfy constraint: "
        "Member must have length less than or equal to 255"
    )


def test_too_short_string_and_list_items_use_member_paths():
    error = _errors("kinesis", "PutRecords", {"StreamName": "s", "Records": [{"Data": b"x", "PartitionKey": ""}]})
    assert error.code == "ValidationException"
    assert "Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: " \
           "Member must have length greater than or equal to 1" in error.message


def test_a_null_list_item_is_a_null_member():
    error = _errors("emr", "ModifyInstanceGroups", {"InstanceGroups": [None]})
    assert error.code == "ValidationException"
    assert "Value null at 'instanceGroups.1.member' failed to satisfy constraint: Member must not be null" \
        in error.message


def test_numeric_range_and_list_size():
    error = _errors("kinesis", "ListShards", {"StreamName": "s", "MaxResults": 0})
    assert "Value '0' at 'maxResults' failed to satisfy constraint: " \
           "Member must have value greater than or equal to 1" in error.message
    error = _errors("kinesis", "PutRecords", {"StreamName": "s", "Records": []})
    assert "at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1" in error.message


def test_wrong_types_are_rejected():
    error = _errors("athena", "GetQueryExecution", {"QueryExecutionId": 5})
    assert error.code == "InvalidRequestException"
    assert "Member must be a string" in error.message
    error = _errors("logs", "PutRetentionPolicy", {"logGroupName": "g", "retentionInDays": "7"})
    assert error.code == "InvalidParameterException"
    assert "Member must be an integer" in error.message


def test_unknown_enum_value_is_accepted():
    operation = load_service_model("athena").operation_model("ListWorkGroups")
    validate_input({}, operation, "athena")
    operation = load_service_model("glue").operation_model("CreateDatabase")
    # "NOT_A_CONNECTION_TYPE" is no CreateDatabase enum value; the model may simply be older than AWS.
    params = {"DatabaseInput": {"Name": "db", "TargetDatabase": {"CatalogId": "1", "DatabaseName": "x"}},
              "Tags": {"k": "v"}}
    validate_input(params, operation, "glue")
    operation = load_service_model("kinesis").operation_model("CreateStream")
    validate_input({"StreamName": "s", "StreamModeDetails": {"StreamMode": "SOME_FUTURE_MODE"}}, operation, "kinesis")


def test_map_entries_are_checked():
    error = _errors("glue", "TagResource", {"ResourceArn": "arn:x", "TagsToAdd": {"k" * 129: "v"}})
    assert "at 'tagsToAdd' failed to satisfy constraint: Map keys must satisfy constraint: " \
           "[Member must have length less than or equal to 128]" in error.message


def test_sensitive_values_are_not_echoed():
    params = {"ClusterIdentifier": "c", "NodeType": "n", "MasterUsername": "u", "MasterUserPassword": 5}
    error = _errors("redshift", "CreateCluster", params)
    assert error.code == "InvalidParameterValue"
    assert "Value at 'masterUserPassword' failed to satisfy constraint: Member must be a string" in error.message


@pytest.mark.parametrize(
    "service,expected",
    [("sts", "ValidationError"), ("emr", "ValidationException"), ("redshift-data", "ValidationException"),
     ("firehose", "ValidationException"), ("s3", "InvalidArgument")],
)
def test_each_service_answers_with_its_own_code(service, expected):
    model = load_service_model(service)
    operation = next(
        model.operation_model(name) for name in model.operation_names
        if model.operation_model(name).input_shape is not None
        and model.operation_model(name).input_shape.required_members
    )
    with pytest.raises(AwsError) as caught:
        validate_input({}, operation, service)
    assert caught.value.code == expected and caught.value.status == 400


def test_validation_does_not_mutate_params():
    params = {"DatabaseName": "d", "Name": "t"}
    before = copy.deepcopy(params)
    validate_input(params, load_service_model("glue").operation_model("GetTable"), "glue")
    assert params == before


def test_all_services_covered():
    assert set(SERVICES) <= set(VALIDATION_ERROR_CODES)
