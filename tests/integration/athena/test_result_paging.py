"""GetQueryResults over a result of several thousand rows, through boto3 on a real lakebox server:
every page in order, every value checked against the rows computed here (NULLs, empty strings,
quotes, commas and newlines inside values), and a result file rewritten by a client served as
rewritten, not from what lakebox kept of the first one."""

from __future__ import annotations

from athena_helpers import wait_for

ROWS = 4500
QUERY = ("SELECT n, CASE WHEN n % 7 = 0 THEN NULL WHEN n % 11 = 0 THEN '' "
         "ELSE 'v\"' || CAST(n AS varchar) || ',x' || chr(10) || 'y' END AS s "
         f"FROM UNNEST(sequence(1, {ROWS})) AS t(n) ORDER BY n")


def expected_value(n: int):
    if n % 7 == 0:
        return None
    if n % 11 == 0:
        return ""
    return f'v"{n},x\ny'


def run(athena, results) -> dict:
    qid = athena.start_query_execution(QueryString=QUERY, ResultConfiguration={"OutputLocation": results})[
        "QueryExecutionId"]
    execution = wait_for(athena, qid)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    return execution


def all_pages(athena, qid: str, page_size: int) -> tuple[list, int]:
    rows, token, pages = [], None, 0
    while True:
        kwargs = {"QueryExecutionId": qid, "MaxResults": page_size}
        if token:
            kwargs["NextToken"] = token
        answer = athena.get_query_results(**kwargs)
        pages += 1
        rows += [[d.get("VarCharValue") for d in r["Data"]] for r in answer["ResultSet"]["Rows"]]
        token = answer.get("NextToken")
        if not token:
            return rows, pages


def test_every_page_of_a_large_result_holds_the_right_rows(athena, results):
    execution = run(athena, results)
    rows, pages = all_pages(athena, execution["QueryExecutionId"], 1000)
    assert pages == 5  # the header and 4,500 rows: 4,501 in pages of 1,000
    assert rows[0] == ["n", "s"]
    assert rows[1:] == [[str(n), expected_value(n)] for n in range(1, ROWS + 1)]
    # Smaller pages over the same file give the same rows.
    again, pages = all_pages(athena, execution["QueryExecutionId"], 333)
    assert pages == 14 and again == rows


def test_a_rewritten_result_file_is_read_again(athena, s3, results):
    execution = run(athena, results)
    qid = execution["QueryExecutionId"]
    first, _ = all_pages(athena, qid, 1000)
    assert len(first) == ROWS + 1
    bucket, key = execution["ResultConfiguration"]["OutputLocation"][len("s3://"):].split("/", 1)
    s3.put_object(Bucket=bucket, Key=key, Body=b'"n","s"\n"1",\n"2","a ""b"",\nc"\n')
    rows, pages = all_pages(athena, qid, 1000)
    assert pages == 1
    assert rows == [["n", "s"], ["1", None], ["2", 'a "b",\nc']]
