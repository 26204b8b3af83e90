"""OpenID Connect identity providers: the IAM entities that let a CI system's tokens (GitHub Actions,
GitLab, an EKS cluster) assume roles with AssumeRoleWithWebIdentity.

Create, Get, List and Delete, the client id list (Add/Remove), the thumbprints (Update) and tags,
keyed by the provider's ARN, `arn:aws:iam::<account>:oidc-provider/<host and path of the URL>`.
IAM's rules kept: the URL is `https://` and unique in the account, at most 255 characters; client
ids are 1 to 255 characters, at most 100; at most 5 thumbprints, of 40 characters each.
"""

from __future__ import annotations

from ...protocol.context import RequestContext
from .common import (already_exists, invalid_input, limit_exceeded, no_such_entity, now_iso, put_new, tags_of,
                     timestamp, with_tags)

KIND = "oidc-provider"
MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5


def provider_arn(account: str, url: str) -> str:
    return f"arn:aws:iam::{account}:oidc-provider/{url.split('://', 1)[1].rstrip('/')}"


def _check_url(url: str) -> str:
    if not url.lower().startswith("https://") or len(url) > 255 or len(url) <= len("https://"):
        raise invalid_input("Invalid Open ID Connect Provider URL")
    return url


def _check_client_ids(client_ids: list[str]) -> list[str]:
    ids = list(dict.fromkeys(client_ids))
    if any(not 1 <= len(c) <= 255 for c in ids):
        raise invalid_input("Each client id must be 1 to 255 characters long.")
    if len(ids) > MAX_CLIENT_IDS:
        raise limit_exceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}")
    return ids


def _check_thumbprints(thumbprints: list[str]) -> list[str]:
    # The model holds each to 40 characters (a hex SHA-1); IAM checks no more than that.
    if len(thumbprints) > MAX_THUMBPRINTS:
        raise limit_exceeded(f"Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: {MAX_THUMBPRINTS}")
    return list(thumbprints)


class OidcProvidersMixin:
    def _oidc_provider(self, ctx: RequestContext, provider_arn_: str) -> dict:
        doc = self.store.get(ctx.account_id, KIND, provider_arn_)
        if doc is None:
            raise no_such_entity(f"OpenIDConnect Provider not found for arn {provider_arn_}")
        return doc

    def create_open_id_connect_provider(self, ctx: RequestContext, params: dict) -> dict:
        url = _check_url(params["Url"])
        arn = provider_arn(ctx.account_id, url)
        doc = {"Arn": arn, "Url": arn.split(":oidc-provider/", 1)[1],
               "ClientIDList": _check_client_ids(params.get("ClientIDList") or []),
               "ThumbprintList": _check_thumbprints(params.get("ThumbprintList") or []),
               "CreateDate": now_iso(self), "Tags": tags_of(params)}
        put_new(self.store, ctx.account_id, KIND, arn, doc, already_exists(f"Provider with url {url} already exists."))
        return with_tags({"OpenIDConnectProviderArn": arn}, doc)

    def get_open_id_connect_provider(self, ctx: RequestContext, params: dict) -> dict:
        doc = self._oidc_provider(ctx, params["OpenIDConnectProviderArn"])
        out = {k: doc[k] for k in ("Url", "ClientIDList", "ThumbprintList")}
        out["CreateDate"] = timestamp(doc["CreateDate"])
        if doc.get("Tags"):
            out["Tags"] = doc["Tags"]
        return out

    def list_open_id_connect_providers(self, ctx: RequestContext, params: dict) -> dict:
        return {"OpenIDConnectProviderList": [{"Arn": d["Arn"]} for d in self.store.all(ctx.account_id, KIND)]}

    def delete_open_id_connect_provider(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._oidc_provider(ctx, params["OpenIDConnectProviderArn"])
            self.store.delete(ctx.account_id, KIND, doc["Arn"])
        return {}

    def _change_oidc(self, ctx: RequestContext, provider_arn_: str, change) -> dict:
        with self.store.lock:
            doc = self._oidc_provider(ctx, provider_arn_)
            change(doc)
            self.store.put(ctx.account_id, KIND, doc["Arn"], doc)
        return {}

    def add_client_id_to_open_id_connect_provider(self, ctx: RequestContext, params: dict) -> dict:
        return self._change_oidc(ctx, params["OpenIDConnectProviderArn"], lambda doc: doc.update(
            ClientIDList=_check_client_ids(doc["ClientIDList"] + [params["ClientID"]])))

    def remove_client_id_from_open_id_connect_provider(self, ctx: RequestContext, params: dict) -> dict:
        return self._change_oidc(ctx, params["OpenIDConnectProviderArn"], lambda doc: doc.update(
            ClientIDList=[c for c in doc["ClientIDList"] if c != params["ClientID"]]))

    def update_open_id_connect_provider_thumbprint(self, ctx: RequestContext, params: dict) -> dict:
        return self._change_oidc(ctx, params["OpenIDConnectProviderArn"], lambda doc: doc.update(
            ThumbprintList=_check_thumbprints(params["ThumbprintList"])))

    def tag_open_id_connect_provider(self, ctx: RequestContext, params: dict) -> dict:
        return self._tag(ctx, KIND, params["OpenIDConnectProviderArn"], params["Tags"])

    def untag_open_id_connect_provider(self, ctx: RequestContext, params: dict) -> dict:
        return self._untag(ctx, KIND, params["OpenIDConnectProviderArn"], params["TagKeys"])

    def list_open_id_connect_provider_tags(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_tags(ctx, KIND, params["OpenIDConnectProviderArn"], params)

