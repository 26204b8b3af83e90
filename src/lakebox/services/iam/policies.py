"""Customer managed policies and their versions (at most five, one of them the default), and the
read operations on AWS managed policies (aws_managed.py)."""

from __future__ import annotations

import json

from ...protocol.context import RequestContext
from .aws_managed import is_aws_managed, known_policy, known_policy_arns, name_and_path
from .common import (MANAGED_POLICY_LIMIT, already_exists, arn, check_name, check_path, checked_document,
                     delete_conflict, encoded, limit_exceeded, new_id, no_such_entity, now_iso, page, page_of, tags_of,
                     timestamp)

MAX_VERSIONS = 5


class PoliciesMixin:
    def _policy(self, ctx: RequestContext, policy_arn: str) -> dict:
        doc = self.store.get(ctx.account_id, "policy", policy_arn)
        if doc is None:
            raise no_such_entity(f"Policy {policy_arn} does not exist or is not attachable.")
        return doc

    def _attached_to(self, ctx: RequestContext, policy_arn: str) -> dict[str, list[dict]]:
        return {kind: [d for d in self.store.all(ctx.account_id, kind) if policy_arn in d.get("AttachedPolicies", [])]
                for kind in ("role", "user", "group")}

    @staticmethod
    def _policy_output(doc: dict, *, view: str = "get") -> dict:
        """A Policy as each operation shows it (AWS-verified): GetPolicy gives its description and
        its tags, even none; CreatePolicy no description, and tags only if it was given some;
        ListPolicies neither."""
        fields = ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId")
        out = {k: doc[k] for k in fields if doc.get(k) is not None}
        if view == "get":
            if doc.get("Description") is not None:
                out["Description"] = doc["Description"]
            out["Tags"] = doc.get("Tags") or []
        elif view == "created" and doc.get("Tags"):
            out["Tags"] = doc["Tags"]
        out.update(AttachmentCount=doc.get("AttachmentCount", 0), PermissionsBoundaryUsageCount=0, IsAttachable=True,
                   CreateDate=timestamp(doc["CreateDate"]), UpdateDate=timestamp(doc["UpdateDate"]))
        return out

    def create_policy(self, ctx: RequestContext, params: dict) -> dict:
        path = check_path(params.get("Path"))
        name = check_name(params["PolicyName"], "policyName")
        policy_arn = arn(ctx.account_id, "policy", path, name)
        document = checked_document(params["PolicyDocument"], limit=MANAGED_POLICY_LIMIT)
        with self.store.lock:
            if self.store.get(ctx.account_id, "policy", policy_arn) is not None:
                raise already_exists(f"A policy called {name} already exists. Duplicate names are not allowed.")
            now = now_iso(self)
            doc = {"PolicyName": name, "PolicyId": new_id("ANPA"), "Arn": policy_arn, "Path": path,
                   "DefaultVersionId": "v1", "Description": params.get("Description"), "CreateDate": now,
                   "UpdateDate": now, "Tags": tags_of(params), "NextVersion": 2, "AttachmentCount": 0,
                   "Versions": [{"VersionId": "v1", "Document": document, "CreateDate": now}]}
            self.store.put(ctx.account_id, "policy", policy_arn, doc)
        return {"Policy": self._policy_output(doc, view="created")}

    def get_policy(self, ctx: RequestContext, params: dict) -> dict:
        policy_arn = params["PolicyArn"]
        if is_aws_managed(policy_arn):
            return {"Policy": self._aws_policy_output(ctx, policy_arn)}
        return {"Policy": self._policy_output(self._policy(ctx, policy_arn))}

    def _aws_policy_output(self, ctx: RequestContext, policy_arn: str) -> dict:
        """An AWS managed policy as IAM shows it; this account's attachments make its AttachmentCount."""
        name, path = name_and_path(policy_arn)
        count = sum(len(v) for v in self._attached_to(ctx, policy_arn).values())
        out = {"PolicyName": name, "Arn": policy_arn, "Path": path, "DefaultVersionId": "v1",
               "AttachmentCount": count, "PermissionsBoundaryUsageCount": 0, "IsAttachable": True}
        known = known_policy(policy_arn)
        if known is not None:
            out.update(DefaultVersionId=known["DefaultVersionId"], CreateDate=timestamp(known["CreateDate"]),
                       UpdateDate=timestamp(known["CreateDate"]))
        return out

    def list_policies(self, ctx: RequestContext, params: dict) -> dict:
        prefix = params.get("PathPrefix") or "/"
        scope = params.get("Scope") or "All"
        policies = [] if scope == "AWS" else [
            p for p in self.store.all(ctx.account_id, "policy") if p["Path"].startswith(prefix)]
        shown = [self._policy_output(p, view="listed") for p in policies]
        if scope != "Local":
            shown += [self._aws_policy_output(ctx, a) for a in known_policy_arns()
                      if name_and_path(a)[1].startswith(prefix)]
        if params.get("OnlyAttached"):
            shown = [p for p in shown if p["AttachmentCount"]]
        return page(shown, params, "Policies", lambda p: p["Arn"].lower())

    def delete_policy(self, ctx: RequestContext, params: dict) -> dict:
        policy_arn = params["PolicyArn"]
        with self.store.lock:
            doc = self.store.get(ctx.account_id, "policy", policy_arn)
            if doc is None:  # DeletePolicy words it differently from the other policy operations
                raise no_such_entity(f"Policy {policy_arn} was not found.")
            if doc.get("AttachmentCount", 0):
                raise delete_conflict("Cannot delete a policy attached to entities.")
            if len(doc["Versions"]) > 1:
                raise delete_conflict("Cannot delete a policy with non-default versions; delete them first.")
            self.store.delete(ctx.account_id, "policy", policy_arn)
        return {}

    def create_policy_version(self, ctx: RequestContext, params: dict) -> dict:
        document = checked_document(params["PolicyDocument"], limit=MANAGED_POLICY_LIMIT)
        with self.store.lock:
            doc = self._policy(ctx, params["PolicyArn"])
            if len(doc["Versions"]) >= MAX_VERSIONS:
                raise limit_exceeded(f"A managed policy can have up to {MAX_VERSIONS} versions. Before you create "
                                     "a new version, you must delete an existing version.")
            version = {"VersionId": f"v{doc['NextVersion']}", "Document": document, "CreateDate": now_iso(self)}
            doc["NextVersion"] += 1
            doc["Versions"].append(version)
            if params.get("SetAsDefault"):
                doc["DefaultVersionId"] = version["VersionId"]
            doc["UpdateDate"] = version["CreateDate"]
            self.store.put(ctx.account_id, "policy", doc["Arn"], doc)
        return {"PolicyVersion": self._version_output(doc, version, with_document=False)}

    @staticmethod
    def _version_output(doc: dict, version: dict, *, with_document: bool = True) -> dict:
        out = {"VersionId": version["VersionId"], "IsDefaultVersion": version["VersionId"] == doc["DefaultVersionId"],
               "CreateDate": timestamp(version["CreateDate"])}
        if with_document:
            out["Document"] = encoded(version["Document"])
        return out

    def _version(self, doc: dict, version_id: str) -> dict:
        found = next((v for v in doc["Versions"] if v["VersionId"] == version_id), None)
        if found is None:
            raise no_such_entity(f"Policy {doc['Arn']} version {version_id} does not exist or is not attachable.")
        return found

    def get_policy_version(self, ctx: RequestContext, params: dict) -> dict:
        doc = self._policy_or_known(ctx, params["PolicyArn"])
        return {"PolicyVersion": self._version_output(doc, self._version(doc, params["VersionId"]))}

    def _policy_or_known(self, ctx: RequestContext, policy_arn: str) -> dict:
        """A customer managed policy, or a known AWS managed one in the same shape: one version, its
        default (the only one AWS publishes). An AWS policy lakebox has no document for is NoSuchEntity."""
        known = known_policy(policy_arn)
        if known is None:
            return self._policy(ctx, policy_arn)
        return {"Arn": policy_arn, "DefaultVersionId": known["DefaultVersionId"],
                "Versions": [{"VersionId": known["DefaultVersionId"], "CreateDate": known["CreateDate"],
                              "Document": json.dumps(known["Document"], indent=4)}]}

    def list_policy_versions(self, ctx: RequestContext, params: dict) -> dict:
        doc = self._policy_or_known(ctx, params["PolicyArn"])
        # Newest first; at most five, so one page unless MaxItems is smaller.
        versions = [self._version_output(doc, v, with_document=False) for v in reversed(doc["Versions"])]
        return page_of(versions, params, "Versions", lambda v: v["VersionId"])

    def delete_policy_version(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._policy(ctx, params["PolicyArn"])
            version = self._version(doc, params["VersionId"])
            if version["VersionId"] == doc["DefaultVersionId"]:
                raise delete_conflict("Cannot delete the default version of a policy.")
            doc["Versions"].remove(version)
            self.store.put(ctx.account_id, "policy", doc["Arn"], doc)
        return {}

    def set_default_policy_version(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._policy(ctx, params["PolicyArn"])
            doc["DefaultVersionId"] = self._version(doc, params["VersionId"])["VersionId"]
            self.store.put(ctx.account_id, "policy", doc["Arn"], doc)
        return {}

    def list_entities_for_policy(self, ctx: RequestContext, params: dict) -> dict:
        policy_arn = params["PolicyArn"]
        if not is_aws_managed(policy_arn):
            self._policy(ctx, policy_arn)
        attached = self._attached_to(ctx, policy_arn)
        wanted = params.get("EntityFilter")
        roles = [{"RoleName": d["RoleName"], "RoleId": d["RoleId"]} for d in attached["role"]] \
            if wanted in (None, "Role") else []
        users = [{"UserName": d["UserName"], "UserId": d["UserId"]} for d in attached["user"]] \
            if wanted in (None, "User") else []
        groups = [{"GroupName": d["GroupName"], "GroupId": d["GroupId"]} for d in attached["group"]] \
            if wanted in (None, "Group") else []
        return {"PolicyGroups": groups, "PolicyUsers": users, "PolicyRoles": roles, "IsTruncated": False}





