"""Managed policies attached to roles, users and groups, and inline policies embedded in them.

A role's, user's or group's document keeps `AttachedPolicies` (ARNs, in attach order) and
`InlinePolicies` (name -> document). AWS managed policies (`arn:aws:iam::aws:policy/...`) can be attached too; which
of those ARNs count is aws_managed.py's business.
"""

from __future__ import annotations

from .aws_managed import is_aws_managed
from .common import (INLINE_GROUP_POLICY_LIMIT, INLINE_ROLE_POLICY_LIMIT, INLINE_USER_POLICY_LIMIT, check_arn,
                     check_name, checked_document, encoded, limit_exceeded, no_such_entity, page)

MAX_ATTACHED = 10


def policy_exists(provider, account: str, policy_arn: str) -> bool:
    return is_aws_managed(policy_arn) or provider.store.get(account, "policy", policy_arn) is not None


def policy_name_of(policy_arn: str) -> str:
    return policy_arn.rsplit("/", 1)[-1]


class AttachmentsMixin:
    def _holder(self, ctx, kind: str, name: str) -> dict:
        doc = self.store.get(ctx.account_id, kind, name)
        if doc is None:
            raise no_such_entity(f"The {kind} with name {name} cannot be found.")
        return doc

    def _attach(self, ctx, kind: str, name: str, policy_arn: str) -> dict:
        check_arn(policy_arn)
        with self.store.lock:
            doc = self._holder(ctx, kind, name)
            if not policy_exists(self, ctx.account_id, policy_arn):
                raise no_such_entity(f"Policy {policy_arn} does not exist or is not attachable.")
            attached = doc.setdefault("AttachedPolicies", [])
            if policy_arn not in attached:
                if len(attached) >= MAX_ATTACHED:
                    raise limit_exceeded(f"Cannot exceed quota for PoliciesPer{kind.capitalize()}: {MAX_ATTACHED}")
                attached.append(policy_arn)
                self._save_with_count(ctx, kind, name, doc, policy_arn, +1)
        return {}

    def _detach(self, ctx, kind: str, name: str, policy_arn: str) -> dict:
        check_arn(policy_arn)
        with self.store.lock:
            doc = self._holder(ctx, kind, name)
            attached = doc.get("AttachedPolicies", [])
            if policy_arn not in attached:
                raise no_such_entity(f"Policy {policy_arn} was not found.")
            attached.remove(policy_arn)
            self._save_with_count(ctx, kind, name, doc, policy_arn, -1)
        return {}

    def _save_with_count(self, ctx, kind: str, name: str, doc: dict, policy_arn: str, change: int) -> None:
        """Save the holder and, in the same transaction, a customer managed policy's AttachmentCount."""
        writes = [(kind, name, doc)]
        policy = self.store.get(ctx.account_id, "policy", policy_arn)
        if policy is not None:
            policy["AttachmentCount"] = policy.get("AttachmentCount", 0) + change
            writes.append(("policy", policy_arn, policy))
        self.store.put_many(ctx.account_id, writes)

    def _list_attached(self, ctx, kind: str, name: str, params: dict) -> dict:
        doc = self._holder(ctx, kind, name)
        prefix = params.get("PathPrefix") or "/"
        items = [{"PolicyName": policy_name_of(a), "PolicyArn": a} for a in doc.get("AttachedPolicies", [])
                 if a.split(":policy", 1)[1].startswith(prefix)]
        return page(items, params, "AttachedPolicies", lambda p: p["PolicyArn"])

    def _put_inline(self, ctx, kind: str, name: str, policy_name: str, document: str) -> dict:
        check_name(policy_name, "policyName")
        with self.store.lock:
            doc = self._holder(ctx, kind, name)
            inline = doc.setdefault("InlinePolicies", {})
            inline[policy_name] = checked_document(document)
            # The quota is on all of a role's (user's, group's) inline policies together.
            limit = {"role": INLINE_ROLE_POLICY_LIMIT, "user": INLINE_USER_POLICY_LIMIT,
                     "group": INLINE_GROUP_POLICY_LIMIT}[kind]
            checked_document(document, limit=limit - sum(len("".join(d.split())) for n, d in inline.items()
                                                          if n != policy_name))
            self.store.put(ctx.account_id, kind, name, doc)
        return {}

    def _get_inline(self, ctx, kind: str, name: str, policy_name: str) -> dict:
        doc = self._holder(ctx, kind, name)
        document = doc.get("InlinePolicies", {}).get(policy_name)
        if document is None:
            raise no_such_entity(f"The {kind} policy with name {policy_name} cannot be found.")
        return {f"{kind.capitalize()}Name": name, "PolicyName": policy_name, "PolicyDocument": encoded(document)}

    def _delete_inline(self, ctx, kind: str, name: str, policy_name: str) -> dict:
        with self.store.lock:
            doc = self._holder(ctx, kind, name)
            if policy_name not in doc.get("InlinePolicies", {}):
                raise no_such_entity(f"The {kind} policy with name {policy_name} cannot be found.")
            del doc["InlinePolicies"][policy_name]
            self.store.put(ctx.account_id, kind, name, doc)
        return {}

    def _list_inline(self, ctx, kind: str, name: str, params: dict) -> dict:
        doc = self._holder(ctx, kind, name)
        return page(list(doc.get("InlinePolicies", {})), params, "PolicyNames", lambda n: n)
