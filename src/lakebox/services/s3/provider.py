"""The S3 provider: one class composed of the area mixins, over one `LakeStore`.

Why thin: each resource area (buckets, objects, copy, tagging, bulk delete, listing, multipart) is its
own module with its own rules; this class only wires them to the lake folder. All state lives in the
`LakeStore` (files plus SQLite), never in memory here, so a restart or `kill -9` loses nothing.
"""

from __future__ import annotations

from typing import Any

from ...protocol.context import RequestContext
from ...storage.lake import LakeStore
from .access import AccessMixin
from .acl_operations import AclMixin
from .attributes import AttributesMixin
from .bucket_config import BucketConfigMixin
from .buckets import BucketsMixin
from .copy import CopyMixin
from .delete_objects import DeleteObjectsMixin
from .listing import ListingMixin
from .multipart import MultipartMixin
from .objects import ObjectsMixin
from .post_upload import PostUploadMixin
from .tagging import TaggingMixin


class S3Provider(
    BucketsMixin,
    ObjectsMixin,
    CopyMixin,
    TaggingMixin,
    DeleteObjectsMixin,
    ListingMixin,
    MultipartMixin,
    AttributesMixin,
    BucketConfigMixin,
    AclMixin,
    AccessMixin,
    PostUploadMixin,
):
    service_name = "s3"

    def __init__(self, config: Any):
        super().__init__(config)
        self.store = LakeStore(config.data_dir)

    def dispatch(self, ctx: RequestContext, params: dict) -> dict:
        # One access check before every operation (see access.py), so no operation can forget it.
        self.check_access(ctx, params)
        return super().dispatch(ctx, params)

    def state(self) -> dict:
        return {"state": "running", "data_dir": str(self.config.data_dir)}

    def close(self) -> None:
        close = getattr(self.store, "close", None)
        if close is not None:
            close()
