"""Kinesis's numbers (hash ranges, routing, sequence numbers) and the GetRecords serializer fast path."""

from __future__ import annotations

import datetime as dt
import hashlib

from botocore.parsers import create_parser as botocore_parser

from lakebox.protocol.serializers.json import JSONResponseSerializer
from lakebox.protocol.serializers.kinesis import KinesisJSONResponseSerializer
from lakebox.protocol.specs import load_service_model
from lakebox.services.kinesis.model import (
    MAX_HASH_KEY,
    Shard,
    Stream,
    decode_sequence_number,
    ending_sequence_number,
    hash_key_of,
    parse_sequence_number,
    sequence_number,
    starting_sequence_number,
    uniform_ranges,
)


def test_uniform_ranges_follow_aws_split():
    ranges = uniform_ranges(5)
    width = 2**128 // 5
    assert ranges[0] == (0, width - 1)
    assert ranges[2] == (2 * width, 3 * width - 1)
    assert ranges[-1] == (4 * width, MAX_HASH_KEY)
    assert all(a[1] + 1 == b[0] for a, b in zip(ranges, ranges[1:]))


def test_key_12345_routes_to_shard_2_of_5():
    stream = Stream(id=1, account="0", region="r", name="s", created_ms=0,
                    shards=[Shard(i, lo, hi, 0) for i, (lo, hi) in enumerate(uniform_ranges(5))])
    assert hash_key_of("12345") == int(hashlib.md5(b"12345").hexdigest(), 16)
    assert stream.route(hash_key_of("12345")).number == 2
    assert stream.route(0).number == 0 and stream.route(MAX_HASH_KEY).number == 4


def test_sequence_numbers_are_56_digits_increase_and_parse_back():
    seqs = [sequence_number(1_764_000_000, 3, offset, 1_764_000_100_000 - offset * 1000)
            for offset in (0, 1, 2, 10**12)]
    assert all(len(s) == 56 and s.isdigit() for s in seqs)
    assert [int(s) for s in seqs] == sorted(int(s) for s in seqs)  # the offset outranks the arrival time
    assert parse_sequence_number(seqs[1]) == (1_764_000_000, 3, 1)
    assert parse_sequence_number("123") is None  # AWS's oldest layout, never one of ours


def test_sequence_numbers_have_aws_hex_layout():
    """2 | creation s | shard's last hex digit | index | 00 | arrival s | shard | 2, read in hex."""
    created, arrival_ms = 1_764_000_000, 1_764_000_123_456
    number = sequence_number(created, 0x1B, 41, arrival_ms)
    digits = f"{int(number):x}"
    assert len(digits) == 47 and digits[0] == "2" and digits[-1] == "2"
    assert int(digits[1:10], 16) == created and digits[10] == "b"
    assert int(digits[11:27], 16) == 42 and digits[27:29] == "00"  # index = offset + 1
    assert int(digits[29:38], 16) == arrival_ms // 1000 and int(digits[38:46], 16) == 0x1B


def test_starting_and_ending_numbers_bracket_every_record():
    start = starting_sequence_number(1_764_000_000, 2)
    first = sequence_number(1_764_000_000, 2, 0, 1_764_000_000_000)
    end = ending_sequence_number(1_764_000_000, 2, 1_764_000_500_000)
    last = sequence_number(1_764_000_000, 2, 10**9, 1_764_000_400_000)
    assert int(start) < int(first) < int(last) < int(end)
    assert parse_sequence_number(start) == (1_764_000_000, 2, -1)
    assert decode_sequence_number(end).index == 2**63 - 1


def _hex(digits: str) -> str:
    return str(int(digits, 16))


def test_decoding_follows_aws_layouts_and_refusals():
    assert decode_sequence_number("5").version == 0 and decode_sequence_number("5").shard == 5
    assert decode_sequence_number(_hex("20000000000000000000000000000000000000000000001")).version == 1
    eight_near_end = decode_sequence_number(_hex("20000000000000000000000000000000000000800000002"))
    assert eight_near_end.version == 2 and eight_near_end.shard == -2**31  # a signed 32-bit shard
    refused = ["20000000000800000000000000000000000000000000002",  # index with its top bit set
               "20000000000000000000000000000000000000000000003",  # unknown version
               "20000000000000000000000000000000000000000000000",
               "30000000000000000000000000000000000000000000001",  # above the layouts' range
               "1ffffffffff7fffffffffffffff000000000007fffffff2",  # between them
               "2ffffffffff7fffffffffffffff000000000007fffffff2",  # creation time too far ahead
               "13bb2cc3d80000000000000000000000"]  # the same, in the oldest layout
    assert [decode_sequence_number(_hex(d)) for d in refused] == [None] * len(refused)
    assert decode_sequence_number("12a") is None and decode_sequence_number("") is None


def test_get_records_fast_path_matches_generic_serializer():
    model = load_service_model("kinesis")
    operation = model.operation_model("GetRecords")
    when = dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.timezone.utc)
    result = {"Records": [{"SequenceNumber": "4" * 56, "ApproximateArrivalTimestamp": when, "Data": b"\x00\xffdata",
                           "PartitionKey": "k\u00e9y"},
                          {"SequenceNumber": "5" * 56, "ApproximateArrivalTimestamp": when, "Data": b"",
                           "PartitionKey": "p", "EncryptionType": "KMS"}],
              "NextShardIterator": "abc", "MillisBehindLatest": 12,
              "ChildShards": [{"ShardId": "shardId-000000000001", "ParentShards": ["shardId-000000000000"],
                               "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": "9"}}]}
    parsed = []
    for serializer in (JSONResponseSerializer(model), KinesisJSONResponseSerializer(model)):
        response = serializer.serialize_response(operation, result, "rid")
        raw = {"status_code": 200, "headers": dict(response.headers.items()), "body": response.body}
        out = botocore_parser("json").parse(raw, operation.output_shape)
        out.pop("ResponseMetadata", None)
        parsed.append(out)
    assert parsed[0] == parsed[1]
    assert parsed[1]["Records"][0]["Data"] == b"\x00\xffdata"
    assert parsed[1]["Records"][0]["ApproximateArrivalTimestamp"].timestamp() == when.timestamp()


def test_put_records_fast_parse_matches_generic_parser():
    import os

    from botocore.serialize import create_serializer

    from lakebox.protocol.http import BytesBody, Headers, HttpRequest
    from lakebox.protocol.parsers.json import JSONRequestParser
    from lakebox.protocol.parsers.kinesis import KinesisRequestParser

    model = load_service_model("kinesis")
    operation = model.operation_model("PutRecords")
    params = {"StreamName": "s", "Records": [{"Data": os.urandom(i), "PartitionKey": f"k\u00e9{i}",
                                              **({"ExplicitHashKey": "7"} if i % 3 == 0 else {})} for i in range(40)]}
    bodies = [create_serializer("json").serialize_to_request(params, operation)["body"],
              b'{"StreamName":"s","Records":[{"Data":"YWJj","PartitionKey":"k"}]}',
              b'{"StreamName":"s","Records":[{"Data":"YWI=","PartitionKey":"k"}]}']

    def request(body: bytes) -> HttpRequest:
        return HttpRequest(method="POST", path="/", headers=Headers([("X-Amz-Target", "Kinesis_20131202.PutRecords")]),
                           body=BytesBody(body))

    for body in bodies:
        assert (KinesisRequestParser(model).parse(request(body), operation, {})
                == JSONRequestParser(model).parse(request(body), operation, {}))
    # A wrong type, unpadded or non-canonical Base64: both answer the front end's SerializationException.
    for data in (b"5", b'"YWI"', b'"+/+="', b'"YW=I"'):
        bad = b'{"StreamName":"s","Records":[{"Data":' + data + b',"PartitionKey":"k"}]}'
        errors = []
        for parser in (KinesisRequestParser(model), JSONRequestParser(model)):
            try:
                parser.parse(request(bad), operation, {})
            except Exception as exc:  # noqa: BLE001 - whatever each raises is compared below
                errors.append((type(exc).__name__, str(exc)))
        assert len(errors) == 2 and errors[0] == errors[1] and "SerializationException" in errors[0][1]
