"""What CloudWatch Logs knows about vended-log sources and destinations, as data.

`SOURCE_SERVICES` are the services whose resources PutDeliverySource accepts (those AWS lists as
sending vended logs through deliveries). Any other service, S3 among them, is refused with AWS's
"Cannot access provided service." (recorded 2026). A service missing here is a one-line addition.

`DEFAULTS` are what CreateDelivery fills in when the request leaves a member out, per (service, log
type): the record fields and, for an S3 destination, the S3 delivery configuration. AWS takes them from
its configuration templates; the CloudFront access-log ones are as AWS answered GetDelivery (2026).
A source without an entry gets no defaults.
"""

from __future__ import annotations

SOURCE_SERVICES = frozenset({
    "appsync", "aps", "bedrock", "bedrock-agentcore", "cloudfront", "codewhisperer", "cognito-idp",
    "entityresolution", "mediapackage", "mediapackagev2", "mediatailor", "pcs", "pipes", "q", "qbusiness", "ses",
    "sso", "workmail",
})

#: The destination type each destination resource's service gives a delivery destination.
DESTINATION_TYPES = {"s3": "S3", "logs": "CWL", "firehose": "FH"}
#: The output formats PutDeliveryDestination accepts, in the order AWS's message lists them.
OUTPUT_FORMATS = ("w3c", "raw", "json", "plain", "parquet")

_CLOUDFRONT_ACCESS_LOG_FIELDS = (
    "date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)", "cs-uri-stem", "sc-status",
    "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)", "x-edge-result-type", "x-edge-request-id",
    "x-host-header", "cs-protocol", "cs-bytes", "time-taken", "x-forwarded-for", "ssl-protocol", "ssl-cipher",
    "x-edge-response-result-type", "cs-protocol-version", "fle-status", "fle-encrypted-fields", "c-port",
    "time-to-first-byte", "x-edge-detailed-result-type", "sc-content-type", "sc-content-len", "sc-range-start",
    "sc-range-end",
)

DEFAULTS: dict[tuple[str, str], dict] = {
    ("cloudfront", "ACCESS_LOGS"): {
        "recordFields": list(_CLOUDFRONT_ACCESS_LOG_FIELDS),
        "s3DeliveryConfiguration": {"suffixPath": "AWSLogs/{account-id}/CloudFront/",
                                    "enableHiveCompatiblePath": False},
    },
}
