"""SubscribeToShard (enhanced fan-out) over HTTP/1.1, the way boto3 reads it, or over HTTP/2.

The answer is an event stream: the serializer writes an `initial-response` message and then one
`SubscribeToShardEvent` per event this subscription yields. A subscription is an async iterator run
on the gateway's event loop, not in a worker thread: between events it awaits the shard log's
"records became durable" signal (or a one-second tick that notices a closed shard or a deleted
stream), and reads the new records with a short hop to a thread. Idle subscriptions therefore cost
no thread, and lakebox serves up to MAX_ACTIVE_SUBSCRIPTIONS of them at once.

As on AWS, an event goes out at least every 5 seconds, a subscription ends after 5 minutes, or once
a closed shard is read to its end (that event carries ChildShards and no ContinuationSequenceNumber),
and a consumer has at most one subscription per shard at a time (ResourceInUseException). When the
server shuts down, the gateway ends every open event stream cleanly, which the client sees as the end
of the subscription.
Over HTTP/2 (the Java and JavaScript SDKs; gateway/http2.py) the stream is one HTTP/2 stream, and
the client ends it early by resetting that stream.
"""

from __future__ import annotations

import asyncio
import threading
from typing import AsyncIterator, Callable, Optional

from ...protocol.context import RequestContext
from . import common as c
from .model import Shard, Stream

SUBSCRIPTION_SECONDS = 300
HEARTBEAT_SECONDS = 5
#: How often an idle subscription looks at the stream itself (closed shard, deleted stream).
TICK_SECONDS = 1.0
EVENT_RECORDS = 10_000
MAX_ACTIVE_SUBSCRIPTIONS = 1000


class ActiveSubscriptions:
    """The (consumer ARN, shard) pairs being served right now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: set[tuple[str, str, int]] = set()

    def claim(self, consumer_arn: str, stream: Stream, shard: Shard) -> tuple[str, str, int]:
        key = (consumer_arn, stream.id, shard.number)
        with self._lock:
            if key in self._active:
                raise c.in_use(f"Another active subscription exists for consumer {consumer_arn} on shard "
                               f"{shard.id}.")
            if len(self._active) >= MAX_ACTIVE_SUBSCRIPTIONS:
                raise c.limit_exceeded(f"lakebox serves at most {MAX_ACTIVE_SUBSCRIPTIONS} SubscribeToShard "
                                       "subscriptions at once; end one first.")
            self._active.add(key)
        return key

    def release(self, key: tuple[str, str, int]) -> None:
        with self._lock:
            self._active.discard(key)

    def __len__(self) -> int:
        return len(self._active)


class Subscription:
    """The events of one subscription as an async iterator. Its claim is released when it ends or
    is closed, even if it never started (an async generator that never ran skips its `finally`)."""

    def __init__(self, events: AsyncIterator[dict], release: Callable[[], None]):
        self._events = events
        self._release = release
        self._released = False

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> dict:
        try:
            return await self._events.__anext__()
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        try:
            await self._events.aclose()
        finally:
            self.close()

    def close(self) -> None:
        """Release the claim (the sync path, for a response that is dropped before it is sent)."""
        if not self._released:
            self._released = True
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
        claim = self.subscriptions.claim(consumer.arn, stream, shard)
        self.store.log(stream, shard)  # opened here, in the worker, so the event loop never recovers a log
        return {"EventStream": Subscription(self._events(stream, shard, offset),
                                            lambda: self.subscriptions.release(claim))}

    def _event_records(self, stream: Stream, shard: Shard, offset: int) -> tuple[list[dict], Optional[str], int, int]:
        """(an event's records as dicts, the last one's sequence number, the next offset,
        MillisBehindLatest); runs in a worker thread."""
        page, next_offset, millis_behind = self.records_page(stream, shard, offset, EVENT_RECORDS)
        records = page.shaped()
        return records, records[-1]["SequenceNumber"] if records else None, next_offset, millis_behind

    async def _events(self, stream: Stream, shard: Shard, offset: int) -> AsyncIterator[dict]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SUBSCRIPTION_SECONDS
        log = self.store.log(stream, shard)
        wake = asyncio.Event()

        def on_durable() -> None:  # runs on a writer's thread
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # the loop is closed: the server is gone
                pass

        unwatch = log.watch_durable(on_durable)
        last_event = float("-inf")
        # Before any record is sent, the point just before `offset`: consumers resume
        # AFTER_SEQUENCE_NUMBER of it, so at offset 0 that is the shard's starting number.
        continuation = self.sequence_before(stream, shard, offset)
        try:
            while loop.time() < deadline:
                wake.clear()
                current = self.store.find(stream.account, stream.region, stream.name)
                if current is None or current.id != stream.id:
                    return  # the stream was deleted under the subscription
                shard = current.shard(shard.number) or shard
                heartbeat_due = loop.time() - last_event >= HEARTBEAT_SECONDS
                if log.end_offset > offset or not shard.is_open or heartbeat_due:
                    records, last, offset, millis_behind = await asyncio.to_thread(
                        self._event_records, current, shard, offset)
                    finished = not shard.is_open and offset >= (shard.end_offset or 0)
                    if records or finished or heartbeat_due:
                        if records:
                            continuation = last
                        event = {"Records": records, "MillisBehindLatest": millis_behind}
                        if finished:
                            # As on AWS, the end of a closed shard has ChildShards and no
                            # ContinuationSequenceNumber: that absence is how the KCL (and other
                            # fan-out consumers) tell that the shard is done.
                            event["ChildShards"] = self.child_shards(current, shard)
                        else:
                            event["ContinuationSequenceNumber"] = continuation
                        last_event = loop.time()
                        yield {"SubscribeToShardEvent": event}
                        if finished:
                            return
                        continue
                pause = min(TICK_SECONDS, max(last_event + HEARTBEAT_SECONDS - loop.time(), 0.0),
                            max(deadline - loop.time(), 0.0))
                try:
                    await asyncio.wait_for(wake.wait(), pause)
                except asyncio.TimeoutError:
                    pass
        finally:
            unwatch()
