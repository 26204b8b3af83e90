"""The HTTP endpoint destination: buffered records POSTed to a URL in Firehose's request format.

What Firehose documents ("HTTP endpoint delivery request and response specifications"), and
lakebox does:
- one POST per delivery, `Content-Type: application/json`, with the body
  `{"requestId": <uuid>, "timestamp": <ms>, "records": [{"data": <base64>}, ...]}`, gzipped with
  `Content-Encoding: gzip` when RequestConfiguration.ContentEncoding is GZIP;
- the headers `X-Amz-Firehose-Protocol-Version: 1.0`, `X-Amz-Firehose-Request-Id`,
  `X-Amz-Firehose-Source-Arn`, `X-Amz-Firehose-Access-Key` (the configured key, verbatim) and
  `X-Amz-Firehose-Common-Attributes` (`{"commonAttributes": {...}}`) when configured;
- success is status 200 with a JSON body whose `requestId` is the request's. Anything else is a
  failed attempt, retried with the same request id until RetryOptions.DurationInSeconds (default
  300) of the service clock have passed since the first failure; then the records go to the
  S3Configuration bucket under ErrorOutputPrefix as `http-endpoint-failed` records;
- S3BackupMode AllData also writes every delivered batch to the S3Configuration bucket.

Deviations, for a tool that runs on one machine: `http://` URLs and any port are accepted (AWS
takes https on port 443 only), so that a test can receive on localhost; an attempt times out after
`ATTEMPT_TIMEOUT` seconds (AWS waits three minutes).
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Optional

from ...protocol.errors import AwsError

#: Seconds one delivery attempt may take before it counts as HttpEndpoint.RequestTimeout.
ATTEMPT_TIMEOUT = 30.0
#: Bytes of a failed response kept in the error message (Firehose logs a truncated payload).
RESPONSE_EXCERPT = 1024
#: A response body larger than this is HttpEndpoint.ResponseTooLarge (Firehose's limit is 1 MiB).
MAX_RESPONSE = 1 << 20


def invalid(message: str) -> AwsError:
    return AwsError("InvalidArgumentException", message, 400)


def from_create(config: dict) -> dict:
    """The HttpEndpointDestinationDescription kept for a stream (with the access key, never shown);
    the S3Configuration becomes the stream's S3 destination."""
    endpoint = dict(config.get("EndpointConfiguration") or {})
    url = endpoint.get("Url") or ""
    if not url.lower().startswith(("https://", "http://")) or len(url.split("://", 1)[1]) == 0:
        raise invalid(f"EndpointConfiguration.Url {url!r} must be an https:// (or, on lakebox, http://) URL.")
    if (config.get("SecretsManagerConfiguration") or {}).get("Enabled"):
        raise invalid("lakebox serves no Secrets Manager: give EndpointConfiguration.AccessKey instead.")
    for processor in (config.get("ProcessingConfiguration") or {}).get("Processors") or []:
        if processor.get("Type") == "Lambda":
            raise invalid("lakebox runs no Lambda functions: a Lambda processor cannot be used.")
    description = {k: copy.deepcopy(v) for k, v in config.items() if k not in ("S3Configuration", "S3Update")}
    description["EndpointConfiguration"] = endpoint
    description["BufferingHints"] = {"SizeInMBs": 5, "IntervalInSeconds": 300, **(config.get("BufferingHints") or {})}
    description["RetryOptions"] = {"DurationInSeconds": 300, **(config.get("RetryOptions") or {})}
    description["RequestConfiguration"] = {"ContentEncoding": "NONE", **(config.get("RequestConfiguration") or {})}
    description.setdefault("S3BackupMode", "FailedDataOnly")
    description.setdefault("CloudWatchLoggingOptions", {"Enabled": False})
    return description


def apply_update(current: dict, update: dict) -> dict:
    """HttpEndpointDestinationUpdate: the fields given replace the current ones (an
    EndpointConfiguration as a whole, since its Url is required)."""
    if current.get("S3BackupMode") == "AllData" and update.get("S3BackupMode") == "FailedDataOnly":
        raise invalid("S3BackupMode cannot be changed from AllData to FailedDataOnly.")
    merged = copy.deepcopy(current)
    merged.update({k: copy.deepcopy(v) for k, v in update.items() if k != "S3Update"})
    for name in ("BufferingHints", "RetryOptions", "RequestConfiguration"):
        if name in update:
            merged[name] = {**current.get(name, {}), **update[name]}
    return from_create(merged)


def shown(description: dict) -> dict:
    """As DescribeDeliveryStream shows it: the endpoint's Url and Name, never its AccessKey."""
    out = copy.deepcopy(description)
    out["EndpointConfiguration"] = {k: v for k, v in description["EndpointConfiguration"].items()
                                    if k in ("Url", "Name")}
    return out


@dataclass
class Attempt:
    """How one POST ended: `code` is None on success, else Firehose's errorCode for the failure."""

    code: Optional[str]
    message: str = ""


def request_body(request_id: str, timestamp_ms: int, records: list[bytes]) -> bytes:
    return json.dumps({"requestId": request_id, "timestamp": timestamp_ms,
                       "records": [{"data": base64.b64encode(r).decode()} for r in records]}).encode()


def headers(config: dict, request_id: str, source_arn: str) -> dict[str, str]:
    out = {"Content-Type": "application/json", "X-Amz-Firehose-Protocol-Version": "1.0",
           "X-Amz-Firehose-Request-Id": request_id, "X-Amz-Firehose-Source-Arn": source_arn,
           "User-Agent": "Amazon Kinesis Data Firehose Agent/1.0"}
    if (config["RequestConfiguration"].get("ContentEncoding") or "NONE") == "GZIP":
        out["Content-Encoding"] = "gzip"
    access_key = config["EndpointConfiguration"].get("AccessKey")
    if access_key:
        out["X-Amz-Firehose-Access-Key"] = access_key
    attributes = config["RequestConfiguration"].get("CommonAttributes") or []
    if attributes:
        out["X-Amz-Firehose-Common-Attributes"] = json.dumps(
            {"commonAttributes": {a["AttributeName"]: a.get("AttributeValue", "") for a in attributes}})
    return out


def post(config: dict, request_id: str, source_arn: str, timestamp_ms: int, records: list[bytes],
         timeout: float = ATTEMPT_TIMEOUT) -> Attempt:
    """POST the records once and judge the answer as Firehose does."""
    body = request_body(request_id, timestamp_ms, records)
    sent_headers = headers(config, request_id, source_arn)
    if "Content-Encoding" in sent_headers:
        body = gzip.compress(body)
    request = urllib.request.Request(config["EndpointConfiguration"]["Url"], data=body, method="POST",
                                     headers=sent_headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the user's own URL
            return judge(response.status, response.read(MAX_RESPONSE + 1), request_id)
    except urllib.error.HTTPError as error:
        with error:
            return judge(error.code, error.read(MAX_RESPONSE + 1), request_id)
    except TimeoutError:
        return Attempt("HttpEndpoint.RequestTimeout",
                       f"The delivery timed out after {timeout:g} s waiting for a response from the endpoint.")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            return Attempt("HttpEndpoint.RequestTimeout",
                           f"The delivery timed out after {timeout:g} s waiting for a response from the endpoint.")
        return Attempt("HttpEndpoint.ConnectionFailed",
                       f"Unable to connect to the destination endpoint ({reason}).")


def judge(status: int, payload: bytes, request_id: str) -> Attempt:
    """Success is a 200 whose JSON body carries the request's id; 2xx other than 200 fail too."""
    if len(payload) > MAX_RESPONSE:
        return Attempt("HttpEndpoint.ResponseTooLarge", "The response received from the endpoint is too large.")
    excerpt = payload[:RESPONSE_EXCERPT].decode("utf-8", "replace")
    if status != 200:
        return Attempt("HttpEndpoint.DestinationException",
                       f"The following response was received from the endpoint destination. {status}: {excerpt}")
    try:
        answer = json.loads(payload)
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or answer.get("requestId") != request_id:
        return Attempt("HttpEndpoint.InvalidResponseFromDestination",
                       "The response received from the specified endpoint is invalid: it must be JSON with the "
                       f"request's requestId {request_id}. Received: {excerpt}")
    return Attempt(None)


def new_request_id() -> str:
    return str(uuid.uuid4())
