"""Request parsers: one class per protocol, picked by `create_parser` from the model's metadata.

A parser answers two questions about an `HttpRequest`: which operation it calls
(`find_operation`), and with which input (`parse`). The input dict looks exactly like what a botocore
client accepts, so a round-trip through botocore's serializer and our parser is the identity.
"""

from __future__ import annotations

import functools
from typing import Any

from botocore.model import OperationModel, ServiceModel

from ..http import HttpRequest


class RequestParser:
    """Base class. Subclasses dispatch on shape type (`_parse_structure`, `_parse_list` ...)."""

    def __init__(self, service_model: ServiceModel):
        self.service_model = service_model

    def find_operation(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        """The operation this request targets and any values captured from the URI.

        Raises `AwsError` when nothing matches (the protocol's "unknown operation" error).
        """
        raise NotImplementedError

    def parse(self, request: HttpRequest, operation: OperationModel, uri_params: dict[str, Any]) -> dict:
        """The operation's input, read from the request."""
        raise NotImplementedError


def _parser_classes() -> dict[str, type[RequestParser]]:
    from .json import JSONRequestParser
    from .kinesis import KinesisRequestParser
    from .query import QueryRequestParser
    from .rest_xml import RestXMLRequestParser
    from .s3 import S3RequestParser

    return {
        "json": JSONRequestParser,
        "kinesis": KinesisRequestParser,
        "query": QueryRequestParser,
        "rest-xml": RestXMLRequestParser,
        "s3": S3RequestParser,
    }


@functools.lru_cache(maxsize=None)
def _create_parser_cached(service_name: str, service_model: ServiceModel) -> RequestParser:
    classes = _parser_classes()
    # S3 and Kinesis have subclasses of their protocol's parser (S3's quirks, Kinesis's CBOR).
    key = service_name if service_name in ("s3", "kinesis") else service_model.protocol
    return classes[key](service_model)


def create_parser(service_model: ServiceModel) -> RequestParser:
    return _create_parser_cached(service_model.service_name, service_model)
