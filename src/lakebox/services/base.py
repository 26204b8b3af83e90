"""The provider base class: dispatch by `xform_name`, 501 for anything not implemented."""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional

from botocore import xform_name

from ..protocol.context import RequestContext
from ..protocol.errors import not_implemented


class Provider:
    #: botocore service model name, e.g. "s3".
    service_name: str = ""

    def __init__(self, config: Any):
        self.config = config

    def handler_for(self, operation_name: str) -> Optional[Callable[[RequestContext, dict], dict]]:
        return _lookup(type(self), operation_name, self)

    def dispatch(self, ctx: RequestContext, params: dict) -> dict:
        """Call the operation's method, or answer 501 NotImplemented naming the operation."""
        handler = self.handler_for(ctx.operation_name)
        if handler is None:
            raise not_implemented(ctx.operation_name)
        result = handler(ctx, params)
        return result if result is not None else {}

    def state(self) -> dict:
        """What `/_lakebox/health` reports for this service."""
        return {"state": "running"}

    def close(self) -> None:
        """Release files and threads at shutdown."""


@functools.lru_cache(maxsize=None)
def _method_name(operation_name: str) -> str:
    return xform_name(operation_name)


def _lookup(cls: type, operation_name: str, instance: Provider):
    method = getattr(instance, _method_name(operation_name), None)
    return method if callable(method) else None
