"""Cluster security groups: the EC2-Classic way of opening a cluster to addresses, which AWS has
retired. Every account is now VPC-by-default, and AWS answers each of these operations with the
same refusal; lakebox does too, so that tools which probe them (and skip on this answer) work.
"""

from __future__ import annotations

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError


def _vpc_by_default() -> AwsError:
    return AwsError("InvalidParameterValue", "VPC-by-Default customers cannot use cluster security groups", 400)


class SecurityGroupsMixin:
    def create_cluster_security_group(self, ctx: RequestContext, params: dict) -> dict:
        raise _vpc_by_default()

    def delete_cluster_security_group(self, ctx: RequestContext, params: dict) -> dict:
        raise _vpc_by_default()

    def describe_cluster_security_groups(self, ctx: RequestContext, params: dict) -> dict:
        raise _vpc_by_default()

    def authorize_cluster_security_group_ingress(self, ctx: RequestContext, params: dict) -> dict:
        raise _vpc_by_default()

    def revoke_cluster_security_group_ingress(self, ctx: RequestContext, params: dict) -> dict:
        raise _vpc_by_default()
