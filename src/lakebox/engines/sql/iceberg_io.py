"""pyiceberg, wired to lakebox in-process: its Glue catalog answered by the Glue provider, its files read
and written in the lake folder.

Why pyiceberg: an Iceberg commit is manifests, a manifest list and a metadata document written to the
spec, then an optimistic swap of the Glue table's `metadata_location` (UpdateTable with the table's
VersionId). pyiceberg's GlueCatalog does exactly what a Spark or Python writer does against AWS, so
tables Athena writes here are tables every Iceberg client reads. Two seams keep it in-process:
- `InProcessGlueClient` has the surface of boto3's Glue client that GlueCatalog calls, and answers
  through the provider's own operation methods (the same validation and table versions as the API);
- `LakeFileIO` is pyiceberg's PyArrow FileIO with `s3://bucket/key` mapped to the bucket's folder, as
  lakebox's engines write the lake (D2: a file that appears in the folder is an object).

Imports pyiceberg, pyarrow and this package.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from pyarrow.fs import LocalFileSystem, SubTreeFileSystem
from pyiceberg.catalog.glue import GlueCatalog
from pyiceberg.io.pyarrow import PyArrowFileIO

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...protocol.http import HttpRequest

#: The FileIO property naming the folder that holds every bucket's folder.
S3_ROOT = "lakebox.s3-root"
_S3_SCHEMES = ("s3", "s3a", "s3n")


class LakeFileIO(PyArrowFileIO):
    """PyArrow FileIO whose `s3://` paths are files of the lake folder."""

    def _initialize_fs(self, scheme: str, netloc: str | None = None):
        if scheme in _S3_SCHEMES:
            return SubTreeFileSystem(self.properties[S3_ROOT], LocalFileSystem())
        return super()._initialize_fs(scheme, netloc)

    def new_output(self, location: str):
        # S3 has no folders to make first; the lake folder does.
        scheme, _, path = self.parse_location(location)
        if scheme in _S3_SCHEMES:
            os.makedirs(os.path.dirname(os.path.join(self.properties[S3_ROOT], path)), exist_ok=True)
        return super().new_output(location)


class GlueClientError(Exception):
    """An error of the in-process Glue client, shaped like botocore's ClientError."""

    def __init__(self, error: AwsError):
        super().__init__(f"{error.code}: {error.message}")
        self.response = {"Error": {"Code": error.code, "Message": error.message}}


class _Exceptions:
    """`client.exceptions.<Code>`: one class per Glue error code, made on first use."""

    def __init__(self) -> None:
        self._classes: dict[str, type] = {}

    def __getattr__(self, code: str) -> type:
        if code.startswith("_"):
            raise AttributeError(code)
        if code not in self._classes:
            self._classes[code] = type(code, (GlueClientError,), {})
        return self._classes[code]


class InProcessGlueClient:
    """The calls pyiceberg's GlueCatalog makes (`get_table(DatabaseName=..., Name=...)` ...), answered
    by the Glue provider for one account and region."""

    def __init__(self, provider: Any, account: str, region: str):
        self._provider, self._account, self._region = provider, account, region
        self.exceptions = _Exceptions()

    def __getattr__(self, operation: str):
        if operation.startswith("_"):
            raise AttributeError(operation)
        method = getattr(self._provider, operation)

        def call(**params):
            ctx = RequestContext(request=HttpRequest(method="POST", path="/"), request_id=str(uuid.uuid4()),
                                 service="glue", region=self._region, account_id=self._account)
            try:
                return method(ctx, params)
            except AwsError as error:
                raise getattr(self.exceptions, error.code)(error) from None
        return call


def s3_root(lake: Any) -> str:
    """The folder that holds the buckets' folders."""
    return os.path.dirname(lake.bucket_path("lakebox-root"))


def catalog_for(glue_catalog: Any, lake: Any, account: str, region: str) -> GlueCatalog:
    """pyiceberg's Glue catalog over lakebox's Glue catalog and lake, for one account and region."""
    client = InProcessGlueClient(glue_catalog.glue, account, region)
    return GlueCatalog("awsdatacatalog", client=client, **{
        "py-io-impl": f"{LakeFileIO.__module__}.{LakeFileIO.__name__}", S3_ROOT: s3_root(lake)})
