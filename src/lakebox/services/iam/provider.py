"""The IAM provider: identities and policies as state that survives restarts.

lakebox does not enforce IAM policies (requests are authorized by account, DESIGN "Contracts"), but
pipelines create their roles, users and policies before the resources that name them (a Glue
crawler's role, a Firehose stream's role, Terraform plans), and read them back. Those calls get
AWS's answers and errors, and the entities persist in `<data>/.lakebox/iam/iam.db`.
"""

from __future__ import annotations

from typing import Any, Optional

from ...config import IssuedKey
from ..base import Provider
from .attachments import AttachmentsMixin
from .authorization_details import AuthorizationDetailsMixin
from .groups import GroupsMixin
from .mfa_devices import MfaDevicesMixin
from .policies import PoliciesMixin
from .account_settings import AccountSettingsMixin
from .account_summary import AccountSummaryMixin
from .credential_report import CredentialReportMixin
from .oidc_providers import OidcProvidersMixin
from .profiles import ProfilesMixin
from .roles import RolesMixin
from .saml_providers import SamlProvidersMixin
from .service_credentials import ServiceCredentialsMixin
from .server_certificates import ServerCertificatesMixin
from .service_linked import ServiceLinkedRolesMixin
from .signing_certificates import SigningCertificatesMixin
from .simulation import SimulationMixin
from .ssh_public_keys import SshPublicKeysMixin
from .store import IamStore
from .tagging import TaggingMixin
from .users import UsersMixin


class IAMProvider(AccountSettingsMixin, AccountSummaryMixin, CredentialReportMixin, RolesMixin, ServiceLinkedRolesMixin,
                  UsersMixin, GroupsMixin, ServiceCredentialsMixin, SigningCertificatesMixin, SshPublicKeysMixin,
                  ServerCertificatesMixin,
                  PoliciesMixin, ProfilesMixin, OidcProvidersMixin, SamlProvidersMixin, MfaDevicesMixin,
                  AttachmentsMixin, AuthorizationDetailsMixin, TaggingMixin, SimulationMixin, Provider):
    service_name = "iam"

    def __init__(self, config: Any):
        super().__init__(config)
        self.store = IamStore(config.data_dir / ".lakebox" / "iam")
        config.issued_keys = self.issued_key

    def issued_key(self, access_key_id: str) -> Optional[IssuedKey]:
        """The gateway's view of an access key CreateAccessKey issued (see Config.issued_keys)."""
        found = self.store.access_key(access_key_id)
        if found is None:
            return None
        account, doc = found
        name = doc.get("UserName")
        return IssuedKey(doc["AccessKeyId"], doc["SecretAccessKey"], account, doc.get("Status") == "Active",
                         find_user=lambda: self.store.get(account, "user", name) if name else None,
                         note_use=lambda service, region: self.note_key_use(account, doc, service, region))

    def close(self) -> None:
        self.store.close()
