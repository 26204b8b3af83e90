"""STS GetFederationToken, AssumeRoleWithSAML and DecodeAuthorizationMessage, end to end: the fields
returned, the credentials used against lakebox itself, and every bad input's code and status."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json

import botocore
import pytest
from botocore.exceptions import ClientError

from lakebox.config import Credential
from lakebox.testing import running_lakebox
from sts_helpers import client, with_credentials

ACCOUNT = "000000000000"
ADMIN_ACCOUNT = "123456789012"
ROLE_ACCOUNT = "111111111111"
ROLE_ARN = f"arn:aws:iam::{ROLE_ACCOUNT}:role/analysts"
PROVIDER_ARN = f"arn:aws:iam::{ROLE_ACCOUNT}:saml-provider/CorpIdP"
ADMIN_KEY, ADMIN_SECRET = "AKIDFEDADMIN", "federation-admin-secret"
ADMIN = {ADMIN_KEY: Credential(ADMIN_KEY, ADMIN_SECRET, ADMIN_ACCOUNT)}
ISSUER = "https://idp.example.com/saml"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
SESSIONS_ONLY = "Cannot call GetFederationToken with session credentials"


def anonymous_sts(server):
    return client("sts", server, signature_version=botocore.UNSIGNED, parameter_validation=False)


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def validation(member: str, value: str, constraint: str) -> tuple[str, str, int]:
    return ("ValidationError", f"1 validation error detected: Value {value} at '{member}' failed to satisfy "
                               f"constraint: {constraint}", 400)


@pytest.fixture
def strict_server(tmp_path):
    with running_lakebox(tmp_path / "strict", set_env=False, auth="strict", credentials=ADMIN) as server:
        yield server


@pytest.fixture
def admin_sts(strict_server):
    return client("sts", strict_server, ADMIN_KEY, ADMIN_SECRET)


# -- SAML responses -----------------------------------------------------------------------------------


def saml_response(*, session_name="alice@example.com", name_format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                  subject="alice-7f3a", recipient="https://signin.aws.amazon.com/saml", not_on_or_after="2999-01-01T00:00:00Z",
                  session_not_on_or_after=None, source_identity=None, status="urn:oasis:names:tc:SAML:2.0:status:Success",
                  prolog="", encode=True) -> str:
    """A SAML 2.0 Response as an IdP posts it (unsigned: lakebox verifies no signature)."""
    format_attr = f' Format="{name_format}"' if name_format else ""
    session_attr = f' SessionNotOnOrAfter="{session_not_on_or_after}"' if session_not_on_or_after else ""
    attributes = ""
    if session_name is not None:
        attributes += ('<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">'
                       f"<saml:AttributeValue>{session_name}</saml:AttributeValue></saml:Attribute>")
    if source_identity is not None:
        attributes += ('<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/SourceIdentity">'
                       f"<saml:AttributeValue>{source_identity}</saml:AttributeValue></saml:Attribute>")
    attributes += ('<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">'
                   f"<saml:AttributeValue>{ROLE_ARN},{PROVIDER_ARN}</saml:AttributeValue></saml:Attribute>")
    xml = f"""{prolog}<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
    xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"
    Destination="https://signin.aws.amazon.com/saml">
  <saml:Issuer>{ISSUER}</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="{status}"/></samlp:Status>
  <saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">
    <saml:Issuer>{ISSUER}</saml:Issuer>
    <saml:Subject>
      <saml:NameID{format_attr}>{subject}</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData Recipient="{recipient}" NotOnOrAfter="{not_on_or_after}"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="2026-01-01T00:00:00Z" NotOnOrAfter="{not_on_or_after}">
      <saml:AudienceRestriction><saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AuthnStatement AuthnInstant="2026-01-01T00:00:00Z"{session_attr}/>
    <saml:AttributeStatement>{attributes}</saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>"""
    return base64.b64encode(xml.encode()).decode() if encode else xml


def assume_with_saml(sts, assertion=None, **params):
    return sts.assume_role_with_saml(RoleArn=params.pop("RoleArn", ROLE_ARN),
                                     PrincipalArn=params.pop("PrincipalArn", PROVIDER_ARN),
                                     SAMLAssertion=assertion if assertion is not None else saml_response(), **params)


# -- GetFederationToken -------------------------------------------------------------------------------


def test_get_federation_token_returns_credentials_and_the_federated_user(lakebox_server):
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    out = client("sts", lakebox_server).get_federation_token(Name="bob")
    creds, user = out["Credentials"], out["FederatedUser"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SecretAccessKey"]) == 40 and creds["SessionToken"]
    # The default session is 12 hours.
    assert before + dt.timedelta(seconds=43200) <= creds["Expiration"] <= before + dt.timedelta(seconds=43300)
    assert user == {"FederatedUserId": f"{ACCOUNT}:bob", "Arn": f"arn:aws:sts::{ACCOUNT}:federated-user/bob"}
    assert out["PackedPolicySize"] == 0  # without a policy, as recorded on AWS


@pytest.mark.parametrize("seconds", [900, 129600])
def test_get_federation_token_duration_seconds_sets_the_expiration(lakebox_server, seconds):
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    creds = client("sts", lakebox_server).get_federation_token(Name="bob", DurationSeconds=seconds)["Credentials"]
    assert before + dt.timedelta(seconds=seconds) <= creds["Expiration"] <= before + dt.timedelta(seconds=seconds + 100)


def test_get_federation_token_reports_packed_policy_size_for_session_policies(lakebox_server):
    sts = client("sts", lakebox_server)
    inline = sts.get_federation_token(Name="bob", Policy=POLICY)["PackedPolicySize"]
    assert 1 <= inline <= 100
    arns = [{"arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}]
    both = sts.get_federation_token(Name="bob", Policy=POLICY, PolicyArns=arns)["PackedPolicySize"]
    assert both > inline
    assert 1 <= sts.get_federation_token(Name="bob", PolicyArns=arns)["PackedPolicySize"] < both
    tagged = sts.get_federation_token(Name="bob", Tags=[{"Key": "team", "Value": "data"}])
    assert tagged["FederatedUser"]["Arn"].endswith("/bob")


def test_get_federation_token_arn_carries_the_region_partition(lakebox_server):
    out = client("sts", lakebox_server, region="cn-north-1").get_federation_token(Name="li")
    assert out["FederatedUser"]["Arn"] == f"arn:aws-cn:sts::{ACCOUNT}:federated-user/li"


def test_caller_identity_with_federation_credentials_is_the_federated_user(lakebox_server):
    creds = client("sts", lakebox_server).get_federation_token(Name="carol@corp")["Credentials"]
    identity = with_credentials("sts", lakebox_server, creds).get_caller_identity()
    assert (identity["Account"], identity["UserId"], identity["Arn"]) == (
        ACCOUNT, f"{ACCOUNT}:carol@corp", f"arn:aws:sts::{ACCOUNT}:federated-user/carol@corp")


def test_federation_credentials_work_in_strict_mode_as_the_callers_account(strict_server, admin_sts):
    out = admin_sts.get_federation_token(Name="etl-bot", Policy=POLICY)
    s3 = with_credentials("s3", strict_server, out["Credentials"])
    s3.create_bucket(Bucket="federated")
    s3.put_object(Bucket="federated", Key="k", Body=b"from a federated user")
    assert s3.get_object(Bucket="federated", Key="k")["Body"].read() == b"from a federated user"
    admin_s3 = client("s3", strict_server, ADMIN_KEY, ADMIN_SECRET)
    assert "federated" in [b["Name"] for b in admin_s3.list_buckets()["Buckets"]]  # the caller's account owns it
    identity = with_credentials("sts", strict_server, out["Credentials"]).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ADMIN_ACCOUNT}:federated-user/etl-bot"
    wrong = dict(out["Credentials"], SessionToken="not-the-token")
    assert error_of(with_credentials("sts", strict_server, wrong).get_caller_identity) == (
        "InvalidClientTokenId", "The security token included in the request is invalid.", 403)


def test_get_federation_token_needs_long_term_credentials(lakebox_server):
    sts = client("sts", lakebox_server)
    role = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="hop")["Credentials"]
    session = sts.get_session_token()["Credentials"]
    federated = sts.get_federation_token(Name="bob")["Credentials"]
    for creds in (role, session, federated):
        assert error_of(with_credentials("sts", lakebox_server, creds).get_federation_token, Name="eve") == (
            "AccessDenied", SESSIONS_ONLY, 403)
    assert error_of(with_credentials("sts", lakebox_server, federated).get_session_token) == (
        "AccessDenied", "Cannot call GetSessionToken with session credentials", 403)


def test_get_federation_token_unsigned_in_strict_mode_is_refused(strict_server):
    assert error_of(anonymous_sts(strict_server).get_federation_token, Name="bob") == (
        "MissingAuthenticationToken", "Request is missing Authentication Token", 403)


@pytest.mark.parametrize("name, constraint", [
    ("bad name", r"Member must satisfy regular expression pattern: [\w+=,.@-]*"),
    ("slash/name", r"Member must satisfy regular expression pattern: [\w+=,.@-]*"),
    ("a", "Member must have length greater than or equal to 2"),
    ("n" * 33, "Member must have length less than or equal to 32"),
])
def test_get_federation_token_with_a_bad_name_is_a_validation_error(lakebox_server, name, constraint):
    sts = client("sts", lakebox_server, parameter_validation=False)
    assert error_of(sts.get_federation_token, Name=name) == validation("name", f"'{name}'", constraint)


def test_get_federation_token_without_a_name_is_a_validation_error(lakebox_server):
    sts = client("sts", lakebox_server, parameter_validation=False)
    assert error_of(sts.get_federation_token) == validation("name", "null", "Member must not be null")


@pytest.mark.parametrize("seconds, constraint", [
    (899, "Member must have value greater than or equal to 900"),
    (129601, "Member must have value less than or equal to 129600"),
])
def test_get_federation_token_duration_outside_900_to_129600_is_a_validation_error(lakebox_server, seconds,
                                                                                     constraint):
    sts = client("sts", lakebox_server, parameter_validation=False)
    assert error_of(sts.get_federation_token, Name="bob", DurationSeconds=seconds) == (
        validation("durationSeconds", f"'{seconds}'", constraint))


def test_get_federation_token_policy_over_2048_characters_is_a_validation_error(lakebox_server):
    sts = client("sts", lakebox_server, parameter_validation=False)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [], "Sid": "x" * 2100})
    assert error_of(sts.get_federation_token, Name="bob", Policy=policy) == (
        validation("policy", f"'{policy}'", "Member must have length less than or equal to 2048"))


def test_get_federation_token_with_more_than_50_tags_is_a_validation_error(lakebox_server):
    sts = client("sts", lakebox_server, parameter_validation=False)
    code, message, status = error_of(sts.get_federation_token, Name="bob",
                                     Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("1 validation error detected: Value '[") and message.endswith(
        "]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")


def test_get_federation_token_session_policies_over_the_packed_limit_issue_nothing(lakebox_server):
    sts = client("sts", lakebox_server)
    issued = len(lakebox_server.config.sessions)
    arns = [{"arn": f"arn:aws:iam::{ACCOUNT}:policy/{'p' * 120}-{i}"} for i in range(10)]
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                                 "Resource": "arn:aws:s3:::" + "b" * 900}]})
    code, message, status = error_of(sts.get_federation_token, Name="bob", Policy=policy, PolicyArns=arns)
    assert (code, status) == ("PackedPolicyTooLarge", 400)
    assert message.startswith("Packed policy consumes ") and message.endswith(
        "% of allotted space, please use smaller policy.")
    assert int(message.split()[3].rstrip("%")) > 100
    assert len(lakebox_server.config.sessions) == issued


# -- AssumeRoleWithSAML -------------------------------------------------------------------------------


def test_assume_role_with_saml_returns_the_assertions_identity(lakebox_server):
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    out = assume_with_saml(anonymous_sts(lakebox_server))
    creds, user = out["Credentials"], out["AssumedRoleUser"]
    assert creds["AccessKeyId"].startswith("ASIA") and creds["SessionToken"]
    assert before + dt.timedelta(seconds=3600) <= creds["Expiration"] <= before + dt.timedelta(seconds=3700)
    assert user["Arn"] == f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/analysts/alice@example.com"
    role_id, _, session = user["AssumedRoleId"].partition(":")
    assert role_id.startswith("AROA") and len(role_id) == 21 and session == "alice@example.com"
    assert (out["Subject"], out["SubjectType"], out["Issuer"], out["Audience"]) == (
        "alice-7f3a", "persistent", ISSUER, "https://signin.aws.amazon.com/saml")
    expected = base64.b64encode(hashlib.sha1(f"{ISSUER}{ROLE_ACCOUNT}/CorpIdP".encode()).digest()).decode()
    assert out["NameQualifier"] == expected
    assert "SourceIdentity" not in out and "PackedPolicySize" not in out


@pytest.mark.parametrize("name_format, subject_type", [
    ("urn:oasis:names:tc:SAML:2.0:nameid-format:transient", "transient"),
    ("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"),
    (None, None),
])
def test_assume_role_with_saml_subject_type_drops_only_the_saml2_prefix(lakebox_server, name_format, subject_type):
    out = assume_with_saml(anonymous_sts(lakebox_server), saml_response(name_format=name_format))
    assert out.get("SubjectType") == subject_type


def test_assume_role_with_saml_source_identity_duration_and_policy(lakebox_server):
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    out = assume_with_saml(anonymous_sts(lakebox_server), saml_response(source_identity="alice"),
                           DurationSeconds=7200, Policy=POLICY)
    assert out["SourceIdentity"] == "alice" and 1 <= out["PackedPolicySize"] <= 100
    assert before + dt.timedelta(seconds=7200) <= out["Credentials"]["Expiration"] <= before + dt.timedelta(
        seconds=7300)


def test_assume_role_with_saml_session_ends_at_session_not_on_or_after(lakebox_server):
    end = (lakebox_server.config.clock.now() + dt.timedelta(minutes=20)).replace(microsecond=0)
    out = assume_with_saml(anonymous_sts(lakebox_server),
                           saml_response(session_not_on_or_after=end.strftime("%Y-%m-%dT%H:%M:%SZ")),
                           DurationSeconds=7200)
    assert end - dt.timedelta(seconds=5) <= out["Credentials"]["Expiration"] <= end


def test_saml_credentials_work_in_strict_mode_without_signing_the_call(strict_server):
    out = assume_with_saml(anonymous_sts(strict_server))
    identity = with_credentials("sts", strict_server, out["Credentials"]).get_caller_identity()
    assert (identity["Account"], identity["Arn"], identity["UserId"]) == (
        ROLE_ACCOUNT, out["AssumedRoleUser"]["Arn"], out["AssumedRoleUser"]["AssumedRoleId"])
    s3 = with_credentials("s3", strict_server, out["Credentials"])
    s3.create_bucket(Bucket="saml-owned")
    s3.put_object(Bucket="saml-owned", Key="k", Body=b"via saml")
    assert s3.get_object(Bucket="saml-owned", Key="k")["Body"].read() == b"via saml"
    admin_s3 = client("s3", strict_server, ADMIN_KEY, ADMIN_SECRET)
    assert "saml-owned" not in [b["Name"] for b in admin_s3.list_buckets()["Buckets"]]  # the role's account
    assert error_of(with_credentials("sts", strict_server, out["Credentials"]).get_federation_token, Name="xy") == (
        "AccessDenied", SESSIONS_ONLY, 403)


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')


@pytest.mark.parametrize("assertion, message", [
    ("not base64 at all!", "The SAML assertion is not valid base64."),
    (base64.b64encode(b"<samlp:Response").decode(), "The SAML assertion is not well-formed XML."),
    (saml_response(prolog=BILLION_LAUGHS), "The SAML assertion must not contain a DTD."),
    (base64.b64encode(saml_response(prolog=BILLION_LAUGHS, encode=False).encode("utf-16")).decode(),
     "The SAML assertion must not contain a DTD."),
    (base64.b64encode(b'<Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"/>').decode(),
     "The SAML assertion is not a SAML 2.0 Response."),
    (base64.b64encode(b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>').decode(),
     "The SAML Response holds no Assertion."),
    (saml_response(subject=""), "The SAML assertion has no Subject NameID."),
    (saml_response(session_name=None), "RoleSessionName is required in AuthnResponse"),
    (saml_response(session_name="a"), "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"),
    (saml_response(session_name="bad name"), "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"),
    (saml_response(source_identity="bad identity"),
     "SourceIdentity in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"),
    (saml_response(status="urn:oasis:names:tc:SAML:2.0:status:Requester"),
     "The SAML Response status is urn:oasis:names:tc:SAML:2.0:status:Requester, not Success."),
    (saml_response(not_on_or_after="yesterday"), "The SAML assertion's NotOnOrAfter is not a valid time: yesterday"),
])
def test_assume_role_with_a_bad_saml_assertion_is_an_invalid_identity_token(lakebox_server, assertion, message):
    issued = len(lakebox_server.config.sessions)
    assert error_of(assume_with_saml, anonymous_sts(lakebox_server), assertion) == (
        "InvalidIdentityToken", message, 400)
    assert len(lakebox_server.config.sessions) == issued


def test_an_expired_saml_assertion_is_an_expired_token_on_the_service_clock(lakebox_server):
    soon = (lakebox_server.config.clock.now() + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assertion = saml_response(not_on_or_after=soon)
    assume_with_saml(anonymous_sts(lakebox_server), assertion)
    lakebox_server.advance_clock("10m")
    assert error_of(assume_with_saml, anonymous_sts(lakebox_server), assertion) == (
        "ExpiredTokenException", "The SAML assertion has expired.", 400)
    past = (lakebox_server.config.clock.now() - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert error_of(assume_with_saml, anonymous_sts(lakebox_server), saml_response(session_not_on_or_after=past)) == (
        "ExpiredTokenException", "The SAML assertion's session has ended (SessionNotOnOrAfter).", 400)


@pytest.mark.parametrize("params, expected", [
    ({"RoleArn": "arn:aws:iam::111111111111:user/analysts"},
     ("ValidationError", "arn:aws:iam::111111111111:user/analysts is invalid", 400)),
    ({"PrincipalArn": "arn:aws:iam::111111111111:oidc-provider/x"},
     ("ValidationError", "arn:aws:iam::111111111111:oidc-provider/x is invalid", 400)),
    ({"DurationSeconds": 43201},
     validation("durationSeconds", "'43201'", "Member must have value less than or equal to 43200")),
    ({"DurationSeconds": 899},
     validation("durationSeconds", "'899'", "Member must have value greater than or equal to 900")),
])
def test_assume_role_with_saml_bad_arguments_are_validation_errors(lakebox_server, params, expected):
    assert error_of(assume_with_saml, anonymous_sts(lakebox_server), **params) == expected


# -- DecodeAuthorizationMessage -----------------------------------------------------------------------


@pytest.mark.parametrize("message", ["x", "rHU-pVHMSckD0OAc5l3r9-gKN1XZjZ2X9J3w0fZ31licaTpAVwlD9ix3fLSABy3X",
                                     base64.b64encode(b'{"allowed":false}').decode()])
def test_decode_authorization_message_has_nothing_lakebox_encoded_to_decode(lakebox_server, message):
    assert error_of(client("sts", lakebox_server).decode_authorization_message, EncodedMessage=message) == (
        "InvalidAuthorizationMessageException", "Message is not valid", 400)


def test_decode_authorization_message_without_a_message_is_a_validation_error(lakebox_server):
    sts = client("sts", lakebox_server, parameter_validation=False)
    assert error_of(sts.decode_authorization_message, EncodedMessage="") == (
        validation("encodedMessage", "''", "Member must have length greater than or equal to 1"))


# -- durability ---------------------------------------------------------------------------------------


def test_federation_and_saml_credentials_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False, auth="strict", credentials=ADMIN) as server:
        federated = client("sts", server, ADMIN_KEY, ADMIN_SECRET).get_federation_token(Name="durable")["Credentials"]
        saml = assume_with_saml(anonymous_sts(server))["Credentials"]
        with_credentials("s3", server, federated).create_bucket(Bucket="fed-durable")
    with running_lakebox(data, set_env=False, auth="strict", credentials=ADMIN) as server:
        assert with_credentials("sts", server, federated).get_caller_identity()["Arn"] == (
            f"arn:aws:sts::{ADMIN_ACCOUNT}:federated-user/durable")
        assert [b["Name"] for b in with_credentials("s3", server, federated).list_buckets()["Buckets"]] == [
            "fed-durable"]
        assert with_credentials("sts", server, saml).get_caller_identity()["Arn"] == (
            f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/analysts/alice@example.com")
