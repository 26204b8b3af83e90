"""`GlueCatalog`: the Glue Data Catalog for other services (Athena, Redshift Spectrum, the SQL engine),
without HTTP.

Every call goes through the provider's own operation methods, so validation, lower-casing, table
versions and quotas are exactly those of the API. Errors are the provider's `AwsError`
(EntityNotFoundException, AlreadyExistsException ...); the two lookups `get_database` and `get_table`
answer None for a missing entity instead, since callers nearly always test for it.
"""

from __future__ import annotations

import uuid
from typing import Any, Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...protocol.http import HttpRequest


def _context(account: str, region: str) -> RequestContext:
    # A minimal internal context: the provider reads only the account and region from it.
    return RequestContext(request=HttpRequest(method="POST", path="/"), request_id=str(uuid.uuid4()),
                          service="glue", region=region, account_id=account)


def _all_pages(call, params: dict, key: str) -> list:
    items: list = []
    token = None
    while True:
        answer = call({**params, "NextToken": token} if token else params)
        items.extend(answer.get(key) or [])
        token = answer.get("NextToken")
        if not token:
            return items


class GlueCatalog:
    def __init__(self, glue_provider: Any):
        self.glue = glue_provider

    # -- databases ----------------------------------------------------------------------------------

    def get_database(self, account: str, region: str, name: str) -> Optional[dict]:
        try:
            return self.glue.get_database(_context(account, region), {"Name": name})["Database"]
        except AwsError as error:
            if error.code == "EntityNotFoundException":
                return None
            raise

    def list_databases(self, account: str, region: str) -> list:
        ctx = _context(account, region)
        return _all_pages(lambda p: self.glue.get_databases(ctx, p), {}, "DatabaseList")

    def create_database(self, account: str, region: str, input: dict) -> None:
        self.glue.create_database(_context(account, region), {"DatabaseInput": input})

    def update_database(self, account: str, region: str, name: str, input: dict) -> None:
        self.glue.update_database(_context(account, region), {"Name": name, "DatabaseInput": input})

    def delete_database(self, account: str, region: str, name: str) -> None:
        self.glue.delete_database(_context(account, region), {"Name": name})

    # -- tables -------------------------------------------------------------------------------------

    def get_table(self, account: str, region: str, db: str, name: str) -> Optional[dict]:
        try:
            return self.glue.get_table(_context(account, region), {"DatabaseName": db, "Name": name})["Table"]
        except AwsError as error:
            if error.code == "EntityNotFoundException":
                return None
            raise

    def list_tables(self, account: str, region: str, db: str) -> list:
        ctx = _context(account, region)
        return _all_pages(lambda p: self.glue.get_tables(ctx, p), {"DatabaseName": db}, "TableList")

    def create_table(self, account: str, region: str, db: str, table_input: dict) -> None:
        self.glue.create_table(_context(account, region), {"DatabaseName": db, "TableInput": table_input})

    def update_table(self, account: str, region: str, db: str, table_input: dict) -> None:
        self.glue.update_table(_context(account, region), {"DatabaseName": db, "TableInput": table_input})

    def delete_table(self, account: str, region: str, db: str, name: str) -> None:
        self.glue.delete_table(_context(account, region), {"DatabaseName": db, "Name": name})

    # -- partitions ---------------------------------------------------------------------------------

    def get_partitions(self, account: str, region: str, db: str, table: str,
                       expression: Optional[str] = None) -> list:
        ctx = _context(account, region)
        params: dict = {"DatabaseName": db, "TableName": table}
        if expression:
            params["Expression"] = expression
        return _all_pages(lambda p: self.glue.get_partitions(ctx, p), params, "Partitions")

    def batch_create_partition(self, account: str, region: str, db: str, table: str, inputs: list) -> list:
        """Creates the partitions, 100 per call as the API allows; returns the per-item `Errors`."""
        ctx = _context(account, region)
        errors: list = []
        for start in range(0, len(inputs), 100):
            answer = self.glue.batch_create_partition(ctx, {"DatabaseName": db, "TableName": table,
                                                            "PartitionInputList": inputs[start:start + 100]})
            errors.extend(answer.get("Errors") or [])
        return errors

    def delete_partition(self, account: str, region: str, db: str, table: str, values: list) -> None:
        self.glue.delete_partition(_context(account, region),
                                   {"DatabaseName": db, "TableName": table, "PartitionValues": list(values)})
