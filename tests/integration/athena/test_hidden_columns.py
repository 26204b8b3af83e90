"""Athena's hidden columns "$path", "$file_size" and "$file_modified_time": per file, for Parquet and
text tables, partitioned or not, usable in WHERE, and never part of a `*`."""

from __future__ import annotations

import functools
import io

import pyarrow as pa
import pyarrow.parquet as pq
from athena_helpers import result_rows, run_query

run = functools.partial(run_query, database="hidden")


def test_hidden_columns_name_each_file_of_a_partitioned_text_table(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    run(athena, "CREATE DATABASE hidden", results)
    files = {"t/dt=2024-01-01/a.csv": b"1,x\n2,y\n", "t/dt=2024-01-02/b.csv": b"3,z\n"}
    for key, body in files.items():
        s3.put_object(Bucket="lake", Key=key, Body=body)
    run(athena, "CREATE EXTERNAL TABLE t (id int, name string) PARTITIONED BY (dt string) "
                "ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://lake/t/'", results)
    run(athena, "MSCK REPAIR TABLE t", results)
    qid, _ = run(athena, 'SELECT id, "$path", "$file_size", dt FROM t ORDER BY id', results)
    assert result_rows(athena, qid) == [
        ["id", "$path", "$file_size", "dt"],
        ["1", "s3://lake/t/dt=2024-01-01/a.csv", "8", "2024-01-01"],
        ["2", "s3://lake/t/dt=2024-01-01/a.csv", "8", "2024-01-01"],
        ["3", "s3://lake/t/dt=2024-01-02/b.csv", "4", "2024-01-02"]]
    columns = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    assert [c["Type"] for c in columns] == ["integer", "varchar", "bigint", "varchar"]
    qid, _ = run(athena, """SELECT count(*) FROM t WHERE "$path" LIKE '%/b.csv'""", results)
    assert result_rows(athena, qid)[1] == ["1"]
    qid, _ = run(athena, "SELECT * FROM t ORDER BY id", results)
    assert result_rows(athena, qid)[0] == ["id", "name", "dt"]
    # A star leaves hidden columns out even when the query names them too.
    qid, _ = run(athena, 'SELECT *, "$path" FROM t ORDER BY id', results)
    assert result_rows(athena, qid)[:2] == [["id", "name", "dt", "$path"],
                                            ["1", "x", "2024-01-01", "s3://lake/t/dt=2024-01-01/a.csv"]]
    qid, _ = run(athena, 'SELECT x.*, y."$file_size" FROM t x JOIN t y ON x.id = y.id ORDER BY x.id', results)
    assert result_rows(athena, qid)[:2] == [["id", "name", "dt", "$file_size"], ["1", "x", "2024-01-01", "8"]]


def test_hidden_columns_of_parquet_files_give_size_and_modification_time(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    run(athena, "CREATE DATABASE hidden", results)
    sizes = {}
    for name, ids in (("one.parquet", [1, 2]), ("two.parquet", [3])):
        sink = io.BytesIO()
        pq.write_table(pa.table({"id": pa.array(ids, pa.int64())}), sink)
        s3.put_object(Bucket="lake", Key=f"p/{name}", Body=sink.getvalue())
        sizes[name] = len(sink.getvalue())
    run(athena, "CREATE EXTERNAL TABLE p (id bigint) STORED AS PARQUET LOCATION 's3://lake/p/'", results)
    qid, _ = run(athena, 'SELECT "$path", count(*), max("$file_size"), max("$file_modified_time") '
                         'FROM p GROUP BY 1 ORDER BY 1', results)
    got = result_rows(athena, qid)[1:]
    assert [row[:3] for row in got] == [[f"s3://lake/p/{n}", str(c), str(sizes[n])]
                                        for n, c in (("one.parquet", 2), ("two.parquet", 1))]
    for row in got:
        head = s3.head_object(Bucket="lake", Key=row[0][len("s3://lake/"):])
        assert row[3] == head["LastModified"].strftime("%Y-%m-%d %H:%M:%S.") + row[3][20:23] + " UTC"
