"""ModifyClusterIamRoles: the IAM roles associated with a cluster, and its default role.

A cluster's roles are what COPY, UNLOAD, CREATE EXTERNAL SCHEMA and CREATE MODEL may name in
IAM_ROLE, and `IAM_ROLE default` means the DefaultIamRoleArn. lakebox records them and shows them
in DescribeClusters. It does not assume the roles, since the data is on the local disk: SQL that
names a role runs whether or not the role is associated.

AWS's rules kept: at most 50 roles per cluster (adding one already there is a no-op), only role
ARNs, and a default role must be one of the cluster's roles once the change is applied. Removing
the default role clears the default.
"""

from __future__ import annotations

import re

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError

MAX_ROLES = 50
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message, 400)


def check_role_arns(arns: list[str]) -> None:
    for arn in arns:
        if not _ROLE_ARN.fullmatch(arn):
            raise _invalid(f"{arn} is not a valid IAM role ARN.")


def role_entries(arns: list[str]) -> list[dict]:
    return [{"IamRoleArn": arn, "ApplyStatus": "in-sync"} for arn in arns]


def check_cluster_roles(roles: list[str], default) -> None:
    """The rules a cluster's roles keep, at CreateCluster and at every change."""
    if len(roles) > MAX_ROLES:
        raise AwsError("ClusterQuotaForCustomerExceeded",
                       f"You can associate at most {MAX_ROLES} IAM roles with a cluster.", 400)
    if default and default not in roles:
        raise _invalid(f"The default IAM role {default} must be one of the cluster's IAM roles.")


class ClusterIamRolesMixin:
    def modify_cluster_iam_roles(self, ctx: RequestContext, params: dict) -> dict:
        add = list(dict.fromkeys(params.get("AddIamRoles") or []))
        remove = set(params.get("RemoveIamRoles") or [])
        default = params.get("DefaultIamRoleArn")
        check_role_arns(add + sorted(remove) + ([default] if default else []))
        if set(add) & remove:
            raise _invalid("A role cannot be both added to and removed from a cluster in one request.")
        with self.store.lock:
            doc = self._cluster(ctx, params["ClusterIdentifier"])
            current = [entry["IamRoleArn"] for entry in doc.get("IamRoles") or []]
            roles = [arn for arn in current if arn not in remove] + [arn for arn in add if arn not in current]
            new_default = default or doc.get("DefaultIamRoleArn")
            if new_default in remove:
                new_default = None
            check_cluster_roles(roles, new_default)
            doc["IamRoles"] = role_entries(roles)
            doc["DefaultIamRoleArn"] = new_default
            self.store.put(ctx.account_id, doc)
            runtime = self.runtime(ctx.account_id, doc["ClusterIdentifier"])
            if runtime is not None:
                runtime.doc = doc
        return {"Cluster": self._output(ctx, doc)}
