"""The lake folder and its metadata (DESIGN D2).

`LakeStore` keeps the current version of every S3 object as a plain file at
`<data>/s3/<bucket>/<key>`, and its metadata in SQLite (WAL). Hidden state (temp files, multipart
parts, keys that cannot be plain files) lives under `<data>/.lakebox/`. May import the standard
library and `lakebox.storage.*` only; never the protocol layer or a service.
"""

from .api import (  # noqa: F401
    BucketInfo,
    ListResult,
    ObjectInfo,
    ObjectMeta,
    PartInfo,
    UploadInfo,
    UploadListResult,
)
from .errors import *  # noqa: F401,F403
