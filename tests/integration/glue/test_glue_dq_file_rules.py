"""Glue Data Quality file rules — FileFreshness, FileSize, FileUniqueness, FileMatch — over objects
written to the lake: an explicit s3:// path, or the evaluated table's Location."""

from __future__ import annotations

import hashlib

import pytest
from crawler_helpers import make_s3
from data_quality_helpers import evaluated, outcomes, parquet_table
from glue_helpers import make_glue

DB, TABLE = "dqfiles", "events"
COLUMNS = [("event_id", "bigint"), ("amount", "double")]
#: drops/: a.csv and b.csv hold the same bytes; archive/ and copy/ hold the same contents under other names.
FILES = {"drops/a.csv": b"x", "drops/b.csv": b"x", "drops/c.csv": b"yy", "drops/_SUCCESS": b"",
         "archive/a.csv": b"x", "archive/c.csv": b"yy", "copy/first.csv": b"yy", "copy/second.csv": b"x"}


@pytest.fixture
def glue(lakebox_server):
    endpoint = lakebox_server.endpoint_url
    s3 = make_s3(endpoint)
    s3.create_bucket(Bucket="lake")
    for key, body in FILES.items():
        s3.put_object(Bucket="lake", Key=key, Body=body)
    client = make_glue(endpoint)
    client.create_database(DatabaseInput={"Name": DB})
    parquet_table(endpoint, client, DB, TABLE, COLUMNS, {"event_id": [1, 2], "amount": [1.0, 2.0]})
    return client


def _judge(glue, *rules: str) -> list[tuple[str, dict, str]]:
    glue.create_data_quality_ruleset(Name="file-checks", Ruleset="Rules = [ " + ", ".join(rules) + " ]")
    return outcomes(evaluated(glue, DB, TABLE, "file-checks"))


def test_file_freshness_compares_the_files_last_modified_times(glue):
    found = _judge(glue,
                   "FileFreshness > (now() - 24 hours)",  # the table's own files
                   'FileFreshness "s3://lake/drops/" < (now() - 1 days)',
                   'FileFreshness "s3://lake/drops/" > "2020-01-01"',
                   'FileFreshness "s3://lake/drops/" between (now() - 1 hours) and (now() + 1 hours)',
                   'FileFreshness "s3://lake/drops/" >= "00:00"',
                   'FileFreshness "s3://lake/drops/a.csv" > "2020-01-01" with timeZone = "Europe/Paris"',
                   'FileFreshness "s3://lake/none/" > "2020-01-01"')

    assert found == [
        ("PASS", {"Dataset.*.FileFreshness.Compliance": 1.0, "Dataset.*.FileCount": 1.0}, ""),
        ("FAIL", {"Dataset.*.FileFreshness.Compliance": 0.0, "Dataset.*.FileCount": 3.0},
         "Value: 0.0 does not meet the constraint requirement!"),
        ("PASS", {"Dataset.*.FileFreshness.Compliance": 1.0, "Dataset.*.FileCount": 3.0}, ""),
        ("PASS", {"Dataset.*.FileFreshness.Compliance": 1.0, "Dataset.*.FileCount": 3.0}, ""),
        ("PASS", {"Dataset.*.FileFreshness.Compliance": 1.0, "Dataset.*.FileCount": 3.0}, ""),
        ("PASS", {"Dataset.*.FileFreshness.Compliance": 1.0, "Dataset.*.FileCount": 1.0}, ""),
        ("FAIL", {}, "No files found at s3://lake/none/"),
    ]


def test_file_size_judges_each_file_and_reports_the_smallest_and_largest(glue):
    found = _judge(glue,
                   'FileSize "s3://lake/drops/" < 1 KB',
                   'FileSize "s3://lake/drops/" > 1 B',
                   'FileSize "s3://lake/drops/" > 1 B with threshold > 0.3',
                   'FileSize "s3://lake/drops/" > 1 B with recentFiles = 1',
                   'FileSize "s3://nope/" > 1 B')

    sizes = {"Dataset.*.MaximumFileSize": 2.0, "Dataset.*.MinimumFileSize": 1.0, "Dataset.*.FileCount": 3.0}
    assert found[0] == ("PASS", {"Dataset.*.FileSize.Compliance": 1.0, **sizes}, "")
    assert found[1] == ("FAIL", {"Dataset.*.FileSize.Compliance": pytest.approx(1 / 3), **sizes},
                        "Value: 0.3333333333333333 does not meet the constraint requirement!")
    assert found[2] == ("PASS", {"Dataset.*.FileSize.Compliance": pytest.approx(1 / 3), **sizes}, "")
    assert found[3][0] in ("PASS", "FAIL") and found[3][1]["Dataset.*.FileCount"] == 1.0
    assert found[4] == ("FAIL", {}, "No files found at s3://nope/")


def test_file_uniqueness_is_the_share_of_files_whose_content_no_other_file_has(glue):
    found = _judge(glue, 'FileUniqueness "s3://lake/drops/" = 1.0', 'FileUniqueness "s3://lake/drops/" > 0.3',
                   'FileUniqueness "s3://lake/archive/" = 1.0', "FileUniqueness = 1.0")

    assert found[0] == ("FAIL", {"Dataset.*.FileUniquenessRatio": pytest.approx(1 / 3), "Dataset.*.FileCount": 3.0},
                        "Value: 0.3333333333333333 does not meet the constraint requirement!")
    assert found[1][0] == "PASS"
    assert found[2] == ("PASS", {"Dataset.*.FileUniquenessRatio": 1.0, "Dataset.*.FileCount": 2.0}, "")
    assert found[3] == ("PASS", {"Dataset.*.FileUniquenessRatio": 1.0, "Dataset.*.FileCount": 1.0}, "")


def test_file_match_compares_checksums_and_folders(glue):
    sha256, md5 = hashlib.sha256(b"yy").hexdigest(), hashlib.md5(b"yy").hexdigest()
    found = _judge(glue,
                   f'FileMatch "s3://lake/drops/c.csv" in ["{sha256}"]',
                   f'FileMatch "s3://lake/drops/c.csv" in ["{md5}"] with hashAlgorithm = "MD5"',
                   f'FileMatch "s3://lake/drops/" in ["{sha256}"]',
                   f'FileMatch "s3://lake/drops/" not in ["{md5}"] with hashAlgorithm = "MD5"',
                   'FileMatch "s3://lake/archive/" "s3://lake/copy/"',
                   'FileMatch "s3://lake/archive/" "s3://lake/copy/" with matchFileName = "true"',
                   'FileMatch "s3://lake/drops/" "s3://lake/archive/"',
                   'FileMatch "s3://lake/drops/c.csv" in ["abc"] with hashAlgorithm = "CRC32"')

    assert found[0] == ("PASS", {"Dataset.*.FileCount": 1.0}, "")
    assert found[1] == ("PASS", {"Dataset.*.FileCount": 1.0}, "")
    assert found[2][:2] == ("FAIL", {"Dataset.*.FileCount": 3.0})
    assert "s3://lake/drops/a.csv" in found[2][2] and "s3://lake/drops/c.csv" not in found[2][2]
    assert found[3][0] == "FAIL" and "s3://lake/drops/c.csv" in found[3][2]
    assert found[4] == ("PASS", {"Dataset.*.FileCount": 4.0}, "")
    assert found[5] == ("FAIL", {"Dataset.*.FileCount": 4.0},
                        "The files at s3://lake/archive/ do not match the files at s3://lake/copy/")
    assert found[6][0] == "FAIL"
    assert found[7][0] == "ERROR" and "CRC32" in found[7][2]
