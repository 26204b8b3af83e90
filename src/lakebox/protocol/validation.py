"""Input validation against the botocore model, answered with each service's own validation error.

`validate_input` walks the parsed input by shape type and collects every violation of the model's
constraints: required members, value types, string and blob lengths, numeric ranges, list and map
sizes. It reports them the way AWS's front ends do ("1 validation error detected: Value null at
'tableInput.name' failed to satisfy constraint: Member must not be null"), under the error code the
service itself uses for bad input (DESIGN D1).

Deliberately not checked: enum membership (the model may be older than AWS, and AWS adds values
all the time) and regex patterns (the models' Java regexes do not all mean the same in Python, and a
false rejection is worse than a missed one).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

from botocore.model import OperationModel, Shape

from .errors import AwsError

#: The code each service answers a constraint violation with, all HTTP 400 sender faults.
#: STS is a query service whose front end speaks Coral's ValidationError; Redshift answers
#: InvalidParameterValue for bad parameters. Kinesis Data Streams answers model violations (ShardCount 0,
#: Limit over 10000, an empty PartitionKey) with ValidationException, and keeps InvalidArgumentException
#: for its own checks (kinesalite's test suite, written against the live service, shows both).
#: Firehose does the same: its front end answers model violations with ValidationException (as
#: error logs from the live service show), its own checks with InvalidArgumentException.
VALIDATION_ERROR_CODES: dict[str, str] = {
    "s3": "InvalidArgument",
    "sts": "ValidationError",
    "iam": "ValidationError",
    "glue": "InvalidInputException",
    "athena": "InvalidRequestException",
    "kinesis": "ValidationException",
    "firehose": "ValidationException",
    "emr": "ValidationException",
    "redshift": "InvalidParameterValue",
    "redshift-data": "ValidationException",
    "redshift-serverless": "ValidationException",
    "logs": "InvalidParameterException",
}
DEFAULT_VALIDATION_ERROR_CODE = "ValidationException"
_S3_MALFORMED_XML = (
    "MalformedXML",
    "The XML you provided was not well-formed or did not validate against our published schema",
)
#: Operations whose input is one document that the service checks against its schema: any violation
#: (a required element missing, most often) is answered as a malformed document. A bucket policy is
#: JSON, and S3 refuses a missing or empty one with the same words as any other unreadable policy.
SCHEMA_CHECKED_OPERATIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("s3", "CreateBucket"): _S3_MALFORMED_XML,
    ("s3", "DeleteObjects"): _S3_MALFORMED_XML,
    ("s3", "PutBucketCors"): _S3_MALFORMED_XML,
    ("s3", "PutBucketEncryption"): _S3_MALFORMED_XML,
    ("s3", "PutBucketReplication"): _S3_MALFORMED_XML,
    ("s3", "PutBucketLifecycleConfiguration"): _S3_MALFORMED_XML,
    ("s3", "PutBucketVersioning"): _S3_MALFORMED_XML,
    ("s3", "PutBucketOwnershipControls"): _S3_MALFORMED_XML,
    ("s3", "PutBucketWebsite"): _S3_MALFORMED_XML,
    ("s3", "PutBucketTagging"): _S3_MALFORMED_XML,
    ("s3", "PutObjectTagging"): _S3_MALFORMED_XML,
    ("s3", "PutBucketPolicy"): ("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'"),
}


def validation_error(service_name: str, problems: list[str]) -> AwsError:
    """The service's validation error for a list of problems (each "Value ... at '...' failed ...")."""
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    message = f"{count} validation {noun} detected: " + "; ".join(problems)
    code = VALIDATION_ERROR_CODES.get(service_name, DEFAULT_VALIDATION_ERROR_CODE)
    return AwsError(code, message, 400)


def input_problems(params: Optional[dict], operation: OperationModel) -> list[str]:
    """Every violation of `operation`'s input shape in `params`, each "Value ... failed to satisfy ..."."""
    problems: list[str] = []
    if operation.input_shape is not None:
        _Validator(problems).check(params if params is not None else {}, operation.input_shape, "")
    return problems


def validate_input(params: dict, operation: OperationModel, service_name: str) -> None:
    """Raise the service's validation AwsError if `params` violate `operation`'s input shape."""
    problems = input_problems(params, operation)
    if problems:
        schema_error = SCHEMA_CHECKED_OPERATIONS.get((service_name, operation.name))
        if schema_error is not None:
            raise AwsError(schema_error[0], schema_error[1], 400)
        raise validation_error(service_name, problems)


def describe_value(value: Any) -> str:
    """A value as AWS's front ends print it in validation messages (Java's toString, roughly)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, (bytes, bytearray)):
        return f"'java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]'"
    if isinstance(value, (list, tuple)):
        return "'[" + ", ".join(_plain(v) for v in value) + "]'"
    if isinstance(value, dict):
        return "'{" + ", ".join(f"{_plain(k)}={_plain(v)}" for k, v in value.items()) + "}'"
    return f"'{value}'"


def _plain(value: Any) -> str:
    text = describe_value(value)
    return text[1:-1] if text.startswith("'") and text.endswith("'") else text


def _member_path(parent: Any, member_name: str) -> tuple:
    """A member's path, kept as (parent, name) and only spelled out when a problem is reported:
    a large input (PutLogEvents with 10,000 events) must not pay for 10,000 strings nobody reads."""
    return (parent, member_name)


def _item_path(parent: Any, index: int) -> tuple:
    return (parent, index)


def _render(path: Any) -> str:
    # AWS names members in lowerCamelCase in these messages: TableInput.Name -> tableInput.name,
    # and list items as `<list>.<n>.member`.
    if not isinstance(path, tuple):
        return path or ""
    parent, part = path
    head = _render(parent)
    if isinstance(part, int):
        return f"{head}.{part}.member"
    name = part[:1].lower() + part[1:]
    return f"{head}.{name}" if head else name


class _Validator:
    """Collects problems while walking a value; one `_check_<type>` per shape type."""

    def __init__(self, problems: list[str]):
        self.problems = problems

    def report(self, value: Any, shape: Optional[Shape], path: Any, constraint: str) -> None:
        sensitive = shape is not None and shape.metadata.get("sensitive")
        # Like AWS, never echo a sensitive value (passwords, secrets) back in an error message.
        shown = "" if sensitive else f" {describe_value(value)}"
        rendered = _render(path)
        where = f" at '{rendered}'" if rendered else ""
        self.problems.append(f"Value{shown}{where} failed to satisfy constraint: {constraint}")

    def check(self, value: Any, shape: Shape, path: Any) -> None:
        if value is None:
            return
        method = _CHECKS.get(shape.type_name)
        if method is not None:
            method(self, value, shape, path)

    def _check_structure(self, value: Any, shape: Shape, path: Any) -> None:
        if getattr(shape, "is_document_type", False):
            return  # a document is free-form JSON by definition
        if not isinstance(value, dict):
            self.report(value, shape, path, "Member must be a structure")
            return
        members = shape.members
        for name in shape.required_members:
            if value.get(name) is None and name in members:
                self.report(None, None, _member_path(path, name), "Member must not be null")
        for name, member_value in value.items():
            member_shape = members.get(name)
            if member_shape is not None:
                self.check(member_value, member_shape, _member_path(path, name))

    def _check_list(self, value: Any, shape: Shape, path: Any) -> None:
        if not isinstance(value, (list, tuple)):
            self.report(value, shape, path, "Member must be a list")
            return
        self._check_size(value, len(value), shape, path)
        member = shape.member
        for index, item in enumerate(value, 1):
            if item is None:   # a JSON `[null]`: AWS's front ends refuse the item as a null member
                self.report(None, None, _item_path(path, index), "Member must not be null")
            else:
                self.check(item, member, _item_path(path, index))

    def _check_map(self, value: Any, shape: Shape, path: Any) -> None:
        if not isinstance(value, dict):
            self.report(value, shape, path, "Member must be a map")
            return
        self._check_size(value, len(value), shape, path)
        # AWS reports map entries as constraints on the map itself, not on a path per key.
        for label, part_shape, parts in (("keys", shape.key, value.keys()), ("value", shape.value, value.values())):
            nested: list[str] = []
            inner = _Validator(nested)
            for part in parts:
                inner.check(part, part_shape, "")
            if nested:
                reasons = ", ".join(p.split("failed to satisfy constraint: ", 1)[-1] for p in nested)
                prefix = "Map keys" if label == "keys" else "Map value"
                self.report(value, shape, path, f"{prefix} must satisfy constraint: [{reasons}]")

    def _check_string(self, value: Any, shape: Shape, path: Any) -> None:
        if not isinstance(value, str):
            self.report(value, shape, path, "Member must be a string")
            return
        self._check_size(value, len(value), shape, path)

    def _check_blob(self, value: Any, shape: Shape, path: Any) -> None:
        if isinstance(value, str):
            value = value.encode("utf-8")
        if isinstance(value, (bytes, bytearray, memoryview)):
            self._check_size(value, len(value), shape, path)
        elif not hasattr(value, "read"):
            # Streaming payloads (S3 bodies) arrive as readable streams and are never sized here.
            self.report(value, shape, path, "Member must be a blob")

    def _check_integer(self, value: Any, shape: Shape, path: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.report(value, shape, path, "Member must be an integer")
            return
        self._check_range(value, shape, path)

    _check_long = _check_integer

    def _check_float(self, value: Any, shape: Shape, path: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            self.report(value, shape, path, "Member must be a number")
            return
        self._check_range(value, shape, path)

    _check_double = _check_float

    def _check_boolean(self, value: Any, shape: Shape, path: Any) -> None:
        if not isinstance(value, bool):
            self.report(value, shape, path, "Member must be a boolean")

    def _check_timestamp(self, value: Any, shape: Shape, path: Any) -> None:
        if not isinstance(value, (dt.datetime, dt.date)):
            self.report(value, shape, path, "Member must be a timestamp")

    def _check_size(self, value: Any, size: int, shape: Shape, path: Any) -> None:
        low = shape.metadata.get("min")
        high = shape.metadata.get("max")
        if low is not None and size < low:
            self.report(value, shape, path, f"Member must have length greater than or equal to {_num(low)}")
        if high is not None and size > high:
            self.report(value, shape, path, f"Member must have length less than or equal to {_num(high)}")

    def _check_range(self, value: Any, shape: Shape, path: Any) -> None:
        low = shape.metadata.get("min")
        high = shape.metadata.get("max")
        if low is not None and value < low:
            self.report(value, shape, path, f"Member must have value greater than or equal to {_num(low)}")
        if high is not None and value > high:
            self.report(value, shape, path, f"Member must have value less than or equal to {_num(high)}")


#: shape type name -> the _Validator method that checks it (looked up once, not per value).
_CHECKS = {name[len("_check_"):]: method for name, method in vars(_Validator).items()
           if name.startswith("_check_") and name not in ("_check_size", "_check_range")}


def _num(bound: Any) -> str:
    # Models spell some bounds as floats (1.0); AWS prints integers without the fraction.
    return str(int(bound)) if isinstance(bound, float) and bound.is_integer() else str(bound)
