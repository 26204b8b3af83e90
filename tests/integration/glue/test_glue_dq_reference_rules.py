"""Glue Data Quality rules that compare the evaluated table with reference datasets named by the run's
AdditionalDataSources (ReferentialIntegrity, DatasetMatch, SchemaMatch, AggregateMatch, RowCountMatch),
judged from the tables' real data."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from crawler_helpers import ROLE, make_s3
from data_quality_helpers import evaluated, glue_source, outcomes, parquet_table, wait_for_run
from glue_helpers import error_of, make_glue

DB = "dqref"
ORDER_COLUMNS = [("order_id", "bigint"), ("customer_id", "bigint"), ("amount", "double"), ("status", "string")]
#: Customer 99 is not a known customer; order 4's amount differs in the copy (40 here, 45 there).
ORDERS = {"order_id": [1, 2, 3, 4], "customer_id": [10, 20, 30, 99], "amount": [10.0, 20.0, 30.0, 40.0],
          "status": ["NEW", "NEW", "SHIPPED", "LOST"]}
COPY = {**ORDERS, "amount": [10.0, 20.0, 30.0, 45.0]}
CUSTOMERS = {"customer_id": [10, 20, 30, 40], "name": ["ann", "bob", "cid", "dee"]}
#: The same columns as orders, but amount is a string.
ORDERS_V2_COLUMNS = [("order_id", "bigint"), ("customer_id", "bigint"), ("amount", "string"), ("status", "string")]
SOURCES = {"customers": glue_source(DB, "customers"), "copy": glue_source(DB, "orders_copy"),
           "v2": glue_source(DB, "orders_v2"), "pair": glue_source(DB, "pair")}


@pytest.fixture
def glue(lakebox_server):
    endpoint = lakebox_server.endpoint_url
    make_s3(endpoint).create_bucket(Bucket="lake")
    client = make_glue(endpoint)
    client.create_database(DatabaseInput={"Name": DB})
    parquet_table(endpoint, client, DB, "orders", ORDER_COLUMNS, ORDERS)
    parquet_table(endpoint, client, DB, "orders_copy", ORDER_COLUMNS, COPY)
    parquet_table(endpoint, client, DB, "orders_v2", ORDERS_V2_COLUMNS,
                  {**ORDERS, "amount": ["10", "20", "30", "40"]})
    parquet_table(endpoint, client, DB, "customers", [("customer_id", "bigint"), ("name", "string")], CUSTOMERS)
    parquet_table(endpoint, client, DB, "pair", ORDER_COLUMNS, {k: v[:2] for k, v in ORDERS.items()})
    return client


def _judge(glue, *rules: str) -> dict:
    glue.create_data_quality_ruleset(Name="reference-checks", Ruleset="Rules = [ " + ", ".join(rules) + " ]")
    return evaluated(glue, DB, "orders", "reference-checks", AdditionalDataSources=SOURCES)


def test_referential_integrity_is_the_share_of_rows_whose_values_the_reference_has(glue):
    result = _judge(glue,
                    'ReferentialIntegrity "customer_id" "customers.customer_id" >= 0.7',
                    'ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0',
                    'ReferentialIntegrity "order_id,customer_id" "copy.{order_id,customer_id}" = 1.0',
                    'ReferentialIntegrity "customer_id" "dqref.customers.customer_id" > 0.5',
                    'ReferentialIntegrity "nope" "customers.customer_id" > 0.5',
                    'ReferentialIntegrity "customer_id" "unknown.customer_id" > 0.5')

    assert outcomes(result) == [
        ("PASS", {"Column.customers.ReferentialIntegrity": 0.75}, ""),
        ("FAIL", {"Column.customers.ReferentialIntegrity": 0.75},
         "Value: 0.75 does not meet the constraint requirement."),
        ("PASS", {"Column.copy.ReferentialIntegrity": 1.0}, ""),
        # the Data Catalog's form: the reference is <database>.<table>
        ("PASS", {"Column.dqref.customers.ReferentialIntegrity": 0.75}, ""),
        ("FAIL", {}, "Column nope does not exist in primary data frame."),
        ("FAIL", {}, "unknown not found in additional sources"),
    ]
    assert result["Score"] == pytest.approx(3 / 6)


def test_dataset_match_joins_on_the_keys_and_compares_the_other_columns(glue):
    result = _judge(glue,
                    'DatasetMatch "copy" "order_id" = 0.75',
                    'DatasetMatch "copy" "order_id" >= 0.9',
                    'DatasetMatch "copy" "order_id" "status" = 1.0',
                    'DatasetMatch "copy" "order_id->order_id,customer_id->customer_id" "amount->amount" < 1',
                    'DatasetMatch "pair" "order_id" = 0.5',
                    'DatasetMatch "copy" "status" > 0.5',
                    'DatasetMatch "customers" "customer_id" > 0.5')

    found = outcomes(result)
    assert found[:5] == [
        ("PASS", {"Dataset.copy.DatasetMatch": 0.75}, ""),
        ("FAIL", {"Dataset.copy.DatasetMatch": 0.75}, "Value: 0.75 does not meet the constraint requirement."),
        ("PASS", {"Dataset.copy.DatasetMatch": 1.0}, ""),
        ("PASS", {"Dataset.copy.DatasetMatch": 0.75}, ""),
        # only 2 of the 4 orders are in the pair
        ("PASS", {"Dataset.pair.DatasetMatch": 0.5}, ""),
    ]
    assert found[5][:2] == ("FAIL", {})
    assert found[5][2].startswith("The selected columns are not comparable due to duplicates present in the dataset.")
    assert "in Dataframe 1, there are 3 unique records and 4 rows" in found[5][2]
    assert found[6] == ("FAIL", {}, "Non key columns in the given data frames do not match.")


def test_schema_match_compares_column_names_and_types(glue):
    result = _judge(glue, 'SchemaMatch "copy" = 1.0', 'SchemaMatch "v2" = 1.0', 'SchemaMatch "v2" between 0.7 and 0.8',
                    'SchemaMatch "customers" = 1.0', 'SchemaMatch "nope" = 1.0')

    assert outcomes(result) == [
        ("PASS", {"Dataset.copy.SchemaMatch": 1.0}, ""),
        ("FAIL", {"Dataset.v2.SchemaMatch": 0.75}, "75.00% of columns passed the threshold"),
        ("PASS", {"Dataset.v2.SchemaMatch": 0.75}, ""),
        ("FAIL", {"Dataset.customers.SchemaMatch": 0.0}, "Column counts do not match"),
        ("FAIL", {}, "Reference dataset 'nope' not found"),
    ]


def test_aggregate_match_is_the_ratio_of_two_aggregates(glue):
    result = _judge(glue,
                    'AggregateMatch "sum(amount)" "sum(copy.amount)" >= 0.9',
                    'AggregateMatch "sum(amount)" "sum(copy.amount)" = 1.0',
                    'AggregateMatch "avg(amount)" "avg(primary.amount)" = 1.0',
                    'AggregateMatch "sum(amount)" "sum(customers.customer_id)" = 1.0',
                    'AggregateMatch "sum(amount)" "sum(nope.amount)" = 1.0',
                    'AggregateMatch "count(amount)" "sum(amount)" = 1.0')

    found = outcomes(result)
    ratio = 100.0 / 105.0
    assert found[0] == ("PASS", {"Column.amount.AggregateMatch": pytest.approx(ratio)}, "")
    assert found[1][:2] == ("FAIL", {"Column.amount.AggregateMatch": pytest.approx(ratio)})
    assert found[1][2] == f"Value: {ratio!r} does not meet the constraint requirement."
    assert found[2] == ("PASS", {"Column.amount.AggregateMatch": 1.0}, "")
    assert found[3] == ("PASS", {"Column.amount,customer_id.AggregateMatch": 1.0}, "")  # 100 / (10+20+30+40)
    assert found[4] == ("FAIL", {}, "nope not found in additional sources")
    assert found[5][0] == "ERROR" and "sum(col) or avg(col)" in found[5][2]


def test_row_count_match_is_the_ratio_of_row_counts(glue):
    result = _judge(glue, 'RowCountMatch "customers" = 1.0', 'RowCountMatch "pair" = 2.0',
                    'RowCountMatch "pair" <= 1.0', 'RowCountMatch "nope" = 1.0')

    assert outcomes(result) == [
        ("PASS", {"Dataset.customers.RowCountMatch": 1.0}, ""),
        ("PASS", {"Dataset.pair.RowCountMatch": 2.0}, ""),
        ("FAIL", {"Dataset.pair.RowCountMatch": 2.0}, "Value: 2.0 does not meet the constraint requirement."),
        ("FAIL", {}, "Reference dataset 'nope' not found in additional data sources"),
    ]


def test_reference_rules_inside_composite_rules(glue):
    result = _judge(glue, '(RowCountMatch "customers" = 1.0) and (SchemaMatch "copy" = 1.0)',
                    '(ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0) or (RowCount = 4)')

    assert outcomes(result) == [
        ("PASS", {"Dataset.customers.RowCountMatch": 1.0, "Dataset.copy.SchemaMatch": 1.0}, ""),
        ("PASS", {"Column.customers.ReferentialIntegrity": 0.75, "Dataset.*.RowCount": 4.0}, ""),
    ]


def test_start_with_a_missing_additional_data_source_table_is_entity_not_found(glue):
    glue.create_data_quality_ruleset(Name="ri", Ruleset='Rules = [ RowCountMatch "other" = 1.0 ]')
    with pytest.raises(ClientError) as exc:
        glue.start_data_quality_ruleset_evaluation_run(
            DataSource=glue_source(DB, "orders"), Role=ROLE, RulesetNames=["ri"],
            AdditionalDataSources={"other": glue_source(DB, "missing")})
    assert error_of(exc)[:2] == (400, "EntityNotFoundException")


def test_the_run_keeps_its_additional_data_sources(glue):
    glue.create_data_quality_ruleset(Name="rc", Ruleset='Rules = [ RowCountMatch "customers" = 1.0 ]')
    run_id = glue.start_data_quality_ruleset_evaluation_run(
        DataSource=glue_source(DB, "orders"), Role=ROLE, RulesetNames=["rc"],
        AdditionalDataSources={"customers": SOURCES["customers"]})["RunId"]
    run = wait_for_run(glue, run_id)
    assert run["Status"] == "SUCCEEDED"
    assert run["AdditionalDataSources"] == {"customers": SOURCES["customers"]}
