"""Fixtures for the Redshift integration tests: boto3 clients, and a cluster made as the guide makes it."""

from __future__ import annotations

import pytest
from redshift_helpers import PASSWORD, client, connect


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


@pytest.fixture
def raw_redshift(lakebox_server):
    """A client that sends bad input as it is, to see the server's own errors."""
    return client(lakebox_server, "redshift", validate=False)


@pytest.fixture
def cursor(cluster, redshift):
    """An autocommit cursor on the guide's cluster, closed after the test."""
    conn = connect(redshift)
    conn.autocommit = True
    yield conn.cursor()
    conn.close()
