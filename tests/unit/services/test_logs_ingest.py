"""PutLogEvents batch rules and event classification, on a fixed clock."""

from __future__ import annotations

import pytest

from lakebox.services.logs.ingest import BatchError, check_batch, classifier

NOW = 1_700_000_000_000
HOUR = 3600 * 1000
DAY = 24 * HOUR


@pytest.mark.parametrize("events", [
    [(NOW, "b"), (NOW - 1, "a")],
    [(NOW - DAY - 1, "a"), (NOW, "b")],
    [(NOW, "x" * 600_000), (NOW, "y" * 600_000)],
    [(NOW, "m")] * 10_001,
])
def test_check_batch_rejects(events):
    with pytest.raises(BatchError):
        check_batch(events)


def test_check_batch_counts_26_bytes_per_event():
    message = "x" * (1_048_576 // 2 - 26)
    check_batch([(NOW, message), (NOW, message)])
    with pytest.raises(BatchError):
        check_batch([(NOW, message + "x"), (NOW, message)])


@pytest.mark.parametrize("timestamps, retention, expected", [
    ([NOW, NOW + 1], None, (0, 2, {})),
    ([NOW - 15 * DAY, NOW - 14 * DAY - 1, NOW], None, (2, 3, {"tooOldLogEventEndIndex": 1})),
    ([NOW, NOW + 2 * HOUR + 1], None, (0, 1, {"tooNewLogEventStartIndex": 1})),
    ([NOW - 2 * DAY, NOW], 1, (1, 2, {"expiredLogEventEndIndex": 0})),
    ([NOW - 15 * DAY, NOW - 2 * DAY, NOW], 1, (2, 3, {"tooOldLogEventEndIndex": 0, "expiredLogEventEndIndex": 1})),
    ([NOW + 3 * HOUR], None, (0, 0, {"tooNewLogEventStartIndex": 0})),
])
def test_classifier(timestamps, retention, expected):
    assert classifier(NOW)(timestamps, retention) == expected
