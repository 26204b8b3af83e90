"""Security configurations: CreateSecurityConfiguration, GetSecurityConfiguration,
GetSecurityConfigurations and DeleteSecurityConfiguration.

A security configuration names the encryption that crawlers, jobs and development endpoints apply to
what they write: S3 data, CloudWatch logs, job bookmarks and Data Quality assets. lakebox stores it
as given (jobs and crawlers may name it) but encrypts nothing with it: there is no KMS here, so a key
ARN is checked for its form only. A KMS mode without a KmsKeyArn is refused, as the API reference
describes each KMS mode as encrypting with that key.
"""

from __future__ import annotations

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import owner_key, page
from .errors import already_exists, entity_not_found, limit_exceeded
from .settings_checks import KMS_KEY_ARN_PATTERN, check_enum, check_pattern, require
from .settings_store import LimitReached, SettingsStore

#: Glue's documented quota of security configurations per account (and region).
MAX_SECURITY_CONFIGURATIONS = 250

#: member of EncryptionConfiguration -> (its mode member, the modes, the modes that need a key).
_PARTS = {
    "CloudWatchEncryption": ("CloudWatchEncryptionMode", ("DISABLED", "SSE-KMS"), ("SSE-KMS",)),
    "JobBookmarksEncryption": ("JobBookmarksEncryptionMode", ("DISABLED", "CSE-KMS"), ("CSE-KMS",)),
    "DataQualityEncryption": ("DataQualityEncryptionMode", ("DISABLED", "SSE-KMS"), ("SSE-KMS",)),
}
_S3_MODES = ("DISABLED", "SSE-KMS", "SSE-S3")


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _check_part(spec: dict, mode_member: str, modes: tuple, kms_modes: tuple, path: str) -> None:
    mode = spec.get(mode_member)
    check_enum(mode, modes, f"{path}.{_camel(mode_member)}")
    check_pattern(spec.get("KmsKeyArn"), KMS_KEY_ARN_PATTERN, f"{path}.kmsKeyArn")
    if mode in kms_modes:
        require(spec.get("KmsKeyArn"), f"KmsKeyArn is required when {mode_member} is {mode}.")


def check_encryption_configuration(config: dict) -> None:
    base = "encryptionConfiguration"
    for index, spec in enumerate(config.get("S3Encryption") or [], 1):
        _check_part(spec, "S3EncryptionMode", _S3_MODES, ("SSE-KMS",), f"{base}.s3Encryption.{index}.member")
    for member, (mode_member, modes, kms_modes) in _PARTS.items():
        if config.get(member) is not None:
            _check_part(config[member], mode_member, modes, kms_modes, f"{base}.{_camel(member)}")


def _not_found(name: str):
    return entity_not_found(f"SecurityConfiguration {name} not found")


class SecurityConfigurationsMixin:
    settings_store: SettingsStore
    clock: ServiceClock

    def create_security_configuration(self, ctx: RequestContext, params: dict) -> dict:
        name, config = params["Name"], params["EncryptionConfiguration"]
        check_encryption_configuration(config)
        now = self.clock.now()
        doc = {"Name": name, "CreatedTimeStamp": now, "EncryptionConfiguration": config}
        try:
            added = self.settings_store.add_security_configuration(owner_key(ctx), doc, MAX_SECURITY_CONFIGURATIONS)
        except LimitReached:
            raise limit_exceeded("Number of security configurations in the account exceeds the limit.") from None
        if not added:
            raise already_exists(f"Security configuration {name} already exists.")
        return {"Name": name, "CreatedTimestamp": now}

    def get_security_configuration(self, ctx: RequestContext, params: dict) -> dict:
        doc = self.settings_store.security_configuration(owner_key(ctx), params["Name"])
        if doc is None:
            raise _not_found(params["Name"])
        return {"SecurityConfiguration": doc}

    def get_security_configurations(self, ctx: RequestContext, params: dict) -> dict:
        chunk, token = page(self.settings_store.security_configurations(owner_key(ctx)), params.get("NextToken"),
                            params.get("MaxResults"), 100)
        return {"SecurityConfigurations": chunk, "NextToken": token}

    def delete_security_configuration(self, ctx: RequestContext, params: dict) -> dict:
        if not self.settings_store.delete_security_configuration(owner_key(ctx), params["Name"]):
            raise _not_found(params["Name"])
        return {}


