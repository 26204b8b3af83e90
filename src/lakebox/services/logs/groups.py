"""Log groups and streams: create, delete, describe, list, retention, deletion protection and tags."""

from __future__ import annotations

from typing import Optional

from ...protocol.context import RequestContext
from . import store as st
from .common import (
    GROUP_NAME,
    decode_token,
    encode_token,
    group_arn,
    group_name_from,
    invalid,
    not_found,
    parse_group_arn,
    stream_arn,
    translated,
)
from .deliveries import parse_delivery_arn
from .destinations import parse_destination_arn
from .ingest import RETENTION_DAYS

DESCRIBE_LIMIT = 50

#: DescribeLogStreams' orders, as the API reference lists them.
STREAM_ORDERS = ("LogStreamName", "LastEventTime")


class GroupsMixin:
    store: st.LogsStore

    def _now_ms(self) -> int:
        return self.config.clock.now_ns() // 1_000_000

    def _group(self, ctx: RequestContext, name: str) -> st.GroupRow:
        with translated():
            return self.store.get_group(ctx.account_id, ctx.region, name)

    # -- groups -------------------------------------------------------------------------------------

    def get_log_group_fields(self, ctx: RequestContext, params: dict) -> dict:
        """The fields of a group's events and the share of events that have each, as Logs Insights
        discovers them: its own `@` fields, and the keys of JSON messages (flattened with dots).
        The events read are those of the 8 minutes either side of `time` (epoch seconds), else of the
        last 15 minutes, on the service clock; the most frequent fields come first."""
        from .insights_runner import discovered_fields

        group = self._group(ctx, group_name_from(ctx, params))
        if params.get("time") is not None:
            start, end = params["time"] * 1000 - 8 * 60_000, params["time"] * 1000 + 8 * 60_000
        else:
            end = self._now_ms()
            start = end - 15 * 60_000
        total, counts = 0, {}
        for event in self.store.group_events(group, None, start=start, end=end):
            total += 1
            for name in {name for name, _ in discovered_fields(event.message)}:
                counts[name] = counts.get(name, 0) + 1
        if not total:
            return {"logGroupFields": []}
        fields = [(name, 100) for name in ("@ingestionTime", "@log", "@logStream", "@message", "@timestamp")]
        fields += [(name, round(100 * count / total)) for name, count in counts.items()]
        fields.sort(key=lambda field: (-field[1], field[0]))
        return {"logGroupFields": [{"name": name, "percent": percent} for name, percent in fields]}

    def create_log_group(self, ctx: RequestContext, params: dict) -> dict:
        name = params["logGroupName"]
        if not GROUP_NAME.fullmatch(name):
            raise invalid(f"1 validation error detected: Value '{name}' at 'logGroupName' failed to satisfy "
                          "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+")
        with translated():
            self.store.create_group(ctx.account_id, ctx.region, name, self._now_ms(), tags=params.get("tags"),
                                    kms_key_id=params.get("kmsKeyId"),
                                    log_group_class=params.get("logGroupClass") or "STANDARD",
                                    deletion_protection=bool(params.get("deletionProtectionEnabled")))
        return {}

    def put_log_group_deletion_protection(self, ctx: RequestContext, params: dict) -> dict:
        name = group_name_from(ctx, {"logGroupIdentifier": params["logGroupIdentifier"]})
        with translated():
            self.store.set_deletion_protection(ctx.account_id, ctx.region, name,
                                               bool(params["deletionProtectionEnabled"]))
        return {}

    def delete_log_group(self, ctx: RequestContext, params: dict) -> dict:
        with translated():
            self.store.delete_group(ctx.account_id, ctx.region, params["logGroupName"])
        return {}

    def describe_log_groups(self, ctx: RequestContext, params: dict) -> dict:
        prefix, pattern = params.get("logGroupNamePrefix"), params.get("logGroupNamePattern")
        if prefix and pattern:
            raise invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
        limit = params.get("limit") or DESCRIBE_LIMIT
        after = decode_token(params.get("nextToken"), "groups")
        identifiers = params.get("logGroupIdentifiers")
        names = None if not identifiers else [parse_group_arn(n)[2] if n.startswith("arn:") else n
                                              for n in identifiers]
        rows = self.store.list_groups(ctx.account_id, ctx.region, prefix=prefix,
                                      patterns=[pattern] if pattern else (), names=names,
                                      log_group_class=params.get("logGroupClass"), after=after, limit=limit + 1)
        # A pattern search is answered from another index on AWS: its groups carry no storedBytes
        # and no deletionProtectionEnabled.
        result: dict = {"logGroups": [self._group_output(g, brief=bool(pattern)) for g in rows[:limit]]}
        if len(rows) > limit:
            result["nextToken"] = encode_token("groups", rows[limit - 1].name)
        return result

    def list_log_groups(self, ctx: RequestContext, params: dict) -> dict:
        if params.get("dataSources") or params.get("fieldIndexNames"):
            # lakebox's groups have neither data sources nor field indexes, so no group matches.
            return {"logGroups": []}
        pattern = params.get("logGroupNamePattern")
        limit = params.get("limit") or DESCRIBE_LIMIT
        after = decode_token(params.get("nextToken"), "list-groups")
        tag_filters = params.get("logGroupTags") or []
        rows = self.store.list_groups(ctx.account_id, ctx.region, patterns=pattern.split("|") if pattern else (),
                                      log_group_class=params.get("logGroupClass"), after=after,
                                      limit=-1 if tag_filters else limit + 1)
        rows = [g for g in rows if all(_tag_matches(g.tags, f) for f in tag_filters)]
        result: dict = {"logGroups": [{"logGroupName": g.name, "logGroupArn": group_arn(g.region, g.account, g.name),
                                       "logGroupClass": g.log_group_class} for g in rows[:limit]]}
        if len(rows) > limit:
            result["nextToken"] = encode_token("list-groups", rows[limit - 1].name)
        return result

    def _group_output(self, group: st.GroupRow, brief: bool = False) -> dict:
        arn = group_arn(group.region, group.account, group.name)
        out = {"logGroupName": group.name, "creationTime": group.created_ms,
               "metricFilterCount": group.metric_filter_count,
               "arn": f"{arn}:*", "logGroupArn": arn, "logGroupClass": group.log_group_class,
               "retentionInDays": group.retention_days, "kmsKeyId": group.kms_key_id}
        if not brief:
            out["storedBytes"] = group.stored_bytes
            out["deletionProtectionEnabled"] = group.deletion_protection
        return {k: v for k, v in out.items() if v is not None}

    def put_retention_policy(self, ctx: RequestContext, params: dict) -> dict:
        days = params["retentionInDays"]
        if days not in RETENTION_DAYS:
            raise invalid(f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy "
                          f"constraint: Member must satisfy enum value set: [{', '.join(map(str, RETENTION_DAYS))}]")
        with translated():
            self.store.set_retention(ctx.account_id, ctx.region, params["logGroupName"], days)
        return {}

    def delete_retention_policy(self, ctx: RequestContext, params: dict) -> dict:
        with translated():
            self.store.set_retention(ctx.account_id, ctx.region, params["logGroupName"], None)
        return {}

    # -- streams ------------------------------------------------------------------------------------

    def create_log_stream(self, ctx: RequestContext, params: dict) -> dict:
        name = params["logStreamName"]
        if ":" in name or "*" in name:
            raise invalid(f"1 validation error detected: Value '{name}' at 'logStreamName' failed to satisfy "
                          "constraint: Member must satisfy regular expression pattern: [^:*]*")
        group = self._group(ctx, params["logGroupName"])
        with translated():
            self.store.create_stream(group, name, self._now_ms())
        return {}

    def delete_log_stream(self, ctx: RequestContext, params: dict) -> dict:
        group = self._group(ctx, params["logGroupName"])
        with translated():
            self.store.delete_stream(group, params["logStreamName"])
        return {}

    def describe_log_streams(self, ctx: RequestContext, params: dict) -> dict:
        order = params.get("orderBy")
        if order is not None and order not in STREAM_ORDERS:
            # The two orders are fixed, so AWS's front end checks this enum (lakebox checks no enum
            # generally: a model may be older than the service).
            raise invalid(f"1 validation error detected: Value '{order}' at 'orderBy' failed to satisfy constraint: "
                          f"Member must satisfy enum value set: [{', '.join(STREAM_ORDERS)}]")
        group = self._group(ctx, group_name_from(ctx, params))
        prefix = params.get("logStreamNamePrefix")
        by_last_event = params.get("orderBy") == "LastEventTime"
        if by_last_event and prefix:
            raise invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        limit = params.get("limit") or DESCRIBE_LIMIT
        after = decode_token(params.get("nextToken"), "streams")
        rows = self.store.list_streams(group, prefix=prefix, by_last_event=by_last_event,
                                       descending=bool(params.get("descending")),
                                       after=tuple(after) if after is not None else None, limit=limit + 1)
        result: dict = {"logStreams": [self._stream_output(group, s) for s in rows[:limit]]}
        if len(rows) > limit:
            last = rows[limit - 1]
            key = [last.last_event_ms or 0, last.name] if by_last_event else [last.name]
            result["nextToken"] = encode_token("streams", key)
        return result

    def _stream_output(self, group: st.GroupRow, stream: st.StreamRow) -> dict:
        out = {"logStreamName": stream.name, "creationTime": stream.created_ms,
               "firstEventTimestamp": stream.first_event_ms, "lastEventTimestamp": stream.last_event_ms,
               "lastIngestionTime": stream.last_ingestion_ms,
               # AWS has no token for a stream nothing was ever put to.
               "uploadSequenceToken": sequence_token(stream.sequence) if stream.sequence else None,
               "arn": stream_arn(group.region, group.account, group.name, stream.name),
               # Deprecated by AWS, which reports 0 here; storedBytes of the group carries the size.
               "storedBytes": 0}
        return {k: v for k, v in out.items() if v is not None}

    # -- tags ---------------------------------------------------------------------------------------

    def _tagged_group(self, ctx: RequestContext, arn: str) -> tuple[str, str, str]:
        region, account, name = parse_group_arn(arn)
        if account != ctx.account_id:
            raise not_found(f"The specified resource does not exist: {arn}")
        return account, region, name

    def tag_resource(self, ctx: RequestContext, params: dict) -> dict:
        if parse_delivery_arn(params["resourceArn"]):
            self.delivery_tags(ctx, params["resourceArn"], add=params["tags"])
            return {}
        if parse_destination_arn(params["resourceArn"]):
            self.destination_tags(ctx, params["resourceArn"], add=params["tags"])
            return {}
        account, region, name = self._tagged_group(ctx, params["resourceArn"])
        self._update_tags(account, region, name, add=params["tags"])
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict) -> dict:
        if parse_delivery_arn(params["resourceArn"]):
            self.delivery_tags(ctx, params["resourceArn"], remove=params["tagKeys"])
            return {}
        if parse_destination_arn(params["resourceArn"]):
            self.destination_tags(ctx, params["resourceArn"], remove=params["tagKeys"])
            return {}
        account, region, name = self._tagged_group(ctx, params["resourceArn"])
        self._update_tags(account, region, name, remove=params["tagKeys"])
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict) -> dict:
        if parse_delivery_arn(params["resourceArn"]):
            return {"tags": self.delivery_tags(ctx, params["resourceArn"])}
        if parse_destination_arn(params["resourceArn"]):
            return {"tags": self.destination_tags(ctx, params["resourceArn"])}
        account, region, name = self._tagged_group(ctx, params["resourceArn"])
        with translated():
            return {"tags": self.store.get_group(account, region, name).tags}

    def tag_log_group(self, ctx: RequestContext, params: dict) -> dict:
        self._update_tags(ctx.account_id, ctx.region, params["logGroupName"], add=params["tags"])
        return {}

    def untag_log_group(self, ctx: RequestContext, params: dict) -> dict:
        self._update_tags(ctx.account_id, ctx.region, params["logGroupName"], remove=params["tags"])
        return {}

    def list_tags_log_group(self, ctx: RequestContext, params: dict) -> dict:
        return {"tags": self._group(ctx, params["logGroupName"]).tags}

    def _update_tags(self, account: str, region: str, name: str, *, add: Optional[dict] = None,
                     remove: tuple = ()) -> None:
        with translated():
            self.store.update_tags(account, region, name, add=add, remove=remove)


def sequence_token(sequence: int) -> str:
    return f"{sequence:056d}"


def _tag_matches(tags: dict[str, str], tag_filter: dict) -> bool:
    """ListLogGroups' TagFilter: the key is present and, when values are given, has one of them."""
    key, values = tag_filter.get("key"), tag_filter.get("values")
    return key in tags and (not values or tags[key] in values)
