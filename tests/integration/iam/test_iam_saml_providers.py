"""SAML identity providers: the IdP's metadata under a name, with IAM's checks and answers."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
METADATA = """<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml"
    validUntil="2031-05-01T00:00:00Z">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>""" + " " * 600  # the model asks for at least 1,000 characters


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_saml_providers_from_creation_to_deletion(iam):
    made = iam.create_saml_provider(Name="Okta-Prod", SAMLMetadataDocument=METADATA,
                                    Tags=[{"Key": "team", "Value": "identity"}])
    arn = made["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta-Prod" and made["Tags"][0]["Key"] == "team"
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == METADATA
    assert got["ValidUntil"].isoformat() == "2031-05-01T00:00:00+00:00"
    assert len(got["SAMLProviderUUID"]) == 36
    listed = iam.list_saml_providers()["SAMLProviderList"]
    assert [p["Arn"] for p in listed] == [arn]
    assert iam.get_account_summary()["SummaryMap"]["Providers"] == 1

    with pytest.raises(ClientError) as info:
        iam.create_saml_provider(Name="Okta-Prod", SAMLMetadataDocument=METADATA)
    assert _error(info) == ("EntityAlreadyExists", 409)
    for bad in ("a" * 1024, "<notsaml>" + " " * 1000 + "</notsaml>"):
        with pytest.raises(ClientError) as info:
            iam.create_saml_provider(Name="Broken", SAMLMetadataDocument=bad)
        assert _error(info) == ("InvalidInput", 400)
        assert info.value.response["Error"]["Message"] == "Could not parse metadata"
    with pytest.raises(ClientError) as info:  # nor may an update break it
        iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument="a" * 1024)
    assert _error(info) == ("InvalidInput", 400)
    assert iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"] == METADATA

    renewed = METADATA.replace("2031-05-01", "2033-01-01")
    assert iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=renewed)["SAMLProviderArn"] == arn
    assert iam.get_saml_provider(SAMLProviderArn=arn)["ValidUntil"].year == 2033

    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    assert {t["Key"] for t in iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"]} == {"team", "env"}
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["team"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]

    iam.delete_saml_provider(SAMLProviderArn=arn)
    assert iam.list_saml_providers()["SAMLProviderList"] == []
    with pytest.raises(ClientError) as info:
        iam.get_saml_provider(SAMLProviderArn=arn)
    assert _error(info) == ("NoSuchEntity", 404)
    assert info.value.response["Error"]["Message"] == f"Manifest not found for arn {arn}"
    with pytest.raises(ClientError) as info:
        iam.delete_saml_provider(SAMLProviderArn=arn)
    assert _error(info) == ("NoSuchEntity", 404)


def test_metadata_without_valid_until_is_valid_for_a_century(iam):
    arn = iam.create_saml_provider(Name="adfs", SAMLMetadataDocument=METADATA.replace(
        ' validUntil="2031-05-01T00:00:00Z"', ""))["SAMLProviderArn"]
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["ValidUntil"].year - got["CreateDate"].year == 100
