"""Fixtures for the Redshift integration tests: boto3 clients, and a cluster made as the guide makes it."""

from __future__ import annotations

import boto3
import pytest
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


@pytest.fixture
def redshift(lakebox_server):
    return client(lakebox_server, "redshift")


@pytest.fixture
def cluster(redshift):
    """The guide's create_cluster call, verbatim: networking and KMS settings are recorded only."""
    redshift.create_cluster(
        ClusterIdentifier='my-dw-cluster', NodeType='dc2.large', NumberOfNodes=2, MasterUsername='admin',
        MasterUserPassword=PASSWORD, DBName='analytics', ClusterSubnetGroupName='my-subnet-group',
        VpcSecurityGroupIds=['sg-12345678'], PubliclyAccessible=False, Encrypted=True,
        KmsKeyId='arn:aws:kms:us-east-1:123456789:key/abc123')
    return redshift.describe_clusters(ClusterIdentifier="my-dw-cluster")["Clusters"][0]
