"""Kinesis's own input checks: the model patterns and enum it enforces, and the characters of tags."""

from __future__ import annotations

import botocore.session
import pytest

from lakebox.protocol.errors import AwsError
from lakebox.services.kinesis.input_checks import check_tag_characters, pattern_problems

MODEL = botocore.session.get_session().get_service_model("kinesis")


def _op(name: str):
    return MODEL.operation_model(name)


def test_stream_name_pattern_problem_names_the_member_in_lower_camel_case():
    assert pattern_problems({"StreamName": "a b"}, _op("DescribeStream")) == [
        "Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "[a-zA-Z0-9_.-]+"]


def test_names_within_the_pattern_have_no_problem():
    assert pattern_problems({"StreamName": "ok_name-1.2", "ShardId": "shardId-000000000000",
                             "ShardIteratorType": "LATEST"}, _op("GetShardIterator")) == []


def test_digit_patterns_are_ascii_only():
    problems = pattern_problems({"StreamName": "s", "ShardToSplit": "shardId-0", "NewStartingHashKey": "\u0663"},
                                _op("SplitShard"))
    assert len(problems) == 1 and "at 'newStartingHashKey'" in problems[0]


def test_list_entries_are_walked_with_their_item_path():
    records = [{"Data": b"", "PartitionKey": "k"}, {"Data": b"", "PartitionKey": "k", "ExplicitHashKey": "01"}]
    problems = pattern_problems({"StreamName": "s", "Records": records}, _op("PutRecords"))
    assert [p.split(" failed")[0] for p in problems] == ["Value '01' at 'records.2.member.explicitHashKey'"]


def test_iterator_type_outside_the_enum_is_a_problem():
    problems = pattern_problems({"StreamName": "s", "ShardId": "0", "ShardIteratorType": "NEWEST"},
                                _op("GetShardIterator"))
    assert problems == ["Value 'NEWEST' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy "
                        "enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, "
                        "TRIM_HORIZON]"]


@pytest.mark.parametrize("tags", [{"k": "v"}, {"ünï cødé 9": ""}, {"_./=+-%@": "_./=+-%@"}, {"\u00a0": "x"}])
def test_allowed_tag_characters_pass(tags):
    check_tag_characters(tags)


@pytest.mark.parametrize("tags", [{"a;b": ""}, {"k": "a\tb"}, {"k": "a\nb"}, {"a,b": "1"}, {"k": "a:b"},
                                  {"k": "x*"}])
def test_other_tag_characters_are_an_invalid_argument(tags):
    with pytest.raises(AwsError) as excinfo:
        check_tag_characters(tags)
    assert excinfo.value.code == "InvalidArgumentException"
