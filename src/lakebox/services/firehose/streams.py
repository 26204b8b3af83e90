"""Delivery stream operations: create, describe, list, update, delete, tags and encryption."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...protocol.validation import describe_value, validation_error
from . import destination as dest
from . import http_destination, iceberg_destination, redshift_destination
from .model import DESTINATION_ID, DIRECT_PUT, KINESIS_SOURCE, DeliveryStream
from .store import StreamExists, StreamGone
from .tag_checks import check_tag_keys, check_tags

log = logging.getLogger("lakebox.firehose")
MAX_TAGS = 50
KINESIS_ARN = "arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\\d{12}):stream/([a-zA-Z0-9_.-]+)"
#: The model's pattern for DeliveryStreamName, which the generic validation leaves to the service:
#: the name becomes part of every delivered object's key.
STREAM_NAME = re.compile(r"[a-zA-Z0-9_.-]+")


def not_found(name: str, account: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Firehose {name} under account {account} not found.", 400)


def timestamp(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)


def _destination_output(stream: DeliveryStream) -> dict:
    shown = dest.describe(stream.destination)
    if stream.redshift is not None:
        return {"DestinationId": shown["DestinationId"],
                "RedshiftDestinationDescription": {**redshift_destination.shown(stream.redshift),
                                                   "S3DestinationDescription": shown["S3DestinationDescription"]}}
    if stream.http is not None:
        return {"DestinationId": shown["DestinationId"],
                "HttpEndpointDestinationDescription": {**http_destination.shown(stream.http),
                                                       "S3DestinationDescription": shown["S3DestinationDescription"]}}
    if stream.iceberg is None:
        return shown
    return {"DestinationId": shown["DestinationId"],
            "IcebergDestinationDescription": {**stream.iceberg,
                                              "S3DestinationDescription": shown["S3DestinationDescription"]}}


#: How an UpdateDestination member's nested members are named in the CreateDeliveryStream member
#: that it stands for when it replaces a destination of another type.
UPDATE_TO_CONFIGURATION = {"S3Update": "S3Configuration", "S3BackupUpdate": "S3BackupConfiguration"}


def _as_configuration_name(update_name: str) -> str:
    """`RedshiftDestinationUpdate` -> `RedshiftDestinationConfiguration` (every destination is so named)."""
    return update_name.replace("DestinationUpdate", "DestinationConfiguration")


def _destination_type(update_name: str) -> str:
    """The destination type an UpdateDestination member updates: S3 and ExtendedS3 are one type."""
    return "ExtendedS3" if update_name == "S3DestinationUpdate" else update_name.replace("DestinationUpdate", "")


def _current_update_name(stream: DeliveryStream) -> str:
    return ("IcebergDestinationUpdate" if stream.iceberg is not None else
            "RedshiftDestinationUpdate" if stream.redshift is not None else
            "HttpEndpointDestinationUpdate" if stream.http is not None else "ExtendedS3DestinationUpdate")


def _destinations_from(params: dict) -> tuple[dict, Optional[dict], Optional[dict], Optional[dict]]:
    """A CreateDeliveryStream destination as a stream keeps it: its S3 description (the S3
    destination, or the S3Configuration of another) and the Iceberg, Redshift or HTTP description."""
    description = dest.from_create(params)
    iceberg = redshift = http = None
    if params.get("IcebergDestinationConfiguration") is not None:
        iceberg = iceberg_destination.from_create(params["IcebergDestinationConfiguration"])
    if params.get("RedshiftDestinationConfiguration") is not None:
        redshift = redshift_destination.from_create(params["RedshiftDestinationConfiguration"])
    if params.get("HttpEndpointDestinationConfiguration") is not None:
        http = http_destination.from_create(params["HttpEndpointDestinationConfiguration"])
    return description, iceberg, redshift, http


def _check_version(stream: DeliveryStream, given_version: str) -> None:
    if given_version != str(stream.version):
        raise AwsError("ConcurrentModificationException",
                       f"Cannot update firehose: {stream.name} since the current version id: {stream.version} and "
                       f"specified version id: {given_version} do not match", 400)


class StreamsMixin:
    def stream_from(self, ctx: RequestContext, params: dict) -> DeliveryStream:
        name = params["DeliveryStreamName"]
        stream = self.store.find(ctx.account_id, ctx.region, name)
        if stream is None:
            raise not_found(name, ctx.account_id)
        return stream

    def create_delivery_stream(self, ctx: RequestContext, params: dict) -> dict:
        name = params["DeliveryStreamName"]
        if not STREAM_NAME.fullmatch(name):
            raise validation_error("firehose", [
                f"Value {describe_value(name)} at 'deliveryStreamName' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {STREAM_NAME.pattern}"])
        problems = dest.bucket_arn_problems(params)
        if problems:
            raise validation_error("firehose", problems)
        check_tags(params.get("Tags") or [])
        kind = params.get("DeliveryStreamType") or DIRECT_PUT
        if kind not in (DIRECT_PUT, KINESIS_SOURCE):
            raise dest.invalid(f"lakebox supports the DirectPut and KinesisStreamAsSource types; {kind} is not "
                               "supported.")
        source_config = params.get("KinesisStreamSourceConfiguration")
        if kind == KINESIS_SOURCE and not source_config:
            raise dest.invalid("KinesisStreamSourceConfiguration is required for the KinesisStreamAsSource type.")
        if kind == DIRECT_PUT and source_config:
            raise dest.invalid("KinesisStreamSourceConfiguration is only allowed for the KinesisStreamAsSource type.")
        if kind != DIRECT_PUT and params.get("DirectPutSourceConfiguration"):
            raise dest.invalid("DirectPutSourceConfiguration is only allowed for the DirectPut type.")
        description, iceberg, redshift, http = _destinations_from(params)
        tags = params.get("Tags") or []
        if len(tags) > MAX_TAGS:
            raise AwsError("LimitExceededException", f"A delivery stream cannot have more than {MAX_TAGS} tags.", 400)
        encryption = self._encryption_from(params.get("DeliveryStreamEncryptionConfigurationInput"), kind)
        now = self.now_ms()
        source, progress = None, {"buffer": 0}
        if kind == KINESIS_SOURCE:
            arn = source_config.get("KinesisStreamARN") or ""
            match = re.fullmatch(KINESIS_ARN, arn)
            kstream = self.kinesis.store.find(match.group(2), match.group(1), match.group(3)) \
                if match and self.kinesis is not None else None
            if kstream is None:
                raise dest.invalid(f"The Kinesis stream {arn} does not exist.")
            # Firehose starts reading a Kinesis stream at its LATEST position.
            progress = {f"shard-{s.number}": self.kinesis.store.log(kstream, s).end_offset for s in kstream.shards}
            source = {"KinesisStreamARN": arn, "RoleARN": source_config.get("RoleARN"),
                      "DeliveryStartTimestamp": now}
        stream = DeliveryStream(id=0, account=ctx.account_id, region=ctx.region, name=name, type=kind,
                                created_ms=now, destination=description, source=source, iceberg=iceberg, redshift=redshift,
                                http=http, direct_put=params.get("DirectPutSourceConfiguration"),
                                tags=[{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags],
                                encryption=encryption)
        try:
            stream = self.store.create(stream, progress)
        except StreamExists:
            raise AwsError("ResourceInUseException",
                           f"Firehose {name} under accountId {ctx.account_id} already exists", 400) from None
        target = http["EndpointConfiguration"]["Url"] if http is not None else description["BucketARN"]
        log.info("firehose %s created (%s, to %s)", name, kind, target)
        return {"DeliveryStreamARN": stream.arn}

    @staticmethod
    def _encryption_from(given, kind: str):
        if not given:
            return None
        if kind == KINESIS_SOURCE:
            raise dest.invalid("Server-side encryption cannot be enabled on a delivery stream whose source is a "
                               "Kinesis stream; encrypt the Kinesis stream instead.")
        key_type = given.get("KeyType")
        if key_type == "CUSTOMER_MANAGED_CMK" and not given.get("KeyARN"):
            raise dest.invalid("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK.")
        if key_type == "AWS_OWNED_CMK" and given.get("KeyARN"):
            raise dest.invalid("KeyARN must not be specified when KeyType is AWS_OWNED_CMK.")
        out = {"KeyType": key_type, "Status": "ENABLED"}
        if given.get("KeyARN"):
            out["KeyARN"] = given["KeyARN"]
        return out

    def describe_delivery_stream(self, ctx: RequestContext, params: dict) -> dict:
        stream = self.stream_from(ctx, params)
        out = {
            "DeliveryStreamName": stream.name,
            "DeliveryStreamARN": stream.arn,
            "DeliveryStreamStatus": stream.status,
            "DeliveryStreamType": stream.type,
            "VersionId": str(stream.version),
            "CreateTimestamp": timestamp(stream.created_ms),
            "Destinations": [_destination_output(stream)],
            "HasMoreDestinations": False,
        }
        if stream.type != KINESIS_SOURCE:
            # A stream reading a Kinesis stream cannot be encrypted by Firehose (the source is), and AWS
            # leaves the member out of its description rather than answering DISABLED.
            out["DeliveryStreamEncryptionConfiguration"] = stream.encryption or {"Status": "DISABLED"}
        if stream.updated_ms is not None:
            out["LastUpdateTimestamp"] = timestamp(stream.updated_ms)
        if stream.source is not None:
            out["Source"] = {"KinesisStreamSourceDescription": {
                **stream.source, "DeliveryStartTimestamp": timestamp(stream.source["DeliveryStartTimestamp"])}}
        elif stream.direct_put is not None:
            out["Source"] = {"DirectPutSourceDescription": stream.direct_put}
        return {"DeliveryStreamDescription": out}

    def list_delivery_streams(self, ctx: RequestContext, params: dict) -> dict:
        limit = params.get("Limit") or 10
        kind = params.get("DeliveryStreamType")
        after = params.get("ExclusiveStartDeliveryStreamName")
        names = [s.name for s in self.store.streams(ctx.account_id, ctx.region)
                 if (kind is None or s.type == kind) and (after is None or s.name > after)]
        return {"DeliveryStreamNames": names[:limit], "HasMoreDeliveryStreams": len(names) > limit}

    def delete_delivery_stream(self, ctx: RequestContext, params: dict) -> dict:
        stream = self.stream_from(ctx, params)
        self.store.delete(stream)
        log.info("firehose %s deleted", stream.name)
        return {}

    def update_destination(self, ctx: RequestContext, params: dict) -> dict:
        problems = dest.bucket_arn_problems(params)
        if problems:
            raise validation_error("firehose", problems)
        stream = self.stream_from(ctx, params)
        given_version = params["CurrentDeliveryStreamVersionId"]
        if params["DestinationId"] != DESTINATION_ID:
            raise dest.invalid(f"Destination Id {params['DestinationId']} not found.")
        # ExtendedS3DestinationUpdate first: given with S3DestinationUpdate, it is the one that counts.
        given = sorted((k for k in params if k.endswith("DestinationUpdate") and params[k] is not None),
                       key=lambda k: k != "ExtendedS3DestinationUpdate")
        if len({_destination_type(k) for k in given}) > 1:
            raise dest.invalid("Only one destination type can be given in an UpdateDestination request.")
        if given and _destination_type(given[0]) != _destination_type(_current_update_name(stream)):
            return self._replace_destination(stream, given_version, given[0], params[given[0]])
        redshift_update = params.get("RedshiftDestinationUpdate") or {}
        update = params.get("ExtendedS3DestinationUpdate") or params.get("S3DestinationUpdate") or {}
        iceberg_update = params.get("IcebergDestinationUpdate") or {}
        http_update = params.get("HttpEndpointDestinationUpdate") or {}

        def change(s: DeliveryStream) -> None:
            _check_version(s, given_version)
            if s.iceberg is not None:
                s.iceberg = iceberg_destination.apply_update(s.iceberg, iceberg_update)
                if iceberg_update.get("S3Configuration"):
                    s.destination = dest.apply_update(s.destination, iceberg_update["S3Configuration"])
            elif s.http is not None:
                s.http = http_destination.apply_update(s.http, http_update)
                if http_update.get("S3Update"):
                    s.destination = dest.apply_update(s.destination, http_update["S3Update"])
            elif s.redshift is not None:
                s.redshift = redshift_destination.apply_update(s.redshift, redshift_update)
                if redshift_update.get("S3Update"):
                    s.destination = dest.apply_update(s.destination, redshift_update["S3Update"])
            else:
                s.destination = dest.apply_update(s.destination, update)
            s.version += 1
            s.updated_ms = self.now_ms()

        self._update(stream, change)
        return {}

    def _replace_destination(self, stream: DeliveryStream, given_version: str, name: str, update: dict) -> dict:
        """UpdateDestination to another destination type: nothing is merged, so the update must hold
        everything its destination's CreateDeliveryStream configuration requires."""
        description, iceberg, redshift, http = _destinations_from({_as_configuration_name(name): {
            UPDATE_TO_CONFIGURATION.get(k, k): v for k, v in update.items()}})

        def change(s: DeliveryStream) -> None:
            _check_version(s, given_version)
            s.destination, s.iceberg, s.redshift, s.http = description, iceberg, redshift, http
            s.version += 1
            s.updated_ms = self.now_ms()

        self._update(stream, change)
        log.info("firehose %s: destination replaced by %s", stream.name, name)
        return {}

    def _update(self, stream: DeliveryStream, change) -> DeliveryStream:
        try:
            return self.store.update(stream, change)
        except StreamGone:
            raise not_found(stream.name, stream.account) from None

    # -- tags ---------------------------------------------------------------------------------------

    def tag_delivery_stream(self, ctx: RequestContext, params: dict) -> dict:
        check_tags(params["Tags"])
        stream = self.stream_from(ctx, params)

        def change(s: DeliveryStream) -> None:
            tags = {t["Key"]: t.get("Value", "") for t in s.tags}
            for tag in params["Tags"]:
                tags[tag["Key"]] = tag.get("Value", "")
            if len(tags) > MAX_TAGS:
                raise AwsError("LimitExceededException",
                               f"A delivery stream cannot have more than {MAX_TAGS} tags.", 400)
            s.tags = [{"Key": k, "Value": v} for k, v in tags.items()]

        self._update(stream, change)
        return {}

    def untag_delivery_stream(self, ctx: RequestContext, params: dict) -> dict:
        check_tag_keys(params["TagKeys"])
        stream = self.stream_from(ctx, params)
        gone = set(params["TagKeys"])
        self._update(stream, lambda s: setattr(s, "tags", [t for t in s.tags if t["Key"] not in gone]))
        return {}

    def list_tags_for_delivery_stream(self, ctx: RequestContext, params: dict) -> dict:
        stream = self.stream_from(ctx, params)
        limit = params.get("Limit") or 50
        after = params.get("ExclusiveStartTagKey")
        tags = sorted(stream.tags, key=lambda t: t["Key"])
        if after is not None:
            tags = [t for t in tags if t["Key"] > after]
        return {"Tags": tags[:limit], "HasMoreTags": len(tags) > limit}

    # -- encryption ---------------------------------------------------------------------------------

    def start_delivery_stream_encryption(self, ctx: RequestContext, params: dict) -> dict:
        stream = self.stream_from(ctx, params)
        given = params.get("DeliveryStreamEncryptionConfigurationInput") or {"KeyType": "AWS_OWNED_CMK"}
        encryption = self._encryption_from(given, stream.type)
        self._update(stream, lambda s: setattr(s, "encryption", encryption))
        return {}

    def stop_delivery_stream_encryption(self, ctx: RequestContext, params: dict) -> dict:
        stream = self.stream_from(ctx, params)
        if stream.type == KINESIS_SOURCE:
            self._encryption_from({"KeyType": "AWS_OWNED_CMK"}, stream.type)
        self._update(stream, lambda s: setattr(s, "encryption", {"Status": "DISABLED"}))
        return {}
