"""PutLogEvents' batch rules, as the API reference states them, apart from any state.

A batch that breaks a rule fails as a whole (`BatchError`, which the provider answers with
InvalidParameterException). Events that are only too old, expired or too new are dropped and
reported in `rejectedLogEventsInfo`; since a valid batch is in time order, the too-old and expired
events are a prefix and the too-new ones a suffix, so the accepted events are one slice.
"""

from __future__ import annotations

from typing import Optional, Sequence

MAX_BATCH_BYTES = 1_048_576
MAX_BATCH_EVENTS = 10_000
EVENT_OVERHEAD_BYTES = 26
MAX_EVENT_BYTES = 1_048_576
MAX_SPAN_MS = 24 * 3600 * 1000
MAX_AGE_MS = 14 * 86400 * 1000
MAX_FUTURE_MS = 2 * 3600 * 1000
DAY_MS = 86400 * 1000

#: The values PutRetentionPolicy accepts (days).
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                  3288, 3653)


class BatchError(ValueError):
    """A PutLogEvents batch that is rejected as a whole (the message is AWS's wording)."""


def check_batch(events: Sequence[tuple[int, str]]) -> None:
    """Raise BatchError unless the batch is in time order, within the size limits and at most 24 h wide."""
    if len(events) > MAX_BATCH_EVENTS:
        raise BatchError(f"Log event count {len(events)} exceeds limit of {MAX_BATCH_EVENTS}")
    size = 0
    previous = None
    for ts, message in events:
        message_bytes = len(message.encode("utf-8"))
        if message_bytes > MAX_EVENT_BYTES:
            raise BatchError("Log event too large")
        size += message_bytes + EVENT_OVERHEAD_BYTES
        if previous is not None and ts < previous:
            raise BatchError("Log events in a single PutLogEvents request must be in chronological order.")
        previous = ts
    if size > MAX_BATCH_BYTES:
        raise BatchError(f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}")
    if events and events[-1][0] - events[0][0] > MAX_SPAN_MS:
        raise BatchError("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")


def retention_cutoff(now_ms: int, retention_days: Optional[int]) -> Optional[int]:
    """The oldest timestamp a group with this retention still keeps (None: kept forever)."""
    return None if retention_days is None else now_ms - retention_days * DAY_MS


def classifier(now_ms: int):
    """A `classify(timestamps, retention_days)` for the store, judging ages on the service clock `now_ms`.

    Returns (first accepted index, end of the accepted slice, RejectedLogEventsInfo members).
    """

    def classify(timestamps: Sequence[int], retention_days: Optional[int]) -> tuple[int, int, dict[str, int]]:
        info: dict[str, int] = {}
        too_old = sum(1 for ts in timestamps if ts < now_ms - MAX_AGE_MS)
        cutoff = retention_cutoff(now_ms, retention_days)
        expired = 0 if cutoff is None else sum(1 for ts in timestamps if ts < cutoff)
        too_new_start = next((i for i, ts in enumerate(timestamps) if ts > now_ms + MAX_FUTURE_MS), len(timestamps))
        if too_old:
            info["tooOldLogEventEndIndex"] = too_old - 1
        if expired:
            info["expiredLogEventEndIndex"] = expired - 1
        if too_new_start < len(timestamps):
            info["tooNewLogEventStartIndex"] = too_new_start
        start = max(too_old, expired)
        return start, max(start, too_new_start), info

    return classify
