"""lakebox's own endpoints under `/_lakebox/`: health now, the clock and console later."""

from __future__ import annotations

import json

from .. import __version__
from ..config import Config
from ..protocol.context import RequestContext
from ..protocol.http import Headers, HttpResponse
from ..services.base import Provider

PREFIX = "/_lakebox/"


def json_response(status: int, payload: dict, request_id: str = "") -> HttpResponse:
    body = json.dumps(payload, indent=2, sort_keys=True).encode() + b"\n"
    headers = Headers([("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    if request_id:
        headers.add("x-amz-request-id", request_id)
    return HttpResponse(status, headers, body)


def plain_error(status: int, code: str, request_id: str) -> HttpResponse:
    return json_response(status, {"error": code, "request_id": request_id}, request_id)


class InternalRoutes:
    def __init__(self, config: Config, providers: dict[str, Provider]):
        self.config = config
        self.providers = providers

    def __call__(self, ctx: RequestContext) -> None:
        path = ctx.request.path
        if not path.startswith(PREFIX):
            return
        ctx.service = "lakebox"
        name = path[len(PREFIX):].strip("/")
        if name == "health" and ctx.request.method in ("GET", "HEAD"):
            ctx.response = json_response(200, self.health(), ctx.request_id)
        else:
            ctx.response = json_response(404, {"error": f"no lakebox endpoint {path}"}, ctx.request_id)

    def health(self) -> dict:
        return {
            "status": "ok",
            "version": __version__,
            "data_dir": str(self.config.data_dir),
            "auth": self.config.auth,
            "services": {name: provider.state() for name, provider in sorted(self.providers.items())},
        }
