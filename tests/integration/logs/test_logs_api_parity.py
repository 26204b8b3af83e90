"""CloudWatch Logs behaviours checked against AWS's API reference."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_log_group_identifier_with_the_wildcard_arn_is_invalid_parameter(logs):
    logs.create_log_group(logGroupName="g1")
    logs.create_log_stream(logGroupName="g1", logStreamName="s1")
    group = logs.describe_log_groups(logGroupNamePrefix="g1")["logGroups"][0]
    assert group["arn"] == group["logGroupArn"] + ":*"
    streams = logs.describe_log_streams(logGroupIdentifier=group["logGroupArn"])["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["s1"]
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(logGroupIdentifier=group["arn"])
    assert exc.value.response["Error"] == {
        "Code": "InvalidParameterException",
        "Message": "1 validation error detected: Value at 'logGroupIdentifier' failed to satisfy "
                   "constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*"}
