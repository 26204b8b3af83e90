"""The Amazon Redshift provider: clusters and temporary credentials.

A cluster is available as soon as CreateCluster answers (AWS takes minutes; a waiter sees it at its
first poll). The answer itself shows it `creating`, without an endpoint, as AWS's does. Its Endpoint is a real Postgres listener on the server's host, from port 5439 (or the
Port asked for) up to the first free one. Networking and encryption settings (subnet group, security
groups, KMS key, public access) are recorded and shown, not enforced: there is one host.
Pausing stops the listener; resuming starts it again; rebooting restarts it; deleting removes the
cluster's databases, after copying them into a final snapshot if one is named (snapshots.py).
Every listener serves TLS with one certificate, signed by a local CA, both made once per data folder
under `<data>/.lakebox/redshift/tls/` when the first cluster starts (engines/redshift/tls.py).
What clusters go through is recorded as Redshift events (events.py); tags, subnet groups, snapshot
copies and sharing, single-table restores and scheduled actions each have a module of their own.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import ssl
import threading
from typing import Any, Optional

from ...engines.redshift import tls
from ...passwords import password_hash
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ..base import Provider
from .audit_logging import AuditLogger, LoggingMixin
from .automated_snapshots import AutomatedSnapshotsMixin, check_automated_retention
from .cluster_iam_roles import ClusterIamRolesMixin, check_cluster_roles, check_role_arns, role_entries
from .cluster_options import ClusterOptionsMixin
from .events import EventsMixin
from .parameter_groups import ParameterGroupsMixin, default_group, session_settings
from .runtime import ClusterRuntime
from .scheduled_actions import ScheduledActionsMixin, ScheduleRunner
from .security_groups import SecurityGroupsMixin
from .snapshot_copy import SnapshotCopyMixin
from .snapshot_copy_grants import SnapshotCopyGrantsMixin
from .snapshot_ops import SnapshotOpsMixin
from .snapshots import SnapshotsMixin
from .store import ClusterStore
from .subnet_groups import SubnetGroupsMixin
from .table_restore import TableRestoresMixin
from .tagging import TaggingMixin

log = logging.getLogger("lakebox.redshift")

DEFAULT_PORT = 5439
NODE_TYPES = {"dc2.large", "dc2.8xlarge", "ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge", "ds2.xlarge",
              "ds2.8xlarge"}
_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_DB_NAME = re.compile(r"[a-z_][a-z0-9_$]{0,63}")
_PASSWORD_FORBIDDEN = set("'\"\\/@ ")


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message, 400)


def not_found(identifier: str) -> AwsError:
    return AwsError("ClusterNotFound", f"Cluster {identifier} not found.", 404)


def check_cluster_identifier(identifier: str) -> None:
    if not _IDENTIFIER.fullmatch(identifier) or len(identifier) > 63:
        raise invalid("The parameter ClusterIdentifier must be lowercase letters, digits and single hyphens, "
                      "start with a letter, not end with a hyphen, and be at most 63 characters.")


def page(items: list[dict], params: dict, key: str, out_name: str, shown) -> dict:
    """One page of a Describe answer: MaxRecords (20 to 100, default 100) items after the Marker,
    and the Marker of the next page when there is one."""
    limit = params.get("MaxRecords")
    if limit is None:
        limit = 100
    elif not 20 <= limit <= 100:
        raise invalid("MaxRecords must be between 20 and 100.")
    after = params.get("Marker")
    if after:
        items = [item for item in items if item[key] > after]
    out: dict = {out_name: [shown(item) for item in items[:limit]]}
    if len(items) > limit:
        out["Marker"] = items[limit - 1][key]
    return out


def requested_settings(params: dict, default_zone: str) -> dict:
    """The settings CreateCluster and RestoreFromClusterSnapshot both take, with AWS's defaults:
    recorded and shown, not enforced (one host, no VPC). The IAM roles keep AWS's rules."""
    roles = list(dict.fromkeys(params.get("IamRoles") or []))
    check_role_arns(roles + ([params["DefaultIamRoleArn"]] if params.get("DefaultIamRoleArn") else []))
    check_cluster_roles(roles, params.get("DefaultIamRoleArn"))
    check_automated_retention(params.get("AutomatedSnapshotRetentionPeriod", 1))
    return {
        "AutomatedSnapshotRetentionPeriod": params.get("AutomatedSnapshotRetentionPeriod", 1),
        "ManualSnapshotRetentionPeriod": params.get("ManualSnapshotRetentionPeriod", -1),
        "VpcSecurityGroups": [{"VpcSecurityGroupId": g, "Status": "active"} for g in params.get("VpcSecurityGroupIds") or []],
        "ClusterSubnetGroupName": params.get("ClusterSubnetGroupName") or "default",
        "AvailabilityZone": params.get("AvailabilityZone") or default_zone,
        "PreferredMaintenanceWindow": params.get("PreferredMaintenanceWindow") or "sun:23:00-sun:23:30",
        "AllowVersionUpgrade": params.get("AllowVersionUpgrade", True),
        "PubliclyAccessible": params.get("PubliclyAccessible", False),
        "EnhancedVpcRouting": params.get("EnhancedVpcRouting", False),
        "IamRoles": role_entries(roles),
        "DefaultIamRoleArn": params.get("DefaultIamRoleArn"),
        "Tags": [{"Key": t["Key"], "Value": t.get("Value", "")} for t in params.get("Tags") or []],
    }


def weak_password(password: str) -> bool:
    """Whether a master password breaks Redshift's rules (clusters' and Serverless namespaces' alike)."""
    return not (8 <= len(password) <= 64) or not re.search(r"[A-Z]", password) or not re.search(r"[a-z]", password) \
        or not re.search(r"[0-9]", password) or bool(_PASSWORD_FORBIDDEN & set(password))


def _check_password(password: str) -> None:
    if weak_password(password):
        raise invalid("The parameter MasterUserPassword is not a valid password. It must be 8 to 64 characters, "
                      "with at least one uppercase letter, one lowercase letter and one number, and cannot contain "
                      "/, @, \", ', \\ or spaces.")


def as_being_created(doc: dict) -> dict:
    """A new cluster as CreateCluster and RestoreFromClusterSnapshot answer it: `creating`, with no
    endpoint yet. lakebox's cluster is ready by the time the call returns, so the next
    DescribeClusters (and the cluster_available waiter) finds it `available`."""
    return {**doc, "ClusterStatus": "creating", "ClusterAvailabilityStatus": "Modifying"}


def _resized(doc: dict, params: dict) -> tuple[str, int]:
    """The cluster type and node count after a ModifyCluster: a single-node cluster has one node,
    a multi-node one at least two."""
    cluster_type = params.get("ClusterType") or doc["ClusterType"]
    if cluster_type not in ("single-node", "multi-node"):
        raise invalid(f"Invalid cluster type: {cluster_type}. Valid values are single-node and multi-node.")
    nodes = params.get("NumberOfNodes")
    if nodes is None:
        nodes = 1 if cluster_type == "single-node" else max(doc["NumberOfNodes"], 2)
    if cluster_type == "single-node" and nodes != 1:
        raise AwsError("InvalidParameterCombination", "Number of nodes for cluster type single-node must be 1.", 400)
    if cluster_type == "multi-node" and nodes < 2:
        raise AwsError("InvalidParameterCombination",
                       "Number of nodes for cluster type multi-node must be greater than or equal to 2.", 400)
    return cluster_type, nodes


def iam_database_user(arn: str) -> str:
    """The database user Redshift maps an IAM identity to, one to one: a role's sessions share
    `IAMR:<role>`, a user (or federated user) is `IAM:<name>`."""
    resource = arn.split(":", 5)[-1]
    kind, _, rest = resource.partition("/")
    if kind == "assumed-role":
        return "IAMR:" + rest.split("/")[0]
    return "IAM:" + (rest.rsplit("/", 1)[-1] if rest else kind)


class RedshiftProvider(ClusterIamRolesMixin, TaggingMixin, SnapshotsMixin, AutomatedSnapshotsMixin,
                       SnapshotCopyMixin, SnapshotCopyGrantsMixin, SnapshotOpsMixin,
                       TableRestoresMixin, ScheduledActionsMixin, SubnetGroupsMixin, SecurityGroupsMixin, EventsMixin,
                       ClusterOptionsMixin, LoggingMixin, ParameterGroupsMixin, Provider):
    service_name = "redshift"

    def __init__(self, config: Any, *, lake: Any, glue_catalog: Any):
        super().__init__(config)
        self.lake, self.glue_catalog = lake, glue_catalog
        #: STS's provider, for the caller's identity (GetClusterCredentialsWithIAM); set when wired.
        self.sts: Any = None
        self.store = ClusterStore(config.data_dir / ".lakebox" / "redshift")
        self.runtimes: dict[tuple[str, str], ClusterRuntime] = {}
        self.audit = AuditLogger(lake, config.clock)
        self._tls: Optional[ssl.SSLContext] = None
        self._tls_lock = threading.Lock()
        for doc in self.store.all():
            if doc["ClusterStatus"] == "available":
                self._start(doc)
        self.resume_table_restores()
        self._schedule_lock = threading.Lock()
        self.schedules = ScheduleRunner(self, config.clock)
        self.schedules.start()

    # -- runtimes -----------------------------------------------------------------------------------

    def runtime(self, account: str, identifier: str) -> Optional[ClusterRuntime]:
        return self.runtimes.get((account, identifier))

    def _start(self, doc: dict) -> ClusterRuntime:
        account = doc["Account"]
        runtime = ClusterRuntime(doc, self.store.data_dir(account, doc["ClusterIdentifier"]), lake=self.lake,
                                 glue_catalog=self.glue_catalog, account=account, region=doc["Region"],
                                 audit=self.audit,
                                 save_users=lambda users: self._save_users(account, doc["ClusterIdentifier"], users),
                                 save_databases=lambda databases: self._save_field(account, doc["ClusterIdentifier"],
                                                                                   "Databases", databases),
                                 settings=lambda: session_settings(self.cluster_group_values(account, runtime.doc)),
                                 tls=self.tls_context())
        port = runtime.start(self.config.host, doc["Endpoint"]["Port"])
        if port != doc["Endpoint"]["Port"]:
            # The port asked for was taken (another server, another lakebox): the cluster listens on
            # the next free one, which its stored document and its runtime's copy (a new one on a
            # cluster's first start) must both name, or COPY from Firehose would not find it.
            doc["Endpoint"]["Port"] = port
            runtime.doc["Endpoint"]["Port"] = port
            self.store.put(account, runtime.doc)
        self.runtimes[(account, doc["ClusterIdentifier"])] = runtime
        return runtime

    def tls_context(self) -> ssl.SSLContext:
        """The listeners' TLS context, made when the first cluster starts, so that a server that never
        runs a cluster writes no certificate; the files are reused across restarts."""
        with self._tls_lock:
            if self._tls is None:
                files = tls.ensure_files(self.store.root / "tls", [self.config.host])
                self._tls = tls.server_context(files)
            return self._tls

    def _save_users(self, account: str, identifier: str, users: dict) -> dict:
        """Keep a cluster's database users (CREATE/ALTER/DROP USER) with its settings; the new doc."""
        return self._save_field(account, identifier, "Users", users)

    def _save_field(self, account: str, identifier: str, field: str, value: Any) -> dict:
        """Keep what SQL changed of a cluster (its users, its databases' attributes); the new doc."""
        with self.store.lock:
            doc = self.store.get(account, identifier)
            doc[field] = value
            self.store.put(account, doc)
            return doc

    def _stop(self, account: str, identifier: str) -> None:
        runtime = self.runtimes.pop((account, identifier), None)
        if runtime is not None:
            runtime.close()
        self.audit.flush(account, identifier)

    # -- clusters -----------------------------------------------------------------------------------

    def _cluster(self, ctx: RequestContext, identifier: str) -> dict:
        doc = self.store.get(ctx.account_id, identifier)
        if doc is None or doc["Region"] != ctx.region:
            raise not_found(identifier)
        return doc

    def create_cluster(self, ctx: RequestContext, params: dict) -> dict:
        identifier = params["ClusterIdentifier"]
        check_cluster_identifier(identifier)
        node_type = params["NodeType"]
        if node_type not in NODE_TYPES:
            raise invalid(f"Invalid node type: {node_type}")
        cluster_type = params.get("ClusterType") or ("multi-node" if (params.get("NumberOfNodes") or 1) > 1
                                                      else "single-node")
        if cluster_type not in ("single-node", "multi-node"):
            raise invalid(f"Invalid cluster type: {cluster_type}. Valid values are single-node and multi-node.")
        nodes = params.get("NumberOfNodes") or (2 if cluster_type == "multi-node" else 1)
        if cluster_type == "single-node" and nodes != 1:
            raise invalid("Number of nodes for cluster type single-node must be 1.")
        if cluster_type == "multi-node" and nodes < 2:
            raise invalid("Number of nodes for cluster type multi-node must be greater than or equal to 2.")
        db_name = params.get("DBName") or "dev"
        if not _DB_NAME.fullmatch(db_name):
            raise invalid("DBName must be lowercase letters, digits, underscores or dollar signs, starting with a "
                          "letter or underscore, at most 64 characters.")
        group = self._resolve_group_name(ctx, params.get("ClusterParameterGroupName"))
        password = params.get("MasterUserPassword")
        if not password and not params.get("ManageMasterPassword"):
            raise invalid("The parameter MasterUserPassword must be specified.")
        if password:
            _check_password(password)
        with self.store.lock:
            if self.store.get(ctx.account_id, identifier) is not None:
                raise AwsError("ClusterAlreadyExists", "Cluster already exists", 400)
            now = dt.datetime.now(dt.timezone.utc).isoformat()
            doc = {
                "Account": ctx.account_id, "Region": ctx.region, "ClusterIdentifier": identifier,
                "NodeType": node_type, "ClusterStatus": "available", "ClusterAvailabilityStatus": "Available",
                "MasterUsername": params["MasterUsername"], "DBName": db_name, "PasswordHash": password_hash(password or ""),
                "Endpoint": {"Address": self.config.host, "Port": params.get("Port") or DEFAULT_PORT},
                "ClusterCreateTime": now, "NumberOfNodes": nodes, "ClusterType": cluster_type,
                "ClusterVersion": "1.0", "Encrypted": params.get("Encrypted", False), "KmsKeyId": params.get("KmsKeyId"),
                "ClusterParameterGroupName": group,
                **requested_settings(params, f"{ctx.region}a"),
            }
            self.store.put(ctx.account_id, doc)
            try:
                self._start(doc)
            except Exception:
                self.store.delete(ctx.account_id, identifier)
                raise
            if doc["AutomatedSnapshotRetentionPeriod"] > 0:
                self._take_automated_snapshot(ctx, doc, self.config.clock.now())
        self.record_event(ctx.account_id, ctx.region, "REDSHIFT-EVENT-2000", identifier,
                          f"Amazon Redshift cluster '{identifier}' has been created at {{at}} and is ready for use.")
        log.info("redshift cluster %s created (%s x %d), endpoint %s:%d", identifier, node_type, nodes,
                 doc["Endpoint"]["Address"], doc["Endpoint"]["Port"])
        return {"Cluster": self._output(ctx, as_being_created(self.store.get(ctx.account_id, identifier)))}

    def _output(self, ctx: RequestContext, doc: dict) -> dict:
        keep = ("ClusterIdentifier", "NodeType", "ClusterStatus", "ClusterAvailabilityStatus", "MasterUsername",
                "DBName", "AutomatedSnapshotRetentionPeriod", "ManualSnapshotRetentionPeriod", "VpcSecurityGroups",
                "ClusterSubnetGroupName", "AvailabilityZone", "PreferredMaintenanceWindow", "ClusterVersion",
                "AllowVersionUpgrade", "NumberOfNodes", "PubliclyAccessible", "Encrypted", "KmsKeyId",
                "EnhancedVpcRouting", "IamRoles", "DefaultIamRoleArn", "ClusterSnapshotCopyStatus", "Tags")
        out = {k: doc[k] for k in keep if doc.get(k) is not None}
        out["ClusterCreateTime"] = dt.datetime.fromisoformat(doc["ClusterCreateTime"])
        if doc["ClusterStatus"] != "creating":  # paused, resizing or deleting, a cluster keeps its address
            out["Endpoint"] = dict(doc["Endpoint"])
        out["ClusterNamespaceArn"] = (f"arn:aws:redshift:{doc['Region']}:{doc['Account']}:namespace:"
                                      f"{doc['ClusterIdentifier']}")
        out["ClusterNodes"] = [{"NodeRole": "LEADER" if doc["NumberOfNodes"] > 1 else "SHARED",
                                "PrivateIPAddress": "127.0.0.1", "PublicIPAddress": "127.0.0.1"}]
        out["PendingModifiedValues"] = {}
        out["ClusterSecurityGroups"] = []  # EC2-VPC accounts (all of today's) use VPC security groups
        out["ClusterParameterGroups"] = [{
            "ParameterGroupName": doc.get("ClusterParameterGroupName") or default_group("redshift-2.0"),
            "ParameterApplyStatus": "in-sync"}]
        if doc.get("RestoredFromSnapshot"):
            out["RestoreStatus"] = {"Status": "completed", "CurrentRestoreRateInMegaBytesPerSecond": 0.0,
                                    "ElapsedTimeInSeconds": 0, "EstimatedTimeToCompletionInSeconds": 0}
        return out

    def describe_clusters(self, ctx: RequestContext, params: dict) -> dict:
        if params.get("ClusterIdentifier"):
            return {"Clusters": [self._output(ctx, self._cluster(ctx, params["ClusterIdentifier"]))]}
        docs = [d for d in self.store.all(ctx.account_id) if d["Region"] == ctx.region]
        keys, values = set(params.get("TagKeys") or []), set(params.get("TagValues") or [])
        if keys or values:
            docs = [d for d in docs if any((not keys or t["Key"] in keys) and (not values or t["Value"] in values)
                                           for t in d.get("Tags", []))]
        return page(docs, params, "ClusterIdentifier", "Clusters", lambda d: self._output(ctx, d))

    def delete_cluster(self, ctx: RequestContext, params: dict) -> dict:
        identifier = params["ClusterIdentifier"]
        final = params.get("FinalClusterSnapshotIdentifier")
        if params.get("SkipFinalClusterSnapshot") and final:
            raise AwsError("InvalidParameterCombination", "FinalClusterSnapshotIdentifier must not be specified "
                                                          "when SkipFinalClusterSnapshot is true.", 400)
        with self.store.lock:
            doc = self._cluster(ctx, identifier)
            if not params.get("SkipFinalClusterSnapshot") and not final:
                raise AwsError("InvalidParameterCombination", "FinalClusterSnapshotIdentifier is required unless "
                                                              "SkipFinalClusterSnapshot is specified.", 400)
            if final:
                self._take_snapshot(ctx, doc, final, params.get("FinalClusterSnapshotRetentionPeriod", -1), [],
                                    final_of=True)
            self._stop(ctx.account_id, identifier)
            self._drop_automated(ctx, identifier)
            self.store.delete(ctx.account_id, identifier)
        self.record_event(ctx.account_id, ctx.region, "REDSHIFT-EVENT-2001", identifier,
                          f"Amazon Redshift cluster '{identifier}' has been deleted at {{at}}. A final snapshot was "
                          f"{'' if final else 'not '}saved.")
        doc["ClusterStatus"] = "deleting"
        log.info("redshift cluster %s deleted", identifier)
        return {"Cluster": self._output(ctx, doc)}

    def modify_cluster(self, ctx: RequestContext, params: dict) -> dict:
        if params.get("AutomatedSnapshotRetentionPeriod") is not None:
            check_automated_retention(params["AutomatedSnapshotRetentionPeriod"])
        with self.store.lock:
            doc = self._cluster(ctx, params["ClusterIdentifier"])
            if params.get("NewClusterIdentifier"):
                raise AwsError("UnsupportedOperation", "lakebox does not rename clusters.", 400)
            if params.get("MasterUserPassword"):
                _check_password(params["MasterUserPassword"])
                doc["PasswordHash"] = password_hash(params["MasterUserPassword"])
            if params.get("ClusterParameterGroupName"):
                doc["ClusterParameterGroupName"] = self._resolve_group_name(ctx, params["ClusterParameterGroupName"])
                self.record_event(ctx.account_id, ctx.region, "REDSHIFT-EVENT-1001", doc["ClusterIdentifier"],
                                  f"Your Amazon Redshift cluster '{doc['ClusterIdentifier']}' was modified to use "
                                  f"parameter group '{doc['ClusterParameterGroupName']}' at {{at}}.")
            if params.get("NodeType"):
                if params["NodeType"] not in NODE_TYPES:
                    raise invalid(f"Invalid node type: {params['NodeType']}")
                doc["NodeType"] = params["NodeType"]
            doc["ClusterType"], doc["NumberOfNodes"] = _resized(doc, params)
            for name in ("PubliclyAccessible", "Encrypted", "KmsKeyId",
                         "AutomatedSnapshotRetentionPeriod", "ManualSnapshotRetentionPeriod", "AllowVersionUpgrade",
                         "PreferredMaintenanceWindow", "EnhancedVpcRouting"):
                if params.get(name) is not None:
                    doc[name] = params[name]
            self.store.put(ctx.account_id, doc)
            runtime = self.runtime(ctx.account_id, doc["ClusterIdentifier"])
            if runtime is not None:
                runtime.doc = doc
            if params.get("AutomatedSnapshotRetentionPeriod") is not None:
                self._catch_up_automated(ctx)  # a shorter period expires snapshots at once
        return {"Cluster": self._output(ctx, doc)}

    def reboot_cluster(self, ctx: RequestContext, params: dict) -> dict:
        """Restart the cluster's listener: open connections end, as a reboot ends them."""
        with self.store.lock:
            doc = self._cluster(ctx, params["ClusterIdentifier"])
            if doc["ClusterStatus"] != "available":
                raise AwsError("InvalidClusterState", f"The cluster {doc['ClusterIdentifier']} is not in the "
                                                      "available state.", 400)
            self._stop(ctx.account_id, doc["ClusterIdentifier"])
            self._start(doc)
        self.record_event(ctx.account_id, ctx.region, "REDSHIFT-EVENT-3000", doc["ClusterIdentifier"],
                          f"Amazon Redshift cluster '{doc['ClusterIdentifier']}' was rebooted at {{at}}.")
        log.info("redshift cluster %s rebooted", doc["ClusterIdentifier"])
        return {"Cluster": self._output(ctx, self.store.get(ctx.account_id, doc["ClusterIdentifier"]))}

    def pause_cluster(self, ctx: RequestContext, params: dict) -> dict:
        return {"Cluster": self._output(ctx, self._set_state(ctx, params["ClusterIdentifier"], "paused"))}

    def resume_cluster(self, ctx: RequestContext, params: dict) -> dict:
        return {"Cluster": self._output(ctx, self._set_state(ctx, params["ClusterIdentifier"], "available"))}

    def _set_state(self, ctx: RequestContext, identifier: str, state: str) -> dict:
        with self.store.lock:
            doc = self._cluster(ctx, identifier)
            if doc["ClusterStatus"] == state or (state == "paused" and doc["ClusterStatus"] != "available"):
                raise AwsError("InvalidClusterState",
                               f"You can only {'pause' if state == 'paused' else 'resume'} a cluster that is "
                               f"{'available' if state == 'paused' else 'paused'}.", 400)
            doc["ClusterStatus"] = state
            doc["ClusterAvailabilityStatus"] = "Available" if state == "available" else "Paused"
            self.store.put(ctx.account_id, doc)
            verb = "pause" if state == "paused" else "resume"
            started, done = ("3618", "3619") if state == "paused" else ("3620", "3621")
            self.record_event(ctx.account_id, ctx.region, f"REDSHIFT-EVENT-{started}", identifier,
                              f"The cluster '{identifier}' {verb} operation started at {{at}}.")
            if state == "paused":
                self._stop(ctx.account_id, identifier)
            else:
                self._start(doc)
            self.record_event(ctx.account_id, ctx.region, f"REDSHIFT-EVENT-{done}", identifier,
                              f"Amazon Redshift cluster '{identifier}' was successfully {verb}d at {{at}}.")
        return self.store.get(ctx.account_id, identifier)

    def get_cluster_credentials(self, ctx: RequestContext, params: dict) -> dict:
        # Redshift names a user it creates on the first login (AutoCreate) IAMA:, one that must exist IAM:.
        prefix = "IAMA" if params.get("AutoCreate") else "IAM"
        return self._temporary_credentials(ctx, params, lambda: f"{prefix}:{params['DbUser']}")

    def get_cluster_credentials_with_iam(self, ctx: RequestContext, params: dict) -> dict:
        """A temporary login for the caller's own IAM identity (iam_database_user)."""
        return self._temporary_credentials(
            ctx, params, lambda: iam_database_user(self.sts.get_caller_identity(ctx, {})["Arn"]))

    def _temporary_credentials(self, ctx: RequestContext, params: dict, login_of) -> dict:
        """A password for `login_of()` on the cluster's endpoint, valid DurationSeconds (900 to 3600)."""
        if not params.get("ClusterIdentifier"):
            raise invalid("ClusterIdentifier must be specified: lakebox clusters have no custom domain names.")
        doc = self._cluster(ctx, params["ClusterIdentifier"])
        runtime = self.runtime(ctx.account_id, doc["ClusterIdentifier"])
        if runtime is None:
            raise AwsError("InvalidClusterState", f"Cluster {doc['ClusterIdentifier']} is not available.", 400)
        seconds = params.get("DurationSeconds") or 900
        if not 900 <= seconds <= 3600:
            raise invalid("DurationSeconds must be between 900 and 3600.")
        login = login_of()
        password = runtime.temporary_login(login, seconds)
        expiration = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)
        return {"DbUser": login, "DbPassword": password, "Expiration": expiration}

    def state(self) -> dict:
        return {"state": "running", "clusters": {f"{a}/{i}": r.doc["Endpoint"]["Port"]
                                                 for (a, i), r in self.runtimes.items()}}

    def close(self) -> None:
        self.schedules.stop()
        for key in list(self.runtimes):
            self._stop(*key)
        self.audit.close()
        self.store.close()
