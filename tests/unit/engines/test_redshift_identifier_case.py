"""Identifier case in the Redshift translation: every name folds to lower case by default, and a
quoted one keeps its case under enable_case_sensitive_identifier (translate's `case_sensitive`)."""

from __future__ import annotations

import pytest

from lakebox.engines.redshift import translate


@pytest.mark.parametrize("sql, folded, case_sensitive", [
    ('SELECT "Abc", Def FROM "T"', 'SELECT "abc", "def" FROM "t"', 'SELECT "Abc", "def" FROM "T"'),
    ('SELECT 1 AS "Shown"', 'SELECT 1 AS "shown"', 'SELECT 1 AS "Shown"'),
    ('CREATE TABLE "Mixed" ("Col" INT, other INT)', 'CREATE TABLE "mixed" ("col" INT, "other" INT)',
     'CREATE TABLE "Mixed" ("Col" INT, "other" INT)'),
])
def test_quoted_names_keep_their_case_only_when_case_sensitive(sql, folded, case_sensitive):
    def generated(flag):
        return translate.parse(sql, case_sensitive=flag).sql("duckdb", identify=True)

    assert generated(False) == folded
    assert generated(True) == case_sensitive


def test_translate_passes_case_sensitivity_to_the_generated_sql():
    assert translate.translate('SELECT "Abc" FROM "T"').statements == ['SELECT "abc" FROM "t"']
    assert translate.translate('SELECT "Abc" FROM "T"', case_sensitive=True).statements == ['SELECT "Abc" FROM "T"']
