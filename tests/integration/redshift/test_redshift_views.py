"""Materialized views (CREATE, REFRESH, DROP) and late-binding views, over the cluster's endpoint."""

from __future__ import annotations

import pytest
from redshift_helpers import connect, run_sql


def test_a_materialized_view_keeps_its_rows_until_refreshed(redshift, cluster):
    run_sql(redshift, "create table orders (customer varchar(10), amount int)",
            "insert into orders values ('ana', 10), ('bia', 5)",
            "create materialized view customer_totals backup no distkey(customer) sortkey(customer) "
            "auto refresh no as select customer, sum(amount) as total from orders group by customer")
    assert run_sql(redshift, "select * from customer_totals order by customer") == [["ana", 10], ["bia", 5]]
    run_sql(redshift, "insert into orders values ('ana', 7), ('caio', 1)")
    assert run_sql(redshift, "select * from customer_totals order by customer") == [["ana", 10], ["bia", 5]]
    run_sql(redshift, "refresh materialized view customer_totals")
    assert run_sql(redshift, "select * from customer_totals order by customer") == [
        ["ana", 17], ["bia", 5], ["caio", 1]]


def test_refresh_inside_a_rolled_back_transaction_changes_nothing(redshift, cluster):
    run_sql(redshift, "create table t (a int)", "insert into t values (1)",
            "create materialized view c as select count(*) as n from t")
    conn = connect(redshift)
    try:
        cursor = conn.cursor()
        cursor.execute("insert into t values (2)")
        cursor.execute("refresh materialized view c")
        cursor.execute("select n from c")
        assert cursor.fetchall()[0][0] == 2
        conn.rollback()
    finally:
        conn.close()
    assert run_sql(redshift, "select n from c") == [[1]]


def test_materialized_view_errors(redshift, cluster):
    import redshift_connector

    run_sql(redshift, "create table t (a int)", "create materialized view c as select count(*) as n from t")
    cases = [("create materialized view c as select 1", "42P07"),
             ("refresh materialized view nothing", "42P01"),
             ("drop materialized view nothing", "42P01"),
             ("create materialized view d as delete from t", "42601")]
    for sql, sqlstate in cases:
        with pytest.raises(redshift_connector.ProgrammingError) as error:
            run_sql(redshift, sql)
        assert error.value.args[0]["C"] == sqlstate, sql
    run_sql(redshift, "drop materialized view if exists nothing", "drop materialized view c")
    with pytest.raises(redshift_connector.ProgrammingError):
        run_sql(redshift, "select * from c")


def test_late_binding_view_reads_a_table_made_after_it(redshift, cluster):
    run_sql(redshift, "create table sales_v1 (id int)", "insert into sales_v1 values (1)",
            "create view sales_all as select id from public.sales_v1 with no schema binding")
    run_sql(redshift, "drop table sales_v1", "create table sales_v1 (id int, note varchar(5))",
            "insert into sales_v1 values (2, 'x'), (3, 'y')")
    assert run_sql(redshift, "select id from sales_all order by id") == [[2], [3]]
