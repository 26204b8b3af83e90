"""Bucket lifecycle configuration: PutBucketLifecycleConfiguration, GetBucketLifecycleConfiguration
and DeleteBucketLifecycle, validated as S3 validates them and stored whole.

Why the validation is long: S3 refuses a bad configuration in three distinct ways, and tools
(Terraform, CDK, the CLI) surface the exact code and message, so each fault gets S3's own answer:
- `MalformedXML` for what its XML schema forbids: a Status other than Enabled/Disabled, a rule with
  neither Prefix nor Filter, a Filter with more than one predicate, an Expiration or Transition
  without exactly one of its alternatives, a transition without a known StorageClass. The schema
  is checked over the whole document first, as S3 does before reading any value.
- `InvalidRequest` for rules that contradict each other or the API version: a rule without an
  action, mixing the old top-level Prefix with the newer Filter ("Lifecycle V2"), overlapping
  prefixes in an old-style configuration, tag or size filters on actions that cannot use them,
  mixed Date and Days, a storage class named twice.
- `InvalidArgument` for values out of range: IDs, day counts, dates not at midnight, transitions to
  an infrequent-access class before 30 days, an expiration not after the transitions.
Messages are S3's own where they are on record (its answers quoted in issue trackers and in other S3
implementations' tests); the few that are not follow the pattern of their neighbours. `_scope_text`
renders a rule's filter the way S3 quotes it ("(prefix=logs/ and tag={key=k, value=v})").

The deprecated PutBucketLifecycle/GetBucketLifecycle share this URI, so S3 (and lakebox's router)
serves them with these operations; their XML is compatible (a `<Transition>` element is one item of
`Transitions`).

A PUT that fails changes nothing: the document is written only after every check passed. What the
rules do to objects is computed by lifecycle_rules.py, which reads the stored document.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import uuid
from typing import Any, Optional

from ...protocol.context import RequestContext
from .common import S3Base
from .errors import invalid_argument, invalid_request, s3_error
from .lifecycle_rules import (
    ALL_STORAGE_CLASSES_128K,
    ENABLED,
    INFREQUENT_ACCESS_CLASSES,
    INFREQUENT_ACCESS_MINIMUM_DAYS,
    MINIMUM_SIZES,
    TRANSITION_CLASSES,
    as_utc,
)

#: The document's name in the per-bucket configuration store.
LIFECYCLE_CONFIG = "lifecycle"

MAX_RULES = 1000
MAX_ID_LENGTH = 255
#: The largest size a filter may name (1000 TiB); S3 quotes it in its range errors.
MAX_FILTER_SIZE = 1_099_511_627_776_000
_STATUSES = (ENABLED, "Disabled")
_FILTER_PREDICATES = ("Prefix", "Tag", "And", "ObjectSizeGreaterThan", "ObjectSizeLessThan")
_ACTIONS = ("Expiration", "Transitions", "NoncurrentVersionTransitions", "NoncurrentVersionExpiration",
            "AbortIncompleteMultipartUpload")
#: The action types S3 names when two old-style rules overlap.
_OVERLAP_TYPES = (
    ("Expiration", "Expiration"),
    ("Transitions", "Transition"),
    ("NoncurrentVersionTransitions", "NoncurrentVersionTransition"),
    ("NoncurrentVersionExpiration", "NoncurrentVersionExpiration"),
    ("AbortIncompleteMultipartUpload", "AbortIncompleteMultipartUpload"),
)


def _malformed() -> Exception:
    return s3_error("MalformedXML")


def _present(container: dict, name: str) -> bool:
    return container.get(name) is not None


# -- schema (MalformedXML) --------------------------------------------------------------------------


def _check_schema(rule: dict) -> None:
    if rule.get("Status") not in _STATUSES:
        raise _malformed()
    if _present(rule, "Prefix") == _present(rule, "Filter"):
        # The schema's choice: a rule has the old top-level Prefix or a Filter, never both or neither.
        raise _malformed()
    given = rule.get("Filter") or {}
    if sum(_present(given, name) for name in _FILTER_PREDICATES) > 1:
        raise _malformed()
    expiration = rule.get("Expiration")
    if expiration is not None and sum(
            _present(expiration, name) for name in ("Date", "Days", "ExpiredObjectDeleteMarker")) != 1:
        raise _malformed()
    for transition in rule.get("Transitions") or []:
        if _present(transition, "Date") == _present(transition, "Days"):
            raise _malformed()
        if transition.get("StorageClass") not in TRANSITION_CLASSES:
            raise _malformed()
    for transition in rule.get("NoncurrentVersionTransitions") or []:
        if not _present(transition, "NoncurrentDays") or transition.get("StorageClass") not in TRANSITION_CLASSES:
            raise _malformed()
    noncurrent = rule.get("NoncurrentVersionExpiration")
    if noncurrent is not None and not _present(noncurrent, "NoncurrentDays"):
        raise _malformed()
    abort = rule.get("AbortIncompleteMultipartUpload")
    if abort is not None and not _present(abort, "DaysAfterInitiation"):
        raise _malformed()


# -- values (InvalidArgument / InvalidRequest) ------------------------------------------------------


def _scope_text(rule: dict) -> str:
    """The rule's filter as S3 quotes it in messages: `(prefix=logs/)`,
    `(prefix=a/ and tag={key=k, value=v} and objectsizegreaterthan=500)`."""
    if not _present(rule, "Filter"):
        return f"(prefix={rule.get('Prefix') or ''})"
    parts: list[str] = []
    for level in (rule["Filter"], rule["Filter"].get("And") or {}):
        if _present(level, "Prefix"):
            parts.append(f"prefix={level['Prefix']}")
        for tag in ([level["Tag"]] if _present(level, "Tag") else []) + list(level.get("Tags") or []):
            parts.append(f"tag={{key={tag.get('Key')}, value={tag.get('Value')}}}")
        for bound in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
            if _present(level, bound):
                parts.append(f"{bound.lower()}={level[bound]}")
    return "(" + (" and ".join(parts) or "prefix=") + ")"


def _filter_parts(rule: dict) -> tuple[list[dict], Optional[int], Optional[int]]:
    """(tags, ObjectSizeGreaterThan, ObjectSizeLessThan) named anywhere in the rule's Filter."""
    given = rule.get("Filter") or {}
    both = given.get("And") or {}
    tags = ([given["Tag"]] if _present(given, "Tag") else []) + list(both.get("Tags") or [])
    larger = given.get("ObjectSizeGreaterThan", both.get("ObjectSizeGreaterThan"))
    smaller = given.get("ObjectSizeLessThan", both.get("ObjectSizeLessThan"))
    return tags, larger, smaller


def _check_filter(rule: dict) -> None:
    tags, larger, smaller = _filter_parts(rule)
    keys = [tag.get("Key") for tag in tags]
    if len(set(keys)) != len(keys):
        raise invalid_request("Duplicate Tag Keys are not allowed.")
    if larger is not None and not 0 <= larger <= MAX_FILTER_SIZE:
        raise invalid_request(f"'ObjectSizeGreaterThan' should be between 0 and {MAX_FILTER_SIZE}.")
    if smaller is not None and not 1 <= smaller <= MAX_FILTER_SIZE:
        raise invalid_request(f"'ObjectSizeLessThan' should be between 1 and {MAX_FILTER_SIZE}.")
    if larger is not None and smaller is not None and smaller <= larger:
        raise invalid_request("'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.")


def _check_midnight(value: Any) -> dt.datetime:
    moment = as_utc(value)
    if (moment.hour, moment.minute, moment.second, moment.microsecond) != (0, 0, 0, 0):
        raise invalid_argument("'Date' must be at midnight GMT", "Date", moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return moment


def _check_positive(value: Optional[int], message: str) -> None:
    if value is not None and value <= 0:
        raise invalid_argument(message)


def _check_actions(rule: dict, v2: bool) -> None:
    """One rule's actions, in the order S3 reports their faults."""
    if not any(_present(rule, action) and rule[action] != [] for action in _ACTIONS):
        raise invalid_request("At least one action needs to be specified in a rule")
    expiration = rule.get("Expiration") or {}
    _check_positive(expiration.get("Days"), "'Days' for Expiration action must be a positive integer")
    if _present(expiration, "Date"):
        _check_midnight(expiration["Date"])
    noncurrent = rule.get("NoncurrentVersionExpiration") or {}
    _check_positive(noncurrent.get("NoncurrentDays"),
                    "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
    _check_newer(noncurrent, v2)
    abort = rule.get("AbortIncompleteMultipartUpload") or {}
    _check_positive(abort.get("DaysAfterInitiation"),
                    "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
    tags, larger, smaller = _filter_parts(rule)
    sized = larger is not None or smaller is not None
    if _present(expiration, "ExpiredObjectDeleteMarker"):
        if tags:
            raise invalid_request("ExpiredObjectDeleteMarker cannot be specified with Tags.")
        if sized:
            raise invalid_request("ExpiredObjectDeleteMarker cannot be specified with Object Size.")
    if abort:
        if tags:
            raise invalid_request("AbortIncompleteMultipartUpload cannot be specified with Tags.")
        if sized:
            raise invalid_request("AbortIncompleteMultipartUpload cannot be specified with Object Size.")
    _check_transitions(rule)
    _check_noncurrent_transitions(rule, v2)


def _check_newer(action: dict, v2: bool) -> None:
    if not _present(action, "NewerNoncurrentVersions"):
        return
    if not v2:
        raise invalid_request("NewerNoncurrentVersions element can only be used in Lifecycle V2.")
    _check_positive(action["NewerNoncurrentVersions"], "'NewerNoncurrentVersions' must be a positive integer")


def _check_transitions(rule: dict) -> None:
    transitions = rule.get("Transitions") or []
    scope = _scope_text(rule)
    for transition in transitions:
        if _present(transition, "Date"):
            _check_midnight(transition["Date"])
            continue
        days, target = transition["Days"], transition["StorageClass"]
        if days < 0:
            raise invalid_argument("'Days' in Transition action must be nonnegative")
        if target in INFREQUENT_ACCESS_CLASSES and days < INFREQUENT_ACCESS_MINIMUM_DAYS:
            raise invalid_argument(f"'Days' in Transition action must be greater than or equal to "
                                   f"{INFREQUENT_ACCESS_MINIMUM_DAYS} for storageClass '{target}'")
    _check_distinct(transitions, "Transition", scope)
    expiration = rule.get("Expiration") or {}
    dated = {_present(t, "Date") for t in transitions}
    if len(dated) > 1:
        raise invalid_request(f"Found mixed 'Date' and 'Days' based Transition actions in lifecycle rule "
                              f"for filter '{scope}'")
    if dated and (_present(expiration, "Date") or _present(expiration, "Days")) and (
            dated != {_present(expiration, "Date")}):
        raise invalid_request(f"Found mixed 'Date' and 'Days' based Expiration and Transition actions in "
                              f"lifecycle rule for filter '{scope}'")
    member = "Date" if True in dated else "Days"
    when = {t["StorageClass"]: (as_utc(t["Date"]) if member == "Date" else t["Days"]) for t in transitions}
    _check_order(when, member, "Transition", scope)
    if _present(expiration, member) and when:
        latest = max(when.values())
        if (as_utc(expiration[member]) if member == "Date" else expiration[member]) <= latest:
            raise invalid_argument(f"'{member}' in the Expiration action for filter '{scope}' must be greater "
                                   f"than '{member}' in the Transition action")


def _check_noncurrent_transitions(rule: dict, v2: bool) -> None:
    transitions = rule.get("NoncurrentVersionTransitions") or []
    scope = _scope_text(rule)
    for transition in transitions:
        days, target = transition["NoncurrentDays"], transition["StorageClass"]
        if days < 0:
            raise invalid_argument("'NoncurrentDays' in NoncurrentVersionTransition action must be nonnegative")
        if target in INFREQUENT_ACCESS_CLASSES and days < INFREQUENT_ACCESS_MINIMUM_DAYS:
            raise invalid_argument(f"'NoncurrentDays' in NoncurrentVersionTransition action must be greater "
                                   f"than or equal to {INFREQUENT_ACCESS_MINIMUM_DAYS} for storageClass '{target}'")
        _check_newer(transition, v2)
    _check_distinct(transitions, "NoncurrentVersionTransition", scope)
    when = {t["StorageClass"]: t["NoncurrentDays"] for t in transitions}
    _check_order(when, "NoncurrentDays", "NoncurrentVersionTransition", scope)
    expiration = (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
    if expiration is not None and when and expiration <= max(when.values()):
        raise invalid_argument(f"'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '{scope}' "
                               f"must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action")


def _check_distinct(transitions: list[dict], action: str, scope: str) -> None:
    classes = [t["StorageClass"] for t in transitions]
    if len(set(classes)) != len(classes):
        raise invalid_request(f"'StorageClass' must be different for '{action}' actions in same 'Rule' "
                              f"with filter '{scope}'")


def _check_order(when: dict, member: str, action: str, scope: str) -> None:
    """A colder class must be reached strictly later than a warmer one (the waterfall)."""
    ordered = [c for c in TRANSITION_CLASSES if c in when]
    for warmer, colder in itertools.pairwise(ordered):
        if when[colder] <= when[warmer]:
            raise invalid_argument(
                f"'{member}' in the {action} action for StorageClass '{colder}' for filter '{scope}' must be "
                f"greater than '{member}' in the {action} action for StorageClass '{warmer}' for filter '{scope}'")


def _check_overlaps(rules: list[dict]) -> None:
    """Old-style (prefix) configurations: no two rules may take the same kind of action on
    overlapping prefixes. Sorted, a prefix that begins another begins its successor."""
    for member, name in _OVERLAP_TYPES:
        prefixes = sorted((rule.get("Prefix") or "", index) for index, rule in enumerate(rules)
                          if _present(rule, member) and rule[member] != [])
        for (first, _), (second, _) in itertools.pairwise(prefixes):
            if second.startswith(first):
                raise invalid_request(f"Found overlapping prefixes '{second}' and '{first}' for same action type "
                                      f"'{name}'")


def _check_ids(rules: list[dict]) -> None:
    seen: set[str] = set()
    for rule in rules:
        ident = rule.get("ID")
        if not ident:
            continue
        if len(ident) > MAX_ID_LENGTH:
            raise invalid_argument(f"ID length should not exceed allowed limit of {MAX_ID_LENGTH}", "ID", ident)
        if ident in seen:
            raise invalid_argument("Rule ID must be unique. Found same ID for more than one rule", "ID", ident)
        seen.add(ident)


def validated_rules(rules: Optional[list[dict]]) -> list[dict]:
    """The rules as they will be stored, or the AwsError S3 answers for the first fault."""
    if not rules:
        raise _malformed()
    for rule in rules:
        _check_schema(rule)
    if len(rules) > MAX_RULES:
        raise invalid_request(f"The number of lifecycle rules must not exceed the allowed limit of {MAX_RULES} rules.")
    _check_ids(rules)
    # S3 reads a configuration as "Lifecycle V2" when its first rule has a Filter; then no rule may
    # use the old top-level Prefix, and otherwise none may use a Filter.
    v2 = _present(rules[0], "Filter")
    for rule in rules:
        if v2 and _present(rule, "Prefix"):
            raise invalid_request("Base level prefix cannot be used in Lifecycle V2, prefixes are only supported "
                                  "in the Filter.")
        if not v2 and _present(rule, "Filter"):
            raise invalid_request("Filter element can only be used in Lifecycle V2.")
        _check_filter(rule)
        _check_actions(rule, v2)
    if not v2:
        _check_overlaps(rules)
    taken = {rule["ID"] for rule in rules if rule.get("ID")}
    return [_stored_rule(rule, taken) for rule in rules]


def _stored_rule(rule: dict, taken: set[str]) -> dict:
    """The rule as JSON can hold it (dates as ISO 8601 text), with an ID: S3 names a rule sent
    without one (a base64 of a random UUID, as S3's generated IDs look)."""
    stored = _json_value(rule)
    if not stored.get("ID"):
        ident = base64.b64encode(str(uuid.uuid4()).encode()).decode()
        while ident in taken:
            ident = base64.b64encode(str(uuid.uuid4()).encode()).decode()
        stored["ID"] = ident
        taken.add(ident)
    return stored


def _json_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dt.datetime):
        return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


class LifecycleMixin(S3Base):
    """Put/Get/Delete of a bucket's lifecycle configuration, over the lake's configuration store."""

    def put_bucket_lifecycle_configuration(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params).name
        minimum = params.get("TransitionDefaultMinimumObjectSize") or ALL_STORAGE_CLASSES_128K
        if minimum not in MINIMUM_SIZES:
            raise invalid_request(f"Invalid TransitionDefaultMinimumObjectSize found: {minimum}")
        rules = validated_rules((params.get("LifecycleConfiguration") or {}).get("Rules"))
        self.store_config(bucket, LIFECYCLE_CONFIG, {"Rules": rules, "TransitionDefaultMinimumObjectSize": minimum})
        return {"TransitionDefaultMinimumObjectSize": minimum}

    def get_bucket_lifecycle_configuration(self, ctx: RequestContext, params: dict) -> dict:
        bucket, document = self.stored_config(params, LIFECYCLE_CONFIG)
        if document is None:
            raise s3_error("NoSuchLifecycleConfiguration", BucketName=bucket)
        return {
            "Rules": document["Rules"],
            "TransitionDefaultMinimumObjectSize": document.get("TransitionDefaultMinimumObjectSize")
            or ALL_STORAGE_CLASSES_128K,
        }

    def delete_bucket_lifecycle(self, ctx: RequestContext, params: dict) -> dict:
        return self.forget_config(params, LIFECYCLE_CONFIG)
