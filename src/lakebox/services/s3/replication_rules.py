"""S3 replication rules as data: a PutBucketReplication document checked as S3 checks it, and the
destinations a new object version or delete marker goes to.

Why pure functions: the same rules decide at write time (replication.py, on the request path) and
are checked once when the configuration is put; kept free of storage, they can be tested one rule at
a time. What the configuration names outside itself (the source's and the destinations' versioning,
whether the destinations exist) is checked by the provider.

The two schemas S3 keeps apart:
- V1, a rule with a top-level `Prefix`: no `Priority`, no `DeleteMarkerReplication`; delete markers
  made by a user are replicated.
- V2, a rule with a `Filter` (`{}`, a `Prefix`, a `Tag` or an `And` of both): `Priority` and
  `DeleteMarkerReplication` are required, and delete markers go only where the latter is Enabled.
A rule with neither (the guide's) does not validate against S3's schema: MalformedXML.
Among the enabled rules that match an object, each destination bucket takes the rule with the
highest `Priority` (the first listed on a tie); a Disabled rule never matches.

May import the standard library and this package's errors and headers.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any, Optional

from .errors import invalid_argument, invalid_request, s3_error
from .headers import STORAGE_CLASSES

#: Name of the document in the per-bucket configuration store.
REPLICATION_CONFIG = "replication"
MAX_RULES = 1000
MAX_ID_LENGTH = 255
#: The only value S3 accepts for ReplicationTime.Time and Metrics.EventThreshold minutes.
RTC_MINUTES = 15
ENABLED = "Enabled"
DISABLED = "Disabled"
_STATUSES = (ENABLED, DISABLED)
_BUCKET_ARN = re.compile(r"^arn:aws:s3:::([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])$")
_SCHEMA = ("{} {} for this version of Cross Region Replication configuration schema. Please refer to S3 "
           "Developer Guide for more information.")
_TAGGED_MARKERS = ("Delete marker replication is not supported if any Tag filter is specified. Please refer "
                   "to S3 Developer Guide for more information.")


@dataclass(frozen=True)
class Target:
    """Where one object version (or delete marker) is copied, by the rule that chose it."""

    bucket: str
    #: The rule's Destination.StorageClass; None keeps the source's class.
    storage_class: Optional[str] = None


def _malformed() -> Exception:
    return s3_error("MalformedXML")


def _status(value: Any) -> str:
    if value not in _STATUSES:
        raise _malformed()
    return value


def destination_bucket(rule: dict) -> str:
    """The bucket name of a (validated) rule's `arn:aws:s3:::name` destination."""
    match = _BUCKET_ARN.match((rule.get("Destination") or {}).get("Bucket") or "")
    return match.group(1) if match else ""


# -- validation -----------------------------------------------------------------------------------


def validate_configuration(config: dict) -> dict:
    """The document to store for a PutBucketReplication input, or the error S3 answers it with.

    Rules without an ID get one, as S3 names them; everything else is kept as given.
    """
    if not config.get("Role"):
        raise _malformed()
    rules = config.get("Rules") or []
    if not rules or len(rules) > MAX_RULES:
        raise _malformed()
    v1 = any(rule.get("Filter") is None for rule in rules)
    checked = [_validated_rule(rule, v1) for rule in rules]
    ids: set[str] = set()
    priorities: set[int] = set()
    for rule in checked:
        if rule["ID"] in ids:
            raise invalid_argument("Rule Id must be unique", "ID", rule["ID"])
        ids.add(rule["ID"])
        if "Priority" in rule:
            if rule["Priority"] in priorities:
                raise invalid_request(f"Found duplicate priority {rule['Priority']}.")
            priorities.add(rule["Priority"])
    return {"Role": config["Role"], "Rules": checked}


def _validated_rule(rule: dict, v1: bool) -> dict:
    _status(rule.get("Status"))
    destination = rule.get("Destination") or {}
    if not destination.get("Bucket"):
        raise _malformed()
    has_prefix, has_filter = rule.get("Prefix") is not None, rule.get("Filter") is not None
    if has_prefix == has_filter:
        raise _malformed()  # both, or neither: S3's schema wants exactly one
    tagged = has_filter and _check_filter(rule["Filter"])
    for member in ("Priority", "DeleteMarkerReplication"):
        if v1 and rule.get(member) is not None:
            raise invalid_request(_SCHEMA.format(member, "cannot be used"))
        if not v1 and rule.get(member) is None:
            raise invalid_request(_SCHEMA.format(member, "must be specified"))
    priority = rule.get("Priority")
    if priority is not None and not 0 <= int(priority) <= 2**31 - 1:
        raise invalid_request("Priority must be between 0 and 2147483647.")
    markers = rule.get("DeleteMarkerReplication")
    if markers is not None and _status(markers.get("Status")) == ENABLED and tagged:
        raise invalid_request(_TAGGED_MARKERS)
    if rule.get("ExistingObjectReplication") is not None:
        _status(rule["ExistingObjectReplication"].get("Status"))
    _check_destination(destination, rule.get("SourceSelectionCriteria") or {})
    rule_id = rule.get("ID")
    if rule_id is not None and len(rule_id) > MAX_ID_LENGTH:
        raise invalid_argument(f"ID length should not exceed allowed limit of {MAX_ID_LENGTH}", "ID", rule_id)
    out = {k: v for k, v in rule.items() if v is not None}
    out["ID"] = rule_id or uuid.uuid4().hex
    return out


def _check_filter(rule_filter: dict) -> bool:
    """Refuse a filter S3 refuses; True when it names tags (then delete markers cannot follow it)."""
    present = [name for name in ("Prefix", "Tag", "And") if rule_filter.get(name) is not None]
    if len(present) > 1:
        raise _malformed()
    if "Tag" in present:
        _check_tags([rule_filter["Tag"]])
        return True
    if "And" in present:
        both = rule_filter["And"]
        tags = both.get("Tags") or []
        if len(tags) + (both.get("Prefix") is not None) < 2:
            raise _malformed()  # an And joins at least two conditions
        _check_tags(tags)
        return bool(tags)
    return False


def _check_tags(tags: list) -> None:
    keys = [tag.get("Key") for tag in tags]
    if any(not key or tag.get("Value") is None for key, tag in zip(keys, tags)):
        raise _malformed()
    if len(set(keys)) != len(keys):
        raise invalid_request("Duplicate Tag Keys are not allowed.")


def _check_destination(destination: dict, criteria: dict) -> None:
    if not _BUCKET_ARN.match(destination["Bucket"]):
        raise invalid_argument("Invalid bucket ARN.", "Bucket", destination["Bucket"])
    storage_class = destination.get("StorageClass")
    if storage_class is not None and storage_class not in STORAGE_CLASSES:
        raise _malformed()
    translation = destination.get("AccessControlTranslation")
    if translation is not None:
        if translation.get("Owner") != "Destination":
            raise _malformed()
        if not destination.get("Account"):
            raise invalid_request("Account must be specified if the Owner in AccessControlTranslation has a value")
    kms_objects = (criteria.get("SseKmsEncryptedObjects") or {}).get("Status")
    if kms_objects is not None and _status(kms_objects) == ENABLED and \
            not (destination.get("EncryptionConfiguration") or {}).get("ReplicaKmsKeyID"):
        raise invalid_request("ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present.")
    _check_time_control(destination)


def _check_time_control(destination: dict) -> None:
    """S3 Replication Time Control: ReplicationTime and Metrics come together, with 15 minutes each."""
    rtc, metrics = destination.get("ReplicationTime"), destination.get("Metrics")
    rtc_on = False
    if rtc is not None:
        rtc_on = _status(rtc.get("Status")) == ENABLED
        if metrics is None:
            raise invalid_request("Replication destination must contain both ReplicationTime and Metrics or neither.")
        if (rtc.get("Time") or {}).get("Minutes") != RTC_MINUTES:
            raise invalid_argument("Invalid time minute value", "ReplicationTime")
    if metrics is None:
        return
    _status(metrics.get("Status"))
    threshold = (metrics.get("EventThreshold") or {}).get("Minutes")
    if rtc_on:
        if threshold is None:
            raise invalid_argument("ReplicationMetrics must contain an event threshold", "ReplicationMetrics")
        if threshold != RTC_MINUTES:
            raise invalid_argument("Invalid event threshold minute value", "ReplicationMetrics")
    elif metrics.get("EventThreshold") is not None:
        raise invalid_argument("Metrics cannot contain an event threshold when ReplicationTime is not specified "
                               "or Disabled", "Metrics")


# -- matching -------------------------------------------------------------------------------------


def _conditions(rule: dict) -> tuple[str, dict[str, str]]:
    """(key prefix, tags) an object must have for `rule` to match it."""
    if rule.get("Filter") is None:
        return rule.get("Prefix") or "", {}
    rule_filter = rule["Filter"]
    if rule_filter.get("Tag") is not None:
        return "", {rule_filter["Tag"]["Key"]: rule_filter["Tag"]["Value"]}
    if rule_filter.get("And") is not None:
        both = rule_filter["And"]
        return both.get("Prefix") or "", {t["Key"]: t["Value"] for t in both.get("Tags") or []}
    return rule_filter.get("Prefix") or "", {}


def _selects_kms(rule: dict) -> bool:
    criteria = (rule.get("SourceSelectionCriteria") or {}).get("SseKmsEncryptedObjects") or {}
    return criteria.get("Status") == ENABLED


def _winners(config: dict, key: str, tags: dict[str, str], kms: bool = False) -> dict[str, dict]:
    """For each destination bucket, the highest-priority enabled rule matching (key, tags); an
    SSE-KMS object (`kms`) only matches the rules that select such objects."""
    chosen: dict[str, dict] = {}
    for rule in config.get("Rules") or []:
        if rule.get("Status") != ENABLED or (kms and not _selects_kms(rule)):
            continue
        prefix, wanted = _conditions(rule)
        if not key.startswith(prefix) or any(tags.get(k) != v for k, v in wanted.items()):
            continue
        bucket = destination_bucket(rule)
        best = chosen.get(bucket)
        if best is None or int(rule.get("Priority") or 0) > int(best.get("Priority") or 0):
            chosen[bucket] = rule
    return chosen


def object_targets(config: dict, key: str, tags: dict[str, str], kms: bool = False) -> list[Target]:
    """Where a new version of `key` with `tags` (SSE-KMS encrypted: `kms`) is replicated."""
    return [Target(bucket, (rule.get("Destination") or {}).get("StorageClass"))
            for bucket, rule in _winners(config, key, tags, kms).items()]


def marker_targets(config: dict, key: str) -> list[Target]:
    """Where a delete marker that a user made on `key` is replicated: V1 rules always replicate
    them, V2 rules only with DeleteMarkerReplication Enabled. A marker has no tags, so rules that
    filter on tags never match it."""
    targets = []
    for bucket, rule in _winners(config, key, {}).items():
        markers = rule.get("DeleteMarkerReplication")
        if markers is None or markers.get("Status") == ENABLED:
            targets.append(Target(bucket))
    return targets
