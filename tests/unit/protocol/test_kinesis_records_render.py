"""GetRecords rendered in one pass from the shard log's bytes reads back, through botocore's own
parser, exactly as the generic json serializer's rendering of the same records does."""

from __future__ import annotations

import datetime as dt
import json
import random

import botocore.parsers
import cbor2
import pytest

from lakebox.protocol.http import Headers, HttpResponse
from lakebox.protocol.serializers.json import JSONResponseSerializer
from lakebox.protocol.serializers.kinesis import KinesisJSONResponseSerializer, cbor_response
from lakebox.protocol.serializers.kinesis_records import render_records
from lakebox.protocol.specs import load_service_model
from lakebox.services.kinesis.model import SEQUENCE_INDEX_STEP, SEQUENCE_SECOND_STEP, sequence_number
from lakebox.services.kinesis.page import ShardPage
from lakebox.storage.shard_log import ShardLog

MODEL = load_service_model("kinesis")
GET_RECORDS = MODEL.operation_model("GetRecords")

AWKWARD_KEYS = ['plain', 'a"quote', "back\\slash", "ctl\x00\x01\x1f\x7f", "tab\tnew\nline", "ünïcødé", "日本語",
                "emoji \U0001F600", "line\u2028sep\u2029", "</script>", '\\"', " ", "k" * 256]
SIZES = [0, 1, 2, 3, 4, 57, 1 << 20]


def _page(tmp_path, records, *, encryption=None, base=None, arrivals=(1_764_144_505_123,)) -> ShardPage:
    log = ShardLog(tmp_path / "shard")
    for n, arrival in enumerate(arrivals):  # each batch its own arrival time
        log.append([(k.encode("utf-8"), d) for k, d in records[n::len(arrivals)]], arrival)
    seq_base = int(sequence_number(1_700_000_000, 3, 0, 0)) if base is None else base
    return ShardPage(log.read_page(0, 10_000, 64 << 20), seq_base, encryption)


def _parsed(response: HttpResponse) -> dict:
    parser = botocore.parsers.create_parser("json")
    parsed = parser.parse({"status_code": response.status, "headers": dict(response.headers.items()),
                           "body": response.body_bytes()}, GET_RECORDS.output_shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


def _both(page: ShardPage, extra: dict) -> tuple[dict, dict, HttpResponse]:
    fused = KinesisJSONResponseSerializer(MODEL).serialize_response(GET_RECORDS, {"Records": page, **extra}, "r1")
    generic = JSONResponseSerializer(MODEL).serialize_response(GET_RECORDS, {"Records": page.shaped(), **extra}, "r1")
    return _parsed(fused), _parsed(generic), fused


def _records(keys, sizes, seed=7):
    rng = random.Random(seed)
    return [(key, rng.randbytes(size)) for key in keys for size in sizes]


def test_fused_rendering_reads_back_like_the_generic_one_for_awkward_keys_and_sizes(tmp_path):
    records = _records(AWKWARD_KEYS, [0, 1, 2, 3, 100])
    records.append(("big", random.Random(1).randbytes(1 << 20)))
    page = _page(tmp_path, records, arrivals=(1_764_144_505_123, 1_764_144_505_124, 1_764_144_506_000))
    fused, generic, _ = _both(page, {"MillisBehindLatest": 1234, "NextShardIterator": "AAAA/+=="})
    assert fused == generic
    got = fused["Records"]
    assert sorted((r["PartitionKey"], r["Data"]) for r in got) == sorted(records)
    assert fused["MillisBehindLatest"] == 1234 and fused["NextShardIterator"] == "AAAA/+=="
    assert [r["SequenceNumber"] for r in got] == [
        sequence_number(1_700_000_000, 3, offset, int(r["ApproximateArrivalTimestamp"].timestamp() * 1000))
        for offset, r in enumerate(got)]
    stamps = {r["ApproximateArrivalTimestamp"] for r in got}
    assert stamps == {dt.datetime(2025, 11, 26, 8, 8, 25, ms * 1000, tzinfo=dt.timezone.utc)
                      for ms in (123, 124)} | {dt.datetime(2025, 11, 26, 8, 8, 26, tzinfo=dt.timezone.utc)}
    assert all("EncryptionType" not in r for r in got)


@pytest.mark.parametrize("size", SIZES)
def test_data_of_every_padding_and_one_mib_round_trips(tmp_path, size):
    data = random.Random(size).randbytes(size)
    fused, generic, _ = _both(_page(tmp_path, [("k", data)]), {"MillisBehindLatest": 0, "NextShardIterator": "x"})
    assert fused == generic
    assert [r["Data"] for r in fused["Records"]] == [data]


def test_encrypted_stream_records_carry_encryption_type(tmp_path):
    page = _page(tmp_path, _records(["a", 'b"'], [5]), encryption="KMS")
    fused, generic, _ = _both(page, {"MillisBehindLatest": 0, "NextShardIterator": "x"})
    assert fused == generic
    assert [r["EncryptionType"] for r in fused["Records"]] == ["KMS", "KMS"]


def test_unencrypted_stream_given_as_none_leaves_encryption_type_out(tmp_path):
    page = _page(tmp_path, _records(["a"], [5]), encryption="NONE")
    assert page.encryption_type is None
    fused, generic, response = _both(page, {"MillisBehindLatest": 0, "NextShardIterator": "x"})
    assert fused == generic and b"EncryptionType" not in response.body_bytes()


def test_empty_page_with_child_shards_instead_of_an_iterator(tmp_path):
    children = [{"ShardId": "shardId-000000000001", "ParentShards": ["shardId-000000000000"],
                 "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": "170141183460469231731687303715884105727"}}]
    fused, generic, response = _both(_page(tmp_path, []), {"MillisBehindLatest": 0, "ChildShards": children})
    assert fused == generic == {"Records": [], "MillisBehindLatest": 0, "ChildShards": children}
    assert json.loads(response.body_bytes())["Records"] == []


@pytest.mark.parametrize("base", [0, 12345, 10**18 - 3, int(sequence_number(2**33, 7, 0, 0))],
                         ids=["zero", "small", "near-a-power-of-ten", "real"])
def test_any_sequence_base_gives_base_plus_offset_and_arrival_steps(tmp_path, base):
    arrivals = (1_764_144_505_123, 1_764_144_506_000)
    page = _page(tmp_path, _records(["a", "b", "c", "d", "e"], [1]), base=base, arrivals=arrivals)
    fused, generic, _ = _both(page, {"MillisBehindLatest": 0})
    assert fused == generic
    seconds = [a // 1000 for a in arrivals]
    assert [r["SequenceNumber"] for r in fused["Records"]] == [
        str(base + i * SEQUENCE_INDEX_STEP + seconds[0 if i < 3 else 1] * SEQUENCE_SECOND_STEP) for i in range(5)]


def test_render_records_wraps_the_array_in_what_it_is_given(tmp_path):
    page = _page(tmp_path, _records(["a"], [3]))
    body = json.loads(render_records(page, b'{"Records":', b',"MillisBehindLatest":5}'))
    assert body["MillisBehindLatest"] == 5 and body["Records"][0]["PartitionKey"] == "a"


def test_cbor_answer_of_a_fused_page_has_byte_strings_and_tag_1_timestamps(tmp_path):
    records = _records(['a"\\', "ünï"], [0, 3])
    page = _page(tmp_path, records)
    fused = KinesisJSONResponseSerializer(MODEL).serialize_response(
        GET_RECORDS, {"Records": page, "MillisBehindLatest": 0, "NextShardIterator": "x"}, "r1")
    cbor = cbor_response(fused, GET_RECORDS, is_error=False)
    assert cbor.headers["Content-Type"] == "application/x-amz-cbor-1.1"
    assert b"\xc1\x1b" in cbor.body  # tag 1 over an 8-byte integer: epoch milliseconds, as AWS writes it
    body = cbor2.loads(cbor.body, semantic_decoders={1: lambda millis, immutable: millis})
    assert [(r["PartitionKey"], r["Data"]) for r in body["Records"]] == records
    assert body["Records"][0]["ApproximateArrivalTimestamp"] == int(
        dt.datetime(2025, 11, 26, 8, 8, 25, 123000, tzinfo=dt.timezone.utc).timestamp() * 1000)


def test_list_of_record_dicts_is_still_rendered(tmp_path):
    page = _page(tmp_path, _records(["x", "y"], [4]))
    serializer = KinesisJSONResponseSerializer(MODEL)
    as_list = serializer.serialize_response(GET_RECORDS, {"Records": page.shaped(), "MillisBehindLatest": 0}, "r")
    as_page = serializer.serialize_response(GET_RECORDS, {"Records": page, "MillisBehindLatest": 0}, "r")
    assert _parsed(as_list) == _parsed(as_page)
    assert isinstance(as_page.headers, Headers) and as_page.headers["Content-Length"] == str(len(as_page.body_bytes()))


def test_a_page_is_sent_in_chunks_of_about_a_mebibyte_that_add_up_to_the_content_length(tmp_path):
    """The page goes out as it was rendered, in ~1 MiB chunks (no 14 MB buffer joined first)."""
    page = _page(tmp_path, _records(["k%d" % i for i in range(40)], [100_000]))
    response = KinesisJSONResponseSerializer(MODEL).serialize_response(GET_RECORDS, {"Records": page}, "r1")
    chunks = list(response.body)
    assert len(chunks) >= 3 and all(len(c) < (1 << 20) + 200_000 for c in chunks)
    whole = b"".join(chunks)
    assert whole == response.body_bytes() and response.headers["Content-Length"] == str(len(whole))
    assert len(json.loads(whole)["Records"]) == 40
