"""OpenID Connect providers over boto3: the entity a CI system's tokens assume roles through."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from iam_helpers import iam_client

from lakebox.testing import running_lakebox

URL = "https://token.actions.githubusercontent.com"
ARN = "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"
THUMBPRINT = "6938fd4d98bab03faadb97b34396831e3780aea1"


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_a_provider_is_created_read_changed_tagged_and_deleted(iam):
    created = iam.create_open_id_connect_provider(Url=URL, ClientIDList=["sts.amazonaws.com"],
                                                  ThumbprintList=[THUMBPRINT], Tags=[{"Key": "ci", "Value": "gh"}])
    assert created["OpenIDConnectProviderArn"] == ARN and created["Tags"] == [{"Key": "ci", "Value": "gh"}]
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert (got["Url"], got["ClientIDList"], got["ThumbprintList"]) == (
        "token.actions.githubusercontent.com", ["sts.amazonaws.com"], [THUMBPRINT])
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == [{"Arn": ARN}]

    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=ARN, ClientID="my-app")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=ARN, ClientID="my-app")  # idempotent
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=ARN, ClientID="sts.amazonaws.com")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=ARN, ThumbprintList=["a" * 40])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert (got["ClientIDList"], got["ThumbprintList"]) == (["my-app"], ["a" * 40])

    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=ARN, Tags=[{"Key": "team", "Value": "data"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=ARN, TagKeys=["ci"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=ARN)["Tags"] == [
        {"Key": "team", "Value": "data"}]

    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    with pytest.raises(ClientError) as info:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
    assert _error(info) == ("NoSuchEntity", 404)


@pytest.mark.parametrize("params, code", [
    ({"Url": "http://insecure.example.com"}, "InvalidInput"),
    ({"Url": "https://"}, "InvalidInput"),
    ({"Url": URL, "ThumbprintList": ["a" * 40] * 6}, "LimitExceeded"),
    ({"Url": URL, "ClientIDList": [f"c{i}" for i in range(101)]}, "LimitExceeded"),
])
def test_bad_providers_are_refused_and_nothing_is_created(iam, params, code):
    with pytest.raises(ClientError) as info:
        iam.create_open_id_connect_provider(**params)
    assert _error(info)[0] == code
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []


def test_a_url_is_unique_and_providers_survive_a_restart(tmp_path):
    with running_lakebox(tmp_path, set_env=False) as server:
        iam = iam_client(server)
        iam.create_open_id_connect_provider(Url=URL, ClientIDList=["sts.amazonaws.com"])
        with pytest.raises(ClientError) as info:
            iam.create_open_id_connect_provider(Url=URL)
        assert _error(info) == ("EntityAlreadyExists", 409)
    with running_lakebox(tmp_path, set_env=False) as server:
        got = iam_client(server).get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
        assert got["ClientIDList"] == ["sts.amazonaws.com"]
