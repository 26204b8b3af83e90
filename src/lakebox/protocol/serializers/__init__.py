"""Response serializers: one class per protocol, picked by `create_serializer`.

A serializer renders a provider's result dict (shaped like botocore's parsed output) or an `AwsError`
into an `HttpResponse`, in the protocol's exact envelope, with the request-id headers AWS sends.
"""

from __future__ import annotations

import functools
from typing import Optional

from botocore.model import OperationModel, ServiceModel

from ..errors import AwsError
from ..http import HttpResponse


class ResponseSerializer:
    def __init__(self, service_model: ServiceModel):
        self.service_model = service_model

    def serialize_response(self, operation: OperationModel, result: dict, request_id: str) -> HttpResponse:
        raise NotImplementedError

    def serialize_error(
        self, error: AwsError, operation: Optional[OperationModel], request_id: str
    ) -> HttpResponse:
        raise NotImplementedError


def _serializer_classes() -> dict[str, type[ResponseSerializer]]:
    from .json import JSONResponseSerializer
    from .kinesis import KinesisJSONResponseSerializer
    from .query import QueryResponseSerializer
    from .rest_xml import RestXMLResponseSerializer
    from .s3 import S3ResponseSerializer

    return {
        "json": JSONResponseSerializer,
        "kinesis": KinesisJSONResponseSerializer,
        "query": QueryResponseSerializer,
        "rest-xml": RestXMLResponseSerializer,
        "s3": S3ResponseSerializer,
    }


@functools.lru_cache(maxsize=None)
def _create_serializer_cached(service_name: str, service_model: ServiceModel) -> ResponseSerializer:
    classes = _serializer_classes()
    # S3 and Kinesis have subclasses of their protocol's serializer (service quirks, fast paths).
    key = service_name if service_name in ("s3", "kinesis") else service_model.protocol
    return classes[key](service_model)


def create_serializer(service_model: ServiceModel) -> ResponseSerializer:
    return _create_serializer_cached(service_model.service_name, service_model)
