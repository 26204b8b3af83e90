"""Replication rules as data: which destinations a version or a delete marker goes to, by filter,
priority, status and schema version, and the IDs S3 gives rules that have none."""

from __future__ import annotations

from typing import Optional

import pytest

from lakebox.services.s3.replication_rules import Target, marker_targets, object_targets, validate_configuration


def v2(bucket: str, priority: int, rule_filter: dict, markers: str = "Disabled", status: str = "Enabled",
       storage_class: Optional[str] = None, **extra) -> dict:
    destination = {"Bucket": f"arn:aws:s3:::{bucket}"}
    if storage_class:
        destination["StorageClass"] = storage_class
    return {"Status": status, "Priority": priority, "Filter": rule_filter,
            "DeleteMarkerReplication": {"Status": markers}, "Destination": destination, **extra}


def config(*rules) -> dict:
    return validate_configuration({"Role": "arn:aws:iam::123456789012:role/r", "Rules": list(rules)})


TAG = {"Tag": {"Key": "env", "Value": "prod"}}
AND = {"And": {"Prefix": "logs/", "Tags": [{"Key": "env", "Value": "prod"}]}}
KMS = {"SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
       "Destination": {"Bucket": "arn:aws:s3:::dst", "EncryptionConfiguration": {"ReplicaKmsKeyID": "k"}}}

#: (rules, key, tags, SSE-KMS object?, targets)
OBJECT_CASES = [
    ([v2("dst", 1, {})], "any", {}, False, [Target("dst")]),
    ([v2("dst", 1, {"Prefix": "logs/"})], "data/x", {}, False, []),
    ([v2("dst", 1, TAG)], "x", {"env": "prod"}, False, [Target("dst")]),
    ([v2("dst", 1, TAG)], "x", {"env": "dev"}, False, []),
    ([v2("dst", 1, AND)], "logs/x", {"env": "prod", "more": "1"}, False, [Target("dst")]),
    ([v2("dst", 1, AND)], "logs/x", {}, False, []),
    ([v2("dst", 1, {}, storage_class="GLACIER"), v2("dst", 2, TAG, storage_class="STANDARD_IA")], "x", {"env": "prod"},
     False, [Target("dst", "STANDARD_IA")]),
    ([v2("dst", 2, {}, storage_class="GLACIER"), v2("dst", 1, TAG, storage_class="STANDARD_IA")], "x", {"env": "prod"},
     False, [Target("dst", "GLACIER")]),
    ([v2("dst", 1, {}), v2("ext", 2, {})], "x", {}, False, [Target("dst"), Target("ext")]),
    ([v2("dst", 1, {}, status="Disabled")], "x", {}, False, []),
    ([v2("dst", 2, {}, status="Disabled"), v2("dst", 1, {}, storage_class="GLACIER")], "x", {}, False,
     [Target("dst", "GLACIER")]),
    ([v2("dst", 1, {})], "x", {}, True, []),
    ([{**v2("dst", 1, {}), **KMS}], "x", {}, True, [Target("dst")]),
    ([{"Status": "Enabled", "Prefix": "raw/", "Destination": {"Bucket": "arn:aws:s3:::dst"}}], "raw/x", {}, False,
     [Target("dst")]),
]


@pytest.mark.parametrize("rules, key, tags, kms, expected", OBJECT_CASES)
def test_object_targets(rules, key, tags, kms, expected):
    assert object_targets(config(*rules), key, tags, kms) == expected


#: (rules, key, targets of a delete marker made on key)
MARKER_CASES = [
    ([v2("dst", 1, {}, markers="Enabled")], "x", [Target("dst")]),
    ([v2("dst", 1, {}, markers="Disabled")], "x", []),
    ([v2("dst", 2, {"Prefix": "a/"}, markers="Disabled"), v2("dst", 1, {}, markers="Enabled")], "a/x", []),
    ([v2("dst", 2, {"Prefix": "a/"}, markers="Disabled"), v2("dst", 1, {}, markers="Enabled")], "b/x", [Target("dst")]),
    ([v2("dst", 2, TAG), v2("dst", 1, {}, markers="Enabled")], "x", [Target("dst")]),
    ([{"Status": "Enabled", "Prefix": "", "Destination": {"Bucket": "arn:aws:s3:::dst"}}], "x", [Target("dst")]),
]


@pytest.mark.parametrize("rules, key, expected", MARKER_CASES)
def test_marker_targets(rules, key, expected):
    assert marker_targets(config(*rules), key) == expected


def test_rules_without_an_id_are_named_and_the_rest_is_kept():
    document = config(v2("dst", 1, {}), {**v2("dst", 2, {}), "ID": "mine"})
    first, second = document["Rules"]
    assert len(first["ID"]) == 32 and second["ID"] == "mine"
    assert {k: v for k, v in first.items() if k != "ID"} == v2("dst", 1, {})
