"""Bucket configurations kept by id: analytics, inventory, metrics and Intelligent-Tiering.

Each family is the same four calls on a bucket sub-resource (`?metrics&id=...`): Put, Get, Delete
and a paged List. S3 keeps up to 1,000 of each per bucket and answers them in id order, 100 a page.

Why they are stored: Terraform, CDK and the CLI create, read back and delete these, and need S3's
answers, refusals included. Inventory reports are written for real by `inventory_reports.py`;
what S3 does with the other three over time (CloudWatch request metrics, storage class analysis
exports, archive tiers) lakebox does not do.

S3's answers, as recorded: a put is 204; an unknown id is `NoSuchConfiguration` (404) on Get and
Delete; an id in the document that differs from the query's is MalformedXML (IdMismatch for an
inventory); a filter must name exactly one predicate, and an `And` needs two or more conjuncts
(MalformedXML otherwise). An inventory's destination must be a bucket ARN, and its format,
schedule, versions and optional fields must be values S3 knows: here S3 does not take enum values
newer than the model, as it does elsewhere. Anything the schema requires and the request lacks
is answered by input validation before this module runs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Optional

from ...protocol.context import RequestContext
from .common import S3Base
from .errors import invalid_argument, s3_error
from .listing import decode_token, encode_token

MAX_PER_BUCKET = 1000
PAGE_SIZE = 100


@dataclass(frozen=True)
class Family:
    """One kind of id-keyed configuration: its model member names and where it is stored."""

    name: str  # Analytics, Inventory, Metrics, IntelligentTiering

    @property
    def member(self) -> str:
        return f"{self.name}Configuration"

    @property
    def list_member(self) -> str:
        return f"{self.name}ConfigurationList"

    @property
    def document(self) -> str:
        """Name of the bucket's document in the configuration store: {id: configuration}."""
        return f"id-configurations/{self.name}"


ANALYTICS = Family("Analytics")
INVENTORY = Family("Inventory")
METRICS = Family("Metrics")
INTELLIGENT_TIERING = Family("IntelligentTiering")


def check_filter(filter_: Optional[dict]) -> None:
    """One predicate (Prefix, Tag, AccessPointArn or And); an And of two or more conjuncts."""
    if filter_ is None:
        return
    named = [key for key, value in filter_.items() if value is not None]
    if len(named) != 1:
        raise s3_error("MalformedXML")
    conjunction = filter_.get("And")
    if conjunction is not None:
        conjuncts = len(conjunction.get("Tags") or []) + sum(
            1 for key in ("Prefix", "AccessPointArn") if conjunction.get(key) is not None)
        if conjuncts < 2:
            raise s3_error("MalformedXML")


def _check_tierings(config: dict) -> None:
    """Intelligent-Tiering's archive tiers: each at most once, within S3's day ranges."""
    bounds = {"ARCHIVE_ACCESS": (90, 730), "DEEP_ARCHIVE_ACCESS": (180, 730)}
    seen = set()
    for tiering in config.get("Tierings") or []:
        tier, days = tiering.get("AccessTier"), tiering.get("Days")
        if tier in seen:
            raise s3_error("MalformedXML")
        seen.add(tier)
        low, high = bounds.get(tier, (1, 730))
        if not isinstance(days, int) or not low <= days <= high:
            raise invalid_argument(f"Days for {tier} must be between {low} and {high}", "Days", str(days))


_INVENTORY_VALUES = {  # what S3 takes, whatever newer values a model may list
    "Format": {"CSV", "ORC", "Parquet"},
    "Frequency": {"Daily", "Weekly"},
    "IncludedObjectVersions": {"All", "Current"},
    "OptionalFields": {"Size", "LastModifiedDate", "StorageClass", "ETag", "IsMultipartUploaded",
                       "ReplicationStatus", "EncryptionStatus", "ObjectLockRetainUntilDate", "ObjectLockMode",
                       "ObjectLockLegalHoldStatus", "IntelligentTieringAccessTier", "BucketKeyStatus",
                       "ChecksumAlgorithm", "ObjectAccessControlList", "ObjectOwner", "LifecycleExpirationDate"},
}


def _check_inventory(config: dict) -> None:
    destination = config["Destination"]["S3BucketDestination"]
    if not str(destination.get("Bucket", "")).startswith("arn:"):
        raise s3_error("InvalidS3DestinationBucket")
    given = {"Format": [destination.get("Format")], "Frequency": [config["Schedule"].get("Frequency")],
             "IncludedObjectVersions": [config.get("IncludedObjectVersions")],
             "OptionalFields": config.get("OptionalFields") or []}
    for name, values in given.items():
        if any(value not in _INVENTORY_VALUES[name] for value in values):
            raise s3_error("MalformedXML")


class IdConfigurationsMixin(S3Base):
    """Put/Get/Delete/List for the four families; one lock makes each read-modify-write whole."""

    _id_config_lock = threading.Lock()

    # -- the four calls, shared ------------------------------------------------------------------

    def _put_id_config(self, family: Family, params: dict) -> dict:
        config = dict(params[family.member])
        if config.get("Id") != params["Id"]:
            if family is INVENTORY:
                raise s3_error("IdMismatch")
            raise s3_error("MalformedXML")
        check_filter(config.get("Filter"))
        if family is INTELLIGENT_TIERING:
            _check_tierings(config)
        if family is INVENTORY:
            _check_inventory(config)
        with self._id_config_lock:
            bucket, stored = self.stored_config(params, family.document)
            stored = dict(stored or {})
            if params["Id"] not in stored and len(stored) >= MAX_PER_BUCKET:
                raise s3_error("TooManyConfigurations")
            stored[params["Id"]] = config
            self.store_config(bucket, family.document, stored)
        return {"__status__": 204}  # S3's answer to a put of any of the four, as recorded

    def _get_id_config(self, family: Family, params: dict) -> dict:
        _, stored = self.stored_config(params, family.document)
        config = (stored or {}).get(params["Id"])
        if config is None:
            raise s3_error("NoSuchConfiguration")
        return {family.member: config}

    def _delete_id_config(self, family: Family, params: dict) -> dict:
        with self._id_config_lock:
            bucket, stored = self.stored_config(params, family.document)
            stored = dict(stored or {})
            if stored.pop(params["Id"], None) is None:
                raise s3_error("NoSuchConfiguration")
            self.store_config(bucket, family.document, stored)
        return {"__status__": 204}

    def _list_id_configs(self, family: Family, params: dict) -> dict:
        _, stored = self.stored_config(params, family.document)
        ids = sorted(stored or {})
        token = params.get("ContinuationToken")
        start = 0
        if token is not None:
            after = decode_token(token)
            start = next((i for i, config_id in enumerate(ids) if config_id > after), len(ids))
        page = ids[start:start + PAGE_SIZE]
        result: dict = {"IsTruncated": start + PAGE_SIZE < len(ids)}
        if token is not None:
            result["ContinuationToken"] = token
        if result["IsTruncated"]:
            result["NextContinuationToken"] = encode_token(page[-1])
        if page:
            result[family.list_member] = [stored[config_id] for config_id in page]
        return result

    # -- the model's operations ------------------------------------------------------------------

    def put_bucket_analytics_configuration(self, ctx: RequestContext, params: dict) -> dict:
        return self._put_id_config(ANALYTICS, params)

    def get_bucket_analytics_configuration(self, ctx: RequestContext, params: dict) -> dict:
        return self._get_id_config(ANALYTICS, params)

    def delete_bucket_analytics_configuration(self, ctx: RequestContext, params: dict) -> dict:
        return self._delete_id_config(ANALYTICS, params)

    def list_bucket_analytics_configurations(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_id_configs(ANALYTICS, params)

    def put_bucket_inventory_configuration(self, ctx: RequestContext, params: dict) -> dict:
        return self._put_id_config(INVENTORY, params)

    def get_bucket_inventory_configuration(self, ctx: RequestContext, params: dict) -> dict:
        return self._get_id_config(INVENTORY, params)

    def delete_bucket_inventory_configuration(self, ctx: RequestContext, params: dict) -> dict:
        return self._delete_id_config(INVENTORY, params)

    def list_bucket_inventory_configurations(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_id_configs(INVENTORY, params)

    def put_bucket_metrics_configuration(self, ctx: RequestContext, params: dict) -> dict:
        return self._put_id_config(METRICS, params)

    def get_bucket_metrics_configuration(self, ctx: RequestContext, params: dict) -> dict:
        return self._get_id_config(METRICS, params)

    def delete_bucket_metrics_configuration(self, ctx: RequestContext, params: dict) -> dict:
        return self._delete_id_config(METRICS, params)

    def list_bucket_metrics_configurations(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_id_configs(METRICS, params)

    def put_bucket_intelligent_tiering_configuration(self, ctx: RequestContext, params: dict) -> dict:
        return self._put_id_config(INTELLIGENT_TIERING, params)

    def get_bucket_intelligent_tiering_configuration(self, ctx: RequestContext, params: dict) -> dict:
        return self._get_id_config(INTELLIGENT_TIERING, params)

    def delete_bucket_intelligent_tiering_configuration(self, ctx: RequestContext, params: dict) -> dict:
        return self._delete_id_config(INTELLIGENT_TIERING, params)

    def list_bucket_intelligent_tiering_configurations(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_id_configs(INTELLIGENT_TIERING, params)

