"""Vended-log deliveries: delivery sources, delivery destinations (with their policies) and the
deliveries that join a source to a destination. PutDeliverySource, PutDeliveryDestination,
CreateDelivery and UpdateDeliveryConfiguration, with their Get, Describe and Delete operations, and
Put/Get/DeleteDeliveryDestinationPolicy.

Why configuration only: on AWS a delivery makes a service such as CloudFront or Bedrock send its logs
to S3, a log group or Firehose. lakebox serves none of those source services, so nothing is ever
sent. The configuration is kept and answered as AWS answers it, so that code which sets deliveries
up runs unchanged. All three kinds of resource live in one table of their own database
(delivery_store.py); Describe* list in creation order.

As AWS answered (recorded 2026):
- a source's `service` is its resource ARN's service, and only the services in
  `delivery_catalog.SOURCE_SERVICES` are accepted ("Cannot access provided service.");
- a destination's type follows from its resource ARN (S3, CWL for a log group, FH for Firehose), and
  `outputFormat` is shown only when it was given. A format outside the enum is refused with the
  model's enum message, as a ValidationException;
- PutDeliverySource and CreateDelivery answer with the tags given, PutDeliveryDestination without
  them, and no Get or Describe shows tags (ListTagsForResource does);
- CreateDelivery fills in the record fields and S3 delivery configuration a request leaves out from
  `delivery_catalog.DEFAULTS`;
- missing resources are "Requested Delivery Source|Destination| does not exist in this account.".
The ConflictException messages (a resource still in use, a pair delivered twice) are lakebox's own
words: no recording of them was available.
"""

from __future__ import annotations

import json
import re
import secrets
import string
from typing import Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import decode_token, encode_token, not_found
from .delivery_catalog import DEFAULTS, DESTINATION_TYPES, OUTPUT_FORMATS, SOURCE_SERVICES
from .delivery_store import DeliveryStore

DESCRIBE_LIMIT = 50
SOURCE_MISSING = "Requested Delivery Source does not exist in this account."
DESTINATION_MISSING = "Requested Delivery Destination does not exist in this account."
DELIVERY_MISSING = "Requested Delivery does not exist in this account."
_MISSING = {"source": SOURCE_MISSING, "destination": DESTINATION_MISSING, "delivery": DELIVERY_MISSING}
#: The ARN resource type of each kind, as in arn:aws:logs:<region>:<account>:delivery-source:<name>.
_ARN_TYPES = {"source": "delivery-source", "destination": "delivery-destination", "delivery": "delivery"}
_KIND_OF_ARN_TYPE = {arn_type: kind for kind, arn_type in _ARN_TYPES.items()}
DELIVERY_ARN = re.compile(r"arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):(delivery-source|delivery-destination|delivery)"
                          r":([\w-]+)")
_ID_ALPHABET = string.ascii_letters + string.digits


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


def conflict(message: str) -> AwsError:
    return AwsError("ConflictException", message, 400)


def parse_delivery_arn(arn: str) -> Optional[tuple[str, str, str, str]]:
    """(region, account, kind, name) of a delivery source, destination or delivery ARN, else None."""
    match = DELIVERY_ARN.fullmatch(arn)
    if match is None:
        return None
    region, account, arn_type, name = match.groups()
    return region, account, _KIND_OF_ARN_TYPE[arn_type], name


class DeliveriesMixin:
    delivery_store: DeliveryStore

    # -- rows ---------------------------------------------------------------------------------------

    def _delivery_resource(self, account: str, region: str, kind: str, name: str):
        rows = self.delivery_store.read("SELECT * FROM delivery_resources WHERE account = ? AND region = ? "
                                        "AND kind = ? AND name = ?", (account, region, kind, name))
        return rows[0] if rows else None

    def _required_resource(self, ctx: RequestContext, kind: str, name: str):
        row = self._delivery_resource(ctx.account_id, ctx.region, kind, name)
        if row is None:
            raise not_found(_MISSING[kind])
        return row

    def _save_resource(self, ctx: RequestContext, kind: str, name: str, body: dict, tags: Optional[dict]) -> None:
        """Create the resource, or replace its body (keeping its tags, policy and place in lists)."""
        with self.delivery_store.write() as db:
            db.execute("INSERT INTO delivery_resources (account, region, kind, name, body, tags) "
                       "VALUES (?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT (account, region, kind, name) DO UPDATE SET body = excluded.body",
                       (ctx.account_id, ctx.region, kind, name, json.dumps(body), json.dumps(tags or {})))

    def _describe_resources(self, ctx: RequestContext, params: dict, kind: str, member: str) -> dict:
        limit = params.get("limit") or DESCRIBE_LIMIT
        after = decode_token(params.get("nextToken"), f"delivery-{kind}") or 0
        rows = self.delivery_store.read("SELECT * FROM delivery_resources WHERE account = ? AND region = ? "
                                        "AND kind = ? AND id > ? ORDER BY id LIMIT ?",
                                        (ctx.account_id, ctx.region, kind, after, limit + 1))
        out: dict = {member: [json.loads(r["body"]) for r in rows[:limit]]}
        if len(rows) > limit:
            out["nextToken"] = encode_token(f"delivery-{kind}", rows[limit - 1]["id"])
        return out

    def _delete_resource(self, ctx: RequestContext, kind: str, name: str, *, in_use: str,
                         in_use_message: str) -> None:
        """Delete a source or destination, refused while a delivery names it (`in_use` is the
        delivery body's member that would)."""
        with self.delivery_store.write() as db:
            if db.execute("SELECT 1 FROM delivery_resources WHERE account = ? AND region = ? AND kind = ? "
                          "AND name = ?", (ctx.account_id, ctx.region, kind, name)).fetchone() is None:
                raise not_found(_MISSING[kind])
            value = name if kind == "source" else _arn(ctx, kind, name)
            used = db.execute("SELECT 1 FROM delivery_resources WHERE account = ? AND region = ? "
                              f"AND kind = 'delivery' AND json_extract(body, '$.{in_use}') = ?",
                              (ctx.account_id, ctx.region, value)).fetchone()
            if used is not None:
                raise conflict(in_use_message)
            db.execute("DELETE FROM delivery_resources WHERE account = ? AND region = ? AND kind = ? AND name = ?",
                       (ctx.account_id, ctx.region, kind, name))

    # -- delivery destinations ----------------------------------------------------------------------

    def put_delivery_destination(self, ctx: RequestContext, params: dict) -> dict:
        name, output_format = params["name"], params.get("outputFormat")
        if output_format is not None and output_format not in OUTPUT_FORMATS:
            raise validation(f"1 validation error detected: Value '{output_format}' at 'outputFormat' failed to "
                             f"satisfy constraint: Member must satisfy enum value set: [{', '.join(OUTPUT_FORMATS)}]")
        configuration = params.get("deliveryDestinationConfiguration")
        body = {"name": name, "arn": _arn(ctx, "destination", name),
                "deliveryDestinationType": _destination_type(params.get("deliveryDestinationType"), configuration)}
        if output_format is not None:
            body["outputFormat"] = output_format
        if configuration:
            body["deliveryDestinationConfiguration"] = configuration
        self._save_resource(ctx, "destination", name, body, params.get("tags"))
        return {"deliveryDestination": body}

    def get_delivery_destination(self, ctx: RequestContext, params: dict) -> dict:
        row = self._required_resource(ctx, "destination", params["name"])
        return {"deliveryDestination": json.loads(row["body"])}

    def describe_delivery_destinations(self, ctx: RequestContext, params: dict) -> dict:
        return self._describe_resources(ctx, params, "destination", "deliveryDestinations")

    def delete_delivery_destination(self, ctx: RequestContext, params: dict) -> dict:
        self._delete_resource(ctx, "destination", params["name"], in_use="deliveryDestinationArn",
                              in_use_message="The delivery destination is in use by a delivery; "
                                             "delete the delivery first.")
        return {}

    def put_delivery_destination_policy(self, ctx: RequestContext, params: dict) -> dict:
        name, policy = params["deliveryDestinationName"], params["deliveryDestinationPolicy"]
        try:
            json.loads(policy)
        except ValueError:
            raise validation("The delivery destination policy is not valid JSON.") from None
        with self.delivery_store.write() as db:
            changed = db.execute("UPDATE delivery_resources SET policy = ? WHERE account = ? AND region = ? AND "
                                 "kind = 'destination' AND name = ?",
                                 (policy, ctx.account_id, ctx.region, name)).rowcount
        if not changed:
            raise not_found(DESTINATION_MISSING)
        return {"policy": {"deliveryDestinationPolicy": policy}}

    def get_delivery_destination_policy(self, ctx: RequestContext, params: dict) -> dict:
        row = self._required_resource(ctx, "destination", params["deliveryDestinationName"])
        return {"policy": {"deliveryDestinationPolicy": row["policy"]} if row["policy"] is not None else {}}

    def delete_delivery_destination_policy(self, ctx: RequestContext, params: dict) -> dict:
        with self.delivery_store.write() as db:
            changed = db.execute("UPDATE delivery_resources SET policy = NULL WHERE account = ? AND region = ? AND "
                                 "kind = 'destination' AND name = ?",
                                 (ctx.account_id, ctx.region, params["deliveryDestinationName"])).rowcount
        if not changed:
            raise not_found(DESTINATION_MISSING)
        return {}

    # -- delivery sources ---------------------------------------------------------------------------

    def put_delivery_source(self, ctx: RequestContext, params: dict) -> dict:
        name, resource_arn = params["name"], params["resourceArn"]
        parts = resource_arn.split(":", 5)
        service = parts[2] if len(parts) == 6 and parts[0] == "arn" else ""
        if service not in SOURCE_SERVICES:
            raise not_found("Cannot access provided service.")
        body = {"name": name, "arn": _arn(ctx, "source", name), "resourceArns": [resource_arn], "service": service,
                "logType": params["logType"]}
        if params.get("deliverySourceConfiguration"):
            body["deliverySourceConfiguration"] = params["deliverySourceConfiguration"]
        self._save_resource(ctx, "source", name, body, params.get("tags"))
        return {"deliverySource": {**body, **({"tags": params["tags"]} if params.get("tags") else {})}}

    def get_delivery_source(self, ctx: RequestContext, params: dict) -> dict:
        return {"deliverySource": json.loads(self._required_resource(ctx, "source", params["name"])["body"])}

    def describe_delivery_sources(self, ctx: RequestContext, params: dict) -> dict:
        return self._describe_resources(ctx, params, "source", "deliverySources")

    def delete_delivery_source(self, ctx: RequestContext, params: dict) -> dict:
        self._delete_resource(ctx, "source", params["name"], in_use="deliverySourceName",
                              in_use_message="The delivery source is in use by a delivery; delete the delivery first.")
        return {}

    # -- deliveries ---------------------------------------------------------------------------------

    def create_delivery(self, ctx: RequestContext, params: dict) -> dict:
        source = json.loads(self._required_resource(ctx, "source", params["deliverySourceName"])["body"])
        destination_arn = params["deliveryDestinationArn"]
        parsed = parse_delivery_arn(destination_arn)
        row = None
        if parsed is not None and parsed[2] == "destination":
            row = self._delivery_resource(parsed[1], parsed[0], "destination", parsed[3])
        if row is None:
            raise not_found(DESTINATION_MISSING)
        destination = json.loads(row["body"])
        delivery_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))
        body = {"id": delivery_id, "arn": _arn(ctx, "delivery", delivery_id), "deliverySourceName": source["name"],
                "deliveryDestinationArn": destination_arn,
                "deliveryDestinationType": destination["deliveryDestinationType"]}
        defaults = DEFAULTS.get((source["service"], source["logType"]), {})
        record_fields = params.get("recordFields") or defaults.get("recordFields")
        if record_fields:
            body["recordFields"] = record_fields
        if params.get("fieldDelimiter") is not None:
            body["fieldDelimiter"] = params["fieldDelimiter"]
        if destination["deliveryDestinationType"] == "S3":
            s3 = {**defaults.get("s3DeliveryConfiguration", {}), **(params.get("s3DeliveryConfiguration") or {})}
            if s3:
                body["s3DeliveryConfiguration"] = {"enableHiveCompatiblePath": False, **s3}
        with self.delivery_store.write() as db:
            twin = db.execute("SELECT 1 FROM delivery_resources WHERE account = ? AND region = ? "
                              "AND kind = 'delivery' AND json_extract(body, '$.deliverySourceName') = ? "
                              "AND json_extract(body, '$.deliveryDestinationArn') = ?",
                              (ctx.account_id, ctx.region, source["name"], destination_arn)).fetchone()
            if twin is not None:
                raise conflict("A delivery from this delivery source to this delivery destination already exists.")
            db.execute("INSERT INTO delivery_resources (account, region, kind, name, body, tags) "
                       "VALUES (?, ?, 'delivery', ?, ?, ?)",
                       (ctx.account_id, ctx.region, delivery_id, json.dumps(body),
                        json.dumps(params.get("tags") or {})))
        return {"delivery": {**body, **({"tags": params["tags"]} if params.get("tags") else {})}}

    def get_delivery(self, ctx: RequestContext, params: dict) -> dict:
        return {"delivery": json.loads(self._required_resource(ctx, "delivery", params["id"])["body"])}

    def describe_deliveries(self, ctx: RequestContext, params: dict) -> dict:
        return self._describe_resources(ctx, params, "delivery", "deliveries")

    def update_delivery_configuration(self, ctx: RequestContext, params: dict) -> dict:
        body = json.loads(self._required_resource(ctx, "delivery", params["id"])["body"])
        for member in ("recordFields", "fieldDelimiter"):
            if params.get(member) is not None:
                body[member] = params[member]
        if params.get("s3DeliveryConfiguration"):
            if body["deliveryDestinationType"] != "S3":
                raise validation("s3DeliveryConfiguration applies only to a delivery to an S3 delivery destination.")
            body["s3DeliveryConfiguration"] = {**body.get("s3DeliveryConfiguration", {}),
                                               **params["s3DeliveryConfiguration"]}
        self._save_resource(ctx, "delivery", params["id"], body, None)
        return {}

    def delete_delivery(self, ctx: RequestContext, params: dict) -> dict:
        with self.delivery_store.write() as db:
            gone = db.execute("DELETE FROM delivery_resources WHERE account = ? AND region = ? AND kind = 'delivery' "
                              "AND name = ?", (ctx.account_id, ctx.region, params["id"])).rowcount
        if not gone:
            raise not_found(DELIVERY_MISSING)
        return {}

    # -- tags, for TagResource / UntagResource / ListTagsForResource ---------------------------------

    def delivery_tags(self, ctx: RequestContext, arn: str, *, add: Optional[dict] = None,
                      remove: tuple = ()) -> dict:
        """The tags of the source, destination or delivery `arn` names after adding `add` and removing
        `remove` (written through)."""
        region, account, kind, name = parse_delivery_arn(arn)
        with self.delivery_store.write() as db:
            row = db.execute("SELECT tags FROM delivery_resources WHERE account = ? AND region = ? AND kind = ? "
                             "AND name = ?", (account, region, kind, name)).fetchone()
            if row is None or account != ctx.account_id:
                raise not_found(_MISSING[kind])
            tags = {**json.loads(row[0]), **(add or {})}
            for key in remove:
                tags.pop(key, None)
            db.execute("UPDATE delivery_resources SET tags = ? WHERE account = ? AND region = ? AND kind = ? "
                       "AND name = ?", (json.dumps(tags), account, region, kind, name))
        return tags


def _arn(ctx: RequestContext, kind: str, name: str) -> str:
    return f"arn:aws:logs:{ctx.region}:{ctx.account_id}:{_ARN_TYPES[kind]}:{name}"


def _destination_type(given: Optional[str], configuration: Optional[dict]) -> str:
    """The destination's type: its resource ARN's, or XRAY (which names no resource)."""
    resource_arn = (configuration or {}).get("destinationResourceArn")
    if not resource_arn:
        if given == "XRAY":
            return given
        raise validation("deliveryDestinationConfiguration is required for a delivery destination of this type.")
    parts = resource_arn.split(":", 5)
    derived = DESTINATION_TYPES.get(parts[2]) if len(parts) == 6 and parts[0] == "arn" else None
    if derived is None or (given is not None and given != derived):
        raise validation(f"Invalid destinationResourceArn: {resource_arn}")
    return derived
