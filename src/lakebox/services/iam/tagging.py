"""Tags on roles, users, policies, instance profiles, OIDC and SAML providers, MFA devices and server
certificates: one way to change, remove and page them for every kind."""

from __future__ import annotations

from typing import Callable

from ...protocol.context import RequestContext
from .common import merged_tags, page


class TaggingMixin:
    def _entity_getter(self, kind: str) -> Callable[[RequestContext, str], dict]:
        """The look-up that answers NoSuchEntity in the kind's own words."""
        return {"role": self._role, "user": self._user, "policy": self._policy,
                "instance-profile": self._profile, "oidc-provider": self._oidc_provider,
                "mfa": self._mfa_device, "saml-provider": self._saml_provider,
                "server-certificate": self._server_certificate}[kind]

    @staticmethod
    def _key_of(kind: str, doc: dict) -> str:
        """The store key: a policy's or an identity provider's ARN, an MFA device's serial number (its
        ARN too), any other entity's name."""
        return doc["Arn"] if kind in ("policy", "oidc-provider", "saml-provider") else doc[{"role": "RoleName", "user": "UserName",
                                                        "instance-profile": "InstanceProfileName",
                                                        "mfa": "SerialNumber",
                                                        "server-certificate": "ServerCertificateName"}[kind]]

    def _tag(self, ctx: RequestContext, kind: str, name: str, tags: list[dict]) -> dict:
        with self.store.lock:
            doc = self._entity_getter(kind)(ctx, name)
            doc["Tags"] = merged_tags(doc.get("Tags") or [], tags)
            self.store.put(ctx.account_id, kind, self._key_of(kind, doc), doc)
        return {}

    def _untag(self, ctx: RequestContext, kind: str, name: str, keys: list[str]) -> dict:
        with self.store.lock:
            doc = self._entity_getter(kind)(ctx, name)
            doc["Tags"] = [t for t in doc.get("Tags") or [] if t["Key"] not in keys]
            self.store.put(ctx.account_id, kind, self._key_of(kind, doc), doc)
        return {}

    def _list_tags(self, ctx: RequestContext, kind: str, name: str, params: dict) -> dict:
        return page(self._entity_getter(kind)(ctx, name).get("Tags") or [], params, "Tags", lambda t: t["Key"])

    def tag_role(self, ctx: RequestContext, params: dict) -> dict:
        return self._tag(ctx, "role", params["RoleName"], params["Tags"])

    def untag_role(self, ctx: RequestContext, params: dict) -> dict:
        return self._untag(ctx, "role", params["RoleName"], params["TagKeys"])

    def list_role_tags(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_tags(ctx, "role", params["RoleName"], params)

    def tag_user(self, ctx: RequestContext, params: dict) -> dict:
        return self._tag(ctx, "user", params["UserName"], params["Tags"])

    def untag_user(self, ctx: RequestContext, params: dict) -> dict:
        return self._untag(ctx, "user", params["UserName"], params["TagKeys"])

    def list_user_tags(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_tags(ctx, "user", params["UserName"], params)

    def tag_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._tag(ctx, "policy", params["PolicyArn"], params["Tags"])

    def untag_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._untag(ctx, "policy", params["PolicyArn"], params["TagKeys"])

    def list_policy_tags(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_tags(ctx, "policy", params["PolicyArn"], params)

    def tag_instance_profile(self, ctx: RequestContext, params: dict) -> dict:
        return self._tag(ctx, "instance-profile", params["InstanceProfileName"], params["Tags"])

    def untag_instance_profile(self, ctx: RequestContext, params: dict) -> dict:
        return self._untag(ctx, "instance-profile", params["InstanceProfileName"], params["TagKeys"])

    def list_instance_profile_tags(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_tags(ctx, "instance-profile", params["InstanceProfileName"], params)
