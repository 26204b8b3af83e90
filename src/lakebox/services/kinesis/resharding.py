"""Resharding: SplitShard, MergeShards and UpdateShardCount (UNIFORM_SCALING).

Each closes parent shards and opens children in one metadata transaction. The stream shows UPDATING
while it runs. A parent's log is sealed first, at the record count that becomes its
EndingSequenceNumber, so no put can land in a parent after its end was fixed; a put that meets the
seal is routed again over the children (see records.py).
"""

from __future__ import annotations

from ...protocol.context import RequestContext
from . import common as c
from .model import Shard, Stream, uniform_ranges


class ReshardingMixin:
    def _reshard(self, stream: Stream, parents: list[Shard], children: list[tuple[int, int, int | None, int | None]]):
        """Close `parents`, open children (hash start, hash end, parent, adjacent parent)."""
        stream = self.store.update(stream, lambda s: setattr(s, "status", "UPDATING"))
        try:
            ends = {p.number: self.store.log(stream, p).seal() for p in parents}
            now = c.now_ms(self)

            def change(s: Stream) -> None:
                for shard in s.shards:
                    if shard.number in ends:
                        shard.closed_ms, shard.end_offset = now, ends[shard.number]
                number = s.next_shard_number()
                for i, (lo, hi, parent, adjacent) in enumerate(children):
                    s.shards.append(Shard(number + i, lo, hi, now, parent=parent, adjacent_parent=adjacent))
                s.status = "ACTIVE"

            return self.store.update(stream, change)
        except BaseException:
            self.store.update(stream, lambda s: setattr(s, "status", "ACTIVE"))
            raise

    @staticmethod
    def _closed_already(stream: Stream, shard: Shard) -> c.AwsError:
        return c.in_use(f"Shard {shard.id} in stream {stream.name} under account {stream.account} has already been "
                        "merged or split, and thus is not eligible for merging or splitting.")

    @staticmethod
    def _provisioned(stream: Stream) -> Stream:
        """Resharding is for provisioned streams: an on-demand stream scales itself (ValidationException)."""
        if stream.mode == "ON_DEMAND":
            raise c.validation(f"Stream {stream.name} under account {stream.account} is in ON_DEMAND capacity mode; "
                               "this operation is only supported for data streams in PROVISIONED capacity mode.")
        return stream

    def _resharded_stream(self, ctx: RequestContext, params: dict, shard_ids: list[str]) -> Stream:
        """The stream to reshard; like AWS, a ShardId that names no shard number is refused first,
        even when the stream does not exist."""
        name = c.stream_name_from(ctx, params)
        for text in shard_ids:
            c.check_shard_id_form(text, name, ctx.account_id)
        return self._provisioned(c.stream_from(self, ctx, params, active=True))

    def split_shard(self, ctx: RequestContext, params: dict) -> dict:
        stream = self._resharded_stream(ctx, params, [params["ShardToSplit"]])
        shard = c.shard_from(stream, params["ShardToSplit"], resharding=True)
        if not shard.is_open:
            raise self._closed_already(stream, shard)
        text = params["NewStartingHashKey"]
        key = int(text) if text.isascii() and text.isdigit() else None
        # As AWS's message says: strictly above StartingHashKey + 1 and strictly below EndingHashKey.
        if key is None or not shard.hash_start + 1 < key < shard.hash_end:
            raise c.invalid(f"NewStartingHashKey {text} used in SplitShard() on shard {shard.id} in stream "
                            f"{stream.name} under account {ctx.account_id} is not both greater than one plus the "
                            f"shard's StartingHashKey {shard.hash_start} and less than the shard's EndingHashKey "
                            f"{shard.hash_end}.")
        self.check_shard_limit(ctx, 1)
        self._reshard(stream, [shard], [(shard.hash_start, key - 1, shard.number, None),
                                        (key, shard.hash_end, shard.number, None)])
        return {}

    def merge_shards(self, ctx: RequestContext, params: dict) -> dict:
        stream = self._resharded_stream(ctx, params, [params["ShardToMerge"], params["AdjacentShardToMerge"]])
        first = c.shard_from(stream, params["ShardToMerge"], resharding=True)
        second = c.shard_from(stream, params["AdjacentShardToMerge"], resharding=True)
        for shard in (first, second):
            if not shard.is_open:
                raise self._closed_already(stream, shard)
        # AWS takes the pair in hash key order only: AdjacentShardToMerge's range must follow ShardToMerge's.
        if first.number == second.number or first.hash_end + 1 != second.hash_start:
            raise c.invalid(f"Shards {first.id} and {second.id} in stream {stream.name} under account "
                            f"{ctx.account_id} are not an adjacent pair of shards eligible for merging")
        self._reshard(stream, [first, second], [(first.hash_start, second.hash_end, first.number, second.number)])
        return {}

    def update_shard_count(self, ctx: RequestContext, params: dict) -> dict:
        stream = self._provisioned(c.stream_from(self, ctx, params, active=True))
        if params.get("ScalingType", "UNIFORM_SCALING") != "UNIFORM_SCALING":
            raise c.invalid(f"ScalingType {params.get('ScalingType')} is not valid; use UNIFORM_SCALING.")
        target, current = params["TargetShardCount"], len(stream.open_shards)
        if target > 2 * current:
            raise c.limit_exceeded(f"UpdateShardCount cannot scale up over double your current open shard count. "
                            f"Current open shard count: {current} Target shard count: {target}")
        if target * 2 < current:
            raise c.limit_exceeded(f"UpdateShardCount cannot scale down below half your current open shard count. "
                            f"Current open shard count: {current} Target shard count: {target}")
        if target != current:
            self.check_shard_limit(ctx, target - current)
            olds = sorted(stream.open_shards, key=lambda s: s.hash_start)

            def holder(key: int) -> int:
                return next(s.number for s in olds if s.holds(key))

            children = []
            for lo, hi in uniform_ranges(target):
                parent, adjacent = holder(lo), holder(hi)
                children.append((lo, hi, parent, adjacent if adjacent != parent else None))
            self._reshard(stream, olds, children)
        return {"StreamName": stream.name, "StreamARN": stream.arn, "CurrentShardCount": current,
                "TargetShardCount": target}
