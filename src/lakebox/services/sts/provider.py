"""STS provider: who the caller is, and temporary credentials that lakebox itself accepts.

Credentials from AssumeRole, AssumeRoleWithWebIdentity and GetSessionToken are recorded in the
config's session store (see credentials.py); requests signed with them act as the role's account.
"""

from __future__ import annotations

from typing import Optional

from ...auth.sessions import ASSUMED_ROLE, SESSION_TOKEN, SessionCredential
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ..base import Provider
from . import credentials as creds


class STSProvider(Provider):
    service_name = "sts"

    def get_caller_identity(self, ctx: RequestContext, params: dict) -> dict:
        session = self._session(ctx)
        if session is not None:
            return {"UserId": session.user_id, "Account": session.account_id, "Arn": session.arn}
        return self._long_term_identity(ctx)

    def assume_role(self, ctx: RequestContext, params: dict) -> dict:
        caller = self._session(ctx)
        return self._assume(ctx, params, chained=caller is not None and caller.kind == ASSUMED_ROLE)

    def assume_role_with_web_identity(self, ctx: RequestContext, params: dict) -> dict:
        # Any token is accepted: lakebox checks no identity provider's signature.
        out = self._assume(ctx, params, chained=False)
        claims = creds.web_identity_claims(params["WebIdentityToken"])
        audience = claims.get("aud")
        if isinstance(audience, list):
            audience = audience[0] if audience else None
        out["SubjectFromWebIdentityToken"] = str(claims.get("sub") or params["RoleSessionName"])
        out["Audience"] = str(audience or "sts.amazonaws.com")
        out["Provider"] = str(params.get("ProviderId") or claims.get("iss") or "sts.amazonaws.com")
        return out

    def get_session_token(self, ctx: RequestContext, params: dict) -> dict:
        if self._session(ctx) is not None:
            raise AwsError("AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
        identity = self._long_term_identity(ctx)
        seconds = params.get("DurationSeconds") or creds.DEFAULT_DURATION_SECONDS
        credential = creds.mint(ctx.account_id, identity["Arn"], identity["UserId"], SESSION_TOKEN,
                                self._now(), seconds)
        self._record(credential)
        return {"Credentials": creds.credentials_output(credential)}

    def get_access_key_info(self, ctx: RequestContext, params: dict) -> dict:
        return {"Account": self.config.account_for(params["AccessKeyId"])}

    # -- helpers ----------------------------------------------------------------------------------

    def _assume(self, ctx: RequestContext, params: dict, chained: bool) -> dict:
        session_name = params["RoleSessionName"]
        creds.check_session_name(session_name)
        role = creds.parse_role_arn(params["RoleArn"])
        seconds = creds.role_duration(params.get("DurationSeconds"), chained)
        credential = creds.mint_for_role(role, session_name, self._now(), seconds)
        self._record(credential)
        out: dict = {
            "Credentials": creds.credentials_output(credential),
            "AssumedRoleUser": {"AssumedRoleId": credential.user_id, "Arn": credential.arn},
        }
        packed = creds.packed_policy_size(params.get("Policy"))
        if packed is not None:
            out["PackedPolicySize"] = packed
        if params.get("SourceIdentity"):
            out["SourceIdentity"] = params["SourceIdentity"]
        return out

    def _session(self, ctx: RequestContext) -> Optional[SessionCredential]:
        if ctx.access_key is None or ctx.access_key in self.config.credentials:
            return None
        return self.config.sessions.get(ctx.access_key)

    @staticmethod
    def _long_term_identity(ctx: RequestContext) -> dict:
        # lakebox has no IAM users: every long-term key acts as its account's root identity.
        return {
            "UserId": ctx.account_id if not ctx.access_key else ctx.access_key,
            "Account": ctx.account_id,
            "Arn": f"arn:aws:iam::{ctx.account_id}:root",
        }

    def _now(self):
        return self.config.clock.now()

    def _record(self, credential: SessionCredential) -> None:
        self.config.sessions.add(credential, self._now())
