"""AWS regions and their partitions, from botocore's endpoint data: which names are real regions
(S3 refuses made-up ones) and which ARN partition a region belongs to (`aws-cn` in cn-north-1,
`aws-us-gov` in us-gov-*), for every service that writes ARNs.

Why botocore's data: it is the list the SDKs themselves resolve regions from, it ships with the
pinned botocore and grows with each release, so lakebox keeps no list of its own that falls behind.
A region botocore does not know yet still gets the partition whose region pattern it fits.
"""

from __future__ import annotations

import functools
import re

from botocore.loaders import Loader


@functools.lru_cache(maxsize=1)
def _endpoints() -> tuple[dict[str, str], list[tuple[re.Pattern, str]]]:
    """({region: partition} of every known region, [(region pattern, partition)] per partition)."""
    partitions = Loader().load_data("endpoints")["partitions"]
    known = {region: p["partition"] for p in partitions for region in p["regions"]}
    patterns = [(re.compile(p["regionRegex"]), p["partition"]) for p in partitions if p.get("regionRegex")]
    return known, patterns


def is_region(name: str) -> bool:
    """Whether `name` is a region botocore knows (its pseudo-regions such as `aws-global` are
    endpoints, not places a resource can live in, and are not listed as regions)."""
    return name in _endpoints()[0]


def partition_of(region: str) -> str:
    """The ARN partition of a region (`aws`, `aws-cn`, `aws-us-gov` ...); `aws` when nothing fits."""
    known, patterns = _endpoints()
    if region in known:
        return known[region]
    return next((partition for pattern, partition in patterns if pattern.match(region)), "aws")
