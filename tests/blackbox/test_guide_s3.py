"""The guide's S3 section, run as written against a `lakebox serve` subprocess.

The promise is that the guide's code runs unchanged with only AWS_ENDPOINT_URL set (DESIGN, "The
promise" 1), and that the lake is a folder (D2). So each test pastes the guide's lines verbatim
between `# guide:` markers, then checks what came back: the bytes and rows, and the plain file at
`<data>/s3/<bucket>/<key>`. The only things added are what the guide leaves implicit: the buckets
exist, `local_file.csv` exists, and `data` holds bytes (tests/guide/FIXES.md).

Note that pandas hands a bare `s3://` URL to pyarrow's own S3 client (the AWS C++ SDK, which reads
AWS_ENDPOINT_URL too, and uploads with multipart), and only goes through fsspec/s3fs when given
`storage_options`; both routes are tested. Reading a Parquet dataset with `pyarrow.fs.S3FileSystem`
and `pyarrow.dataset` is here as well: the same lake seen through partition discovery.
"""

from __future__ import annotations

import hashlib
import io
import os

import boto3
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from pyarrow import fs as pafs

pytestmark = pytest.mark.blackbox

CSV = "order_id,customer,amount\n1,ana,10.50\n2,bruno,3.25\n3,carla,99.00\n"


@pytest.fixture(scope="module")
def lake(lakebox_endpoint):
    """The buckets the guide's snippets write to; the guide assumes they already exist."""
    s3 = boto3.client("s3")
    for bucket in ("my-data-lake", "bucket", "my-bucket"):
        s3.create_bucket(Bucket=bucket)
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {"my-data-lake", "bucket", "my-bucket"} <= names
    return lakebox_endpoint


def test_guide_upload_file_lands_as_plain_file(lake, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "local_file.csv").write_text(CSV)

    # guide: "Python boto3 - Upload to S3" (verbatim)
    import boto3
    import pandas as pd  # noqa: F401  (the guide imports it here)

    s3 = boto3.client('s3')

    # Upload file
    s3.upload_file(
        Filename='local_file.csv',
        Bucket='my-data-lake',
        Key='bronze/orders/2024/01/15/orders.csv'
    )
    # end guide

    key = "bronze/orders/2024/01/15/orders.csv"
    got = s3.get_object(Bucket="my-data-lake", Key=key)
    assert got["Body"].read() == CSV.encode()
    assert got["ContentLength"] == len(CSV)
    assert got["ETag"].strip('"') == hashlib.md5(CSV.encode()).hexdigest()
    assert got["ServerSideEncryption"] == "AES256"  # default encryption, as on AWS since 2023
    assert lake.object_path("my-data-lake", key).read_bytes() == CSV.encode()
    listed = s3.list_objects_v2(Bucket="my-data-lake", Prefix="bronze/")
    assert [(o["Key"], o["Size"]) for o in listed["Contents"]] == [(key, len(CSV))]


def test_guide_dataframe_to_parquet_and_back(lake):
    # guide: "Upload DataFrame as Parquet" / "Read from S3" (verbatim)
    df = pd.DataFrame({'col1': [1, 2], 'col2': [3, 4]})
    df.to_parquet('s3://my-data-lake/silver/orders/data.parquet')

    # Read from S3
    df = pd.read_parquet('s3://my-data-lake/silver/orders/data.parquet')
    # end guide

    expected = pd.DataFrame({"col1": [1, 2], "col2": [3, 4]})
    pd.testing.assert_frame_equal(df.reset_index(drop=True), expected)
    path = lake.object_path("my-data-lake", "silver/orders/data.parquet")
    table = pq.read_table(path)  # the engines' view: a plain Parquet file in the lake folder
    assert table.select(["col1", "col2"]).to_pydict() == {"col1": [1, 2], "col2": [3, 4]}
    s3 = boto3.client("s3")
    body = s3.get_object(Bucket="my-data-lake", Key="silver/orders/data.parquet")["Body"].read()
    assert body == path.read_bytes()
    assert body[:4] == b"PAR1" and body[-4:] == b"PAR1"


def test_dataframe_parquet_round_trip_through_s3fs(lake):
    """pandas sends a bare 's3://' URL to pyarrow's own S3 client (AWS C++ SDK, which also honours
    AWS_ENDPOINT_URL); any storage_options route it through fsspec/s3fs instead. Both must work."""
    import fsspec
    import s3fs

    url = "s3://my-data-lake/silver/customers/data.parquet"
    assert isinstance(fsspec.core.url_to_fs(url)[0], s3fs.S3FileSystem)
    df = pd.DataFrame({"id": [1, 2, 3], "name": ["ana", "bruno", "ção"], "score": [0.5, None, 2.25]})
    df.to_parquet(url, storage_options={})
    back = pd.read_parquet(url, storage_options={})
    pd.testing.assert_frame_equal(back.reset_index(drop=True), df)
    assert pq.read_table(lake.object_path("my-data-lake", "silver/customers/data.parquet")).num_rows == 3
    fs = s3fs.S3FileSystem()
    assert fs.ls("my-data-lake/silver/customers") == ["my-data-lake/silver/customers/data.parquet"]
    assert fs.cat(url) == lake.object_path("my-data-lake", "silver/customers/data.parquet").read_bytes()


def test_guide_parquet_with_snappy_compression(lake):
    df = pd.DataFrame({"id": list(range(1000)), "name": [f"n{i % 7}" for i in range(1000)]})

    # guide: "2. Use Parquet/ORC (formato colunar)" (verbatim)
    df.to_parquet('s3://bucket/data.parquet', compression='snappy')
    # end guide

    back = pd.read_parquet("s3://bucket/data.parquet")
    pd.testing.assert_frame_equal(back.reset_index(drop=True), df)
    meta = pq.ParquetFile(lake.object_path("bucket", "data.parquet")).metadata
    assert meta.num_rows == 1000
    codecs = {meta.row_group(0).column(i).compression for i in range(meta.num_columns)}
    assert codecs == {"SNAPPY"}


def test_guide_put_object_with_server_side_encryption(lake):
    s3 = boto3.client("s3")
    data = CSV.encode() * 100  # the guide's `data`: any bytes

    # guide: "3. Server-Side Encryption" (verbatim)
    s3.put_object(
        Bucket='my-bucket',
        Key='sensitive-data.csv',
        Body=data,
        ServerSideEncryption='AES256'  # ou 'aws:kms'
    )
    # end guide

    got = s3.get_object(Bucket="my-bucket", Key="sensitive-data.csv")
    assert got["Body"].read() == data
    assert got["ServerSideEncryption"] == "AES256"
    head = s3.head_object(Bucket="my-bucket", Key="sensitive-data.csv")
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentLength"] == len(data)
    assert head["ETag"].strip('"') == hashlib.md5(data).hexdigest()
    assert lake.object_path("my-bucket", "sensitive-data.csv").read_bytes() == data


def test_guide_partitioned_path_reads_back_with_partition_columns(lake):
    df = pd.DataFrame({"order_id": [10, 11, 12], "amount": [1.5, 2.5, 3.5]})
    # guide: "1. Particionamento por data" gives the layout s3://bucket/table/year=2024/month=01/day=15/data.parquet
    df.to_parquet("s3://bucket/table/year=2024/month=01/day=15/data.parquet")

    back = pd.read_parquet("s3://bucket/table/")  # a directory read: list + partition discovery
    assert sorted(back["order_id"].tolist()) == [10, 11, 12]
    assert back["amount"].sum() == pytest.approx(7.5)
    assert {str(v) for v in back["year"].unique()} == {"2024"}
    assert {str(v) for v in back["day"].unique()} == {"15"}
    assert lake.object_path("bucket", "table/year=2024/month=01/day=15/data.parquet").is_file()


# --- pyarrow.fs.S3FileSystem: the same lake through the AWS C++ SDK -------------------------------

def _arrow_s3(lake) -> pafs.S3FileSystem:
    host_port = lake.url.split("://", 1)[1]
    return pafs.S3FileSystem(endpoint_override=host_port, scheme="http", access_key="test",
                             secret_key="test", region="us-east-1")


def _sales(month: int, n: int) -> pa.Table:
    return pa.table({
        "sale_id": pa.array([month * 1000 + i for i in range(n)], pa.int64()),
        "amount": pa.array([round(i * 1.25 + month, 2) for i in range(n)], pa.float64()),
        "store": pa.array([f"store-{i % 3}" for i in range(n)]),
    })


def test_pyarrow_dataset_reads_parquet_files_under_a_prefix(lake):
    s3 = boto3.client("s3")
    expected_rows, expected_sum = 0, 0.0
    for month, n in ((1, 50), (2, 70), (3, 30)):
        for part in range(2):  # several files per partition, as Spark and Glue write them
            table = _sales(month, n + part)
            buf = io.BytesIO()
            pq.write_table(table, buf)
            s3.put_object(Bucket="my-data-lake", Body=buf.getvalue(),
                          Key=f"gold/sales/year=2024/month={month:02d}/part-{part:05d}.parquet")
            expected_rows += table.num_rows
            expected_sum += sum(table.column("amount").to_pylist())

    dataset = ds.dataset("my-data-lake/gold/sales", filesystem=_arrow_s3(lake), format="parquet",
                         partitioning="hive")
    assert len(dataset.files) == 6
    table = dataset.to_table()
    assert table.num_rows == expected_rows
    assert sum(table.column("amount").to_pylist()) == pytest.approx(expected_sum)
    assert sorted(set(table.column("month").to_pylist())) == [1, 2, 3]
    february = dataset.to_table(filter=ds.field("month") == 2)
    assert february.num_rows == 70 + 71
    assert set(february.column("sale_id").to_pylist()) == {2000 + i for i in range(71)}


def test_pyarrow_filesystem_writes_objects_that_boto3_and_the_folder_see(lake):
    fs = _arrow_s3(lake)
    table = _sales(7, 5000)
    pq.write_table(table, "my-data-lake/gold/arrow-written/data.parquet", filesystem=fs)

    info = fs.get_file_info("my-data-lake/gold/arrow-written/data.parquet")
    assert info.type == pafs.FileType.File
    back = pq.read_table("my-data-lake/gold/arrow-written/data.parquet", filesystem=fs)
    assert back.equals(table)
    path = lake.object_path("my-data-lake", "gold/arrow-written/data.parquet")
    assert info.size == os.path.getsize(path)
    assert pq.read_table(path).equals(table)
    body = boto3.client("s3").get_object(Bucket="my-data-lake", Key="gold/arrow-written/data.parquet")["Body"].read()
    assert body == path.read_bytes()
    listing = fs.get_file_info(pafs.FileSelector("my-data-lake/gold", recursive=False))
    assert {i.base_name for i in listing} >= {"arrow-written", "sales"}
