"""Enhanced fan-out consumers: register, describe, list and deregister.

A consumer is recorded in its stream's metadata. Its ARN has AWS's shape,
`<stream arn>/consumer/<name>:<creation epoch seconds>`.
"""

from __future__ import annotations

from ...protocol.context import RequestContext
from . import common as c
from .model import Consumer, Stream

MAX_CONSUMERS = 20


def consumer_description(stream: Stream, consumer: Consumer, with_stream: bool = False) -> dict:
    out = {"ConsumerName": consumer.name, "ConsumerARN": consumer.arn, "ConsumerStatus": consumer.status,
           "ConsumerCreationTimestamp": c.timestamp(consumer.created_ms)}
    if with_stream:
        out["StreamARN"] = stream.arn
    return out


class ConsumersMixin:
    def _consumer(self, ctx: RequestContext, params: dict) -> tuple[Stream, Consumer]:
        arn = params.get("ConsumerARN")
        if arn:
            match = c.CONSUMER_ARN.fullmatch(arn)
            if match is None:
                raise c.invalid(f"ConsumerARN {arn} is invalid.")
            stream = c.stream_from_arn(self, ctx, match.group(1))
            consumer = stream.consumers.get(match.group(2))
            if consumer is None or consumer.arn != arn:
                raise c.not_found(f"Consumer {arn} under account {ctx.account_id} not found.")
            return stream, consumer
        if not params.get("StreamARN") or not params.get("ConsumerName"):
            raise c.invalid("Either ConsumerARN, or both StreamARN and ConsumerName, must be provided.")
        stream = c.stream_from_arn(self, ctx, params["StreamARN"])
        consumer = stream.consumers.get(params["ConsumerName"])
        if consumer is None:
            raise c.not_found(f"Consumer {params['ConsumerName']} under stream {stream.arn} not found.")
        return stream, consumer

    def register_stream_consumer(self, ctx: RequestContext, params: dict) -> dict:
        stream = c.stream_from_arn(self, ctx, params["StreamARN"])
        name = params["ConsumerName"]
        if name in stream.consumers:
            raise c.in_use(f"Consumer {name} under stream {stream.arn} already exists.")
        if len(stream.consumers) >= MAX_CONSUMERS:
            raise c.limit_exceeded(f"Stream {stream.arn} already has {MAX_CONSUMERS} registered consumers, "
                                   "the maximum.")
        now = c.now_ms(self)
        consumer = Consumer(name=name, arn=f"{stream.arn}/consumer/{name}:{now // 1000}", created_ms=now)
        self.store.update(stream, lambda s: s.consumers.__setitem__(name, consumer))
        return {"Consumer": consumer_description(stream, consumer)}

    def describe_stream_consumer(self, ctx: RequestContext, params: dict) -> dict:
        stream, consumer = self._consumer(ctx, params)
        return {"ConsumerDescription": consumer_description(stream, consumer, with_stream=True)}

    def list_stream_consumers(self, ctx: RequestContext, params: dict) -> dict:
        stream = c.stream_from_arn(self, ctx, params["StreamARN"])
        names = sorted(stream.consumers)
        if params.get("NextToken"):
            after, _ = c.decode_token(params["NextToken"], "consumers", str)
            names = [n for n in names if n > after]
        limit = params.get("MaxResults", 100)
        out = {"Consumers": [consumer_description(stream, stream.consumers[n]) for n in names[:limit]]}
        if len(names) > limit:
            out["NextToken"] = c.encode_token("consumers", names[limit - 1], c.now_ms(self))
        return out

    def deregister_stream_consumer(self, ctx: RequestContext, params: dict) -> dict:
        stream, consumer = self._consumer(ctx, params)
        self.store.update(stream, lambda s: s.consumers.pop(consumer.name, None))
        return {}
