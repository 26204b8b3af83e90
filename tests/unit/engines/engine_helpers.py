"""What the SQL engine tests share: the account, a Parquet storage descriptor, a stand-in lake, and a
Glue catalog on a temp folder (a module of its own: `conftest` names collide across test folders)."""

from __future__ import annotations

import os

from lakebox.config import Config
from lakebox.services.glue.catalog_api import GlueCatalog
from lakebox.services.glue.provider import GlueProvider

ACCOUNT, REGION = "000000000000", "us-east-1"
PARQUET = {"InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
           "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}


class Lake:
    """The one LakeStore method the engine's reader needs: where a bucket's folder is."""

    def __init__(self, root):
        self.root = root

    def bucket_path(self, bucket):
        return os.path.join(self.root, "s3", bucket)


def new_catalog(data_dir) -> GlueCatalog:
    return GlueCatalog(GlueProvider(Config(data_dir=data_dir)))


def engine_on_empty_database(tmp_path, database: str = "d"):
    """For a fixture to `yield from`: (tmp_path, catalog, engine) over an empty Glue database, and the
    catalog closed afterwards."""
    from lakebox.engines.sql.engine import SqlEngine

    catalog = new_catalog(tmp_path)
    catalog.create_database(ACCOUNT, REGION, {"Name": database})
    yield tmp_path, catalog, SqlEngine(Lake(str(tmp_path)), catalog, ACCOUNT, REGION)
    catalog.glue.close()
