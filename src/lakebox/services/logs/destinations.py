"""Subscription destinations: PutDestination, DescribeDestinations, DeleteDestination, PutDestinationPolicy.

A destination is a named stand-in for a Kinesis stream or Firehose delivery stream (its target),
usually in another account: a log group's subscription filter names the destination's ARN
(`arn:aws:logs:<region>:<account>:destination:<name>`), and matching events go to the target, with
the control message first, as for a filter that names the stream itself. The access policy is kept
and shown, not enforced (lakebox authorizes by account). Destinations live in the logs store's
`destinations` table; their tags are reached through TagResource with the destination's ARN.
"""

from __future__ import annotations

import json
import re
from typing import Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import decode_token, encode_token, invalid, not_found

DESTINATION_ARN = re.compile(r"arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):destination:([^:*]{1,512})")
DESTINATION_MISSING = "The specified destination does not exist."
_TARGET_ARN = re.compile(r"arn:aws[a-z-]*:(kinesis|firehose):[a-z0-9-]+:\d{12}:(stream|deliverystream)/.+")
DESCRIBE_LIMIT = 50


def destination_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:logs:{region}:{account}:destination:{name}"


def parse_destination_arn(arn: str) -> Optional[tuple[str, str, str]]:
    """(region, account, name) of a destination ARN, or None for another ARN."""
    match = DESTINATION_ARN.fullmatch(arn)
    return match.groups() if match else None


class DestinationsMixin:
    def _destination_row(self, account: str, region: str, name: str):
        rows = self.store.read("SELECT * FROM destinations WHERE account = ? AND region = ? AND name = ?",
                               (account, region, name))
        return rows[0] if rows else None

    def destination_target(self, arn: str) -> Optional[str]:
        """The target ARN of the destination `arn` names, or None if there is no such destination."""
        parsed = parse_destination_arn(arn)
        row = self._destination_row(parsed[1], parsed[0], parsed[2]) if parsed else None
        return row["target_arn"] if row is not None else None

    @staticmethod
    def _destination_output(row) -> dict:
        out = {"destinationName": row["name"], "targetArn": row["target_arn"], "roleArn": row["role_arn"],
               "arn": destination_arn(row["region"], row["account"], row["name"]), "creationTime": row["created_ms"]}
        if row["access_policy"]:
            out["accessPolicy"] = row["access_policy"]
        return out

    def put_destination(self, ctx: RequestContext, params: dict) -> dict:
        name, target, role = params["destinationName"], params["targetArn"], params["roleArn"]
        if ":" in name or "*" in name:
            raise invalid(f"Invalid destinationName: {name}")
        if not _TARGET_ARN.fullmatch(target):
            raise invalid(f"Invalid targetArn: {target}")
        with self.store.write() as db:
            db.execute("INSERT INTO destinations (account, region, name, target_arn, role_arn, tags, created_ms) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, name) DO UPDATE SET "
                       "target_arn = excluded.target_arn, role_arn = excluded.role_arn",
                       (ctx.account_id, ctx.region, name, target, role, json.dumps(params.get("tags") or {}),
                        self._now_ms()))
        return {"destination": self._destination_output(self._destination_row(ctx.account_id, ctx.region, name))}

    def describe_destinations(self, ctx: RequestContext, params: dict) -> dict:
        limit = params.get("limit") or DESCRIBE_LIMIT
        after = decode_token(params.get("nextToken"), "destinations")
        prefix = params.get("DestinationNamePrefix") or ""
        rows = self.store.read("SELECT * FROM destinations WHERE account = ? AND region = ? AND name > ? "
                               "AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?",
                               (ctx.account_id, ctx.region, after or "", len(prefix), prefix, limit + 1))
        out: dict = {"destinations": [self._destination_output(r) for r in rows[:limit]]}
        if len(rows) > limit:
            out["nextToken"] = encode_token("destinations", rows[limit - 1]["name"])
        return out

    def delete_destination(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.write() as db:
            gone = db.execute("DELETE FROM destinations WHERE account = ? AND region = ? AND name = ?",
                              (ctx.account_id, ctx.region, params["destinationName"])).rowcount
        if not gone:
            raise not_found(DESTINATION_MISSING)
        return {}

    def put_destination_policy(self, ctx: RequestContext, params: dict) -> dict:
        try:
            json.loads(params["accessPolicy"])
        except ValueError:
            raise invalid("Invalid accessPolicy: it is not valid JSON.") from None
        with self.store.write() as db:
            changed = db.execute("UPDATE destinations SET access_policy = ? WHERE account = ? AND region = ? AND "
                                 "name = ?", (params["accessPolicy"], ctx.account_id, ctx.region,
                                              params["destinationName"])).rowcount
        if not changed:
            raise not_found(DESTINATION_MISSING)
        return {}

    # -- tags, for TagResource / UntagResource / ListTagsForResource ---------------------------------

    def destination_tags(self, ctx: RequestContext, arn: str, *, add: Optional[dict] = None,
                         remove: tuple = ()) -> dict:
        """The destination's tags after adding `add` and removing `remove` (written through)."""
        parsed = parse_destination_arn(arn)
        if parsed is None or parsed[1] != ctx.account_id:
            raise not_found(f"The specified resource does not exist: {arn}")
        region, account, name = parsed
        with self.store.write() as db:
            row = db.execute("SELECT tags FROM destinations WHERE account = ? AND region = ? AND name = ?",
                             (account, region, name)).fetchone()
            if row is None:
                raise AwsError("ResourceNotFoundException", DESTINATION_MISSING, 400)
            tags = {**json.loads(row[0]), **(add or {})}
            for key in remove:
                tags.pop(key, None)
            db.execute("UPDATE destinations SET tags = ? WHERE account = ? AND region = ? AND name = ?",
                       (json.dumps(tags), account, region, name))
        return tags
