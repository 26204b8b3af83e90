"""How DDL results come back through GetQueryResults: Athena lists the statement's columns in
ColumnInfo but answers each line of the `.txt` result as a single value (pyathena's suite records
DESCRIBE from the real service as one tab-joined, 20-character-padded string per column)."""

from __future__ import annotations

from athena_helpers import make_client
from client_helpers import DATABASE, OUTPUT, create_sales_table, run


def _rows(athena, execution: dict) -> tuple[list[str], list[list[str]]]:
    result = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["ResultSet"]
    names = [c["Name"] for c in result["ResultSetMetadata"]["ColumnInfo"]]
    return names, [[d.get("VarCharValue") for d in row["Data"]] for row in result["Rows"]]


def test_describe_lists_three_columns_and_answers_one_value_per_line(lakebox_server):
    create_sales_table(lakebox_server.endpoint_url)
    athena = make_client("athena", lakebox_server.endpoint_url)
    execution = run(athena, f"DESCRIBE {DATABASE}.sales")
    names, rows = _rows(athena, execution)
    assert names == ["col_name", "data_type", "comment"]
    assert rows[0] == ["id".ljust(20) + "\t" + "bigint".ljust(20) + "\t" + " " * 20]
    assert rows[3] == ["price".ljust(20) + "\t" + "decimal(10,2)".ljust(20) + "\t" + " " * 20]
    assert all(len(row) == 1 for row in rows)
    assert "# Partition Information" in [row[0] for row in rows]
    # The .txt file holds the same lines.
    s3 = make_client("s3", lakebox_server.endpoint_url)
    bucket, key = execution["ResultConfiguration"]["OutputLocation"][len("s3://"):].split("/", 1)
    assert key.endswith(".txt") and OUTPUT.startswith(f"s3://{bucket}/")
    text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    assert text.splitlines() == [row[0] for row in rows]


def test_show_tblproperties_lines_are_single_values(lakebox_server):
    create_sales_table(lakebox_server.endpoint_url)
    athena = make_client("athena", lakebox_server.endpoint_url)
    _, rows = _rows(athena, run(athena, f"SHOW TBLPROPERTIES {DATABASE}.sales"))
    assert ["EXTERNAL\tTRUE"] in rows
    assert all(len(row) == 1 for row in rows)
