"""Capacity reservations: Create, Get, List, Update, Cancel, Delete, and the capacity assignment
configuration (Put/GetCapacityAssignmentConfiguration) that says which workgroups use a reservation.

On AWS a reservation asks Athena for a number of DPUs, which it allocates over minutes (PENDING, then
ACTIVE); a cancellation lets running queries finish (CANCELLING, then CANCELLED). lakebox has no DPUs
to hand out: every query, in an assigned workgroup or not, runs on the same local engine and no
capacity limit is applied to it. So the allocation is made and completed at once, inside the request
that asks for it: CreateCapacityReservation and UpdateCapacityReservation leave the reservation ACTIVE
with AllocatedDpus = TargetDpus and a SUCCEEDED LastAllocation whose request and completion times are
the same instant, and CancelCapacityReservation leaves it CANCELLED. PENDING, UPDATE_PENDING and
CANCELLING are therefore never observed; the state the API reports is the reservation's whole state,
so a client that waits for ACTIVE or CANCELLED (Terraform, CloudFormation tooling) returns at once.

The one transition left to time is the documented one: a cancelled reservation stays in the account,
tags included, for 45 days on the service clock (`lakebox clock advance 45d` shows it go), then is
gone as if deleted. Expired rows are hidden at once, and removed with their tags by the next
CreateCapacityReservation in that account and region.

Rules enforced as documented: TargetDpus is at least 24; the name is 1-128 of `[a-zA-Z0-9._-]`; a
cancelled reservation cannot be updated, reassigned or cancelled again, and only a CANCELLED (or
FAILED) one can be deleted; a reservation takes at most 20 workgroups, each must exist, and a workgroup
can be in only one reservation at a time (a cancelled reservation releases its workgroups).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from ...protocol.validation import validation_error
from .common import arn, forget_tags, page, put_tags, scope
from .errors import invalid_request
from .store import AthenaStore, decode, encode

MIN_DPUS = 24
MAX_WORKGROUPS = 20
RETENTION = dt.timedelta(days=45)
_NAME = re.compile(r"[a-zA-Z0-9._-]+")
#: The statuses from which a reservation may be deleted (DeleteCapacityReservation's documentation).
DELETABLE = ("CANCELLED", "FAILED")
#: Kept in the stored doc beside the CapacityReservation fields; never part of a CapacityReservation.
_ASSIGNMENTS = "CapacityAssignments"


def reservation_arn(ctx: RequestContext, name: str) -> str:
    return arn(ctx, f"capacity-reservation/{name}")


def reservation_exists(store: AthenaStore, scope_key: str, name: str, now: dt.datetime) -> bool:
    """Whether the reservation is in the account (for the tag operations)."""
    return _load(store.reader(), scope_key, name, now) is not None


def _load(db: sqlite3.Connection, scope_key: str, name: str, now: dt.datetime) -> dict | None:
    row = db.execute("SELECT doc FROM capacity_reservations WHERE scope = ? AND name = ? "
                     "AND (expires IS NULL OR expires > ?)", (scope_key, name, now.timestamp())).fetchone()
    return decode(row["doc"]) if row else None


def _must_load(db: sqlite3.Connection, scope_key: str, name: str, now: dt.datetime) -> dict:
    doc = _load(db, scope_key, name, now)
    if doc is None:
        raise invalid_request("Capacity reservation does not exist")
    return doc


def _save(db: sqlite3.Connection, scope_key: str, doc: dict, expires: dt.datetime | None = None) -> None:
    db.execute("INSERT OR REPLACE INTO capacity_reservations (scope, name, doc, expires) VALUES (?, ?, ?, ?)",
               (scope_key, doc["Name"], encode(doc), expires.timestamp() if expires else None))


def _public(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != _ASSIGNMENTS}


def _check_name(name: str) -> None:
    # The model's length limits are checked by the protocol layer; its pattern is checked here.
    if not _NAME.fullmatch(name):
        problem = (f"Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy regular "
                   f"expression pattern: {_NAME.pattern}")
        raise validation_error("athena", [problem])


def _check_dpus(dpus: int) -> None:
    # The model says at least 4; the API reference (and the service) say at least 24.
    if dpus < MIN_DPUS:
        problem = (f"Value '{dpus}' at 'targetDpus' failed to satisfy constraint: Member must have value "
                   f"greater than or equal to {MIN_DPUS}")
        raise validation_error("athena", [problem])


def _allocate(doc: dict, dpus: int, now: dt.datetime) -> None:
    """Request `dpus` and complete the request at once (the module docstring says why)."""
    doc.update({"Status": "ACTIVE", "TargetDpus": dpus, "AllocatedDpus": dpus, "LastSuccessfulAllocationTime": now,
                "LastAllocation": {"Status": "SUCCEEDED", "StatusMessage": f"Allocated {dpus} DPUs",
                                   "RequestTime": now, "RequestCompletionTime": now}})


def _forget(db: sqlite3.Connection, ctx: RequestContext, name: str) -> None:
    db.execute("DELETE FROM capacity_reservations WHERE scope = ? AND name = ?", (scope(ctx), name))
    db.execute("DELETE FROM capacity_assignments WHERE scope = ? AND reservation = ?", (scope(ctx), name))
    forget_tags(db, reservation_arn(ctx, name))


def _purge_expired(db: sqlite3.Connection, ctx: RequestContext, now: dt.datetime) -> None:
    """Remove the cancelled reservations whose 45 days have passed, with their tags."""
    rows = db.execute("SELECT name FROM capacity_reservations WHERE scope = ? AND expires <= ?",
                      (scope(ctx), now.timestamp())).fetchall()
    for row in rows:
        _forget(db, ctx, row["name"])


class CapacityReservationsMixin:
    store: AthenaStore
    clock: ServiceClock

    def create_capacity_reservation(self, ctx: RequestContext, params: dict) -> dict:
        name, dpus = params["Name"], params["TargetDpus"]
        _check_name(name)
        _check_dpus(dpus)
        now = self.clock.now()
        doc = {"Name": name, "CreationTime": now}
        _allocate(doc, dpus, now)
        with self.store.write() as db:
            _purge_expired(db, ctx, now)
            if _load(db, scope(ctx), name, now) is not None:
                raise invalid_request(f"Capacity reservation {name} already exists")
            _save(db, scope(ctx), doc)
            put_tags(db, reservation_arn(ctx, name), params.get("Tags"))
        return {}

    def get_capacity_reservation(self, ctx: RequestContext, params: dict) -> dict:
        doc = _must_load(self.store.reader(), scope(ctx), params["Name"], self.clock.now())
        return {"CapacityReservation": _public(doc)}

    def list_capacity_reservations(self, ctx: RequestContext, params: dict) -> dict:
        rows = self.store.read("SELECT doc FROM capacity_reservations WHERE scope = ? AND "
                               "(expires IS NULL OR expires > ?) ORDER BY name",
                               (scope(ctx), self.clock.now().timestamp()))
        chunk, token = page(rows, params.get("NextToken"), params.get("MaxResults"), 50)
        return {"CapacityReservations": [_public(decode(r["doc"])) for r in chunk], "NextToken": token}

    def update_capacity_reservation(self, ctx: RequestContext, params: dict) -> dict:
        _check_dpus(params["TargetDpus"])
        now = self.clock.now()
        with self.store.write() as db:
            doc = _must_load(db, scope(ctx), params["Name"], now)
            if doc["Status"] != "ACTIVE":
                raise invalid_request(f"Capacity reservation {doc['Name']} is {doc['Status']} and cannot be updated")
            _allocate(doc, params["TargetDpus"], now)
            _save(db, scope(ctx), doc)
        return {}

    def cancel_capacity_reservation(self, ctx: RequestContext, params: dict) -> dict:
        now = self.clock.now()
        with self.store.write() as db:
            doc = _must_load(db, scope(ctx), params["Name"], now)
            if doc["Status"] in DELETABLE:
                raise invalid_request(f"Capacity reservation {doc['Name']} is already {doc['Status']}")
            # Cancelled at once: nothing runs on reserved capacity that would need to finish first.
            doc.update({"Status": "CANCELLED", "AllocatedDpus": 0})
            _save(db, scope(ctx), doc, expires=now + RETENTION)
            db.execute("DELETE FROM capacity_assignments WHERE scope = ? AND reservation = ?",
                       (scope(ctx), doc["Name"]))
        return {}

    def delete_capacity_reservation(self, ctx: RequestContext, params: dict) -> dict:
        now = self.clock.now()
        with self.store.write() as db:
            doc = _must_load(db, scope(ctx), params["Name"], now)
            if doc["Status"] not in DELETABLE:
                raise invalid_request(f"Capacity reservation {doc['Name']} is {doc['Status']}; only a cancelled "
                                      "capacity reservation can be deleted")
            _forget(db, ctx, doc["Name"])
        return {}

    def put_capacity_assignment_configuration(self, ctx: RequestContext, params: dict) -> dict:
        name = params["CapacityReservationName"]
        assignments = [{"WorkGroupNames": list(a.get("WorkGroupNames") or [])} for a in params["CapacityAssignments"]]
        wanted = list(dict.fromkeys(wg for a in assignments for wg in a["WorkGroupNames"]))
        if len(wanted) > MAX_WORKGROUPS:
            raise invalid_request(f"A capacity reservation can have at most {MAX_WORKGROUPS} workgroups; "
                                  f"{len(wanted)} were given")
        self._ensure_primary(ctx)  # primary is made on first use, like every other workgroup reader
        now = self.clock.now()
        with self.store.write() as db:
            doc = _must_load(db, scope(ctx), name, now)
            if doc["Status"] in DELETABLE:
                raise invalid_request(f"Capacity reservation {name} is {doc['Status']}; workgroups cannot be "
                                      "assigned to it")
            for workgroup in wanted:
                if not db.execute("SELECT 1 FROM workgroups WHERE scope = ? AND name = ?",
                                  (scope(ctx), workgroup)).fetchone():
                    raise invalid_request(f"WorkGroup {workgroup} is not found.")
                held = db.execute("SELECT reservation FROM capacity_assignments WHERE scope = ? AND workgroup = ? "
                                  "AND reservation != ?", (scope(ctx), workgroup, name)).fetchone()
                if held:
                    raise invalid_request(f"WorkGroup {workgroup} is already assigned to capacity reservation "
                                          f"{held['reservation']}; a workgroup can be assigned to only one "
                                          "capacity reservation")
            # The new configuration replaces the old one whole.
            db.execute("DELETE FROM capacity_assignments WHERE scope = ? AND reservation = ?", (scope(ctx), name))
            db.executemany("INSERT INTO capacity_assignments (scope, workgroup, reservation) VALUES (?, ?, ?)",
                           [(scope(ctx), workgroup, name) for workgroup in wanted])
            doc[_ASSIGNMENTS] = assignments
            _save(db, scope(ctx), doc)
        return {}

    def get_capacity_assignment_configuration(self, ctx: RequestContext, params: dict) -> dict:
        doc = _must_load(self.store.reader(), scope(ctx), params["CapacityReservationName"], self.clock.now())
        return {"CapacityAssignmentConfiguration": {"CapacityReservationName": doc["Name"],
                                                    "CapacityAssignments": doc.get(_ASSIGNMENTS, [])}}
