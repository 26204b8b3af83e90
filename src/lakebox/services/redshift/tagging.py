"""Tags by ARN: CreateTags, DeleteTags and DescribeTags over clusters, snapshots, parameter groups,
subnet groups and snapshot copy grants.

Each of those resources keeps its tags in its own document (the one its Describe call reads), so a
tag set here shows there too and the other way round. DescribeTags lists the tagged resources of the
caller's Region, filtered by ARN or by resource type (not both, as on AWS) and by tag keys and values.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError

#: Tags one resource may carry.
MAX_TAGS = 50
_ARN = re.compile(r"arn:aws[a-z-]*:redshift:([a-z0-9-]+):(\d{12}):([a-z]+):(.+)")
#: ResourceType as DescribeTags takes it (the API reference's names, any case, spaces optional) to the
#: type an ARN names.
_TYPES = {"cluster": "cluster", "snapshot": "snapshot", "parametergroup": "parametergroup",
          "subnetgroup": "subnetgroup", "snapshotcopygrant": "snapshotcopygrant"}


class _Kind:
    """How to find, list and save the documents of one taggable resource type."""

    def __init__(self, get: Callable, listing: Callable, put: Callable, arn_name: Callable):
        self.get, self.listing, self.put, self.arn_name = get, listing, put, arn_name


class TaggingMixin:
    """Needs the provider's store."""

    def _tag_kinds(self) -> dict[str, _Kind]:
        store = self.store
        return {
            "cluster": _Kind(lambda a, name, region: store.get(a, name), store.all, store.put,
                             lambda d: d["ClusterIdentifier"]),
            # A snapshot's ARN names its cluster too: snapshot:<cluster>/<snapshot>.
            "snapshot": _Kind(lambda a, name, region: store.get_snapshot(a, name.rpartition("/")[2]), store.snapshots,
                              store.put_snapshot, lambda d: f"{d['ClusterIdentifier']}/{d['SnapshotIdentifier']}"),
            "parametergroup": _Kind(lambda a, name, region: store.get_parameter_group(a, name),
                                    store.parameter_groups, store.put_parameter_group, lambda d: d["ParameterGroupName"]),
            "subnetgroup": _Kind(lambda a, name, region: store.subnet_groups.get(a, name.lower()), store.subnet_groups.all,
                                 store.subnet_groups.put, lambda d: d["ClusterSubnetGroupName"]),
            # A grant's key holds its Region (grant names are unique per Region).
            "snapshotcopygrant": _Kind(lambda a, name, region: store.copy_grants.get(a, f"{region}/{name}"),
                                       store.copy_grants.all, store.copy_grants.put,
                                       lambda d: d["SnapshotCopyGrantName"]),
        }

    def _tagged(self, ctx: RequestContext, arn: str) -> tuple[_Kind, dict]:
        """The resource an ARN names, in the caller's account and Region."""
        match = _ARN.fullmatch(arn or "")
        kind = self._tag_kinds().get(match.group(3)) if match else None
        if kind is None:
            raise AwsError("InvalidTagFault", f"The specified resource name is not valid: {arn}", 400)
        region, account, name = match.group(1), match.group(2), match.group(4)
        doc = kind.get(ctx.account_id, name, region) if account == ctx.account_id and region == ctx.region else None
        if doc is None or doc.get("Region", region) != region or kind.arn_name(doc) != name:
            raise AwsError("ResourceNotFoundFault", f"The resource {arn} could not be found.", 404)
        return kind, doc

    def create_tags(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            kind, doc = self._tagged(ctx, params["ResourceName"])
            tags = {t["Key"]: t["Value"] for t in doc.get("Tags") or []}
            tags.update({t["Key"]: t.get("Value", "") for t in params["Tags"]})
            if len(tags) > MAX_TAGS:
                raise AwsError("TagLimitExceededFault", "You have exceeded the number of tags allowed.", 400)
            doc["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
            kind.put(ctx.account_id, doc)
            self._tags_changed(ctx, doc)
        return {}

    def delete_tags(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            kind, doc = self._tagged(ctx, params["ResourceName"])
            doc["Tags"] = [t for t in doc.get("Tags") or [] if t["Key"] not in params["TagKeys"]]
            kind.put(ctx.account_id, doc)
            self._tags_changed(ctx, doc)
        return {}

    def _tags_changed(self, ctx: RequestContext, doc: dict) -> None:
        """A running cluster's runtime holds a copy of its document: give it the new tags."""
        if "ClusterIdentifier" in doc and "SnapshotIdentifier" not in doc:
            runtime = self.runtime(ctx.account_id, doc["ClusterIdentifier"])
            if runtime is not None:
                runtime.doc = doc

    def describe_tags(self, ctx: RequestContext, params: dict) -> dict:
        arn, wanted = params.get("ResourceName"), _resource_type(params.get("ResourceType"))
        if arn and params.get("ResourceType"):
            raise AwsError("InvalidParameterValue", "You cannot filter a list of resources using an Amazon Resource "
                                                    "Name (ARN) and a resource type together in the same request. "
                                                    "Retry the request using either an ARN or a resource type, but "
                                                    "not both.", 400)
        prefix = f"arn:aws:redshift:{ctx.region}:{ctx.account_id}"
        if arn:
            kind, doc = self._tagged(ctx, arn)
            type_name = _ARN.fullmatch(arn).group(3)
            found = [(type_name, kind, doc)]
        else:
            found = [(type_name, kind, doc) for type_name, kind in self._tag_kinds().items()
                     if wanted is None or type_name == wanted
                     for doc in kind.listing(ctx.account_id) if doc.get("Region", ctx.region) == ctx.region]
        keys, values = set(params.get("TagKeys") or []), set(params.get("TagValues") or [])
        tagged = []
        for type_name, kind, doc in found:
            for tag in doc.get("Tags") or []:
                if (keys and tag["Key"] not in keys) or (values and tag["Value"] not in values):
                    continue
                tagged.append({"Tag": tag, "ResourceName": f"{prefix}:{type_name}:{kind.arn_name(doc)}",
                               "ResourceType": type_name})
        return {"TaggedResources": tagged}


def _resource_type(given: Optional[str]) -> Optional[str]:
    if not given:
        return None
    key = given.replace(" ", "").lower()
    if key not in _TYPES:
        raise AwsError("InvalidParameterValue", f"The resource type {given} is not valid. Valid types are "
                                                "Cluster, Snapshot, Parameter group, Subnet group and "
                                                "Snapshot copy grant.", 400)
    return _TYPES[key]
