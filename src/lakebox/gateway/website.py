"""Requests to S3's static-website endpoints (`bucket.s3-website-<region>.<domain>`, and
`bucket.s3-website.localhost` here): the bucket's website answers them, not the S3 REST API.

Why a handler of its own, before routing: a website request is never signed and never names an
operation. Its Host alone says what it is, and reading it as a REST request would address the
wrong bucket and answer XML where a browser expects HTML. What the website answers is the S3
provider's (services/s3/website_endpoint.py).
"""

from __future__ import annotations

from ..protocol.context import RequestContext
from ..protocol.specs import load_service_model
from ..services.base import Provider
from ..services.s3.hosts import split_s3_host
from ..services.s3.website_endpoint import WebsiteEndpoint
from ..storage.blocking import check_may_block


class StaticWebsite:
    def __init__(self, providers: dict[str, Provider]):
        s3 = providers.get("s3")
        self.endpoint = WebsiteEndpoint(s3) if s3 is not None else None

    def __call__(self, ctx: RequestContext) -> None:
        parts = split_s3_host(ctx.request.host)
        if parts is None or not parts.website or self.endpoint is None:
            return
        # Several object reads may follow (index and error documents): never on the event loop.
        check_may_block()
        # Its own name in the request log, and no REST step (CORS headers included) applies.
        ctx.service = "s3-website"
        ctx.service_model = load_service_model("s3")
        ctx.response = self.endpoint.serve(ctx, parts.bucket)
