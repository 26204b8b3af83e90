"""Athena's result storage for managed query results: files written whole into a private folder, found
again with an identity that tells versions apart, and read back through the same paths as S3 results;
locations that would leave the folder are refused."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from lakebox.services.athena.result_storage import (
    ResultLocationError,
    ResultStorage,
    is_managed,
    managed_location,
)
from lakebox.services.athena.results import output_file, read_results, record_output, write_results

COLUMNS = [{"Name": "a", "Label": "a", "Type": "varchar"}]


@pytest.fixture
def storage(tmp_path):
    (tmp_path / "tmp").mkdir()
    return ResultStorage(SimpleNamespace(tmp_dir=str(tmp_path / "tmp")), str(tmp_path / "managed"))


def test_managed_location_names_account_region_and_workgroup():
    location = managed_location("000000000000:us-east-1", "wg")
    assert location == "athena-managed://000000000000/us-east-1/wg" and is_managed(location)
    assert not is_managed("s3://bucket/prefix/") and not is_managed(None)


def test_managed_results_are_written_and_read_back(storage, tmp_path):
    output = output_file(managed_location("000000000000:us-east-1", "wg"), "q1", "DML")
    size = write_results(storage, output, COLUMNS, [["x"], [None]], "DML", 0)
    path = tmp_path / "managed" / "000000000000" / "us-east-1" / "wg" / "q1.csv"
    assert path.read_bytes() == b'"a"\n"x"\n\n' and size == len(path.read_bytes())
    assert (tmp_path / "managed" / "000000000000" / "us-east-1" / "wg" / "q1.csv.metadata").exists()
    assert list(read_results(storage, output, 1)[0:3]) == [["a"], ["x"], [None]]
    assert list((tmp_path / "tmp").iterdir()) == []  # no temp file left behind


def test_missing_managed_result_is_none(storage):
    assert read_results(storage, "athena-managed://000000000000/us-east-1/wg/none.csv", 1) is None
    assert storage.bucket_owner("athena-managed://000000000000/us-east-1/wg/none.csv") is None


@pytest.mark.parametrize("uri", ["athena-managed://../x.csv", "athena-managed://a/../../x.csv",
                                 "athena-managed://", "athena-managed://a//b.csv"])
def test_locations_leaving_the_folder_are_refused(storage, uri):
    with pytest.raises(ResultLocationError):
        storage.find(uri)


def test_record_output_keeps_managed_locations_private():
    doc = {"ResultConfiguration": {}, "Statistics": {}, "lakebox": {}}
    record_output(doc, "athena-managed://0/r/wg/q.csv", "athena-managed://0/r/wg/q-manifest.csv")
    assert doc["ResultConfiguration"] == {} and doc["Statistics"] == {}
    assert doc["lakebox"] == {"ManagedOutput": "athena-managed://0/r/wg/q.csv",
                              "ManagedManifest": "athena-managed://0/r/wg/q-manifest.csv"}
    s3 = {"ResultConfiguration": {}, "Statistics": {}, "lakebox": {}}
    record_output(s3, "s3://b/q.csv", None)
    assert s3["ResultConfiguration"] == {"OutputLocation": "s3://b/q.csv"} and s3["lakebox"] == {}
