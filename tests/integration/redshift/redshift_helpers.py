"""Constants and the boto3 client factory shared by the Redshift integration tests."""

from __future__ import annotations

import boto3
from botocore.config import Config

PASSWORD = "SecurePass123!"
#: The guide's sales table ("DDL e Data Loading"), as written.
GUIDE_DDL = """CREATE TABLE sales (
    sale_id BIGINT IDENTITY(1,1),
    order_date DATE NOT NULL,
    customer_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    quantity INT,
    amount DECIMAL(10,2),
    PRIMARY KEY (sale_id)
)
DISTKEY (customer_id)
SORTKEY (order_date);"""


def client(server, service: str, *, validate: bool = True, region: str = "us-east-1"):
    return boto3.client(service, endpoint_url=server.endpoint_url, region_name=region,
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, parameter_validation=validate))


def connect(redshift, cluster: str = "my-dw-cluster", user: str = "admin", password: str = PASSWORD,
            database: str = "analytics"):
    """A redshift_connector connection to the cluster's endpoint, as describe_clusters gives it."""
    import redshift_connector

    endpoint = redshift.describe_clusters(ClusterIdentifier=cluster)["Clusters"][0]["Endpoint"]
    return redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], database=database,
                                      user=user, password=password, ssl=False)


def run_sql(redshift, *statements: str, cluster: str = "my-dw-cluster", user: str = "admin",
            password: str = PASSWORD) -> list:
    """Run the statements on one connection, commit; the last one's rows (lists), if it has any."""
    conn = connect(redshift, cluster, user, password)
    try:
        cursor = conn.cursor()
        rows: list = []
        for statement in statements:
            cursor.execute(statement)
            rows = [list(r) for r in cursor.fetchall()] if cursor.description else []
        conn.commit()
        return rows
    finally:
        conn.close()


def rows(cursor, sql: str) -> list:
    """Run one statement on the cursor; its rows as lists (none for a statement without a result)."""
    cursor.execute(sql)
    return [list(r) for r in cursor.fetchall()] if cursor.description else []
