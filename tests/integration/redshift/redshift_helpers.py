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


def client(server, service: str, *, validate: bool = True):
    return boto3.client(service, endpoint_url=server.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, parameter_validation=validate))
