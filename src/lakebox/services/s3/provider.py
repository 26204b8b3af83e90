"""The S3 provider: one class composed of the area mixins, over one `LakeStore`.

Why thin: each resource area (buckets, objects, copy, tagging, bulk delete, listing, multipart ...) is its
own module with its own rules; this class only wires them to the lake folder. All state lives in the
`LakeStore` (files plus SQLite), never in memory here, so a restart or `kill -9` loses nothing.
"""

from __future__ import annotations

from typing import Any

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...storage.lake import LakeStore
from . import checksums
from .access import AccessMixin
from .acl_operations import AclMixin
from .attributes import AttributesMixin
from .bucket_config import BucketConfigMixin
from .common import check_expected_bucket_owner, checked_bucket
from .buckets import BucketsMixin
from .copy import CopyMixin
from .cors import CorsMixin
from .delete_objects import DeleteObjectsMixin
from .encryption import EncryptionMixin
from .id_configurations import IdConfigurationsMixin
from .inventory_reports import InventoryWorker
from .lifecycle_config import LifecycleMixin
from .listing import ListingMixin
from .multipart import MultipartMixin
from .multipart_listing import MultipartListingMixin
from .object_lock import ObjectLockMixin, is_locked
from .objects import ObjectsMixin
from .post_upload import PostUploadMixin
from .replication import ReplicationMixin
from .replication_worker import ReplicationWorker
from .restore import RestoreMixin
from .select import SelectMixin
from .tagging import TaggingMixin
from .lifecycle_worker import LifecycleWorker
from .versioning import VersioningMixin
from .website import WebsiteMixin


GLOBAL_PSEUDO_REGION = "aws-global"


class S3Provider(
    BucketsMixin,
    ObjectsMixin,
    CopyMixin,
    TaggingMixin,
    DeleteObjectsMixin,
    ListingMixin,
    MultipartMixin,
    MultipartListingMixin,
    AttributesMixin,
    BucketConfigMixin,
    EncryptionMixin,
    LifecycleMixin,
    CorsMixin,
    AclMixin,
    AccessMixin,
    PostUploadMixin,
    RestoreMixin,
    SelectMixin,
    VersioningMixin,
    ReplicationMixin,
    ObjectLockMixin,
    WebsiteMixin,
    IdConfigurationsMixin,
):
    service_name = "s3"

    def __init__(self, config: Any):
        super().__init__(config)
        self.store = LakeStore(config.data_dir, now_ns=config.clock.now_ns)
        self.lifecycle = LifecycleWorker(self.store, config.clock.now, is_locked=is_locked)
        config.clock.subscribe(self.lifecycle.on_clock_jump)
        self.lifecycle.start()
        self.replication = ReplicationWorker(self.store)
        self.replication.start()
        self.inventory = InventoryWorker(self.store, config.clock.now)
        config.clock.subscribe(self.inventory.on_clock_jump)
        self.inventory.start()

    def dispatch(self, ctx: RequestContext, params: dict) -> dict:
        # One access check before every operation (see access.py), so no operation can forget it.
        # The bucket it looked up serves the operation too (common.checked_bucket).
        if ctx.region == GLOBAL_PSEUDO_REGION:
            # A pseudo-region for endpoint resolution, which some SDKs sign with by mistake: S3
            # expects the global endpoint's signing region, us-east-1.
            raise AwsError("AuthorizationHeaderMalformed", "The authorization header is malformed; the region "
                           f"'{GLOBAL_PSEUDO_REGION}' is wrong; expecting 'us-east-1'", 400,
                           fields={"Region": "us-east-1"})
        check_expected_bucket_owner(ctx, params)
        token = checked_bucket.set(self.check_access(ctx, params))
        try:
            checksums.check_request_body(ctx)
            return super().dispatch(ctx, params)
        finally:
            checked_bucket.reset(token)

    def state(self) -> dict:
        return {"state": "running", "data_dir": str(self.config.data_dir)}

    def close(self) -> None:
        self.lifecycle.stop()
        self.replication.stop()
        self.inventory.stop()
        close = getattr(self.store, "close", None)
        if close is not None:
            close()
