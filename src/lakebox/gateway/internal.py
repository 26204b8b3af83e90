"""lakebox's own endpoints under `/_lakebox/`: health now, the clock and console later."""

from __future__ import annotations

import json

from ..clock import ClockError, parse_duration, parse_time

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
        elif name == "clock" and ctx.request.method in ("GET", "HEAD", "POST"):
            ctx.response = self.clock(ctx)
        else:
            ctx.response = json_response(404, {"error": f"no lakebox endpoint {path}"}, ctx.request_id)

    def clock(self, ctx: RequestContext) -> HttpResponse:
        """GET: the service time. POST {"advance": "31d"} or {"set": "<ISO 8601>"}: move it forward."""
        clock = self.config.clock
        if ctx.request.method == "POST":
            try:
                command = json.loads(ctx.request.body_bytes() or b"{}")
                if not isinstance(command, dict) or len(set(command) & {"advance", "set"}) != 1:
                    raise ClockError('send JSON {"advance": "31d"} or {"set": "2027-01-01T00:00:00Z"}')
                if "advance" in command:
                    clock.advance(parse_duration(str(command["advance"])))
                else:
                    clock.set(parse_time(str(command["set"])))
            except (ClockError, ValueError) as exc:
                return json_response(400, {"error": "InvalidClockRequest", "message": str(exc)}, ctx.request_id)
        return json_response(200, clock.describe(), ctx.request_id)

    def health(self) -> dict:
        return {
            "status": "ok",
            "version": __version__,
            "data_dir": str(self.config.data_dir),
            "auth": self.config.auth,
            "clock": self.config.clock.describe(),
            "services": {name: provider.state() for name, provider in sorted(self.providers.items())},
        }
