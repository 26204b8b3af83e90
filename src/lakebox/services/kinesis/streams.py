"""Stream operations: create, delete, describe, list streams and shards, stream mode, limits.

Warm throughput (CreateStream's and UpdateStreamMode's WarmThroughputMiBps, DescribeStreamSummary's
WarmThroughput) is checked and reported by account_settings.py."""

from __future__ import annotations

from typing import Optional

from ...protocol.context import RequestContext
from . import common as c
from . import store as st
from .input_checks import check_tag_characters
from .model import Shard, Stream, shard_number

#: AWS's default shard quota per account and region (provisioned streams): 20,000 in the three largest
#: regions, 1,000 in the others (some have 6,000; the lower number is the safe default).
LARGE_SHARD_QUOTA_REGIONS = frozenset({"us-east-1", "us-west-2", "eu-west-1"})
LARGE_SHARD_LIMIT, SHARD_LIMIT = 20_000, 1_000
ON_DEMAND_STREAM_LIMIT = 50
ON_DEMAND_SHARDS = 4


def shard_limit(region: str) -> int:
    return LARGE_SHARD_LIMIT if region in LARGE_SHARD_QUOTA_REGIONS else SHARD_LIMIT


def shard_description(stream: Stream, shard: Shard) -> dict:
    out = {"ShardId": shard.id,
           "HashKeyRange": {"StartingHashKey": str(shard.hash_start), "EndingHashKey": str(shard.hash_end)},
           "SequenceNumberRange": {"StartingSequenceNumber": stream.starting_seq(shard)}}
    if shard.parent is not None:
        out["ParentShardId"] = Shard(shard.parent, 0, 0, 0).id
    if shard.adjacent_parent is not None:
        out["AdjacentParentShardId"] = Shard(shard.adjacent_parent, 0, 0, 0).id
    if not shard.is_open:
        out["SequenceNumberRange"]["EndingSequenceNumber"] = stream.ending_seq(shard)
    return out


def mode_details(stream: Stream) -> dict:
    return {"StreamMode": stream.mode}


def enhanced_monitoring(stream: Stream) -> list[dict]:
    return [{"ShardLevelMetrics": list(stream.shard_metrics)}]


class StreamsMixin:
    def live_shards(self, stream: Stream) -> list[Shard]:
        """The shards AWS still lists: open ones, and closed ones whose records are not all past the
        retention period (a closed shard disappears once it holds nothing readable)."""
        cutoff = c.now_ms(self) - stream.retention_hours * 3_600_000
        return [s for s in stream.shards if s.closed_ms is None or s.closed_ms > cutoff]

    def open_shard_count(self, ctx: RequestContext) -> int:
        return sum(len(s.open_shards) for s in self.store.streams(ctx.account_id, ctx.region))

    def check_shard_limit(self, ctx: RequestContext, more: int) -> None:
        current, limit = self.open_shard_count(ctx), shard_limit(ctx.region)
        if current + more > limit:
            raise c.limit_exceeded(
                f"This request would exceed the shard limit for the account {ctx.account_id} in {ctx.region}. "
                f"Current shard count for the account: {current}. Limit: {limit}. Number of additional "
                f"shards that would have resulted from this request: {more}. Refer to the AWS Service Limits "
                "page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits "
                "and how to request higher limits.")

    def create_stream(self, ctx: RequestContext, params: dict) -> dict:
        name = params["StreamName"]  # its pattern is checked before dispatch (input_checks)
        check_tag_characters(params.get("Tags") or {})
        # AWS creates a stream named with neither a ShardCount nor a mode as an on-demand stream
        # (four shards); PROVISIONED is the mode only of a stream given a ShardCount.
        default_mode = "PROVISIONED" if params.get("ShardCount") is not None else "ON_DEMAND"
        mode = (params.get("StreamModeDetails") or {}).get("StreamMode", default_mode)
        if mode not in ("PROVISIONED", "ON_DEMAND"):
            raise c.invalid(f"StreamMode {mode} is not valid.")
        count = params.get("ShardCount")
        if mode == "ON_DEMAND":
            count = ON_DEMAND_SHARDS
            on_demand = [s for s in self.store.streams(ctx.account_id, ctx.region) if s.mode == "ON_DEMAND"]
            if len(on_demand) >= ON_DEMAND_STREAM_LIMIT:
                raise c.limit_exceeded(f"This request would exceed the on-demand stream limit of "
                                       f"{ON_DEMAND_STREAM_LIMIT} for the account {ctx.account_id}.")
        elif count is None:
            raise c.invalid("ShardCount is required for streams in PROVISIONED mode.")
        max_kib = params.get("MaxRecordSizeInKiB", 1024)
        if not 1024 <= max_kib <= 10240:
            raise c.invalid(f"MaxRecordSizeInKiB {max_kib} must be between 1024 and 10240.")
        warm = params.get("WarmThroughputMiBps")
        if warm is not None:
            self.check_warm_throughput(ctx, name, mode, warm)
        self.check_shard_limit(ctx, count)
        try:
            stream = self.store.create(ctx.account_id, ctx.region, name, shard_count=count, mode=mode,
                                       now_ms=c.now_ms(self), tags=params.get("Tags") or {}, max_record_kib=max_kib,
                                       warm_mibps=warm)
        except st.StreamExists:
            raise c.in_use(f"Stream {name} under account {ctx.account_id} already exists.") from None
        # CREATING lasts as long as it takes to make the shards, which is no time: the guide writes
        # right after create_stream, and a stream_exists waiter must not wait its 10 s poll.
        self.store.update(stream, lambda s: setattr(s, "status", "ACTIVE"))
        return {}

    def delete_stream(self, ctx: RequestContext, params: dict) -> dict:
        stream = c.stream_from(self, ctx, params)
        if stream.consumers and not params.get("EnforceConsumerDeletion"):
            raise c.in_use(f"Stream {stream.name} under account {ctx.account_id} has registered consumers. "
                           "Deregister them first, or set EnforceConsumerDeletion to true.")
        self.store.update(stream, lambda s: setattr(s, "status", "DELETING"))
        self.store.delete(stream)
        return {}

    def describe_stream(self, ctx: RequestContext, params: dict) -> dict:
        stream = c.stream_from(self, ctx, params)
        limit = params.get("Limit", 100)
        after = params.get("ExclusiveStartShardId")
        shards = self.live_shards(stream)
        if after:
            number = shard_number(after)
            shards = [s for s in shards if number is None or s.number > number]
        page = shards[:limit]
        return {"StreamDescription": {
            "StreamName": stream.name, "StreamARN": stream.arn, "StreamStatus": stream.status,
            "StreamModeDetails": mode_details(stream),
            "Shards": [shard_description(stream, s) for s in page], "HasMoreShards": len(shards) > limit,
            "RetentionPeriodHours": stream.retention_hours, "StreamCreationTimestamp": c.timestamp(stream.created_ms),
            "EnhancedMonitoring": enhanced_monitoring(stream), "EncryptionType": stream.encryption_type,
            **({"KeyId": stream.key_id} if stream.key_id else {})}}

    def describe_stream_summary(self, ctx: RequestContext, params: dict) -> dict:
        stream = c.stream_from(self, ctx, params)
        warm = self.warm_throughput(ctx, stream)
        return {"StreamDescriptionSummary": {
            "StreamName": stream.name, "StreamARN": stream.arn, "StreamId": stream.stream_id,
            "StreamStatus": stream.status, "StreamModeDetails": mode_details(stream),
            "RetentionPeriodHours": stream.retention_hours, "StreamCreationTimestamp": c.timestamp(stream.created_ms),
            "EnhancedMonitoring": enhanced_monitoring(stream), "EncryptionType": stream.encryption_type,
            **({"KeyId": stream.key_id} if stream.key_id else {}),
            "OpenShardCount": len(stream.open_shards), "ConsumerCount": len(stream.consumers),
            "MaxRecordSizeInKiB": stream.max_record_kib, **({"WarmThroughput": warm} if warm else {})}}

    def list_streams(self, ctx: RequestContext, params: dict) -> dict:
        limit = params.get("Limit", 100)
        after: Optional[str] = params.get("ExclusiveStartStreamName")
        if params.get("NextToken"):
            after, _ = c.decode_token(params["NextToken"], "streams", str)
        streams = [s for s in self.store.streams(ctx.account_id, ctx.region) if after is None or s.name > after]
        page, more = streams[:limit], len(streams) > limit
        out = {"StreamNames": [s.name for s in page], "HasMoreStreams": more,
               "StreamSummaries": [{"StreamName": s.name, "StreamARN": s.arn, "StreamStatus": s.status,
                                    "StreamModeDetails": mode_details(s),
                                    "StreamCreationTimestamp": c.timestamp(s.created_ms)} for s in page]}
        if more:
            out["NextToken"] = c.encode_token("streams", page[-1].name, c.now_ms(self))
        return out

    def list_shards(self, ctx: RequestContext, params: dict) -> dict:
        token = params.get("NextToken")
        after_number = -1
        if token:
            if params.get("StreamName") or params.get("StreamARN"):
                raise c.invalid("NextToken and StreamName cannot be provided together.")
            key, issued = c.decode_token(token, "shards", list)
            if len(key) != 3 or not isinstance(key[0], str) or not isinstance(key[1], int) \
                    or not isinstance(key[2], (dict, type(None))):
                raise c.invalid(f"NextToken {token} is invalid.")
            name, after_number, shard_filter = key
            if c.now_ms(self) - issued > c.ITERATOR_LIFETIME_MS:
                raise c.AwsError("ExpiredNextTokenException", f"The timestamp of the NextToken {token} is expired.")
            stream = c.stream_from(self, ctx, {"StreamName": name})
        else:
            stream = c.stream_from(self, ctx, params)
            shard_filter = params.get("ShardFilter")
            if shard_filter and shard_filter.get("Timestamp") is not None:
                shard_filter = {**shard_filter, "Timestamp": c.ms_of(shard_filter["Timestamp"])}
            start = params.get("ExclusiveStartShardId")
            if start:
                after_number = shard_number(start) if shard_number(start) is not None else -1
        shards = [s for s in self.filtered_shards(stream, shard_filter) if s.number > after_number]
        limit = params.get("MaxResults", 1000)
        page = shards[:limit]
        out = {"Shards": [shard_description(stream, s) for s in page]}
        if len(shards) > limit:
            out["NextToken"] = c.encode_token("shards", [stream.name, page[-1].number, shard_filter], c.now_ms(self))
        return out

    def filtered_shards(self, stream: Stream, shard_filter: Optional[dict]) -> list[Shard]:
        if not shard_filter:
            return self.live_shards(stream)
        kind = shard_filter.get("Type")
        cutoff = max(c.now_ms(self) - stream.retention_hours * 3_600_000, stream.created_ms)
        if kind == "AFTER_SHARD_ID":
            if not shard_filter.get("ShardId"):
                raise c.invalid("ShardId must be provided for the AFTER_SHARD_ID shard filter.")
            after = shard_number(shard_filter["ShardId"])
            return [s for s in self.live_shards(stream) if after is None or s.number > after]
        if kind == "AT_LATEST":
            return stream.open_shards
        if kind in ("AT_TRIM_HORIZON", "FROM_TRIM_HORIZON"):
            at = cutoff
        elif kind in ("AT_TIMESTAMP", "FROM_TIMESTAMP"):
            if shard_filter.get("Timestamp") is None:
                raise c.invalid(f"Timestamp must be provided for the {kind} shard filter.")
            at = max(int(shard_filter["Timestamp"]), stream.created_ms)
        else:
            raise c.invalid(f"ShardFilter type {kind} is not valid.")
        open_then = [s for s in stream.shards if s.created_ms <= at and (s.closed_ms is None or s.closed_ms > at)]
        if kind.startswith("AT_"):
            return open_then
        return [s for s in stream.shards if s.closed_ms is None or s.closed_ms > at]

    def update_stream_mode(self, ctx: RequestContext, params: dict) -> dict:
        stream = c.stream_from(self, ctx, {"StreamARN": params["StreamARN"]}, active=True)
        mode = params["StreamModeDetails"]["StreamMode"]
        if mode not in ("PROVISIONED", "ON_DEMAND"):
            raise c.invalid(f"StreamMode {mode} is not valid.")
        if mode == stream.mode:
            raise c.invalid(f"Stream {stream.name} under account {ctx.account_id} is already in {mode} mode.")
        warm = params.get("WarmThroughputMiBps")
        if warm is not None:
            self.check_warm_throughput(ctx, stream.name, mode, warm)

        def change(s: Stream) -> None:
            # A provisioned stream has no warm throughput; one set before is not kept for a later switch back.
            s.mode, s.warm_mibps = mode, warm

        self.store.update(stream, change)
        return {}

    def describe_limits(self, ctx: RequestContext, params: dict) -> dict:
        streams = self.store.streams(ctx.account_id, ctx.region)
        return {"ShardLimit": shard_limit(ctx.region), "OpenShardCount": sum(len(s.open_shards) for s in streams),
                "OnDemandStreamCount": sum(1 for s in streams if s.mode == "ON_DEMAND"),
                "OnDemandStreamCountLimit": ON_DEMAND_STREAM_LIMIT}
