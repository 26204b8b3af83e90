"""STS provider: who the caller is, and temporary credentials that lakebox itself accepts.

Credentials from AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML, GetSessionToken and
GetFederationToken are recorded in the config's session store (see credentials.py); requests signed
with them act as the role's account (the caller's, for the last two). An MFA code given to
AssumeRole or GetSessionToken is checked against the IAM virtual device it names.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

from ...auth.sessions import ASSUMED_ROLE, SESSION_TOKEN, SessionCredential
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...regions import partition_of
from ..base import Provider
from . import credentials as creds
from . import saml


class STSProvider(Provider):
    service_name = "sts"
    #: The IAM provider, set by `build_providers`, for the RoleIds of the roles it holds.
    iam: Any = None

    def get_caller_identity(self, ctx: RequestContext, params: dict) -> dict:
        session = self._session(ctx)
        if session is not None:
            return {"UserId": session.user_id, "Account": session.account_id, "Arn": session.arn}
        return self._long_term_identity(ctx)

    def assume_role(self, ctx: RequestContext, params: dict) -> dict:
        self._check_mfa(ctx, params)
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

    def assume_role_with_saml(self, ctx: RequestContext, params: dict) -> dict:
        """Credentials for the role, for the user a SAML 2.0 Response names.

        The Response's XML signature is not verified: lakebox has no identity provider to hold its
        key (see saml.py for what is checked). The session lasts DurationSeconds (3600 by default),
        or until the assertion's SessionNotOnOrAfter if that comes sooner."""
        role = creds.parse_role_arn(params["RoleArn"])
        provider_account, provider_name = creds.parse_saml_provider_arn(params["PrincipalArn"])
        now = self._now()
        claims = saml.read_response(params["SAMLAssertion"], now)
        seconds = creds.role_duration(params.get("DurationSeconds"), chained=False)
        if claims.session_end is not None:
            left = int((claims.session_end - now).total_seconds())
            if left <= 0:
                raise saml.expired_token("The SAML assertion's session has ended (SessionNotOnOrAfter).")
            seconds = min(seconds, left)
        out = self._issue_for_role(role, claims.session_name, seconds, params, claims.source_identity)
        out.update(Subject=claims.subject, Issuer=claims.issuer,
                   NameQualifier=saml.name_qualifier(claims.issuer, provider_account, provider_name))
        if claims.subject_type is not None:
            out["SubjectType"] = claims.subject_type
        if claims.audience is not None:
            out["Audience"] = claims.audience
        return out

    def get_federation_token(self, ctx: RequestContext, params: dict) -> dict:
        """Credentials for a federated user of the caller's account, which must call with long-term
        keys. Session policies and tags are measured (PackedPolicySize) but not enforced: lakebox
        evaluates no IAM policy."""
        if self._session(ctx) is not None:
            raise AwsError("AccessDenied", "Cannot call GetFederationToken with session credentials", 403)
        name = params["Name"]
        creds.check_session_name(name, member="name")
        seconds = params.get("DurationSeconds") or creds.FEDERATION_DEFAULT_SECONDS
        packed = creds.packed_policy_size(params.get("Policy"), params.get("PolicyArns"))
        credential = creds.mint_federated(ctx.account_id, partition_of(ctx.region), name, self._now(), seconds)
        self._record(credential)
        # Unlike AssumeRole, GetFederationToken answers PackedPolicySize 0 without a policy (recorded).
        return {"Credentials": creds.credentials_output(credential),
                "FederatedUser": {"FederatedUserId": credential.user_id, "Arn": credential.arn},
                "PackedPolicySize": packed or 0}

    def decode_authorization_message(self, ctx: RequestContext, params: dict) -> dict:
        """lakebox evaluates no IAM policy, so it never encodes an authorization failure: there is no
        message it could decode, and every one is answered as AWS answers one it cannot read."""
        raise AwsError("InvalidAuthorizationMessageException", "Message is not valid", 400)

    def get_session_token(self, ctx: RequestContext, params: dict) -> dict:
        if self._session(ctx) is not None:
            raise AwsError("AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
        self._check_mfa(ctx, params)
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
        role = self._known(creds.parse_role_arn(params["RoleArn"]))
        seconds = creds.role_duration(params.get("DurationSeconds"), chained)
        caller = self._session(ctx)
        transitive = creds.session_tags(params, caller.transitive_tags if caller is not None else {})
        return self._issue_for_role(role, session_name, seconds, params, params.get("SourceIdentity"), transitive)

    def _check_mfa(self, ctx: RequestContext, params: dict) -> None:
        """A SerialNumber and TokenCode must be a current code of an MFA device enabled in IAM (a
        virtual device lakebox made: IAM's mfa_devices.py), as STS checks them before it issues
        credentials; a call that names neither asks for no MFA."""
        serial, code = params.get("SerialNumber"), params.get("TokenCode")
        if not serial and not code:
            return
        account = serial.split(":")[4] if serial and serial.startswith("arn:") and serial.count(":") >= 5 else ""
        if not serial or not code or self.iam is None or not self.iam.verify_mfa_code(account, serial, code):
            raise AwsError("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.", 403)

    def _known(self, role: creds.Role) -> creds.Role:
        """The role with IAM's RoleId when IAM holds it (AssumedRoleId then starts with it, as on AWS)."""
        held = self.iam.store.get(role.account_id, "role", role.name) if self.iam is not None else None
        return dataclasses.replace(role, known_id=held["RoleId"]) if held is not None else role

    def _issue_for_role(self, role: creds.Role, session_name: str, seconds: int, params: dict,
                        source_identity: Optional[str], transitive_tags: Optional[dict] = None) -> dict:
        # Measured first: a policy too large must leave no credentials behind.
        packed = creds.packed_policy_size(params.get("Policy"), params.get("PolicyArns"))
        credential = creds.mint_for_role(role, session_name, self._now(), seconds, transitive_tags)
        self._record(credential)
        out: dict = {
            "Credentials": creds.credentials_output(credential),
            "AssumedRoleUser": {"AssumedRoleId": credential.user_id, "Arn": credential.arn},
        }
        if packed is not None:
            out["PackedPolicySize"] = packed
        if source_identity:
            out["SourceIdentity"] = source_identity
        return out

    def _session(self, ctx: RequestContext) -> Optional[SessionCredential]:
        if ctx.access_key is None or ctx.access_key in self.config.credentials:
            return None
        return self.config.sessions.get(ctx.access_key)

    def _long_term_identity(self, ctx: RequestContext) -> dict:
        """An access key IAM issued acts as its user; any other long-term key as its account's root."""
        user = self._iam_user_of(ctx)
        if user is not None:
            return {"UserId": user["UserId"], "Account": ctx.account_id, "Arn": user["Arn"]}
        return {
            "UserId": ctx.account_id if not ctx.access_key else ctx.access_key,
            "Account": ctx.account_id,
            "Arn": f"arn:aws:iam::{ctx.account_id}:root",
        }

    def _iam_user_of(self, ctx: RequestContext) -> Optional[dict]:
        if self.iam is None or not ctx.access_key:
            return None
        key = self.iam.store.get(ctx.account_id, "access-key", ctx.access_key)
        return self.iam.store.get(ctx.account_id, "user", key["UserName"]) if key is not None else None

    def _now(self):
        return self.config.clock.now()

    def _record(self, credential: SessionCredential) -> None:
        self.config.sessions.add(credential, self._now())
