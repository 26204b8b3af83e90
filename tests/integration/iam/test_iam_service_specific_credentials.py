"""Service-specific credentials (CodeCommit, Keyspaces) kept as state, with AWS's answers and errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

CODECOMMIT = "codecommit.amazonaws.com"
STATUS_ENUM = ("ValidationError", "1 validation error detected: Value at 'status' failed to satisfy constraint: "
                                  "Member must satisfy enum value set", 400)


def _error(info) -> tuple[str, str, int]:
    response = info.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize("service", [CODECOMMIT, "cassandra.amazonaws.com"])
def test_service_specific_credential_lifecycle(iam, service):
    iam.create_user(UserName="dev")
    created = iam.create_service_specific_credential(UserName="dev", ServiceName=service)["ServiceSpecificCredential"]
    assert set(created) == {"CreateDate", "ServiceName", "ServicePassword", "ServiceSpecificCredentialId",
                            "ServiceUserName", "Status", "UserName"}
    assert (created["ServiceName"], created["ServiceUserName"], created["Status"], created["UserName"]) == \
        (service, "dev-at-000000000000", "Active", "dev")
    credential_id = created["ServiceSpecificCredentialId"]

    listed = iam.list_service_specific_credentials(UserName="dev", ServiceName=service)["ServiceSpecificCredentials"]
    assert listed == [{k: v for k, v in created.items() if k != "ServicePassword"}]

    iam.update_service_specific_credential(UserName="dev", ServiceSpecificCredentialId=credential_id, Status="Inactive")
    listed = iam.list_service_specific_credentials(UserName="dev", ServiceName=service)["ServiceSpecificCredentials"]
    assert [c["Status"] for c in listed] == ["Inactive"]

    reset = iam.reset_service_specific_credential(UserName="dev", ServiceSpecificCredentialId=credential_id)[
        "ServiceSpecificCredential"]
    assert reset["ServicePassword"] != created["ServicePassword"] and reset["Status"] == "Inactive"

    with pytest.raises(ClientError) as info:
        iam.delete_user(UserName="dev")
    assert _error(info) == ("DeleteConflict", "Cannot delete entity, must remove referenced objects first.", 409)
    iam.delete_service_specific_credential(UserName="dev", ServiceSpecificCredentialId=credential_id)
    assert iam.list_service_specific_credentials(UserName="dev")["ServiceSpecificCredentials"] == []
    iam.delete_user(UserName="dev")


def test_unknown_users_and_unsupported_services(iam):
    for service in (CODECOMMIT, "nonexistentservice.amazonaws.com"):
        with pytest.raises(ClientError) as info:
            iam.create_service_specific_credential(UserName="non-existent-user", ServiceName=service)
        assert _error(info) == ("NoSuchEntity", "The user with name non-existent-user cannot be found.", 404)
    iam.create_user(UserName="dev")
    for service in ("nonexistentservice.amazonaws.com", "o3on3n3onosneo", "lambda.amazonaws.com"):
        with pytest.raises(ClientError) as info:
            iam.create_service_specific_credential(UserName="dev", ServiceName=service)
        assert _error(info) == ("NoSuchEntity", f"No such service {service} is supported for Service Specific "
                                                "Credentials", 404)
    iam.create_service_specific_credential(UserName="dev", ServiceName=CODECOMMIT)
    assert iam.list_service_specific_credentials(UserName="dev", ServiceName="cassandra.amazonaws.com")[
        "ServiceSpecificCredentials"] == []


def test_wrong_ids_and_wrong_users(iam):
    iam.create_user(UserName="dev")
    credential_id = iam.create_service_specific_credential(UserName="dev", ServiceName=CODECOMMIT)[
        "ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
    calls = {
        "update": lambda **kw: iam.update_service_specific_credential(Status="Inactive", **kw),
        "reset": iam.reset_service_specific_credential,
        "delete": iam.delete_service_specific_credential,
    }
    for name, call in calls.items():
        with pytest.raises(ClientError) as info:
            call(UserName="dev", ServiceSpecificCredentialId="totally-wrong-credential-id-with-hyphens")
        assert _error(info) == ("ValidationError", "1 validation error detected: Value at 'serviceSpecificCredentialId' "
                                "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+",
                                400), name
        with pytest.raises(ClientError) as info:
            call(UserName="dev", ServiceSpecificCredentialId="satisfiesregexbutstillinvalid")
        assert _error(info) == ("NoSuchEntity", "No such credential satisfiesregexbutstillinvalid exists", 404), name
        with pytest.raises(ClientError) as info:
            call(UserName="wrong-user-name", ServiceSpecificCredentialId=credential_id)
        assert _error(info) == ("NoSuchEntity", "The user with name wrong-user-name cannot be found.", 404), name


def test_statuses_outside_the_enum_are_refused(iam):
    iam.create_user(UserName="dev")
    credential_id = iam.create_service_specific_credential(UserName="dev", ServiceName=CODECOMMIT)[
        "ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
    with pytest.raises(ClientError) as info:
        iam.update_service_specific_credential(ServiceSpecificCredentialId=credential_id, Status="Invalid")
    assert _error(info) == STATUS_ENUM
    # An access key's status is the same enum; a bad one must not be stored (it decides authentication).
    key_id = iam.create_access_key(UserName="dev")["AccessKey"]["AccessKeyId"]
    with pytest.raises(ClientError) as info:
        iam.update_access_key(UserName="dev", AccessKeyId=key_id, Status="Invalid")
    assert _error(info) == STATUS_ENUM
    assert [k["Status"] for k in iam.list_access_keys(UserName="dev")["AccessKeyMetadata"]] == ["Active"]


def test_a_renamed_user_keeps_its_credentials(iam):
    iam.create_user(UserName="old")
    iam.create_service_specific_credential(UserName="old", ServiceName=CODECOMMIT)
    iam.update_user(UserName="old", NewUserName="new")
    listed = iam.list_service_specific_credentials(UserName="new")["ServiceSpecificCredentials"]
    assert [c["UserName"] for c in listed] == ["new"]
