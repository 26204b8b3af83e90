"""TO_CHAR's numeric templates, checked against the examples of Postgres's documentation (which
Redshift follows), with the C locale's separators."""

from __future__ import annotations

import pytest

from lakebox.engines.redshift.number_format import is_number_template, to_char_number


@pytest.mark.parametrize("value, template, shown", [
    ("-0.1", "99.99", "  -.10"), ("-0.1", "FM9.99", "-.1"), ("-0.1", "FM90.99", "-0.1"), ("0.1", "0.9", " 0.1"),
    ("12", "9990999.9", "    0012.0"), ("12", "FM9990999.9", "0012."), ("485", "999", " 485"),
    ("-485", "999", "-485"), ("1485", "9,999", " 1,485"), ("1485", "9G999", " 1,485"),
    ("148.5", "999.999", " 148.500"), ("148.5", "FM999.999", "148.5"), ("148.5", "FM999.990", "148.500"),
    ("148.5", "999D999", " 148.500"), ("3148.5", "9G999D999", " 3,148.500"), ("-485", "999S", "485-"),
    ("485", "999S", "485+"), ("-485", "999MI", "485-"), ("485", "999MI", "485 "), ("485", "FM999MI", "485"),
    ("-485", "999PR", "<485>"), ("485", "S999", "+485"), ("1234", "99", " ##"), ("12.345", "99.99", " 12.35"),
    ("0", "9999", "    0"), ("0", "FM9990", "0"), ("1234567.891", "FM9,999,999.00", "1,234,567.89"),
])
def test_postgres_examples(value, template, shown):
    assert to_char_number(value, template) == shown


def test_null_and_templates_that_are_dates():
    assert to_char_number(None, "999") is None
    assert is_number_template("FM9,999.00") and is_number_template("999D99") and is_number_template("0000")
    assert not is_number_template("YYYY-MM-DD") and not is_number_template("HH24:MI") and not is_number_template("")
