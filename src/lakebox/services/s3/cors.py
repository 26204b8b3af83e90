"""S3 CORS: the bucket's rules (Put/Get/DeleteBucketCors), and how a browser's request is judged by them.

Why the judging is pure functions over the stored rules: a preflight and an actual request apply the
same rule, and both are answered before (preflight) or after (actual request) the operation runs, by
gateway steps (`gateway.cors`) that only call `preflight` and `cors_headers_for` here. Kept pure, the
matching can be tested one rule at a time.

How S3 judges, as observed on AWS (and as ceph/s3-tests expect):
- A rule applies when one of its AllowedOrigins matches the Origin header (exactly, or with its one
  `*` standing for any run of characters, none included), its AllowedMethods holds the method (the
  Access-Control-Request-Method header when the request carries one, preflight or not; otherwise the
  request's own method), and every header named in Access-Control-Request-Headers matches one of its
  AllowedHeaders (case-insensitively, `*` again a wildcard). The first such rule wins.
- The answer echoes the origin (or `*` when the rule's matching origin is `*`, then without
  Allow-Credentials), lists the rule's methods, the requested headers (lower-cased), its
  ExposeHeaders and MaxAgeSeconds, and always `Vary`.
- A preflight S3 cannot allow is an error: 400 BadRequest without an Origin or with a method S3
  does not know; 403 AccessForbidden when the bucket is missing, has no CORS rules, or no rule fits.
  An actual request is never refused for CORS: it just gets no CORS headers.
"""

from __future__ import annotations

from typing import Iterable, Optional
from urllib.parse import unquote

from ...protocol.context import RequestContext
from ...storage import errors as st
from .common import S3Base
from .errors import invalid_argument, invalid_request, s3_error

#: Name of the document in the per-bucket configuration store.
CORS = "cors"
MAX_RULES = 100
MAX_ID_LENGTH = 255
#: The methods a rule may allow (S3 answers preflights itself; OPTIONS is not one of them).
METHODS = frozenset({"GET", "PUT", "HEAD", "POST", "DELETE"})
#: The rule members S3 stores and answers back, in the model's order.
_RULE_MEMBERS = ("ID", "AllowedHeaders", "AllowedMethods", "AllowedOrigins", "ExposeHeaders", "MaxAgeSeconds")
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
#: Characters of an HTTP header name (RFC 9110 `tchar`).
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


# -- configuration --------------------------------------------------------------------------------


def validate_configuration(config: dict) -> dict:
    """The document to store for a PutBucketCors input, or the error S3 answers it with."""
    rules = config.get("CORSRules") or []
    if not rules or len(rules) > MAX_RULES:
        raise s3_error("MalformedXML")
    return {"CORSRules": [_validated_rule(rule) for rule in rules]}


def _validated_rule(rule: dict) -> dict:
    origins = rule.get("AllowedOrigins") or []
    methods = rule.get("AllowedMethods") or []
    if not origins or not methods:
        raise s3_error("MalformedXML")
    for origin in origins:
        if origin.count("*") > 1:
            raise invalid_request(f'AllowedOrigin "{origin}" can not have more than one wildcard.')
    for method in methods:
        if method not in METHODS:
            raise invalid_request(f"Found unsupported HTTP method in CORS config. Unsupported method is {method}")
    for header in rule.get("AllowedHeaders") or []:
        if header.count("*") > 1:
            raise invalid_request(f'AllowedHeader "{header}" can not have more than one wildcard.')
        if not is_header_name(header):
            raise invalid_request(f'AllowedHeader "{header}" contains invalid character.')
    rule_id = rule.get("ID")
    if rule_id is not None and len(rule_id) > MAX_ID_LENGTH:
        raise invalid_argument(f"ID length should not exceed allowed limit of {MAX_ID_LENGTH}", "ID", rule_id)
    return {name: rule[name] for name in _RULE_MEMBERS if rule.get(name) is not None}


def is_header_name(name: str) -> bool:
    return bool(name) and all(char in _TOKEN_CHARS for char in name)


# -- matching -------------------------------------------------------------------------------------


def wildcard_match(pattern: str, value: str) -> bool:
    """`value` equals `pattern`, whose one `*` (validated on put) stands for any run of characters."""
    prefix, star, suffix = pattern.partition("*")
    if not star:
        return pattern == value
    return len(value) >= len(prefix) + len(suffix) and value.startswith(prefix) and value.endswith(suffix)


def matching_origin(rule: dict, origin: str) -> Optional[str]:
    """The first of the rule's AllowedOrigins that `origin` matches (origins match case-sensitively)."""
    for allowed in rule.get("AllowedOrigins") or ():
        if wildcard_match(allowed, origin):
            return allowed
    return None


def headers_allowed(rule: dict, request_headers: Iterable[str]) -> bool:
    """Whether every requested (lower-cased) header name fits one of the rule's AllowedHeaders."""
    allowed = [h.lower() for h in rule.get("AllowedHeaders") or ()]
    return all(any(wildcard_match(pattern, name) for pattern in allowed) for name in request_headers)


def match_rule(rules: Iterable[dict], origin: str, method: str, request_headers: Iterable[str] = ()) -> Optional[dict]:
    """The first rule allowing `origin` to use `method` with `request_headers` (lower-cased), if any."""
    request_headers = list(request_headers)
    for rule in rules:
        if (
            method in (rule.get("AllowedMethods") or ())
            and matching_origin(rule, origin) is not None
            and headers_allowed(rule, request_headers)
        ):
            return rule
    return None


def parse_request_headers(value: Optional[str]) -> list[str]:
    """The lower-cased names of an Access-Control-Request-Headers value; ValueError on a bad name."""
    if not value:
        return []
    names = []
    for item in value.split(","):
        name = item.strip()
        if not name:
            continue
        if not is_header_name(name):
            raise ValueError(name)
        names.append(name.lower())
    return names


def cors_headers(rule: dict, origin: str, request_headers: Iterable[str] = ()) -> dict[str, str]:
    """The response headers a matching `rule` grants `origin` (and the requested headers)."""
    wildcard = matching_origin(rule, origin) == "*"
    headers = {"Access-Control-Allow-Origin": "*" if wildcard else origin}
    if not wildcard:
        headers["Access-Control-Allow-Credentials"] = "true"
    headers["Access-Control-Allow-Methods"] = ", ".join(rule["AllowedMethods"])
    requested = list(request_headers)
    if requested:
        headers["Access-Control-Allow-Headers"] = ", ".join(requested)
    if rule.get("ExposeHeaders"):
        headers["Access-Control-Expose-Headers"] = ", ".join(rule["ExposeHeaders"])
    if rule.get("MaxAgeSeconds") is not None:
        headers["Access-Control-Max-Age"] = str(rule["MaxAgeSeconds"])
    headers["Vary"] = VARY
    return headers


def resource_of(path: str) -> tuple[str, str]:
    """(bucket, key) of a path-style S3 path; either may be empty."""
    bucket, _, key = path.lstrip("/").partition("/")
    return unquote(bucket), unquote(key)


def _forbidden(message: Optional[str], method: str, resource_type: str) -> Exception:
    return s3_error("AccessForbidden", message, Method=method, ResourceType=resource_type)


def _bad_request(message: str) -> Exception:
    return s3_error("BadRequest", message)


class CorsMixin(S3Base):
    """The bucket's CORS rules, and the answers to browsers that they decide."""

    def put_bucket_cors(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params).name
        self.store_config(bucket, CORS, validate_configuration(params.get("CORSConfiguration") or {}))
        return {}

    def get_bucket_cors(self, ctx: RequestContext, params: dict) -> dict:
        bucket, document = self.stored_config(params, CORS)
        if document is None:
            raise s3_error("NoSuchCORSConfiguration", BucketName=bucket)
        return {"CORSRules": document["CORSRules"]}

    def delete_bucket_cors(self, ctx: RequestContext, params: dict) -> dict:
        return self.forget_config(params, CORS)

    def _cors_rules(self, bucket: str) -> Optional[list]:
        """The bucket's rules; None when it has none or (just now) stopped existing."""
        try:
            document = self.store.get_bucket_config(bucket, CORS)
        except st.NoSuchBucketError:
            return None
        return document["CORSRules"] if document else None

    def preflight(self, ctx: RequestContext) -> dict[str, str]:
        """The CORS headers answering an OPTIONS preflight, or the error S3 answers it with.

        Checked in S3's order: the Origin, the bucket, its rules, the requested method and headers.
        No credentials are involved: a browser never signs a preflight.
        """
        headers = ctx.request.headers
        origin = headers.get("origin")
        if not origin:
            raise _bad_request("Insufficient information. Origin request header needed.")
        method = headers.get("access-control-request-method")
        bucket, key = resource_of(ctx.request.path)
        if not bucket or self.store.get_bucket(bucket) is None:
            raise _forbidden("CORSResponse: Bucket not found", method or "OPTIONS", "BUCKET")
        rules = self._cors_rules(bucket)
        if rules is None:
            # S3 names the bucket as the resource here even for an object's URL.
            raise _forbidden("CORSResponse: CORS is not enabled for this bucket.", method or "OPTIONS", "BUCKET")
        if method not in METHODS:
            raise _bad_request(f"Invalid Access-Control-Request-Method: {method if method is not None else 'null'}")
        try:
            requested = parse_request_headers(headers.get("access-control-request-headers"))
        except ValueError as bad:
            raise _bad_request(f'Access-Control-Request-Headers "{bad}" contains invalid character.') from None
        rule = match_rule(rules, origin, method, requested)
        if rule is None:
            raise _forbidden(None, method, "OBJECT" if key else "BUCKET")
        return cors_headers(rule, origin, requested)

    def cors_headers_for(self, ctx: RequestContext) -> dict[str, str]:
        """The CORS headers for the response to an actual (non-preflight) request; {} when none apply.

        The caller has checked that the request has an Origin header, so requests without one pay
        nothing. An actual request is judged like a preflight, by the Access-Control-Request-*
        headers when it carries them (S3 does so), but is never refused for CORS.
        """
        headers = ctx.request.headers
        origin = headers.get("origin")
        bucket, _ = resource_of(ctx.request.path)
        if not origin or not bucket or self.store.get_bucket(bucket) is None:
            return {}
        rules = self._cors_rules(bucket)
        if rules is None:
            return {}
        method = headers.get("access-control-request-method") or ctx.request.method
        try:
            requested = parse_request_headers(headers.get("access-control-request-headers"))
        except ValueError:
            return {}
        rule = match_rule(rules, origin, method, requested)
        return cors_headers(rule, origin, requested) if rule is not None else {}
