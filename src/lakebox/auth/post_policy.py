"""The signature of a browser-form upload (S3 POST Object): an HMAC over the base64 POST policy.

A form upload carries no Authorization header. Its proof of authority is the signed `policy` form
field, so the gateway lets such a request through as anonymous and the S3 provider calls this module.

- SigV4 (`x-amz-algorithm`, `x-amz-credential`, `x-amz-date`, `x-amz-signature`): the hex
  HMAC-SHA256 of the base64 policy text, under the same derived key a request signature uses
  (`sigv4.signing_key` over the credential's date, region and service).
- SigV2 (`AWSAccessKeyId`, `signature`): the base64 HMAC-SHA1 of the base64 policy text
  (`sigv2.sign_v2`).

The string to sign is the policy exactly as received, before it is decoded: S3 answers a truncated
policy with SignatureDoesNotMatch, not with a policy error, and so does this module. Like
`verify_signature`, it is called in strict mode only.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Optional

from . import errors
from .info import SIGV4_ALGORITHM, AuthInfo
from .parse import _take_credential
from .sigv2 import sign_v2
from .sigv4 import hmac_hex, signing_key

SIGV4 = "sigv4"
SIGV2 = "sigv2"


@dataclass
class PostSignature:
    """What a form claims about its signer: `kind` is SIGV4 or SIGV2; scope members are SigV4 only."""

    kind: str
    access_key: str
    signature: str
    credential_date: str = ""
    region: str = ""
    service: str = ""


def parse_credential(text: str) -> tuple[str, str, str, str]:
    """(access key, yyyymmdd, region, service) from `AKID/yyyymmdd/region/s3/aws4_request`.

    Raises ValueError with S3's wording for a malformed credential; the caller answers it in the
    service's own error (S3 names the form field in an InvalidArgument).
    """
    info = AuthInfo()
    problem = _take_credential(info, text, "")
    if problem:
        raise ValueError(problem)
    return info.access_key or "", info.credential_date or "", info.region or "", info.service or ""


def sigv4_signature(secret_key: str, policy: str, date: str, region: str, service: str) -> str:
    """The x-amz-signature a form carrying `policy` needs (hex)."""
    return hmac_hex(signing_key(secret_key, date, region, service), policy)


def sigv2_signature(secret_key: str, policy: str) -> str:
    """The `signature` a SigV2 form carrying `policy` needs (base64)."""
    return sign_v2(secret_key, policy)


def verify_post_signature(policy: str, claimed: PostSignature, secret_key: Optional[str]) -> None:
    """Raise InvalidAccessKeyId (no secret for the key) or SignatureDoesNotMatch, as S3 does.

    `secret_key` is the configured secret of `claimed.access_key`, None when the key is unknown.
    """
    if secret_key is None:
        raise errors.invalid_access_key_id(claimed.access_key)
    if claimed.kind == SIGV4:
        expected = sigv4_signature(secret_key, policy, claimed.credential_date, claimed.region, claimed.service)
        provided = claimed.signature.strip().lower()
    else:
        expected = sigv2_signature(secret_key, policy)
        provided = claimed.signature.strip()
    if not hmac.compare_digest(expected.encode("ascii"), provided.encode("utf-8", "replace")):
        # S3's body names the policy as the string to sign, with no canonical request.
        raise errors.signature_does_not_match(claimed.access_key, claimed.signature, policy)


__all__ = [
    "SIGV2",
    "SIGV4",
    "SIGV4_ALGORITHM",
    "PostSignature",
    "parse_credential",
    "sigv2_signature",
    "sigv4_signature",
    "verify_post_signature",
]
