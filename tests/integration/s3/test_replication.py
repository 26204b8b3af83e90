"""S3 replication through boto3: the configuration checked as S3 checks it (the guide's refused, its
corrected form round-tripping), and objects really copied to the destination bucket with their
bytes, metadata, tags and version ids, by filters and priorities, with delete markers when asked,
FAILED while the destination refuses and COMPLETED once it is fixed, across a restart too."""

from __future__ import annotations

import copy
import os
import time
import uuid
from typing import Callable

import pytest
import requests
from botocore.exceptions import ClientError
from s3_helpers import error_of, make_client

ROLE = "arn:aws:iam::123456789:role/s3-replication"

#: The guide's configuration, as written (seed-aws-data-services.md, "Cross-Region Replication").
GUIDE_CONFIG = {
    "Role": ROLE,
    "Rules": [{
        "Status": "Enabled",
        "Priority": 1,
        "Destination": {
            "Bucket": "arn:aws:s3:::{destination}",
            "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
        },
    }],
}


def _versioned_bucket(s3, prefix: str = "repl") -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


@pytest.fixture
def source(s3):
    return _versioned_bucket(s3, "src")


@pytest.fixture
def destination(s3):
    return _versioned_bucket(s3, "dst")


def _rule(destination: str, priority: int = 1, rule_filter=None, markers: str = "Disabled", **extra) -> dict:
    rule = {
        "Status": "Enabled",
        "Priority": priority,
        "Filter": {} if rule_filter is None else rule_filter,
        "DeleteMarkerReplication": {"Status": markers},
        "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
    }
    rule.update(extra)
    return rule


def _replicate(s3, source: str, *rules: dict) -> None:
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Role": ROLE, "Rules": list(rules)})


def _wait_for(condition: Callable[[], object], timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _status(s3, bucket: str, key: str, **kwargs):
    return s3.head_object(Bucket=bucket, Key=key, **kwargs).get("ReplicationStatus")


def _wait_status(s3, bucket: str, key: str, wanted: str, **kwargs) -> None:
    _wait_for(lambda: _status(s3, bucket, key, **kwargs) == wanted, what=f"{key} {wanted}")


def _exists(s3, bucket: str, key: str, **kwargs) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key, **kwargs)
    except ClientError as exc:
        if exc.response["ResponseMetadata"]["HTTPStatusCode"] in (404, 405):
            return False
        raise
    return True


# -- the configuration ------------------------------------------------------------------------------


def _guide(destination: str) -> dict:
    config = copy.deepcopy(GUIDE_CONFIG)
    config["Rules"][0]["Destination"]["Bucket"] = f"arn:aws:s3:::{destination}"
    return config


def test_guide_config_is_refused_and_its_corrected_form_round_trips(s3, source, destination):
    config = _guide(destination)
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_replication(Bucket=source, ReplicationConfiguration=config)
    # Its rule has a Priority but neither a Filter nor a Prefix: S3's schema refuses it.
    assert error_of(exc) == (400, "MalformedXML")

    rule = config["Rules"][0]
    rule["Filter"] = {}
    rule["DeleteMarkerReplication"] = {"Status": "Disabled"}
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_replication(Bucket=source, ReplicationConfiguration=config)
    # What is left is the gap the guide is known for: ReplicationTime without Metrics.
    assert error_of(exc) == (400, "InvalidRequest")
    assert "Metrics" in exc.value.response["Error"]["Message"]

    rule["Destination"]["Metrics"] = {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration=config)
    stored = s3.get_bucket_replication(Bucket=source)["ReplicationConfiguration"]
    assert stored["Role"] == ROLE
    [got] = stored["Rules"]
    assert got["ID"]  # S3 names a rule given without an ID
    assert {k: v for k, v in got.items() if k != "ID"} == rule


def test_get_without_configuration_is_404_and_delete_removes_it(s3, source, destination):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_replication(Bucket=source)
    assert error_of(exc) == (404, "ReplicationConfigurationNotFoundError")
    assert exc.value.response["Error"]["Message"] == "The replication configuration was not found"
    _replicate(s3, source, _rule(destination))
    assert s3.delete_bucket_replication(Bucket=source)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_replication(Bucket=source)
    assert error_of(exc) == (404, "ReplicationConfigurationNotFoundError")


def test_source_without_versioning_is_refused(s3, bucket, destination):
    with pytest.raises(ClientError) as exc:
        _replicate(s3, bucket, _rule(destination))
    assert error_of(exc) == (400, "InvalidRequest")
    assert exc.value.response["Error"]["Message"] == \
        "Versioning must be 'Enabled' on the bucket to apply a replication configuration"
    assert "BucketName" not in exc.value.response["Error"]


def test_destination_must_exist_be_versioned_and_differ_from_the_source(s3, source, bucket):
    cases = [
        (f"missing-{uuid.uuid4().hex[:12]}", "Destination bucket must have versioning enabled."),
        (bucket, "Destination bucket must have versioning enabled."),
        (source, "Destination bucket cannot be the same as the source bucket."),
    ]
    for name, message in cases:
        with pytest.raises(ClientError) as exc:
            _replicate(s3, source, _rule(name))
        assert error_of(exc) == (400, "InvalidRequest")
        assert exc.value.response["Error"]["Message"] == message
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    with pytest.raises(ClientError) as exc:
        _replicate(s3, source, _rule(bucket))
    assert exc.value.response["Error"]["Message"] == "Destination bucket must have versioning enabled."


def test_versioning_of_a_replicated_source_cannot_be_suspended(s3, source, destination):
    _replicate(s3, source, _rule(destination))
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_versioning(Bucket=source, VersioningConfiguration={"Status": "Suspended"})
    assert error_of(exc) == (409, "InvalidBucketState")
    s3.delete_bucket_replication(Bucket=source)
    s3.put_bucket_versioning(Bucket=source, VersioningConfiguration={"Status": "Suspended"})


def _v1(destination: str, **extra) -> dict:
    rule = {"Status": "Enabled", "Prefix": "", "Destination": {"Bucket": f"arn:aws:s3:::{destination}"}}
    rule.update(extra)
    return rule


def _without(rule: dict, member: str) -> dict:
    return {k: v for k, v in rule.items() if k != member}


def _with_destination(rule: dict, **members) -> dict:
    return {**rule, "Destination": {**rule["Destination"], **members}}


_RTC = {"Status": "Enabled", "Time": {"Minutes": 15}}
_METRICS = {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}

#: One bad configuration per line: (rules given a destination name, HTTP status, code, message part).
BAD_CONFIGS = [
    (lambda d: [_without(_rule(d), "Priority")], 400, "InvalidRequest", "Priority must be specified"),
    (lambda d: [_without(_rule(d), "DeleteMarkerReplication")], 400, "InvalidRequest",
     "DeleteMarkerReplication must be specified"),
    (lambda d: [_v1(d, Priority=1)], 400, "InvalidRequest", "Priority cannot be used"),
    (lambda d: [{**_rule(d), "Prefix": "x"}], 400, "MalformedXML", ""),
    (lambda d: [_rule(d, rule_filter={"Prefix": "a", "Tag": {"Key": "k", "Value": "v"}})], 400, "MalformedXML", ""),
    (lambda d: [_rule(d, rule_filter={"And": {"Prefix": "a"}})], 400, "MalformedXML", ""),
    (lambda d: [_rule(d, rule_filter={"Tag": {"Key": "k", "Value": "v"}}, markers="Enabled")], 400,
     "InvalidRequest", "Delete marker replication is not supported if any Tag filter is specified"),
    (lambda d: [_rule(d, rule_filter={"And": {"Tags": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]}})],
     400, "InvalidRequest", "Duplicate Tag Keys are not allowed."),
    (lambda d: [_rule(d, ID="same"), _rule(d, priority=2, ID="same")], 400, "InvalidArgument",
     "Rule Id must be unique"),
    (lambda d: [_rule(d, priority=3), _rule(d, priority=3)], 400, "InvalidRequest", "Found duplicate priority"),
    (lambda d: [{**_rule(d), "Status": "On"}], 400, "MalformedXML", ""),
    (lambda d: [_with_destination(_rule(d), Bucket=d)], 400, "InvalidArgument", "Invalid bucket ARN"),
    (lambda d: [_with_destination(_rule(d), StorageClass="COLD")], 400, "MalformedXML", ""),
    (lambda d: [_with_destination(_rule(d), ReplicationTime=_RTC)], 400, "InvalidRequest",
     "Replication destination must contain both ReplicationTime and Metrics or neither."),
    (lambda d: [_with_destination(_rule(d), ReplicationTime={"Status": "Enabled", "Time": {"Minutes": 10}},
                                  Metrics=_METRICS)], 400, "InvalidArgument", "Invalid time minute value"),
    (lambda d: [_with_destination(_rule(d), Metrics=_METRICS)], 400, "InvalidArgument",
     "Metrics cannot contain an event threshold when ReplicationTime is not specified or Disabled"),
    (lambda d: [_with_destination(_rule(d), ReplicationTime=_RTC, Metrics={"Status": "Enabled"})], 400,
     "InvalidArgument", "ReplicationMetrics must contain an event threshold"),
    (lambda d: [_with_destination(_rule(d), AccessControlTranslation={"Owner": "Destination"})], 400,
     "InvalidRequest", "Account must be specified"),
]


@pytest.mark.parametrize("rules, status, code, message", BAD_CONFIGS)
def test_bad_configuration_gets_s3s_error(s3, source, destination, rules, status, code, message):
    with pytest.raises(ClientError) as exc:
        _replicate(s3, source, *rules(destination))
    assert error_of(exc) == (status, code)
    assert message in exc.value.response["Error"]["Message"]
    with pytest.raises(ClientError):
        s3.get_bucket_replication(Bucket=source)  # nothing was stored


def test_configuration_without_role_is_malformed(lakebox_server, source, destination):
    unchecked = make_client(lakebox_server.endpoint_url, parameter_validation=False)
    with pytest.raises(ClientError) as exc:
        unchecked.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Rules": [_rule(destination)]})
    assert error_of(exc) == (400, "MalformedXML")


def test_v1_rules_and_metrics_without_time_control_are_accepted(s3, source, destination):
    _replicate(s3, source, _v1(destination, ID="legacy"))
    assert s3.get_bucket_replication(Bucket=source)["ReplicationConfiguration"]["Rules"][0]["Prefix"] == ""
    _replicate(s3, source, _with_destination(_rule(destination), Metrics={"Status": "Enabled"}))


# -- replication itself -----------------------------------------------------------------------------


def test_object_is_copied_with_its_bytes_metadata_tags_and_version_id(s3, source, destination):
    _replicate(s3, source, _rule(destination))
    put = s3.put_object(Bucket=source, Key="sales/2024.csv", Body=b"id,amount\n1,10\n", ContentType="text/csv",
                        CacheControl="max-age=60", ContentDisposition="inline", Metadata={"Owner": "finance"},
                        Tagging="team=data&tier=gold")
    assert _status(s3, source, "sales/2024.csv") in ("PENDING", "COMPLETED")
    _wait_status(s3, source, "sales/2024.csv", "COMPLETED")

    replica = s3.get_object(Bucket=destination, Key="sales/2024.csv")
    assert replica["Body"].read() == b"id,amount\n1,10\n"
    assert replica["VersionId"] == put["VersionId"]
    assert replica["ReplicationStatus"] == "REPLICA"
    assert replica["ETag"] == put["ETag"]
    assert replica["ContentType"] == "text/csv"
    assert replica["CacheControl"] == "max-age=60"
    assert replica["ContentDisposition"] == "inline"
    assert replica["Metadata"] == {"owner": "finance"}
    tags = s3.get_object_tagging(Bucket=destination, Key="sales/2024.csv")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("team", "data"), ("tier", "gold")]
    assert s3.get_object(Bucket=source, Key="sales/2024.csv")["ReplicationStatus"] == "COMPLETED"


def test_every_write_path_replicates_and_the_rules_storage_class_applies(s3, source, destination, lakebox_server):
    _replicate(s3, source, _rule(destination, Destination={"Bucket": f"arn:aws:s3:::{destination}",
                                                           "StorageClass": "STANDARD_IA"}))
    s3.put_object(Bucket=source, Key="put", Body=b"p", StorageClass="GLACIER_IR")
    s3.copy_object(Bucket=source, Key="copy", CopySource={"Bucket": source, "Key": "put"})
    upload = s3.create_multipart_upload(Bucket=source, Key="multi")
    part = s3.upload_part(Bucket=source, Key="multi", UploadId=upload["UploadId"], PartNumber=1, Body=b"m" * 10)
    s3.complete_multipart_upload(Bucket=source, Key="multi", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    post = make_client(lakebox_server.endpoint_url).generate_presigned_post(source, "post")
    assert requests.post(post["url"], data=post["fields"], files={"file": ("f", b"posted")}).status_code == 204

    expected = {"put": b"p", "copy": b"p", "multi": b"m" * 10, "post": b"posted"}
    for key, body in expected.items():
        _wait_status(s3, source, key, "COMPLETED")
        replica = s3.get_object(Bucket=destination, Key=key)
        assert replica["Body"].read() == body
        assert replica["StorageClass"] == "STANDARD_IA"
        assert replica["VersionId"] == s3.head_object(Bucket=source, Key=key)["VersionId"]


def test_filters_and_priority_choose_what_goes_where(s3, source, destination):
    other = _versioned_bucket(s3, "dst2")
    _replicate(
        s3, source,
        _rule(destination, priority=1, ID="tagged", rule_filter={"Tag": {"Key": "env", "Value": "prod"}},
              Destination={"Bucket": f"arn:aws:s3:::{destination}", "StorageClass": "STANDARD_IA"}),
        _rule(destination, priority=5, ID="logs", rule_filter={"Prefix": "logs/"},
              Destination={"Bucket": f"arn:aws:s3:::{destination}", "StorageClass": "GLACIER"}),
        _rule(destination, priority=3, ID="both",
              rule_filter={"And": {"Prefix": "data/", "Tags": [{"Key": "pii", "Value": "no"}]}},
              Destination={"Bucket": f"arn:aws:s3:::{destination}", "StorageClass": "ONEZONE_IA"}),
        _rule(other, priority=2, ID="logs-too", rule_filter={"Prefix": "logs/"}),
        _rule(other, priority=4, ID="off", rule_filter={"Prefix": "data/"}, Status="Disabled"),
    )
    s3.put_object(Bucket=source, Key="data/plain", Body=b"0")  # no rule matches
    s3.put_object(Bucket=source, Key="data/prod", Body=b"1", Tagging="env=prod")
    s3.put_object(Bucket=source, Key="data/both", Body=b"2", Tagging="env=prod&pii=no")
    s3.put_object(Bucket=source, Key="logs/prod", Body=b"3", Tagging="env=prod")
    for key in ("data/prod", "data/both", "logs/prod"):
        _wait_status(s3, source, key, "COMPLETED")

    def storage_class(bucket, key):
        return s3.head_object(Bucket=bucket, Key=key).get("StorageClass", "STANDARD")

    assert storage_class(destination, "data/prod") == "STANDARD_IA"  # only the tag rule matches
    assert storage_class(destination, "data/both") == "ONEZONE_IA"  # priority 3 beats 1
    assert storage_class(destination, "logs/prod") == "GLACIER"  # priority 5 beats 1
    assert storage_class(other, "logs/prod") == "STANDARD"  # each destination has its own winner
    assert _status(s3, source, "data/plain") is None
    assert not _exists(s3, destination, "data/plain")
    assert not _exists(s3, other, "data/prod")  # the Disabled rule does nothing


def test_delete_markers_replicate_only_when_enabled(s3, source, destination):
    _replicate(s3, source, _rule(destination, priority=2, rule_filter={"Prefix": "on/"}, markers="Enabled"),
               _rule(destination, priority=1, rule_filter={"Prefix": "off/"}))
    for key in ("on/k", "off/k"):
        s3.put_object(Bucket=source, Key=key, Body=b"x")
        _wait_status(s3, source, key, "COMPLETED")
        s3.delete_object(Bucket=source, Key=key)
    marker = s3.list_object_versions(Bucket=source, Prefix="on/")["DeleteMarkers"][0]["VersionId"]

    _wait_for(lambda: s3.list_object_versions(Bucket=destination, Prefix="on/").get("DeleteMarkers"),
              what="the replicated delete marker")
    replicated = s3.list_object_versions(Bucket=destination, Prefix="on/")["DeleteMarkers"]
    assert [m["VersionId"] for m in replicated] == [marker]
    assert not _exists(s3, destination, "on/k")
    # The marker of the rule without delete marker replication stays in the source.
    s3.put_object(Bucket=source, Key="on/later", Body=b"y")
    _wait_status(s3, source, "on/later", "COMPLETED")
    assert _exists(s3, destination, "off/k")
    assert "DeleteMarkers" not in s3.list_object_versions(Bucket=destination, Prefix="off/")


def test_deleting_a_version_is_never_replicated(s3, source, destination):
    _replicate(s3, source, _rule(destination, markers="Enabled"))
    version = s3.put_object(Bucket=source, Key="k", Body=b"v1")["VersionId"]
    _wait_status(s3, source, "k", "COMPLETED")
    s3.delete_objects(Bucket=source, Delete={"Objects": [{"Key": "k", "VersionId": version}]})
    s3.put_object(Bucket=source, Key="later", Body=b"x")
    _wait_status(s3, source, "later", "COMPLETED")
    assert not _exists(s3, source, "k")
    assert s3.get_object(Bucket=destination, Key="k", VersionId=version)["Body"].read() == b"v1"
    assert "DeleteMarkers" not in s3.list_object_versions(Bucket=destination, Prefix="k")


def test_delete_objects_replicates_its_delete_markers(s3, source, destination):
    _replicate(s3, source, _rule(destination, markers="Enabled"))
    s3.put_object(Bucket=source, Key="bulk", Body=b"x")
    _wait_status(s3, source, "bulk", "COMPLETED")
    marker = s3.delete_objects(Bucket=source, Delete={"Objects": [{"Key": "bulk"}]})["Deleted"][0]
    _wait_for(lambda: not _exists(s3, destination, "bulk"), what="the marker in the destination")
    listed = s3.list_object_versions(Bucket=destination, Prefix="bulk")["DeleteMarkers"]
    assert [m["VersionId"] for m in listed] == [marker["DeleteMarkerVersionId"]]


def test_failing_destination_shows_failed_then_recovers(s3, source, destination):
    _replicate(s3, source, _rule(destination))
    s3.put_bucket_versioning(Bucket=destination, VersioningConfiguration={"Status": "Suspended"})
    version = s3.put_object(Bucket=source, Key="k", Body=b"later")["VersionId"]
    _wait_status(s3, source, "k", "FAILED")
    assert not _exists(s3, destination, "k")
    s3.put_bucket_versioning(Bucket=destination, VersioningConfiguration={"Status": "Enabled"})
    _wait_status(s3, source, "k", "COMPLETED")
    assert s3.get_object(Bucket=destination, Key="k", VersionId=version)["Body"].read() == b"later"


def test_replicas_are_not_replicated_again(s3, source, destination):
    third = _versioned_bucket(s3, "third")
    _replicate(s3, source, _rule(destination))
    _replicate(s3, destination, _rule(third))
    s3.put_object(Bucket=source, Key="chained", Body=b"1")
    _wait_status(s3, source, "chained", "COMPLETED")
    s3.put_object(Bucket=destination, Key="direct", Body=b"2")
    _wait_status(s3, destination, "direct", "COMPLETED")
    assert _status(s3, destination, "chained") == "REPLICA"
    assert not _exists(s3, third, "chained")
    assert _status(s3, third, "direct") == "REPLICA"


def test_objects_before_the_configuration_and_unconfigured_buckets_have_no_status(s3, source, destination, bucket):
    s3.put_object(Bucket=source, Key="before", Body=b"0")
    s3.put_object(Bucket=bucket, Key="plain", Body=b"0")
    _replicate(s3, source, _rule(destination))
    s3.put_object(Bucket=source, Key="after", Body=b"1")
    _wait_status(s3, source, "after", "COMPLETED")
    assert _status(s3, source, "before") is None
    assert _status(s3, bucket, "plain") is None
    assert not _exists(s3, destination, "before")


def test_deleting_the_configuration_stops_replication(s3, source, destination):
    _replicate(s3, source, _rule(destination))
    s3.put_object(Bucket=source, Key="one", Body=b"1")
    _wait_status(s3, source, "one", "COMPLETED")
    s3.delete_bucket_replication(Bucket=source)
    s3.put_object(Bucket=source, Key="two", Body=b"2")
    assert _status(s3, source, "two") is None


def test_pending_replication_survives_a_restart(tmp_path):
    from lakebox.testing import running_lakebox

    source, destination = f"src-{uuid.uuid4().hex[:8]}", f"dst-{uuid.uuid4().hex[:8]}"
    with running_lakebox(tmp_path, set_env=False) as server:
        s3 = make_client(server.endpoint_url)
        for name in (source, destination):
            s3.create_bucket(Bucket=name)
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        _replicate(s3, source, _rule(destination))
        # The destination goes away: the copy cannot be made before the server stops.
        s3.delete_bucket(Bucket=destination)
        version = s3.put_object(Bucket=source, Key="k", Body=b"kept")["VersionId"]
        _wait_status(s3, source, "k", "FAILED")
    assert os.path.exists(tmp_path / ".lakebox" / "replication.db")

    with running_lakebox(tmp_path, set_env=False) as server:
        s3 = make_client(server.endpoint_url)
        assert _status(s3, source, "k") == "FAILED"
        s3.create_bucket(Bucket=destination)
        s3.put_bucket_versioning(Bucket=destination, VersioningConfiguration={"Status": "Enabled"})
        _wait_status(s3, source, "k", "COMPLETED")
        replica = s3.get_object(Bucket=destination, Key="k")
        assert replica["Body"].read() == b"kept"
        assert replica["VersionId"] == version
