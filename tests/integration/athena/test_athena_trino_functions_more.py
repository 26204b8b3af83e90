"""More Trino functions as Athena (engine v3) answers them, through boto3 on one in-process lakebox
server: zip_with, normalize in its four forms, crc32 / xxhash64 / murmur3, luhn_check, the Wilson score
interval, human_readable_seconds, to_base's lower-case digits, the checksum aggregate, and the
fractional digits of a TIMESTAMP literal. The expected values are Trino's: its documentation's
examples and the test vectors of its own function tests.
"""

from __future__ import annotations

import struct

import pytest
import xxhash
from athena_helpers import first_row_and_types, make_client, run_query

from lakebox.testing import running_lakebox

DATABASE = "fns"
OUTPUT = "s3://fns-results/queries/"


def _run(athena, sql: str, state: str = "SUCCEEDED", database: str = DATABASE) -> tuple[str, dict]:
    return run_query(athena, sql, OUTPUT, state, database=database)


def _answer(athena, sql: str) -> tuple[list, list]:
    return first_row_and_types(athena, sql, OUTPUT, database=DATABASE)


@pytest.fixture(scope="module")
def athena(tmp_path_factory):
    """One server for the module, with a Parquet table of typed columns for checksum."""
    with running_lakebox(tmp_path_factory.mktemp("lakebox-fns"), set_env=False) as server:
        s3 = make_client("s3", server.endpoint_url)
        client = make_client("athena", server.endpoint_url)
        s3.create_bucket(Bucket="lake")
        s3.create_bucket(Bucket="fns-results")
        _run(client, f"CREATE DATABASE {DATABASE}", database="default")
        _run(client, "CREATE TABLE readings WITH (external_location = 's3://lake/readings/') AS "
                     "SELECT * FROM (VALUES "
                     "(1, 'eu', 1.5, DATE '2024-01-15', true, TIMESTAMP '2024-01-01 10:00:00.123456'), "
                     "(2, 'us', 2.5, DATE '2024-02-20', false, TIMESTAMP '2024-03-05 23:30:00.5'), "
                     "(3, NULL, NULL, NULL, NULL, NULL)) "
                     "AS t(id, region, score, day, flag, at)")
        yield client


@pytest.mark.parametrize("sql,value,athena_type", [
    # zip_with: the shorter array is padded with NULL before the function sees it (Trino's doc examples)
    ("SELECT zip_with(ARRAY[1, 2], ARRAY[3, 4], (x, y) -> x + y)", "[4, 6]", "array"),
    ("SELECT zip_with(ARRAY['a', 'b', 'c'], ARRAY['d', 'e', 'f'], (x, y) -> concat(x, y))", "[ad, be, cf]", "array"),
    ("SELECT zip_with(ARRAY['a'], ARRAY['d', null, 'f'], (x, y) -> coalesce(x, y))", "[a, null, f]", "array"),
    ("SELECT zip_with(ARRAY[1, 3, 5], ARRAY['a', 'b'], (x, y) -> ROW(y, x))",
     "[{field0=a, field1=1}, {field0=b, field1=3}, {field0=null, field1=5}]", "array"),
    ("SELECT zip_with(ARRAY[1], CAST(NULL AS array(integer)), (x, y) -> x)", None, "array"),
    ("SELECT zip_with(ARRAY[1, 2], ARRAY[3, 4], (x, y) -> zip_with(ARRAY[10], ARRAY[20], (u, v) -> u + v + x + y))",
     "[[34], [36]]", "array"),
    # normalize: NFC by default, the other three forms by name
    ("SELECT length(normalize('é', NFD))", "2", "bigint"),
    ("SELECT normalize(normalize('é', NFD), NFC)", "é", "varchar"),
    ("SELECT normalize('ﬁ', NFKD)", "fi", "varchar"),
    ("SELECT normalize('①', NFKC)", "1", "varchar"),
    ("SELECT length(normalize('é'))", "1", "bigint"),
    # crc32 is a bigint, xxhash64 and murmur3 varbinary (Trino's TestVarbinaryFunctions vectors)
    ("SELECT crc32(to_utf8('CRC me!'))", "38028046", "bigint"),
    ("SELECT crc32(to_utf8('ABCDEFGHIJKLM'))", "4223167559", "bigint"),
    ("SELECT xxhash64(CAST('' AS varbinary))", "ef 46 db 37 51 d8 e9 99", "varbinary"),
    ("SELECT xxhash64(CAST('hashme' AS varbinary))", "f9 d9 6e 0e 11 65 e8 92", "varbinary"),
    ("SELECT to_hex(xxhash64(X''))", "EF46DB3751D8E999", "varchar"),
    ("SELECT murmur3(CAST('' AS varbinary))", " ".join(["00"] * 16), "varbinary"),
    ("SELECT murmur3(CAST('hashme' AS varbinary))", "93 19 2f e8 05 be 23 04 1c 83 18 f6 7e c4 f2 bc", "varbinary"),
    ("SELECT xxhash64(CAST(NULL AS varbinary))", None, "varbinary"),
    # luhn_check
    ("SELECT luhn_check('79927398713')", "true", "boolean"),
    ("SELECT luhn_check('4242424242424242')", "true", "boolean"),
    ("SELECT luhn_check('79927398710')", "false", "boolean"),
    ("SELECT luhn_check('')", "false", "boolean"),
    # the Wilson score interval, to the last bit of Trino's double
    ("SELECT wilson_interval_lower(3, 5, 0.5)", "0.48822759497978935", "double"),
    ("SELECT wilson_interval_upper(3, 5, 0.5)", "0.7022485954964011", "double"),
    ("SELECT wilson_interval_lower(1250, 1310, 1.96)", "0.9414883725395894", "double"),
    ("SELECT wilson_interval_upper(1250, 1310, 1.96)", "0.9642524717143908", "double"),
    ("SELECT wilson_interval_lower(0, 1, 0)", "0.0", "double"),
    # human_readable_seconds: the absolute value rounded half up, units of 0 left out
    ("SELECT human_readable_seconds(96)", "1 minute, 36 seconds", "varchar"),
    ("SELECT human_readable_seconds(3762)", "1 hour, 2 minutes, 42 seconds", "varchar"),
    ("SELECT human_readable_seconds(56363463)", "93 weeks, 1 day, 8 hours, 31 minutes, 3 seconds", "varchar"),
    ("SELECT human_readable_seconds(0)", "0 seconds", "varchar"),
    ("SELECT human_readable_seconds(61.5)", "1 minute, 2 seconds", "varchar"),
    ("SELECT human_readable_seconds(-86400)", "1 day", "varchar"),
    # to_base writes Java's Long.toString: lower-case digits, a sign for a negative number
    ("SELECT to_base(255, 16)", "ff", "varchar"),
    ("SELECT to_base(-255, 16)", "-ff", "varchar"),
    ("SELECT to_base(35, 36)", "z", "varchar"),
    ("SELECT to_base(-9223372036854775807 - 1, 16)", "-8000000000000000", "varchar"),
    # a TIMESTAMP literal has the precision it is written with: timestamp(6) prints 6 digits
    ("SELECT TIMESTAMP '2020-01-01 00:00:00.123456'", "2020-01-01 00:00:00.123456", "timestamp"),
    ("SELECT typeof(TIMESTAMP '2020-01-01 00:00:00.123456')", "timestamp(6)", "varchar"),
    ("SELECT CAST(TIMESTAMP '2020-01-01 00:00:00.5' AS timestamp(6))", "2020-01-01 00:00:00.500000", "timestamp"),
    ("SELECT TIMESTAMP '2020-01-01 00:00:00.12'", "2020-01-01 00:00:00.120", "timestamp"),
])
def test_function_answers_as_trino(athena, sql, value, athena_type):
    values, types = _answer(athena, sql)
    assert (values[0], types[0]) == (value, athena_type)


@pytest.mark.parametrize("sql,reason", [
    ("SELECT luhn_check('12a')", "INVALID_FUNCTION_ARGUMENT: Input contains non-digit character"),
    ("SELECT wilson_interval_lower(5, 3, 1.0)",
     "INVALID_FUNCTION_ARGUMENT: number of successes must not be larger than number of trials"),
    ("SELECT wilson_interval_upper(1, 0, 1.0)", "INVALID_FUNCTION_ARGUMENT: number of trials must be positive"),
    ("SELECT wilson_interval_upper(1, 2, -1.0)", "INVALID_FUNCTION_ARGUMENT: z-score must not be negative"),
    ("SELECT human_readable_seconds(infinity())", "INVALID_FUNCTION_ARGUMENT: Invalid argument found: Infinity"),
    ("SELECT to_base(10, 37)", "INVALID_FUNCTION_ARGUMENT: Radix must be between 2 and 36"),
])
def test_invalid_arguments_fail_as_trino(athena, sql, reason):
    _, execution = _run(athena, sql, state="FAILED")
    assert execution["Status"]["StateChangeReason"] == reason


@pytest.mark.parametrize("sql", [
    "SELECT zip_with(ARRAY[1], ARRAY[2])",
    "SELECT zip_with(ARRAY[1], ARRAY[2], x -> x)",
    "SELECT luhn_check('1', '2')",
    "SELECT to_base(1)",
    "SELECT wilson_interval_lower(1, 2)",
    "SELECT human_readable_seconds()",
    "SELECT crc32(X'01', X'02')",
    "SELECT crc32('abc')",
    "SELECT xxhash64('abc')",
    "SELECT checksum()",
])
def test_wrong_arguments_are_function_not_found(athena, sql):
    _, execution = _run(athena, sql, state="FAILED")
    assert execution["Status"]["StateChangeReason"].startswith("FUNCTION_NOT_FOUND: ")


PRIME64 = 0x9E3779B185EBCA87


def _checksum(hashed: list) -> str:
    """Trino's ChecksumAggregationFunction over values already turned into the bytes their type
    hashes (None for NULL): the sum of XXH64(bytes) * PRIME64 (PRIME64 for a NULL) modulo 2^64,
    written little-endian, as Athena shows a varbinary."""
    total = sum(PRIME64 if data is None else xxhash.xxh64_intdigest(data) * PRIME64 for data in hashed)
    return " ".join(f"{b:02x}" for b in struct.pack("<Q", total % (1 << 64)))


def _long(value: int) -> bytes:
    return struct.pack("<q", value)


def test_checksum_is_trinos_per_type_and_ignores_order(athena):
    values, types = _answer(athena, "SELECT checksum(id), checksum(region), checksum(score), checksum(day), "
                                    "checksum(flag) FROM readings")
    assert types == ["varbinary"] * 5
    assert values == [
        _checksum([_long(1), _long(2), _long(3)]),
        _checksum([b"eu", b"us", None]),
        _checksum([struct.pack("<d", 1.5), struct.pack("<d", 2.5), None]),
        _checksum([_long(19737), _long(19773), None]),  # days since 1970-01-01
        _checksum([_long(1), _long(0), None]),
    ]
    # The sum does not depend on the order of the rows, nor on how they are grouped.
    reordered, _ = _answer(athena, "SELECT checksum(id) FROM (SELECT id FROM readings ORDER BY id DESC)")
    assert reordered[0] == values[0]


def test_checksum_of_timestamps_hashes_their_microseconds(athena):
    """A table's timestamp is a timestamp(3) (whole milliseconds, as it prints); a literal with 6
    digits keeps them."""
    values, _ = _answer(athena, "SELECT checksum(at) FROM readings")
    assert values == [_checksum([_long(1704103200123000), _long(1709681400500000), None])]
    values, _ = _answer(athena, "SELECT checksum(TIMESTAMP '1970-01-01 00:00:00.000001')")
    assert values == [_checksum([_long(1)])]


def test_checksum_of_no_rows_is_null_and_of_null_rows_is_not(athena):
    values, _ = _answer(athena, "SELECT checksum(id) FROM readings WHERE id > 10")
    assert values == [None]
    values, _ = _answer(athena, "SELECT checksum(region) FROM readings WHERE id = 3")
    assert values == [_checksum([None])]


def test_checksum_per_group(athena):
    qid, _ = _run(athena, "SELECT id > 1 AS later, checksum(id) FROM readings GROUP BY 1 ORDER BY 1")
    rows = [[d.get("VarCharValue") for d in r["Data"]] for r in
            athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]]
    assert rows[1:] == [["false", _checksum([_long(1)])], ["true", _checksum([_long(2), _long(3)])]]


def test_a_parquet_timestamp_column_stays_milliseconds(athena):
    values, types = _answer(athena, "SELECT at FROM readings WHERE id = 1")
    assert (values, types) == (["2024-01-01 10:00:00.123"], ["timestamp"])
