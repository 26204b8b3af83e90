"""The minimum throughput billing commitment (Describe/UpdateAccountSettings) and warm throughput
(UpdateStreamWarmThroughput, WarmThroughputMiBps on CreateStream and UpdateStreamMode), on the
service clock and across a restart."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.exceptions import ClientError
from kinesis_helpers import make_kinesis_client

from lakebox.testing import InProcessServer

ACCOUNT = "000000000000"
DAY = dt.timedelta(hours=24)
NOT_ON_DEMAND = ("Warm throughput is only supported for data streams in ON_DEMAND capacity mode, and stream {name} "
                 f"under account {ACCOUNT} is in PROVISIONED capacity mode.")
NO_COMMITMENT = ("Warm throughput is only supported for accounts with MinimumThroughputBillingCommitment enabled; "
                 f"it is not enabled for account {ACCOUNT} in us-east-1.")


def _error(call, *args, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _commitment(kinesis) -> dict:
    return kinesis.describe_account_settings()["MinimumThroughputBillingCommitment"]


def _set(kinesis, status: str) -> dict:
    return kinesis.update_account_settings(MinimumThroughputBillingCommitment={"Status": status})[
        "MinimumThroughputBillingCommitment"]


def _summary(kinesis, name: str) -> dict:
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


@pytest.fixture
def committed(kinesis):
    _set(kinesis, "ENABLED")
    return kinesis


# -- the commitment -----------------------------------------------------------------------------------


def test_a_new_account_has_no_commitment(kinesis):
    assert _commitment(kinesis) == {"Status": "DISABLED"}


def test_enable_starts_a_24_hour_commitment_on_the_service_clock(kinesis, lakebox_server):
    lakebox_server.advance_clock("10d")
    before = lakebox_server.config.clock.now()
    out = _set(kinesis, "ENABLED")
    after = lakebox_server.config.clock.now()
    assert out["Status"] == "ENABLED" and "EndedAt" not in out
    assert before - dt.timedelta(milliseconds=1) <= out["StartedAt"] <= after
    assert out["EarliestAllowedEndAt"] - out["StartedAt"] == DAY
    assert _commitment(kinesis) == out
    # Enabling again changes nothing: the commitment that runs keeps its start.
    lakebox_server.advance_clock("1h")
    assert _set(kinesis, "ENABLED") == out


def test_disable_before_the_earliest_end_schedules_the_end_and_enable_cancels_it(committed, lakebox_server):
    started = _commitment(committed)
    lakebox_server.advance_clock("2h")
    pending = _set(committed, "DISABLED")
    assert pending == {**started, "Status": "ENABLED_UNTIL_EARLIEST_ALLOWED_END"}
    assert _set(committed, "DISABLED") == pending  # asking again changes nothing
    assert _set(committed, "ENABLED") == started


def test_a_scheduled_end_takes_effect_when_the_clock_reaches_it(committed, lakebox_server):
    started = _set(committed, "DISABLED")
    lakebox_server.advance_clock("25h")
    assert _commitment(committed) == {"Status": "DISABLED", "StartedAt": started["StartedAt"],
                                      "EarliestAllowedEndAt": started["EarliestAllowedEndAt"],
                                      "EndedAt": started["EarliestAllowedEndAt"]}


def test_disable_after_the_earliest_end_ends_at_once_and_enable_starts_anew(committed, lakebox_server):
    first = _commitment(committed)
    lakebox_server.advance_clock("30h")
    now = lakebox_server.config.clock.now()
    ended = _set(committed, "DISABLED")
    assert ended["Status"] == "DISABLED" and ended["StartedAt"] == first["StartedAt"]
    assert abs(ended["EndedAt"] - now) < dt.timedelta(seconds=5)
    assert _set(committed, "DISABLED") == ended  # disabling a disabled commitment changes nothing
    again = _set(committed, "ENABLED")
    assert again["Status"] == "ENABLED" and "EndedAt" not in again
    assert again["StartedAt"] >= ended["EndedAt"] and again["EarliestAllowedEndAt"] - again["StartedAt"] == DAY


def test_the_commitment_is_per_region(committed, lakebox_server):
    west = boto3.client("kinesis", endpoint_url=lakebox_server.endpoint_url, region_name="us-west-2",
                        aws_access_key_id="test", aws_secret_access_key="test")
    assert _commitment(west) == {"Status": "DISABLED"}
    assert _commitment(committed)["Status"] == "ENABLED"


@pytest.mark.parametrize("commitment, message", [
    ({"Status": "PAUSED"}, "1 validation error detected: Value 'PAUSED' at 'minimumThroughputBillingCommitment.status' "
                           "failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]"),
    ({"Status": "ENABLED_UNTIL_EARLIEST_ALLOWED_END"},
     "1 validation error detected: Value 'ENABLED_UNTIL_EARLIEST_ALLOWED_END' at "
     "'minimumThroughputBillingCommitment.status' failed to satisfy constraint: Member must satisfy enum value set: "
     "[ENABLED, DISABLED]"),
    ({}, "1 validation error detected: Value null at 'minimumThroughputBillingCommitment.status' failed to satisfy "
         "constraint: Member must not be null"),
])
def test_update_account_settings_bad_status_is_a_validation_exception(raw_kinesis, commitment, message):
    assert _error(raw_kinesis.update_account_settings, MinimumThroughputBillingCommitment=commitment) == (
        "ValidationException", message, 400)
    assert _commitment(raw_kinesis) == {"Status": "DISABLED"}  # nothing changed


def test_update_account_settings_without_the_commitment_is_a_validation_exception(raw_kinesis):
    assert _error(raw_kinesis.update_account_settings) == (
        "ValidationException", "1 validation error detected: Value null at 'minimumThroughputBillingCommitment' "
                               "failed to satisfy constraint: Member must not be null", 400)


# -- warm throughput ----------------------------------------------------------------------------------


def test_update_stream_warm_throughput_round_trip(committed):
    committed.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    arn = _summary(committed, "od")["StreamARN"]
    # Before any target, an on-demand stream reports what its shards take: 1 MiB/s each.
    assert _summary(committed, "od")["WarmThroughput"] == {"CurrentMiBps": 4}
    out = committed.update_stream_warm_throughput(StreamName="od", WarmThroughputMiBps=200)
    assert (out["StreamName"], out["StreamARN"]) == ("od", arn)
    assert out["WarmThroughput"] == {"TargetMiBps": 200, "CurrentMiBps": 200}
    summary = _summary(committed, "od")
    assert summary["WarmThroughput"] == {"TargetMiBps": 200, "CurrentMiBps": 200}
    assert summary["StreamStatus"] == "ACTIVE"
    # By ARN, and by both when they agree; a lower target releases capacity down to the shards' own.
    assert committed.update_stream_warm_throughput(StreamARN=arn, WarmThroughputMiBps=10240)["WarmThroughput"] == {
        "TargetMiBps": 10240, "CurrentMiBps": 10240}
    lowered = committed.update_stream_warm_throughput(StreamARN=arn, StreamName="od", WarmThroughputMiBps=0)
    assert lowered["WarmThroughput"] == {"TargetMiBps": 0, "CurrentMiBps": 4}


def test_warm_throughput_is_reported_only_while_the_commitment_is_in_force(committed, lakebox_server):
    committed.create_stream(StreamName="od", WarmThroughputMiBps=64)
    committed.create_stream(StreamName="prov", ShardCount=1)
    assert _summary(committed, "od")["WarmThroughput"] == {"TargetMiBps": 64, "CurrentMiBps": 64}
    assert "WarmThroughput" not in _summary(committed, "prov")
    _set(committed, "DISABLED")
    assert _summary(committed, "od")["WarmThroughput"]["TargetMiBps"] == 64  # still committed until its end
    lakebox_server.advance_clock("25h")
    assert "WarmThroughput" not in _summary(committed, "od")


def test_update_stream_warm_throughput_on_a_provisioned_stream_is_a_validation_exception(committed):
    committed.create_stream(StreamName="prov", ShardCount=2)
    assert _error(committed.update_stream_warm_throughput, StreamName="prov", WarmThroughputMiBps=100) == (
        "ValidationException", NOT_ON_DEMAND.format(name="prov"), 400)
    assert "WarmThroughput" not in _summary(committed, "prov")


def test_update_stream_warm_throughput_needs_the_commitment(kinesis):
    kinesis.create_stream(StreamName="od")
    assert _error(kinesis.update_stream_warm_throughput, StreamName="od", WarmThroughputMiBps=100) == (
        "ValidationException", NO_COMMITMENT, 400)
    _set(kinesis, "ENABLED")
    assert _summary(kinesis, "od")["WarmThroughput"] == {"CurrentMiBps": 4}  # the refused target was not kept


def test_update_stream_warm_throughput_over_10_gibps_is_limit_exceeded(committed):
    committed.create_stream(StreamName="od")
    assert _error(committed.update_stream_warm_throughput, StreamName="od", WarmThroughputMiBps=10241) == (
        "LimitExceededException", f"Requested warm throughput of 10241 MiBps for stream od under account {ACCOUNT} "
                                  "exceeds the limit of 10240 MiBps.", 400)


def test_update_stream_warm_throughput_argument_errors(committed, raw_kinesis):
    committed.create_stream(StreamName="od")
    assert _error(raw_kinesis.update_stream_warm_throughput, StreamName="od", WarmThroughputMiBps=-1) == (
        "ValidationException", "1 validation error detected: Value '-1' at 'warmThroughputMiBps' failed to satisfy "
                               "constraint: Member must have value greater than or equal to 0", 400)
    assert _error(raw_kinesis.update_stream_warm_throughput, StreamName="od") == (
        "ValidationException", "1 validation error detected: Value null at 'warmThroughputMiBps' failed to satisfy "
                               "constraint: Member must not be null", 400)
    assert _error(raw_kinesis.update_stream_warm_throughput, WarmThroughputMiBps=10) == (
        "InvalidArgumentException", "Either StreamName or StreamARN must be provided.", 400)
    assert _error(raw_kinesis.update_stream_warm_throughput, StreamName="missing", WarmThroughputMiBps=10) == (
        "ResourceNotFoundException", f"Stream missing under account {ACCOUNT} not found.", 400)
    arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/od"
    assert _error(raw_kinesis.update_stream_warm_throughput, StreamARN=arn, StreamName="other",
                  WarmThroughputMiBps=10) == (
        "InvalidArgumentException", f"StreamName other does not match the stream in StreamARN {arn}.", 400)


def test_create_stream_with_warm_throughput(committed):
    committed.create_stream(StreamName="warm", StreamModeDetails={"StreamMode": "ON_DEMAND"}, WarmThroughputMiBps=512)
    assert _summary(committed, "warm")["WarmThroughput"] == {"TargetMiBps": 512, "CurrentMiBps": 512}


@pytest.mark.parametrize("extra, expected", [
    ({"ShardCount": 1}, ("ValidationException", NOT_ON_DEMAND.format(name="bad"), 400)),
    ({"WarmThroughputMiBps": 20000},
     ("LimitExceededException", f"Requested warm throughput of 20000 MiBps for stream bad under account {ACCOUNT} "
                                "exceeds the limit of 10240 MiBps.", 400)),
])
def test_create_stream_with_a_refused_warm_throughput_creates_nothing(committed, extra, expected):
    params = {"StreamName": "bad", "WarmThroughputMiBps": 100, **extra}
    assert _error(committed.create_stream, **params) == expected
    assert committed.list_streams()["StreamNames"] == []


def test_create_stream_with_warm_throughput_needs_the_commitment(kinesis):
    assert _error(kinesis.create_stream, StreamName="bad", WarmThroughputMiBps=100) == (
        "ValidationException", NO_COMMITMENT, 400)
    assert kinesis.list_streams()["StreamNames"] == []


def test_update_stream_mode_carries_warm_throughput_into_on_demand_only(committed):
    committed.create_stream(StreamName="s", ShardCount=2)
    arn = _summary(committed, "s")["StreamARN"]
    committed.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"}, WarmThroughputMiBps=300)
    assert _summary(committed, "s")["WarmThroughput"] == {"TargetMiBps": 300, "CurrentMiBps": 300}
    assert _error(committed.update_stream_mode, StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"},
                  WarmThroughputMiBps=300) == ("ValidationException", NOT_ON_DEMAND.format(name="s"), 400)
    assert _summary(committed, "s")["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}  # refused: unchanged
    committed.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
    committed.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert _summary(committed, "s")["WarmThroughput"] == {"CurrentMiBps": 2}  # the old target went with the mode


# -- durability ---------------------------------------------------------------------------------------


def test_commitment_and_warm_throughput_survive_a_restart(tmp_path):
    first = InProcessServer(tmp_path).start()
    try:
        kinesis = make_kinesis_client(first.endpoint_url)
        enabled = _set(kinesis, "ENABLED")
        kinesis.create_stream(StreamName="od", WarmThroughputMiBps=128)
        kinesis.create_stream(StreamName="od2")
        kinesis.update_stream_warm_throughput(StreamName="od2", WarmThroughputMiBps=96)
        pending = _set(kinesis, "DISABLED")
    finally:
        first.stop()

    second = InProcessServer(tmp_path).start()
    try:
        kinesis = make_kinesis_client(second.endpoint_url)
        assert _commitment(kinesis) == pending == {**enabled, "Status": "ENABLED_UNTIL_EARLIEST_ALLOWED_END"}
        assert _summary(kinesis, "od")["WarmThroughput"] == {"TargetMiBps": 128, "CurrentMiBps": 128}
        assert _summary(kinesis, "od2")["WarmThroughput"] == {"TargetMiBps": 96, "CurrentMiBps": 96}
        second.advance_clock("25h")
        assert _commitment(kinesis)["EndedAt"] == enabled["EarliestAllowedEndAt"]
    finally:
        second.stop()


def test_a_data_folder_from_before_account_settings_is_upgraded(tmp_path):
    """A Kinesis database at schema version 1 (streams only) gains the settings table and keeps its streams."""
    from lakebox.services.kinesis.store import KinesisStore

    root = tmp_path / ".lakebox" / "kinesis"
    store = KinesisStore(root)
    store.create(ACCOUNT, "us-east-1", "old", shard_count=1, mode="PROVISIONED", now_ms=0, tags={})
    with store.db.write() as db:
        db.execute("DROP TABLE account_settings")
        db.execute("PRAGMA user_version=1")
    store.close()

    server = InProcessServer(tmp_path).start()
    try:
        kinesis = make_kinesis_client(server.endpoint_url)
        assert kinesis.list_streams()["StreamNames"] == ["old"]
        assert _set(kinesis, "ENABLED")["Status"] == "ENABLED"
    finally:
        server.stop()
