"""Units of Glue Data Quality recommendations and pushdown predicates: the DQDL a recommendation
writes parses, the Spark predicates of a DataSource become Trino conditions with Spark's casts, and
a data_quality.db of schema version 1 gains the recommendation runs table in place."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from lakebox.services.glue.dq_recommend import recommend
from lakebox.services.glue.dq_rules import Dataset
from lakebox.services.glue.dq_runs import RunFailed, source_predicate
from lakebox.services.glue.dq_store import DataQualityStore
from lakebox.services.glue.dqdl import parse_ruleset


@pytest.mark.parametrize("options, columns, expected", [
    ({"pushDownPredicate": "(c2 == '0')"}, [("c2", "string")], "((c2 = '0'))"),
    ({"pushDownPredicate": "(c2 == '0')"}, [("c2", "bigint")], "((c2 = CAST('0' AS BIGINT)))"),
    ({"pushDownPredicate": "c2 in ('0', '1')"}, [("c2", "int")], "(c2 IN (CAST('0' AS INTEGER), CAST('1' AS INTEGER)))"),
    ({"pushDownPredicate": "d >= '2024-01-01'"}, [("d", "date")], "(d >= CAST('2024-01-01' AS DATE))"),
    ({"pushDownPredicate": "y = '1'", "catalogPartitionPredicate": "m = '2'"}, [("y", "string"), ("m", "string")],
     "(y = '1') AND (m = '2')"),
    ({}, [("c2", "string")], None),
    ({"pushDownPredicate": "  "}, [("c2", "string")], None),
])
def test_source_predicate_is_trino_sql_with_sparks_casts(options, columns, expected):
    assert source_predicate(options, columns) == expected


def test_invalid_source_predicate_fails_the_run():
    with pytest.raises(RunFailed, match="pushDownPredicate"):
        source_predicate({"pushDownPredicate": "c2 == == '0'"}, [("c2", "string")])


def test_dataset_with_predicate_reads_a_subquery():
    data = Dataset("db", "t", [("a", "int")], dt.datetime(2024, 1, 1), lambda sql: [], predicate="(a = 1)")
    assert data.relation == 'SELECT * FROM "db"."t" WHERE (a = 1)'.join("()")
    assert Dataset("db", "t", [], dt.datetime(2024, 1, 1), lambda sql: []).relation == '"db"."t"'


def test_recommendation_is_valid_dqdl_from_the_statistics():
    answers = {
        # count(*), then per column count, count distinct, and the kind's statistics
        "stats": [["20", "20", "20", "1", "20", "5.766", "20", "16", "5", "5", "15", "1", "1", "1"]],
        "cats": [["Y"]],
    }
    asked = []

    def run_sql(sql: str):
        asked.append(sql)
        return answers["stats"] if "count(*)" in sql else answers["cats"]

    data = Dataset("db", "t", [("id", "bigint"), ("code", "string"), ("flag", "string")], dt.datetime(2024, 1, 1),
                   run_sql)
    text = recommend(data)
    assert len(parse_ruleset(text).rules) == 10
    assert text.splitlines() == [
        "Rules = [", "    RowCount between 10 and 40,", '    IsComplete "id",', '    Uniqueness "id" > 0.95,',
        '    ColumnValues "id" >= 0,', '    ColumnValues "id" <= 20,',
        '    StandardDeviation "id" between 5.47 and 6.06,', '    IsComplete "code",', '    ColumnLength "code" = 5,',
        '    Completeness "flag" >= 0.56,', '    ColumnValues "flag" in ["Y", NULL]', "]"]
    assert len(asked) == 2  # one pass for the statistics, one for the categorical column's values


def test_empty_table_recommends_no_rows():
    data = Dataset("db", "t", [("id", "bigint")], dt.datetime(2024, 1, 1),
                   lambda sql: [["0", "0", "0", None, None, None]])
    assert recommend(data) == "Rules = [\n    RowCount = 0\n]"


def test_version_1_store_gains_recommendation_and_column_statistics_runs(tmp_path):
    path = tmp_path / "data_quality.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE rulesets (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, "
                   "PRIMARY KEY (catalog, name))")
        db.execute("CREATE TABLE runs (catalog TEXT NOT NULL, run_id TEXT NOT NULL, started TEXT NOT NULL, "
                   "status TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, run_id))")
        db.execute("CREATE TABLE results (catalog TEXT NOT NULL, result_id TEXT NOT NULL, started TEXT NOT NULL, "
                   "doc TEXT NOT NULL, PRIMARY KEY (catalog, result_id))")
        db.execute("PRAGMA user_version=1")
    store = DataQualityStore(path)
    try:
        run = {"RunId": "dqrun-1", "Status": "SUCCEEDED", "StartedOn": dt.datetime(2024, 1, 1)}
        with store.write() as db:
            store.put_run(db, "us-east-1:000000000000", run, "recommendation_runs")
        assert store.run("us-east-1:000000000000", "dqrun-1", "recommendation_runs")["Status"] == "SUCCEEDED"
        assert store.run("us-east-1:000000000000", "dqrun-1") is None
        assert store.stats_runs("us-east-1:000000000000") == []   # version 3's column statistics runs
    finally:
        store.close()
