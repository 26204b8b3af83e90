"""Log events: PutLogEvents, GetLogEvents (forward/backward tokens) and FilterLogEvents.

Once a batch is committed, its matching events go to the group's subscription filters
(subscriptions.py) before PutLogEvents answers.
"""

from __future__ import annotations

from typing import Optional

from ...protocol.context import RequestContext
from . import store as st
from .common import (
    decode_token,
    encode_token,
    event_token,
    group_name_from,
    invalid,
    parse_event_token,
    translated,
)
from .filter_pattern import FilterPatternError, compile_pattern
from .groups import sequence_token
from .ingest import BatchError, check_batch, classifier, retention_cutoff

EVENTS_LIMIT = 10_000
#: GetLogEvents and FilterLogEvents stop at 1 MB of messages, as AWS does.
RESPONSE_BYTES = 1_048_576


class EventsMixin:
    store: st.LogsStore

    def put_log_events(self, ctx: RequestContext, params: dict) -> dict:
        events = [(e["timestamp"], e["message"]) for e in params["logEvents"]]
        try:
            check_batch(events)
        except BatchError as exc:
            raise invalid(str(exc)) from None
        now = self._now_ms()
        # sequenceToken is accepted and ignored, as AWS has done since January 2023.
        with translated():
            result = self.store.append_events(ctx.account_id, ctx.region, params["logGroupName"],
                                              params["logStreamName"], events, now, classify=classifier(now))
        self.deliver_to_subscriptions(ctx.account_id, ctx.region, params["logGroupName"], params["logStreamName"],
                                      result)
        out: dict = {"nextSequenceToken": sequence_token(result.sequence)}
        if result.rejected:
            out["rejectedLogEventsInfo"] = _wire_rejected_info(result.rejected)
        return out

    def _window_start(self, group: st.GroupRow, start: Optional[int]) -> Optional[int]:
        """The startTime, raised past the events the group's retention has expired."""
        cutoff = retention_cutoff(self._now_ms(), group.retention_days)
        if cutoff is None:
            return start
        return cutoff if start is None else max(start, cutoff)

    def get_log_events(self, ctx: RequestContext, params: dict) -> dict:
        group = self._group(ctx, group_name_from(ctx, params))
        with translated():
            stream = self.store.get_stream(group, params["logStreamName"])
        limit = params.get("limit") or EVENTS_LIMIT
        start, end = self._window_start(group, params.get("startTime")), params.get("endTime")
        token = params.get("nextToken")
        if token:
            direction, key = parse_event_token(token)
        else:
            direction, key = ("f" if params.get("startFromHead") else "b"), None
        forward = direction == "f"
        rows = self.store.stream_events(stream, after=key if forward else None, before=None if forward else key,
                                        start=start, end=end, newest_first=not forward, limit=limit)
        rows = _within_bytes(rows, from_end=not forward)
        if rows:
            first, last = rows[0], rows[-1]
            forward_token = event_token("f", (last.ts, last.id))
            backward_token = event_token("b", (first.ts, first.id))
        elif token:
            # At the end of the stream AWS hands the same token back; the other one points the other
            # way from the same place (the key itself included).
            ts, event_id = key
            forward_token = token if forward else event_token("f", (ts, event_id - 1))
            backward_token = token if not forward else event_token("b", (ts, event_id + 1))
        else:
            forward_token, backward_token = event_token("f", (0, 0)), event_token("b", (0, 0))
        return {"events": [{"timestamp": e.ts, "message": e.message, "ingestionTime": e.ingestion_ms} for e in rows],
                "nextForwardToken": forward_token, "nextBackwardToken": backward_token}

    def filter_log_events(self, ctx: RequestContext, params: dict) -> dict:
        group = self._group(ctx, group_name_from(ctx, params))
        names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
        if names and prefix:
            raise invalid("You cannot specify both LogStreamNames and LogStreamNamePrefix.")
        try:
            matches = compile_pattern(params.get("filterPattern"))
        except FilterPatternError as exc:
            raise invalid(str(exc)) from None
        limit = params.get("limit") or EVENTS_LIMIT
        after = decode_token(params.get("nextToken"), "filter")
        streams = self.store.streams_of(group, names=names, prefix=prefix)
        stream_names = {s.id: s.name for s in streams}
        only = list(stream_names) if (names or prefix) else None
        end = params.get("endTime")
        scan = self.store.group_events(group, only, after=tuple(after) if after else None,
                                       start=self._window_start(group, params.get("startTime")),
                                       end=None if end is None else end + 1)
        found: list[st.EventRow] = []
        size = 0
        more = False
        for event in scan:
            if not matches(event.message):
                continue
            size += len(event.message.encode("utf-8"))
            if len(found) >= limit or (found and size > RESPONSE_BYTES):
                more = True
                break
            found.append(event)
        result: dict = {
            "events": [{"logStreamName": stream_names[e.stream_id], "timestamp": e.ts, "message": e.message,
                        "ingestionTime": e.ingestion_ms, "eventId": f"{e.id:056d}"} for e in found],
            # No longer supported by AWS since May 2020, which answers it with an empty list.
            "searchedLogStreams": [],
        }
        if more:
            result["nextToken"] = encode_token("filter", [found[-1].ts, found[-1].id])
        return result

    # -- for lakebox's own services -----------------------------------------------------------------

    def write_events(self, account: str, region: str, group: str, stream: str,
                     messages: list[tuple[int, str]]) -> None:
        """Append `(timestamp_ms, message)` events to `group`/`stream`, creating both if needed.

        This is how Glue crawlers and jobs log: one transaction, no age limits (the caller stamps
        events with the service clock), events sorted by time as PutLogEvents would require.
        """
        if not messages:
            return
        result = self.store.append_events(account, region, group, stream, sorted(messages, key=lambda m: m[0]),
                                          self._now_ms(), create_missing=True)
        self.deliver_to_subscriptions(account, region, group, stream, result)


def _wire_rejected_info(rejected: dict[str, int]) -> dict[str, int]:
    """RejectedLogEventsInfo as AWS words it: the classifier names the last too-old event, while AWS's
    tooOldLogEventEndIndex is exclusive (one too-old event at index 0 is reported as 1)."""
    out = dict(rejected)
    if "tooOldLogEventEndIndex" in out:
        out["tooOldLogEventEndIndex"] += 1
    return out


def _within_bytes(rows: list[st.EventRow], from_end: bool) -> list[st.EventRow]:
    """Trim a page to the response size limit, keeping the end nearest where the read started."""
    ordered = rows[::-1] if from_end else rows
    kept, size = [], 0
    for row in ordered:
        size += len(row.message.encode("utf-8"))
        if kept and size > RESPONSE_BYTES:
            break
        kept.append(row)
    return kept[::-1] if from_end else kept
