"""The guide's `query_athena` helper, as written, over a table made through Athena DDL."""

from __future__ import annotations

import time

import boto3
import pandas as pd
from athena_helpers import wait_for


def query_athena(query, database='analytics', s3_output='s3://athena-results/'):
    # The guide's code, unchanged but for the client made inside (AWS_ENDPOINT_URL points at lakebox).
    athena = boto3.client('athena')
    response = athena.start_query_execution(
        QueryString=query,
        QueryExecutionContext={'Database': database},
        ResultConfiguration={'OutputLocation': s3_output}
    )
    query_execution_id = response['QueryExecutionId']
    while True:
        status = athena.get_query_execution(QueryExecutionId=query_execution_id)
        state = status['QueryExecution']['Status']['State']
        if state in ['SUCCEEDED', 'FAILED', 'CANCELLED']:
            break
        time.sleep(1)
    if state == 'SUCCEEDED':
        results = athena.get_query_results(QueryExecutionId=query_execution_id)
        columns = [col['Label'] for col in results['ResultSet']['ResultSetMetadata']['ColumnInfo']]
        data = [[field.get('VarCharValue', '') for field in row['Data']]
                for row in results['ResultSet']['Rows'][1:]]
        return pd.DataFrame(data, columns=columns)
    else:
        raise Exception(f"Query failed: {status['QueryExecution']['Status']['StateChangeReason']}")


def test_query_athena_group_by(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    s3.put_object(Bucket="lake", Key="sales/part-0.csv",
                  Body=b"region,amount\nnorth,10\nsouth,5\nnorth,7\n")
    for sql in ("CREATE DATABASE IF NOT EXISTS analytics",
                "CREATE EXTERNAL TABLE analytics.sales (region string, amount int) "
                "ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS TEXTFILE "
                "LOCATION 's3://lake/sales/' TBLPROPERTIES ('skip.header.line.count'='1')"):
        qid = athena.start_query_execution(QueryString=sql, ResultConfiguration={"OutputLocation": results})[
            "QueryExecutionId"]
        execution = wait_for(athena, qid)
        assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
        assert execution["ResultConfiguration"]["OutputLocation"].endswith(".txt")
    df = query_athena("SELECT region, count(*) AS n, sum(amount) AS total FROM sales GROUP BY region ORDER BY region")
    assert df.to_dict("records") == [{"region": "north", "n": "2", "total": "17"},
                                     {"region": "south", "n": "1", "total": "5"}]
