"""Static website configuration: Put/Get/DeleteBucketWebsite, stored as S3 validates it.

Tools that manage buckets (Terraform, CDK, the CLI) set and read this document, and they need S3's
answers, including its refusals; the website endpoint (website_endpoint.py) serves the bucket by
it. The rules below are the ones AWS applies on put, in its own words: a configuration either
redirects every request (RedirectAllRequestsTo, alone) or names an index document whose suffix is a
plain file name; routing rules must say something. Anything the schema requires and the request
lacks is MalformedXML, answered by the input validation before this module runs.
"""

from __future__ import annotations

from ...protocol.context import RequestContext
from .common import S3Base
from .errors import invalid_request, s3_error

#: Name of the document in the per-bucket configuration store.
WEBSITE = "website"
#: The members S3 stores and answers back, in the model's order.
_MEMBERS = ("RedirectAllRequestsTo", "IndexDocument", "ErrorDocument", "RoutingRules")
_PROTOCOLS = ("http", "https")


def validate_configuration(config: dict) -> dict:
    """The document to store for a PutBucketWebsite input, or the error S3 answers it with."""
    config = {name: config[name] for name in _MEMBERS if config.get(name) is not None}
    redirect_all = config.get("RedirectAllRequestsTo")
    if redirect_all is not None:
        if len(config) > 1:
            raise s3_error("InvalidArgument", "RedirectAllRequestsTo cannot be provided in conjunction with other "
                           "Routing Rules.", ArgumentName="RedirectAllRequestsTo", ArgumentValue="not null")
        _check_protocol(redirect_all)
        return config
    index = config.get("IndexDocument")
    if index is None:
        raise s3_error("InvalidArgument", "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo "
                       "is empty", ArgumentName="IndexDocument", ArgumentValue="null")
    suffix = index.get("Suffix")
    if not suffix or "/" in suffix:
        raise s3_error("InvalidArgument", "The IndexDocument Suffix is not well formed",
                       ArgumentName="IndexDocument", ArgumentValue=suffix or None)
    rules = config.get("RoutingRules")
    if rules is not None:
        if not rules:
            raise s3_error("MalformedXML")
        for rule in rules:
            _check_routing_rule(rule)
    return config


def _check_routing_rule(rule: dict) -> None:
    if "Condition" in rule and not any(rule["Condition"].get(name) for name in ("KeyPrefixEquals",
                                                                                 "HttpErrorCodeReturnedEquals")):
        raise invalid_request("Condition cannot be empty. To redirect all requests without a condition, the "
                              "condition element shouldn't be present.")
    redirect = rule.get("Redirect") or {}
    if redirect.get("ReplaceKeyPrefixWith") is not None and redirect.get("ReplaceKeyWith") is not None:
        raise invalid_request("You can only define ReplaceKeyPrefix or ReplaceKey but not both.")
    _check_protocol(redirect)


def _check_protocol(redirect: dict) -> None:
    protocol = redirect.get("Protocol")
    if protocol is not None and protocol not in _PROTOCOLS:
        raise invalid_request("Invalid protocol, protocol can be http or https. If not defined the protocol will be "
                              "selected automatically.")


class WebsiteMixin(S3Base):
    def put_bucket_website(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params).name
        self.store_config(bucket, WEBSITE, validate_configuration(params.get("WebsiteConfiguration") or {}))
        return {}

    def get_bucket_website(self, ctx: RequestContext, params: dict) -> dict:
        bucket, document = self.stored_config(params, WEBSITE)
        if document is None:
            raise s3_error("NoSuchWebsiteConfiguration", BucketName=bucket)
        return document

    def delete_bucket_website(self, ctx: RequestContext, params: dict) -> dict:
        return self.forget_config(params, WEBSITE)
