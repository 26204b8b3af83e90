"""When a bucket's lifecycle rules act on an object version or a multipart upload: pure functions
over a stored lifecycle configuration (see lifecycle_config.py), with no storage and no I/O.

Why pure: the lifecycle worker, the object responses (`x-amz-expiration`) and the multipart
responses (`x-amz-abort-date`) must all agree on the same dates, and a clock that tests can move
(lakebox's service clock) only works if nothing here reads the time itself. Callers pass `now`.

The AWS behaviour followed (S3 User Guide, "Lifecycle configuration elements", "Transitioning
objects", "How Amazon S3 handles conflicts"):
- Only `Enabled` rules act. A rule applies to a key through its top-level `Prefix` (the old form)
  or its `Filter`: Prefix, Tag (exact key and value), ObjectSizeGreaterThan/LessThan (strict), or
  And of those; an empty Filter applies to every object.
- A Days-based action falls due at the midnight UTC that starts the day after `base + Days`
  ("rounding the resulting time to the next day midnight UTC"); the base is the version's
  creation for current versions and the moment it became noncurrent for noncurrent ones. A
  Date-based action falls due at its Date.
- Transitions only go down the waterfall (`TRANSITIONS_FROM`); delete markers never transition;
  objects under 128 KiB do not transition unless the bucket's TransitionDefaultMinimumObjectSize
  or the rule's own size filter says otherwise.
- Conflicts resolve toward cost: permanent deletion beats transition, transition beats the
  creation of a delete marker, the earliest expiration wins, and of several due transitions the
  cheapest class wins (Intelligent-Tiering is preferred over every class but the Glacier archives).

Imports: the standard library only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Any, Iterator, Optional

UTC = dt.timezone.utc
DAY = dt.timedelta(days=1)

# Action kinds, as the worker dispatches on them.
TRANSITION = "transition"                        # move the current version to `storage_class`
EXPIRE = "expire"                                # expire the current version (delete, or add a marker)
TRANSITION_NONCURRENT = "transition_noncurrent"  # move a noncurrent version to `storage_class`
EXPIRE_NONCURRENT = "expire_noncurrent"          # permanently delete a noncurrent version or marker
REMOVE_MARKER = "remove_marker"                  # permanently delete an expired-object delete marker

ENABLED = "Enabled"

# TransitionDefaultMinimumObjectSize (the x-amz-transition-default-minimum-object-size header).
ALL_STORAGE_CLASSES_128K = "all_storage_classes_128K"  # AWS's default
VARIES_BY_STORAGE_CLASS = "varies_by_storage_class"
MINIMUM_SIZES = (ALL_STORAGE_CLASSES_128K, VARIES_BY_STORAGE_CLASS)
#: "Objects smaller than 128 KB will not transition": the default minimum, in bytes.
MINIMUM_TRANSITION_SIZE = 128 * 1024
#: Under varies_by_storage_class, the classes that small objects may still transition to.
SMALL_OBJECT_CLASSES = frozenset({"GLACIER", "DEEP_ARCHIVE"})

#: The classes a lifecycle transition may name (the model's TransitionStorageClass), warmest first:
#: the order in which one rule's transitions must fall due.
TRANSITION_CLASSES = ("STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE")
#: Classes that take an object only once it is 30 days old (30 days noncurrent for noncurrent ones).
INFREQUENT_ACCESS_CLASSES = frozenset({"STANDARD_IA", "ONEZONE_IA"})
INFREQUENT_ACCESS_MINIMUM_DAYS = 30

_ARCHIVES = frozenset({"GLACIER", "DEEP_ARCHIVE"})
#: AWS's "supported lifecycle transitions": the classes an object in a class may move to.
TRANSITIONS_FROM: dict[str, frozenset[str]] = {
    "STANDARD": frozenset(TRANSITION_CLASSES),
    "REDUCED_REDUNDANCY": frozenset(TRANSITION_CLASSES),
    "STANDARD_IA": frozenset({"INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR"}) | _ARCHIVES,
    "INTELLIGENT_TIERING": frozenset({"ONEZONE_IA", "GLACIER_IR"}) | _ARCHIVES,
    "ONEZONE_IA": _ARCHIVES,
    "GLACIER_IR": _ARCHIVES,
    "GLACIER": frozenset({"DEEP_ARCHIVE"}),
    "DEEP_ARCHIVE": frozenset(),
}
#: "Any storage class to S3 Glacier Flexible Retrieval or Deep Archive" covers classes not listed.
_DEFAULT_TRANSITIONS = _ARCHIVES

#: Which due transition wins, best first: the cheapest class, except that Intelligent-Tiering is
#: favoured over everything but the two Glacier archives.
_TRANSITION_PREFERENCE = ("DEEP_ARCHIVE", "GLACIER", "INTELLIGENT_TIERING", "GLACIER_IR", "ONEZONE_IA", "STANDARD_IA")


@dataclass(frozen=True)
class VersionFacts:
    """One version of one key (or a delete marker), as storage describes it."""

    key: str
    size: int
    tags: dict[str, str]
    last_modified: dt.datetime           # tz-aware UTC; for a marker, when it was created
    storage_class: str
    is_latest: bool
    is_delete_marker: bool
    noncurrent_since: Optional[dt.datetime]  # when a newer version superseded it; None if latest
    newer_noncurrent: int = 0  # noncurrent versions (markers included) of this key newer than this one
    other_versions: int = 0    # the key's other versions, markers included (ExpiredObjectDeleteMarker)
    #: Versioning is Enabled or Suspended, so expiring the current version only adds a delete
    #: marker, and a due transition is taken first (AWS: transition beats marker creation).
    bucket_versioned: bool = False


@dataclass(frozen=True)
class Action:
    """One lifecycle action for one version, and the rule that asks for it."""

    kind: str                 # TRANSITION, EXPIRE, TRANSITION_NONCURRENT, EXPIRE_NONCURRENT, REMOVE_MARKER
    rule_id: str
    due: dt.datetime          # tz-aware UTC
    storage_class: Optional[str] = None  # the target class of a transition


# -- dates ------------------------------------------------------------------------------------------


def due_after(base: dt.datetime, days: int) -> dt.datetime:
    """When a Days-based action on `base` falls due: the midnight UTC after `base + days`.

    AWS's example: created 2014-01-15 10:30 UTC, 3 days, due 2014-01-19 00:00 UTC. A sum that lands
    exactly on midnight still rounds to the next one, as "the next day midnight" says.
    """
    moment = as_utc(base) + dt.timedelta(days=days)
    return dt.datetime(moment.year, moment.month, moment.day, tzinfo=UTC) + DAY


def as_utc(value: Any) -> dt.datetime:
    """A tz-aware UTC datetime from a datetime (naive ones are taken as UTC) or the ISO 8601 text a
    stored configuration holds (`2030-01-01T00:00:00Z`)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if not isinstance(value, dt.datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def http_date(moment: dt.datetime) -> str:
    """RFC 1123 in GMT, as S3 writes dates in headers: `Fri, 23 Dec 2012 00:00:00 GMT`."""
    return format_datetime(as_utc(moment).replace(microsecond=0), usegmt=True)


# -- rules and filters ------------------------------------------------------------------------------


def enabled_rules(config: Optional[dict]) -> Iterator[dict]:
    """The configuration's rules whose Status is Enabled, in their order."""
    for rule in (config or {}).get("Rules") or []:
        if rule.get("Status") == ENABLED:
            yield rule


def rule_id(rule: dict) -> str:
    return str(rule.get("ID") or "")


def _predicates(rule: dict) -> dict:
    """The rule's filter flattened to one dict: Prefix, Tags (list), ObjectSizeGreaterThan/LessThan.

    Whether they came from the top-level Prefix, the Filter itself or its And makes no difference
    to matching: every predicate present must hold.
    """
    if "Filter" not in rule:
        return {"Prefix": rule.get("Prefix") or ""}
    found: dict = {"Tags": []}
    for part in (rule.get("Filter") or {}, (rule.get("Filter") or {}).get("And") or {}):
        if part.get("Prefix") is not None:
            found["Prefix"] = part["Prefix"]
        if part.get("Tag") is not None:
            found["Tags"].append(part["Tag"])
        found["Tags"].extend(part.get("Tags") or [])
        for bound in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
            if part.get(bound) is not None:
                found[bound] = part[bound]
    return found


def matches(rule: dict, key: str, size: int, tags: dict[str, str]) -> bool:
    """Whether the rule's filter selects this object (a delete marker: size 0, no tags)."""
    found = _predicates(rule)
    if not key.startswith(found.get("Prefix") or ""):
        return False
    if any(tags.get(tag.get("Key")) != tag.get("Value") for tag in found.get("Tags") or []):
        return False
    larger = found.get("ObjectSizeGreaterThan")
    smaller = found.get("ObjectSizeLessThan")
    return (larger is None or size > larger) and (smaller is None or size < smaller)


def has_size_filter(rule: dict) -> bool:
    """Whether the rule names object sizes itself, which overrides the default transition minimum."""
    found = _predicates(rule)
    return found.get("ObjectSizeGreaterThan") is not None or found.get("ObjectSizeLessThan") is not None


def has_tag_filter(rule: dict) -> bool:
    return bool(_predicates(rule).get("Tags"))


def may_transition(config: dict, rule: dict, size: int, target: str) -> bool:
    """Whether an object of `size` bytes may transition to `target` under this rule.

    "Custom filters always take precedence over the default transition behavior": a rule with its
    own size bounds has already decided through `matches`. Otherwise objects under 128 KiB stay,
    except that varies_by_storage_class lets them into the Glacier archives.
    """
    if has_size_filter(rule) or size >= MINIMUM_TRANSITION_SIZE:
        return True
    setting = config.get("TransitionDefaultMinimumObjectSize") or ALL_STORAGE_CLASSES_128K
    return setting == VARIES_BY_STORAGE_CLASS and target in SMALL_OBJECT_CLASSES


def can_move(current: str, target: str) -> bool:
    """Whether the waterfall allows a lifecycle transition from `current` to `target`."""
    return target in TRANSITIONS_FROM.get(current or "STANDARD", _DEFAULT_TRANSITIONS)


# -- actions for a version --------------------------------------------------------------------------


def _when(action: dict, base: dt.datetime, days_member: str = "Days") -> Optional[dt.datetime]:
    if action.get(days_member) is not None:
        return due_after(base, int(action[days_member]))
    if action.get("Date") is not None:
        return as_utc(action["Date"])
    return None


def _retained(action: dict, facts: VersionFacts) -> bool:
    """NewerNoncurrentVersions: that many newest noncurrent versions are kept, whatever their age."""
    keep = action.get("NewerNoncurrentVersions")
    return keep is not None and facts.newer_noncurrent < int(keep)


def planned_actions(config: Optional[dict], facts: VersionFacts) -> list[Action]:
    """Every action the enabled rules schedule for this version, each with its due date, whether
    due yet or not (a worker can sleep until the earliest). `due_action` picks among them."""
    planned: list[Action] = []
    if not config:
        return planned
    size = 0 if facts.is_delete_marker else facts.size
    tags = {} if facts.is_delete_marker else facts.tags
    for rule in enabled_rules(config):
        if matches(rule, facts.key, size, tags):
            planned.extend(_rule_actions(config, rule, facts))
    return planned


def _rule_actions(config: dict, rule: dict, facts: VersionFacts) -> Iterator[Action]:
    ident = rule_id(rule)
    expiration = rule.get("Expiration") or {}
    if facts.is_latest and facts.is_delete_marker:
        if facts.other_versions == 0:
            # A marker with nothing beneath it is an "expired object delete marker": removed at once
            # by ExpiredObjectDeleteMarker, and by a Days expiration once the marker is old enough.
            if expiration.get("ExpiredObjectDeleteMarker"):
                yield Action(REMOVE_MARKER, ident, as_utc(facts.last_modified))
            elif expiration.get("Days") is not None:
                yield Action(REMOVE_MARKER, ident, due_after(facts.last_modified, int(expiration["Days"])))
        return
    if facts.is_latest:
        due = _when(expiration, facts.last_modified)
        if due is not None:
            yield Action(EXPIRE, ident, due)
        for transition in rule.get("Transitions") or []:
            target = transition.get("StorageClass")
            due = _when(transition, facts.last_modified)
            if due is not None and can_move(facts.storage_class, target) and may_transition(
                    config, rule, facts.size, target):
                yield Action(TRANSITION, ident, due, target)
        return
    if facts.noncurrent_since is None:
        return  # storage could not say when it became noncurrent: no noncurrent clock to run
    noncurrent = rule.get("NoncurrentVersionExpiration") or {}
    if noncurrent.get("NoncurrentDays") is not None and not _retained(noncurrent, facts):
        yield Action(EXPIRE_NONCURRENT, ident, due_after(facts.noncurrent_since, int(noncurrent["NoncurrentDays"])))
    if facts.is_delete_marker:
        return
    for transition in rule.get("NoncurrentVersionTransitions") or []:
        target = transition.get("StorageClass")
        if (transition.get("NoncurrentDays") is None or _retained(transition, facts)
                or not can_move(facts.storage_class, target)
                or not may_transition(config, rule, facts.size, target)):
            continue
        due = due_after(facts.noncurrent_since, int(transition["NoncurrentDays"]))
        yield Action(TRANSITION_NONCURRENT, ident, due, target)


def _earliest(actions: list[Action]) -> Action:
    # min() keeps the first of equals, so ties go to the rule listed first.
    return min(actions, key=lambda action: action.due)


def _cheapest(actions: list[Action]) -> Action:
    return min(actions, key=lambda a: (_TRANSITION_PREFERENCE.index(a.storage_class), a.due))


def due_action(config: Optional[dict], facts: VersionFacts, now: dt.datetime) -> Optional[Action]:
    """The one action to take on this version at `now`, or None.

    Permanent deletion (of a noncurrent version, of an expired-object delete marker, or of the
    current version in an unversioned bucket) beats any transition. In a versioned bucket expiring
    the current version only adds a delete marker, and a due transition goes first. Of several due
    transitions the cheapest target wins, so one action may jump straight to the coldest class.
    """
    now = as_utc(now)
    due = [action for action in planned_actions(config, facts) if action.due <= now]
    if not due:
        return None
    deletions = [a for a in due if a.kind in (EXPIRE_NONCURRENT, REMOVE_MARKER)]
    if deletions:
        return _earliest(deletions)
    expirations = [a for a in due if a.kind == EXPIRE]
    transitions = [a for a in due if a.kind in (TRANSITION, TRANSITION_NONCURRENT)]
    if expirations and not (facts.bucket_versioned and transitions):
        return _earliest(expirations)
    return _cheapest(transitions) if transitions else None


# -- response headers -------------------------------------------------------------------------------


def expiration_due(config: Optional[dict], key: str, size: int, tags: dict[str, str],
                   last_modified: dt.datetime) -> Optional[tuple[dt.datetime, str]]:
    """(when, rule id) of the earliest Expiration (Days or Date) that applies to a current object."""
    found: list[Action] = []
    for rule in enabled_rules(config):
        if matches(rule, key, size, tags):
            due = _when(rule.get("Expiration") or {}, last_modified)
            if due is not None:
                found.append(Action(EXPIRE, rule_id(rule), due))
    if not found:
        return None
    first = _earliest(found)
    return first.due, first.rule_id


def expiration_header(config: Optional[dict], key: str, size: int, tags: dict[str, str],
                      last_modified: dt.datetime) -> Optional[str]:
    """The `x-amz-expiration` value for a current object, or None when no rule expires it:
    `expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="picture-deletion-rule"`."""
    found = expiration_due(config, key, size, tags, last_modified)
    if found is None:
        return None
    when, ident = found
    return f'expiry-date="{http_date(when)}", rule-id="{ident}"'


def abort_date(config: Optional[dict], key: str, initiated: dt.datetime) -> Optional[tuple[dt.datetime, str]]:
    """(when, rule id) at which an incomplete multipart upload of `key` is aborted, for the
    `x-amz-abort-date` and `x-amz-abort-rule-id` headers; the earliest rule wins.

    An upload has neither tags nor a final size, so only rules that filter by prefix alone can
    abort it (S3 refuses AbortIncompleteMultipartUpload beside tag or size filters anyway).
    """
    found: list[Action] = []
    for rule in enabled_rules(config):
        abort = rule.get("AbortIncompleteMultipartUpload") or {}
        if abort.get("DaysAfterInitiation") is None or has_tag_filter(rule) or has_size_filter(rule):
            continue
        if matches(rule, key, 0, {}):
            found.append(Action(EXPIRE, rule_id(rule), due_after(initiated, int(abort["DaysAfterInitiation"]))))
    if not found:
        return None
    first = _earliest(found)
    return first.due, first.rule_id


def abort_due(config: Optional[dict], key: str, initiated: dt.datetime, now: dt.datetime) -> Optional[str]:
    """The id of the rule that aborts this incomplete upload at `now`, or None if none is due."""
    found = abort_date(config, key, initiated)
    if found is None or found[0] > as_utc(now):
        return None
    return found[1]
