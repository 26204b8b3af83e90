"""Capacity reservations through boto3 on a real lakebox server: the lifecycle (allocated at once, so
ACTIVE right after Create and CANCELLED right after Cancel), the capacity assignment configuration,
the 45 days a cancelled reservation stays (on the service clock), persistence across a restart, the
store upgrade from schema version 2, and bad input answered with AWS's code and status."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import boto3
import pytest
from athena_helpers import error_of, make_client
from botocore.exceptions import ClientError

from lakebox.services.athena.store import SCHEMA_VERSION
from lakebox.testing import running_lakebox

ARN = "arn:aws:athena:us-east-1:000000000000:capacity-reservation/"


def refused(call, **params) -> tuple[str, str, int]:
    """Code, message and HTTP status of a call that must fail."""
    with pytest.raises(ClientError) as exc:
        call(**params)
    code, message = error_of(exc)
    return code, message, exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def reservation(athena, name: str) -> dict:
    return athena.get_capacity_reservation(Name=name)["CapacityReservation"]


def assigned(athena, name: str) -> list:
    config = athena.get_capacity_assignment_configuration(CapacityReservationName=name)
    assert config["CapacityAssignmentConfiguration"]["CapacityReservationName"] == name
    return config["CapacityAssignmentConfiguration"]["CapacityAssignments"]


# --- lifecycle --------------------------------------------------------------------------------------

def test_created_reservation_is_active_with_all_its_dpus_allocated(athena):
    athena.create_capacity_reservation(Name="etl", TargetDpus=24, Tags=[{"Key": "team", "Value": "data"}])
    got = reservation(athena, "etl")
    assert (got["Name"], got["Status"], got["TargetDpus"], got["AllocatedDpus"]) == ("etl", "ACTIVE", 24, 24)
    last = got["LastAllocation"]
    assert last["Status"] == "SUCCEEDED" and last["StatusMessage"]
    assert last["RequestTime"] == last["RequestCompletionTime"] == got["LastSuccessfulAllocationTime"]
    assert isinstance(got["CreationTime"], datetime) and got["CreationTime"] <= last["RequestTime"]
    assert athena.list_tags_for_resource(ResourceARN=ARN + "etl")["Tags"] == [{"Key": "team", "Value": "data"}]


def test_update_makes_a_new_allocation_of_the_new_target(athena, lakebox_server):
    athena.create_capacity_reservation(Name="etl", TargetDpus=24)
    before = reservation(athena, "etl")
    lakebox_server.advance_clock("1h")
    athena.update_capacity_reservation(Name="etl", TargetDpus=48)
    after = reservation(athena, "etl")
    assert (after["Status"], after["TargetDpus"], after["AllocatedDpus"]) == ("ACTIVE", 48, 48)
    assert after["CreationTime"] == before["CreationTime"]
    assert after["LastAllocation"]["RequestTime"] > before["LastAllocation"]["RequestTime"]
    assert after["LastSuccessfulAllocationTime"] == after["LastAllocation"]["RequestCompletionTime"]


def test_cancel_then_delete_removes_the_reservation_and_its_tags(athena):
    athena.create_capacity_reservation(Name="etl", TargetDpus=32, Tags=[{"Key": "k", "Value": "v"}])
    code, message, status = refused(athena.delete_capacity_reservation, Name="etl")
    assert (code, status) == ("InvalidRequestException", 400) and "ACTIVE" in message
    athena.cancel_capacity_reservation(Name="etl")
    cancelled = reservation(athena, "etl")
    assert (cancelled["Status"], cancelled["TargetDpus"], cancelled["AllocatedDpus"]) == ("CANCELLED", 32, 0)
    # A cancelled reservation keeps its tags and cannot be reused.
    assert athena.list_tags_for_resource(ResourceARN=ARN + "etl")["Tags"] == [{"Key": "k", "Value": "v"}]
    for call, params in ((athena.update_capacity_reservation, {"Name": "etl", "TargetDpus": 24}),
                         (athena.cancel_capacity_reservation, {"Name": "etl"}),
                         (athena.create_capacity_reservation, {"Name": "etl", "TargetDpus": 24})):
        assert refused(call, **params)[::2] == ("InvalidRequestException", 400)
    athena.delete_capacity_reservation(Name="etl")
    assert refused(athena.get_capacity_reservation, Name="etl") == (
        "InvalidRequestException", "Capacity reservation does not exist", 400)
    assert athena.list_capacity_reservations()["CapacityReservations"] == []
    assert refused(athena.list_tags_for_resource, ResourceARN=ARN + "etl")[::2] == ("ResourceNotFoundException", 400)
    athena.create_capacity_reservation(Name="etl", TargetDpus=24)  # the name is free again
    assert athena.list_tags_for_resource(ResourceARN=ARN + "etl")["Tags"] == []


def test_a_cancelled_reservation_leaves_the_account_after_45_days(athena, lakebox_server):
    athena.create_capacity_reservation(Name="old", TargetDpus=24, Tags=[{"Key": "k", "Value": "v"}])
    athena.cancel_capacity_reservation(Name="old")
    lakebox_server.advance_clock("44d")
    assert reservation(athena, "old")["Status"] == "CANCELLED"
    lakebox_server.advance_clock("1d")
    assert refused(athena.get_capacity_reservation, Name="old")[0] == "InvalidRequestException"
    assert athena.list_capacity_reservations()["CapacityReservations"] == []
    assert refused(athena.list_tags_for_resource, ResourceARN=ARN + "old")[0] == "ResourceNotFoundException"
    athena.create_capacity_reservation(Name="old", TargetDpus=24)
    assert athena.list_tags_for_resource(ResourceARN=ARN + "old")["Tags"] == []


def test_list_pages_in_name_order(athena):
    for name in ("c", "a", "b"):
        athena.create_capacity_reservation(Name=name, TargetDpus=24)
    first = athena.list_capacity_reservations(MaxResults=2)
    second = athena.list_capacity_reservations(MaxResults=2, NextToken=first["NextToken"])
    assert [r["Name"] for r in first["CapacityReservations"]] == ["a", "b"]
    assert [r["Name"] for r in second["CapacityReservations"]] == ["c"]
    assert "NextToken" not in second
    assert second["CapacityReservations"][0] == reservation(athena, "c")


def test_reservations_belong_to_one_region(athena, lakebox_server):
    athena.create_capacity_reservation(Name="etl", TargetDpus=24)
    west = boto3.client("athena", endpoint_url=lakebox_server.endpoint_url, region_name="us-west-2",
                        aws_access_key_id="test", aws_secret_access_key="test")
    assert west.list_capacity_reservations()["CapacityReservations"] == []
    west.create_capacity_reservation(Name="etl", TargetDpus=40)
    assert reservation(athena, "etl")["TargetDpus"] == 24


# --- capacity assignment configuration ---------------------------------------------------------------

def test_assignment_configuration_round_trips_and_is_replaced_whole(athena):
    for name in ("wg1", "wg2", "wg3"):
        athena.create_work_group(Name=name)
    athena.create_capacity_reservation(Name="etl", TargetDpus=24)
    assert assigned(athena, "etl") == []
    athena.put_capacity_assignment_configuration(CapacityReservationName="etl", CapacityAssignments=[
        {"WorkGroupNames": ["wg1", "primary"]}, {"WorkGroupNames": ["wg2"]}])
    assert assigned(athena, "etl") == [{"WorkGroupNames": ["wg1", "primary"]}, {"WorkGroupNames": ["wg2"]}]
    athena.put_capacity_assignment_configuration(CapacityReservationName="etl",
                                                 CapacityAssignments=[{"WorkGroupNames": ["wg3"]}])
    assert assigned(athena, "etl") == [{"WorkGroupNames": ["wg3"]}]
    # wg1 was released by the replacement, so another reservation may take it.
    athena.create_capacity_reservation(Name="bi", TargetDpus=24)
    athena.put_capacity_assignment_configuration(CapacityReservationName="bi",
                                                 CapacityAssignments=[{"WorkGroupNames": ["wg1"]}])
    assert assigned(athena, "bi") == [{"WorkGroupNames": ["wg1"]}]


def test_a_workgroup_in_another_reservation_is_refused_until_that_one_is_cancelled(athena):
    athena.create_work_group(Name="wg1")
    athena.create_capacity_reservation(Name="etl", TargetDpus=24)
    athena.create_capacity_reservation(Name="bi", TargetDpus=24)
    athena.put_capacity_assignment_configuration(CapacityReservationName="etl",
                                                 CapacityAssignments=[{"WorkGroupNames": ["wg1"]}])
    code, message, status = refused(athena.put_capacity_assignment_configuration, CapacityReservationName="bi",
                                    CapacityAssignments=[{"WorkGroupNames": ["wg1"]}])
    assert (code, status) == ("InvalidRequestException", 400) and "etl" in message
    assert assigned(athena, "bi") == []  # nothing of the refused request was kept
    athena.cancel_capacity_reservation(Name="etl")
    assert assigned(athena, "etl") == [{"WorkGroupNames": ["wg1"]}]  # kept for reference
    athena.put_capacity_assignment_configuration(CapacityReservationName="bi",
                                                 CapacityAssignments=[{"WorkGroupNames": ["wg1"]}])
    assert refused(athena.put_capacity_assignment_configuration, CapacityReservationName="etl",
                   CapacityAssignments=[])[::2] == ("InvalidRequestException", 400)


def test_assignments_name_existing_workgroups_at_most_20(athena):
    athena.create_capacity_reservation(Name="etl", TargetDpus=24)
    code, message, status = refused(athena.put_capacity_assignment_configuration, CapacityReservationName="etl",
                                    CapacityAssignments=[{"WorkGroupNames": ["primary", "nope"]}])
    assert (code, status) == ("InvalidRequestException", 400) and "nope" in message
    names = [f"wg{i}" for i in range(21)]
    for name in names:
        athena.create_work_group(Name=name)
    code, message, status = refused(athena.put_capacity_assignment_configuration, CapacityReservationName="etl",
                                    CapacityAssignments=[{"WorkGroupNames": names}])
    assert (code, status) == ("InvalidRequestException", 400) and "20" in message
    athena.put_capacity_assignment_configuration(CapacityReservationName="etl",
                                                 CapacityAssignments=[{"WorkGroupNames": names[:20]}])
    assert assigned(athena, "etl") == [{"WorkGroupNames": names[:20]}]


# --- bad input ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, params, fragment", [
    ("create_capacity_reservation", {"Name": "small", "TargetDpus": 16},
     "Value '16' at 'targetDpus' failed to satisfy constraint: Member must have value greater than or equal to 24"),
    ("create_capacity_reservation", {"Name": "bad name", "TargetDpus": 24},
     "Value 'bad name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern"),
    ("create_capacity_reservation", {"Name": "x" * 129, "TargetDpus": 24}, "Member must have length less than"),
    ("create_capacity_reservation", {"Name": "x", "TargetDpus": 2}, "greater than or equal to"),
    ("update_capacity_reservation", {"Name": "etl", "TargetDpus": 20}, "greater than or equal to 24"),
    ("update_capacity_reservation", {"Name": "missing", "TargetDpus": 24}, "Capacity reservation does not exist"),
    ("cancel_capacity_reservation", {"Name": "missing"}, "Capacity reservation does not exist"),
    ("delete_capacity_reservation", {"Name": "missing"}, "Capacity reservation does not exist"),
    ("get_capacity_assignment_configuration", {"CapacityReservationName": "missing"}, "does not exist"),
    ("put_capacity_assignment_configuration", {"CapacityReservationName": "missing", "CapacityAssignments": []},
     "does not exist"),
    ("create_capacity_reservation", {"Name": "etl", "TargetDpus": 24}, "already exists"),
    ("list_capacity_reservations", {"NextToken": "not-a-token"}, "NextToken"),
])
def test_bad_input_is_an_invalid_request_exception(lakebox_server, call, params, fragment):
    athena = make_client("athena", lakebox_server.endpoint_url, validate=False)
    athena.create_capacity_reservation(Name="etl", TargetDpus=24)
    code, message, status = refused(getattr(athena, call), **params)
    assert (code, status) == ("InvalidRequestException", 400)
    assert fragment in message


def test_tags_on_an_unknown_reservation_are_resource_not_found(athena):
    code, _, status = refused(athena.tag_resource, ResourceARN=ARN + "missing", Tags=[{"Key": "k", "Value": "v"}])
    assert (code, status) == ("ResourceNotFoundException", 400)
    athena.create_capacity_reservation(Name="etl", TargetDpus=24)
    athena.tag_resource(ResourceARN=ARN + "etl", Tags=[{"Key": "k", "Value": "v"}])
    athena.untag_resource(ResourceARN=ARN + "etl", TagKeys=["k"])
    assert athena.list_tags_for_resource(ResourceARN=ARN + "etl")["Tags"] == []


# --- persistence ------------------------------------------------------------------------------------

def test_reservations_and_assignments_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        athena = make_client("athena", server.endpoint_url)
        athena.create_work_group(Name="wg1")
        athena.create_capacity_reservation(Name="etl", TargetDpus=24, Tags=[{"Key": "team", "Value": "data"}])
        athena.update_capacity_reservation(Name="etl", TargetDpus=36)
        athena.put_capacity_assignment_configuration(CapacityReservationName="etl",
                                                     CapacityAssignments=[{"WorkGroupNames": ["wg1"]}])
        athena.create_capacity_reservation(Name="gone", TargetDpus=24)
        athena.cancel_capacity_reservation(Name="gone")
        before = reservation(athena, "etl")
    with running_lakebox(data, set_env=False) as server:
        athena = make_client("athena", server.endpoint_url)
        assert reservation(athena, "etl") == before
        assert reservation(athena, "gone")["Status"] == "CANCELLED"
        assert assigned(athena, "etl") == [{"WorkGroupNames": ["wg1"]}]
        assert athena.list_tags_for_resource(ResourceARN=ARN + "etl")["Tags"] == [{"Key": "team", "Value": "data"}]
        athena.create_capacity_reservation(Name="bi", TargetDpus=24)
        code = refused(athena.put_capacity_assignment_configuration, CapacityReservationName="bi",
                       CapacityAssignments=[{"WorkGroupNames": ["wg1"]}])[0]
        assert code == "InvalidRequestException"  # the assignment held across the restart


def test_a_store_written_before_capacity_reservations_is_upgraded_in_place(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        make_client("athena", server.endpoint_url).create_work_group(Name="kept", Description="from v2")
    path = data / ".lakebox" / "athena" / "athena.db"
    with sqlite3.connect(path) as db:  # what a lakebox before capacity reservations wrote
        db.execute("DROP TABLE capacity_reservations")
        db.execute("DROP TABLE capacity_assignments")
        db.execute("PRAGMA user_version=2")
    with running_lakebox(data, set_env=False) as server:
        athena = make_client("athena", server.endpoint_url)
        assert athena.get_work_group(WorkGroup="kept")["WorkGroup"]["Description"] == "from v2"
        athena.create_capacity_reservation(Name="etl", TargetDpus=24)
        athena.put_capacity_assignment_configuration(CapacityReservationName="etl",
                                                     CapacityAssignments=[{"WorkGroupNames": ["kept"]}])
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        assert db.execute("SELECT name FROM capacity_reservations").fetchall() == [("etl",)]
        assert db.execute("SELECT workgroup FROM capacity_assignments").fetchall() == [("kept",)]
