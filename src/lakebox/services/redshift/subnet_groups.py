"""Cluster subnet groups: CreateClusterSubnetGroup, DescribeClusterSubnetGroups, ModifyClusterSubnetGroup
and DeleteClusterSubnetGroup.

lakebox has no EC2 and no VPC: a subnet id is recorded as given once it has the form of one
(`subnet-` and 8 or 17 hex digits); nothing checks that such a subnet exists. The output's VpcId is a
stable made-up id (`vpc-` and 17 hex digits derived from the account and region), because AWS shows
the VPC of the group's subnets; each subnet's availability zone is likewise one of `<region>a..c`
picked from its id. Nothing is routed through any of it: clusters listen on the one host.

CreateCluster stays lenient about ClusterSubnetGroupName: AWS refuses a group that does not exist
(ClusterSubnetGroupNotFoundFault), but the guide's create_cluster names `my-subnet-group` without
making it (tests/guide/FIXES.md lists it as setup the guide leaves implicit), so the name is recorded
as given. A group a cluster names cannot be deleted, as on AWS.
"""

from __future__ import annotations

import hashlib
import re

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError

_SUBNET_ID = re.compile(r"subnet-([0-9a-f]{8}|[0-9a-f]{17})")
_NAME = re.compile(r"[a-z0-9-]{1,255}")
#: Subnets a group may hold, and groups an account may have (AWS's quotas).
MAX_SUBNETS = 20
MAX_GROUPS = 20


def not_found(name: str) -> AwsError:
    return AwsError("ClusterSubnetGroupNotFoundFault", f"Cluster subnet group {name} not found.", 400)


def fake_vpc_id(account: str, region: str) -> str:
    return "vpc-" + hashlib.sha256(f"{account}/{region}".encode()).hexdigest()[:17]


def _subnets(region: str, subnet_ids: list) -> list[dict]:
    if not subnet_ids:
        raise AwsError("InvalidParameterValue", "The parameter SubnetIds must contain at least one subnet.", 400)
    if len(set(subnet_ids)) > MAX_SUBNETS:
        raise AwsError("ClusterSubnetQuotaExceededFault", f"A cluster subnet group can have at most {MAX_SUBNETS} "
                                                          "subnets.", 400)
    out = []
    for subnet in dict.fromkeys(subnet_ids):
        if not _SUBNET_ID.fullmatch(subnet):
            raise AwsError("InvalidSubnet", f"The subnet identifier {subnet} is not valid.", 400)
        zone = "abc"[int(hashlib.sha256(subnet.encode()).hexdigest(), 16) % 3]
        out.append({"SubnetIdentifier": subnet, "SubnetAvailabilityZone": {"Name": f"{region}{zone}"},
                    "SubnetStatus": "Active"})
    return out


class SubnetGroupsMixin:
    """Needs the provider's store."""

    def _subnet_group(self, ctx: RequestContext, name: str) -> dict:
        doc = self.store.subnet_groups.get(ctx.account_id, (name or "").lower())
        if doc is None or doc["Region"] != ctx.region:
            raise not_found(name)
        return doc

    @staticmethod
    def _subnet_group_output(doc: dict) -> dict:
        return {k: v for k, v in doc.items() if k != "Region"}

    def create_cluster_subnet_group(self, ctx: RequestContext, params: dict) -> dict:
        name = params["ClusterSubnetGroupName"].lower()  # AWS keeps the name in lowercase
        if not _NAME.fullmatch(name) or name == "default":
            raise AwsError("InvalidParameterValue", "The parameter ClusterSubnetGroupName must be 1 to 255 letters, "
                                                    "digits or hyphens, and must not be \"Default\".", 400)
        subnets = _subnets(ctx.region, params["SubnetIds"])
        tags = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in params.get("Tags") or []]
        if len(tags) > 50:
            raise AwsError("TagLimitExceededFault", "You have exceeded the number of tags allowed.", 400)
        with self.store.lock:
            if self.store.subnet_groups.get(ctx.account_id, name) is not None:
                raise AwsError("ClusterSubnetGroupAlreadyExists", f"The cluster subnet group {name} already "
                                                                  "exists.", 400)
            if len([g for g in self.store.subnet_groups.all(ctx.account_id) if g["Region"] == ctx.region]) >= MAX_GROUPS:
                raise AwsError("ClusterSubnetGroupQuotaExceeded", "You have reached the quota of cluster subnet "
                                                                  "groups.", 400)
            doc = {"ClusterSubnetGroupName": name, "Description": params["Description"],
                   "VpcId": fake_vpc_id(ctx.account_id, ctx.region), "SubnetGroupStatus": "Complete",
                   "Subnets": subnets, "Tags": tags, "SupportedClusterIpAddressTypes": ["ipv4"], "Region": ctx.region}
            self.store.subnet_groups.put(ctx.account_id, doc)
        return {"ClusterSubnetGroup": self._subnet_group_output(doc)}

    def describe_cluster_subnet_groups(self, ctx: RequestContext, params: dict) -> dict:
        from .provider import page

        if params.get("ClusterSubnetGroupName"):
            docs = [self._subnet_group(ctx, params["ClusterSubnetGroupName"])]
        else:
            docs = [d for d in self.store.subnet_groups.all(ctx.account_id) if d["Region"] == ctx.region]
        keys, values = set(params.get("TagKeys") or []), set(params.get("TagValues") or [])
        if keys or values:
            docs = [d for d in docs if any((not keys or t["Key"] in keys) and (not values or t["Value"] in values)
                                           for t in d.get("Tags", []))]
        return page(docs, params, "ClusterSubnetGroupName", "ClusterSubnetGroups", self._subnet_group_output)

    def modify_cluster_subnet_group(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._subnet_group(ctx, params["ClusterSubnetGroupName"])
            doc["Subnets"] = _subnets(ctx.region, params["SubnetIds"])
            if params.get("Description") is not None:
                doc["Description"] = params["Description"]
            self.store.subnet_groups.put(ctx.account_id, doc)
        return {"ClusterSubnetGroup": self._subnet_group_output(doc)}

    def delete_cluster_subnet_group(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._subnet_group(ctx, params["ClusterSubnetGroupName"])
            name = doc["ClusterSubnetGroupName"]
            users = [c["ClusterIdentifier"] for c in self.store.all(ctx.account_id)
                     if c["Region"] == ctx.region and (c.get("ClusterSubnetGroupName") or "").lower() == name]
            if users:
                raise AwsError("InvalidClusterSubnetGroupStateFault", f"The cluster subnet group {name} cannot be "
                                                                      f"deleted because it is in use by cluster "
                                                                      f"{users[0]}.", 400)
            self.store.subnet_groups.delete(ctx.account_id, name)
        return {}
