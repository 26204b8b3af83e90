"""Customer managed policies and their versions (at most five, one of them the default)."""

from __future__ import annotations

from ...protocol.context import RequestContext
from .attachments import AWS_MANAGED
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
                for kind in ("role", "user")}

    @staticmethod
    def _policy_output(doc: dict, *, listed: bool = False) -> dict:
        """A Policy as IAM shows it; ListPolicies leaves out its tags and description."""
        fields = ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId") + (() if listed else ("Description", "Tags"))
        out = {k: doc[k] for k in fields if doc.get(k) not in (None, [])}
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
        return {"Policy": self._policy_output(doc)}

    def get_policy(self, ctx: RequestContext, params: dict) -> dict:
        policy_arn = params["PolicyArn"]
        match = AWS_MANAGED.fullmatch(policy_arn)
        if match is not None and self.store.get(ctx.account_id, "policy", policy_arn) is None:
            # An AWS managed policy: lakebox knows its name and path, not AWS's document for it.
            count = sum(len(v) for v in self._attached_to(ctx, policy_arn).values())
            return {"Policy": {"PolicyName": match.group(2), "Arn": policy_arn, "Path": match.group(1),
                               "DefaultVersionId": "v1", "AttachmentCount": count, "IsAttachable": True}}
        return {"Policy": self._policy_output(self._policy(ctx, policy_arn))}

    def list_policies(self, ctx: RequestContext, params: dict) -> dict:
        prefix = params.get("PathPrefix") or "/"
        policies = [] if params.get("Scope") == "AWS" else [
            p for p in self.store.all(ctx.account_id, "policy") if p["Path"].startswith(prefix)]
        shown = [self._policy_output(p, listed=True) for p in policies]
        if params.get("OnlyAttached"):
            shown = [p for p in shown if p["AttachmentCount"]]
        return page(shown, params, "Policies", lambda p: p["Arn"].lower())

    def delete_policy(self, ctx: RequestContext, params: dict) -> dict:
        policy_arn = params["PolicyArn"]
        with self.store.lock:
            doc = self._policy(ctx, policy_arn)
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
        doc = self._policy(ctx, params["PolicyArn"])
        return {"PolicyVersion": self._version_output(doc, self._version(doc, params["VersionId"]))}

    def list_policy_versions(self, ctx: RequestContext, params: dict) -> dict:
        doc = self._policy(ctx, params["PolicyArn"])
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
        if not AWS_MANAGED.fullmatch(policy_arn):
            self._policy(ctx, policy_arn)
        attached = self._attached_to(ctx, policy_arn)
        wanted = params.get("EntityFilter")
        roles = [{"RoleName": d["RoleName"], "RoleId": d["RoleId"]} for d in attached["role"]] \
            if wanted in (None, "Role") else []
        users = [{"UserName": d["UserName"], "UserId": d["UserId"]} for d in attached["user"]] \
            if wanted in (None, "User") else []
        return {"PolicyGroups": [], "PolicyUsers": users, "PolicyRoles": roles, "IsTruncated": False}





