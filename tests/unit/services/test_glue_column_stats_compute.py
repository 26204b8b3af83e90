"""The column statistics a task run computes: which Glue types get which statistics, the one aggregate
query, and the ColumnStatistics read back from the engine's answer (text, as Athena writes values)."""

from __future__ import annotations

import datetime as dt

import pytest

from lakebox.services.glue.column_stats_compute import column_statistics, statistics_kind, statistics_query

AT = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("glue_type, kind", [
    ("bigint", "LONG"), ("INT", "LONG"), ("smallint", "LONG"), ("tinyint", "LONG"), ("double", "DOUBLE"),
    ("float", "DOUBLE"), ("decimal(10,2)", "DECIMAL"), ("decimal", "DECIMAL"), ("date", "DATE"),
    ("string", "STRING"), ("varchar(20)", "STRING"), ("char(3)", "STRING"), ("binary", "BINARY"),
    ("boolean", "BOOLEAN"), ("timestamp", None), ("array<string>", None), ("struct<a:int>", None),
    ("map<string,int>", None),
])
def test_each_glue_type_has_the_statistics_of_its_shape(glue_type, kind):
    assert statistics_kind(glue_type) == kind


def test_the_query_measures_all_columns_at_once_and_samples_when_asked():
    columns = [("id", "bigint"), ("name", "string"), ("ok", "boolean"), ('odd"name', "binary")]
    assert statistics_query("shop", "orders", columns, 100.0) == (
        'SELECT count(*), count("id"), count(DISTINCT "id"), min("id"), max("id"), '
        'count("name"), max(length("name")), avg(length("name")), count(DISTINCT "name"), '
        'count("ok"), count_if("ok"), count_if(NOT "ok"), '
        'count("odd""name"), max(length("odd""name")), avg(length("odd""name")) FROM "shop"."orders"')
    assert statistics_query("shop", "orders", columns[:1], 12.5).endswith(' FROM "shop"."orders" TABLESAMPLE BERNOULLI (12.5)')


def test_statistics_are_read_back_by_type():
    columns = [("id", "bigint"), ("price", "decimal(10,2)"), ("day", "date"), ("empty", "double")]
    row = ["4", "3", "2", "1", "9", "3", "3", "-300.25", "99.99", "2", "2", "2023-12-31", "2024-03-01",
           "0", "0", None, None]
    stats = column_statistics(columns, row, AT)

    assert [s["ColumnName"] for s in stats] == ["id", "price", "day", "empty"]
    assert all(s["AnalyzedTime"] == AT for s in stats)
    assert stats[0]["StatisticsData"] == {"Type": "LONG", "LongColumnStatisticsData": {
        "NumberOfNulls": 1, "NumberOfDistinctValues": 2, "MinimumValue": 1, "MaximumValue": 9}}
    price = stats[1]["StatisticsData"]["DecimalColumnStatisticsData"]
    assert price["MinimumValue"] == {"UnscaledValue": b"\x8a\xb7", "Scale": 2}   # -30025
    assert price["MaximumValue"] == {"UnscaledValue": b"\x27\x0f", "Scale": 2}   # 9999
    day = stats[2]["StatisticsData"]["DateColumnStatisticsData"]
    assert day["MinimumValue"] == dt.datetime(2023, 12, 31, tzinfo=dt.timezone.utc)
    assert stats[3]["StatisticsData"] == {"Type": "DOUBLE", "DoubleColumnStatisticsData": {
        "NumberOfNulls": 4, "NumberOfDistinctValues": 0}}   # all NULL: no minimum or maximum


@pytest.mark.parametrize("value, scale, unscaled", [
    ("0.00", 2, b"\x00"), ("1.27", 2, b"\x7f"), ("1.28", 2, b"\x00\x80"), ("-1.28", 2, b"\x80"),
    ("-1.29", 2, b"\xff\x7f"), ("12", 0, b"\x0c"),
])
def test_decimal_unscaled_values_are_minimal_big_endian_twos_complement(value, scale, unscaled):
    stats = column_statistics([("d", f"decimal(10,{scale})")], ["1", "1", "1", value, value], AT)
    assert stats[0]["StatisticsData"]["DecimalColumnStatisticsData"]["MinimumValue"]["UnscaledValue"] == unscaled
