"""The IAM provider: identities and policies as state that survives restarts.

lakebox does not enforce IAM policies (requests are authorized by account, DESIGN "Contracts"), but
pipelines create their roles, users and policies before the resources that name them (a Glue
crawler's role, a Firehose stream's role, Terraform plans), and read them back. Those calls get
AWS's answers and errors, and the entities persist in `<data>/.lakebox/iam/iam.db`.
"""

from __future__ import annotations

from typing import Any

from ..base import Provider
from .attachments import AttachmentsMixin
from .policies import PoliciesMixin
from .profiles import ProfilesMixin
from .roles import RolesMixin
from .store import IamStore
from .tagging import TaggingMixin
from .users import UsersMixin


class IAMProvider(RolesMixin, UsersMixin, PoliciesMixin, ProfilesMixin, AttachmentsMixin, TaggingMixin, Provider):
    service_name = "iam"

    def __init__(self, config: Any):
        super().__init__(config)
        self.store = IamStore(config.data_dir / ".lakebox" / "iam")

    def close(self) -> None:
        self.store.close()
