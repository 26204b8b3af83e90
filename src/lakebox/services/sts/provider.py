"""STS provider: GetCallerIdentity answers from the access key's account."""

from __future__ import annotations

from ...protocol.context import RequestContext
from ..base import Provider


class STSProvider(Provider):
    service_name = "sts"

    def get_caller_identity(self, ctx: RequestContext, params: dict) -> dict:
        # lakebox has no IAM users: every key acts as its account's root identity.
        return {
            "UserId": ctx.account_id if not ctx.access_key else ctx.access_key,
            "Account": ctx.account_id,
            "Arn": f"arn:aws:iam::{ctx.account_id}:root",
        }
