"""Which LocationConstraint values CreateBucket accepts at all: a region botocore knows (see
`lakebox.regions`), or the legacy `EU`. Whether it fits the endpoint is another check."""

from __future__ import annotations

from ...regions import is_region, partition_of

#: The legacy LocationConstraint for eu-west-1, still in S3's model: a valid constraint, not a region.
LEGACY_EU = "EU"

__all__ = ["LEGACY_EU", "is_location_constraint", "is_region", "partition_of"]


def is_location_constraint(value: str) -> bool:
    return value == LEGACY_EU or is_region(value)
