"""The service clock: durations, forward-only moves, persistence, listeners."""

import datetime as dt

import pytest

from lakebox.clock import ClockError, ServiceClock, parse_duration, parse_time


@pytest.mark.parametrize(
    "text, seconds",
    [("31d", 31 * 86400), ("90m", 5400), ("12h", 43200), ("45s", 45), ("1d12h", 129600), ("1.5h", 5400)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "31", "d", "31y", "-1d", "1d x"])
def test_parse_duration_rejects_bad_text(text):
    with pytest.raises(ClockError):
        parse_duration(text)


def test_advance_moves_now_and_persists(tmp_path):
    state = tmp_path / "clock.json"
    clock = ServiceClock(state)
    before = clock.now()
    clock.advance(dt.timedelta(days=31))
    assert clock.now() - before >= dt.timedelta(days=31)
    reopened = ServiceClock(state)
    assert reopened.offset == dt.timedelta(days=31)


def test_set_cannot_move_backwards():
    clock = ServiceClock()
    with pytest.raises(ClockError):
        clock.set(parse_time("2000-01-01T00:00:00Z"))
    target = clock.now() + dt.timedelta(days=400)
    clock.set(target)
    assert abs((clock.now() - target).total_seconds()) < 5


def test_listeners_see_the_jump():
    clock = ServiceClock()
    seen = []
    clock.subscribe(seen.append)
    clock.advance(parse_duration("2d"))
    assert len(seen) == 1 and seen[0] - dt.datetime.now(dt.timezone.utc) > dt.timedelta(days=1, hours=23)
