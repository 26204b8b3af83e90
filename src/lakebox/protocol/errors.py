"""The one exception type that crosses the provider -> serializer boundary.

Providers raise `AwsError` (usually through a service's small error helpers); serializers render it in
the protocol's envelope. Engines and storage raise plain domain errors that providers translate.
"""

from __future__ import annotations

from typing import Any, Optional


class AwsError(Exception):
    """An AWS error: code, message, HTTP status, plus protocol-specific extra fields.

    `fields` become extra members of the error body (S3's `<Key>`, `<BucketName>`, json members);
    `headers` are added to the HTTP response (S3's `x-amz-delete-marker` on a 404, for example).
    `bare` marks an answer of AWS's request front end rather than the service (an unknown
    X-Amz-Target, a body that is not JSON): a serializer whose service answers those with the error
    type alone (Kinesis) leaves the message out.
    """

    def __init__(
        self,
        code: str,
        message: str = "",
        status: int = 400,
        *,
        sender_fault: bool = True,
        fields: Optional[dict[str, Any]] = None,
        headers: Optional[dict[str, str]] = None,
        bare: bool = False,
    ):
        super().__init__(f"{code}: {message}")
        self.bare = bare
        self.code = code
        self.message = message
        self.status = status
        self.sender_fault = sender_fault
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"AwsError({self.code!r}, {self.message!r}, {self.status})"


def not_implemented(operation: str) -> AwsError:
    """501 NotImplemented naming the operation (S3 defines this code; elsewhere a lakebox convention)."""
    return AwsError(
        "NotImplemented",
        f"The operation {operation} is not implemented by lakebox yet.",
        501,
        sender_fault=False,
    )


def internal_error(request_id: str) -> AwsError:
    return AwsError(
        "InternalError",
        f"We encountered an internal error. Please try again. (request id {request_id})",
        500,
        sender_fault=False,
    )
