"""Bucket lifecycle configuration over boto3: stored and read back as given, refused with S3's code,
status and message when S3 would refuse it, and a refused PUT leaves the old configuration."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

#: The guide's rule, with `Id` corrected to `ID` (tests/guide/FIXES.md).
GUIDE_RULE = {
    "ID": "bronze-to-glacier",
    "Status": "Enabled",
    "Prefix": "bronze/",
    "Transitions": [
        {"Days": 30, "StorageClass": "STANDARD_IA"},
        {"Days": 90, "StorageClass": "GLACIER"},
        {"Days": 365, "StorageClass": "DEEP_ARCHIVE"},
    ],
    "Expiration": {"Days": 2555},
}


def rule(**fields):
    base = {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "logs/"}}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def put(s3, bucket, *rules, **extra):
    return s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": list(rules)},
                                                 **extra)


def refused(s3, bucket, *rules) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as exc:
        put(s3, bucket, *rules)
    return (*error_of(exc), exc.value.response["Error"]["Message"])


# -- round trips ------------------------------------------------------------------------------------


def test_the_guide_rule_round_trips(s3, bucket):
    response = put(s3, bucket, GUIDE_RULE)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["Rules"] == [GUIDE_RULE]
    assert got["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"


def test_filters_dates_and_noncurrent_actions_round_trip(s3, bucket):
    rules = [
        rule(ID="and", Filter={"And": {"Prefix": "a/", "Tags": [{"Key": "k", "Value": "v"}],
                                       "ObjectSizeGreaterThan": 10, "ObjectSizeLessThan": 1000}},
             NoncurrentVersionExpiration={"NoncurrentDays": 60, "NewerNoncurrentVersions": 3},
             NoncurrentVersionTransitions=[{"NoncurrentDays": 30, "StorageClass": "GLACIER"}]),
        rule(ID="date", Filter={"Tag": {"Key": "t", "Value": "1"}},
             Expiration={"Date": datetime(2031, 1, 1, tzinfo=timezone.utc)},
             Transitions=[{"Date": datetime(2030, 1, 1, tzinfo=timezone.utc), "StorageClass": "GLACIER_IR"}]),
        rule(ID="markers", Filter={}, Expiration={"ExpiredObjectDeleteMarker": True},
             AbortIncompleteMultipartUpload={"DaysAfterInitiation": 7}),
    ]
    put(s3, bucket, *rules)
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules


def test_a_rule_without_an_id_gets_one(s3, bucket):
    put(s3, bucket, {"Status": "Enabled", "Prefix": "a/", "Expiration": {"Days": 1}},
        {"Status": "Disabled", "Prefix": "b/", "Expiration": {"Days": 2}})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert [r["Prefix"] for r in got] == ["a/", "b/"]
    assert all(r["ID"] for r in got) and got[0]["ID"] != got[1]["ID"]


@pytest.mark.parametrize("value", ["varies_by_storage_class", "all_storage_classes_128K"])
def test_the_minimum_object_size_header_round_trips(s3, bucket, value):
    response = put(s3, bucket, GUIDE_RULE, TransitionDefaultMinimumObjectSize=value)
    assert response["TransitionDefaultMinimumObjectSize"] == value
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["TransitionDefaultMinimumObjectSize"] == value


def test_an_unknown_minimum_object_size_is_refused(s3, bucket):
    with pytest.raises(ClientError) as exc:
        put(s3, bucket, GUIDE_RULE, TransitionDefaultMinimumObjectSize="tiny")
    assert error_of(exc) == (400, "InvalidRequest")


def test_a_new_configuration_replaces_the_old_one(s3, bucket):
    put(s3, bucket, GUIDE_RULE, TransitionDefaultMinimumObjectSize="varies_by_storage_class")
    other = rule(ID="other", Expiration={"Days": 3})
    put(s3, bucket, other)
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["Rules"] == [other]
    assert got["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"


def test_delete_then_get_is_no_such_lifecycle_configuration(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchLifecycleConfiguration")
    assert exc.value.response["Error"]["Message"] == "The lifecycle configuration does not exist"
    assert exc.value.response["Error"]["BucketName"] == bucket
    # Deleting nothing is fine too.
    assert s3.delete_bucket_lifecycle(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    put(s3, bucket, GUIDE_RULE)
    assert s3.delete_bucket_lifecycle(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchLifecycleConfiguration")


def test_the_configuration_is_forgotten_with_the_bucket(s3, bucket):
    put(s3, bucket, GUIDE_RULE)
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchLifecycleConfiguration")


def test_lifecycle_of_a_missing_bucket_is_no_such_bucket(s3):
    for call in (lambda: put(s3, "no-such-bucket-here", GUIDE_RULE),
                 lambda: s3.get_bucket_lifecycle_configuration(Bucket="no-such-bucket-here"),
                 lambda: s3.delete_bucket_lifecycle(Bucket="no-such-bucket-here")):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (404, "NoSuchBucket")


def test_the_deprecated_api_is_served_too(s3, bucket):
    legacy = {"ID": "old", "Status": "Enabled", "Prefix": "old/", "Transition": {"Days": 30, "StorageClass": "GLACIER"},
              "Expiration": {"Days": 60}}
    s3.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration={"Rules": [legacy]})
    assert s3.get_bucket_lifecycle(Bucket=bucket)["Rules"] == [legacy]
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert got["Transitions"] == [{"Days": 30, "StorageClass": "GLACIER"}]


# -- refusals ---------------------------------------------------------------------------------------

MIDNIGHT = datetime(2030, 1, 1, tzinfo=timezone.utc)
NOON = datetime(2030, 1, 1, 12, tzinfo=timezone.utc)

BAD_RULES = {
    # The XML schema: MalformedXML.
    "status-lowercase": ([rule(Status="enabled", Expiration={"Days": 1})], "MalformedXML", None),
    "status-unknown": ([rule(Status="invalid", Expiration={"Days": 1})], "MalformedXML", None),
    "neither-prefix-nor-filter": ([rule(Filter=None, Expiration={"Days": 1})], "MalformedXML", None),
    "filter-two-predicates": ([rule(Filter={"Prefix": "a", "Tag": {"Key": "k", "Value": "v"}},
                                    Expiration={"Days": 1})], "MalformedXML", None),
    "filter-two-sizes": ([rule(Filter={"ObjectSizeGreaterThan": 1, "ObjectSizeLessThan": 9},
                               Expiration={"Days": 1})], "MalformedXML", None),
    "expiration-days-and-date": ([rule(Expiration={"Days": 1, "Date": MIDNIGHT})], "MalformedXML", None),
    "expiration-days-and-marker": ([rule(Expiration={"Days": 1, "ExpiredObjectDeleteMarker": True})],
                                   "MalformedXML", None),
    "expiration-empty": ([rule(Expiration={})], "MalformedXML", None),
    "transition-days-and-date": ([rule(Transitions=[{"Days": 1, "Date": MIDNIGHT, "StorageClass": "GLACIER"}])],
                                 "MalformedXML", None),
    "transition-without-class": ([rule(Transitions=[{"Days": 1}])], "MalformedXML", None),
    "transition-to-standard": ([rule(Transitions=[{"Days": 1, "StorageClass": "STANDARD"}])], "MalformedXML", None),
    "noncurrent-without-days": ([rule(NoncurrentVersionExpiration={"NewerNoncurrentVersions": 1})],
                                "MalformedXML", None),
    # Values out of range: InvalidArgument.
    "id-too-long": ([rule(ID="a" * 256, Expiration={"Days": 1})], "InvalidArgument",
                    "ID length should not exceed allowed limit of 255"),
    "id-twice": ([rule(ID="same", Expiration={"Days": 1}), rule(ID="same", Filter={"Prefix": "b/"},
                                                                 Expiration={"Days": 2})],
                 "InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule"),
    "expiration-days-zero": ([rule(Expiration={"Days": 0})], "InvalidArgument",
                             "'Days' for Expiration action must be a positive integer"),
    "expiration-not-midnight": ([rule(Expiration={"Date": NOON})], "InvalidArgument",
                                "'Date' must be at midnight GMT"),
    "transition-not-midnight": ([rule(Transitions=[{"Date": NOON, "StorageClass": "GLACIER"}])],
                                "InvalidArgument", "'Date' must be at midnight GMT"),
    "standard-ia-too-soon": ([rule(Transitions=[{"Days": 29, "StorageClass": "STANDARD_IA"}])], "InvalidArgument",
                             ("'Days' in Transition action must be greater than or equal to 30 for storageClass "
                              "'STANDARD_IA'")),
    "onezone-ia-too-soon": ([rule(Transitions=[{"Days": 1, "StorageClass": "ONEZONE_IA"}])], "InvalidArgument",
                            ("'Days' in Transition action must be greater than or equal to 30 for storageClass "
                             "'ONEZONE_IA'")),
    "noncurrent-ia-too-soon": ([rule(NoncurrentVersionTransitions=[{"NoncurrentDays": 7,
                                                                    "StorageClass": "STANDARD_IA"}])],
                               "InvalidArgument", None),
    "expiration-before-transition": ([rule(Transitions=[{"Days": 90, "StorageClass": "GLACIER"}],
                                           Expiration={"Days": 90})], "InvalidArgument",
                                     ("'Days' in the Expiration action for filter '(prefix=logs/)' must be greater "
                                      "than 'Days' in the Transition action")),
    "colder-class-first": ([rule(Transitions=[{"Days": 90, "StorageClass": "GLACIER"},
                                              {"Days": 60, "StorageClass": "DEEP_ARCHIVE"}])], "InvalidArgument",
                           None),
    "noncurrent-days-zero": ([rule(NoncurrentVersionExpiration={"NoncurrentDays": 0})], "InvalidArgument", None),
    "abort-days-zero": ([rule(AbortIncompleteMultipartUpload={"DaysAfterInitiation": 0})], "InvalidArgument", None),
    # Rules that contradict each other or the API version: InvalidRequest.
    "no-action": ([rule()], "InvalidRequest", "At least one action needs to be specified in a rule"),
    "prefix-and-filter": ([rule(Prefix="a/", Expiration={"Days": 1})], "MalformedXML", None),
    "prefix-rule-after-filter-rules": ([rule(Expiration={"Days": 1}),
                                        rule(ID="p", Filter=None, Prefix="a/", Expiration={"Days": 1})],
                                       "InvalidRequest",
                                       ("Base level prefix cannot be used in Lifecycle V2, prefixes are only "
                                        "supported in the Filter.")),
    "filter-after-prefix-rules": ([rule(Filter=None, Prefix="a/", Expiration={"Days": 1}),
                                   rule(ID="f", Expiration={"Days": 1})],
                                  "InvalidRequest", "Filter element can only be used in Lifecycle V2."),
    "overlapping-prefixes": ([rule(Filter=None, Prefix="", Expiration={"Days": 1}),
                              rule(ID="logs", Filter=None, Prefix="logs", Expiration={"Days": 5})],
                             "InvalidRequest",
                             "Found overlapping prefixes 'logs' and '' for same action type 'Expiration'"),
    "marker-with-tag": ([rule(Filter={"Tag": {"Key": "k", "Value": "v"}},
                              Expiration={"ExpiredObjectDeleteMarker": True})],
                        "InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified with Tags."),
    "abort-with-tag": ([rule(Filter={"And": {"Prefix": "a", "Tags": [{"Key": "k", "Value": "v"}]}},
                             AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1})],
                       "InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags."),
    "abort-with-size": ([rule(Filter={"ObjectSizeGreaterThan": 10},
                              AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1})],
                        "InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Object Size."),
    "same-class-twice": ([rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER"},
                                            {"Days": 60, "StorageClass": "GLACIER"}])], "InvalidRequest",
                         ("'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter "
                          "'(prefix=logs/)'")),
    "days-and-dates-mixed": ([rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER"},
                                                {"Date": MIDNIGHT, "StorageClass": "DEEP_ARCHIVE"}])],
                             "InvalidRequest", None),
    "expiration-date-transition-days": ([rule(Expiration={"Date": MIDNIGHT},
                                              Transitions=[{"Days": 30, "StorageClass": "GLACIER"}])],
                                        "InvalidRequest", None),
    "sizes-inverted": ([rule(Filter={"And": {"Prefix": "a", "ObjectSizeGreaterThan": 100, "ObjectSizeLessThan": 100}},
                             Expiration={"Days": 1})], "InvalidRequest",
                       "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'."),
    "duplicate-tag-keys": ([rule(Filter={"And": {"Tags": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]}},
                                 Expiration={"Days": 1})], "InvalidRequest", "Duplicate Tag Keys are not allowed."),
    "newer-versions-in-v1": ([rule(Filter=None, Prefix="a/", NoncurrentVersionExpiration={
        "NoncurrentDays": 1, "NewerNoncurrentVersions": 2})], "InvalidRequest",
                             "NewerNoncurrentVersions element can only be used in Lifecycle V2."),
}


@pytest.mark.parametrize("rules,code,message", BAD_RULES.values(), ids=BAD_RULES.keys())
def test_a_bad_configuration_gets_s3s_answer_and_leaves_the_old_one(s3, bucket, rules, code, message):
    put(s3, bucket, GUIDE_RULE)
    status, got_code, got_message = refused(s3, bucket, *rules)
    assert (status, got_code) == (400, code)
    if message is not None:
        assert got_message == message
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == [GUIDE_RULE]


def test_a_failed_first_put_leaves_no_configuration(s3, bucket):
    refused(s3, bucket, rule(Expiration={"Days": 0}))
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchLifecycleConfiguration")


def test_more_than_a_thousand_rules_are_refused(s3, bucket):
    rules = [rule(ID=f"r{i}", Filter={"Prefix": f"p{i}/"}, Expiration={"Days": 1}) for i in range(1001)]
    assert refused(s3, bucket, *rules)[:2] == (400, "InvalidRequest")
    put(s3, bucket, *rules[:1000])
    assert len(s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]) == 1000


def test_a_date_that_is_no_midnight_is_refused_as_s3_tests_send_it(s3, bucket):
    # s3-tests' test_lifecycle_set_invalid_date: botocore reads '20200101' as epoch seconds.
    status, code, _ = refused(s3, bucket, {"ID": "rule1", "Expiration": {"Date": "20200101"}, "Prefix": "test1/",
                                           "Status": "Enabled"})
    assert (status, code) == (400, "InvalidArgument")


@pytest.mark.parametrize("rules", [
    [rule(Transitions=[{"Days": 0, "StorageClass": "GLACIER"}])],
    [rule(Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 60, "StorageClass": "INTELLIGENT_TIERING"},
                       {"Days": 90, "StorageClass": "GLACIER_IR"}])],
    [rule(Expiration={"ExpiredObjectDeleteMarker": True}, Transitions=[{"Days": 12, "StorageClass": "DEEP_ARCHIVE"}])],
    [rule(Filter={}, Expiration={"ExpiredObjectDeleteMarker": True})],
    [rule(Filter={"Prefix": ""}, Expiration={"Days": 1}), rule(ID="logs", Filter={"Prefix": "logs"},
                                                                Expiration={"Days": 5})],
    [{"ID": "dm", "Prefix": "", "Status": "Enabled", "Expiration": {"ExpiredObjectDeleteMarker": True}},
     {"ID": "nc", "Prefix": "", "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}],
], ids=["glacier-day-0", "waterfall", "marker-and-transition", "empty-filter", "v2-overlap-allowed",
        "v1-different-actions"])
def test_configurations_s3_accepts(s3, bucket, rules):
    put(s3, bucket, *rules)
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules
