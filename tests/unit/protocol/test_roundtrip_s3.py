"""Round trips of every S3 operation through botocore's client and lakebox's S3 protocol.

Requests: example input -> botocore's S3 client (path-style) -> lakebox router + parser -> the same
input. Responses: example output -> lakebox serializer -> botocore's S3 client -> the same output.
Both directions use the real client, so S3's client-side customizations are part of the oracle.
"""

from __future__ import annotations

import copy

import botocore.session
import pytest

from lakebox.protocol.parsers.s3 import S3RequestParser
from lakebox.protocol.serializers.s3 import S3ResponseSerializer
from lakebox.protocol.specs import load_service_model

from model_values import example_value
from s3_oracle import S3Oracle

MODEL = load_service_model("s3")
#: Operations that lakebox's spec patches add (PostObject, the browser-form upload) have no botocore
#: client method to act as the oracle; tests/unit/protocol/test_s3_post_object.py covers them.
BOTOCORE_OPERATIONS = frozenset(botocore.session.get_session().get_service_model("s3").operation_names)
OPERATIONS = sorted(name for name in MODEL.operation_names if name in BOTOCORE_OPERATIONS)
PARSER = S3RequestParser(MODEL)
SERIALIZER = S3ResponseSerializer(MODEL)
ORACLE = S3Oracle()

#: A key that needs percent-encoding in every way a path can: spaces, '+', '%', '?', '#', '&',
#: non-ASCII, a doubled slash. It must come out decoded exactly once.
TRICKY_KEY = "dir/a b//ü+%41&=?#;~.txt"

#: Deprecated operations share their URI with a successor; S3 serves both with the successor.
ROUTED_AS = {
    "GetBucketLifecycle": "GetBucketLifecycleConfiguration",
    "GetBucketNotification": "GetBucketNotificationConfiguration",
    "PutBucketLifecycle": "PutBucketLifecycleConfiguration",
    "PutBucketNotification": "PutBucketNotificationConfiguration",
}


def _drop_ambiguous_event(value):
    """The deprecated notification shapes map both `Events` (a flattened list) and the older
    single `Event` to <Event> elements, so a value holding both cannot survive any XML round trip.
    Clients send one or the other; the examples keep `Events`, and since one <Event> element reads
    back as both members, the parsed side drops `Event` the same way."""
    if isinstance(value, dict):
        if "Events" in value:
            value.pop("Event", None)
        for item in value.values():
            _drop_ambiguous_event(item)
    elif isinstance(value, list):
        for item in value:
            _drop_ambiguous_event(item)
    return value


def s3_input_example(operation) -> dict:
    params = example_value(operation.input_shape, items=2) if operation.input_shape is not None else {}
    if "Key" in params:
        params["Key"] = TRICKY_KEY
    return _drop_ambiguous_event(params)


def _required_input(operation) -> dict:
    shape = operation.input_shape
    if shape is None:
        return {}
    return {name: example_value(shape.members[name], name) for name in shape.required_members}


def s3_output_example(operation) -> dict:
    shape = operation.output_shape
    result = _drop_ambiguous_event((example_value(shape, items=2) if shape is not None else None) or {})
    payload = shape.serialization.get("payload") if shape is not None else None
    if payload and shape.members[payload].serialization.get("streaming") and "ContentLength" in result:
        # A streaming body's length is checked against Content-Length by the client.
        result["ContentLength"] = len(result[payload])
    return result


def _materialize(parsed: dict) -> dict:
    """Reads streaming bodies so that values compare with ==."""
    out = dict(parsed)
    body = out.get("Body")
    if body is not None and hasattr(body, "read"):
        out["Body"] = body.read()
    return out


@pytest.mark.parametrize("name", OPERATIONS, ids=lambda n: f"s3:{n}")
def test_request_round_trip(name):
    operation = MODEL.operation_model(name)
    params = s3_input_example(operation)
    request = ORACLE.request_for(name, copy.deepcopy(params))

    routed, uri_params = PARSER.find_operation(request)
    assert routed.name == ROUTED_AS.get(name, name)

    parsed = _materialize(PARSER.parse(request, operation, uri_params))
    assert _drop_ambiguous_event(parsed) == params


@pytest.mark.parametrize("name", OPERATIONS, ids=lambda n: f"s3:{n}")
def test_response_round_trip(name):
    operation = MODEL.operation_model(name)
    result = s3_output_example(operation)
    response = SERIALIZER.serialize_response(operation, copy.deepcopy(result), "REQ0123456789")

    parsed = ORACLE.call(name, _required_input(operation), response)
    metadata = parsed.pop("ResponseMetadata")
    assert metadata["RequestId"] == "REQ0123456789"
    assert metadata["HTTPStatusCode"] == int(operation.http.get("responseCode", 200))
    # botocore adds the raw Expires header next to the parsed one (the header is free text on S3).
    parsed.pop("ExpiresString", None)
    if operation.has_event_stream_output:
        # The event stream is framed by the provider, not the serializer; botocore still hands back
        # an (empty) EventStream object for the payload.
        parsed.pop(operation.output_shape.serialization["payload"])
    assert _drop_ambiguous_event(_materialize(parsed)) == result
