"""The per-request context shared by the gateway's handlers and the service providers."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Optional

from botocore.model import OperationModel, ServiceModel

from .. import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from .http import HttpRequest, HttpResponse


@dataclass
class RequestContext:
    request: HttpRequest
    request_id: str
    started: float = field(default_factory=time.perf_counter)
    #: botocore model name of the target service ("s3", "glue", ...), once routed.
    service: Optional[str] = None
    service_model: Optional[ServiceModel] = None
    operation: Optional[OperationModel] = None
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT_ID
    access_key: Optional[str] = None
    #: what the auth handler learned (signature kind, signing key, seed signature for aws-chunked).
    auth: Any = None
    #: parsed input, as botocore's client would have accepted it.
    params: Optional[dict] = None
    #: S3 only: bucket named by the Host header (virtual-host style), if any.
    virtual_bucket: Optional[str] = None
    response: Optional[HttpResponse] = None
    error: Optional[BaseException] = None

    @property
    def operation_name(self) -> str:
        return self.operation.name if self.operation is not None else "-"
