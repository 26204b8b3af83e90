"""Loads botocore's service models, with lakebox's spec patches applied, once per process.

The model is the single source of truth for operations, shapes and errors (DESIGN D1). Patches for
gaps in AWS's own specs are kept in `patches.py` and applied to the raw JSON at load time.
"""

from __future__ import annotations

import copy
import functools

import botocore.loaders
import botocore.model

from . import patches

#: The services lakebox loads, by botocore's model name.
SERVICE_NAMES = (
    "s3",
    "sts",
    "iam",
    "glue",
    "athena",
    "kinesis",
    "firehose",
    "emr",
    "redshift",
    "redshift-data",
    "redshift-serverless",
    "logs",
)


@functools.lru_cache(maxsize=None)
def _loader() -> botocore.loaders.Loader:
    return botocore.loaders.create_loader()


@functools.lru_cache(maxsize=None)
def load_service_model(name: str) -> botocore.model.ServiceModel:
    """The patched `ServiceModel` for a botocore service name such as ``"s3"`` or ``"redshift-data"``."""
    raw = _loader().load_service_model(name, "service-2")
    if patches.has_patches(name):
        # The loader caches its dicts: patch a private copy, never botocore's.
        raw = copy.deepcopy(raw)
        patches.apply(name, raw)
    return botocore.model.ServiceModel(raw, service_name=name)


def all_models() -> dict[str, botocore.model.ServiceModel]:
    return {name: load_service_model(name) for name in SERVICE_NAMES}
