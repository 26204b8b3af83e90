"""Partition pruning through views: a WHERE on a view's column that maps to a partition key of the
table under a simple view scans only the matching partitions, as a query on the table itself does.
Row answers come from the data written (plain Python); DataScannedInBytes is compared with that of a
direct query on the table that reads the same columns (on Parquet only the columns read count)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engine_helpers import ACCOUNT, PARQUET, REGION, Lake, new_catalog

from lakebox.engines.sql.engine import SqlEngine

AMOUNTS = {"01": [1.0, 2.0, 3.0], "02": [10.0, 20.0], "03": [100.0]}


@pytest.fixture
def engine(tmp_path):
    catalog = new_catalog(tmp_path)
    catalog.create_database(ACCOUNT, REGION, {"Name": "d"})
    for month, amounts in AMOUNTS.items():
        folder = tmp_path / "s3" / "lake" / "orders" / f"month={month}"
        folder.mkdir(parents=True)
        pq.write_table(pa.table({"amount": amounts, "status": ["ok"] * len(amounts)}), folder / "p.parquet")
    catalog.create_table(ACCOUNT, REGION, "d", {
        "Name": "orders", "PartitionKeys": [{"Name": "month", "Type": "string"}],
        "StorageDescriptor": {**PARQUET, "Location": "s3://lake/orders/",
                              "Columns": [{"Name": "amount", "Type": "double"}, {"Name": "status", "Type": "string"}]}})
    catalog.batch_create_partition(ACCOUNT, REGION, "d", "orders", [
        {"Values": [m], "StorageDescriptor": {**PARQUET, "Location": f"s3://lake/orders/month={m}/"}} for m in AMOUNTS])
    sql_engine = SqlEngine(Lake(str(tmp_path)), catalog, ACCOUNT, REGION)
    yield sql_engine
    catalog.glue.close()


def scanned(engine, sql):
    outcome = engine.execute(sql, "d")
    return outcome.rows, outcome.data_scanned_bytes


@pytest.mark.parametrize("view_sql, column, direct_sql", [
    ("SELECT * FROM orders", "month", "SELECT count(*) FROM orders WHERE month = '02'"),
    ("SELECT amount, month AS m FROM orders WHERE status = 'ok'", "m",
     "SELECT count(amount) FROM orders WHERE month = '02' AND status = 'ok'"),
    ("SELECT o.amount * 2 AS doubled, o.month FROM orders o", "month",
     "SELECT count(amount) FROM orders WHERE month = '02'"),
])
def test_where_on_simple_view_prunes_partitions(engine, view_sql, column, direct_sql):
    engine.execute(f"CREATE VIEW v AS {view_sql}", "d")
    direct_rows, direct_bytes = scanned(engine, direct_sql)
    rows, view_bytes = scanned(engine, f"SELECT count(*) FROM v WHERE {column} = '02'")
    _, full_bytes = scanned(engine, "SELECT count(*) FROM v")
    assert rows == direct_rows == [[str(len(AMOUNTS["02"]))]]
    assert view_bytes == direct_bytes
    assert 0 < view_bytes < full_bytes


def test_view_over_view_prunes_and_qualified_columns_count(engine):
    engine.execute("CREATE VIEW v1 AS SELECT amount, month FROM orders", "d")
    engine.execute("CREATE VIEW v2 AS SELECT * FROM v1 WHERE amount > 0", "d")
    rows, view_bytes = scanned(engine, "SELECT sum(x.amount) FROM v2 x WHERE x.month IN ('01', '03')")
    _, direct_bytes = scanned(engine, "SELECT sum(amount) FROM orders WHERE month IN ('01', '03')")
    assert rows == [[repr(sum(AMOUNTS["01"]) + sum(AMOUNTS["03"]))]]
    assert view_bytes == direct_bytes


def test_aggregating_view_is_not_pruned_but_answers_correctly(engine):
    engine.execute("CREATE VIEW totals AS SELECT month, sum(amount) AS total FROM orders GROUP BY month", "d")
    rows, view_bytes = scanned(engine, "SELECT total FROM totals WHERE month = '02'")
    _, full_bytes = scanned(engine, "SELECT month, sum(amount) FROM orders GROUP BY month")
    assert rows == [[repr(sum(AMOUNTS["02"]))]]
    assert view_bytes == full_bytes


def test_limit_view_keeps_its_semantics(engine):
    engine.execute("CREATE VIEW firstrows AS SELECT amount, month FROM orders ORDER BY amount LIMIT 2", "d")
    rows, _ = scanned(engine, "SELECT count(*) FROM firstrows WHERE month = '02'")
    # The two smallest amounts are both in month 01: filtering before the LIMIT would wrongly find rows.
    assert rows == [["0"]]
