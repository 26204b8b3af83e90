"""Every operation of every service, called with bad input as a careless client would send it: no
input at all, then junk of the right JSON shape in the members the model requires. Whatever the
operation, the answer is an error in the service's own format with a 4xx status (or 501 for an
operation lakebox does not serve), never an internal error."""

from __future__ import annotations

import botocore.config
import botocore.session
import pytest
from botocore.exceptions import ClientError

SERVICES = ["s3", "sts", "iam", "glue", "athena", "kinesis", "firehose", "emr", "redshift", "redshift-data",
            "redshift-serverless", "logs"]
#: Operations botocore sends to another host (a host prefix the test's endpoint cannot resolve).
_OTHER_HOSTS = {"WriteGetObjectResponse", "GetLogObject", "StartLiveTail"}


def _junk(shape, depth: int = 0):
    """A value of `shape`'s type that no operation accepts as meaningful."""
    kind = shape.type_name
    if kind == "structure":
        return {} if depth >= 3 else {name: _junk(member, depth + 1) for name, member in shape.members.items()
                                      if name in shape.required_members}
    if kind == "list":
        return [_junk(shape.member, depth + 1)] if depth < 3 else []
    if kind == "map":
        return {"k": _junk(shape.value, depth + 1)} if depth < 3 else {}
    if kind == "string":
        return "NOT_AN_ENUM" if getattr(shape, "enum", None) else "xyz1"
    return {"integer": -5, "long": -5, "boolean": True, "double": -1.5, "float": -1.5, "timestamp": 0,
            "blob": b"x"}.get(kind, "xyz1")


@pytest.mark.parametrize("service", SERVICES)
def test_no_operation_answers_bad_input_with_an_internal_error(lakebox_server, service):
    session = botocore.session.get_session()
    client = session.create_client(service, endpoint_url=lakebox_server.endpoint_url, region_name="us-east-1",
                                   aws_access_key_id="test", aws_secret_access_key="test",
                                   config=botocore.config.Config(parameter_validation=False,
                                                                 retries={"max_attempts": 1}))
    model = client.meta.service_model
    failures, answered = [], 0
    for operation in model.operation_names:
        if operation in _OTHER_HOSTS:
            continue
        shape = model.operation_model(operation).input_shape
        for params in ({}, _junk(shape) if shape is not None else {}):
            try:
                getattr(client, botocore.xform_name(operation))(**params)
                status = 200
            except ClientError as error:
                status = error.response["ResponseMetadata"].get("HTTPStatusCode") or 0
                code = error.response.get("Error", {}).get("Code")
                if status >= 500 and code != "NotImplemented":
                    failures.append((operation, params, status, code))
            except Exception:  # noqa: BLE001 - botocore refusing to build the request (no Bucket, say)
                continue
            answered += 1
    assert failures == []
    assert answered >= len(model.operation_names)  # most operations were really sent, twice
