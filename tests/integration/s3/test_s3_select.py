"""SelectObjectContent (S3 Select) over boto3: CSV, JSON and Parquet objects queried with S3 Select's
SQL, the records checked, and the event stream's Stats, Progress and errors as S3 sends them."""

from __future__ import annotations

import bz2
import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.eventstream import EventStream
from botocore.exceptions import ClientError, EventStreamError
from botocore.parsers import EventStreamXMLParser
from s3_helpers import error_of

from lakebox.services.s3.select_output import error_event, records_event

PEOPLE = b"name,age,city\nAlice,30,\"Paris, FR\"\nBob,25,Rome\nCarol,41,Oslo\n"
USE_HEADER = {"CSV": {"FileHeaderInfo": "USE"}}


def select(s3, bucket, key, expression, input_serialization, output_serialization=None, **kwargs):
    """The records (bytes) and all events of one SelectObjectContent call."""
    response = s3.select_object_content(
        Bucket=bucket, Key=key, Expression=expression, ExpressionType="SQL",
        InputSerialization=input_serialization, OutputSerialization=output_serialization or {"CSV": {}}, **kwargs)
    events = list(response["Payload"])
    return b"".join(e["Records"]["Payload"] for e in events if "Records" in e), events


def json_lines(records: bytes) -> list[dict]:
    return [json.loads(line) for line in records.decode("utf-8").splitlines()]


def stats_of(events) -> dict:
    (stats,) = [e["Stats"]["Details"] for e in events if "Stats" in e]
    return stats


def put(s3, bucket, key, body):
    s3.put_object(Bucket=bucket, Key=key, Body=body)


def refused(call, *args, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught


# -- CSV ---------------------------------------------------------------------------------------------


def test_csv_with_header_select_star_returns_the_rows_and_the_stream_ends(s3, bucket):
    put(s3, bucket, "people.csv", PEOPLE)
    records, events = select(s3, bucket, "people.csv", "SELECT * FROM S3Object", USE_HEADER)
    assert records == b'Alice,30,"Paris, FR"\nBob,25,Rome\nCarol,41,Oslo\n'
    assert [list(e)[0] for e in events] == ["Records", "Stats", "End"]


def test_csv_header_names_and_where_with_cast(s3, bucket):
    put(s3, bucket, "people.csv", PEOPLE)
    records, _ = select(s3, bucket, "people.csv",
                        "SELECT s.name, s.City FROM S3Object s WHERE CAST(s.age AS INT) > 26", USE_HEADER,
                        {"JSON": {}})
    assert json_lines(records) == [{"name": "Alice", "City": "Paris, FR"}, {"name": "Carol", "City": "Oslo"}]


def test_csv_without_header_is_read_by_position_and_values_are_strings(s3, bucket):
    put(s3, bucket, "people.csv", PEOPLE)
    records, _ = select(s3, bucket, "people.csv", "SELECT _3, s._1 FROM S3Object s WHERE s._2 = '25'", {"CSV": {}},
                        {"JSON": {}})
    assert json_lines(records) == [{"_3": "Rome", "_1": "Bob"}]
    records, _ = select(s3, bucket, "people.csv", "SELECT * FROM S3Object LIMIT 1", {"CSV": {"FileHeaderInfo": "NONE"}},
                        {"JSON": {}})
    assert json_lines(records) == [{"_1": "name", "_2": "age", "_3": "city"}]


def test_csv_ignored_header_is_skipped_and_names_are_positions(s3, bucket):
    put(s3, bucket, "people.csv", PEOPLE)
    records, _ = select(s3, bucket, "people.csv", "SELECT * FROM S3Object LIMIT 1",
                        {"CSV": {"FileHeaderInfo": "IGNORE"}}, {"JSON": {}})
    assert json_lines(records) == [{"_1": "Alice", "_2": "30", "_3": "Paris, FR"}]
    exc = refused(select, s3, bucket, "people.csv", "SELECT s.name FROM S3Object s",
                  {"CSV": {"FileHeaderInfo": "IGNORE"}})
    assert error_of(exc) == (400, "MissingHeaderName")


def test_aggregates_and_limit(s3, bucket):
    put(s3, bucket, "people.csv", PEOPLE)
    records, _ = select(s3, bucket, "people.csv",
                        "SELECT COUNT(*), SUM(CAST(age AS INT)), AVG(CAST(age AS FLOAT)), MIN(name), MAX(name) "
                        "FROM S3Object", USE_HEADER, {"JSON": {}})
    assert json_lines(records) == [{"_1": 3, "_2": 96, "_3": 32.0, "_4": "Alice", "_5": "Carol"}]
    records, _ = select(s3, bucket, "people.csv", "SELECT name FROM S3Object LIMIT 2", USE_HEADER)
    assert records == b"Alice\nBob\n"


def test_string_and_date_functions(s3, bucket):
    put(s3, bucket, "events.csv", b"who,at\n  Ann  ,2010-01-01T\nbob,2017-01-02T03:04:05.006Z\n")
    records, _ = select(s3, bucket, "events.csv",
                        "SELECT UPPER(TRIM(who)), CHAR_LENGTH(who), SUBSTRING(TRIM(who) FROM 1 FOR 2), "
                        "EXTRACT(YEAR FROM TO_TIMESTAMP(at)), DATE_ADD(day, 1, CAST(at AS TIMESTAMP)) "
                        "FROM S3Object WHERE LOWER(who) LIKE '%b%' OR who IN ('  Ann  ')", USE_HEADER)
    assert records == b"ANN,7,An,2010,2010-01-02T00:00:00Z\nBOB,3,bo,2017,2017-01-03T03:04:05.006Z\n"


def test_comment_lines_and_a_custom_dialect(s3, bucket):
    put(s3, bucket, "odd.csv", b"#generated\na|b;c#not-a-comment|'d;e'\n")
    records, _ = select(s3, bucket, "odd.csv", "SELECT * FROM S3Object",
                        {"CSV": {"FieldDelimiter": "|", "QuoteCharacter": "'", "RecordDelimiter": "\n"}},
                        {"CSV": {"FieldDelimiter": ",", "QuoteFields": "ALWAYS", "RecordDelimiter": "\r\n"}})
    # botocore sends "\r\n" in XML, which XML reads as "\n" (on AWS too).
    assert records == b'"a","b;c#not-a-comment","d;e"\n'


def test_csv_output_quotes_as_needed_and_escapes_quotes(s3, bucket):
    put(s3, bucket, "q.csv", b'id,text\n1,"say ""hi"", then go"\n2,plain\n')
    records, _ = select(s3, bucket, "q.csv", "SELECT * FROM S3Object", USE_HEADER,
                        {"CSV": {"FieldDelimiter": ";", "QuoteEscapeCharacter": "\\"}})
    assert records == b'1;"say \\"hi\\", then go"\n2;plain\n'
    records, _ = select(s3, bucket, "q.csv", "SELECT text FROM S3Object", USE_HEADER, {"CSV": {"FieldDelimiter": ","}})
    assert records == b'"say ""hi"", then go"\nplain\n'


def test_json_output_record_delimiter(s3, bucket):
    put(s3, bucket, "people.csv", PEOPLE)
    records, _ = select(s3, bucket, "people.csv", "SELECT name FROM S3Object", USE_HEADER,
                        {"JSON": {"RecordDelimiter": ","}})
    assert records == b'{"name":"Alice"},{"name":"Bob"},{"name":"Carol"},'


# -- JSON --------------------------------------------------------------------------------------------

LINES = (b'{"id": 1, "user": {"name": "ann", "tags": ["a", "b"]}, "score": 9.5}\n'
         b'{"id": 2, "user": {"name": "bo", "tags": []}}\n'
         b'{"id": 3, "user": {"name": "cy", "tags": ["c"]}, "score": 7}\n')


def test_json_lines_nested_paths_and_missing_values(s3, bucket):
    put(s3, bucket, "users.json", LINES)
    records, _ = select(s3, bucket, "users.json",
                        "SELECT s.id, s.user.name, s.user.tags[0], s.score FROM S3Object s WHERE s.id >= 2",
                        {"JSON": {"Type": "LINES"}}, {"JSON": {}})
    # A value the record does not have (MISSING) is left out, as S3 Select does.
    assert json_lines(records) == [{"id": 2, "name": "bo"}, {"id": 3, "name": "cy", "_3": "c", "score": 7.0}]


def test_json_select_star_returns_each_record_as_it_is(s3, bucket):
    put(s3, bucket, "users.json", LINES)
    records, _ = select(s3, bucket, "users.json", "SELECT * FROM S3Object s WHERE s.user.name = 'ann'",
                        {"JSON": {"Type": "LINES"}}, {"JSON": {}})
    assert json_lines(records) == [json.loads(LINES.splitlines()[0])]


def test_json_document_with_pretty_printed_records(s3, bucket):
    document = (b'{"name": "Susan Smith",\n "org": "engineering",\n "projects": [\n'
                b'  {"project_name": "project1", "completed": false},\n'
                b'  {"project_name": "project2", "completed": true}]}\n')
    put(s3, bucket, "doc.json", document)
    records, _ = select(s3, bucket, "doc.json", "SELECT s.projects[1].project_name, s.projects[1].completed "
                        "FROM S3Object s", {"JSON": {"Type": "DOCUMENT"}}, {"JSON": {}})
    assert json_lines(records) == [{"project_name": "project2", "completed": True}]
    records, _ = select(s3, bucket, "doc.json", "SELECT s.name FROM S3Object s", {"JSON": {}}, {"CSV": {}})
    assert records == b"Susan Smith\n"


def test_json_keys_whose_types_differ_between_records(s3, bucket):
    put(s3, bucket, "mixed.json", b'{"a": 1, "b": {"c": 1}}\n{"a": "one", "b": 5}\n')
    records, _ = select(s3, bucket, "mixed.json", "SELECT * FROM S3Object", {"JSON": {"Type": "LINES"}},
                        {"JSON": {}})
    assert json_lines(records) == [{"a": 1, "b": {"c": 1}}, {"a": "one", "b": 5}]


# -- Parquet -----------------------------------------------------------------------------------------


def parquet_bytes(table: pa.Table, **kwargs) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out, **kwargs)
    return out.getvalue()


def test_parquet_columns_are_typed(s3, bucket):
    table = pa.table({"id": [1, 2, 3], "name": ["a", "b", None], "price": [1.5, 2.5, 3.25],
                      "tags": [["x"], [], ["y", "z"]]})
    put(s3, bucket, "t.parquet", parquet_bytes(table))
    records, _ = select(s3, bucket, "t.parquet", "SELECT s.id, s.name, s.tags[1] FROM S3Object s WHERE s.price > 2",
                        {"Parquet": {}}, {"JSON": {}})
    assert json_lines(records) == [{"id": 2, "name": "b", "_3": None}, {"id": 3, "name": None, "_3": "z"}]
    records, _ = select(s3, bucket, "t.parquet", "SELECT SUM(price), COUNT(name) FROM S3Object", {"Parquet": {}})
    assert records == b"7.25,2\n"
    exc = refused(select, s3, bucket, "t.parquet", "SELECT s.nope FROM S3Object s", {"Parquet": {}})
    assert error_of(exc) == (400, "EvaluatorBindingDoesNotExist")


def test_parquet_scan_range_reads_the_row_groups_that_start_in_it(s3, bucket):
    table = pa.table({"n": list(range(100))})
    body = parquet_bytes(table, row_group_size=25)
    put(s3, bucket, "rg.parquet", body)
    seen = []
    for start in range(0, len(body), 300):
        records, _ = select(s3, bucket, "rg.parquet", "SELECT n FROM S3Object", {"Parquet": {}},
                            ScanRange={"Start": start, "End": min(start + 299, len(body) - 1)})
        seen += [int(v) for v in records.split()]
    assert seen == list(range(100))


# -- compression, ranges, stats ----------------------------------------------------------------------


def test_uncompressed_stats_count_the_object_and_the_records(s3, bucket):
    put(s3, bucket, "people.csv", PEOPLE)
    records, events = select(s3, bucket, "people.csv", "SELECT name FROM S3Object", USE_HEADER)
    assert stats_of(events) == {"BytesScanned": len(PEOPLE), "BytesProcessed": len(PEOPLE),
                                "BytesReturned": len(records)}
    assert len(records) == len(b"Alice\nBob\nCarol\n")


def test_gzip_csv_is_decompressed_and_stats_count_both_sizes(s3, bucket):
    body = gzip.compress(PEOPLE)
    put(s3, bucket, "people.csv.gz", body)
    records, events = select(s3, bucket, "people.csv.gz", "SELECT name FROM S3Object WHERE city = 'Rome'",
                             {"CSV": {"FileHeaderInfo": "USE"}, "CompressionType": "GZIP"})
    assert records == b"Bob\n"
    assert stats_of(events) == {"BytesScanned": len(body), "BytesProcessed": len(PEOPLE), "BytesReturned": 4}


def test_bzip2_json_and_a_wrongly_declared_compression(s3, bucket):
    put(s3, bucket, "users.json.bz2", bz2.compress(LINES))
    records, _ = select(s3, bucket, "users.json.bz2", "SELECT COUNT(*) FROM S3Object",
                        {"JSON": {"Type": "LINES"}, "CompressionType": "BZIP2"})
    assert records == b"3\n"
    exc = refused(select, s3, bucket, "users.json.bz2", "SELECT COUNT(*) FROM S3Object",
                  {"JSON": {"Type": "LINES"}, "CompressionType": "GZIP"})
    assert error_of(exc) == (400, "TruncatedInput")


def test_scan_ranges_return_each_record_once(s3, bucket):
    body = b"id,pad\n" + b"".join(b"%d,%s\n" % (i, b"x" * (i % 7)) for i in range(200))
    put(s3, bucket, "r.csv", body)
    seen = []
    for start in range(0, len(body), 97):
        records, events = select(s3, bucket, "r.csv", "SELECT s.id FROM S3Object s", USE_HEADER,
                                 ScanRange={"Start": start, "End": min(start + 96, len(body) - 1)})
        seen += [int(v) for v in records.split()]
        assert stats_of(events)["BytesReturned"] == len(records)
    assert seen == list(range(200))


def test_scan_range_on_compressed_input_is_refused(s3, bucket):
    put(s3, bucket, "people.csv.gz", gzip.compress(PEOPLE))
    exc = refused(select, s3, bucket, "people.csv.gz", "SELECT * FROM S3Object",
                  {"CSV": {}, "CompressionType": "GZIP"}, ScanRange={"Start": 0, "End": 10})
    assert error_of(exc) == (400, "UnsupportedScanRangeInput")


def test_progress_events_when_asked_for(s3, bucket):
    put(s3, bucket, "people.csv", PEOPLE)
    _, events = select(s3, bucket, "people.csv", "SELECT * FROM S3Object", USE_HEADER,
                       RequestProgress={"Enabled": True})
    progress = [e["Progress"]["Details"] for e in events if "Progress" in e]
    assert progress and progress[-1] == stats_of(events)
    assert list(events[-1]) == ["End"]


def test_large_result_streams_in_several_records_events(s3, bucket):
    body = b"".join(b"%d,name-%d\n" % (i, i) for i in range(60000))
    put(s3, bucket, "big.csv", body)
    records, events = select(s3, bucket, "big.csv", "SELECT _2 FROM S3Object WHERE CAST(_1 AS INT) % 2 = 0",
                             {"CSV": {}})
    assert sum(1 for e in events if "Records" in e) > 1
    assert records.split(b"\n")[:3] == [b"name-0", b"name-2", b"name-4"]
    assert records.count(b"\n") == 30000
    assert stats_of(events) == {"BytesScanned": len(body), "BytesProcessed": len(body),
                                "BytesReturned": len(records)}


# -- what other reads honour -------------------------------------------------------------------------


def test_an_sse_c_object_is_read_with_its_key(s3, bucket):
    key = b"k" * 32
    s3.put_object(Bucket=bucket, Key="secret.csv", Body=PEOPLE, SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    records, _ = select(s3, bucket, "secret.csv", "SELECT name FROM S3Object LIMIT 1", USE_HEADER,
                        SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert records == b"Alice\n"
    exc = refused(select, s3, bucket, "secret.csv", "SELECT name FROM S3Object", USE_HEADER)
    assert error_of(exc)[0] == 400


# -- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expression,code", [
    ("SELECT name age city FROM S3Object", "ParseUnexpectedToken"),
    ("SELECT name FROM S3Object WHERE name = = 'x'", "ParseExpectedExpression"),
    ("SELECT * FROM S3Object ORDER BY name", "UnsupportedSqlStructure"),
    ("SELECT ABS(age) FROM S3Object", "UnsupportedFunction"),
    ("SELECT nope FROM S3Object", "MissingHeaderName"),
    ("SELECT CAST(name AS INT) FROM S3Object", "CastFailed"),
    ("SELECT SUM(age) FROM S3Object", "IncorrectSqlFunctionArgumentType"),
])
def test_bad_queries_answer_400_with_s3_codes(s3, bucket, expression, code):
    put(s3, bucket, "people.csv", PEOPLE)
    exc = refused(select, s3, bucket, "people.csv", expression, USE_HEADER)
    assert error_of(exc) == (400, code)
    assert exc.value.response["Error"]["Message"]


def test_bad_request_parameters(s3, bucket):
    put(s3, bucket, "people.csv", PEOPLE)
    exc = refused(select, s3, bucket, "people.csv", "SELECT * FROM S3Object", {"CSV": {"FileHeaderInfo": "MAYBE"}})
    assert error_of(exc) == (400, "InvalidFileHeaderInfo")
    exc = refused(select, s3, bucket, "people.csv", "SELECT * FROM S3Object", {"CSV": {}, "JSON": {}})
    assert error_of(exc) == (400, "ObjectSerializationConflict")
    exc = refused(select, s3, bucket, "people.csv", "SELECT * FROM S3Object",
                  {"Parquet": {}, "CompressionType": "GZIP"})
    assert error_of(exc) == (400, "InvalidCompressionFormat")


def test_missing_key_and_missing_bucket(s3, bucket):
    exc = refused(select, s3, bucket, "absent.csv", "SELECT * FROM S3Object", {"CSV": {}})
    assert error_of(exc) == (404, "NoSuchKey")
    exc = refused(select, s3, bucket + "-gone", "absent.csv", "SELECT * FROM S3Object", {"CSV": {}})
    assert error_of(exc) == (404, "NoSuchBucket")


def test_malformed_input_is_the_formats_parsing_error(s3, bucket):
    put(s3, bucket, "bad.json", b'{"a": 1}\n{"a": \n')
    exc = refused(select, s3, bucket, "bad.json", "SELECT * FROM S3Object", {"JSON": {"Type": "LINES"}})
    assert error_of(exc) == (400, "JSONParsingError")
    put(s3, bucket, "bad.parquet", b"not parquet at all")
    exc = refused(select, s3, bucket, "bad.parquet", "SELECT * FROM S3Object", {"Parquet": {}})
    assert error_of(exc) == (400, "ParquetParsingError")


def test_archived_object_is_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="cold.csv", Body=PEOPLE, StorageClass="GLACIER")
    exc = refused(select, s3, bucket, "cold.csv", "SELECT * FROM S3Object", {"CSV": {}})
    assert error_of(exc) == (400, "UnsupportedStorageClass")


def test_a_cast_that_fails_on_a_late_row_is_cast_failed(s3, bucket):
    body = b"".join(b"%d,%s\n" % (i, b"x" * 20) for i in range(100000)) + b"oops,y\n"
    put(s3, bucket, "late.csv", body)
    # Found before the answer starts (DuckDB may reach the row early) it is a 400 response; found
    # while streaming, it ends the stream with an error event, which botocore raises.
    with pytest.raises((ClientError, EventStreamError)) as caught:
        select(s3, bucket, "late.csv", "SELECT _2 FROM S3Object WHERE CAST(_1 AS INT) >= 0", {"CSV": {}})
    assert caught.value.response["Error"]["Code"] == "CastFailed"


def test_error_event_is_what_botocore_raises_mid_stream(s3):
    shape = s3.meta.service_model.operation_model("SelectObjectContent").output_shape.members["Payload"]
    frames = [records_event(b"1\n"), error_event("CastFailed", "An attempt to convert ...")]
    stream = EventStream(_RawFrames(frames), shape, EventStreamXMLParser(), "SelectObjectContent")
    events = iter(stream)
    assert next(events) == {"Records": {"Payload": b"1\n"}}
    with pytest.raises(EventStreamError) as caught:
        next(events)
    assert caught.value.response["Error"] == {"Code": "CastFailed", "Message": "An attempt to convert ..."}


class _RawFrames:
    """What botocore's EventStream reads: a body with stream()."""

    def __init__(self, frames):
        self.frames = frames

    def stream(self):
        return iter(self.frames)

    def close(self):
        pass


# -- awswrangler ---------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:.*select_query")  # awswrangler deprecates it, as AWS closed S3 Select to new users
def test_awswrangler_select_query(s3, bucket, lakebox_server, monkeypatch):
    wr = pytest.importorskip("awswrangler")
    monkeypatch.setenv("AWS_ENDPOINT_URL", lakebox_server.endpoint_url)
    put(s3, bucket, "people.csv", PEOPLE)
    frame = wr.s3.select_query(sql="SELECT * FROM s3object s WHERE CAST(s.age AS INT) > 26",
                               path=f"s3://{bucket}/people.csv", input_serialization="CSV",
                               input_serialization_params={"FileHeaderInfo": "Use", "RecordDelimiter": "\n"},
                               use_threads=False)
    assert frame.to_dict("records") == [{"name": "Alice", "age": "30", "city": "Paris, FR"},
                                         {"name": "Carol", "age": "41", "city": "Oslo"}]
    put(s3, bucket, "t.parquet", parquet_bytes(pa.table({"id": [1, 2, 3], "v": ["a", "b", "c"]})))
    frame = wr.s3.select_query(sql="SELECT s.v FROM s3object s WHERE s.id > 1", path=f"s3://{bucket}/t.parquet",
                               input_serialization="Parquet", input_serialization_params={}, use_threads=False)
    assert frame["v"].tolist() == ["b", "c"]


# -- who may select ------------------------------------------------------------------------------


def test_another_account_selects_what_a_bucket_policy_lets_it_get_and_nothing_else(s3, bucket, lakebox_server):
    """S3 Select needs s3:GetObject on the object, as a GET does."""
    from s3_helpers import make_client

    from lakebox.config import Credential

    lakebox_server.config.credentials["SELKEY"] = Credential("SELKEY", "sel-secret", "333333333333")
    other = make_client(lakebox_server.endpoint_url, access_key="SELKEY", secret="sel-secret")
    put(s3, bucket, "people.csv", PEOPLE)
    put(s3, bucket, "private.csv", PEOPLE)
    query = "SELECT s.name FROM S3Object s WHERE s.city = 'Rome'"
    caught = refused(select, other, bucket, "people.csv", query, USE_HEADER)
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::333333333333:root"}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/people.csv"}]}))
    records, _ = select(other, bucket, "people.csv", query, USE_HEADER)
    assert records == b"Bob\n"
    caught = refused(select, other, bucket, "private.csv", query, USE_HEADER)
    assert caught.value.response["Error"]["Code"] == "AccessDenied"


def test_json_select_star_keeps_nulls_and_leaves_out_keys_a_record_lacks(s3, bucket):
    """`SELECT *` answers each record as written: its own nulls stay, and the keys other records
    have are not added to it (the records are typed together for paths and WHERE)."""
    put(s3, bucket, "varied.json", b'{"a1": "b1", "a2": null}\n{"a": {"b0": "s"}, "c": "d0"}\n'
                                   b'{"a": {"b2": "s"}, "c": "d2"}\n')
    records, _ = select(s3, bucket, "varied.json", "SELECT * FROM S3Object", {"JSON": {"Type": "LINES"}},
                        {"JSON": {"RecordDelimiter": ","}})
    assert records == b'{"a1":"b1","a2":null},{"a":{"b0":"s"},"c":"d0"},{"a":{"b2":"s"},"c":"d2"},'
    records, _ = select(s3, bucket, "varied.json", "SELECT * FROM S3Object s WHERE s.c = 'd2'",
                        {"JSON": {"Type": "LINES"}}, {"JSON": {}})
    assert json_lines(records) == [{"a": {"b2": "s"}, "c": "d2"}]


def test_json_from_path_makes_each_sub_document_the_record(s3, bucket):
    """`FROM S3Object[*].a`: each record's `a` is the record; a record without one yields MISSING,
    which S3 writes as an empty record."""
    put(s3, bucket, "long.json", b'{"a": {"b0": "s", "n": 1}, "c": "d0"}{"c": "no a"}{"a": {"b2": "s", "n": 3}, "c": "d2"}')
    records, events = select(s3, bucket, "long.json", "SELECT * FROM S3Object[*].a", {"JSON": {"Type": "DOCUMENT"}},
                             {"JSON": {"RecordDelimiter": ","}})
    assert records == b'{"b0":"s","n":1},{},{"b2":"s","n":3},'
    assert stats_of(events)["BytesReturned"] == len(records)
    records, _ = select(s3, bucket, "long.json", "SELECT s.n FROM S3Object[*].a s WHERE s.n > 1",
                        {"JSON": {"Type": "DOCUMENT"}}, {"JSON": {}})
    assert json_lines(records) == [{"n": 3}]


RULES = (b'{"Rules": [{"id": "1"}, {"expr": "y > x"}, {"id": "2", "expr": "z = DEBUG"}]}\n'
         b'{"created": "June 27", "modified": "July 6"}\n')


@pytest.mark.parametrize("expression,expected", [
    # S3's documented example: the implicit alias is the path's last name, and MISSING is `{}`
    ("SELECT id FROM S3Object[*].Rules[*].id", b'{"id":"1"},{},{"id":"2"},{},'),
    ("SELECT * FROM S3Object[*].Rules[*]", b'{"id":"1"},{"expr":"y > x"},{"id":"2","expr":"z = DEBUG"},{},'),
    ("SELECT _1.id FROM S3Object[*].Rules[*]", b'{"id":"1"},{},{"id":"2"},{},'),
    ("SELECT r.expr FROM S3Object[*].Rules[*] r WHERE r.id = '2'", b'{"expr":"z = DEBUG"},'),
    ("SELECT * FROM S3Object[*].Rules[1]", b'{"expr":"y > x"},{},'),
    ("SELECT * FROM S3Object[*]['Rules'][0]", b'{"id":"1"},{},'),
    ("SELECT * FROM S3Object[*].*", b'{"_1":[{"id":"1"},{"expr":"y > x"},{"id":"2","expr":"z = DEBUG"}]},'
                                     b'{"_1":"June 27"},{"_1":"July 6"},'),
])
def test_json_from_path_walks_arrays_and_objects_with_wildcards_and_indexes(s3, bucket, expression, expected):
    put(s3, bucket, "rules.json", RULES)
    records, _ = select(s3, bucket, "rules.json", expression, {"JSON": {"Type": "LINES"}},
                        {"JSON": {"RecordDelimiter": ","}})
    assert records == expected


def test_json_from_path_over_a_root_array_and_nested_wildcards(s3, bucket):
    """A DOCUMENT whose root is an array is one root value: `.staff` on it is MISSING (`{}`, as
    S3 answers), and `[*]` first reaches into it."""
    staff = [{"staff": [{"name": "Janelyn M", "kids": [{"Name": "Josh"}, {"Name": "Jay"}]},
                        {"name": "Stacy P", "kids": {"Name": "Josh"}}], "country": "USA"}]
    put(s3, bucket, "staff.json", json.dumps(staff).encode())
    doc = {"JSON": {"Type": "DOCUMENT"}}
    records, _ = select(s3, bucket, "staff.json", "select * from s3object[*].staff[*] s", doc,
                        {"JSON": {"RecordDelimiter": ","}})
    assert records == b"{},"
    records, _ = select(s3, bucket, "staff.json", "SELECT s.name FROM S3Object[*][*].staff[*] s", doc, {"JSON": {}})
    assert json_lines(records) == [{"name": "Janelyn M"}, {"name": "Stacy P"}]
    records, _ = select(s3, bucket, "staff.json", "SELECT k.Name FROM S3Object[*][*].staff[*].kids[*] k", doc,
                        {"CSV": {}})
    assert records == b"Josh\nJay\n\n"  # the second kids is an object: `[*]` reaches nothing there


def test_json_from_path_is_refused_over_csv_and_for_bad_components(s3, bucket):
    put(s3, bucket, "rules.csv", b"a,b\n1,2\n")
    error = refused(select, s3, bucket, "rules.csv", "SELECT * FROM S3Object[*].a[*]", USE_HEADER)
    assert error_of(error)[1] == "UnsupportedSqlStructure"
    put(s3, bucket, "rules.json", RULES)
    error = refused(select, s3, bucket, "rules.json", "SELECT * FROM S3Object[*].Rules[x]", {"JSON": {"Type": "LINES"}})
    assert error_of(error)[1] == "ParseInvalidPathComponent"


