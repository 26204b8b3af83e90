"""Service-linked roles: the roles an AWS service creates for itself under `/aws-service-role/<service>/`.

For the services in `service_linked_roles.json` the role gets AWS's own name and AWS's managed policy,
and a custom suffix is accepted only where AWS accepts one. A service lakebox has no record of still
gets a role, named after the service's first label, and any suffix.

AWS deletes such a role asynchronously and reports on a deletion task. Nothing here is in use by a
service, so the role goes at once and its task is kept as SUCCEEDED for GetServiceLinkedRoleDeletionStatus.
"""

from __future__ import annotations

import functools
import json
import uuid
from pathlib import Path
from typing import Optional

from ...protocol.context import RequestContext
from .common import invalid_input, no_such_entity
from .roles import role_output

_TASK_KIND = "slr-deletion-task"


@functools.cache
def _known() -> dict[str, dict]:
    with open(Path(__file__).with_name("service_linked_roles.json"), encoding="utf-8") as f:
        return json.load(f)["services"]


def service_role_name(service: str, suffix: Optional[str]) -> str:
    known = _known().get(service)
    if known is not None:
        if suffix and not known.get("CustomSuffix"):
            raise invalid_input(f"Custom suffix is not allowed for {service}")
        base = known["RoleName"]
    else:
        label = service.split(".")[0]
        base = f"AWSServiceRoleFor{label[:1].upper()}{label[1:]}"
    return f"{base}_{suffix}" if suffix else base


def service_policy_arn(service: str) -> Optional[str]:
    known = _known().get(service)
    return f"arn:aws:iam::aws:policy/aws-service-role/{known['PolicyName']}" if known is not None else None


def _service_of(role: dict) -> Optional[str]:
    """The service a role is linked to, from its path; None for an ordinary role."""
    path = role["Path"]
    prefix = "/aws-service-role/"
    return path[len(prefix):-1] if path.startswith(prefix) and path.count("/") == 3 else None


class ServiceLinkedRolesMixin:
    def create_service_linked_role(self, ctx: RequestContext, params: dict) -> dict:
        service = params["AWSServiceName"]
        name = service_role_name(service, params.get("CustomSuffix"))
        trust = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"%s"},'
                 '"Action":"sts:AssumeRole"}]}' % service)
        with self.store.lock:
            if self.store.get(ctx.account_id, "role", name) is not None:
                raise invalid_input(f"Service role name {name} has been taken in this account, please try a "
                                    "different suffix.")
            policy = service_policy_arn(service)
            doc = self._new_role(ctx, name, f"/aws-service-role/{service}/", trust, params,
                                 attached=[policy] if policy else [])
        return {"Role": role_output(doc)}

    def delete_service_linked_role(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            role = self._role(ctx, params["RoleName"])
            service = _service_of(role)
            if service is None:
                raise invalid_input(f"{role['RoleName']} is not a service-linked role.")
            task_id = f"task/aws-service-role/{service}/{role['RoleName']}/{uuid.uuid4()}"
            self.store.put_many(ctx.account_id, [(_TASK_KIND, task_id, {"DeletionTaskId": task_id, "Status": "SUCCEEDED"})],
                                deletes=[("role", role["RoleName"])])
        return {"DeletionTaskId": task_id}

    def get_service_linked_role_deletion_status(self, ctx: RequestContext, params: dict) -> dict:
        task_id = params["DeletionTaskId"]
        if not task_id.startswith("task/aws-service-role/"):
            raise invalid_input(f"Invalid deletion task id: {task_id}")
        task = self.store.get(ctx.account_id, _TASK_KIND, task_id)
        if task is None:
            raise no_such_entity(f"Deletion task {task_id} cannot be found.")
        return {"Status": task["Status"]}
