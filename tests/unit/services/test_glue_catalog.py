"""The Glue catalog's building blocks, without a server: the document codec, name patterns, page
tokens, quotas, and one transaction per operation."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from lakebox.config import Config
from lakebox.protocol.errors import AwsError
from lakebox.services.glue import databases, tables
from lakebox.services.glue.common import page
from lakebox.services.glue.provider import GlueProvider
from lakebox.services.glue.store import decode, encode, values_key

CTX = SimpleNamespace(region="us-east-1", account_id="000000000000")


@pytest.fixture
def glue(tmp_path):
    provider = GlueProvider(Config(data_dir=tmp_path))
    yield provider
    provider.close()


def test_codec_restores_datetimes_and_bytes():
    doc = {"t": dt.datetime(2024, 1, 2, 3, 4, 5, 600000, tzinfo=dt.timezone.utc), "b": b"\x00\xff", "n": [1, "x"]}
    assert decode(encode(doc)) == doc


def test_values_key_keeps_values_with_separators_apart():
    assert values_key(["a,b", "c"]) != values_key(["a", "b,c"])


@pytest.mark.parametrize("expression,name,matches", [
    ("sales_.*", "sales_2024", True),
    ("sales_*", "sales_2024", True),
    ("sales", "sales_2024", False),
    ("a|b", "b", True),
    ("ORDERS", "orders", True),
    ("o.ders", "orders", True),
])
def test_table_name_pattern(expression, name, matches):
    assert bool(tables.name_pattern(expression).fullmatch(name)) is matches


def test_page_token_resumes_after_last_key():
    items = [(k, k.upper()) for k in "abcde"]
    first, token = page(items, None, 2, 100)
    second, token2 = page(items, token, 2, 100)
    third, token3 = page(items, token2, 2, 100)
    assert (first, second, third, token3) == (["A", "B"], ["C", "D"], ["E"], None)


def test_bad_page_token_is_invalid_input():
    with pytest.raises(AwsError) as exc:
        page([], "%%%not-a-token", 2, 100)
    assert exc.value.code == "InvalidInputException"


def test_database_quota_raises_resource_number_limit_exceeded(glue, monkeypatch):
    monkeypatch.setattr(databases, "MAX_DATABASES", 2)
    glue.create_database(CTX, {"DatabaseInput": {"Name": "a"}})
    glue.create_database(CTX, {"DatabaseInput": {"Name": "b"}})
    with pytest.raises(AwsError) as exc:
        glue.create_database(CTX, {"DatabaseInput": {"Name": "c"}})
    assert (exc.value.code, exc.value.status) == ("ResourceNumberLimitExceededException", 400)


def test_table_version_quota_raises_and_leaves_table_unchanged(glue, monkeypatch):
    monkeypatch.setattr(tables, "MAX_TABLE_VERSIONS_PER_TABLE", 2)
    glue.create_database(CTX, {"DatabaseInput": {"Name": "d"}})
    glue.create_table(CTX, {"DatabaseName": "d", "TableInput": {"Name": "t"}})
    glue.update_table(CTX, {"DatabaseName": "d", "TableInput": {"Name": "t", "Description": "1"}})
    with pytest.raises(AwsError) as exc:
        glue.update_table(CTX, {"DatabaseName": "d", "TableInput": {"Name": "t", "Description": "2"}})
    assert exc.value.code == "ResourceNumberLimitExceededException"
    assert glue.get_table(CTX, {"DatabaseName": "d", "Name": "t"})["Table"]["Description"] == "1"
    # SkipArchive adds no version, so it still works at the quota.
    glue.update_table(CTX, {"DatabaseName": "d", "SkipArchive": True, "TableInput": {"Name": "t", "Description": "3"}})
    assert glue.get_table(CTX, {"DatabaseName": "d", "Name": "t"})["Table"]["VersionId"] == "1"


def test_failed_operation_rolls_back_its_writes(glue):
    glue.create_database(CTX, {"DatabaseInput": {"Name": "d"}})
    with pytest.raises(AwsError):
        # The first index is recorded, the second fails: the table must not exist afterwards.
        glue.create_table(CTX, {"DatabaseName": "d", "TableInput": {"Name": "t", "PartitionKeys": [{"Name": "k"}]},
                                "PartitionIndexes": [{"IndexName": "i", "Keys": ["k"]},
                                                     {"IndexName": "j", "Keys": ["nope"]}]})
    assert glue.get_tables(CTX, {"DatabaseName": "d"})["TableList"] == []


def test_catalog_lives_in_its_own_sqlite_file(glue, tmp_path):
    assert (tmp_path / ".lakebox" / "glue" / "catalog.db").exists()
    row = glue.store.read("PRAGMA journal_mode")[0][0]
    assert row == "wal"
