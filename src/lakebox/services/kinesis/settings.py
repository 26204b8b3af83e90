"""Stream settings: retention, tags (stream- and ARN-based), encryption, enhanced monitoring, the
maximum record size and resource policies. Each change is one metadata transaction."""

from __future__ import annotations

from ...protocol.context import RequestContext
from ...protocol.errors import not_implemented
from . import common as c
from .input_checks import check_tag_characters
from .model import Stream

MIN_RETENTION, MAX_RETENTION = 24, 8760
MAX_TAGS = 50
ALL_METRICS = ["IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
               "WriteProvisionedThroughputExceeded",
               "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"]


class SettingsMixin:
    # -- retention ----------------------------------------------------------------------------------

    def _check_retention(self, hours: int) -> None:
        if hours < MIN_RETENTION:
            raise c.invalid(f"Minimum allowed retention period is {MIN_RETENTION} hours. Requested retention period "
                            f"({hours} hours) is too short.")
        if hours > MAX_RETENTION:
            raise c.invalid(f"Maximum allowed retention period is {MAX_RETENTION} hours. Requested retention period "
                            f"({hours} hours) is too long.")

    def increase_stream_retention_period(self, ctx: RequestContext, params: dict) -> dict:
        stream = c.stream_from(self, ctx, params, active=True)
        hours = params["RetentionPeriodHours"]
        self._check_retention(hours)
        if hours < stream.retention_hours:
            raise c.invalid(f"Requested retention period ({hours} hours) for stream {stream.name} can not be shorter "
                            f"than existing retention period ({stream.retention_hours} hours). Use "
                            "DecreaseRetentionPeriod API.")
        self.store.update(stream, lambda s: setattr(s, "retention_hours", hours))
        return {}

    def decrease_stream_retention_period(self, ctx: RequestContext, params: dict) -> dict:
        stream = c.stream_from(self, ctx, params, active=True)
        hours = params["RetentionPeriodHours"]
        self._check_retention(hours)
        if hours > stream.retention_hours:
            raise c.invalid(f"Requested retention period ({hours} hours) for stream {stream.name} can not be longer "
                            f"than existing retention period ({stream.retention_hours} hours). Use "
                            "IncreaseRetentionPeriod API.")
        stream = self.store.update(stream, lambda s: setattr(s, "retention_hours", hours))
        self.store.trim([stream], c.now_ms(self))
        return {}

    # -- tags ---------------------------------------------------------------------------------------

    def _tag(self, stream: Stream, tags: dict) -> None:
        check_tag_characters(tags)  # after the stream look-up, as AWS orders them
        merged = {**stream.tags, **tags}
        if len(merged) > MAX_TAGS:
            raise c.invalid(f"Failed to add tags to stream {stream.name} under account {stream.account} because a "
                            f"given stream cannot have more than {MAX_TAGS} tags associated with it.")
        self.store.update(stream, lambda s: s.tags.update(tags))

    def _untag(self, stream: Stream, keys: list) -> None:
        check_tag_characters(dict.fromkeys(keys, ""))

        def change(s: Stream) -> None:
            for key in keys:
                s.tags.pop(key, None)

        self.store.update(stream, change)

    def add_tags_to_stream(self, ctx: RequestContext, params: dict) -> dict:
        self._tag(c.stream_from(self, ctx, params), params["Tags"])
        return {}

    def remove_tags_from_stream(self, ctx: RequestContext, params: dict) -> dict:
        self._untag(c.stream_from(self, ctx, params), params["TagKeys"])
        return {}

    def list_tags_for_stream(self, ctx: RequestContext, params: dict) -> dict:
        stream = c.stream_from(self, ctx, params)
        keys = sorted(stream.tags)
        start = params.get("ExclusiveStartTagKey")
        if start:
            keys = [k for k in keys if k > start]
        limit = params.get("Limit", 50)
        return {"Tags": [{"Key": k, "Value": stream.tags[k]} for k in keys[:limit]], "HasMoreTags": len(keys) > limit}

    def _tagged_stream(self, ctx: RequestContext, arn: str) -> Stream:
        if c.CONSUMER_ARN.fullmatch(arn):
            raise not_implemented("tagging a stream consumer")
        return c.stream_from_arn(self, ctx, arn)

    def tag_resource(self, ctx: RequestContext, params: dict) -> dict:
        self._tag(self._tagged_stream(ctx, params["ResourceARN"]), params["Tags"])
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict) -> dict:
        self._untag(self._tagged_stream(ctx, params["ResourceARN"]), params["TagKeys"])
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict) -> dict:
        stream = self._tagged_stream(ctx, params["ResourceARN"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(stream.tags.items())]}

    # -- encryption, monitoring, record size --------------------------------------------------------

    def start_stream_encryption(self, ctx: RequestContext, params: dict) -> dict:
        stream = c.stream_from(self, ctx, params, active=True)
        if params["EncryptionType"] != "KMS":
            raise c.invalid(f"EncryptionType {params['EncryptionType']} is not valid for StartStreamEncryption.")

        def change(s: Stream) -> None:
            s.encryption_type, s.key_id = "KMS", params["KeyId"]

        self.store.update(stream, change)
        return {}

    def stop_stream_encryption(self, ctx: RequestContext, params: dict) -> dict:
        stream = c.stream_from(self, ctx, params, active=True)

        def change(s: Stream) -> None:
            s.encryption_type, s.key_id = "NONE", None

        self.store.update(stream, change)
        return {}

    def _set_metrics(self, ctx: RequestContext, params: dict, enable: bool) -> dict:
        stream = c.stream_from(self, ctx, params, active=True)
        asked = params["ShardLevelMetrics"]
        names = ALL_METRICS if "ALL" in asked else asked
        unknown = [n for n in names if n not in ALL_METRICS]
        if unknown:
            raise c.invalid(f"ShardLevelMetrics {unknown[0]} is not valid.")
        current = list(stream.shard_metrics)
        desired = sorted(set(current) | set(names)) if enable else [m for m in current if m not in names]
        self.store.update(stream, lambda s: setattr(s, "shard_metrics", desired))
        return {"StreamName": stream.name, "StreamARN": stream.arn, "CurrentShardLevelMetrics": current,
                "DesiredShardLevelMetrics": desired}

    def enable_enhanced_monitoring(self, ctx: RequestContext, params: dict) -> dict:
        return self._set_metrics(ctx, params, True)

    def disable_enhanced_monitoring(self, ctx: RequestContext, params: dict) -> dict:
        return self._set_metrics(ctx, params, False)

    def update_max_record_size(self, ctx: RequestContext, params: dict) -> dict:
        stream = c.stream_from(self, ctx, params, active=True)
        kib = params["MaxRecordSizeInKiB"]
        if not 1024 <= kib <= 10240:
            raise c.invalid(f"MaxRecordSizeInKiB {kib} must be between 1024 and 10240.")
        self.store.update(stream, lambda s: setattr(s, "max_record_kib", kib))
        return {}

    # -- resource policies (streams only) -----------------------------------------------------------

    def put_resource_policy(self, ctx: RequestContext, params: dict) -> dict:
        stream = self._tagged_stream(ctx, params["ResourceARN"])
        self.store.update(stream, lambda s: setattr(s, "policy", params["Policy"]))
        return {}

    def get_resource_policy(self, ctx: RequestContext, params: dict) -> dict:
        return {"Policy": self._tagged_stream(ctx, params["ResourceARN"]).policy or "{}"}

    def delete_resource_policy(self, ctx: RequestContext, params: dict) -> dict:
        stream = self._tagged_stream(ctx, params["ResourceARN"])
        if stream.policy is None:
            raise c.not_found(f"No resource policy found for resource ARN {params['ResourceARN']}.")
        self.store.update(stream, lambda s: setattr(s, "policy", None))
        return {}
