"""SAML 2.0 identity providers: Create, Get, List, Update and Delete, and their tags.

A provider is the IdP's metadata document under a name, keyed by its ARN,
`arn:aws:iam::<account>:saml-provider/<name>`. As IAM does, the document must be SAML metadata
(an XML EntityDescriptor): anything else is InvalidInput "Could not parse metadata". The provider's
ValidUntil is the document's `validUntil`, or 100 years from its creation when the document sets
none. AssumeRoleWithSAML names a provider by this ARN (sts/saml.py reads the assertion).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET

from ...protocol.context import RequestContext
from .common import (already_exists, check_arn, invalid_input, no_such_entity, now_iso, put_new, tags_of, timestamp,
                     with_tags)

KIND = "saml-provider"
_NAME = re.compile(r"[\w._-]{1,128}", re.ASCII)
_METADATA_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
#: How long a provider whose metadata sets no validUntil is valid.
_DEFAULT_VALIDITY = dt.timedelta(days=365 * 100)


def _valid_until(document: str, created: str) -> str:
    """The metadata's validUntil (UTC), once the document reads as SAML metadata."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError:
        raise invalid_input("Could not parse metadata") from None
    if root.tag not in (f"{{{_METADATA_NS}}}EntityDescriptor", f"{{{_METADATA_NS}}}EntitiesDescriptor"):
        raise invalid_input("Could not parse metadata")
    given = root.get("validUntil")
    if given:
        try:
            return dt.datetime.fromisoformat(given.replace("Z", "+00:00")).astimezone(dt.timezone.utc).isoformat()
        except ValueError:
            raise invalid_input("Could not parse metadata") from None
    return (timestamp(created) + _DEFAULT_VALIDITY).isoformat()


class SamlProvidersMixin:
    def _saml_provider(self, ctx: RequestContext, provider_arn: str) -> dict:
        check_arn(provider_arn)
        doc = self.store.get(ctx.account_id, KIND, provider_arn)
        if doc is None:
            raise no_such_entity(f"Manifest not found for arn {provider_arn}")
        return doc

    def create_saml_provider(self, ctx: RequestContext, params: dict) -> dict:
        name = params["Name"]
        if not _NAME.fullmatch(name):
            raise invalid_input(f"Invalid SAML provider name: {name}")
        arn = f"arn:aws:iam::{ctx.account_id}:saml-provider/{name}"
        created = now_iso(self)
        doc = {"Arn": arn, "Name": name, "SAMLMetadataDocument": params["SAMLMetadataDocument"],
               "ValidUntil": _valid_until(params["SAMLMetadataDocument"], created), "CreateDate": created,
               "SAMLProviderUUID": str(uuid.uuid4()), "Tags": tags_of(params),
               "AssertionEncryptionMode": params.get("AssertionEncryptionMode") or "Allowed"}
        put_new(self.store, ctx.account_id, KIND, arn, doc, already_exists(f"SAMLProvider {name} already exists."))
        return with_tags({"SAMLProviderArn": arn}, doc)

    def get_saml_provider(self, ctx: RequestContext, params: dict) -> dict:
        doc = self._saml_provider(ctx, params["SAMLProviderArn"])
        out = {"SAMLProviderUUID": doc["SAMLProviderUUID"], "SAMLMetadataDocument": doc["SAMLMetadataDocument"],
               "CreateDate": timestamp(doc["CreateDate"]), "ValidUntil": timestamp(doc["ValidUntil"]),
               "AssertionEncryptionMode": doc["AssertionEncryptionMode"]}
        if doc.get("Tags"):
            out["Tags"] = doc["Tags"]
        return out

    def list_saml_providers(self, ctx: RequestContext, params: dict) -> dict:
        docs = sorted(self.store.all(ctx.account_id, KIND), key=lambda d: d["Arn"])
        return {"SAMLProviderList": [{"Arn": d["Arn"], "ValidUntil": timestamp(d["ValidUntil"]),
                                      "CreateDate": timestamp(d["CreateDate"])} for d in docs]}

    def update_saml_provider(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._saml_provider(ctx, params["SAMLProviderArn"])
            if params.get("SAMLMetadataDocument"):
                doc["ValidUntil"] = _valid_until(params["SAMLMetadataDocument"], now_iso(self))
                doc["SAMLMetadataDocument"] = params["SAMLMetadataDocument"]
            if params.get("AssertionEncryptionMode"):
                doc["AssertionEncryptionMode"] = params["AssertionEncryptionMode"]
            self.store.put(ctx.account_id, KIND, doc["Arn"], doc)
        return {"SAMLProviderArn": doc["Arn"]}

    def delete_saml_provider(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._saml_provider(ctx, params["SAMLProviderArn"])
            self.store.delete(ctx.account_id, KIND, doc["Arn"])
        return {}

    def tag_saml_provider(self, ctx: RequestContext, params: dict) -> dict:
        return self._tag(ctx, KIND, params["SAMLProviderArn"], params["Tags"])

    def untag_saml_provider(self, ctx: RequestContext, params: dict) -> dict:
        return self._untag(ctx, KIND, params["SAMLProviderArn"], params["TagKeys"])

    def list_saml_provider_tags(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_tags(ctx, KIND, params["SAMLProviderArn"], params)
