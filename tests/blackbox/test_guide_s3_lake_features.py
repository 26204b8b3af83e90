"""The guide's S3 lifecycle, encryption, versioning and replication examples, against `lakebox serve`.

The guide's lines are pasted verbatim between `# guide:` markers. The guide only defines
`lifecycle_config` and `replication_config`; applying them is the obvious next call, and each needs
the smallest fix AWS itself demands (tests/guide/FIXES.md): `Id` → `ID`, and `Metrics` (plus
`Filter` and `DeleteMarkerReplication`, which AWS requires beside `Priority`) for replication.
Then the effects are checked: the service clock is moved with the `lakebox clock` command, as a
user would, and the lake folder is inspected.
"""

from __future__ import annotations

import copy
import os
import subprocess
import time

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError

pytestmark = pytest.mark.blackbox

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def s3(lakebox_endpoint):
    client = boto3.client("s3")
    for bucket in ("my-data-lake", "my-bucket", "backup-bucket"):
        client.create_bucket(Bucket=bucket)
    return client


@pytest.fixture
def clock_advance(lakebox_cli):
    """`lakebox clock advance` as a user runs it (AWS_ENDPOINT_URL names the server)."""
    def advance(duration: str) -> None:
        done = subprocess.run([*lakebox_cli, "clock", "advance", duration], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("service time ")
    return advance


def test_guide_lifecycle_rule_runs(s3, lakebox_endpoint, clock_advance):
    # guide: "Storage Classes" (verbatim)
    lifecycle_config = {
        'Rules': [{
            'Id': 'archive-old-data',
            'Status': 'Enabled',
            'Prefix': 'data/',
            'Transitions': [
                {
                    'Days': 30,
                    'StorageClass': 'STANDARD_IA'  # Infrequent Access
                },
                {
                    'Days': 90,
                    'StorageClass': 'GLACIER'  # Archive
                },
                {
                    'Days': 365,
                    'StorageClass': 'DEEP_ARCHIVE'  # Cold archive
                }
            ],
            'Expiration': {
                'Days': 2555  # 7 years
            }
        }]
    }
    # end guide

    with pytest.raises(ParamValidationError):  # as on AWS: boto3 itself refuses `Id`
        s3.put_bucket_lifecycle_configuration(Bucket="my-data-lake", LifecycleConfiguration=lifecycle_config)
    fixed = copy.deepcopy(lifecycle_config)
    fixed["Rules"][0]["ID"] = fixed["Rules"][0].pop("Id")
    s3.put_bucket_lifecycle_configuration(Bucket="my-data-lake", LifecycleConfiguration=fixed)
    stored = s3.get_bucket_lifecycle_configuration(Bucket="my-data-lake")["Rules"][0]
    assert stored["ID"] == "archive-old-data" and stored["Prefix"] == "data/"
    assert [t["StorageClass"] for t in stored["Transitions"]] == ["STANDARD_IA", "GLACIER", "DEEP_ARCHIVE"]

    body = os.urandom(MiB)
    s3.put_object(Bucket="my-data-lake", Key="data/events.bin", Body=body)
    plain = lakebox_endpoint.server.data_dir / "s3" / "my-data-lake" / "data" / "events.bin"

    clock_advance("31d")
    assert s3.head_object(Bucket="my-data-lake", Key="data/events.bin")["StorageClass"] == "STANDARD_IA"
    assert plain.read_bytes() == body  # a transition leaves the file where engines read it

    clock_advance("60d")  # day 91
    assert s3.head_object(Bucket="my-data-lake", Key="data/events.bin")["StorageClass"] == "GLACIER"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket="my-data-lake", Key="data/events.bin")
    assert exc.value.response["Error"]["Code"] == "InvalidObjectState"
    restored = s3.restore_object(Bucket="my-data-lake", Key="data/events.bin",
                                 RestoreRequest={"Days": 2, "GlacierJobParameters": {"Tier": "Standard"}})
    assert restored["ResponseMetadata"]["HTTPStatusCode"] == 202
    clock_advance("6h")
    assert s3.get_object(Bucket="my-data-lake", Key="data/events.bin")["Body"].read() == body

    clock_advance("2465d")  # day 2556
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket="my-data-lake", Key="data/events.bin")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert not plain.exists()


def test_guide_encryption_and_versioning(s3, lakebox_endpoint):
    data = b"id,secret\n1,abc\n"
    # guide: "S3 Best Practices" 3 and 4 (verbatim)
    s3.put_object(
        Bucket='my-bucket',
        Key='sensitive-data.csv',
        Body=data,
        ServerSideEncryption='AES256'  # ou 'aws:kms'
    )

    s3.put_bucket_versioning(
        Bucket='my-bucket',
        VersioningConfiguration={'Status': 'Enabled'}
    )
    # end guide

    head = s3.head_object(Bucket="my-bucket", Key="sensitive-data.csv")
    assert head["ServerSideEncryption"] == "AES256"
    assert s3.get_bucket_versioning(Bucket="my-bucket")["Status"] == "Enabled"
    # Versioning as a backup: overwrite and delete, then read the old bytes back.
    s3.put_object(Bucket="my-bucket", Key="sensitive-data.csv", Body=b"overwritten")
    s3.delete_object(Bucket="my-bucket", Key="sensitive-data.csv")
    listing = s3.list_object_versions(Bucket="my-bucket", Prefix="sensitive-data.csv")
    assert len(listing["Versions"]) == 2 and len(listing["DeleteMarkers"]) == 1
    oldest = listing["Versions"][-1]
    assert oldest["VersionId"] == "null"  # written before versioning was enabled
    got = s3.get_object(Bucket="my-bucket", Key="sensitive-data.csv", VersionId=oldest["VersionId"])
    assert got["Body"].read() == data


def test_guide_replication_config(s3, lakebox_endpoint):
    # guide: "S3 Best Practices" 5 (verbatim)
    replication_config = {
        'Role': 'arn:aws:iam::123456789:role/s3-replication',
        'Rules': [{
            'Status': 'Enabled',
            'Priority': 1,
            'Destination': {
                'Bucket': 'arn:aws:s3:::backup-bucket',
                'ReplicationTime': {'Status': 'Enabled', 'Time': {'Minutes': 15}}
            }
        }]
    }
    # end guide

    for bucket in ("my-bucket", "backup-bucket"):
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    with pytest.raises(ClientError) as exc:  # as AWS: ReplicationTime needs Metrics
        s3.put_bucket_replication(Bucket="my-bucket", ReplicationConfiguration=replication_config)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    fixed = copy.deepcopy(replication_config)
    rule = fixed["Rules"][0]
    rule["Filter"] = {}
    rule["DeleteMarkerReplication"] = {"Status": "Disabled"}
    rule["Destination"]["Metrics"] = {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}
    s3.put_bucket_replication(Bucket="my-bucket", ReplicationConfiguration=fixed)
    stored = s3.get_bucket_replication(Bucket="my-bucket")["ReplicationConfiguration"]
    assert stored["Rules"][0]["Destination"]["Bucket"] == "arn:aws:s3:::backup-bucket"

    put = s3.put_object(Bucket="my-bucket", Key="orders/2024/01/15/orders.csv", Body=b"order_id\n1\n",
                        Tagging="layer=bronze")
    deadline = time.monotonic() + 60
    while True:
        head = s3.head_object(Bucket="my-bucket", Key="orders/2024/01/15/orders.csv")
        if head.get("ReplicationStatus") == "COMPLETED":
            break
        assert time.monotonic() < deadline, f"still {head.get('ReplicationStatus')}"
        time.sleep(0.1)
    replica = s3.get_object(Bucket="backup-bucket", Key="orders/2024/01/15/orders.csv")
    assert replica["Body"].read() == b"order_id\n1\n"
    assert replica["ReplicationStatus"] == "REPLICA"
    assert replica["VersionId"] == put["VersionId"]
    tags = s3.get_object_tagging(Bucket="backup-bucket", Key="orders/2024/01/15/orders.csv")["TagSet"]
    assert tags == [{"Key": "layer", "Value": "bronze"}]
