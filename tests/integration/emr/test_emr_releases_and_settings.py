"""Releases (ListReleaseLabels, DescribeReleaseLabel, ListSupportedInstanceTypes, the AMI and release
rules of RunJobFlow, application versions), block public access, security configurations, and a data
folder of the first EMR schema opening with all of them."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

from emr_helpers import SMALL, client, error_of

from lakebox.services.emr.releases import installed_versions
from lakebox.testing import running_lakebox

SECURITY = json.dumps({"EncryptionConfiguration": {
    "AtRestEncryptionConfiguration": {"S3EncryptionConfiguration": {"EncryptionMode": "SSE-S3"}},
    "EnableInTransitEncryption": False, "EnableAtRestEncryption": True}}, indent=2)


def test_release_labels_newest_first_with_prefix_and_application_filters_and_pages(emr):
    labels = emr.list_release_labels()["ReleaseLabels"]
    assert labels[:3] == ["emr-7.14.0", "emr-7.13.0", "emr-7.12.0"] and labels[-1] == "emr-4.0.0"
    assert len(labels) == len(set(labels)) == 143
    assert emr.list_release_labels(Filters={"Prefix": "emr-5.3"})["ReleaseLabels"][:3] == [
        "emr-5.34.0", "emr-5.33.1", "emr-5.33.0"]
    assert emr.list_release_labels(Filters={"Application": "Spark@3.1.1"})["ReleaseLabels"] == ["emr-6.3.1",
                                                                                               "emr-6.3.0"]
    assert emr.list_release_labels(Filters={"Application": "trino"})["ReleaseLabels"] == ["emr-6.5.0", "emr-6.4.0"]
    first = emr.list_release_labels(MaxResults=50)
    second = emr.list_release_labels(MaxResults=50, NextToken=first["NextToken"])
    third = emr.list_release_labels(MaxResults=50, NextToken=second["NextToken"])
    assert first["ReleaseLabels"] + second["ReleaseLabels"] + third["ReleaseLabels"] == labels
    assert "NextToken" not in third


def test_describe_release_label_lists_the_applications_it_ships(emr):
    release = emr.describe_release_label(ReleaseLabel="emr-5.31.0")
    apps = {a["Name"]: a["Version"] for a in release["Applications"]}
    assert release["ReleaseLabel"] == "emr-5.31.0"
    assert (apps["spark"], apps["hadoop"], apps["hive"], apps["hudi"]) == ("2.4.6", "2.10.0", "2.3.7", "0.6.0")
    assert "trino" not in apps and [a["Name"] for a in release["Applications"]] == sorted(apps)
    assert emr.describe_release_label()["ReleaseLabel"] == "emr-7.14.0"
    assert {a["Name"]: a["Version"] for a in emr.describe_release_label(ReleaseLabel="emr-4.0.0")["Applications"]} == {
        "hadoop": "2.6.0", "hive": "1.0.0", "mahout": "0.10.0", "pig": "0.14.0", "spark": "1.4.1"}
    for label in ("emr-9.9.9", "spark-3"):
        assert error_of(emr.describe_release_label, ReleaseLabel=label)["Error"]["Code"] == "InvalidRequestException"


def _instance_types(emr, release: str) -> dict:
    """Every type of the release, through all the pages."""
    found, kwargs = {}, {}
    while True:
        response = emr.list_supported_instance_types(ReleaseLabel=release, **kwargs)
        found.update({t["Type"]: t for t in response["SupportedInstanceTypes"]})
        if not response.get("Marker"):
            return found
        kwargs = {"Marker": response["Marker"]}


def test_supported_instance_types_follow_the_release(emr):
    types = _instance_types(emr, "emr-6.5.0")
    assert types["m5.xlarge"] == {"Type": "m5.xlarge", "MemoryGB": 16.0, "StorageGB": 0, "VCPU": 4,
                                  "Is64BitsOnly": True, "InstanceFamilyId": "m5", "EbsOptimizedAvailable": True,
                                  "EbsOptimizedByDefault": True, "NumberOfDisks": 0, "EbsStorageOnly": True,
                                  "Architecture": "x86_64"}
    assert (types["i3.2xlarge"]["StorageGB"], types["i3.2xlarge"]["EbsStorageOnly"]) == (1900, False)
    assert types["m6g.xlarge"]["Architecture"] == "arm64"
    pages = emr.list_supported_instance_types(ReleaseLabel="emr-6.5.0")
    assert len(pages["SupportedInstanceTypes"]) == 50 and pages["Marker"]
    assert len(types) == 99
    assert not any(t["Architecture"] == "arm64" for t in _instance_types(emr, "emr-6.0.0").values())
    assert _instance_types(emr, "emr-5.31.0")["r6g.2xlarge"]["MemoryGB"] == 64.0
    oldest = _instance_types(emr, "emr-5.12.0")
    assert "m4.large" in oldest and "m5.xlarge" not in oldest
    assert error_of(emr.list_supported_instance_types, ReleaseLabel="latest")["Error"]["Code"] == \
        "InvalidRequestException"


def test_applications_report_the_release_versions_and_the_request_version_is_not_taken(emr):
    cluster_id = emr.run_job_flow(Name="apps", ReleaseLabel="emr-6.5.0", Applications=[
        {"Name": "spark", "Version": "2.4.2"}, {"Name": "Hive"}, {"Name": "NotAnApp"}], **SMALL)["JobFlowId"]
    assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Applications"] == [
        {"Name": "Spark", "Version": "3.1.2"}, {"Name": "Hive", "Version": "3.1.2"}, {"Name": "NotAnApp"}]
    assert emr.describe_job_flows(JobFlowIds=[cluster_id])["JobFlows"][0]["Instances"]["HadoopVersion"] == "3.2.1"
    # A release the table does not list reports what really runs the steps here.
    newer = emr.run_job_flow(Name="newer", ReleaseLabel="emr-8.0.0", Applications=[{"Name": "Spark"}],
                             **SMALL)["JobFlowId"]
    assert emr.describe_cluster(ClusterId=newer)["Cluster"]["Applications"] == [
        {"Name": "Spark", "Version": installed_versions()["Spark"]}]


def test_ami_version_release_label_and_custom_ami_rules(emr):
    for extra, message in (
            ({"AmiVersion": "3.8.1", "ReleaseLabel": "emr-5.6.0"},
             "Only one AMI version and release label may be specified. Provided AMI: 3.8.1, release label: emr-5.6.0."),
            ({"CustomAmiId": "ami-1", "AmiVersion": "3.8.1"}, "Custom AMI is not supported in this version of EMR"),
            ({"CustomAmiId": "ami-1", "ReleaseLabel": "emr-5.6.0"}, "Custom AMI is not allowed")):
        assert error_of(emr.run_job_flow, Name="bad", **SMALL, **extra)["Error"] == {
            "Code": "ValidationException", "Message": message}
    assert emr.list_clusters()["Clusters"] == []
    cluster_id = emr.run_job_flow(Name="ami", CustomAmiId="ami-0abc", ReleaseLabel="emr-5.7.0",
                                  EbsRootVolumeSize=20, KerberosAttributes={"Realm": "EC2.INTERNAL",
                                                                            "KdcAdminPassword": "x"},
                                  **SMALL)["JobFlowId"]
    cluster = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
    assert (cluster["CustomAmiId"], cluster["EbsRootVolumeSize"], cluster["KerberosAttributes"]["Realm"]) == (
        "ami-0abc", 20, "EC2.INTERNAL")
    assert "RunningAmiVersion" not in cluster and "RequestedAmiVersion" not in cluster


def test_block_public_access_defaults_then_keeps_what_the_account_put(emr):
    default = emr.get_block_public_access_configuration()
    assert default["BlockPublicAccessConfiguration"] == {
        "BlockPublicSecurityGroupRules": True, "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22,
                                                                                            "MaxRange": 22}]}
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    emr.put_block_public_access_configuration(BlockPublicAccessConfiguration={
        "BlockPublicSecurityGroupRules": True,
        "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 443}, {"MinRange": 8080}]})
    saved = emr.get_block_public_access_configuration()
    assert saved["BlockPublicAccessConfiguration"]["PermittedPublicSecurityGroupRuleRanges"] == [
        {"MinRange": 22, "MaxRange": 443}, {"MinRange": 8080, "MaxRange": 8080}]
    metadata = saved["BlockPublicAccessConfigurationMetadata"]
    assert metadata["CreatedByArn"] == "arn:aws:iam::000000000000:root" and metadata["CreationDateTime"] >= before
    error = error_of(emr.put_block_public_access_configuration, BlockPublicAccessConfiguration={
        "BlockPublicSecurityGroupRules": False, "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 90,
                                                                                             "MaxRange": 80}]})
    assert error["Error"]["Code"] == "InvalidRequestException"
    assert emr.get_block_public_access_configuration()["BlockPublicAccessConfiguration"] == \
        saved["BlockPublicAccessConfiguration"]
    other_region = client(emr.meta.endpoint_url, "emr", region="eu-west-1")
    assert other_region.get_block_public_access_configuration()["BlockPublicAccessConfiguration"] == \
        default["BlockPublicAccessConfiguration"]


def test_security_configurations_are_created_described_listed_and_deleted(emr):
    created = emr.create_security_configuration(Name="at-rest", SecurityConfiguration=SECURITY)
    assert created["Name"] == "at-rest"
    emr.create_security_configuration(Name="kerberos", SecurityConfiguration='{"AuthenticationConfiguration": {}}')
    described = emr.describe_security_configuration(Name="at-rest")
    assert described["SecurityConfiguration"] == SECURITY
    assert described["CreationDateTime"] == created["CreationDateTime"]
    assert [c["Name"] for c in emr.list_security_configurations()["SecurityConfigurations"]] == ["at-rest",
                                                                                              "kerberos"]
    duplicate = error_of(emr.create_security_configuration, Name="at-rest", SecurityConfiguration="{}")
    assert duplicate["Error"] == {"Code": "InvalidRequestException",
                                  "Message": "SecurityConfiguration with name 'at-rest' already exists."}
    for body in ("not json", "[1, 2]"):
        assert error_of(emr.create_security_configuration, Name="bad",
                        SecurityConfiguration=body)["Error"]["Code"] == "InvalidRequestException"
    emr.delete_security_configuration(Name="at-rest")
    for call in (emr.describe_security_configuration, emr.delete_security_configuration):
        assert error_of(call, Name="at-rest")["Error"] == {
            "Code": "InvalidRequestException", "Message": "Security configuration with name 'at-rest' does not exist."}
    assert [c["Name"] for c in emr.list_security_configurations()["SecurityConfigurations"]] == ["kerberos"]


def test_a_data_folder_of_the_first_emr_schema_gains_the_account_tables(tmp_path):
    from lakebox.services.emr.store import SCHEMA, ACCOUNT_TABLES

    with running_lakebox(tmp_path, set_env=False) as server:
        emr = client(server.endpoint_url, "emr")
        cluster_id = emr.run_job_flow(Name="old", **SMALL)["JobFlowId"]
    # Make the file what the first EMR schema wrote: no account tables, user_version 1.
    db_path = tmp_path / ".lakebox" / "emr" / "emr.db"
    with sqlite3.connect(db_path) as db:
        db.execute("DROP TABLE settings")
        db.execute("DROP TABLE security_configurations")
        db.execute("PRAGMA user_version=1")
    assert len(SCHEMA) > len(ACCOUNT_TABLES)
    with running_lakebox(tmp_path, set_env=False) as server:
        emr = client(server.endpoint_url, "emr")
        assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Name"] == "old"
        emr.create_security_configuration(Name="kept", SecurityConfiguration="{}")
        emr.put_block_public_access_configuration(BlockPublicAccessConfiguration={
            "BlockPublicSecurityGroupRules": False})
    with running_lakebox(tmp_path, set_env=False) as server:
        emr = client(server.endpoint_url, "emr")
        assert emr.describe_security_configuration(Name="kept")["SecurityConfiguration"] == "{}"
        assert emr.get_block_public_access_configuration()["BlockPublicAccessConfiguration"][
            "BlockPublicSecurityGroupRules"] is False
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
