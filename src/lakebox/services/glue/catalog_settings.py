"""The Data Catalog's security settings as one mixin: encryption settings (here), resource policies
(resource_policies.py) and security configurations (security_configurations.py), all kept in
`<data>/.lakebox/glue/settings.db` (settings_store.py).

Why the mixin opens its own store in `__init__`: the provider composes areas by inheritance, and
this area's state is a file of its own, so it joins with one line in provider.py and opens that file
through the cooperative `super().__init__` chain. The provider closes it with the others.

Encryption settings are stored, not applied: lakebox keeps the catalog in plain SQLite and has no KMS,
so Get reports what was put, and connection passwords come back as they were stored.
"""

from __future__ import annotations

from typing import Any

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import catalog_key
from .resource_policies import ResourcePoliciesMixin
from .security_configurations import SecurityConfigurationsMixin
from .settings_checks import ROLE_ARN_PATTERN, check_enum, check_pattern, require
from .settings_store import SettingsStore

_CATALOG_MODES = ("DISABLED", "SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE")

#: What Glue reports for a catalog whose settings were never put (and for a part a Put left out:
#: a Put replaces both parts).
DEFAULT_ENCRYPTION_AT_REST = {"CatalogEncryptionMode": "DISABLED"}
DEFAULT_PASSWORD_ENCRYPTION = {"ReturnConnectionPasswordEncrypted": False}


def check_encryption_settings(settings: dict) -> None:
    base = "dataCatalogEncryptionSettings"
    at_rest = settings.get("EncryptionAtRest")
    if at_rest is not None:
        mode = at_rest.get("CatalogEncryptionMode")
        check_enum(mode, _CATALOG_MODES, f"{base}.encryptionAtRest.catalogEncryptionMode")
        role = at_rest.get("CatalogEncryptionServiceRole")
        check_pattern(role, ROLE_ARN_PATTERN, f"{base}.encryptionAtRest.catalogEncryptionServiceRole")
        if mode == "SSE-KMS-WITH-SERVICE-ROLE":
            require(role, "CatalogEncryptionServiceRole is required when CatalogEncryptionMode is "
                          "SSE-KMS-WITH-SERVICE-ROLE.")
    passwords = settings.get("ConnectionPasswordEncryption")
    if passwords is not None and passwords.get("ReturnConnectionPasswordEncrypted"):
        # Password protection encrypts with "a customer-provided key" (API reference), so it needs one.
        require(passwords.get("AwsKmsKeyId"), "AwsKmsKeyId is required when ReturnConnectionPasswordEncrypted "
                                              "is true.")


class CatalogSettingsMixin(ResourcePoliciesMixin, SecurityConfigurationsMixin):
    clock: ServiceClock

    def __init__(self, config: Any, *args: Any, **kwargs: Any):
        super().__init__(config, *args, **kwargs)
        self.settings_store = SettingsStore(config.data_dir / ".lakebox" / "glue" / "settings.db")

    def put_data_catalog_encryption_settings(self, ctx: RequestContext, params: dict) -> dict:
        settings = params["DataCatalogEncryptionSettings"]
        check_encryption_settings(settings)
        doc = {key: settings[key] for key in ("EncryptionAtRest", "ConnectionPasswordEncryption")
               if settings.get(key) is not None}
        self.settings_store.put_encryption_settings(catalog_key(ctx, params), doc)
        return {}

    def get_data_catalog_encryption_settings(self, ctx: RequestContext, params: dict) -> dict:
        doc = self.settings_store.encryption_settings(catalog_key(ctx, params)) or {}
        return {"DataCatalogEncryptionSettings": {
            "EncryptionAtRest": doc.get("EncryptionAtRest") or dict(DEFAULT_ENCRYPTION_AT_REST),
            "ConnectionPasswordEncryption": doc.get("ConnectionPasswordEncryption") or dict(DEFAULT_PASSWORD_ENCRYPTION),
        }}
