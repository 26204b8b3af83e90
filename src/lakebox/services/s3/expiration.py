"""The lifecycle dates S3 announces in responses: `x-amz-expiration` on object writes and reads,
and `x-amz-abort-date` / `x-amz-abort-rule-id` on multipart uploads.

Why here and not in each operation: PUT, COPY, CompleteMultipartUpload, GET and HEAD must give the
same date the lifecycle worker will act on, so all of them ask the same pure rules
(lifecycle_rules.py) about the bucket's stored configuration. A bucket without lifecycle costs one
cached lookup.
"""

from __future__ import annotations

from typing import Any

from ...storage.api import ObjectInfo, UploadInfo
from . import lifecycle_rules as rules
from .lifecycle_config import LIFECYCLE_CONFIG


def expiration_fields(store: Any, bucket: str, info: ObjectInfo) -> dict[str, Any]:
    """{"Expiration": 'expiry-date="…", rule-id="…"'} for a current object a rule will expire."""
    if not info.is_latest or info.is_delete_marker:
        return {}
    config = store.get_bucket_config(bucket, LIFECYCLE_CONFIG)
    if not config:
        return {}
    value = rules.expiration_header(config, info.key, info.size, info.meta.tags, info.last_modified)
    return {"Expiration": value} if value else {}


def abort_fields(store: Any, upload: UploadInfo) -> dict[str, Any]:
    """{"AbortDate", "AbortRuleId"} for an upload a rule will abort."""
    config = store.get_bucket_config(upload.bucket, LIFECYCLE_CONFIG)
    if not config:
        return {}
    found = rules.abort_date(config, upload.key, upload.initiated)
    if found is None:
        return {}
    when, rule_id = found
    return {"AbortDate": when, "AbortRuleId": rule_id}
