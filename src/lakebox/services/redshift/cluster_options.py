"""What clusters lakebox can make: DescribeClusterVersions and DescribeOrderableClusterOptions.

Both answer from what CreateCluster accepts (provider.NODE_TYPES, cluster version 1.0, the parameter
group families of parameter_groups.py), so a client that picks from them makes a cluster that works.
Availability zones are names only (`<region>a` to `<region>c`): there is one host.
"""

from __future__ import annotations

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .parameter_groups import DEFAULT_FAMILY

CLUSTER_VERSION = "1.0"
CLUSTER_TYPES = ("multi-node", "single-node")


class ClusterOptionsMixin:
    def describe_cluster_versions(self, ctx: RequestContext, params: dict) -> dict:
        from .provider import page

        versions = [{"ClusterVersion": CLUSTER_VERSION, "ClusterParameterGroupFamily": DEFAULT_FAMILY,
                     "Description": f"Redshift Cluster Version {CLUSTER_VERSION}"}]
        if params.get("ClusterVersion"):
            versions = [v for v in versions if v["ClusterVersion"] == params["ClusterVersion"]]
        if params.get("ClusterParameterGroupFamily"):
            versions = [v for v in versions if v["ClusterParameterGroupFamily"] == params["ClusterParameterGroupFamily"]]
        return page(versions, params, "ClusterVersion", "ClusterVersions", dict)

    def describe_orderable_cluster_options(self, ctx: RequestContext, params: dict) -> dict:
        from .provider import NODE_TYPES, page

        version, node_type = params.get("ClusterVersion"), params.get("NodeType")
        if version is not None and version != CLUSTER_VERSION:
            raise AwsError("InvalidParameterValue", f"Invalid cluster version: {version}", 400)
        zones = [{"Name": f"{ctx.region}{letter}", "SupportedPlatforms": [{"Name": "VPC"}]} for letter in "abc"]
        options = [{"Key": f"{n}/{t}", "ClusterVersion": CLUSTER_VERSION, "ClusterType": t, "NodeType": n,
                    "AvailabilityZones": zones}
                   for n in sorted(NODE_TYPES) for t in CLUSTER_TYPES if node_type in (None, n)]
        return page(options, params, "Key", "OrderableClusterOptions",
                    lambda o: {k: v for k, v in o.items() if k != "Key"})
