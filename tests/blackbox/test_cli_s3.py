"""The AWS CLI against a `lakebox serve` subprocess, with only AWS_ENDPOINT_URL and dummy keys set.

The CLI exercises paths boto3 examples don't: multipart uploads above 8 MiB and parallel ranged
downloads (`s3 cp`), LastModified arithmetic (`s3 sync` re-uploads only what changed), batch
deletes (`s3 rm --recursive`), and JMESPath over real listings (`s3api ... --query`). Every test
checks the bytes, keys and sizes that come back, and the files in the lake folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import boto3
import pytest

pytestmark = pytest.mark.blackbox

BUCKET = "cli-bucket"


@pytest.fixture(scope="module")
def bucket(lakebox_endpoint, aws):
    out = aws("s3", "mb", f"s3://{BUCKET}")
    assert f"make_bucket: {BUCKET}" in out.stdout
    assert BUCKET in aws("s3", "ls").stdout.split()
    return BUCKET


def _keys(prefix: str) -> dict[str, int]:
    s3 = boto3.client("s3")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return {o["Key"]: o["Size"] for page in pages for o in page.get("Contents", [])}


def test_cp_multipart_upload_and_ranged_download(lakebox_endpoint, aws, bucket, tmp_path):
    # 9 MiB + a tail: above the CLI's 8 MiB threshold, so 2 parts up and ranged GETs down.
    data = os.urandom(9 * 1024 * 1024 + 12345)
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    out = aws("s3", "cp", str(src), f"s3://{bucket}/big/big.bin")
    uploads = [l for l in out.stdout.splitlines() if l.startswith("upload:")]
    assert len(uploads) == 1 and uploads[0].endswith(f"big.bin to s3://{bucket}/big/big.bin"), out.stdout

    head = json.loads(aws("s3api", "head-object", "--bucket", bucket, "--key", "big/big.bin").stdout)
    assert head["ContentLength"] == len(data)
    parts = [data[:8 << 20], data[8 << 20:]]
    md5_of_md5s = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    assert head["ETag"] == f'"{md5_of_md5s}-2"'
    assert lakebox_endpoint.object_path(bucket, "big/big.bin").read_bytes() == data

    dst = tmp_path / "down.bin"
    aws("s3", "cp", f"s3://{bucket}/big/big.bin", str(dst))
    assert dst.read_bytes() == data


def test_ls_shows_buckets_prefixes_and_sizes(aws, bucket, tmp_path):
    (tmp_path / "one.txt").write_bytes(b"1" * 11)
    (tmp_path / "two.txt").write_bytes(b"2" * 2222)
    aws("s3", "cp", str(tmp_path / "one.txt"), f"s3://{bucket}/ls/one.txt")
    aws("s3", "cp", str(tmp_path / "two.txt"), f"s3://{bucket}/ls/sub/two.txt")

    top = aws("s3", "ls", f"s3://{bucket}/ls/").stdout.splitlines()
    entries = {line.split()[-1]: line.split() for line in top}
    assert set(entries) == {"sub/", "one.txt"}
    assert entries["sub/"][0] == "PRE"
    assert entries["one.txt"][2] == "11"

    recursive = aws("s3", "ls", f"s3://{bucket}/ls/", "--recursive").stdout.splitlines()
    assert sorted((l.split()[3], int(l.split()[2])) for l in recursive) == [
        ("ls/one.txt", 11), ("ls/sub/two.txt", 2222)]


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_sync_uploads_a_tree_then_only_the_changed_file(lakebox_endpoint, aws, bucket, tmp_path):
    src = tmp_path / "src"
    files = {"a.csv": b"id\n1\n", "b.csv": b"id\n2\n", "sub/c.json": b'{"c": 3}',
             "sub/deep/d.txt": os.urandom(70_000)}
    # Listings give LastModified in whole seconds, as S3 does: a file written in the second its
    # upload lands looks newer than its object and goes up again on the next sync (on S3 too).
    # Dating the files a few seconds back keeps this test about sizes and times only.
    past = time.time() - 10
    for name, body in files.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(body)
        os.utime(src / name, (past, past))

    first = aws("s3", "sync", str(src), f"s3://{bucket}/synced/")
    assert sum(l.startswith("upload:") for l in first.stdout.splitlines()) == 4
    assert _keys("synced/") == {f"synced/{n}": len(b) for n, b in files.items()}

    (src / "b.csv").write_bytes(b"id\n2\n22\n222\n")  # new size: sync must notice
    os.utime(src / "b.csv", (past, past))
    second = aws("s3", "sync", str(src), f"s3://{bucket}/synced/")
    uploads = [l for l in second.stdout.splitlines() if l.startswith("upload:")]
    assert len(uploads) == 1 and uploads[0].endswith(f"s3://{bucket}/synced/b.csv"), second.stdout
    body = boto3.client("s3").get_object(Bucket=bucket, Key="synced/b.csv")["Body"].read()
    assert body == b"id\n2\n22\n222\n"

    third = aws("s3", "sync", str(src), f"s3://{bucket}/synced/")
    assert "upload:" not in third.stdout  # nothing changed: LastModified and sizes agree

    dst = tmp_path / "dst"
    aws("s3", "sync", f"s3://{bucket}/synced/", str(dst))
    assert _tree(dst) == _tree(src)
    lake_dir = lakebox_endpoint.object_path(bucket, "synced")
    assert _tree(lake_dir) == _tree(src)


def test_rm_recursive_deletes_only_the_prefix(lakebox_endpoint, aws, bucket, tmp_path):
    for i in range(5):
        (tmp_path / f"f{i}.txt").write_text(f"file {i}")
    aws("s3", "sync", str(tmp_path), f"s3://{bucket}/trash/")
    aws("s3", "cp", str(tmp_path / "f0.txt"), f"s3://{bucket}/keep/f0.txt")
    assert len(_keys("trash/")) == 5

    out = aws("s3", "rm", f"s3://{bucket}/trash/", "--recursive")
    deleted = sorted(l.split()[-1] for l in out.stdout.splitlines() if l.startswith("delete:"))
    assert deleted == [f"s3://{bucket}/trash/f{i}.txt" for i in range(5)]
    assert _keys("trash/") == {}
    assert _keys("keep/") == {"keep/f0.txt": len("file 0")}
    trash_dir = lakebox_endpoint.object_path(bucket, "trash")
    assert not trash_dir.exists() or not any(p.is_file() for p in trash_dir.rglob("*"))
    assert aws("s3", "ls", f"s3://{bucket}/trash/", check=False).stdout.strip() == ""


def test_s3api_put_head_and_list_with_query(lakebox_endpoint, aws, bucket, tmp_path):
    body = json.dumps({"rows": list(range(200))}).encode()
    (tmp_path / "obj.json").write_bytes(body)
    (tmp_path / "small.txt").write_bytes(b"tiny")
    put = json.loads(aws("s3api", "put-object", "--bucket", bucket, "--key", "api/obj.json",
                         "--body", str(tmp_path / "obj.json"), "--content-type", "application/json",
                         "--metadata", "owner=guide,layer=bronze").stdout)
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    aws("s3api", "put-object", "--bucket", bucket, "--key", "api/small.txt", "--body", str(tmp_path / "small.txt"))

    head = json.loads(aws("s3api", "head-object", "--bucket", bucket, "--key", "api/obj.json").stdout)
    assert head["ContentLength"] == len(body)
    assert head["ContentType"] == "application/json"
    assert head["Metadata"] == {"owner": "guide", "layer": "bronze"}
    assert head["ETag"] == put["ETag"]

    keys = json.loads(aws("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "api/",
                          "--query", "Contents[].Key", "--output", "json").stdout)
    assert keys == ["api/obj.json", "api/small.txt"]
    big = json.loads(aws("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "api/",
                         "--query", "Contents[?Size > `100`].[Key, Size]", "--output", "json").stdout)
    assert big == [["api/obj.json", len(body)]]

    out = tmp_path / "got.json"
    aws("s3api", "get-object", "--bucket", bucket, "--key", "api/obj.json", str(out))
    assert out.read_bytes() == body == lakebox_endpoint.object_path(bucket, "api/obj.json").read_bytes()


def test_rb_force_removes_the_bucket_and_its_objects(aws, tmp_path):
    aws("s3", "mb", "s3://cli-doomed")
    (tmp_path / "x.txt").write_text("x")
    aws("s3", "cp", str(tmp_path / "x.txt"), "s3://cli-doomed/x.txt")
    refused = aws("s3", "rb", "s3://cli-doomed", check=False)
    assert refused.returncode != 0 and "BucketNotEmpty" in refused.stderr
    aws("s3", "rb", "s3://cli-doomed", "--force")
    assert "cli-doomed" not in aws("s3", "ls").stdout.split()
