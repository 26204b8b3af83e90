"""Each SerDe through boto3 on a real lakebox server, as users do it: files put into S3, the table
created with Athena DDL, rows read back with GetQueryResults. Expected rows come from the Python
values the files were written from (json, fastavro, pyarrow, or the log line's own fields)."""

from __future__ import annotations

import functools
import io
import json

import fastavro
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from athena_helpers import make_client, result_rows, run_query

run = functools.partial(run_query, database="logs")


def rows(athena, qid):
    return result_rows(athena, qid)[1:]


@pytest.fixture
def lake(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    run(athena, "CREATE DATABASE logs", results)
    return results


def test_delimited_collections_and_null_format_from_ddl(athena, s3, lake, lakebox_server):
    people = [("Ann", ["pt", "en"], {"math": 9, "art": None}, ("Lisbon", 1100)),
              ("Bob", [], {}, None),
              ("Cid", None, None, ("Porto", None))]

    def line(name, langs, grades, home):
        fields = [name,
                  "NA" if langs is None else ";".join(langs),
                  "NA" if grades is None else ";".join(f"{k}={'NA' if v is None else v}" for k, v in grades.items()),
                  "NA" if home is None else ";".join("NA" if v is None else str(v) for v in home)]
        return "|".join(fields)
    s3.put_object(Bucket="lake", Key="people/p.txt", Body="\n".join(line(*p) for p in people).encode())
    run(athena, "CREATE EXTERNAL TABLE people (name string, langs array<string>, grades map<string,int>, "
                "home struct<city:string,zip:int>) ROW FORMAT DELIMITED FIELDS TERMINATED BY '|' "
                "COLLECTION ITEMS TERMINATED BY ';' MAP KEYS TERMINATED BY '=' NULL DEFINED AS 'NA' "
                "LOCATION 's3://lake/people/'", lake)
    glue = make_client("glue", lakebox_server.endpoint_url)
    serde = glue.get_table(DatabaseName="logs", Name="people")["Table"]["StorageDescriptor"]["SerdeInfo"]
    assert serde["SerializationLibrary"] == "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
    assert {k: serde["Parameters"][k] for k in ("field.delim", "collection.delim", "mapkey.delim",
                                                "serialization.null.format")} == {
        "field.delim": "|", "collection.delim": ";", "mapkey.delim": "=", "serialization.null.format": "NA"}
    qid, _ = run(athena, "SELECT name, cardinality(langs), element_at(grades, 'math'), element_at(grades, 'art'), "
                         "home.city, home.zip FROM people ORDER BY name", lake)
    assert rows(athena, qid) == [
        [n, None if langs is None else str(len(langs)), None if not grades else str(grades["math"]), None,
         home and home[0], None if home is None or home[1] is None else str(home[1])]
        for n, langs, grades, home in people]


def test_default_control_character_delimiters_nest_by_level(athena, s3, lake):
    # array<map<string,array<int>>>: items on \x02, entries on \x03, key from value on \x04, ints on \x05.
    value = [{"a": [1, 2], "b": [3]}, {"c": []}]
    encoded = "\x02".join("\x03".join(k + "\x04" + "\x05".join(map(str, v)) for k, v in m.items()) for m in value)
    s3.put_object(Bucket="lake", Key="deep/d.txt", Body=("1\x01" + encoded + "\n").encode())
    run(athena, "CREATE EXTERNAL TABLE deep (id int, v array<map<string,array<int>>>) "
                "LOCATION 's3://lake/deep/'", lake)
    qid, _ = run(athena, "SELECT id, element_at(v[1], 'a'), element_at(v[1], 'b'), cardinality(element_at(v[2], 'c')) "
                         "FROM deep", lake)
    assert rows(athena, qid) == [["1", "[1, 2]", "[3]", "0"]]


def test_json_serde_nested_columns(athena, s3, lake):
    docs = [{"id": 1, "user": {"name": "Ann", "roles": ["admin", "dev"]}, "counts": {"a": 2}},
            {"id": 2, "user": {"name": "Bob", "roles": []}, "counts": {}}]
    s3.put_object(Bucket="lake", Key="events/e.json", Body="\n".join(json.dumps(d) for d in docs).encode())
    run(athena, "CREATE EXTERNAL TABLE events (id int, user struct<name:string,roles:array<string>>, "
                "counts map<string,int>) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
                "LOCATION 's3://lake/events/'", lake)
    qid, _ = run(athena, "SELECT id, user.name, cardinality(user.roles), element_at(counts, 'a') FROM events "
                         "ORDER BY id", lake)
    assert rows(athena, qid) == [[str(d["id"]), d["user"]["name"], str(len(d["user"]["roles"])),
                                  None if "a" not in d["counts"] else str(d["counts"]["a"])] for d in docs]


def test_parquet_nested_columns(athena, s3, lake):
    table = pa.table({"id": pa.array([1, 2], pa.int64()),
                      "items": pa.array([[{"sku": "x", "qty": 2}], []],
                                        pa.list_(pa.struct([("sku", pa.string()), ("qty", pa.int32())])))})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    s3.put_object(Bucket="lake", Key="carts/c.parquet", Body=buffer.getvalue())
    run(athena, "CREATE EXTERNAL TABLE carts (id bigint, items array<struct<sku:string,qty:int>>) "
                "STORED AS PARQUET LOCATION 's3://lake/carts/'", lake)
    qid, _ = run(athena, "SELECT c.id, i.sku, i.qty FROM carts c CROSS JOIN UNNEST(c.items) AS t(i)", lake)
    assert rows(athena, qid) == [[str(r["id"]), item["sku"], str(item["qty"])]
                                 for r in table.to_pylist() for item in r["items"]]


ELB_LINES = [
    ('2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 '
     '200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -'),
    ('2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 '
     '200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.38.0" DHE-RSA-AES128-SHA TLSv1.2'),
    "this line is not an ELB log entry",
]


def test_regex_serde_reads_classic_load_balancer_logs(athena, s3, lake):
    s3.put_object(Bucket="lake", Key="elb/log.txt", Body="\n".join(ELB_LINES).encode())
    regex = (r"([^ ]*) ([^ ]*) ([^ ]*):([0-9]*) ([^ ]*)[:-]([0-9]*) ([-.0-9]*) ([-.0-9]*) ([-.0-9]*) "
             r"(|[-0-9]*) (-|[-0-9]*) ([-0-9]*) ([-0-9]*) \\\"([^ ]*) ([^ ]*) (- |[^ ]*)\\\" (\"[^\"]*\") "
             r"([A-Z0-9-]+) ([A-Za-z0-9.-]*)$")
    run(athena, "CREATE EXTERNAL TABLE IF NOT EXISTS elb_logs (timestamp string, elb_name string, request_ip string, "
                "request_port int, backend_ip string, backend_port int, request_processing_time double, "
                "backend_processing_time double, client_response_time double, elb_response_code string, "
                "backend_response_code string, received_bytes bigint, sent_bytes bigint, request_verb string, "
                "url string, protocol string, user_agent string, ssl_cipher string, ssl_protocol string) "
                "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe' WITH SERDEPROPERTIES "
                f"('serialization.format' = '1', 'input.regex' = '{regex}') LOCATION 's3://lake/elb/'", lake)
    qid, execution = run(athena, "SELECT request_port, backend_ip, client_response_time, sent_bytes, url, user_agent, "
                                 "ssl_protocol FROM elb_logs", lake)
    expected = []
    for line in ELB_LINES[:2]:
        head, request, agent_and_tail = line.split(' "', 1)[0], line.split('"')[1], line.split('" ', 1)[1]
        words = head.split(" ")
        agent, _, tail = agent_and_tail.partition('" ')
        expected.append([words[2].split(":")[1], words[3].split(":")[0], float(words[6]), words[10],
                         request.split(" ")[1], agent + '"', tail.split(" ")[1]])
    got = rows(athena, qid)
    for row in got[:2]:
        row[2] = float(row[2])  # Athena prints doubles the Java way (5.7E-5); compare the numbers
    assert got == expected + [[None] * 7]
    assert execution["Statistics"]["DataScannedInBytes"] == len("\n".join(ELB_LINES).encode())


def test_avro_with_schema_literal(athena, s3, lake):
    schema = {"type": "record", "name": "Sale", "fields": [
        {"name": "sale_id", "type": "long"}, {"name": "amount", "type": ["null", "double"], "default": None},
        {"name": "tags", "type": {"type": "array", "items": "string"}}]}
    records = [{"sale_id": 1, "amount": 9.5, "tags": ["new"]}, {"sale_id": 2, "amount": None, "tags": []}]
    buffer = io.BytesIO()
    fastavro.writer(buffer, fastavro.parse_schema(schema), records)
    s3.put_object(Bucket="lake", Key="sales/s.avro", Body=buffer.getvalue())
    literal = json.dumps(schema).replace("'", "\\'")
    run(athena, "CREATE EXTERNAL TABLE sales (sale_id bigint, amount double, tags array<string>) "
                "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.avro.AvroSerDe' "
                f"WITH SERDEPROPERTIES ('avro.schema.literal' = '{literal}') STORED AS AVRO "
                "LOCATION 's3://lake/sales/'", lake)
    qid, _ = run(athena, "SELECT sale_id, amount, cardinality(tags) FROM sales ORDER BY sale_id", lake)
    assert rows(athena, qid) == [[str(r["sale_id"]), None if r["amount"] is None else repr(r["amount"]),
                                  str(len(r["tags"]))] for r in records]


def test_avro_without_schema_literal(athena, s3, lake):
    schema = {"type": "record", "name": "R", "fields": [{"name": "City", "type": "string"},
                                                        {"name": "pop", "type": "int"}]}
    records = [{"City": "Lisbon", "pop": 545}, {"City": "Porto", "pop": 232}]
    buffer = io.BytesIO()
    fastavro.writer(buffer, fastavro.parse_schema(schema), records)
    s3.put_object(Bucket="lake", Key="cities/c.avro", Body=buffer.getvalue())
    run(athena, "CREATE EXTERNAL TABLE cities (city string, pop int) STORED AS AVRO LOCATION 's3://lake/cities/'",
        lake)
    qid, _ = run(athena, "SELECT city, pop FROM cities ORDER BY pop DESC", lake)
    assert rows(athena, qid) == [[r["City"], str(r["pop"])] for r in sorted(records, key=lambda r: -r["pop"])]


@pytest.mark.parametrize("stored_as", ["SEQUENCEFILE", "RCFILE", "ION"])
def test_unreadable_formats_fail_with_not_supported(athena, s3, lake, stored_as):
    s3.put_object(Bucket="lake", Key=f"{stored_as.lower()}/f", Body=b"anything")
    run(athena, f"CREATE EXTERNAL TABLE t_{stored_as.lower()} (a int) STORED AS {stored_as} "
                f"LOCATION 's3://lake/{stored_as.lower()}/'", lake)
    _, execution = run(athena, f"SELECT * FROM t_{stored_as.lower()}", lake, state="FAILED")
    assert execution["Status"]["StateChangeReason"].startswith(
        f"NOT_SUPPORTED: reading {stored_as} tables is not supported")
    assert execution["Status"]["AthenaError"]["ErrorType"] > 0
