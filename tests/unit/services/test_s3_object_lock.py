"""The Object Lock rules of services/s3/object_lock.py, as pure functions of a version and a time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from lakebox.protocol.errors import AwsError
from lakebox.services.s3.object_lock import (
    check_configuration,
    check_retention_change,
    default_retention,
    format_date,
    is_locked,
    lock_fields,
    requested_lock,
)
from lakebox.storage.api import ObjectInfo, ObjectMeta

UTC = timezone.utc
NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def version(retention=None, legal_hold=None) -> ObjectInfo:
    extra = {}
    if retention is not None:
        extra["retention"] = {"Mode": retention[0], "RetainUntilDate": format_date(retention[1])}
    if legal_hold is not None:
        extra["legal_hold"] = legal_hold
    return ObjectInfo(bucket="b", key="k", size=0, etag="", last_modified=NOW, meta=ObjectMeta(extra=extra))


@pytest.mark.parametrize("info, bypass, locked", [
    (version(), False, False),
    (version(("GOVERNANCE", NOW + timedelta(days=1))), False, True),
    (version(("GOVERNANCE", NOW + timedelta(days=1))), True, False),
    (version(("COMPLIANCE", NOW + timedelta(days=1))), True, True),
    (version(("COMPLIANCE", NOW)), False, False),
    (version(("COMPLIANCE", NOW - timedelta(seconds=1))), False, False),
    (version(legal_hold="ON"), True, True),
    (version(legal_hold="OFF"), False, False),
    (version(("GOVERNANCE", NOW - timedelta(days=1)), legal_hold="ON"), True, True),
])
def test_is_locked_by_retention_until_its_date_and_by_legal_hold(info, bypass, locked):
    assert is_locked(info, NOW, bypass_governance=bypass) is locked


def test_lock_fields_answer_only_what_was_set():
    assert lock_fields(version()) == {}
    until = NOW + timedelta(days=3)
    assert lock_fields(version(("COMPLIANCE", until), "OFF")) == {
        "ObjectLockMode": "COMPLIANCE", "ObjectLockRetainUntilDate": until, "ObjectLockLegalHoldStatus": "OFF"}


def test_dates_are_kept_to_the_millisecond_in_utc():
    assert format_date(datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)) == "2030-01-02T03:04:05.678Z"


@pytest.mark.parametrize("period, until", [({"Days": 3}, NOW + timedelta(days=3)),
                                           ({"Years": 2}, NOW + timedelta(days=730))])
def test_default_retention_counts_from_now(period, until):
    document = check_configuration({"ObjectLockEnabled": "Enabled",
                                    "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", **period}}})
    assert default_retention(document, NOW) == {"Mode": "GOVERNANCE", "RetainUntilDate": format_date(until)}
    assert default_retention({"ObjectLockEnabled": "Enabled"}, NOW) is None


@pytest.mark.parametrize("rule, code", [
    ({"Mode": "GOVERNANCE", "Days": 1, "Years": 1}, "MalformedXML"),
    ({"Mode": "GOVERNANCE"}, "MalformedXML"),
    ({"Days": 1}, "MalformedXML"),
    ({"Mode": "governance", "Days": 1}, "MalformedXML"),
    ({"Mode": "GOVERNANCE", "Days": 0}, "InvalidArgument"),
    ({"Mode": "GOVERNANCE", "Days": 36501}, "InvalidArgument"),
    ({"Mode": "COMPLIANCE", "Years": -1}, "InvalidArgument"),
])
def test_bad_default_retention_is_refused(rule, code):
    with pytest.raises(AwsError) as exc:
        check_configuration({"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": rule}})
    assert exc.value.code == code


def test_requested_lock_needs_mode_and_date_together():
    assert requested_lock({}, NOW) == {}
    assert requested_lock({"ObjectLockLegalHoldStatus": "ON"}, NOW) == {"legal_hold": "ON"}
    with pytest.raises(AwsError) as exc:
        requested_lock({"ObjectLockMode": "GOVERNANCE"}, NOW)
    assert exc.value.fields["ArgumentName"] == "x-amz-object-lock-retain-until-date"
    with pytest.raises(AwsError):
        requested_lock({"ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": NOW}, NOW)


@pytest.mark.parametrize("current, new, bypass, allowed", [
    (("GOVERNANCE", 5), ("GOVERNANCE", 6), False, True),
    (("GOVERNANCE", 5), ("GOVERNANCE", 4), False, False),
    (("GOVERNANCE", 5), ("GOVERNANCE", 4), True, True),
    (("GOVERNANCE", 5), ("COMPLIANCE", 6), False, False),
    (("GOVERNANCE", 5), None, True, True),
    (("COMPLIANCE", 5), ("COMPLIANCE", 6), False, True),
    (("COMPLIANCE", 5), ("COMPLIANCE", 4), True, False),
    (("COMPLIANCE", 5), ("GOVERNANCE", 6), True, False),
    (("COMPLIANCE", 5), None, True, False),
    (("COMPLIANCE", -1), ("GOVERNANCE", 1), False, True),  # expired: anything goes
])
def test_retention_changes_weaken_only_governance_with_bypass(current, new, bypass, allowed):
    info = version((current[0], NOW + timedelta(days=current[1])))
    record = None if new is None else {"Mode": new[0], "RetainUntilDate": format_date(NOW + timedelta(days=new[1]))}
    if allowed:
        check_retention_change(info, record, NOW, bypass)
    else:
        with pytest.raises(AwsError) as exc:
            check_retention_change(info, record, NOW, bypass)
        assert (exc.value.code, exc.value.status) == ("AccessDenied", 403)
