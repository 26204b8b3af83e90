"""GetAccountAuthorizationDetails: every user, group, role and managed policy of the account with the
policies that bear on it, in one paged answer, as audit tools and IAM exporters read an account.

Users come with their inline policies, groups and attached policies; groups with theirs; roles
with their trust policy, inline and attached policies and instance profiles; policies with every
version's document. Customer managed policies are LocalManagedPolicy; AWS managed policies are
listed (AWSManagedPolicy) when something in the account has one attached, as IAM lists them.
`Filter` picks entity types. The four lists page together under one Marker: a page holds at most
MaxItems entities in the order users, groups, roles, policies.
"""

from __future__ import annotations

import json

from ...protocol.context import RequestContext
from .aws_managed import known_policy, name_and_path
from .attachments import policy_name_of
from .common import encoded, invalid_input, marker_position, page_of, timestamp
from .groups import group_output
from .roles import role_output
from .users import user_output

_FILTERS = ("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")


def _inline(doc: dict) -> list[dict]:
    return [{"PolicyName": name, "PolicyDocument": encoded(document)}
            for name, document in sorted((doc.get("InlinePolicies") or {}).items())]


def _attached(doc: dict) -> list[dict]:
    return [{"PolicyName": policy_name_of(a), "PolicyArn": a} for a in doc.get("AttachedPolicies") or []]


class AuthorizationDetailsMixin:
    def get_account_authorization_details(self, ctx: RequestContext, params: dict) -> dict:
        wanted = set(params.get("Filter") or _FILTERS)
        if wanted - set(_FILTERS):
            raise invalid_input(f"Invalid filter: {sorted(wanted - set(_FILTERS))[0]}")
        entries = []  # (list key, sort key, item), in the order pages go through them
        account = ctx.account_id
        users = self.store.all(account, "user")
        groups = self.store.all(account, "group")
        roles = self.store.all(account, "role")
        if "User" in wanted:
            for user in sorted(users, key=lambda u: u["UserName"]):
                item = {**user_output(user), "UserPolicyList": _inline(user),
                        "GroupList": sorted(g["GroupName"] for g in groups if user["UserId"] in g["UserIds"]),
                        "AttachedManagedPolicies": _attached(user)}
                entries.append(("UserDetailList", f"1{user['UserName']}", item))
        if "Group" in wanted:
            for group in sorted(groups, key=lambda g: g["GroupName"]):
                item = {**group_output(group), "GroupPolicyList": _inline(group),
                        "AttachedManagedPolicies": _attached(group)}
                entries.append(("GroupDetailList", f"2{group['GroupName']}", item))
        if "Role" in wanted:
            profiles = self.store.all(account, "instance-profile")
            for role in sorted(roles, key=lambda r: r["RoleName"]):
                shown = {k: v for k, v in role_output(role, last_used=True).items()
                         if k not in ("Description", "MaxSessionDuration")}
                item = {**shown,
                        "InstanceProfileList": [self._profile_output(ctx, p) for p in profiles
                                                if role["RoleName"] in p.get("RoleNames", [])],
                        "RolePolicyList": _inline(role), "AttachedManagedPolicies": _attached(role)}
                entries.append(("RoleDetailList", f"3{role['RoleName']}", item))
        if wanted & {"LocalManagedPolicy", "AWSManagedPolicy"}:
            for item in self._policy_details(ctx, wanted, users + groups + roles):
                entries.append(("Policies", f"4{item['Arn']}", item))

        after = marker_position(params)
        if after is not None:
            entries = [e for e in entries if e[1] > after]
        paged = page_of(entries, params, "Entries", lambda e: e[1])
        out: dict = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
        for key, _, item in paged.pop("Entries"):
            out[key].append(item)
        return {**out, **paged}

    def _policy_details(self, ctx: RequestContext, wanted: set, holders: list[dict]) -> list[dict]:
        details = []
        if "LocalManagedPolicy" in wanted:
            for doc in sorted(self.store.all(ctx.account_id, "policy"), key=lambda p: p["Arn"]):
                item = self._policy_output(doc, view="list")
                if doc.get("Description"):
                    item["Description"] = doc["Description"]
                item["PolicyVersionList"] = [self._version_output(doc, v) for v in doc["Versions"]]
                details.append(item)
        if "AWSManagedPolicy" in wanted:
            in_use = sorted({a for holder in holders for a in holder.get("AttachedPolicies") or []
                             if a.startswith("arn:aws:iam::aws:policy/")})
            for policy_arn in in_use:
                item = self._aws_policy_output(ctx, policy_arn)
                known = known_policy(policy_arn)
                if known is not None:
                    item["PolicyVersionList"] = [{"Document": encoded(json.dumps(known["Document"], indent=4)),
                                                  "VersionId": known["DefaultVersionId"], "IsDefaultVersion": True,
                                                  "CreateDate": timestamp(known["CreateDate"])}]
                else:
                    item.setdefault("PolicyName", name_and_path(policy_arn)[0])
                details.append(item)
        return details
