"""Partition projection and pruning through views, through boto3 on a real lakebox server: tables
created with Athena DDL (TBLPROPERTIES projection.*, storage.location.template), files put into S3,
row answers computed from the rows written, and DataScannedInBytes compared with what Athena counts
of the objects that should have been read: for Parquet, their footers and the chunks of the columns
the query reads (here the only column, `v`), from pyarrow's reading of each footer."""

from __future__ import annotations

import functools
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from athena_helpers import result_rows, run_query

run = functools.partial(run_query, database="proj")


def rows(athena, qid):
    return result_rows(athena, qid)[1:]


def read_bytes(body: bytes) -> int:
    """The bytes a query reading column `v` scans in a Parquet object: footer, tail, `v`'s chunks."""
    metadata = pq.ParquetFile(io.BytesIO(body)).metadata
    chunks = sum(metadata.row_group(g).column(0).total_compressed_size for g in range(metadata.num_row_groups))
    return metadata.serialized_size + 8 + chunks


def parquet(values) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"v": pa.array(values, pa.int64())}), buffer)
    return buffer.getvalue()


@pytest.fixture
def hourly(athena, s3, results):
    """A date-hour projected table over years, with data in a few hours and an enum key."""
    s3.create_bucket(Bucket="lake")
    run(athena, "CREATE DATABASE proj", results)
    written = {}
    for n, (source, hour) in enumerate([("web", "2021/01/01/00"), ("web", "2021/01/01/05"),
                                        ("app", "2021/01/01/05"), ("app", "2023/06/30/23")]):
        body = parquet(list(range(n * 10, n * 10 + n + 1)))
        s3.put_object(Bucket="lake", Key=f"events/{source}/{hour}/part-0.parquet", Body=body)
        written[(source, hour)] = (n + 1, sum(range(n * 10, n * 10 + n + 1)), read_bytes(body))
    run(athena, "CREATE EXTERNAL TABLE events (v bigint) PARTITIONED BY (source string, datehour string) "
                "STORED AS PARQUET LOCATION 's3://lake/events/' TBLPROPERTIES ("
                "'projection.enabled' = 'true', 'projection.source.type' = 'enum', "
                "'projection.source.values' = 'web,app,batch', 'projection.datehour.type' = 'date', "
                "'projection.datehour.range' = '2020/01/01/00,NOW', 'projection.datehour.format' = 'yyyy/MM/dd/HH', "
                "'projection.datehour.interval' = '1', 'projection.datehour.interval.unit' = 'HOURS', "
                "'storage.location.template' = 's3://lake/events/${source}/${datehour}/')", results)
    return results, written


def test_projected_table_reads_every_existing_partition(athena, hourly):
    results, written = hourly
    qid, execution = run(athena, "SELECT source, datehour, count(*), sum(v) FROM events GROUP BY 1, 2 ORDER BY 1, 2",
                         results)
    assert rows(athena, qid) == [[s, h, str(n), str(total)] for (s, h), (n, total, _) in sorted(written.items())]
    assert execution["Statistics"]["DataScannedInBytes"] == sum(size for _, _, size in written.values())


def test_where_prunes_projected_partitions_and_scans_only_their_bytes(athena, hourly):
    results, written = hourly
    qid, execution = run(athena, "SELECT count(*), sum(v) FROM events WHERE datehour BETWEEN '2021/01/01/01' AND "
                                 "'2021/01/02/00' AND source = 'web'", results)
    n, total, size = written[("web", "2021/01/01/05")]
    assert rows(athena, qid) == [[str(n), str(total)]]
    assert execution["Statistics"]["DataScannedInBytes"] == size


def test_catalog_partitions_are_ignored_for_projected_tables(athena, s3, hourly):
    results, written = hourly
    s3.put_object(Bucket="lake", Key="elsewhere/x.parquet", Body=parquet([1000]))
    run(athena, "ALTER TABLE events ADD PARTITION (source='zz', datehour='2021/01/01/00') "
                "LOCATION 's3://lake/elsewhere/'", results)
    qid, _ = run(athena, "SELECT count(*) FROM events", results)
    assert rows(athena, qid) == [[str(sum(n for n, _, _ in written.values()))]]


def test_injected_key_needs_an_equality(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    run(athena, "CREATE DATABASE proj", results)
    s3.put_object(Bucket="lake", Key="devices/d-1/a.parquet", Body=parquet([1, 2, 3]))
    s3.put_object(Bucket="lake", Key="devices/d-2/a.parquet", Body=parquet([4]))
    run(athena, "CREATE EXTERNAL TABLE devices (v bigint) PARTITIONED BY (device_id string) STORED AS PARQUET "
                "LOCATION 's3://lake/devices/' TBLPROPERTIES ('projection.enabled' = 'true', "
                "'projection.device_id.type' = 'injected', "
                "'storage.location.template' = 's3://lake/devices/${device_id}')", results)
    qid, _ = run(athena, "SELECT device_id, sum(v) FROM devices WHERE device_id IN ('d-1', 'd-2', 'd-9') "
                         "GROUP BY device_id ORDER BY 1", results)
    assert rows(athena, qid) == [["d-1", "6"], ["d-2", "4"]]
    _, failed = run(athena, "SELECT count(*) FROM devices", results, state="FAILED")
    assert failed["Status"]["StateChangeReason"] == (
        "CONSTRAINT_VIOLATION: For the injected projected partition column device_id, the WHERE clause must "
        "contain only static equality conditions, and at least one such condition must be present.")


def test_view_over_partitioned_table_prunes_partitions(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    run(athena, "CREATE DATABASE proj", results)
    sizes, counts = {}, {}
    for month, values in (("01", [1, 2, 3]), ("02", [4, 5]), ("03", [6])):
        body = parquet(values)
        s3.put_object(Bucket="lake", Key=f"sales/month={month}/p.parquet", Body=body)
        sizes[month], counts[month] = read_bytes(body), len(values)
    run(athena, "CREATE EXTERNAL TABLE sales (v bigint) PARTITIONED BY (month string) STORED AS PARQUET "
                "LOCATION 's3://lake/sales/'", results)
    run(athena, "MSCK REPAIR TABLE sales", results)
    run(athena, "CREATE VIEW big_sales AS SELECT v, month AS sale_month FROM sales WHERE v > 0", results)
    qid, execution = run(athena, "SELECT count(*) FROM big_sales WHERE sale_month = '02'", results)
    assert rows(athena, qid) == [[str(counts["02"])]]
    assert execution["Statistics"]["DataScannedInBytes"] == sizes["02"]
    _, full = run(athena, "SELECT count(*) FROM big_sales", results)
    assert full["Statistics"]["DataScannedInBytes"] == sum(sizes.values())
