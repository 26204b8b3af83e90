"""Partition projection: enum, integer, date and injected keys, storage.location.template, pruning on
the WHERE clause before any folder is listed, and the catalog's partitions ignored. Expected answers
come from the rows written (plain Python) and from the folders that exist."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engine_helpers import ACCOUNT, PARQUET, REGION, engine_on_empty_database

from lakebox.engines.sql import projection
from lakebox.engines.sql.engine import QueryError
from lakebox.engines.sql.projection import KeyConjunct
from lakebox.engines.sql.projection_dates import JavaDateFormat


@pytest.fixture
def env(tmp_path):
    yield from engine_on_empty_database(tmp_path)


def write_rows(tmp_path, relative, ids):
    folder = tmp_path / "s3" / "lake" / relative
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"id": pa.array(ids, pa.int64())}), folder / "part-0.parquet")


def add_table(catalog, name, keys, params, location=None):
    catalog.create_table(ACCOUNT, REGION, "d", {
        "Name": name, "Parameters": {"projection.enabled": "true", **params},
        "PartitionKeys": [{"Name": k, "Type": t} for k, t in keys],
        "StorageDescriptor": {**PARQUET, "Location": location or f"s3://lake/{name}/",
                              "Columns": [{"Name": "id", "Type": "bigint"}]}})


def test_enum_and_integer_keys_with_default_hive_layout(env):
    tmp_path, catalog, engine = env
    written = {}
    for region in ("eu", "us"):
        for shard in ("01", "03"):
            ids = [hash((region, shard)) % 1000 + i for i in range(3 if region == "eu" else 2)]
            write_rows(tmp_path, f"ev/region={region}/shard={shard}", ids)
            written[(region, shard)] = ids
    add_table(catalog, "ev", [("region", "string"), ("shard", "int")],
              {"projection.region.type": "enum", "projection.region.values": "eu,us,ap",
               "projection.shard.type": "integer", "projection.shard.range": "1,4", "projection.shard.digits": "2"})
    outcome = engine.execute("SELECT region, shard, count(*) FROM ev GROUP BY region, shard ORDER BY 1, 2", "d")
    assert outcome.rows == [[r, str(int(s)), str(len(ids))] for (r, s), ids in sorted(written.items())]
    full = outcome.data_scanned_bytes
    one = engine.execute("SELECT count(*) FROM ev WHERE region = 'eu' AND shard = 3", "d")
    assert one.rows == [[str(len(written[("eu", "03")]))]]
    assert 0 < one.data_scanned_bytes < full


def test_catalog_partitions_are_ignored_when_projection_is_enabled(env):
    tmp_path, catalog, engine = env
    write_rows(tmp_path, "ev/region=eu", [1, 2])
    write_rows(tmp_path, "elsewhere", [9, 9, 9])
    add_table(catalog, "ev", [("region", "string")], {"projection.region.type": "enum",
                                                      "projection.region.values": "eu"})
    catalog.batch_create_partition(ACCOUNT, REGION, "d", "ev", [
        {"Values": ["xx"], "StorageDescriptor": {**PARQUET, "Location": "s3://lake/elsewhere/"}}])
    assert engine.execute("SELECT region, count(*) FROM ev GROUP BY region", "d").rows == [["eu", "2"]]


def test_date_key_with_template_and_relative_range(env):
    tmp_path, catalog, engine = env
    today = dt.datetime.now(dt.timezone.utc).date()
    days = [today - dt.timedelta(days=n) for n in (0, 1, 5)]
    for n, day in enumerate(days):
        write_rows(tmp_path, f"logs/{day:%Y/%m/%d}", list(range(n + 1)))
    add_table(catalog, "logs", [("day", "string")], {
        "projection.day.type": "date", "projection.day.format": "yyyy/MM/dd", "projection.day.range": "NOW-3DAYS,NOW",
        "storage.location.template": "s3://lake/logs/${day}/"})
    outcome = engine.execute("SELECT day, count(*) FROM logs GROUP BY day ORDER BY day", "d")
    # The day five days ago is outside NOW-3DAYS,NOW: its folder exists but is not projected.
    assert outcome.rows == sorted([[f"{day:%Y/%m/%d}", str(n + 1)] for n, day in enumerate(days[:2])])
    recent = engine.execute(f"SELECT count(*) FROM logs WHERE day >= '{days[0]:%Y/%m/%d}'", "d")
    assert recent.rows == [["1"]]


def test_date_key_typed_as_date_compares_as_a_date(env):
    tmp_path, catalog, engine = env
    write_rows(tmp_path, "t/dt=2024-02-28", [1])
    write_rows(tmp_path, "t/dt=2024-03-01", [2, 3])
    add_table(catalog, "t", [("dt", "date")], {"projection.dt.type": "date", "projection.dt.format": "yyyy-MM-dd",
                                               "projection.dt.range": "2024-01-01,2024-12-31"})
    outcome = engine.execute("SELECT dt, sum(id) FROM t WHERE dt > DATE '2024-02-28' GROUP BY dt", "d")
    assert outcome.rows == [["2024-03-01", "5"]]
    assert outcome.columns[0]["Type"] == "date"


def test_injected_key_reads_the_equality_values(env):
    tmp_path, catalog, engine = env
    write_rows(tmp_path, "dev/a1", [1, 2])
    write_rows(tmp_path, "dev/b2", [3])
    write_rows(tmp_path, "dev/c3", [4, 5, 6])
    add_table(catalog, "dev", [("device", "string")], {"projection.device.type": "injected",
                                                       "storage.location.template": "s3://lake/dev/${device}"})
    one = engine.execute("SELECT device, count(*) FROM dev WHERE device = 'a1' GROUP BY device", "d")
    assert one.rows == [["a1", "2"]]
    several = engine.execute("SELECT device, count(*) FROM dev WHERE device IN ('b2', 'c3', 'zz') "
                             "GROUP BY device ORDER BY device", "d")
    assert several.rows == [["b2", "1"], ["c3", "3"]]
    assert 0 < one.data_scanned_bytes < several.data_scanned_bytes


@pytest.mark.parametrize("where", ["", "WHERE device LIKE 'a%'", "WHERE id = 1"])
def test_injected_key_without_equality_is_constraint_violation(env, where):
    _, catalog, engine = env
    add_table(catalog, "dev", [("device", "string")], {"projection.device.type": "injected"})
    with pytest.raises(QueryError) as exc:
        engine.execute(f"SELECT count(*) FROM dev {where}", "d")
    assert exc.value.message == ("CONSTRAINT_VIOLATION: For the injected projected partition column device, the "
                                 "WHERE clause must contain only static equality conditions, and at least one "
                                 "such condition must be present.")


def test_hourly_range_over_years_is_pruned_per_key_before_combining():
    con = duckdb.connect()
    table = {"Name": "t", "StorageDescriptor": {"Location": "s3://lake/t/"}, "Parameters": {
        "projection.enabled": "true",
        "projection.hour.type": "date", "projection.hour.format": "yyyy/MM/dd/HH",
        "projection.hour.range": "2015/01/01/00,2024/12/31/23", "projection.hour.interval.unit": "HOURS",
        "projection.kind.type": "enum", "projection.kind.values": ",".join(f"k{i}" for i in range(200)),
        "storage.location.template": "s3://lake/t/${kind}/${hour}/"}}
    conjuncts = [KeyConjunct(frozenset(["hour"]), "\"hour\" BETWEEN '2020/02/29/22' AND '2020/03/01/01'"),
                 KeyConjunct(frozenset(["kind"]), "\"kind\" IN ('k1', 'k7')")]
    found = projection.partitions(con, table, [("kind", "VARCHAR"), ("hour", "VARCHAR")], conjuncts)
    # 10 years by hour times 200 kinds is 17.5 million combinations; only 2 x 4 are built.
    assert [p["Values"] for p in found] == [[k, h] for k in ("k1", "k7") for h in
                                           ("2020/02/29/22", "2020/02/29/23", "2020/03/01/00", "2020/03/01/01")]
    assert found[0]["StorageDescriptor"]["Location"] == "s3://lake/t/k1/2020/02/29/22/"
    with pytest.raises(QueryError) as exc:
        projection.partitions(con, table, [("kind", "VARCHAR"), ("hour", "VARCHAR")], [])
    assert exc.value.error_type == "HIVE_EXCEEDED_PARTITION_LIMIT"


def test_multi_key_conjuncts_filter_the_combinations():
    con = duckdb.connect()
    table = {"Name": "t", "StorageDescriptor": {"Location": "s3://lake/t"}, "Parameters": {
        "projection.a.type": "integer", "projection.a.range": "0,9", "projection.a.interval": "3",
        "projection.b.type": "enum", "projection.b.values": "x,y"}}
    conjuncts = [KeyConjunct(frozenset(["a", "b"]), "\"a\" > 3 OR \"b\" = 'x'")]
    found = projection.partitions(con, table, [("a", "INTEGER"), ("b", "VARCHAR")], conjuncts)
    expected = [[str(a), b] for a in range(0, 10, 3) for b in "xy" if a > 3 or b == "x"]
    assert [p["Values"] for p in found] == expected
    assert found[0]["StorageDescriptor"]["Location"] == "s3://lake/t/a=0/b=x/"


def test_integer_digits_and_negative_values():
    table = {"Parameters": {"projection.n.type": "integer", "projection.n.range": "-2,2", "projection.n.digits": "3"}}
    found = projection.partitions(duckdb.connect(), table, [("n", "INTEGER")], [])
    assert [p["Values"][0] for p in found] == ["-002", "-001", "000", "001", "002"]


def test_date_months_interval_and_unit_inferred_from_format():
    table = {"Parameters": {"projection.m.type": "date", "projection.m.format": "yyyy-MM",
                            "projection.m.range": "2023-11,2024-03", "projection.m.interval": "2",
                            "projection.m.interval.unit": "MONTHS"}}
    found = projection.partitions(duckdb.connect(), table, [("m", "VARCHAR")], [])
    assert [p["Values"][0] for p in found] == ["2023-11", "2024-01", "2024-03"]
    table["Parameters"].pop("projection.m.interval.unit")
    table["Parameters"]["projection.m.interval"] = "1"
    found = projection.partitions(duckdb.connect(), table, [("m", "VARCHAR")], [])
    assert [p["Values"][0] for p in found] == ["2023-11", "2023-12", "2024-01", "2024-02", "2024-03"]


def test_relative_range_is_computed_from_now():
    now = dt.datetime(2024, 3, 31, 10, 30)
    table = {"Parameters": {"projection.d.type": "date", "projection.d.format": "yyyyMMdd",
                            "projection.d.range": "NOW-1MONTHS,NOW"}}
    found = projection.partitions(duckdb.connect(), table, [("d", "VARCHAR")], [], now=now)
    values = [p["Values"][0] for p in found]
    assert values[0] == "20240229" and values[-1] == "20240331" and len(values) == 32


def test_java_date_format_round_trips():
    for pattern, text in [("yyyy/MM/dd/HH", "2021/07/04/09"), ("yyyyMMdd", "20210704"),
                          ("yyyy-MM-dd'T'HH:mm:ss", "2021-07-04T09:08:07"), ("dd-MMM-yyyy", "04-Jul-2021")]:
        java = JavaDateFormat(pattern)
        assert java.format(java.parse(text)) == text
    assert JavaDateFormat("yyyy/MM/dd/HH").finest_unit() == "HOURS"
    assert JavaDateFormat("yyyy-MM").finest_unit() == "MONTHS"


def test_missing_projection_type_is_invalid_metadata(env):
    _, catalog, engine = env
    add_table(catalog, "bad", [("k", "string")], {})
    with pytest.raises(QueryError) as exc:
        engine.execute("SELECT * FROM bad", "d")
    assert exc.value.error_type == "HIVE_INVALID_METADATA"
    assert "projection.k.type" in exc.value.message


def test_minute_range_over_a_decade_enumerates_only_the_bounded_steps():
    con = duckdb.connect()
    table = {"Parameters": {"projection.ts.type": "date", "projection.ts.format": "yyyy-MM-dd-HH-mm",
                            "projection.ts.range": "2015-01-01-00-00,2024-12-31-23-59",
                            "projection.ts.interval": "5", "projection.ts.interval.unit": "MINUTES"}}
    # Ten years by five minutes is over a million values; the bounds keep three of them.
    bounded = [KeyConjunct(frozenset(["ts"]), "\"ts\" BETWEEN '2020-02-29-23-50' AND '2020-03-01-00-00'",
                           bounds=[(">=", "'2020-02-29-23-50'"), ("<=", "'2020-03-01-00-00'")])]
    found = projection.partitions(con, table, [("ts", "VARCHAR")], bounded)
    assert [p["Values"][0] for p in found] == ["2020-02-29-23-50", "2020-02-29-23-55", "2020-03-01-00-00"]
    exact = [KeyConjunct(frozenset(["ts"]), "\"ts\" = '2019-07-04-12-35'", equals=["'2019-07-04-12-35'"],
                         bounds=[("=", "'2019-07-04-12-35'")])]
    assert [p["Values"] for p in projection.partitions(con, table, [("ts", "VARCHAR")], exact)] == [
        ["2019-07-04-12-35"]]
    table["Parameters"]["projection.ts.interval"] = "1"  # 5.2 million minutes and no bound: refused
    with pytest.raises(QueryError) as exc:
        projection.partitions(con, table, [("ts", "VARCHAR")], [])
    assert exc.value.error_type == "HIVE_INVALID_METADATA"


def test_where_bounds_reach_the_projection_through_the_engine(env):
    tmp_path, catalog, engine = env
    write_rows(tmp_path, "m/2019-07-04-12-35", [1, 2])
    write_rows(tmp_path, "m/2019-07-04-12-40", [3])
    add_table(catalog, "m", [("ts", "string")], {
        "projection.ts.type": "date", "projection.ts.format": "yyyy-MM-dd-HH-mm",
        "projection.ts.range": "2000-01-01-00-00,2030-12-31-23-59", "projection.ts.interval.unit": "MINUTES",
        "storage.location.template": "s3://lake/m/${ts}/"})
    # 16 million minutes in the range: only the bounded ones are enumerated.
    outcome = engine.execute("SELECT ts, count(*) FROM m WHERE '2019-07-04-12-30' < ts AND ts <= '2019-07-04-12-40' "
                             "GROUP BY ts ORDER BY ts", "d")
    assert outcome.rows == [["2019-07-04-12-35", "2"], ["2019-07-04-12-40", "1"]]


def test_integer_range_of_billions_is_bounded_by_the_where_clause(env):
    tmp_path, catalog, engine = env
    write_rows(tmp_path, "big/n=7000000005", [1, 2])
    write_rows(tmp_path, "big/n=7000000010", [3])
    add_table(catalog, "big", [("n", "bigint")], {"projection.n.type": "integer", "projection.n.interval": "5",
                                                  "projection.n.range": "0,9000000000"})
    outcome = engine.execute("SELECT n, count(*) FROM big WHERE n > 7000000000 AND n <= 7000000010 "
                             "GROUP BY n ORDER BY n", "d")
    assert outcome.rows == [["7000000005", "2"], ["7000000010", "1"]]
    exact = engine.execute("SELECT count(*) FROM big WHERE n = 7000000010", "d")
    assert exact.rows == [["1"]]
    with pytest.raises(QueryError) as exc:
        engine.execute("SELECT count(*) FROM big", "d")
    assert exc.value.error_type == "HIVE_INVALID_METADATA"


def test_iso_date_key_typed_date_is_bounded_by_the_where_clause(env):
    tmp_path, catalog, engine = env
    write_rows(tmp_path, "days/dt=1999-12-31", [5])
    add_table(catalog, "days", [("dt", "date")], {"projection.dt.type": "date", "projection.dt.format": "yyyy-MM-dd",
                                                  "projection.dt.range": "0001-01-01,9999-12-31"})
    # 3.6 million days in the range: only the bounded one is enumerated.
    outcome = engine.execute("SELECT dt, sum(id) FROM days WHERE dt = DATE '1999-12-31' GROUP BY dt", "d")
    assert outcome.rows == [["1999-12-31", "5"]]
