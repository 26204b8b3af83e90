"""The wire-value helpers every protocol shares: timestamps, base64, modeled error codes."""

from __future__ import annotations

import datetime as dt

import pytest

from lakebox.protocol.shapes import (
    b64decode,
    b64encode,
    error_shape_for,
    format_timestamp,
    parse_timestamp,
    wire_error_code,
)
from lakebox.protocol.specs import load_service_model

UTC = dt.timezone.utc
MOMENT = dt.datetime(2026, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-01-02T03:04:05.123Z",
        "2026-01-02T03:04:05.123000Z",
        "2026-01-02 03:04:05.1230Z",
        "2026-01-02T05:04:05.123+02:00",
        "2026-01-02T00:04:05.123-0300",
        "2026-01-02T03:04:05.123",
        1767323045.123,
        "1767323045.123",
        dt.datetime(2026, 1, 2, 3, 4, 5, 123000),
    ],
)
def test_parse_timestamp_forms(raw):
    assert parse_timestamp(raw) == MOMENT


def test_parse_timestamp_rfc822_and_date():
    assert parse_timestamp("Fri, 02 Jan 2026 03:04:05 GMT", "rfc822") == MOMENT.replace(microsecond=0)
    assert parse_timestamp(dt.date(2026, 1, 2)) == dt.datetime(2026, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["yesterday", "2026-13-01T00:00:00Z", "", True, float("nan")])
def test_parse_timestamp_rejects_junk(raw):
    with pytest.raises(ValueError):
        parse_timestamp(raw)


def test_format_timestamp_each_format():
    assert format_timestamp(MOMENT, "iso8601") == "2026-01-02T03:04:05.123Z"
    assert format_timestamp(MOMENT, "rfc822") == "Fri, 02 Jan 2026 03:04:05 GMT"
    assert format_timestamp(MOMENT, "unixTimestamp") == 1767323045.123
    # Naive datetimes are UTC, as everywhere in lakebox.
    assert format_timestamp(MOMENT.replace(tzinfo=None), "ISO8601") == "2026-01-02T03:04:05.123Z"


def test_base64_round_trip_and_padding():
    assert b64decode(b64encode(b"\x00\xffdata")) == b"\x00\xffdata"
    assert b64encode("text") == "dGV4dA=="
    assert b64decode("dGV4dA") == b"text"
    with pytest.raises(ValueError):
        b64decode("not base64!")


def test_error_codes_from_the_model():
    redshift = load_service_model("redshift")
    assert wire_error_code(redshift, "ClusterNotFoundFault") == "ClusterNotFound"
    assert wire_error_code(redshift, "ClusterNotFound") == "ClusterNotFound"
    assert error_shape_for(redshift, "ClusterNotFound").name == "ClusterNotFoundFault"
    assert wire_error_code(redshift, "SomethingUnmodeled") == "SomethingUnmodeled"
    assert error_shape_for(load_service_model("glue"), "GetTableRequest") is None
