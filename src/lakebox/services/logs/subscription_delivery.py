"""Subscription delivery: a committed batch's matching events, sent to each filter's Kinesis stream
or Firehose delivery stream.

What a record holds is what AWS documents for Kinesis destinations: gzip-compressed JSON
`{"messageType": "DATA_MESSAGE", "owner": <account>, "logGroup", "logStream",
"subscriptionFilters": [<filter name>], "logEvents": [{"id", "timestamp", "message"}]}`, one record
per filter per PutLogEvents batch (split in halves while a record would pass the stream's maximum
record size; a Firehose record holds at most 1,000 KiB). Event ids are the store's event ids as 56 digits, the eventId FilterLogEvents shows for
the same event. A put of a filter first sends the stream AWS's health check, a CONTROL_MESSAGE
(owner "CloudwatchLogs", empty group and stream, no filter names, one event with an empty id and
"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.", or "... Firehose stream."),
which consumers are expected to skip. The partition key follows the filter's `distribution`: ByLogStream (the default) keeps a log
stream's records on one shard with a key hashed from the group and stream names; Random draws one per
record. AWS does not document its exact keys, only this grouping.

Why delivery is synchronous (inside PutLogEvents, after its transaction commits) and not a
background sender with an outbox: the Kinesis put is itself durable once it returns (the shard log
is fsynced), so when PutLogEvents is acknowledged its matching events are already in the stream, and
a crash before the acknowledgement leads the client to retry the whole batch (at-least-once, as
AWS's delivery is). An outbox would only add a second copy of every event and a sender thread to
arrive at the same guarantee. The cost is the Kinesis append's latency on PutLogEvents for groups
that have filters; groups without filters pay nothing (the store reads the filters in the same
transaction as the events).

A delivery that fails (the stream was deleted, or stays throttled through the retries below) is
logged as a warning and does not fail PutLogEvents: the events are stored, and answering an error
would make the client put them twice. AWS too drops deliveries it cannot make, after retrying.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Sequence
from typing import Any, Callable, Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .filter_pattern import compile_pattern
from .store import SubscriptionFilterRow

log = logging.getLogger("lakebox.logs")

CONTROL_MESSAGE = "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."
FIREHOSE_CONTROL_MESSAGE = "CWL CONTROL MESSAGE: Checking health of destination Firehose stream."
#: Kinesis's default maximum record size (partition key plus data), for a stream not found.
DEFAULT_MAX_RECORD_BYTES = 1 << 20
#: Firehose's maximum record size.
FIREHOSE_MAX_RECORD_BYTES = 1_000 * 1024
#: Waits before retrying records the shard's throughput limit refused (only with limits on).
THROTTLE_BACKOFF_S = (0.05, 0.1, 0.2, 0.4, 0.8)


class DeliveryFailed(Exception):
    """The stream did not take the records (its AWS error, or throttling, is the message)."""


class Destinations:
    """The providers a filter can deliver to (set by `build_providers`; None where not served), and
    how a CloudWatch Logs destination's ARN resolves to its target's (None: no such destination)."""

    def __init__(self, kinesis: Any = None, firehose: Any = None,
                 resolve: Callable[[str], Optional[str]] = lambda arn: None):
        self.kinesis, self.firehose, self.resolve = kinesis, firehose, resolve

    def target(self, arn: str) -> str:
        """The stream's ARN a filter's destination stands for (the ARN itself, unless a Logs destination)."""
        if arn.split(":")[2:3] != ["logs"]:
            return arn
        target = self.resolve(arn)
        if target is None:
            raise DeliveryFailed(f"the destination {arn} does not exist")
        return target


def is_firehose(arn: str) -> bool:
    return arn.split(":")[2:3] == ["firehose"]


def send_control_message(to: Destinations, account: str, region: str, arn: str, now_ms: int) -> None:
    """Write the health-check record PutSubscriptionFilter sends; raises DeliveryFailed."""
    arn = to.target(arn)
    message = FIREHOSE_CONTROL_MESSAGE if is_firehose(arn) else CONTROL_MESSAGE
    payload = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
               "subscriptionFilters": [], "logEvents": [{"id": "", "timestamp": now_ms, "message": message}]}
    _put(to, account, region, arn, [(uuid.uuid4().hex, _compressed(payload))])


def deliver_batch(to: Destinations, account: str, region: str, group: str, stream: str,
                  filters: Sequence[SubscriptionFilterRow], events: Sequence[tuple[int, int, str]]) -> None:
    """Send each filter the events of one committed batch that its pattern matches; failures are logged."""
    for sub in filters:
        matches = _matcher(sub.pattern)
        matching = [e for e in events if matches(e[2])]
        if not matching:
            continue
        try:
            limit = _max_record_bytes(to, account, region, sub.destination_arn)
            records = []
            for chunk in _chunks(account, group, stream, sub.name, matching, limit):
                key = hashlib.md5(f"{group}/{stream}".encode()).hexdigest() if sub.distribution != "Random" \
                    else uuid.uuid4().hex
                records.append((key, chunk))
            _put(to, account, region, sub.destination_arn, records)
        except DeliveryFailed as exc:
            log.warning("subscription filter %r of log group %r: %d event(s) of stream %r not delivered to %s: %s",
                        sub.name, group, len(matching), stream, sub.destination_arn, exc)


#: Filters' patterns, compiled once (a put validated each of them).
_matcher = functools.lru_cache(maxsize=256)(compile_pattern)


def data_message(account: str, group: str, stream: str, filter_name: str,
                 events: Sequence[tuple[int, int, str]]) -> dict:
    return {"messageType": "DATA_MESSAGE", "owner": account, "logGroup": group, "logStream": stream,
            "subscriptionFilters": [filter_name],
            "logEvents": [{"id": f"{event_id:056d}", "timestamp": ts, "message": message}
                          for event_id, ts, message in events]}


def _compressed(payload: dict) -> bytes:
    return gzip.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _chunks(account: str, group: str, stream: str, filter_name: str, events: Sequence[tuple[int, int, str]],
            limit: int) -> list[bytes]:
    """The records for `events`: one, or halves of the batch while a record would pass `limit` bytes
    (32 bytes kept for the partition key). A single event that is still too big goes as it is, and
    the stream refuses it."""
    data = _compressed(data_message(account, group, stream, filter_name, events))
    if len(data) + 32 <= limit or len(events) == 1:
        return [data]
    half = len(events) // 2
    return (_chunks(account, group, stream, filter_name, events[:half], limit)
            + _chunks(account, group, stream, filter_name, events[half:], limit))


def _max_record_bytes(to: Destinations, account: str, region: str, arn: str) -> int:
    arn = to.target(arn)
    if is_firehose(arn):
        return FIREHOSE_MAX_RECORD_BYTES
    found = to.kinesis.store.find(account, region, arn.rpartition("/")[2]) if to.kinesis is not None else None
    return found.max_record_kib * 1024 if found is not None else DEFAULT_MAX_RECORD_BYTES


def _put(to: Destinations, account: str, region: str, arn: str, records: list[tuple[str, bytes]]) -> None:
    arn = to.target(arn)
    if is_firehose(arn):
        _put_firehose(to.firehose, arn, records)
    elif to.kinesis is None:
        raise DeliveryFailed("lakebox serves no Kinesis here")
    else:
        _put_kinesis(to.kinesis, account, region, arn, records)


def _put_firehose(firehose: Any, arn: str, records: list[tuple[str, bytes]]) -> None:
    """PutRecordBatch through the Firehose provider, in the stream's own account and region; the
    records are in its durable buffer when this returns."""
    if firehose is None:
        raise DeliveryFailed("lakebox serves no Firehose here")
    _, _, _, region, account, resource = arn.split(":", 5)
    ctx = RequestContext(request=None, request_id=f"logs-subscription-{uuid.uuid4()}", service="firehose",
                         region=region, account_id=account)
    for start in range(0, len(records), 500):
        try:
            firehose.put_record_batch(ctx, {"DeliveryStreamName": resource.partition("/")[2],
                                            "Records": [{"Data": data} for _, data in records[start:start + 500]]})
        except AwsError as exc:
            raise DeliveryFailed(str(exc)) from None


def _put_kinesis(kinesis: Any, account: str, region: str, arn: str, records: list[tuple[str, bytes]]) -> None:
    """PutRecords through the Kinesis provider, so routing, resharding and durability are its own;
    records its throughput limit refuses are retried after THROTTLE_BACKOFF_S."""
    ctx = RequestContext(request=None, request_id=f"logs-subscription-{uuid.uuid4()}", service="kinesis",
                         region=region, account_id=account)
    pending = records
    for wait in (*THROTTLE_BACKOFF_S, None):
        try:
            out = kinesis.put_records(ctx, {"StreamARN": arn, "Records": [{"PartitionKey": key, "Data": data}
                                                                           for key, data in pending]})
        except AwsError as exc:
            raise DeliveryFailed(str(exc)) from None
        if not out["FailedRecordCount"]:
            return
        pending = [record for record, result in zip(pending, out["Records"]) if "ErrorCode" in result]
        if wait is not None:
            time.sleep(wait)
    raise DeliveryFailed(f"{len(pending)} record(s) throttled by the stream's throughput limit")
