"""TPC-H's 22 queries through the boto3 Athena API on a real lakebox, checked against DuckDB.

SF 0.1 data comes from tools/tpch_gen.py, goes into a bucket through S3, and becomes tables through
Athena DDL (`CREATE EXTERNAL TABLE ... STORED AS PARQUET LOCATION`). Each query's Trino text
(tests/tpch/queries/qNN.sql) runs through StartQueryExecution; its VarCharValue rows, decoded by
the ColumnInfo types, must equal what DuckDB answers on the same local files (from qNN.duckdb.sql
where DuckDB cannot take the Trino text). The reference never goes through lakebox's translator.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from athena_helpers import make_client, wait_for

from lakebox.testing import running_lakebox

REPO = Path(__file__).resolve().parents[3]
QUERIES = REPO / "tests" / "tpch" / "queries"
SCALE = 0.1
BUCKET = "tpch"
OUTPUT = "s3://tpch-results/queries/"
QUERY_NUMBERS = [f"q{n:02d}" for n in range(1, 23)]
RELATIVE_TOLERANCE = Decimal("1e-6")
# Athena's result types, by Trino's rules: sum(decimal(p,s)) is decimal(38,s), avg keeps the type, and
# + - * / follow Trino's precision/scale formulas (`1 - l_discount` is decimal(16,2); a quotient takes the
# larger scale). A bare literal with a point (q14's 100.00, q17's 7.0) is a double in Athena, and so is
# arithmetic with one. Keys and sizes are declared bigint.
V, B, DATE = "varchar", "bigint", "date"
EXPECTED_TYPES = {
    "q01": [V, V, "decimal(38,2)", "decimal(38,2)", "decimal(38,4)", "decimal(38,6)", "decimal(15,2)",
            "decimal(15,2)", "decimal(15,2)", B],
    "q02": ["decimal(15,2)", V, V, B, V, V, V, V],
    "q03": [B, "decimal(38,4)", DATE, B],
    "q04": [V, B],
    "q05": [V, "decimal(38,4)"],
    "q06": ["decimal(38,4)"],
    "q07": [V, V, B, "decimal(38,4)"],
    "q08": [B, "decimal(38,4)"],
    "q09": [V, B, "decimal(38,4)"],
    "q10": [B, V, "decimal(38,4)", "decimal(15,2)", V, V, V, V],
    "q11": [B, "decimal(38,2)"],
    "q12": [V, B, B],
    "q13": [B, B],
    "q14": ["double"],
    "q15": [B, V, V, V, "decimal(38,4)"],
    "q16": [V, V, B, B],
    "q17": ["double"],
    "q18": [V, B, B, DATE, "decimal(15,2)", "decimal(38,2)"],
    "q19": ["decimal(38,4)"],
    "q20": [V, V],
    "q21": [V, B],
    "q22": [V, B, "decimal(38,2)"],
}
ARROW_TO_HIVE = {"int64": "bigint", "int32": "int", "string": "string", "date32[day]": "date",
                 "decimal128(15, 2)": "decimal(15,2)"}


def _load_generator():
    spec = importlib.util.spec_from_file_location("tpch_gen", REPO / "tools" / "tpch_gen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tpch_files(tmp_path_factory) -> dict[str, Path]:
    return _load_generator().generate(SCALE, tmp_path_factory.mktemp("tpch-sf0.1"))


@pytest.fixture(scope="module")
def tpch_athena(tpch_files, tmp_path_factory):
    """One server for all 22 queries: the data uploaded once and the tables created through DDL."""
    with running_lakebox(tmp_path_factory.mktemp("lakebox-tpch"), set_env=False) as server:
        s3 = make_client("s3", server.endpoint_url)
        athena = make_client("athena", server.endpoint_url)
        s3.create_bucket(Bucket=BUCKET)
        s3.create_bucket(Bucket="tpch-results")
        for table, folder in tpch_files.items():
            s3.upload_file(str(folder / "data.parquet"), BUCKET, f"{table}/data.parquet")
        _run(athena, "CREATE DATABASE tpch")
        for table, folder in tpch_files.items():
            _run(athena, _create_table_ddl(table, folder / "data.parquet"))
        yield athena


@pytest.fixture(scope="module")
def reference(tpch_files):
    con = duckdb.connect()
    for table, folder in tpch_files.items():
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{folder / 'data.parquet'}')")
    yield con
    con.close()


def _create_table_ddl(table: str, parquet_file: Path) -> str:
    """The DDL an Athena user writes for the generator's files: bigint keys, decimal(15,2), date, string."""
    columns = ",\n    ".join(f"{field.name} {ARROW_TO_HIVE[str(field.type)]}"
                             for field in pq.read_schema(parquet_file))
    return (f"CREATE EXTERNAL TABLE tpch.{table} (\n    {columns}\n)\n"
            f"STORED AS PARQUET\nLOCATION 's3://{BUCKET}/{table}/'")


def _run(athena, sql: str) -> dict:
    qid = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": "tpch"},
                                       ResultConfiguration={"OutputLocation": OUTPUT})["QueryExecutionId"]
    execution = wait_for(athena, qid, timeout=60)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    return execution


def _fetch_all(athena, qid: str) -> tuple[list[dict], list[list]]:
    """Every page of GetQueryResults: the column infos and the data rows (header row dropped)."""
    rows, columns, token, first = [], None, None, True
    while True:
        page = athena.get_query_results(QueryExecutionId=qid, MaxResults=1000,
                                        **({"NextToken": token} if token else {}))
        columns = columns or page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
        page_rows = [[cell.get("VarCharValue") for cell in row["Data"]] for row in page["ResultSet"]["Rows"]]
        if first:
            assert page_rows[0] == [c["Name"] for c in columns], "a SELECT's first row is the header"
            page_rows, first = page_rows[1:], False
        rows += page_rows
        token = page.get("NextToken")
        if not token:
            return columns, rows


def _decode(value: str | None, column: dict):
    if value is None:
        return None
    kind = column["Type"].lower()
    if kind in ("tinyint", "smallint", "integer", "int", "bigint"):
        return int(value)
    if kind.startswith("decimal"):
        return Decimal(value)
    if kind in ("double", "real", "float"):
        return float(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "boolean":
        return value == "true"
    return value


def _type_name(column: dict) -> str:
    if column["Type"] == "decimal":
        return f"decimal({column['Precision']},{column['Scale']})"
    return column["Type"]


def _same(actual, expected, column: dict) -> bool:
    """Exact for strings, dates, integers and equal-scale decimals. Otherwise within 1e-6 relative,
    or within half a unit of the last digit where Athena's type is a decimal of a smaller scale
    (Trino's avg and division of decimals round to the operands' scale; DuckDB gives a double)."""
    if actual is None or expected is None:
        return actual is None and expected is None
    if isinstance(expected, (str, dt.date)) or isinstance(actual, (str, dt.date)):
        return actual == expected
    a, e = Decimal(str(actual)), Decimal(str(expected))
    if isinstance(actual, (int, Decimal)) and isinstance(expected, (int, Decimal)) and \
            a.as_tuple().exponent == e.as_tuple().exponent:
        return a == e
    tolerance = RELATIVE_TOLERANCE * max(abs(a), abs(e))
    if column["Type"].lower().startswith("decimal"):
        tolerance = max(tolerance, Decimal(1).scaleb(-int(column["Scale"])) / 2)
    return abs(a - e) <= tolerance


def _reference_sql(number: str) -> str:
    duckdb_text = QUERIES / f"{number}.duckdb.sql"
    return (duckdb_text if duckdb_text.exists() else QUERIES / f"{number}.sql").read_text()


@pytest.mark.parametrize("number", QUERY_NUMBERS)
def test_tpch_query_matches_duckdb_reference(number, tpch_athena, reference):
    sql = (QUERIES / f"{number}.sql").read_text()
    qid = tpch_athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": "tpch"},
                                            ResultConfiguration={"OutputLocation": OUTPUT})["QueryExecutionId"]
    execution = wait_for(tpch_athena, qid, timeout=60)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    assert execution["Statistics"]["DataScannedInBytes"] > 0
    columns, rows = _fetch_all(tpch_athena, qid)
    answer = reference.execute(_reference_sql(number))
    expected_names = [d[0] for d in answer.description]
    expected = answer.fetchall()

    assert expected, f"{number}: the reference answer is empty; the generated data misses the query"
    assert [c["Name"] for c in columns] == expected_names
    assert [_type_name(c) for c in columns] == EXPECTED_TYPES[number]
    assert len(rows) == len(expected)
    ordered = "order by" in sql.lower()
    actual = [[_decode(v, c) for v, c in zip(row, columns)] for row in rows]
    if not ordered:
        actual, expected = sorted(actual, key=repr), sorted(expected, key=repr)
    for index, (got, want) in enumerate(zip(actual, expected)):
        mismatched = [(columns[i]["Name"], g, w) for i, (g, w) in enumerate(zip(got, want))
                      if not _same(g, w, columns[i])]
        assert not mismatched, f"{number} row {index}: (column, athena, duckdb) {mismatched}"
