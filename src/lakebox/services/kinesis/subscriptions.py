"""SubscribeToShard (enhanced fan-out) over HTTP/1.1, the way boto3 reads it.

The answer is an event stream: the serializer writes an `initial-response` message and then one
`SubscribeToShardEvent` per item this generator yields. Records are pushed as they become durable;
with nothing new, the generator polls the log briefly and yields an empty chunk, so that no worker
thread is held for long, and sends an event at least every 5 seconds, as AWS does. A subscription
ends after 5 minutes, or once a closed shard is read to its end (that event carries ChildShards).
HTTP/2, which the Java SDK uses, is not served: lakebox's listener speaks HTTP/1.1 only.

While it waits for records a subscription occupies one of the gateway's worker threads
(LAKEBOX_WORKERS, 8 by default), so at most half of them serve subscriptions at once; one more is
refused with LimitExceededException rather than starving every other request. As on AWS, a consumer
has at most one subscription per shard at a time (ResourceInUseException).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Iterator

from ...protocol.context import RequestContext
from . import common as c
from .model import Shard, Stream

SUBSCRIPTION_SECONDS = 300
HEARTBEAT_SECONDS = 5
POLL_SECONDS = 0.2
EVENT_RECORDS = 10_000


def max_active_subscriptions() -> int:
    return max(1, int(os.environ.get("LAKEBOX_WORKERS", "8")) // 2)


class ActiveSubscriptions:
    """The (consumer ARN, shard) pairs being served right now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: set[tuple[str, int]] = set()

    def claim(self, consumer_arn: str, shard: Shard) -> tuple[str, int]:
        key = (consumer_arn, shard.number)
        with self._lock:
            if key in self._active:
                raise c.in_use(f"Another active subscription exists for consumer {consumer_arn} on shard "
                               f"{shard.id}.")
            if len(self._active) >= max_active_subscriptions():
                raise c.limit_exceeded(f"lakebox serves at most {max_active_subscriptions()} SubscribeToShard "
                                       "subscriptions at once (half of LAKEBOX_WORKERS); end one, or raise "
                                       "LAKEBOX_WORKERS.")
            self._active.add(key)
        return key

    def release(self, key: tuple[str, int]) -> None:
        with self._lock:
            self._active.discard(key)


class Subscription:
    """The events of one subscription; its claim is released when it ends or is closed, even if
    it never started (a generator that never ran would skip its `finally`)."""

    def __init__(self, events: Iterator[dict], release):
        self._events = events
        self._release = release
        self._released = False

    def __iter__(self) -> "Subscription":
        return self

    def __next__(self) -> dict:
        try:
            return next(self._events)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if not self._released:
            self._released = True
            self._events.close()
            self._release()


class SubscriptionsMixin:
    def subscribe_to_shard(self, ctx: RequestContext, params: dict) -> dict:
        stream, consumer = self._consumer(ctx, {"ConsumerARN": params["ConsumerARN"]})
        if consumer.status != "ACTIVE":
            raise c.in_use(f"Consumer {consumer.arn} is not ACTIVE.")
        shard = c.shard_from(stream, params["ShardId"])
        position = params["StartingPosition"]
        offset = self.start_offset(ctx, stream, shard, position["Type"], position.get("SequenceNumber"),
                                   position.get("Timestamp"))
        claim = self.subscriptions.claim(consumer.arn, shard)
        return {"EventStream": Subscription(self._event_loop(stream, shard, offset),
                                            lambda: self.subscriptions.release(claim))}

    def _event_loop(self, stream: Stream, shard: Shard, offset: int) -> Iterator[dict]:
        deadline = time.monotonic() + SUBSCRIPTION_SECONDS
        last_event = 0.0
        continuation = stream.seq(shard, max(offset - 1, 0))
        while time.monotonic() < deadline:
            current = self.store.find(stream.account, stream.region, stream.name)
            if current is None or current.id != stream.id:
                return  # the stream was deleted under the subscription
            shard = current.shard(shard.number) or shard
            records, offset, millis_behind = self.records_page(current, shard, offset, EVENT_RECORDS)
            finished = not shard.is_open and offset >= (shard.end_offset or 0)
            if records or finished or time.monotonic() - last_event >= HEARTBEAT_SECONDS:
                if records:
                    continuation = records[-1]["SequenceNumber"]
                event = {"Records": records, "ContinuationSequenceNumber": continuation,
                         "MillisBehindLatest": millis_behind}
                if finished:
                    event["ChildShards"] = self.child_shards(current, shard)
                last_event = time.monotonic()
                yield {"SubscribeToShardEvent": event}
                if finished:
                    return
                continue
            time.sleep(POLL_SECONDS)
            yield {}
