"""Bucket default encryption: PutBucketEncryption, GetBucketEncryption, DeleteBucketEncryption, and the
rule a bucket's new objects get when their request names no encryption.

Why its own area: the rule is a bucket setting like those of bucket_config.py (one document in the
lake's configuration store, validated as S3 validates it), but unlike them it changes how objects are
written: PutObject, POST uploads, CopyObject and CreateMultipartUpload read it through `bucket_rule`
and hand it to `headers.encryption`. A bucket that never had a rule stored has S3's own default
(SSE-S3, as on AWS since January 2023), so the common write costs one small SQLite read and nothing
else. The rule may also block SSE-C writes (BlockedEncryptionTypes, enforced in headers.encryption).
"""

from __future__ import annotations

import copy
from typing import Any, Optional

from ...protocol.context import RequestContext
from .common import S3Base
from .errors import invalid_argument, s3_error, translated

#: Name of the document in the per-bucket configuration store.
ENCRYPTION = "encryption"

#: What GetBucketEncryption answers for a bucket with no rule of its own (AWS since 2023).
DEFAULT_RULE: dict[str, Any] = {
    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
    "BucketKeyEnabled": False,
}

_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")
_KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
_ENCRYPTION_TYPES = ("NONE", "SSE-C")


def bucket_rule(store, bucket: str) -> Optional[dict]:
    """The bucket's stored default-encryption rule; None when it has S3's plain SSE-S3 default."""
    with translated(bucket=bucket):
        return store.get_bucket_config(bucket, ENCRYPTION)


def check_rule(config: dict) -> dict:
    """The one rule of a ServerSideEncryptionConfiguration, validated as S3 does, as it is stored."""
    rules = config.get("Rules") or []
    if len(rules) != 1 or not isinstance(rules[0], dict):
        raise s3_error("MalformedXML")
    given = rules[0]
    default = given.get("ApplyServerSideEncryptionByDefault")
    blocked = given.get("BlockedEncryptionTypes")
    if default is None and blocked is None:
        raise s3_error("MalformedXML")
    default = dict(default or {"SSEAlgorithm": "AES256"})
    algorithm = default.get("SSEAlgorithm")
    if algorithm == "aws:fsx":
        raise invalid_argument("The aws:fsx server side encryption is only valid for S3 access points of "
                               "Amazon FSx file systems", "SSEAlgorithm", algorithm)
    if algorithm not in _ALGORITHMS:
        raise s3_error("MalformedXML")
    if default.get("KMSMasterKeyID") is not None and algorithm not in _KMS_ALGORITHMS:
        raise invalid_argument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms "
                               "or aws:kms:dsse", "ApplyServerSideEncryptionByDefault")
    if default.get("KMSMasterKeyID") == "":
        raise s3_error("MalformedXML")
    rule: dict[str, Any] = {
        "ApplyServerSideEncryptionByDefault": {k: v for k, v in default.items() if v is not None},
        "BucketKeyEnabled": bool(given.get("BucketKeyEnabled", False)),
    }
    if blocked is not None:
        types = list((blocked or {}).get("EncryptionType") or [])
        if not types or any(t not in _ENCRYPTION_TYPES for t in types) or ("NONE" in types and len(types) > 1):
            raise s3_error("MalformedXML")
        rule["BlockedEncryptionTypes"] = {"EncryptionType": list(dict.fromkeys(types))}
    return rule


class EncryptionMixin(S3Base):
    """Put/Get/Delete of a bucket's default encryption rule."""

    def put_bucket_encryption(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params).name
        rule = check_rule(params.get("ServerSideEncryptionConfiguration") or {})
        if "BlockedEncryptionTypes" not in rule:
            # A rule that does not mention blocked types leaves the bucket's block as it was (AWS).
            previous = bucket_rule(self.store, bucket) or {}
            if "BlockedEncryptionTypes" in previous:
                rule["BlockedEncryptionTypes"] = previous["BlockedEncryptionTypes"]
        self.store_config(bucket, ENCRYPTION, rule)
        return {}

    def get_bucket_encryption(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params).name
        rule = bucket_rule(self.store, bucket) or DEFAULT_RULE
        return {"ServerSideEncryptionConfiguration": {"Rules": [copy.deepcopy(rule)]}}

    def delete_bucket_encryption(self, ctx: RequestContext, params: dict) -> dict:
        # S3 "resets the default encryption for the bucket" to SSE-S3: forgetting the rule does that.
        return self.forget_config(params, ENCRYPTION)
