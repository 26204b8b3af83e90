"""Temporary credentials: the store that keeps them across restarts, and the token and expiry check."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from lakebox.auth import AuthInfo, SessionCredential, SessionCredentialStore, check_session_token
from lakebox.protocol.errors import AwsError

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def credential(key="ASIAAAAAAAAAAAAAAAAA", expires_in=3600) -> SessionCredential:
    return SessionCredential(key, "secret", "token", "111111111111", NOW + dt.timedelta(seconds=expires_in),
                             "arn:aws:sts::111111111111:assumed-role/r/s", "AROAEXAMPLE:s")


def test_store_reloads_what_it_recorded(tmp_path):
    path = tmp_path / "state" / "sts-credentials.json"
    SessionCredentialStore(path).add(credential(), NOW)
    reloaded = SessionCredentialStore(path).get("ASIAAAAAAAAAAAAAAAAA")
    assert reloaded == credential()
    assert [p.name for p in path.parent.iterdir()] == ["sts-credentials.json"]  # no temp file left behind
    assert path.stat().st_mode & 0o077 == 0


def test_store_drops_credentials_long_expired_when_it_records_new_ones(tmp_path):
    path = tmp_path / "sts-credentials.json"
    store = SessionCredentialStore(path)
    store.add(credential("ASIAOLD", expires_in=60), NOW)
    store.add(credential("ASIARECENT", expires_in=60), NOW + dt.timedelta(hours=1))
    assert store.get("ASIAOLD") is not None  # expired an hour ago: still known, answers ExpiredToken
    store.add(credential("ASIANEW"), NOW + dt.timedelta(days=2))
    assert store.get("ASIAOLD") is None and store.get("ASIANEW") is not None
    assert {c["access_key"] for c in json.loads(path.read_text())["credentials"]} == {"ASIANEW"}


def test_store_without_a_path_keeps_credentials_in_memory():
    store = SessionCredentialStore()
    store.add(credential(), NOW)
    assert len(store) == 1 and store.get(None) is None


@pytest.mark.parametrize("token", [None, "other"])
def test_wrong_or_missing_session_token_is_invalid_token(token):
    with pytest.raises(AwsError) as caught:
        check_session_token(AuthInfo(security_token=token), credential(), NOW)
    assert (caught.value.code, caught.value.status) == ("InvalidToken", 400)
    assert caught.value.message == "The provided token is malformed or otherwise invalid."


def test_session_token_is_accepted_until_its_expiration():
    check_session_token(AuthInfo(security_token="token"), credential(), NOW + dt.timedelta(seconds=3599))
    with pytest.raises(AwsError) as caught:
        check_session_token(AuthInfo(security_token="token"), credential(), NOW + dt.timedelta(seconds=3600))
    assert (caught.value.code, caught.value.message, caught.value.status) == (
        "ExpiredToken", "The provided token has expired.", 400)
    assert caught.value.fields == {"Token-0": "token"}
