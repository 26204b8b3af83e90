"""The Data Catalog's security settings through boto3: encryption settings, resource policies (with
their hash and existence conditions) and security configurations; every refusal's code, status and
message; and persistence across a restart and a `kill -9`."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from glue_helpers import REGION, error_of, make_glue

from lakebox.testing import running_lakebox

ACCOUNT = "000000000000"
CATALOG_ARN = f"arn:aws:glue:{REGION}:{ACCOUNT}:catalog"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/GlueCatalogEncryption"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "glue:GetTable",
    "Resource": f"arn:aws:glue:{REGION}:{ACCOUNT}:*"}]})
OTHER_POLICY = POLICY.replace("GetTable", "GetDatabase")


def _error(call, **kwargs) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    return error_of(exc)


def _unchecked_glue(server):
    """A client that sends what boto3 would refuse, so the server's own model validation answers."""
    return boto3.client("glue", endpoint_url=server.endpoint_url, region_name=REGION, aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, parameter_validation=False))


def _sha(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


# -- data catalog encryption settings --------------------------------------------------------------------

def test_get_encryption_settings_of_a_fresh_catalog_returns_aws_defaults(glue):
    assert glue.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"] == {
        "EncryptionAtRest": {"CatalogEncryptionMode": "DISABLED"},
        "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": False}}


def test_put_encryption_settings_round_trips_both_parts(glue):
    settings = {
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS-WITH-SERVICE-ROLE", "SseAwsKmsKeyId": KEY,
                             "CatalogEncryptionServiceRole": ROLE},
        "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": True, "AwsKmsKeyId": KEY}}
    glue.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings=settings)
    assert glue.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"] == settings
    assert glue.get_data_catalog_encryption_settings(CatalogId=ACCOUNT)["DataCatalogEncryptionSettings"] == settings


def test_put_encryption_settings_replaces_the_part_left_out_with_its_default(glue):
    glue.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": KEY},
        "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": True, "AwsKmsKeyId": KEY}})
    glue.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS"}})
    assert glue.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"] == {
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS"},
        "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": False}}


def test_encryption_settings_are_kept_per_catalog_id_and_region(glue, lakebox_server):
    glue.put_data_catalog_encryption_settings(CatalogId="111122223333", DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS"}})
    assert glue.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"]["EncryptionAtRest"] == \
        {"CatalogEncryptionMode": "DISABLED"}
    other_region = make_glue(lakebox_server.endpoint_url, region="eu-west-1")
    assert other_region.get_data_catalog_encryption_settings(CatalogId="111122223333")[
        "DataCatalogEncryptionSettings"]["EncryptionAtRest"] == {"CatalogEncryptionMode": "DISABLED"}
    assert glue.get_data_catalog_encryption_settings(CatalogId="111122223333")[
        "DataCatalogEncryptionSettings"]["EncryptionAtRest"] == {"CatalogEncryptionMode": "SSE-KMS"}


@pytest.mark.parametrize("settings, message", [
    ({"EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS-WITH-SERVICE-ROLE", "SseAwsKmsKeyId": KEY}},
     "CatalogEncryptionServiceRole is required when CatalogEncryptionMode is SSE-KMS-WITH-SERVICE-ROLE."),
    ({"EncryptionAtRest": {"CatalogEncryptionMode": "AES256"}},
     ("1 validation error detected: Value 'AES256' at 'dataCatalogEncryptionSettings.encryptionAtRest."
     "catalogEncryptionMode' failed to satisfy constraint: Member must satisfy enum value set: "
     "[DISABLED, SSE-KMS, SSE-KMS-WITH-SERVICE-ROLE]")),
    ({"EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS-WITH-SERVICE-ROLE", "CatalogEncryptionServiceRole":
                           "GlueRole"}},
     ("1 validation error detected: Value 'GlueRole' at 'dataCatalogEncryptionSettings.encryptionAtRest."
     "catalogEncryptionServiceRole' failed to satisfy constraint: Member must satisfy regular expression "
     "pattern: ^arn:aws(-(cn|us-gov|iso(-[bef])?))?:iam::[0-9]{12}:role/.+")),
    ({"ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": True}},
     "AwsKmsKeyId is required when ReturnConnectionPasswordEncrypted is true."),
])
def test_put_encryption_settings_refuses_bad_input_and_keeps_the_old(glue, settings, message):
    assert _error(glue.put_data_catalog_encryption_settings, DataCatalogEncryptionSettings=settings) == \
        (400, "InvalidInputException", message)
    assert glue.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"]["EncryptionAtRest"] == \
        {"CatalogEncryptionMode": "DISABLED"}


def test_put_encryption_settings_without_mode_fails_model_validation(lakebox_server):
    glue = _unchecked_glue(lakebox_server)
    status, code, message = _error(glue.put_data_catalog_encryption_settings, DataCatalogEncryptionSettings={
        "EncryptionAtRest": {}})
    assert (status, code) == (400, "InvalidInputException")
    assert "catalogEncryptionMode" in message and "Member must not be null" in message


# -- resource policies -------------------------------------------------------------------------------------

def test_put_and_get_catalog_resource_policy_round_trips(glue):
    digest = glue.put_resource_policy(PolicyInJson=POLICY)["PolicyHash"]
    assert digest == _sha(POLICY)
    got = glue.get_resource_policy()
    assert (got["PolicyInJson"], got["PolicyHash"]) == (POLICY, digest)
    assert got["CreateTime"] == got["UpdateTime"]
    assert glue.get_resource_policy(ResourceArn=CATALOG_ARN)["PolicyInJson"] == POLICY


def test_update_keeps_create_time_and_moves_update_time(glue):
    first = glue.put_resource_policy(PolicyInJson=POLICY)["PolicyHash"]
    created = glue.get_resource_policy()["CreateTime"]
    second = glue.put_resource_policy(PolicyInJson=OTHER_POLICY, PolicyHashCondition=first,
                                      PolicyExistsCondition="MUST_EXIST")["PolicyHash"]
    got = glue.get_resource_policy()
    assert second != first and got["PolicyHash"] == second and got["PolicyInJson"] == OTHER_POLICY
    assert got["CreateTime"] == created and got["UpdateTime"] >= created


def test_get_resource_policy_without_one_raises_entity_not_found(glue):
    assert _error(glue.get_resource_policy) == (400, "EntityNotFoundException", "Policy not found")


def test_put_with_stale_hash_raises_condition_check_failure_and_keeps_the_policy(glue):
    stale = glue.put_resource_policy(PolicyInJson=POLICY)["PolicyHash"]
    current = glue.put_resource_policy(PolicyInJson=OTHER_POLICY, PolicyHashCondition=stale)["PolicyHash"]
    status, code, _ = _error(glue.put_resource_policy, PolicyInJson=POLICY, PolicyHashCondition=stale)
    assert (status, code) == (400, "ConditionCheckFailureException")
    assert glue.get_resource_policy()["PolicyHash"] == current


def test_put_with_hash_when_no_policy_exists_raises_condition_check_failure(glue):
    assert _error(glue.put_resource_policy, PolicyInJson=POLICY, PolicyHashCondition=_sha(POLICY))[:2] == \
        (400, "ConditionCheckFailureException")
    assert _error(glue.get_resource_policy)[1] == "EntityNotFoundException"


def test_put_must_exist_without_policy_raises_condition_check_failure(glue):
    assert _error(glue.put_resource_policy, PolicyInJson=POLICY, PolicyExistsCondition="MUST_EXIST")[:2] == \
        (400, "ConditionCheckFailureException")
    assert _error(glue.get_resource_policy)[1] == "EntityNotFoundException"


def test_put_not_exist_creates_once_then_raises_condition_check_failure(glue):
    glue.put_resource_policy(PolicyInJson=POLICY, PolicyExistsCondition="NOT_EXIST")
    assert _error(glue.put_resource_policy, PolicyInJson=OTHER_POLICY, PolicyExistsCondition="NOT_EXIST")[:2] == \
        (400, "ConditionCheckFailureException")
    assert glue.get_resource_policy()["PolicyInJson"] == POLICY


def test_put_exists_condition_none_overwrites_unconditionally(glue):
    glue.put_resource_policy(PolicyInJson=POLICY, PolicyExistsCondition="NONE", EnableHybrid="TRUE")
    glue.put_resource_policy(PolicyInJson=OTHER_POLICY, PolicyExistsCondition="NONE")
    assert glue.get_resource_policy()["PolicyInJson"] == OTHER_POLICY


@pytest.mark.parametrize("kwargs, message", [
    ({"PolicyInJson": "{not json"}, "PolicyInJson is not a valid JSON document."),
    ({"PolicyInJson": "[1, 2]"}, "PolicyInJson must be a JSON object."),
    ({"PolicyInJson": POLICY, "PolicyExistsCondition": "MAYBE"},
     ("1 validation error detected: Value 'MAYBE' at 'policyExistsCondition' failed to satisfy constraint: "
     "Member must satisfy enum value set: [MUST_EXIST, NOT_EXIST, NONE]")),
    ({"PolicyInJson": POLICY, "EnableHybrid": "YES"},
     ("1 validation error detected: Value 'YES' at 'enableHybrid' failed to satisfy constraint: "
     "Member must satisfy enum value set: [TRUE, FALSE]")),
    ({"PolicyInJson": POLICY, "ResourceArn": "arn:aws:glue:eu-west-1:000000000000:catalog"},
     "The ResourceArn arn:aws:glue:eu-west-1:000000000000:catalog is not in region us-east-1."),
    ({"PolicyInJson": POLICY, "ResourceArn": f"arn:aws:glue:{REGION}:{ACCOUNT}:crawler/c"},
     ("Resource policies are supported on the catalog, databases and tables, not on "
     f"arn:aws:glue:{REGION}:{ACCOUNT}:crawler/c")),
])
def test_put_resource_policy_refuses_bad_input(glue, kwargs, message):
    assert _error(glue.put_resource_policy, **kwargs) == (400, "InvalidInputException", message)
    assert _error(glue.get_resource_policy)[1] == "EntityNotFoundException"


def test_put_resource_policy_too_short_fails_model_validation(lakebox_server):
    glue = _unchecked_glue(lakebox_server)
    status, code, message = _error(glue.put_resource_policy, PolicyInJson="{")
    assert (status, code) == (400, "InvalidInputException")
    assert "policyInJson" in message and "length greater than or equal to 2" in message


def test_resource_level_policies_on_database_and_table(glue, orders):
    database_arn = f"arn:aws:glue:{REGION}:{ACCOUNT}:database/raw_data"
    table_arn = f"arn:aws:glue:{REGION}:{ACCOUNT}:table/raw_data/orders"
    glue.put_resource_policy(PolicyInJson=POLICY, ResourceArn=database_arn, EnableHybrid="TRUE")
    glue.put_resource_policy(PolicyInJson=OTHER_POLICY, ResourceArn=table_arn, EnableHybrid="TRUE")
    assert glue.get_resource_policy(ResourceArn=table_arn)["PolicyInJson"] == OTHER_POLICY
    assert glue.get_resource_policy(ResourceArn=database_arn)["PolicyInJson"] == POLICY
    assert _error(glue.get_resource_policy) == (400, "EntityNotFoundException", "Policy not found")
    missing = f"arn:aws:glue:{REGION}:{ACCOUNT}:table/raw_data/ghost"
    assert _error(glue.put_resource_policy, PolicyInJson=POLICY, ResourceArn=missing) == \
        (400, "EntityNotFoundException", "Table ghost not found.")
    assert _error(glue.get_resource_policy, ResourceArn=f"arn:aws:glue:{REGION}:{ACCOUNT}:database/nope") == \
        (400, "EntityNotFoundException", "Database nope not found.")


def test_delete_resource_policy_honours_hash_condition(glue):
    digest = glue.put_resource_policy(PolicyInJson=POLICY)["PolicyHash"]
    assert _error(glue.delete_resource_policy, PolicyHashCondition=_sha(OTHER_POLICY))[:2] == \
        (400, "ConditionCheckFailureException")
    assert glue.get_resource_policy()["PolicyHash"] == digest
    glue.delete_resource_policy(PolicyHashCondition=digest)
    assert _error(glue.get_resource_policy)[1] == "EntityNotFoundException"


def test_delete_resource_policy_without_condition_and_when_missing(glue):
    glue.put_resource_policy(PolicyInJson=POLICY)
    glue.delete_resource_policy(ResourceArn=CATALOG_ARN)
    assert _error(glue.delete_resource_policy) == (400, "EntityNotFoundException", "Policy not found")
    glue.put_resource_policy(PolicyInJson=POLICY, PolicyExistsCondition="NOT_EXIST")


def test_get_resource_policies_lists_catalog_policy_first_and_pages(glue, orders):
    assert glue.get_resource_policies()["GetResourcePoliciesResponseList"] == []
    glue.put_resource_policy(PolicyInJson=OTHER_POLICY, EnableHybrid="TRUE")
    for arn in (f"arn:aws:glue:{REGION}:{ACCOUNT}:database/raw_data",
                f"arn:aws:glue:{REGION}:{ACCOUNT}:table/raw_data/orders"):
        glue.put_resource_policy(PolicyInJson=POLICY, ResourceArn=arn, EnableHybrid="TRUE")
    pages, token = [], None
    while True:
        response = glue.get_resource_policies(MaxResults=2, **({"NextToken": token} if token else {}))
        pages.append(response["GetResourcePoliciesResponseList"])
        token = response.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [2, 1]
    listed = [policy for chunk in pages for policy in chunk]
    assert [p["PolicyInJson"] for p in listed] == [OTHER_POLICY, POLICY, POLICY]
    assert set(listed[0]) == {"PolicyInJson", "PolicyHash", "CreateTime", "UpdateTime"}
    assert _error(glue.get_resource_policies, NextToken="%%%")[:2] == (400, "InvalidInputException")


# -- security configurations --------------------------------------------------------------------------------

FULL_ENCRYPTION = {
    "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": KEY}],
    "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": KEY},
    "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "CSE-KMS", "KmsKeyArn": KEY},
    "DataQualityEncryption": {"DataQualityEncryptionMode": "SSE-KMS", "KmsKeyArn": KEY},
}


def test_create_and_get_security_configuration_round_trips(glue):
    created = glue.create_security_configuration(Name="kms-everything", EncryptionConfiguration=FULL_ENCRYPTION)
    assert created["Name"] == "kms-everything"
    got = glue.get_security_configuration(Name="kms-everything")["SecurityConfiguration"]
    assert got == {"Name": "kms-everything", "CreatedTimeStamp": created["CreatedTimestamp"],
                   "EncryptionConfiguration": FULL_ENCRYPTION}


def test_create_security_configuration_with_sse_s3_needs_no_key(glue):
    encryption = {"S3Encryption": [{"S3EncryptionMode": "SSE-S3"}],
                  "CloudWatchEncryption": {"CloudWatchEncryptionMode": "DISABLED"},
                  "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "DISABLED"}}
    glue.create_security_configuration(Name="s3-managed", EncryptionConfiguration=encryption)
    assert glue.get_security_configuration(Name="s3-managed")["SecurityConfiguration"][
        "EncryptionConfiguration"] == encryption


def test_create_duplicate_security_configuration_raises_already_exists(glue):
    glue.create_security_configuration(Name="dup", EncryptionConfiguration={})
    assert _error(glue.create_security_configuration, Name="dup", EncryptionConfiguration=FULL_ENCRYPTION) == \
        (400, "AlreadyExistsException", "Security configuration dup already exists.")
    assert glue.get_security_configuration(Name="dup")["SecurityConfiguration"]["EncryptionConfiguration"] == {}


def test_get_and_delete_unknown_security_configuration_raise_entity_not_found(glue):
    expected = (400, "EntityNotFoundException", "SecurityConfiguration ghost not found")
    assert _error(glue.get_security_configuration, Name="ghost") == expected
    assert _error(glue.delete_security_configuration, Name="ghost") == expected


def test_delete_security_configuration_removes_it(glue):
    glue.create_security_configuration(Name="gone", EncryptionConfiguration={})
    glue.delete_security_configuration(Name="gone")
    assert _error(glue.get_security_configuration, Name="gone")[1] == "EntityNotFoundException"
    glue.create_security_configuration(Name="gone", EncryptionConfiguration=FULL_ENCRYPTION)


def test_get_security_configurations_pages_by_name(glue):
    for name in ("c", "a", "e", "b", "d"):
        glue.create_security_configuration(Name=name, EncryptionConfiguration={})
    names, token, sizes = [], None, []
    while True:
        response = glue.get_security_configurations(MaxResults=2, **({"NextToken": token} if token else {}))
        sizes.append(len(response["SecurityConfigurations"]))
        names += [c["Name"] for c in response["SecurityConfigurations"]]
        token = response.get("NextToken")
        if not token:
            break
    assert (names, sizes) == (["a", "b", "c", "d", "e"], [2, 2, 1])
    assert [c["Name"] for c in glue.get_security_configurations()["SecurityConfigurations"]] == names


def test_security_configurations_are_kept_per_region(glue, lakebox_server):
    glue.create_security_configuration(Name="here", EncryptionConfiguration={})
    other = make_glue(lakebox_server.endpoint_url, region="eu-west-1")
    assert other.get_security_configurations()["SecurityConfigurations"] == []
    other.create_security_configuration(Name="here", EncryptionConfiguration={})


@pytest.mark.parametrize("encryption, message", [
    ({"S3Encryption": [{"S3EncryptionMode": "SSE-KMS"}]}, "KmsKeyArn is required when S3EncryptionMode is SSE-KMS."),
    ({"S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": ""}]},
     "KmsKeyArn is required when S3EncryptionMode is SSE-KMS."),
    ({"CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS"}},
     "KmsKeyArn is required when CloudWatchEncryptionMode is SSE-KMS."),
    ({"JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "CSE-KMS"}},
     "KmsKeyArn is required when JobBookmarksEncryptionMode is CSE-KMS."),
    ({"DataQualityEncryption": {"DataQualityEncryptionMode": "SSE-KMS"}},
     "KmsKeyArn is required when DataQualityEncryptionMode is SSE-KMS."),
    ({"S3Encryption": [{"S3EncryptionMode": "SSE-S3"}, {"S3EncryptionMode": "CSE-KMS"}]},
     ("1 validation error detected: Value 'CSE-KMS' at 'encryptionConfiguration.s3Encryption.2.member."
     "s3EncryptionMode' failed to satisfy constraint: Member must satisfy enum value set: "
     "[DISABLED, SSE-KMS, SSE-S3]")),
    ({"JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "SSE-KMS", "KmsKeyArn": KEY}},
     ("1 validation error detected: Value 'SSE-KMS' at 'encryptionConfiguration.jobBookmarksEncryption."
     "jobBookmarksEncryptionMode' failed to satisfy constraint: Member must satisfy enum value set: "
     "[DISABLED, CSE-KMS]")),
    ({"CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": "alias/aws/glue"}},
     ("1 validation error detected: Value 'alias/aws/glue' at 'encryptionConfiguration.cloudWatchEncryption."
     "kmsKeyArn' failed to satisfy constraint: Member must satisfy regular expression pattern: "
     "^$|arn:aws[a-z0-9-]*:kms:.*")),
])
def test_create_security_configuration_refuses_bad_input(glue, encryption, message):
    assert _error(glue.create_security_configuration, Name="bad", EncryptionConfiguration=encryption) == \
        (400, "InvalidInputException", message)
    assert _error(glue.get_security_configuration, Name="bad")[1] == "EntityNotFoundException"


def test_create_security_configuration_with_empty_name_fails_model_validation(lakebox_server):
    glue = _unchecked_glue(lakebox_server)
    status, code, message = _error(glue.create_security_configuration, Name="", EncryptionConfiguration={})
    assert (status, code) == (400, "InvalidInputException")
    assert "'name'" in message and "length greater than or equal to 1" in message


# -- persistence --------------------------------------------------------------------------------------------

def _write_everything(glue) -> dict:
    glue.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": KEY}})
    glue.put_resource_policy(PolicyInJson=POLICY)
    glue.create_security_configuration(Name="kept", EncryptionConfiguration=FULL_ENCRYPTION)
    return {"settings": glue.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"],
            "policy": glue.get_resource_policy(),
            "config": glue.get_security_configuration(Name="kept")["SecurityConfiguration"]}


def _read_everything(glue) -> dict:
    return {"settings": glue.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"],
            "policy": glue.get_resource_policy(),
            "config": glue.get_security_configuration(Name="kept")["SecurityConfiguration"]}


def _without_metadata(state: dict) -> dict:
    return {**state, "policy": {k: v for k, v in state["policy"].items() if k != "ResponseMetadata"}}


def test_settings_survive_a_restart_in_their_own_file(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        before = _write_everything(make_glue(server.endpoint_url))
    assert (data / ".lakebox" / "glue" / "settings.db").is_file()
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        assert _without_metadata(_read_everything(glue)) == _without_metadata(before)
        glue.put_resource_policy(PolicyInJson=OTHER_POLICY, PolicyHashCondition=before["policy"]["PolicyHash"])


READY = re.compile(r"lakebox ready on (http://\S+)")


def _serve(data: Path) -> tuple[subprocess.Popen, str]:
    script = Path(sys.executable).with_name("lakebox")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "lakebox"]
    proc = subprocess.Popen([*command, "serve", "--host", "127.0.0.1", "--port", "0", "--data", str(data)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    found: list[str] = []
    ready = threading.Event()

    def watch():
        for line in proc.stdout:
            match = READY.search(line)
            if match and not found:
                found.append(match.group(1))
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    if not ready.wait(60):
        proc.kill()
        proc.wait()
        pytest.fail("lakebox serve did not become ready")
    return proc, found[0]


@pytest.mark.timeout(120)
def test_acknowledged_settings_survive_kill_9(tmp_path):
    data = tmp_path / "data"
    proc, endpoint = _serve(data)
    try:
        before = _write_everything(make_glue(endpoint))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with running_lakebox(data, set_env=False) as server:
        assert _without_metadata(_read_everything(make_glue(server.endpoint_url))) == _without_metadata(before)
