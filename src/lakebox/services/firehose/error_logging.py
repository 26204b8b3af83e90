"""Delivery errors written to CloudWatch Logs, when the destination's CloudWatchLoggingOptions ask.

Firehose logs each failed delivery attempt as one JSON event in the configured log group and stream
(which must exist: Firehose does not create them, and a missing one means nothing is logged):
`{"deliveryStreamARN", "destination", "deliveryStreamVersionId", "message", "errorCode"}`.
lakebox logs the deliveries that fail (a missing bucket: `S3.NoSuchBucket`) and the records that
processing or format conversion sent to the error output (their error code and message).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any, Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .model import DeliveryStream

log = logging.getLogger("lakebox.firehose")


def log_delivery_error(logs: Any, stream: DeliveryStream, now_ms: int, code: str, message: str, *,
                       options: Optional[dict] = None, destination: Optional[str] = None) -> None:
    """Log one failed delivery; `options` and `destination` default to the stream's S3 destination's."""
    if options is None:
        options = stream.destination.get("CloudWatchLoggingOptions") or {}
    if logs is None or not options.get("Enabled") or not options.get("LogGroupName") \
            or not options.get("LogStreamName"):
        return
    event = {"deliveryStreamARN": stream.arn, "destination": destination or stream.destination.get("BucketARN"),
             "deliveryStreamVersionId": stream.version, "message": message, "errorCode": code}
    ctx = RequestContext(request=None, request_id=f"firehose-logging-{uuid.uuid4()}", service="logs",
                         region=stream.region, account_id=stream.account)
    try:
        logs.put_log_events(ctx, {"logGroupName": options["LogGroupName"], "logStreamName": options["LogStreamName"],
                                  "logEvents": [{"timestamp": now_ms, "message": json.dumps(event)}]})
    except AwsError as exc:
        log.debug("firehose %s: error not logged to %s/%s: %s", stream.name, options["LogGroupName"],
                  options["LogStreamName"], exc)
