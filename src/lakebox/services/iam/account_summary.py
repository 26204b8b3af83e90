"""GetAccountSummary: how many IAM entities an account holds, counted from the store, and IAM's
quotas (the ones lakebox enforces with the same numbers it enforces them with).

Every lakebox account is reached through account keys, which act as the account itself, so the
account always has root access keys present; root signing certificates are not kept, so they
count 0. MFA devices are the account's virtual devices (mfa_devices.py), those
enabled for a user in use; the root user has none.
"""

from __future__ import annotations

from ...protocol.context import RequestContext
from .attachments import MAX_ATTACHED
from .common import (INLINE_GROUP_POLICY_LIMIT, INLINE_ROLE_POLICY_LIMIT, INLINE_USER_POLICY_LIMIT,
                     MANAGED_POLICY_LIMIT, TRUST_POLICY_LIMIT)
from .mfa_devices import KIND as MFA_DEVICE
from .oidc_providers import KIND as OIDC_PROVIDER
from .saml_providers import KIND as SAML_PROVIDER
from .server_certificates import KIND as SERVER_CERTIFICATE
from .policies import MAX_VERSIONS
from .users import MAX_ACCESS_KEYS

#: IAM's default quotas that lakebox reports but does not count against.
_QUOTAS = {
    "UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500,
    "InstanceProfilesQuota": 1000, "ServerCertificatesQuota": 20, "GroupsPerUserQuota": 10,
    "SigningCertificatesPerUserQuota": 2, "PolicyVersionsInUseQuota": 10000,
}


class AccountSummaryMixin:
    def get_account_summary(self, ctx: RequestContext, params: dict) -> dict:
        def count(kind: str) -> int:
            return len(self.store.all(ctx.account_id, kind))

        policies = self.store.all(ctx.account_id, "policy")
        devices = self.store.all(ctx.account_id, MFA_DEVICE)
        summary = {
            "Users": count("user"), "Groups": count("group"), "Roles": count("role"), "Policies": len(policies),
            "InstanceProfiles": count("instance-profile"), "Providers": count(OIDC_PROVIDER) + count(SAML_PROVIDER),
            "PolicyVersionsInUse": sum(len(p.get("Versions") or []) for p in policies),
            "ServerCertificates": count(SERVER_CERTIFICATE), "MFADevices": len(devices),
            "MFADevicesInUse": sum(bool(d.get("UserName")) for d in devices), "AccountMFAEnabled": 0,
            "AccountAccessKeysPresent": 1, "AccountPasswordPresent": 0, "AccountSigningCertificatesPresent": 0,
            "AccessKeysPerUserQuota": MAX_ACCESS_KEYS, "VersionsPerPolicyQuota": MAX_VERSIONS,
            "AttachedPoliciesPerUserQuota": MAX_ATTACHED, "AttachedPoliciesPerGroupQuota": MAX_ATTACHED,
            "AttachedPoliciesPerRoleQuota": MAX_ATTACHED, "PolicySizeQuota": MANAGED_POLICY_LIMIT,
            "UserPolicySizeQuota": INLINE_USER_POLICY_LIMIT, "GroupPolicySizeQuota": INLINE_GROUP_POLICY_LIMIT,
            "RolePolicySizeQuota": INLINE_ROLE_POLICY_LIMIT, "AssumeRolePolicySizeQuota": TRUST_POLICY_LIMIT,
            "GlobalEndpointTokenVersion": 1, **_QUOTAS,
        }
        return {"SummaryMap": summary}
