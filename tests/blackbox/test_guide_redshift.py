'''The guide's Amazon Redshift section ("Amazon Redshift - Data Warehouse") against `lakebox serve`.

"Criar Cluster" runs verbatim: the boto3 `create_cluster` call, with only AWS_ENDPOINT_URL set. The
SQL blocks ("DDL e Data Loading", "Redshift Spectrum", "Otimizações Redshift") then run through
redshift_connector on the endpoint `describe_clusters` returns (user admin, the guide's password,
database analytics, ssl=False; autocommit on, as in a SQL editor), statement by statement as
written: a block is cut at each `;` outside strings and comments, the comments going with the
statement after them (what psql sends), and every statement that is not only comments is sent.

The fixes the guide needs on AWS too (tests/guide/FIXES.md, "Redshift") are applied with
`_fixed`, which replaces exactly one occurrence of the guide's text. The originals are sent too and
are refused as Redshift refuses them (the COPY with TIMEFORMAT on a table of another name, so that
`sales` keeps its IDENTITY values). The four
`CREATE TABLE name (...) ...` lines of "Otimizações" elide their column lists and are not
statements: they are not sent as written, and the test fills in a column list to show that their
DISTKEY, DISTSTYLE ALL, SORTKEY and COMPOUND SORTKEY clauses are accepted.

Setup the guide leaves implicit: Parquet sales under `s3://my-bucket/sales/` (the table's columns
without the IDENTITY, in table order, since Redshift maps Parquet columns by position), the
`manifest.json` for the MANIFEST COPY (two files elsewhere, listed with `mandatory` and the
`meta.content_length` Redshift requires for Parquet), and the Glue database `raw_data` with a
Parquet table `events` (customer_id, event_count) in `s3://my-data-lake` for Spectrum.

Every answer is checked against the data written: the row count after each COPY, the IDENTITY
values, the UNLOAD files (listed, then read back with pyarrow), the Spectrum join's rows.

The tests at the end pin behaviours found while writing this (a COPY or UNLOAD after a comment, the
options a Parquet COPY refuses, the errors of unknown columns, `current_user`).
'''

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from decimal import Decimal

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

redshift_connector = pytest.importorskip("redshift_connector")

pytestmark = pytest.mark.blackbox

PASSWORD = "SecurePass123!"

# guide: "Criar Cluster" (verbatim)
CREATE_CLUSTER = """
import boto3

redshift = boto3.client('redshift')

# Criar cluster
redshift.create_cluster(
    ClusterIdentifier='my-dw-cluster',
    NodeType='dc2.large',  # ou ra3.xlplus, ra3.4xlarge
    NumberOfNodes=2,
    MasterUsername='admin',
    MasterUserPassword='SecurePass123!',
    DBName='analytics',
    ClusterSubnetGroupName='my-subnet-group',
    VpcSecurityGroupIds=['sg-12345678'],
    PubliclyAccessible=False,
    Encrypted=True,
    KmsKeyId='arn:aws:kms:us-east-1:123456789:key/abc123'
)
"""

# guide: "DDL e Data Loading" (verbatim)
DDL_AND_LOADING = """-- Criar tabela com dist e sort keys
CREATE TABLE sales (
    sale_id BIGINT IDENTITY(1,1),
    order_date DATE NOT NULL,
    customer_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    quantity INT,
    amount DECIMAL(10,2),
    PRIMARY KEY (sale_id)
)
DISTKEY (customer_id)      -- Distribuir por customer_id
SORTKEY (order_date);       -- Ordenar por data

-- COPY from S3 (mais eficiente)
COPY sales
FROM 's3://my-bucket/sales/'
IAM_ROLE 'arn:aws:iam::123456789:role/RedshiftCopyRole'
FORMAT AS PARQUET
TIMEFORMAT 'auto';

-- COPY com manifest (múltiplos arquivos)
COPY sales
FROM 's3://my-bucket/manifest.json'
IAM_ROLE 'arn:aws:iam::123456789:role/RedshiftCopyRole'
MANIFEST
FORMAT AS PARQUET;

-- UNLOAD para S3
UNLOAD ('SELECT * FROM sales WHERE year = 2024')
TO 's3://my-bucket/exports/sales_2024_'
IAM_ROLE 'arn:aws:iam::123456789:role/RedshiftUnloadRole'
FORMAT PARQUET
PARALLEL ON
MAXFILESIZE 1 GB;"""

# guide: "Redshift Spectrum (Query S3 direto)" (verbatim)
SPECTRUM = """-- Criar external schema (Glue Catalog)
CREATE EXTERNAL SCHEMA spectrum
FROM DATA CATALOG
DATABASE 'raw_data'
IAM_ROLE 'arn:aws:iam::123456789:role/RedshiftSpectrumRole';

-- Query S3 via Spectrum
SELECT 
    r.customer_id,
    r.total_amount,
    e.event_count
FROM sales r                          -- Redshift table
JOIN spectrum.events e                 -- S3 external table
    ON r.customer_id = e.customer_id
WHERE r.order_date >= '2024-01-01';"""

# guide: "Otimizações Redshift" (verbatim)
OPTIMIZATIONS = """-- 1. VACUUM (reorganizar dados após DELETEs)
VACUUM FULL sales;

-- 2. ANALYZE (atualizar estatísticas)
ANALYZE sales;

-- 3. Dist Style
-- AUTO, EVEN, KEY, ALL

-- KEY: Particionar por chave
CREATE TABLE orders (...) DISTKEY (customer_id);

-- ALL: Replicar tabela em todos os nodes (pequenas dim tables)
CREATE TABLE dim_country (...) DISTSTYLE ALL;

-- 4. Sort Keys
-- Acelera queries com filtros por essas colunas
CREATE TABLE logs (...) SORTKEY (timestamp);

-- Compound sort key (múltiplas colunas)
CREATE TABLE sales (...) COMPOUND SORTKEY (year, month, day);

-- 5. Compression
-- Redshift aplica automaticamente, mas pode especificar:
CREATE TABLE sales (
    order_id BIGINT ENCODE AZ64,
    customer_id BIGINT ENCODE AZ64,
    amount DECIMAL(10,2) ENCODE AZ64,
    status VARCHAR(20) ENCODE LZO
);"""
# end guide

# The fixes of tests/guide/FIXES.md, "Redshift": (guide text, fixed text), each replaced exactly once.
FIX_TIMEFORMAT = ("FORMAT AS PARQUET\nTIMEFORMAT 'auto'", "FORMAT AS PARQUET")
FIX_UNLOAD_YEAR = ("WHERE year = 2024", "WHERE EXTRACT(year FROM order_date) = 2024")
FIX_TOTAL_AMOUNT = ("r.total_amount", "r.amount")
FIX_ENCODE_NAME = ("CREATE TABLE sales (\n    order_id", "CREATE TABLE sales_encoded (\n    order_id")
#: The elided column lists filled in (not statements as written: see FIXES.md), with the two fixes
#: those examples need once they are statements: `timestamp` is a reserved word in Redshift, and a
#: second table cannot be named `sales`.
FILLED_IN = {
    "orders": [("(...)", "(order_id BIGINT, customer_id BIGINT, total_amount DECIMAL(10,2))")],
    "dim_country": [("(...)", "(country_code CHAR(2), country_name VARCHAR(64))")],
    "logs": [("(...)", '("timestamp" TIMESTAMP, message VARCHAR(256))'),
             ("SORTKEY (timestamp)", 'SORTKEY ("timestamp")')],
    "sales": [("(...)", "(year SMALLINT, month SMALLINT, day SMALLINT, amount DECIMAL(10,2))"),
              ("CREATE TABLE sales ", "CREATE TABLE sales_by_day ")],
}

COPY_ROLE = "arn:aws:iam::123456789:role/RedshiftCopyRole"


# -- the data -------------------------------------------------------------------------------------

def _sale(day: str, customer: int, product: int, quantity: int, amount: str) -> tuple:
    return (dt.date.fromisoformat(day), customer, product, quantity, Decimal(amount))


#: (key, rows) under s3://my-bucket/sales/: what the prefix COPY loads.
SALES_FILES = [
    ("sales/part-0000.parquet", [_sale("2023-12-28", 101, 1, 1, "10.00"), _sale("2023-12-30", 102, 2, 2, "20.50"),
                                 _sale("2024-01-05", 101, 3, 1, "15.25"), _sale("2024-01-20", 103, 1, 3, "30.00")]),
    ("sales/part-0001.parquet", [_sale("2024-02-02", 102, 2, 1, "12.75"), _sale("2024-02-14", 104, 4, 5, "99.99"),
                                 _sale("2024-03-01", 101, 1, 2, "20.00"), _sale("2023-11-11", 104, 2, 1, "5.00")]),
]
#: (key, rows) listed by manifest.json: the MANIFEST COPY loads these, and only these.
MANIFEST_FILES = [
    ("incoming/sales-2024-04-a.parquet", [_sale("2024-04-01", 102, 3, 1, "7.10"),
                                          _sale("2024-04-02", 105, 1, 1, "1.99")]),
    ("incoming/sales-2024-04-b.parquet", [_sale("2024-04-03", 103, 2, 2, "44.40")]),
]
#: In the same folder as the manifest's files but not listed: must not be loaded.
UNLISTED = ("incoming/not-in-manifest.parquet", [_sale("2024-04-09", 999, 9, 9, "999.00")])
#: raw_data.events (customer_id, event_count), for Spectrum.
EVENTS = [(101, 5), (102, 3), (102, 4), (106, 9)]

SALES_SCHEMA = pa.schema([("order_date", pa.date32()), ("customer_id", pa.int64()), ("product_id", pa.int64()),
                          ("quantity", pa.int32()), ("amount", pa.decimal128(10, 2))])
EVENTS_TABLE = {
    "Name": "events",
    "TableType": "EXTERNAL_TABLE",
    "Parameters": {"classification": "parquet"},
    "StorageDescriptor": {
        "Columns": [{"Name": "customer_id", "Type": "bigint"}, {"Name": "event_count", "Type": "bigint"}],
        "Location": "s3://my-data-lake/raw_data/events/",
        "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
    },
}
SALE_COLUMNS = ["sale_id", "order_date", "customer_id", "product_id", "quantity", "amount"]


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _sales_parquet(rows: list) -> bytes:
    return _parquet(pa.Table.from_pylist([dict(zip(SALES_SCHEMA.names, r)) for r in rows], schema=SALES_SCHEMA))


# -- running the guide ----------------------------------------------------------------------------

def statements(block: str) -> list[str]:
    """A guide block as the statements a user sends one by one: cut at each `;` outside quotes and
    `--` comments; a trailing comment goes with the next statement; comment-only pieces are dropped."""
    pieces, current, i, quote = [], [], 0, None
    while i < len(block):
        ch = block[i]
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif block.startswith("--", i):
            end = block.find("\n", i)
            end = len(block) if end < 0 else end
            current.append(block[i:end])
            i = end
            continue
        elif ch == ";":
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    pieces.append("".join(current))
    return [p.strip() for p in pieces if _code(p)]


def _code(statement: str) -> str:
    """The statement without its `--` comments (for looking at it, never for sending it)."""
    return " ".join(line.split("--", 1)[0] for line in statement.splitlines()).strip()


def is_elided(statement: str) -> bool:
    return "(...)" in statement


def _fixed(statement: str, *fixes: tuple[str, str]) -> str:
    for old, new in fixes:
        assert statement.count(old) == 1, (old, statement)
        statement = statement.replace(old, new)
    return statement




def _connect(cluster: dict, autocommit: bool = True):
    endpoint = cluster["Endpoint"]
    conn = redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], database="analytics",
                                      user="admin", password=PASSWORD, ssl=False)
    conn.autocommit = autocommit
    return conn


def run(conn, statement: str):
    cursor = conn.cursor()
    cursor.execute(statement)
    return cursor


def query(conn, sql: str) -> list[tuple]:
    cursor = conn.cursor()
    cursor.execute(sql)
    return [tuple(r) for r in cursor.fetchall()]


def refused(conn, statement: str) -> dict:
    """Run a statement that must fail; return the server's error fields (C = SQLSTATE, M = message)."""
    with pytest.raises(redshift_connector.ProgrammingError) as info:
        run(conn, statement)
    return info.value.args[0]


def _keys(s3, bucket: str, prefix: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []))


# -- fixtures -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster(lakebox_endpoint) -> dict:
    """The guide's create_cluster, verbatim; then the endpoint as a client finds it."""
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(CREATE_CLUSTER, "guide-redshift", "exec"), {})  # noqa: S102 - the guide's code
    redshift = boto3.client("redshift")
    redshift.get_waiter("cluster_available").wait(ClusterIdentifier="my-dw-cluster",
                                                  WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return redshift.describe_clusters(ClusterIdentifier="my-dw-cluster")["Clusters"][0]


@pytest.fixture(scope="module")
def lake(lakebox_endpoint) -> dict:
    """What the guide leaves implicit: the sales files, the manifest, and raw_data.events for Spectrum."""
    s3 = boto3.client("s3")
    for bucket in ("my-bucket", "my-data-lake"):
        s3.create_bucket(Bucket=bucket)
    for key, rows in [*SALES_FILES, *MANIFEST_FILES, UNLISTED]:
        s3.put_object(Bucket="my-bucket", Key=key, Body=_sales_parquet(rows))
    entries = [{"url": f"s3://my-bucket/{key}", "mandatory": True,
                "meta": {"content_length": s3.head_object(Bucket="my-bucket", Key=key)["ContentLength"]}}
               for key, _ in MANIFEST_FILES]
    s3.put_object(Bucket="my-bucket", Key="manifest.json", Body=json.dumps({"entries": entries}).encode())
    events = pa.table({"customer_id": pa.array([c for c, _ in EVENTS], pa.int64()),
                       "event_count": pa.array([n for _, n in EVENTS], pa.int64())})
    s3.put_object(Bucket="my-data-lake", Key="raw_data/events/part-0000.parquet", Body=_parquet(events))
    glue = boto3.client("glue")
    glue.create_database(DatabaseInput={"Name": "raw_data"})
    glue.create_table(DatabaseName="raw_data", TableInput=EVENTS_TABLE)
    return {"s3": s3, "entries": entries}


@pytest.fixture(scope="module")
def conn(cluster, lake):
    connection = _connect(cluster)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def loaded(conn) -> dict:
    """"DDL e Data Loading" up to the UNLOAD: CREATE TABLE, the prefix COPY, the MANIFEST COPY; the
    table's rows after each COPY."""
    create, copy_prefix, copy_manifest, unload = statements(DDL_AND_LOADING)
    assert create.startswith("-- Criar tabela") and _code(create).startswith("CREATE TABLE sales")
    assert _code(unload).startswith("UNLOAD")
    run(conn, create)
    run(conn, _fixed(copy_prefix, FIX_TIMEFORMAT))
    after_prefix = query(conn, f"SELECT {', '.join(SALE_COLUMNS)} FROM sales ORDER BY sale_id")
    run(conn, copy_manifest)
    after_manifest = query(conn, f"SELECT {', '.join(SALE_COLUMNS)} FROM sales ORDER BY sale_id")
    return {"after_prefix": after_prefix, "after_manifest": after_manifest, "create": create,
            "copy_prefix": copy_prefix, "unload": unload}


@pytest.fixture(scope="module")
def unloaded(conn, loaded, lake) -> dict:
    original = refused(conn, loaded["unload"])
    run(conn, _fixed(loaded["unload"], FIX_UNLOAD_YEAR))
    return {"original": original, "keys": _keys(lake["s3"], "my-bucket", "exports/")}


@pytest.fixture(scope="module")
def spectrum(conn, loaded) -> dict:
    create_schema, select = statements(SPECTRUM)
    run(conn, create_schema)
    original = refused(conn, select)
    cursor = run(conn, _fixed(select, FIX_TOTAL_AMOUNT))
    return {"original": original, "columns": [d[0] for d in cursor.description],
            "rows": [tuple(r) for r in cursor.fetchall()]}


@pytest.fixture(scope="module")
def optimized(conn, loaded, unloaded, spectrum) -> dict:
    """"Otimizações Redshift", after the other blocks (VACUUM and ANALYZE act on the loaded sales)."""
    sent, elided = [], []
    for statement in statements(OPTIMIZATIONS):
        if is_elided(statement):
            elided.append(statement)
            continue
        sent.append(statement)
    vacuum, analyze, encoded = sent
    run(conn, vacuum)
    run(conn, analyze)
    original_encode = refused(conn, encoded)
    run(conn, _fixed(encoded, FIX_ENCODE_NAME))
    return {"vacuum": vacuum, "analyze": analyze, "encoded": encoded, "elided": elided,
            "original_encode": original_encode}


# -- the cluster ----------------------------------------------------------------------------------

def test_guide_create_cluster_gives_a_listening_endpoint(cluster):
    assert cluster["ClusterStatus"] == "available"
    assert (cluster["NodeType"], cluster["NumberOfNodes"], cluster["MasterUsername"], cluster["DBName"]) == (
        "dc2.large", 2, "admin", "analytics")
    assert (cluster["Encrypted"], cluster["KmsKeyId"]) == (True, "arn:aws:kms:us-east-1:123456789:key/abc123")
    assert cluster["ClusterSubnetGroupName"] == "my-subnet-group"
    assert cluster["VpcSecurityGroups"] == [{"VpcSecurityGroupId": "sg-12345678", "Status": "active"}]
    conn = _connect(cluster)
    try:
        assert query(conn, "SELECT current_database()") == [("analytics",)]
    finally:
        conn.close()


def _words(statement: str) -> str:
    return " ".join(_code(statement).split())


def test_the_guide_blocks_split_into_the_statements_a_user_sends():
    assert [_words(s).split(" ", 1)[0] for s in statements(DDL_AND_LOADING)] == ["CREATE", "COPY", "COPY", "UNLOAD"]
    assert [_words(s) for s in statements(SPECTRUM)] == [
        "CREATE EXTERNAL SCHEMA spectrum FROM DATA CATALOG DATABASE 'raw_data' IAM_ROLE "
        "'arn:aws:iam::123456789:role/RedshiftSpectrumRole'", "SELECT r.customer_id, r.total_amount, e.event_count "
        "FROM sales r JOIN spectrum.events e ON r.customer_id = e.customer_id WHERE r.order_date >= '2024-01-01'"]
    assert [is_elided(s) for s in statements(OPTIMIZATIONS)] == [False, False, True, True, True, True, False]


# -- DDL e Data Loading ---------------------------------------------------------------------------

def test_guide_copy_from_the_prefix_loads_every_file(loaded):
    rows = loaded["after_prefix"]
    expected = [r for _, file_rows in SALES_FILES for r in file_rows]
    assert len(rows) == len(expected) == 8
    assert sorted(r[1:] for r in rows) == sorted(expected)
    # IDENTITY(1,1): Redshift promises unique values only; lakebox numbers the rows of a load in order.
    assert [r[0] for r in rows] == list(range(1, len(expected) + 1))


def test_guide_copy_with_manifest_loads_only_the_listed_files(loaded):
    before, rows = loaded["after_prefix"], loaded["after_manifest"]
    listed = [r for _, file_rows in MANIFEST_FILES for r in file_rows]
    assert len(rows) == len(before) + len(listed) == 11
    assert rows[:len(before)] == before
    new = rows[len(before):]
    assert sorted(r[1:] for r in new) == sorted(listed)
    assert [r[0] for r in new] == list(range(len(before) + 1, len(rows) + 1))
    assert len({r[0] for r in rows}) == len(rows)  # the IDENTITY values are unique
    assert all(r[2] != UNLISTED[1][0][1] for r in rows)  # the unlisted file in the same folder is not loaded


def test_guide_unload_of_2024_writes_parquet_files_with_those_rows(conn, loaded, unloaded, lake):
    assert unloaded["original"]["C"] == "42703" and unloaded["original"]["M"] == 'column "year" does not exist'
    keys = unloaded["keys"]
    assert keys and all(re.fullmatch(r"exports/sales_2024_\d{4}_part_\d{2}\.parquet", k) for k in keys), keys
    tables = [pq.read_table(io.BytesIO(lake["s3"].get_object(Bucket="my-bucket", Key=k)["Body"].read()))
              for k in keys]
    unloaded_rows = pa.concat_tables(tables)
    assert unloaded_rows.column_names == SALE_COLUMNS
    expected = [r for r in loaded["after_manifest"] if r[1].year == 2024]
    assert len(expected) == 8
    assert sorted(tuple(d.values()) for d in unloaded_rows.to_pylist()) == sorted(expected)
    assert str(unloaded_rows.schema.field("amount").type) == "decimal128(10, 2)"


# -- Redshift Spectrum ----------------------------------------------------------------------------

def test_guide_spectrum_join_returns_the_local_and_lake_rows(spectrum, loaded):
    assert "total_amount" in spectrum["original"]["M"], spectrum["original"]
    assert spectrum["columns"] == ["customer_id", "amount", "event_count"]
    expected = [(sale[2], sale[5], count) for sale in loaded["after_manifest"] if sale[1] >= dt.date(2024, 1, 1)
                for customer, count in EVENTS if customer == sale[2]]
    assert len(expected) == 6
    assert sorted(spectrum["rows"]) == sorted(expected)


def test_the_external_schema_reads_the_glue_table(conn, spectrum):
    assert query(conn, "SELECT customer_id, event_count FROM spectrum.events ORDER BY 1, 2") == sorted(EVENTS)


# -- Otimizações Redshift -------------------------------------------------------------------------

def test_guide_vacuum_full_and_analyze_are_accepted(conn, optimized, loaded):
    assert _code(optimized["vacuum"]) == "VACUUM FULL sales" and _code(optimized["analyze"]) == "ANALYZE sales"
    assert query(conn, f"SELECT {', '.join(SALE_COLUMNS)} FROM sales ORDER BY sale_id") == loaded["after_manifest"]


def test_guide_encode_table_is_created_under_a_free_name(conn, optimized):
    assert optimized["original_encode"]["C"] == "42P07"
    assert optimized["original_encode"]["M"] == 'relation "sales" already exists'
    run(conn, "INSERT INTO sales_encoded VALUES (1, 101, 10.50, 'paid')")
    assert query(conn, "SELECT order_id, customer_id, amount, status FROM sales_encoded") == [
        (1, 101, Decimal("10.50"), "paid")]


@pytest.mark.parametrize("table, row", [
    ("orders", "(1, 101, 10.00)"),
    ("dim_country", "('BR', 'Brasil')"),
    ("logs", "('2024-01-15 10:30:00', 'started')"),
    ("sales", "(2024, 1, 15, 10.00)"),
], ids=["orders-DISTKEY", "dim_country-DISTSTYLE_ALL", "logs-SORTKEY", "sales-COMPOUND_SORTKEY"])
def test_guide_elided_tables_with_a_column_list_are_accepted(conn, optimized, table, row):
    """DISTKEY, DISTSTYLE ALL, SORTKEY and COMPOUND SORTKEY, once the elided column list is filled in."""
    (statement,) = [s for s in optimized["elided"] if _code(s).startswith(f"CREATE TABLE {table} (...)")]
    filled = _fixed(statement, *FILLED_IN[table])
    run(conn, filled)
    name = _code(filled).split()[2]
    run(conn, f"INSERT INTO {name} VALUES {row}")
    assert query(conn, f"SELECT count(*) FROM {name}") == [(1,)]


# -- behaviours found while writing this ----------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "-- COPY from S3 (mais eficiente)\nCOPY comment_check FROM 's3://my-bucket/sales/' "
    f"IAM_ROLE '{COPY_ROLE}' FORMAT AS PARQUET",
    "-- UNLOAD para S3\nUNLOAD ('SELECT 1 AS one') TO 's3://my-bucket/comment-check/one_' "
    "IAM_ROLE 'arn:aws:iam::123456789:role/RedshiftUnloadRole' FORMAT PARQUET",
], ids=["COPY", "UNLOAD"])
def test_copy_and_unload_may_start_with_a_comment(conn, statement):
    run(conn, "CREATE TABLE IF NOT EXISTS comment_check (order_date DATE, customer_id BIGINT, product_id BIGINT, "
              "quantity INT, amount DECIMAL(10,2))")
    conn.cursor().execute(statement)  # as written, comment included (run() would strip it)


def test_current_user_is_the_user_logged_in(conn):
    assert query(conn, "SELECT current_user") == [("admin",)]


def test_guide_parquet_copy_with_timeformat_is_refused(conn, loaded):
    """The guide's CREATE TABLE and first COPY as written, on a table of another name (so that the
    guide's `sales` keeps its IDENTITY values if lakebox loads it)."""
    run(conn, _fixed(loaded["create"], ("CREATE TABLE sales (", "CREATE TABLE sales_timeformat (")))
    error = refused(conn, _fixed(loaded["copy_prefix"], ("COPY sales\n", "COPY sales_timeformat\n")))
    assert "TIMEFORMAT" in error["M"].upper(), error


def test_parquet_copy_refuses_a_manifest_without_content_length(conn, lake):
    lake["s3"].put_object(Bucket="my-bucket", Key="manifest-no-length.json", Body=json.dumps(
        {"entries": [{"url": e["url"], "mandatory": True} for e in lake["entries"]]}).encode())
    run(conn, "CREATE TABLE IF NOT EXISTS manifest_check (order_date DATE, customer_id BIGINT, product_id BIGINT, "
              "quantity INT, amount DECIMAL(10,2))")
    refused(conn, f"COPY manifest_check FROM 's3://my-bucket/manifest-no-length.json' IAM_ROLE '{COPY_ROLE}' "
                  "MANIFEST FORMAT AS PARQUET")


def test_unknown_qualified_column_is_undefined_column(spectrum):
    assert spectrum["original"]["C"] == "42703", spectrum["original"]
    assert spectrum["original"]["M"] == "column r.total_amount does not exist", spectrum["original"]


def test_failing_spectrum_query_in_a_transaction_says_why(cluster, spectrum):
    conn = _connect(cluster, autocommit=False)  # redshift_connector's default
    try:
        error = refused(conn, "SELECT e.nope FROM spectrum.events e")
        conn.rollback()
        assert error["C"] == "42703", error
    finally:
        conn.close()
