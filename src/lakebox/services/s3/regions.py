"""Which names are AWS regions, for the S3 checks that refuse a made-up one (CreateBucket's
LocationConstraint, ListBuckets' bucket-region).

Why botocore's endpoint data: it is the list the SDKs themselves resolve regions from, it ships with
the pinned botocore, and it grows with every release, so lakebox never keeps a list of its own that
falls behind. Only real regions count: the partitions' pseudo-regions (`aws-global` and its kin)
are endpoints, not places a bucket can live in.
"""

from __future__ import annotations

import functools

from botocore.loaders import Loader

#: The legacy LocationConstraint for eu-west-1, still in S3's model: a valid constraint, not a region.
LEGACY_EU = "EU"


@functools.lru_cache(maxsize=1)
def _partitions() -> dict[str, str]:
    """Every region of every partition in botocore's endpoint data, with its partition."""
    endpoints = Loader().load_data("endpoints")
    return {region: partition["partition"] for partition in endpoints["partitions"] for region in partition["regions"]}


def is_region(name: str) -> bool:
    return name in _partitions()


def partition_of(region: str) -> str:
    """The ARN partition of a region (`aws`, `aws-cn`, `aws-us-gov` ...); `aws` for one botocore
    does not know."""
    return _partitions().get(region, "aws")


def is_location_constraint(value: str) -> bool:
    """Whether CreateBucket may name `value` at all (whether it fits the endpoint is another check)."""
    return value == LEGACY_EU or is_region(value)
