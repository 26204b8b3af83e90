"""The lifecycle engine: when each rule's action falls due for a version or an upload, which one
wins when several are due, and the x-amz-expiration header, as S3 documents them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from lakebox.services.s3.lifecycle_rules import (
    EXPIRE,
    EXPIRE_NONCURRENT,
    REMOVE_MARKER,
    TRANSITION,
    TRANSITION_NONCURRENT,
    VersionFacts,
    abort_date,
    abort_due,
    can_move,
    due_action,
    due_after,
    expiration_header,
    matches,
    planned_actions,
)

UTC = timezone.utc
CREATED = datetime(2024, 1, 15, 10, 30, tzinfo=UTC)
BIG = 1024 * 1024
SMALL = 1000


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def config(*rules, minimum=None) -> dict:
    document = {"Rules": [dict({"ID": f"rule-{i}", "Status": "Enabled"}, **r) for i, r in enumerate(rules)]}
    if minimum:
        document["TransitionDefaultMinimumObjectSize"] = minimum
    return document


def current(key="data/a.csv", size=BIG, tags=None, storage_class="STANDARD", **more) -> VersionFacts:
    return VersionFacts(key=key, size=size, tags=tags or {}, last_modified=CREATED, storage_class=storage_class,
                        is_latest=True, is_delete_marker=False, noncurrent_since=None, **more)


def noncurrent(since=CREATED, newer=0, size=BIG, marker=False, storage_class="STANDARD") -> VersionFacts:
    return VersionFacts(key="data/a.csv", size=size, tags={}, last_modified=CREATED - timedelta(days=3),
                        storage_class=storage_class, is_latest=False, is_delete_marker=marker,
                        noncurrent_since=since, newer_noncurrent=newer)


def marker(other_versions=0) -> VersionFacts:
    return VersionFacts(key="data/a.csv", size=0, tags={}, last_modified=CREATED, storage_class="STANDARD",
                        is_latest=True, is_delete_marker=True, noncurrent_since=None, other_versions=other_versions)


# -- dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("base,days,due", [
    (CREATED, 30, at(2024, 2, 15)),                 # the brief's example
    (at(2014, 1, 15, 10, 30), 3, at(2014, 1, 19)),  # AWS's own example
    (at(2024, 1, 15, 23, 59, 59), 1, at(2024, 1, 17)),
    (at(2024, 1, 15), 1, at(2024, 1, 17)),          # exactly midnight still goes to the next one
    (CREATED, 0, at(2024, 1, 16)),                  # Days 0: the midnight after creation
    (at(2024, 2, 28, 12), 1, at(2024, 3, 1)),       # leap day
])
def test_days_are_rounded_to_the_next_midnight_utc(base, days, due):
    assert due_after(base, days) == due


def test_due_after_takes_other_time_zones_as_the_same_instant():
    plus_two = timezone(timedelta(hours=2))
    assert due_after(datetime(2024, 1, 16, 1, 0, tzinfo=plus_two), 1) == at(2024, 1, 17)


# -- filters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule,key,size,tags,expected", [
    ({"Prefix": "data/"}, "data/x", 1, {}, True),
    ({"Prefix": "data/"}, "logs/x", 1, {}, False),
    ({"Prefix": ""}, "anything", 1, {}, True),
    ({"Filter": {}}, "anything", 1, {}, True),
    ({"Filter": {"Prefix": "data/"}}, "data/x", 1, {}, True),
    ({"Filter": {"Prefix": "data/"}}, "dat", 1, {}, False),
    ({"Filter": {"Tag": {"Key": "t", "Value": "v"}}}, "k", 1, {"t": "v", "o": "x"}, True),
    ({"Filter": {"Tag": {"Key": "t", "Value": "v"}}}, "k", 1, {"t": "w"}, False),
    ({"Filter": {"Tag": {"Key": "t", "Value": "v"}}}, "k", 1, {}, False),
    ({"Filter": {"ObjectSizeGreaterThan": 100}}, "k", 100, {}, False),
    ({"Filter": {"ObjectSizeGreaterThan": 100}}, "k", 101, {}, True),
    ({"Filter": {"ObjectSizeLessThan": 100}}, "k", 100, {}, False),
    ({"Filter": {"ObjectSizeLessThan": 100}}, "k", 99, {}, True),
    ({"Filter": {"And": {"Prefix": "a/", "Tags": [{"Key": "x", "Value": "1"}, {"Key": "y", "Value": "2"}],
                         "ObjectSizeGreaterThan": 10, "ObjectSizeLessThan": 20}}},
     "a/k", 15, {"x": "1", "y": "2"}, True),
    ({"Filter": {"And": {"Prefix": "a/", "Tags": [{"Key": "x", "Value": "1"}, {"Key": "y", "Value": "2"}]}}},
     "a/k", 15, {"x": "1"}, False),
    ({"Filter": {"And": {"Prefix": "a/", "ObjectSizeLessThan": 20}}}, "b/k", 15, {}, False),
    ({"Filter": {"And": {"Prefix": "a/", "ObjectSizeLessThan": 20}}}, "a/k", 25, {}, False),
])
def test_filter_matching(rule, key, size, tags, expected):
    assert matches(rule, key, size, tags) is expected


def test_disabled_rules_never_act():
    document = config({"Prefix": "", "Expiration": {"Days": 1}})
    document["Rules"][0]["Status"] = "Disabled"
    assert planned_actions(document, current()) == []
    assert expiration_header(document, "k", 1, {}, CREATED) is None


def test_no_configuration_means_no_action():
    assert due_action(None, current(), at(2100, 1, 1)) is None
    assert due_action({"Rules": []}, current(), at(2100, 1, 1)) is None


# -- expiration of current versions ------------------------------------------------------------------


@pytest.mark.parametrize("now,expected", [
    (at(2024, 2, 14, 23, 59, 59), None),
    (at(2024, 2, 15), EXPIRE),
    (at(2025, 1, 1), EXPIRE),
])
def test_days_expiration_is_due_at_the_rounded_midnight(now, expected):
    action = due_action(config({"Prefix": "data/", "Expiration": {"Days": 30}}), current(), now)
    assert (action and action.kind) == expected
    if action:
        assert action.due == at(2024, 2, 15) and action.rule_id == "rule-0"


def test_date_expiration_is_due_at_its_date_even_for_newer_objects():
    document = config({"Prefix": "", "Expiration": {"Date": "2024-01-01T00:00:00Z"}})
    action = due_action(document, current(), CREATED)
    assert action.kind == EXPIRE and action.due == at(2024, 1, 1)
    assert due_action(config({"Prefix": "", "Expiration": {"Date": at(2024, 6, 1)}}), current(), CREATED) is None


def test_the_earliest_expiration_wins():
    document = config({"Prefix": "", "Expiration": {"Days": 10}}, {"Prefix": "data/", "Expiration": {"Days": 5}})
    action = due_action(document, current(), at(2030, 1, 1))
    assert (action.rule_id, action.due) == ("rule-1", at(2024, 1, 21))


# -- transitions ------------------------------------------------------------------------------------

GUIDE_RULE = {"Prefix": "bronze/",
              "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"},
                              {"Days": 365, "StorageClass": "DEEP_ARCHIVE"}],
              "Expiration": {"Days": 2555}}


@pytest.mark.parametrize("now,storage_class,expected", [
    (at(2024, 2, 14), "STANDARD", None),
    (at(2024, 2, 15), "STANDARD", (TRANSITION, "STANDARD_IA")),
    (at(2024, 4, 14), "STANDARD", (TRANSITION, "STANDARD_IA")),
    (at(2024, 4, 15), "STANDARD", (TRANSITION, "GLACIER")),          # due 2024-04-14 10:30 + 1 midnight
    (at(2024, 4, 15), "STANDARD_IA", (TRANSITION, "GLACIER")),
    (at(2024, 4, 15), "GLACIER", None),                               # never to its own class
    (at(2025, 1, 14), "STANDARD", (TRANSITION, "GLACIER")),
    (at(2025, 1, 15), "STANDARD", (TRANSITION, "DEEP_ARCHIVE")),     # jumps straight to the coldest
    (at(2025, 1, 15), "GLACIER", (TRANSITION, "DEEP_ARCHIVE")),
    (at(2025, 1, 15), "DEEP_ARCHIVE", None),
    (at(2031, 1, 13), "DEEP_ARCHIVE", None),
    (at(2031, 1, 14), "DEEP_ARCHIVE", (EXPIRE, None)),                # expiration beats everything
    (at(2031, 1, 14), "STANDARD", (EXPIRE, None)),
])
def test_the_guide_rule_walks_down_the_waterfall(now, storage_class, expected):
    facts = current(key="bronze/events.parquet", storage_class=storage_class)
    action = due_action(config(GUIDE_RULE), facts, now)
    assert (action and (action.kind, action.storage_class)) == expected


def test_the_guide_rule_leaves_other_prefixes_alone():
    assert due_action(config(GUIDE_RULE), current(key="silver/x"), at(2040, 1, 1)) is None


@pytest.mark.parametrize("current_class,target,allowed", [
    ("STANDARD", "STANDARD_IA", True),
    ("STANDARD", "DEEP_ARCHIVE", True),
    ("REDUCED_REDUNDANCY", "ONEZONE_IA", True),
    ("STANDARD_IA", "INTELLIGENT_TIERING", True),
    ("INTELLIGENT_TIERING", "STANDARD_IA", False),
    ("ONEZONE_IA", "GLACIER_IR", False),
    ("ONEZONE_IA", "STANDARD_IA", False),
    ("ONEZONE_IA", "GLACIER", True),
    ("GLACIER_IR", "GLACIER", True),
    ("GLACIER", "GLACIER_IR", False),
    ("GLACIER", "GLACIER", False),
    ("DEEP_ARCHIVE", "GLACIER", False),
])
def test_transitions_follow_the_waterfall(current_class, target, allowed):
    assert can_move(current_class, target) is allowed


def test_intelligent_tiering_is_preferred_over_infrequent_access_but_not_over_glacier():
    rule = {"Prefix": "", "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"},
                                          {"Days": 40, "StorageClass": "INTELLIGENT_TIERING"},
                                          {"Days": 50, "StorageClass": "GLACIER_IR"},
                                          {"Days": 60, "StorageClass": "GLACIER"}]}
    facts = current()
    assert due_action(config(rule), facts, at(2024, 3, 10)).storage_class == "INTELLIGENT_TIERING"
    assert due_action(config(rule), facts, at(2024, 4, 1)).storage_class == "GLACIER"


def test_the_cheapest_due_transition_of_several_rules_wins():
    document = config({"Prefix": "", "Transitions": [{"Days": 40, "StorageClass": "STANDARD_IA"}]},
                      {"Prefix": "data/", "Transitions": [{"Days": 1, "StorageClass": "GLACIER"}]})
    action = due_action(document, current(), at(2024, 3, 1))
    assert (action.rule_id, action.storage_class) == ("rule-1", "GLACIER")


def test_date_transitions_are_due_at_their_date():
    rule = {"Prefix": "", "Transitions": [{"Date": at(2024, 6, 1), "StorageClass": "GLACIER"}]}
    assert due_action(config(rule), current(), at(2024, 5, 31)) is None
    assert due_action(config(rule), current(), at(2024, 6, 1)).due == at(2024, 6, 1)


def test_in_a_versioned_bucket_a_due_transition_goes_before_the_delete_marker():
    rule = {"Prefix": "", "Transitions": [{"Days": 1, "StorageClass": "GLACIER"}], "Expiration": {"Days": 2}}
    now = at(2024, 3, 1)
    assert due_action(config(rule), current(), now).kind == EXPIRE
    assert due_action(config(rule), current(bucket_versioned=True), now).kind == TRANSITION
    in_glacier = current(storage_class="GLACIER", bucket_versioned=True)
    assert due_action(config(rule), in_glacier, now).kind == EXPIRE


# -- the 128 KiB default minimum --------------------------------------------------------------------


@pytest.mark.parametrize("minimum,size,target,moves", [
    (None, 128 * 1024 - 1, "GLACIER", False),
    (None, 128 * 1024, "GLACIER", True),
    ("all_storage_classes_128K", SMALL, "DEEP_ARCHIVE", False),
    ("varies_by_storage_class", SMALL, "GLACIER", True),
    ("varies_by_storage_class", SMALL, "DEEP_ARCHIVE", True),
    ("varies_by_storage_class", SMALL, "GLACIER_IR", False),
    ("varies_by_storage_class", SMALL, "STANDARD_IA", False),
    ("varies_by_storage_class", BIG, "STANDARD_IA", True),
])
def test_small_objects_stay_unless_the_default_minimum_allows(minimum, size, target, moves):
    rule = {"Prefix": "", "Transitions": [{"Days": 30, "StorageClass": target}]}
    action = due_action(config(rule, minimum=minimum), current(size=size), at(2030, 1, 1))
    assert (action is not None) is moves


@pytest.mark.parametrize("size_filter,size,moves", [
    ({"ObjectSizeGreaterThan": 10}, SMALL, True),
    ({"ObjectSizeGreaterThan": 10}, 5, False),
    ({"ObjectSizeLessThan": 2000}, SMALL, True),   # any custom size filter overrides the default
])
def test_a_size_filter_overrides_the_default_minimum(size_filter, size, moves):
    rule = {"Filter": size_filter, "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]}
    assert (due_action(config(rule), current(size=size), at(2030, 1, 1)) is not None) is moves


def test_the_minimum_applies_to_noncurrent_transitions_too():
    rule = {"Filter": {}, "NoncurrentVersionTransitions": [{"NoncurrentDays": 1, "StorageClass": "GLACIER"}]}
    assert due_action(config(rule), noncurrent(size=SMALL), at(2030, 1, 1)) is None
    assert due_action(config(rule), noncurrent(size=BIG), at(2030, 1, 1)).kind == TRANSITION_NONCURRENT


# -- noncurrent versions ----------------------------------------------------------------------------


@pytest.mark.parametrize("newer,keep,now,expected", [
    (0, None, at(2024, 1, 19), None),
    (0, None, at(2024, 1, 20), EXPIRE_NONCURRENT),   # 15th 10:30 + 4 days -> the 20th
    (1, 2, at(2030, 1, 1), None),                     # among the 2 newest noncurrent: kept forever
    (2, 2, at(2024, 1, 19), None),                    # beyond them, but not old enough
    (2, 2, at(2024, 1, 20), EXPIRE_NONCURRENT),
])
def test_noncurrent_expiration_keeps_the_newest_versions(newer, keep, now, expected):
    action_spec = {"NoncurrentDays": 4}
    if keep is not None:
        action_spec["NewerNoncurrentVersions"] = keep
    document = config({"Filter": {}, "NoncurrentVersionExpiration": action_spec})
    action = due_action(document, noncurrent(newer=newer), now)
    assert (action and action.kind) == expected


def test_noncurrent_days_count_from_when_the_version_became_noncurrent():
    document = config({"Filter": {}, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}})
    action = due_action(document, noncurrent(since=at(2024, 3, 1, 8)), at(2030, 1, 1))
    assert action.due == at(2024, 3, 3)


def test_noncurrent_expiration_beats_noncurrent_transition():
    document = config({"Filter": {}, "NoncurrentVersionExpiration": {"NoncurrentDays": 40},
                       "NoncurrentVersionTransitions": [{"NoncurrentDays": 30, "StorageClass": "STANDARD_IA"}]})
    assert due_action(document, noncurrent(), at(2024, 2, 15)).storage_class == "STANDARD_IA"
    assert due_action(document, noncurrent(), at(2024, 3, 1)).kind == EXPIRE_NONCURRENT


def test_noncurrent_transition_keeps_the_newest_versions_in_their_class():
    rule = {"Filter": {}, "NoncurrentVersionTransitions": [
        {"NoncurrentDays": 1, "StorageClass": "GLACIER", "NewerNoncurrentVersions": 1}]}
    assert due_action(config(rule), noncurrent(newer=0), at(2030, 1, 1)) is None
    assert due_action(config(rule), noncurrent(newer=1), at(2030, 1, 1)).storage_class == "GLACIER"


def test_current_version_rules_leave_noncurrent_versions_alone_and_back():
    current_rules = config({"Prefix": "", "Expiration": {"Days": 1},
                            "Transitions": [{"Days": 1, "StorageClass": "GLACIER"}]})
    assert due_action(current_rules, noncurrent(), at(2030, 1, 1)) is None
    noncurrent_rules = config({"Prefix": "", "NoncurrentVersionExpiration": {"NoncurrentDays": 1}})
    assert due_action(noncurrent_rules, current(), at(2030, 1, 1)) is None


def test_a_noncurrent_version_without_a_noncurrent_date_is_left_alone():
    document = config({"Filter": {}, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}})
    assert due_action(document, noncurrent(since=None), at(2030, 1, 1)) is None


# -- delete markers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("expiration,facts,now,expected", [
    ({"ExpiredObjectDeleteMarker": True}, marker(), CREATED, REMOVE_MARKER),
    ({"ExpiredObjectDeleteMarker": True}, marker(other_versions=1), at(2030, 1, 1), None),
    ({"ExpiredObjectDeleteMarker": False}, marker(), at(2030, 1, 1), None),
    # With Days, S3 cleans expired-object delete markers up once they are old enough.
    ({"Days": 5}, marker(), at(2024, 1, 20), None),
    ({"Days": 5}, marker(), at(2024, 1, 21), REMOVE_MARKER),
    ({"Days": 5}, marker(other_versions=2), at(2030, 1, 1), None),
    ({"Date": at(2024, 1, 1)}, marker(), at(2030, 1, 1), None),
])
def test_expired_object_delete_markers(expiration, facts, now, expected):
    action = due_action(config({"Prefix": "", "Expiration": expiration}), facts, now)
    assert (action and action.kind) == expected


def test_delete_markers_never_transition():
    document = config({"Prefix": "", "Transitions": [{"Days": 0, "StorageClass": "GLACIER"}],
                       "NoncurrentVersionTransitions": [{"NoncurrentDays": 0, "StorageClass": "GLACIER"}]},
                      minimum="varies_by_storage_class")
    assert due_action(document, marker(other_versions=1), at(2030, 1, 1)) is None
    assert due_action(document, noncurrent(marker=True), at(2030, 1, 1)) is None


def test_noncurrent_delete_markers_expire_like_noncurrent_versions():
    document = config({"Filter": {}, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}})
    assert due_action(document, noncurrent(marker=True), at(2030, 1, 1)).kind == EXPIRE_NONCURRENT


def test_delete_markers_match_no_tag_filter():
    document = config({"Filter": {"Tag": {"Key": "t", "Value": "v"}},
                       "NoncurrentVersionExpiration": {"NoncurrentDays": 1}})
    facts = replace(noncurrent(marker=True), tags={"t": "v"})
    assert due_action(document, facts, at(2030, 1, 1)) is None


# -- x-amz-expiration -------------------------------------------------------------------------------


@pytest.mark.parametrize("rules,expected", [
    ([{"Prefix": "data/", "Expiration": {"Days": 30}}],
     'expiry-date="Thu, 15 Feb 2024 00:00:00 GMT", rule-id="rule-0"'),
    ([{"Prefix": "", "Expiration": {"Date": "2012-12-23T00:00:00Z"}}],
     'expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="rule-0"'),
    ([{"Prefix": "", "Expiration": {"Days": 30}}, {"Prefix": "data/", "Expiration": {"Days": 7}}],
     'expiry-date="Tue, 23 Jan 2024 00:00:00 GMT", rule-id="rule-1"'),
    ([{"Filter": {"Tag": {"Key": "t", "Value": "v"}}, "Expiration": {"Days": 1}}],
     'expiry-date="Wed, 17 Jan 2024 00:00:00 GMT", rule-id="rule-0"'),
    ([{"Filter": {"Tag": {"Key": "t", "Value": "other"}}, "Expiration": {"Days": 1}}], None),
    ([{"Prefix": "logs/", "Expiration": {"Days": 1}}], None),
    ([{"Prefix": "", "Expiration": {"ExpiredObjectDeleteMarker": True}}], None),
    ([{"Prefix": "", "Transitions": [{"Days": 1, "StorageClass": "GLACIER"}]}], None),
])
def test_expiration_header(rules, expected):
    assert expiration_header(config(*rules), "data/a.csv", BIG, {"t": "v"}, CREATED) == expected


# -- incomplete multipart uploads -------------------------------------------------------------------


def test_abort_date_and_rule_of_an_upload():
    document = config({"Prefix": "tmp/", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
                      {"Filter": {"Prefix": "tmp/big/"}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}})
    assert abort_date(document, "tmp/big/x", CREATED) == (at(2024, 1, 18), "rule-1")
    assert abort_date(document, "tmp/x", CREATED) == (at(2024, 1, 23), "rule-0")
    assert abort_date(document, "other/x", CREATED) is None


@pytest.mark.parametrize("now,expected", [
    (at(2024, 1, 22, 23, 59), None),
    (at(2024, 1, 23), "rule-0"),
])
def test_abort_due(now, expected):
    document = config({"Filter": {}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}})
    assert abort_due(document, "any", CREATED, now) == expected


def test_only_prefix_rules_abort_uploads():
    document = config({"Filter": {"Tag": {"Key": "t", "Value": "v"}},
                       "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
                      {"Filter": {"ObjectSizeGreaterThan": 1},
                       "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}})
    assert abort_date(document, "k", CREATED) is None
