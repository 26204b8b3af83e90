"""The restore timing rules of services/s3/restore.py, as pure functions of a record and a time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from lakebox.services.s3.restore import (
    RECORD_KEY,
    RetrievalNotAvailable,
    expiry_date,
    is_faster,
    is_readable,
    new_restore,
    next_midnight,
    renewed,
    restore_duration,
    restore_header,
    restore_state,
    restore_status,
    sped_up,
)

UTC = timezone.utc
T0 = datetime(2012, 12, 17, 10, 30, tzinfo=UTC)


def at(hours: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, days=days)


def extra_for(record: dict) -> dict:
    return {RECORD_KEY: record, "other": "kept"}


@pytest.mark.parametrize("storage_class, tier, duration", [
    ("GLACIER", "Expedited", timedelta(minutes=5)),
    ("GLACIER", "Standard", timedelta(hours=5)),
    ("GLACIER", "Bulk", timedelta(hours=12)),
    ("DEEP_ARCHIVE", "Standard", timedelta(hours=12)),
    ("DEEP_ARCHIVE", "Bulk", timedelta(hours=48)),
])
def test_restore_duration_is_the_upper_bound_aws_documents(storage_class, tier, duration):
    assert restore_duration(storage_class, tier) == duration


def test_restore_duration_deep_archive_expedited_is_not_available():
    with pytest.raises(RetrievalNotAvailable):
        restore_duration("DEEP_ARCHIVE", "Expedited")


def test_restore_duration_of_a_class_that_is_not_archived_is_not_available():
    with pytest.raises(RetrievalNotAvailable):
        restore_duration("GLACIER_IR", "Standard")


@pytest.mark.parametrize("moment, midnight", [
    (datetime(2012, 12, 20, 10, 30, tzinfo=UTC), datetime(2012, 12, 21, tzinfo=UTC)),
    (datetime(2012, 12, 20, 0, 0, 0, 1, tzinfo=UTC), datetime(2012, 12, 21, tzinfo=UTC)),
    (datetime(2012, 12, 21, tzinfo=UTC), datetime(2012, 12, 21, tzinfo=UTC)),
    (datetime(2012, 12, 31, 23, 59, tzinfo=UTC), datetime(2013, 1, 1, tzinfo=UTC)),
    (datetime(2012, 12, 20, 23, 30, tzinfo=timezone(timedelta(hours=-5))), datetime(2012, 12, 22, tzinfo=UTC)),
])
def test_next_midnight_rounds_up_to_midnight_utc(moment, midnight):
    assert next_midnight(moment) == midnight


def test_expiry_date_adds_days_then_rounds_to_the_next_midnight():
    # AWS's example: restored 10:30 UTC, 3 days -> the copy goes at midnight after the third day.
    assert expiry_date(datetime(2012, 10, 15, 10, 30, tzinfo=UTC), 3) == datetime(2012, 10, 19, tzinfo=UTC)


def test_new_restore_records_request_ready_days_and_tier():
    record = new_restore("GLACIER", "Standard", 2, T0)
    assert record == {"requested": "2012-12-17T10:30:00Z", "ready": "2012-12-17T15:30:00Z", "days": 2,
                      "tier": "Standard"}


def test_restore_state_without_a_record_is_none():
    assert restore_state({}, T0) is None
    assert restore_state(None, T0) is None


def test_restore_state_is_ongoing_until_ready():
    extra = extra_for(new_restore("GLACIER", "Standard", 2, T0))
    state = restore_state(extra, at(hours=4, days=0) + timedelta(minutes=59))
    assert state.ongoing and state.expiry is None and state.tier == "Standard"


def test_restore_state_is_done_at_ready_time_with_expiry_rounded_to_midnight():
    extra = extra_for(new_restore("GLACIER", "Standard", 2, T0))
    state = restore_state(extra, at(hours=5))
    # ready 2012-12-17 15:30 + 2 days = 12-19 15:30 -> midnight of 12-20
    assert not state.ongoing and state.expiry == datetime(2012, 12, 20, tzinfo=UTC)


def test_restore_state_is_none_once_the_copy_expired():
    extra = extra_for(new_restore("GLACIER", "Standard", 2, T0))
    assert restore_state(extra, datetime(2012, 12, 19, 23, 59, tzinfo=UTC)) is not None
    assert restore_state(extra, datetime(2012, 12, 20, tzinfo=UTC)) is None


def test_renewed_counts_the_new_days_from_now():
    record = new_restore("GLACIER", "Expedited", 1, T0)
    later = at(days=1)  # 2012-12-18 10:30, copy expires at 12-19 00:00
    record = renewed(record, 5, later)
    assert record["days"] == 5 and record["requested"] == "2012-12-17T10:30:00Z"
    assert restore_state(extra_for(record), later).expiry == datetime(2012, 12, 24, tzinfo=UTC)


def test_sped_up_takes_the_faster_tier_and_the_earlier_ready_time():
    record = new_restore("GLACIER", "Bulk", 1, T0)  # ready at T0 + 12 h
    faster = sped_up(record, "GLACIER", "Expedited", 1, at(hours=1))
    assert faster["tier"] == "Expedited" and faster["ready"] == "2012-12-17T11:35:00Z"
    assert restore_state(extra_for(faster), at(hours=1, days=0) + timedelta(minutes=5)).ongoing is False


def test_sped_up_never_delays_a_restore():
    record = new_restore("DEEP_ARCHIVE", "Bulk", 1, T0)  # ready at T0 + 48 h
    faster = sped_up(record, "DEEP_ARCHIVE", "Standard", 1, at(hours=40))  # T0 + 52 h would be later
    assert faster["ready"] == record["ready"]


@pytest.mark.parametrize("tier, than, faster", [
    ("Expedited", "Standard", True), ("Standard", "Bulk", True), ("Bulk", "Standard", False),
    ("Standard", "Standard", False),
])
def test_is_faster_orders_the_tiers(tier, than, faster):
    assert is_faster(tier, than) is faster


@pytest.mark.parametrize("storage_class", ["STANDARD", "STANDARD_IA", "GLACIER_IR", "INTELLIGENT_TIERING", None])
def test_is_readable_objects_that_are_not_archived_always(storage_class):
    assert is_readable(storage_class, {}, T0)


@pytest.mark.parametrize("storage_class", ["GLACIER", "DEEP_ARCHIVE"])
def test_is_readable_archived_only_between_completion_and_expiry(storage_class):
    assert not is_readable(storage_class, {}, T0)
    extra = extra_for(new_restore(storage_class, "Standard", 1, T0))
    assert not is_readable(storage_class, extra, T0)
    assert is_readable(storage_class, extra, at(hours=12))
    assert not is_readable(storage_class, extra, at(days=3))  # the one-day copy has expired


def test_restore_header_while_ongoing_and_after_completion():
    extra = extra_for(new_restore("GLACIER", "Standard", 3, T0))
    assert restore_header(restore_state(extra, T0)) == 'ongoing-request="true"'
    assert restore_header(restore_state(extra, at(hours=5))) == \
        'ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"'


def test_restore_status_for_listings():
    extra = extra_for(new_restore("GLACIER", "Standard", 3, T0))
    assert restore_status(restore_state(extra, T0)) == {"IsRestoreInProgress": True}
    assert restore_status(restore_state(extra, at(hours=5))) == {
        "IsRestoreInProgress": False, "RestoreExpiryDate": datetime(2012, 12, 21, tzinfo=UTC)}
