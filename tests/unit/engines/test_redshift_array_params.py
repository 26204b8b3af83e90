"""Parameters as drivers bind them: arrays (`oid = ANY(%s)` with a list) decoded and written back as SQL,
and which `$n` in a statement are placeholders."""

from __future__ import annotations

import struct

import pytest

from lakebox.engines.redshift.pg_types import (INT2, INT4, TEXT, PgTypeError, bind_parameters, decode_param,
                                              parameter_count, sql_literal)


def _binary_array(element_oid: int, items: list, fmt: str) -> bytes:
    body = struct.pack("!iiIii", 1, int(any(i is None for i in items)), element_oid, len(items), 1)
    for item in items:
        if item is None:
            body += struct.pack("!i", -1)
        else:
            data = item.encode() if isinstance(item, str) else struct.pack(fmt, item)
            body += struct.pack("!i", len(data)) + data
    return body


def test_binary_int2_array_as_redshift_connector_sends_it():
    value = decode_param(_binary_array(INT2, [16, 23], "!h"), 1005, binary=True)
    assert value == [16, 23]
    assert sql_literal(value) == "ARRAY[16, 23]"


def test_binary_arrays_keep_nulls_and_negative_numbers():
    value = decode_param(_binary_array(INT4, [-5, None, 7], "!i"), 1007, binary=True)
    assert value == [-5, None, 7]
    assert sql_literal(value) == "ARRAY[(-5), NULL, 7]"


def test_binary_text_array_and_the_empty_array():
    assert decode_param(_binary_array(TEXT, ["a", "it's"], ""), 1009, binary=True) == ["a", "it's"]
    assert sql_literal(["it's"]) == "ARRAY['it''s']"
    assert decode_param(struct.pack("!iiI", 0, 0, INT4), 1007, binary=True) == []


@pytest.mark.parametrize("text, expected", [
    ("{1,2,3}", [1, 2, 3]),
    ("{}", []),
    ("{1,NULL,3}", [1, None, 3]),
])
def test_text_int_arrays(text, expected):
    assert decode_param(text.encode(), 1007, binary=False) == expected


def test_text_varchar_array_with_quotes_and_escapes():
    assert decode_param(b'{a,"b c","NULL",NULL,"x\\"y"}', 1015, binary=False) == ["a", "b c", "NULL", None, 'x"y']


def test_malformed_arrays_are_refused():
    with pytest.raises(PgTypeError):
        decode_param(b"1,2", 1007, binary=False)
    with pytest.raises(PgTypeError):
        decode_param(b"\x00\x00", 1007, binary=True)


def test_a_dollar_digit_inside_an_identifier_is_no_placeholder():
    sql = 'SELECT * FROM "x$1".t, catalog$123standard.u WHERE a = $1 AND b = ($2)'
    assert parameter_count(sql) == 2
    assert bind_parameters(sql, ["7", "'b'"]) == \
        'SELECT * FROM "x$1".t, catalog$123standard.u WHERE a = 7 AND b = (\'b\')'


def test_a_text_parameter_ends_at_a_nul_and_bad_utf8_is_refused():
    # Redshift reads text values as C strings: what follows a NUL is not part of the value.
    assert decode_param(b"abc\0def", TEXT, binary=False) == "abc"
    with pytest.raises(PgTypeError) as raised:
        decode_param(b"ab\xffc", TEXT, binary=False)
    assert (raised.value.sqlstate, raised.value.message) == ("22021", 'invalid byte sequence for encoding "UTF8": 0xff')
