"""S3 Inventory reports, written for real into the destination bucket on the service clock's schedule,
read back through boto3 and checked row by row, file by file."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json

import pyarrow.parquet as pq
import pytest
from pyarrow import orc


def inventory(config_id, *, fmt="CSV", versions="All", frequency="Daily", prefix=None, fields=("Size", "ETag"),
              destination="reports", enabled=True, encryption=None):
    dest = {"Bucket": f"arn:aws:s3:::{destination}", "Format": fmt, "Prefix": "inv"}
    if encryption:
        dest["Encryption"] = encryption
    config = {"Id": config_id, "IsEnabled": enabled, "IncludedObjectVersions": versions,
              "Schedule": {"Frequency": frequency}, "Destination": {"S3BucketDestination": dest},
              "OptionalFields": list(fields)}
    if prefix:
        config["Filter"] = {"Prefix": prefix}
    return config


def keys(s3, bucket="reports"):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def manifests(s3, config_id):
    return [k for k in keys(s3) if k.endswith("/manifest.json") and f"/{config_id}/" in k]


def read(s3, key, bucket="reports") -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


@pytest.fixture
def lake(s3, lakebox_server):
    """A versioned source bucket with two versions of one key, a deleted key, and a destination."""
    s3.create_bucket(Bucket="source")
    s3.create_bucket(Bucket="reports")
    s3.put_bucket_versioning(Bucket="source", VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket="source", Key="data/a b.csv", Body=b"1,2")
    second = s3.put_object(Bucket="source", Key="data/a b.csv", Body=b"1,2,3")
    gone = s3.put_object(Bucket="source", Key="logs/x", Body=b"x")
    marker = s3.delete_object(Bucket="source", Key="logs/x")
    return {"first": first, "second": second, "gone": gone, "marker": marker, "server": lakebox_server}


def test_a_csv_report_lists_every_version_with_a_manifest_checksum_and_symlink(s3, lake):
    s3.put_bucket_inventory_configuration(Bucket="source", Id="all", InventoryConfiguration=inventory("all"))
    lake["server"].advance_clock("1m")
    [manifest_key] = manifests(s3, "all")
    assert manifest_key.startswith("inv/source/all/") and manifest_key.count("/") == 4
    raw_manifest = read(s3, manifest_key)
    manifest = json.loads(raw_manifest)
    assert manifest["sourceBucket"] == "source"
    assert manifest["destinationBucket"] == "arn:aws:s3:::reports"
    assert manifest["version"] == "2016-11-30" and manifest["fileFormat"] == "CSV"
    assert manifest["fileSchema"] == "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, ETag"
    [entry] = manifest["files"]
    data = read(s3, entry["key"])
    assert entry["key"].startswith("inv/source/all/data/") and entry["key"].endswith(".csv.gz")
    assert entry["size"] == len(data) and entry["MD5checksum"] == hashlib.md5(data).hexdigest()
    # manifest.checksum is the MD5 of manifest.json, next to it.
    checksum_key = manifest_key.replace("manifest.json", "manifest.checksum")
    assert read(s3, checksum_key).decode() == hashlib.md5(raw_manifest).hexdigest()
    [symlink] = [k for k in keys(s3) if k.endswith("symlink.txt")]
    assert symlink.startswith("inv/source/all/hive/dt=")
    assert read(s3, symlink).decode() == f"s3://reports/{entry['key']}\n"

    rows = list(csv.reader(io.StringIO(gzip.decompress(data).decode())))
    etag = lambda response: response["ETag"].strip('"')  # noqa: E731
    assert rows == [
        ["source", "data/a+b.csv", lake["second"]["VersionId"], "true", "false", "5", etag(lake["second"])],
        ["source", "data/a+b.csv", lake["first"]["VersionId"], "false", "false", "3", etag(lake["first"])],
        ["source", "logs/x", lake["marker"]["VersionId"], "true", "true", "", ""],
        ["source", "logs/x", lake["gone"]["VersionId"], "false", "false", "1", etag(lake["gone"])],
    ]
    # Every value is quoted, as S3 writes them.
    assert gzip.decompress(data).decode().splitlines()[0].startswith('"source","data/a+b.csv"')


def test_parquet_and_orc_reports_of_current_objects_under_a_prefix(s3, lake):
    s3.put_object(Bucket="source", Key="data/z.json", Body=b"{}")
    fields = ("Size", "LastModifiedDate", "StorageClass", "EncryptionStatus", "IsMultipartUploaded")
    for fmt in ("Parquet", "ORC"):
        s3.put_bucket_inventory_configuration(
            Bucket="source", Id=fmt.lower(),
            InventoryConfiguration=inventory(fmt.lower(), fmt=fmt, versions="Current", prefix="data/", fields=fields))
    lake["server"].advance_clock("1m")
    for fmt, reader in (("Parquet", pq.read_table), ("ORC", orc.read_table)):
        [manifest_key] = manifests(s3, fmt.lower())
        manifest = json.loads(read(s3, manifest_key))
        assert manifest["fileFormat"] == fmt
        [entry] = manifest["files"]
        assert entry["key"].endswith(".parquet" if fmt == "Parquet" else ".orc")
        table = reader(io.BytesIO(read(s3, entry["key"])))
        assert table.column_names == ["bucket", "key", "size", "last_modified_date", "storage_class",
                                      "is_multipart_uploaded", "encryption_status"]
        rows = table.to_pylist()
        assert [(r["key"], r["size"], r["storage_class"], r["encryption_status"], r["is_multipart_uploaded"])
                for r in rows] == [("data/a b.csv", 5, "STANDARD", "SSE-S3", False),
                                   ("data/z.json", 2, "STANDARD", "SSE-S3", False)]
        head = s3.head_object(Bucket="source", Key="data/z.json")
        assert rows[1]["last_modified_date"].replace(microsecond=0) == head["LastModified"]
    assert "struct<bucket:string,key:string,size:bigint" in json.loads(read(s3, manifests(s3, "orc")[0]))["fileSchema"]


def test_daily_and_weekly_schedules_follow_the_service_clock(s3, lake):
    s3.put_bucket_inventory_configuration(Bucket="source", Id="daily", InventoryConfiguration=inventory("daily"))
    s3.put_bucket_inventory_configuration(Bucket="source", Id="weekly",
                                          InventoryConfiguration=inventory("weekly", frequency="Weekly"))
    server = lake["server"]
    server.advance_clock("1m")
    assert len(manifests(s3, "daily")) == 1 and len(manifests(s3, "weekly")) == 1
    server.advance_clock("12h")
    assert len(manifests(s3, "daily")) == 1
    server.advance_clock("12h")
    assert len(manifests(s3, "daily")) == 2 and len(manifests(s3, "weekly")) == 1
    server.advance_clock("6d")
    assert len(manifests(s3, "weekly")) == 2


def test_a_disabled_configuration_writes_nothing(s3, lake):
    s3.put_bucket_inventory_configuration(Bucket="source", Id="off", InventoryConfiguration=inventory("off", enabled=False))
    lake["server"].advance_clock("2d")
    assert keys(s3) == []


def test_a_missing_destination_gets_nothing_until_it_exists(s3, lake):
    s3.put_bucket_inventory_configuration(Bucket="source", Id="later",
                                          InventoryConfiguration=inventory("later", destination="late-reports"))
    lake["server"].advance_clock("1m")
    s3.create_bucket(Bucket="late-reports")
    assert keys(s3, "late-reports") == []
    lake["server"].advance_clock("1d")
    assert any(k.endswith("manifest.checksum") for k in keys(s3, "late-reports"))


def test_report_files_are_encrypted_as_the_configuration_asks(s3, lake):
    config = inventory("kms", encryption={"SSEKMS": {"KeyId": "arn:aws:kms:us-east-1:000000000000:key/abc"}})
    s3.put_bucket_inventory_configuration(Bucket="source", Id="kms", InventoryConfiguration=config)
    lake["server"].advance_clock("1m")
    [manifest_key] = manifests(s3, "kms")
    data_key = json.loads(read(s3, manifest_key))["files"][0]["key"]
    assert s3.head_object(Bucket="reports", Key=data_key)["ServerSideEncryption"] == "aws:kms"
