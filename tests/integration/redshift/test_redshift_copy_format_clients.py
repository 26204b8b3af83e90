"""COPY over the cluster's endpoint from the formats beyond text, CSV, Parquet and JSON 'auto': JSON
mapped by a JSONPaths file uploaded to S3, and ORC, as a client runs them through redshift_connector."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json

import pyarrow as pa
import pyarrow.orc as orc
import pytest
from redshift_helpers import client, run_sql

ROLE = "arn:aws:iam::123456789:role/RedshiftCopyRole"


def test_copy_json_with_a_jsonpaths_file_uploaded_to_s3(cluster, redshift, lakebox_server):
    import redshift_connector

    s3 = client(lakebox_server, "s3")
    s3.create_bucket(Bucket="my-bucket")
    s3.put_object(Bucket="my-bucket", Key="config/events_jsonpaths.json", Body=json.dumps(
        {"jsonpaths": ["$['event_id']", "$.user.id", "$.user.address.city", "$.tags[0]", "$.occurred_at"]}).encode())
    s3.put_object(Bucket="my-bucket", Key="events/2024/01/part-0.json.gz", Body=gzip.compress(
        b'{"event_id": 1, "user": {"id": 10, "address": {"city": "Lisbon"}}, "tags": ["signup", "web"], '
        b'"occurred_at": "2024-01-15 09:30:00"}\n'
        b'{\n  "event_id": 2,\n  "user": {"id": "ten"},\n  "tags": ["login"]\n}\n'
        b'{"event_id": 3, "user": {"id": 30}, "occurred_at": "2024-01-16 18:00:00"}'))
    copy = ("COPY events FROM 's3://my-bucket/events/2024/' "
            f"IAM_ROLE '{ROLE}' FORMAT AS JSON 's3://my-bucket/config/events_jsonpaths.json' GZIP MAXERROR 1")
    loaded = run_sql(redshift,
                     "CREATE TABLE events (event_id INT, user_id BIGINT, city VARCHAR(20), first_tag VARCHAR(10), "
                     "occurred_at TIMESTAMP)",
                     copy, "SELECT * FROM events ORDER BY event_id")
    assert loaded == [[1, 10, "Lisbon", "signup", dt.datetime(2024, 1, 15, 9, 30)],
                      [3, 30, None, None, dt.datetime(2024, 1, 16, 18, 0)]]
    assert run_sql(redshift, "SELECT line_number, colname, err_code, raw_field_value FROM stl_load_errors") == [
        [2, "user_id", 1207, "ten"]]
    # Four expressions for a column list of two: the COPY fails as Redshift's does.
    with pytest.raises(redshift_connector.ProgrammingError) as caught:
        run_sql(redshift, copy.replace("COPY events FROM", "COPY events (event_id, city) FROM"))
    assert ("Number of jsonpaths and the number of columns should match. JSONPath size: 5, "
            "Number of columns in table or column list: 2") in str(caught.value)


def test_copy_orc_matches_the_files_columns_to_the_tables_by_name(cluster, redshift, lakebox_server):
    s3 = client(lakebox_server, "s3")
    s3.create_bucket(Bucket="my-bucket")
    out = io.BytesIO()
    orc.write_table(pa.table({"amount": [19.5, 5.25], "customer_id": pa.array([7, 8], pa.int64())}), out)
    s3.put_object(Bucket="my-bucket", Key="orders/part-0.orc", Body=out.getvalue())
    assert run_sql(redshift, "CREATE TABLE orders (customer_id BIGINT, amount DOUBLE PRECISION)",
                   f"COPY orders FROM 's3://my-bucket/orders/' IAM_ROLE '{ROLE}' FORMAT AS ORC",
                   "SELECT * FROM orders ORDER BY customer_id") == [[7, 19.5], [8, 5.25]]
