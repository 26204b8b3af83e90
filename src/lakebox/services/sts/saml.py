"""Reading the SAML 2.0 Response that AssumeRoleWithSAML is given.

lakebox has no identity provider and no IAM SAML provider entities, so the assertion's XML signature
is NOT verified, and the Role attribute is not matched against the RoleArn asked for: any
well-formed Response is believed, as AssumeRoleWithWebIdentity believes any JWT. What is checked is
what a client can get wrong without an IdP: the base64, the XML (parsed by the standard library's
expat; a DTD is refused before its internal subset is read, so no entity is ever expanded and no
external resource fetched), a Response holding an Assertion with a Subject NameID, the
RoleSessionName attribute AWS requires, and the validity times (NotOnOrAfter) on the service clock.

A bad assertion is AWS's InvalidIdentityToken (400), the error AWS answers for a SAML response it
cannot accept ("Response signature invalid", "RoleSessionName in AuthnResponse must match ..."); an
expired one is ExpiredTokenException.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Optional

from ...protocol.errors import AwsError

_ASSERTION = "{urn:oasis:names:tc:SAML:2.0:assertion}"
_PROTOCOL = "{urn:oasis:names:tc:SAML:2.0:protocol}"
#: AWS drops this prefix from SubjectType and returns any other format unchanged.
NAMEID_FORMAT_PREFIX = "urn:oasis:names:tc:SAML:2.0:nameid-format:"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
ROLE_SESSION_NAME = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
SOURCE_IDENTITY = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
_SESSION_NAME = re.compile(r"[a-zA-Z_0-9+=,.@-]{2,64}")
_SOURCE_IDENTITY = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)


@dataclass(frozen=True)
class SamlClaims:
    subject: str
    subject_type: Optional[str]
    issuer: str
    audience: Optional[str]
    session_name: str
    source_identity: Optional[str]
    #: AuthnStatement's SessionNotOnOrAfter: the session may last no longer.
    session_end: Optional[dt.datetime]


def invalid_token(message: str) -> AwsError:
    return AwsError("InvalidIdentityToken", message, 400)


def expired_token(message: str) -> AwsError:
    return AwsError("ExpiredTokenException", message, 400)


def name_qualifier(issuer: str, account_id: str, provider_name: str) -> str:
    """AWS's NameQualifier: BASE64(SHA1(Issuer + account id + "/" + SAML provider name))."""
    digest = hashlib.sha1(f"{issuer}{account_id}/{provider_name}".encode("utf-8")).digest()
    return base64.b64encode(digest).decode("ascii")


def read_response(encoded: str, now: dt.datetime) -> SamlClaims:
    """The claims of a base64 SAML Response, checked as far as lakebox can (see the module doc);
    `now` is the service clock."""
    root = _parse(_decode(encoded))
    if root.tag != f"{_PROTOCOL}Response":
        raise invalid_token("The SAML assertion is not a SAML 2.0 Response.")
    status = root.find(f"{_PROTOCOL}Status/{_PROTOCOL}StatusCode")
    if status is not None and status.get("Value") != SUCCESS:
        raise invalid_token(f"The SAML Response status is {status.get('Value')}, not Success.")
    assertion = root.find(f"{_ASSERTION}Assertion")
    if assertion is None:
        if root.find(f"{_ASSERTION}EncryptedAssertion") is not None:
            raise invalid_token("Encrypted SAML assertions are not supported: lakebox holds no decryption key.")
        raise invalid_token("The SAML Response holds no Assertion.")
    name_id = assertion.find(f"{_ASSERTION}Subject/{_ASSERTION}NameID")
    if name_id is None or not (name_id.text or "").strip():
        raise invalid_token("The SAML assertion has no Subject NameID.")
    issuer = _text(assertion.find(f"{_ASSERTION}Issuer")) or _text(root.find(f"{_ASSERTION}Issuer"))
    if not issuer:
        raise invalid_token("The SAML assertion has no Issuer.")
    confirmation = assertion.find(f"{_ASSERTION}Subject/{_ASSERTION}SubjectConfirmation/"
                                  f"{_ASSERTION}SubjectConfirmationData")
    for element in (confirmation, assertion.find(f"{_ASSERTION}Conditions")):
        expiry = _time(element, "NotOnOrAfter")
        if expiry is not None and now >= expiry:
            raise expired_token("The SAML assertion has expired.")
    session_end = _time(assertion.find(f"{_ASSERTION}AuthnStatement"), "SessionNotOnOrAfter")
    attributes = _attributes(assertion)
    session_name = attributes.get(ROLE_SESSION_NAME)
    if session_name is None:
        raise invalid_token("RoleSessionName is required in AuthnResponse")
    if not _SESSION_NAME.fullmatch(session_name):
        raise invalid_token("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")
    source_identity = attributes.get(SOURCE_IDENTITY)
    if source_identity is not None and not _SOURCE_IDENTITY.fullmatch(source_identity):
        raise invalid_token("SourceIdentity in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")
    name_format = name_id.get("Format")
    if name_format is not None and name_format.startswith(NAMEID_FORMAT_PREFIX):
        name_format = name_format[len(NAMEID_FORMAT_PREFIX):]
    recipient = confirmation.get("Recipient") if confirmation is not None else None
    return SamlClaims(subject=name_id.text.strip(), subject_type=name_format, issuer=issuer, audience=recipient,
                      session_name=session_name, source_identity=source_identity, session_end=session_end)


def _decode(encoded: str) -> bytes:
    try:
        # IdPs and browsers may wrap the base64 over several lines.
        return base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise invalid_token("The SAML assertion is not valid base64.") from None


class _NoDoctype(ET.TreeBuilder):
    """A tree builder that refuses a DOCTYPE as soon as expat meets it, before any entity is declared."""

    def doctype(self, name, pubid, system):
        raise _DoctypeRefused()


class _DoctypeRefused(Exception):
    pass


def _parse(raw: bytes) -> ET.Element:
    parser = ET.XMLParser(target=_NoDoctype())
    try:
        parser.feed(raw)
        return parser.close()
    except _DoctypeRefused:
        raise invalid_token("The SAML assertion must not contain a DTD.") from None
    except ET.ParseError:
        raise invalid_token("The SAML assertion is not well-formed XML.") from None


def _text(element: Optional[ET.Element]) -> str:
    return (element.text or "").strip() if element is not None else ""


def _attributes(assertion: ET.Element) -> dict[str, str]:
    """Each attribute's first value, by Name."""
    found: dict[str, str] = {}
    for attribute in assertion.iter(f"{_ASSERTION}Attribute"):
        value = attribute.find(f"{_ASSERTION}AttributeValue")
        if attribute.get("Name") and value is not None:
            found.setdefault(attribute.get("Name"), _text(value))
    return found


def _time(element: Optional[ET.Element], name: str) -> Optional[dt.datetime]:
    text = element.get(name) if element is not None else None
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise invalid_token(f"The SAML assertion's {name} is not a valid time: {text}") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
