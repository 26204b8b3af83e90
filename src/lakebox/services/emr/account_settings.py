"""What an account sets once per region: GetBlockPublicAccessConfiguration and
PutBlockPublicAccessConfiguration, and the security configurations (Create, Describe, List, Delete).

Block public access is EMR's account setting that refuses clusters whose security groups open ports
to the internet, except the permitted ranges. Until an account puts its own, EMR's default applies:
blocked, port 22 permitted. lakebox keeps the setting and reports it; no security group exists here
for it to judge. A security configuration is a named JSON document that clusters name in their
SecurityConfiguration; it is kept as given, byte for byte, and must be a JSON object.
"""

from __future__ import annotations

import json
from typing import Callable

from ...protocol.context import RequestContext
from .common import invalid_request, page
from .store import EmrStore

BLOCK_PUBLIC_ACCESS = "block-public-access"
MAX_PORT = 65535
#: EMR's setting for an account that never put one (CreationDateTime 0: it was never created).
DEFAULT_BLOCK_PUBLIC_ACCESS = {"BlockPublicSecurityGroupRules": True,
                               "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 22}]}


def _caller_arn(ctx: RequestContext) -> str:
    return f"arn:aws:iam::{ctx.account_id}:root"


def _check_ranges(ranges: list[dict]) -> list[dict]:
    checked = []
    for item in ranges:
        low, high = item["MinRange"], item.get("MaxRange", item["MinRange"])
        if not (0 <= low <= MAX_PORT and 0 <= high <= MAX_PORT):
            raise invalid_request(f"Port numbers must be between 0 and {MAX_PORT}.", "INVALID_PORT_RANGE")
        if low > high:
            raise invalid_request(f"The port range {low}-{high} is not valid: MinRange is greater than MaxRange.",
                                  "INVALID_PORT_RANGE")
        checked.append({"MinRange": low, "MaxRange": high})
    return checked


def _no_such_configuration(name: str):
    return invalid_request(f"Security configuration with name '{name}' does not exist.",
                           "SECURITY_CONFIGURATION_NOT_FOUND")


class AccountSettingsMixin:
    store: EmrStore
    now: Callable[[], float]

    def get_block_public_access_configuration(self, ctx: RequestContext, params: dict) -> dict:
        saved = self.store.setting(ctx.account_id, ctx.region, BLOCK_PUBLIC_ACCESS)
        if saved is None:
            return {"BlockPublicAccessConfiguration": DEFAULT_BLOCK_PUBLIC_ACCESS,
                    "BlockPublicAccessConfigurationMetadata": {"CreationDateTime": 0.0,
                                                               "CreatedByArn": _caller_arn(ctx)}}
        return saved

    def put_block_public_access_configuration(self, ctx: RequestContext, params: dict) -> dict:
        config = params["BlockPublicAccessConfiguration"]
        doc = {
            "BlockPublicAccessConfiguration": {
                "BlockPublicSecurityGroupRules": config["BlockPublicSecurityGroupRules"],
                "PermittedPublicSecurityGroupRuleRanges": _check_ranges(
                    config.get("PermittedPublicSecurityGroupRuleRanges") or []),
            },
            "BlockPublicAccessConfigurationMetadata": {"CreationDateTime": self.now(),
                                                       "CreatedByArn": _caller_arn(ctx)},
        }
        with self.store.write() as db:
            self.store.put_setting(db, ctx.account_id, ctx.region, BLOCK_PUBLIC_ACCESS, doc)
        return {}

    # -- security configurations ------------------------------------------------------------------------

    def create_security_configuration(self, ctx: RequestContext, params: dict) -> dict:
        name, body = params["Name"], params["SecurityConfiguration"]
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise invalid_request("The security configuration is not a valid JSON object.",
                                  "INVALID_SECURITY_CONFIGURATION")
        created = self.now()
        with self.store.write() as db:
            if not self.store.insert_security_configuration(db, ctx.account_id, ctx.region, name, created, body):
                raise invalid_request(f"SecurityConfiguration with name '{name}' already exists.",
                                      "SECURITY_CONFIGURATION_EXISTS")
        return {"Name": name, "CreationDateTime": created}

    def describe_security_configuration(self, ctx: RequestContext, params: dict) -> dict:
        found = next((c for c in self.store.security_configurations(ctx.account_id, ctx.region)
                      if c["Name"] == params["Name"]), None)
        if found is None:
            raise _no_such_configuration(params["Name"])
        return {"Name": found["Name"], "SecurityConfiguration": found["Body"], "CreationDateTime": found["Created"]}

    def list_security_configurations(self, ctx: RequestContext, params: dict) -> dict:
        items = [{"Id": c["Name"], "Created": c["Created"]}
                 for c in self.store.security_configurations(ctx.account_id, ctx.region)]
        chunk, marker = page(items, params.get("Marker"))
        return {"SecurityConfigurations": [{"Name": c["Id"], "CreationDateTime": c["Created"]} for c in chunk],
                "Marker": marker}

    def delete_security_configuration(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.write() as db:
            if not self.store.delete_security_configuration(db, ctx.account_id, ctx.region, params["Name"]):
                raise _no_such_configuration(params["Name"])
        return {}
