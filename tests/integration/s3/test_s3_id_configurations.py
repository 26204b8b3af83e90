"""Analytics, inventory, metrics and Intelligent-Tiering configurations: S3's answers to the four
calls of each family, through boto3, and their survival across a restart."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of, make_client

from lakebox.testing import running_lakebox

INVENTORY = {"Id": "daily", "IsEnabled": True, "IncludedObjectVersions": "Current", "Schedule": {"Frequency": "Daily"},
             "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::reports", "Format": "CSV",
                                                     "Prefix": "inv"}},
             "OptionalFields": ["Size", "ETag"], "Filter": {"Prefix": "data/"}}
ANALYTICS = {"Id": "an", "Filter": {"Tag": {"Key": "team", "Value": "bi"}},
             "StorageClassAnalysis": {"DataExport": {"OutputSchemaVersion": "V_1", "Destination": {
                 "S3BucketDestination": {"Format": "CSV", "Bucket": "arn:aws:s3:::reports"}}}}}
METRICS = {"Id": "m", "Filter": {"And": {"Prefix": "logs/", "Tags": [{"Key": "a", "Value": "b"}]}}}
TIERING = {"Id": "it", "Status": "Enabled", "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"},
                                                          {"Days": 180, "AccessTier": "DEEP_ARCHIVE_ACCESS"}]}

# name in the client's methods, the model's member, the sample, the status a put answers with
FAMILIES = [
    ("inventory", "InventoryConfiguration", INVENTORY, 204),
    ("analytics", "AnalyticsConfiguration", ANALYTICS, 204),
    ("metrics", "MetricsConfiguration", METRICS, 204),
    ("intelligent_tiering", "IntelligentTieringConfiguration", TIERING, 204),
]
IDS = [f[0] for f in FAMILIES]


def calls(s3, family):
    return (getattr(s3, f"put_bucket_{family}_configuration"), getattr(s3, f"get_bucket_{family}_configuration"),
            getattr(s3, f"delete_bucket_{family}_configuration"),
            getattr(s3, f"list_bucket_{family}_configurations"))


@pytest.mark.parametrize("family, member, sample, put_status", FAMILIES, ids=IDS)
def test_put_get_list_delete(s3, bucket, family, member, sample, put_status):
    put, get, delete, list_ = calls(s3, family)
    assert member + "List" not in list_(Bucket=bucket)
    response = put(Bucket=bucket, Id=sample["Id"], **{member: sample})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == put_status
    assert get(Bucket=bucket, Id=sample["Id"])[member] == sample
    listed = list_(Bucket=bucket)
    assert listed[member + "List"] == [sample] and listed["IsTruncated"] is False
    assert delete(Bucket=bucket, Id=sample["Id"])["ResponseMetadata"]["HTTPStatusCode"] == 204
    for call in (get, delete):
        with pytest.raises(ClientError) as exc:
            call(Bucket=bucket, Id=sample["Id"])
        assert error_of(exc) == (404, "NoSuchConfiguration")


@pytest.mark.parametrize("family, member, sample, put_status", FAMILIES, ids=IDS)
def test_an_id_in_the_document_that_differs_from_the_query_is_refused(s3, bucket, family, member, sample, put_status):
    put, get, _, _ = calls(s3, family)
    with pytest.raises(ClientError) as exc:
        put(Bucket=bucket, Id="other", **{member: sample})
    assert error_of(exc) == (400, "IdMismatch" if family == "inventory" else "MalformedXML")
    with pytest.raises(ClientError):
        get(Bucket=bucket, Id="other")


def test_a_put_replaces_the_configuration_of_the_same_id(s3, bucket):
    s3.put_bucket_metrics_configuration(Bucket=bucket, Id="m", MetricsConfiguration=METRICS)
    s3.put_bucket_metrics_configuration(Bucket=bucket, Id="m", MetricsConfiguration={"Id": "m"})
    assert s3.get_bucket_metrics_configuration(Bucket=bucket, Id="m")["MetricsConfiguration"] == {"Id": "m"}
    assert len(s3.list_bucket_metrics_configurations(Bucket=bucket)["MetricsConfigurationList"]) == 1


@pytest.mark.parametrize("filter_", [
    {"And": {"Prefix": "only-one"}},
    {"And": {}},
    {"Prefix": "p", "Tag": {"Key": "a", "Value": "b"}},
], ids=["and-of-one", "empty-and", "two-predicates"])
def test_filters_s3_refuses(s3, bucket, filter_):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_metrics_configuration(Bucket=bucket, Id="m", MetricsConfiguration={"Id": "m", "Filter": filter_})
    assert error_of(exc) == (400, "MalformedXML")
    assert "MetricsConfigurationList" not in s3.list_bucket_metrics_configurations(Bucket=bucket)


def test_intelligent_tiering_days_out_of_range_are_refused(s3, bucket):
    bad = {"Id": "it", "Status": "Enabled", "Tierings": [{"Days": 30, "AccessTier": "ARCHIVE_ACCESS"}]}
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_intelligent_tiering_configuration(Bucket=bucket, Id="it", IntelligentTieringConfiguration=bad)
    assert error_of(exc) == (400, "InvalidArgument")


def test_listing_pages_by_one_hundred_in_id_order(s3, bucket):
    ids = [f"m{i:03d}" for i in range(230)]
    for config_id in reversed(ids):
        s3.put_bucket_metrics_configuration(Bucket=bucket, Id=config_id, MetricsConfiguration={"Id": config_id})
    seen, token, pages = [], None, 0
    while True:
        page = s3.list_bucket_metrics_configurations(Bucket=bucket, **({"ContinuationToken": token} if token else {}))
        pages += 1
        seen += [c["Id"] for c in page["MetricsConfigurationList"]]
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            break
        token = page["NextContinuationToken"]
        assert page["ContinuationToken" if pages > 1 else "IsTruncated"]
    assert seen == ids and pages == 3


def test_unknown_bucket_is_no_such_bucket(s3):
    with pytest.raises(ClientError) as exc:
        s3.list_bucket_inventory_configurations(Bucket="no-such-bucket-for-configs")
    assert error_of(exc) == (404, "NoSuchBucket")


def test_configurations_survive_a_restart(tmp_path):
    with running_lakebox(tmp_path / "data", set_env=False) as server:
        s3 = make_client(server.endpoint_url)
        s3.create_bucket(Bucket="keeps-configs")
        s3.put_bucket_inventory_configuration(Bucket="keeps-configs", Id="daily", InventoryConfiguration=INVENTORY)
    with running_lakebox(tmp_path / "data", set_env=False) as server:
        s3 = make_client(server.endpoint_url)
        got = s3.get_bucket_inventory_configuration(Bucket="keeps-configs", Id="daily")
        assert got["InventoryConfiguration"] == INVENTORY


@pytest.mark.parametrize("change, code", [
    (lambda c: c["Destination"]["S3BucketDestination"].update(Bucket="reports"), "InvalidS3DestinationBucket"),
    (lambda c: c["Destination"]["S3BucketDestination"].update(Format="WRONG-FORMAT"), "MalformedXML"),
    (lambda c: c["Schedule"].update(Frequency="Hourly"), "MalformedXML"),
    (lambda c: c.update(IncludedObjectVersions="Wrong"), "MalformedXML"),
    (lambda c: c.update(OptionalFields=["TestField"]), "MalformedXML"),
], ids=["bucket-name-not-arn", "format", "frequency", "versions", "optional-field"])
def test_inventory_values_s3_refuses(s3, bucket, change, code):
    import copy

    config = copy.deepcopy(INVENTORY)
    change(config)
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_inventory_configuration(Bucket=bucket, Id=config["Id"], InventoryConfiguration=config)
    assert error_of(exc) == (400, code)
    assert "InventoryConfigurationList" not in s3.list_bucket_inventory_configurations(Bucket=bucket)
