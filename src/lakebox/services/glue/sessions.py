"""Glue interactive sessions: CreateSession, GetSession, ListSessions, StopSession, DeleteSession, and
their statements: RunStatement, GetStatement, ListStatements, CancelStatement.

A session is a live Spark driver (session_worker.py, session_driver.py) that runs PySpark statements
one after another in one namespace, as the Glue Jupyter kernel and notebooks use it: CreateSession
answers PROVISIONING, the session is READY once Spark is up, RunStatement queues code, and
GetStatement shows its output (what it printed, and the repr of a last expression) or its error.

Glue's rules kept: glueetl and gluestreaming sessions (Ray is not run here); Glue 2.0 or later;
capacity as for jobs (WorkerType with NumberOfWorkers, or MaxCapacity, not both); statements only
while READY (IllegalSessionStateException otherwise); StopSession only while PROVISIONING or
READY. IdleTimeout and Timeout default to 2,880 minutes. Tags live with every Glue resource's
(`arn:aws:glue:<region>:<account>:session/<id>`).
"""

from __future__ import annotations

import shutil
import uuid
from typing import Any

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import owner_key, page, resource_arn
from .errors import already_exists, entity_not_found, invalid_input
from .job_definition import DEFAULT_GLUE_VERSION, SPARK_COMMANDS, capacity
from .session_store import SessionStore, public
from .session_worker import SessionWorker
from .store import CatalogStore
from .tags import forget_tags, has_tags, put_tags

DEFAULT_TIMEOUT_MINUTES = 2880
DEFAULT_PAGE_SIZE = 100
STOPPABLE = ("PROVISIONING", "READY")
FINAL_STATEMENT_STATES = ("AVAILABLE", "CANCELLED", "ERROR")


def illegal_state(message: str) -> AwsError:
    return AwsError("IllegalSessionStateException", message, 400)


def session_not_found(session_id: str) -> AwsError:
    return entity_not_found(f"Session {session_id} not found.")


def _new_session(params: dict, now: Any) -> dict:
    command = dict(params["Command"])
    kind = command.get("Name") or "glueetl"
    if kind not in SPARK_COMMANDS:
        raise invalid_input(f"Command name {kind} is not supported for interactive sessions: "
                            "use glueetl or gluestreaming (lakebox does not run Ray).")
    command["Name"] = kind
    command.setdefault("PythonVersion", "3")
    version = params.get("GlueVersion") or DEFAULT_GLUE_VERSION[kind]
    if int(version.split(".")[0]) < 2:
        raise invalid_input(f"Glue version {version} does not support interactive sessions: use 2.0 or later.")
    sizes = capacity(params, kind, version, "")
    doc: dict[str, Any] = {
        "Id": params["Id"], "CreatedOn": now, "Status": "PROVISIONING", "Role": params["Role"],
        "Command": command, "DefaultArguments": dict(params.get("DefaultArguments") or {}), "Progress": 0.0,
        "MaxCapacity": sizes["MaxCapacity"], "GlueVersion": version,
        "IdleTimeout": params.get("IdleTimeout") or DEFAULT_TIMEOUT_MINUTES,
        "_Timeout": params.get("Timeout") or DEFAULT_TIMEOUT_MINUTES, "_Folder": uuid.uuid4().hex,
    }
    for name in ("WorkerType", "NumberOfWorkers"):
        if sizes.get(name) is not None:
            doc[name] = sizes[name]
    for name in ("Description", "Connections", "SecurityConfiguration"):
        if params.get(name) is not None:
            doc[name] = params[name]
    return doc


class SessionsMixin:
    store: CatalogStore
    session_store: SessionStore
    session_worker: SessionWorker
    clock: Any

    def _session(self, ctx: RequestContext, session_id: str) -> dict:
        doc = self.session_store.session(owner_key(ctx), session_id)
        if doc is None:
            raise session_not_found(session_id)
        return doc

    def create_session(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        doc = _new_session(params, self.clock.now())
        with self.session_store.write() as db:
            if self.session_store.load_session(db, key, doc["Id"]) is not None:
                raise already_exists(f"Session {doc['Id']} already exists.")
            self.session_store.put_session(db, key, doc)
        if params.get("Tags"):
            with self.store.write() as db:
                put_tags(db, resource_arn(ctx, "session/" + doc["Id"]), params["Tags"])
        self.session_worker.start(key, doc)
        return {"Session": public(doc)}

    def get_session(self, ctx: RequestContext, params: dict) -> dict:
        return {"Session": public(self._session(ctx, params["Id"]))}

    def list_sessions(self, ctx: RequestContext, params: dict) -> dict:
        docs = self.session_store.sessions(owner_key(ctx))
        wanted = params.get("Tags")
        if wanted:
            docs = [d for d in docs if has_tags(self.store, resource_arn(ctx, "session/" + d["Id"]), wanted)]
        chunk, token = page([(f"{d['_Seq']:012d}", public(d)) for d in docs], params.get("NextToken"),
                            params.get("MaxResults"), DEFAULT_PAGE_SIZE)
        return {"Ids": [d["Id"] for d in chunk], "Sessions": chunk, "NextToken": token}

    def stop_session(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        with self.session_store.write() as db:
            doc = self.session_store.load_session(db, key, params["Id"])
            if doc is None:
                raise session_not_found(params["Id"])
            if doc["Status"] not in STOPPABLE:
                raise illegal_state(f"Session {doc['Id']} is in {doc['Status']} status.")
            doc["Status"] = "STOPPING"
            self.session_store.put_session(db, key, doc)
        self.session_worker.stop(key, doc["Id"], "stop")
        return {"Id": doc["Id"]}

    def delete_session(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        doc = self._session(ctx, params["Id"])
        if self.session_worker.stop(key, doc["Id"], "delete"):
            self.session_worker.wait(key, doc["Id"])
        with self.session_store.write() as db:
            self.session_store.delete_session(db, key, doc["Id"])
        with self.store.write() as db:
            forget_tags(db, resource_arn(ctx, "session/" + doc["Id"]))
        shutil.rmtree(self.session_worker.folder(doc), ignore_errors=True)
        return {"Id": doc["Id"]}

    # ------------------------------------------------------------------ statements

    def run_statement(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        with self.session_store.write() as db:
            doc = self.session_store.load_session(db, key, params["SessionId"])
            if doc is None:
                raise session_not_found(params["SessionId"])
            if doc["Status"] != "READY":
                raise illegal_state(f"Session {doc['Id']} is in {doc['Status']} status.")
            statement_id = self.session_store.next_statement_id(db, key, doc["Id"])
            self.session_store.put_statement(db, key, doc["Id"], {
                "Id": statement_id, "Code": params["Code"], "State": "WAITING", "Progress": 0.0})
        self.session_worker.submit(doc, statement_id, params["Code"])
        return {"Id": statement_id}

    def _statement(self, ctx: RequestContext, session_id: str, statement_id: int) -> dict:
        self._session(ctx, session_id)
        found = self.session_store.statement(owner_key(ctx), session_id, statement_id)
        if found is None:
            raise entity_not_found(f"Statement {statement_id} not found in session {session_id}.")
        return found

    def get_statement(self, ctx: RequestContext, params: dict) -> dict:
        return {"Statement": self._statement(ctx, params["SessionId"], params["Id"])}

    def list_statements(self, ctx: RequestContext, params: dict) -> dict:
        self._session(ctx, params["SessionId"])
        docs = self.session_store.statements(owner_key(ctx), params["SessionId"])
        chunk, token = page([(f"{d['Id']:012d}", d) for d in docs], params.get("NextToken"), None,
                            DEFAULT_PAGE_SIZE)
        return {"Statements": chunk, "NextToken": token}

    def cancel_statement(self, ctx: RequestContext, params: dict) -> dict:
        key, session_id, statement_id = owner_key(ctx), params["SessionId"], params["Id"]
        session = self._session(ctx, session_id)
        with self.session_store.write() as db:
            statement = self.session_store.load_statement(db, key, session_id, statement_id)
            if statement is None:
                raise entity_not_found(f"Statement {statement_id} not found in session {session_id}.")
            state = statement["State"]
            if state in FINAL_STATEMENT_STATES:
                raise illegal_state(f"Statement {statement_id} is in {state} state.")
            if state == "WAITING":
                statement["State"] = "CANCELLED"
            elif state == "RUNNING":
                statement["State"] = "CANCELLING"
            self.session_store.put_statement(db, key, session_id, statement)
        self.session_worker.cancel(session, statement_id, running=state != "WAITING")
        return {}
