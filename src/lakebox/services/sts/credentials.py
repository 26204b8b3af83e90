"""Minting temporary credentials, and the checks AWS makes on what a caller asks for.

lakebox does not enforce IAM: any well-formed role ARN can be assumed (whether or not IAM holds the
role), and the role's account is the one in its ARN. What is real is the credentials: random keys in AWS's shapes (ASIA..., AROA...), an
expiry on the service clock, and a record in the config's `SessionCredentialStore` so that the
gateway maps them to their account and, in strict mode, checks them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from ...auth.sessions import ASSUMED_ROLE, FEDERATED_USER, SessionCredential
from ...protocol.errors import AwsError

DEFAULT_DURATION_SECONDS = 3600
#: GetFederationToken's default session (the model bounds it to 900..129600).
FEDERATION_DEFAULT_SECONDS = 43200
#: Role chaining (assuming a role with assumed-role credentials) caps the session at one hour.
CHAINED_MAX_SECONDS = 3600
#: The plain-text size session policies are measured against for PackedPolicySize.
PACKED_POLICY_LIMIT = 2048

# Java's \w, which the model's patterns use, is ASCII only.
_SESSION_NAME = re.compile(r"[\w+=,.@-]*", re.ASCII)
_SESSION_NAME_PATTERN = r"[\w+=,.@-]*"
_ROLE_ARN = re.compile(
    r"arn:(?P<partition>aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]):iam::(?P<account>\d{12}):"
    r"role/(?:[\x21-\x7e]*/)?(?P<name>[\w+=,.@-]{1,64})",
    re.ASCII,
)
#: The provider's ARN; the empty region field is optional, since STS reads only the account and name
#: (examples in circulation, and moto's tests, write `arn:aws:iam:<account>:saml-provider/...`).
_SAML_PROVIDER_ARN = re.compile(
    r"arn:(?P<partition>aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]):iam::?(?P<account>\d{12}):"
    r"saml-provider/(?P<name>[\w.-]{1,128})",
    re.ASCII,
)
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True)
class Role:
    arn: str
    partition: str
    account_id: str
    name: str
    #: The RoleId IAM gave the role, when IAM holds it.
    known_id: Optional[str] = None

    @property
    def role_id(self) -> str:
        """The role's unique id (AROA + 17 characters): IAM's for a role it holds, else one made from
        the ARN, the same every time the ARN is assumed."""
        if self.known_id:
            return self.known_id
        digest = hashlib.sha256(self.arn.encode("utf-8")).digest()
        return "AROA" + "".join(_BASE32[b % 32] for b in digest[:17])


def validation_error(message: str) -> AwsError:
    return AwsError("ValidationError", message, 400)


def parse_role_arn(arn: str) -> Role:
    match = _ROLE_ARN.fullmatch(arn)
    if match is None:
        raise validation_error(f"{arn} is invalid")
    return Role(arn, match["partition"], match["account"], match["name"])


def parse_saml_provider_arn(arn: str) -> tuple[str, str]:
    """(account id, provider name) of an IAM SAML provider ARN, as AssumeRoleWithSAML's PrincipalArn."""
    match = _SAML_PROVIDER_ARN.fullmatch(arn)
    if match is None:
        raise validation_error(f"{arn} is invalid")
    return match["account"], match["name"]


def check_session_name(name: str, member: str = "roleSessionName") -> None:
    """The model's pattern, which the generic validation leaves unchecked (its lengths it does check)."""
    if not _SESSION_NAME.fullmatch(name):
        raise validation_error(
            f"1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {_SESSION_NAME_PATTERN}"
        )


def role_duration(requested: Optional[int], chained: bool) -> int:
    """The session length for AssumeRole*; the model already bounds it to 900..43200."""
    seconds = DEFAULT_DURATION_SECONDS if requested is None else int(requested)
    if chained and seconds > CHAINED_MAX_SECONDS:
        raise validation_error(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )
    return seconds


def packed_policy_size(policy: Optional[str], policy_arns: Optional[list] = None) -> Optional[int]:
    """PackedPolicySize: the session policies' share of the allowed size, in percent (None: no policy).

    The inline policy and the managed policy ARNs share one plain-text allowance; over 100 percent
    the request fails with PackedPolicyTooLarge, before any credentials are issued."""
    if policy is None and not policy_arns:
        return None
    size = sum(len(item.get("arn") or "") for item in policy_arns or [])
    if policy is not None:
        try:
            size += len(json.dumps(json.loads(policy), separators=(",", ":")))
        except ValueError:
            size += len("".join(policy.split()))
    percent = max(1, -(-size * 100 // PACKED_POLICY_LIMIT))
    if percent > 100:
        raise AwsError("PackedPolicyTooLarge",
                       f"Packed policy consumes {percent}% of allotted space, please use smaller policy.", 400)
    return percent


def mint(account_id: str, arn: str, user_id: str, kind: str, now: datetime, seconds: int) -> SessionCredential:
    """New random credentials acting as `account_id`, expiring `seconds` after `now` (service clock)."""
    expiration = now.replace(microsecond=0) + timedelta(seconds=seconds)
    return SessionCredential(
        access_key="ASIA" + "".join(secrets.choice(_BASE32) for _ in range(16)),
        secret_key=base64.b64encode(secrets.token_bytes(30)).decode("ascii"),
        session_token=base64.b64encode(secrets.token_bytes(264)).decode("ascii"),
        account_id=account_id,
        expiration=expiration,
        arn=arn,
        user_id=user_id,
        kind=kind,
    )


def mint_for_role(role: Role, session_name: str, now: datetime, seconds: int,
                  transitive_tags: Optional[dict] = None) -> SessionCredential:
    arn = f"arn:{role.partition}:sts::{role.account_id}:assumed-role/{role.name}/{session_name}"
    credential = mint(role.account_id, arn, f"{role.role_id}:{session_name}", ASSUMED_ROLE, now, seconds)
    credential.transitive_tags = dict(transitive_tags or {})
    return credential


def session_tags(params: dict, caller_transitive: dict) -> dict:
    """Check AssumeRole's session tags as STS does; returns the transitive tags the new session carries
    (the calling session's, which a chained session cannot override, plus the ones marked now)."""
    tags = {t["Key"]: t.get("Value", "") for t in params.get("Tags") or []}
    lowered = {k.lower() for k in tags}
    if len(lowered) != len(tags):
        raise invalid_parameter("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    transitive = params.get("TransitiveTagKeys") or []
    if any(k.lower() not in lowered for k in transitive):
        raise invalid_parameter("The specified transitive tag key must be included in the requested tags.")
    inherited = {k.lower() for k in caller_transitive}
    if lowered & inherited:
        raise invalid_parameter("One of the specified transitive tag keys can't be set because it conflicts with a "
                                "transitive tag key from the calling session.")
    marked = {k.lower() for k in transitive}
    return {**caller_transitive, **{k: v for k, v in tags.items() if k.lower() in marked}}


def invalid_parameter(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message, 400)


def mint_federated(account_id: str, partition: str, name: str, now: datetime, seconds: int) -> SessionCredential:
    """GetFederationToken's credentials: the federated user `name` of the caller's account."""
    arn = f"arn:{partition}:sts::{account_id}:federated-user/{name}"
    return mint(account_id, arn, f"{account_id}:{name}", FEDERATED_USER, now, seconds)


def credentials_output(credential: SessionCredential) -> dict:
    return {
        "AccessKeyId": credential.access_key,
        "SecretAccessKey": credential.secret_key,
        "SessionToken": credential.session_token,
        "Expiration": credential.expiration,
    }


def web_identity_claims(token: str) -> dict:
    """The claims of a JWT, read without any check (lakebox trusts every identity provider); {} if
    the token is not a JWT."""
    parts = token.split(".")
    if len(parts) < 2:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}
