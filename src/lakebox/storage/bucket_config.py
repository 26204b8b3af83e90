"""Per-bucket configuration documents of `LakeStore`: one JSON dict per bucket and name.

Why a generic store rather than a column per setting: S3 hangs a dozen independent settings on a
bucket (tagging, policy, ACL, public access block, ownership controls, notification, logging ...),
and later issues add more (versioning details, lifecycle, encryption, replication, CORS, object
lock). Each is read and replaced whole, so one keyed table serves them all, and storage never
needs to understand them: the provider owns their shape and validation.

Every change is one SQLite transaction, and a document is only written while its bucket's row
exists, so a configuration can never outlive a bucket deleted at the same moment; deleting the
bucket forgets its documents in the same transaction.
"""

from __future__ import annotations

from typing import Optional

from .errors import NoSuchBucketError
from .lake_base import LakeBase


class BucketConfigMixin(LakeBase):
    def _require_bucket_row(self, bucket: str) -> None:
        # get_bucket (LakeStore) reconciles with the folder: it adopts a folder made from outside,
        # and forgets a bucket whose folder is gone, before its configuration is touched.
        if self.get_bucket(bucket) is None:
            raise NoSuchBucketError(bucket)

    def get_bucket_config(self, bucket: str, name: str) -> Optional[dict]:
        self._require_bucket_row(bucket)
        return self.db.get_bucket_config(bucket, name)

    def put_bucket_config(self, bucket: str, name: str, value: dict) -> None:
        self._require_bucket_row(bucket)
        if not self.db.put_bucket_config(bucket, name, dict(value)):
            raise NoSuchBucketError(bucket)

    def delete_bucket_config(self, bucket: str, name: str) -> None:
        self._require_bucket_row(bucket)
        self.db.delete_bucket_config(bucket, name)
