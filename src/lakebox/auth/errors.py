"""The authentication errors, with the codes, statuses, messages and extra fields S3 gives them.

Every function returns an `AwsError` for the caller to raise. The extra fields (S3's
`<AWSAccessKeyId>`, `<StringToSign>`, `<ServerTime>` ...) are what S3 adds to the error body; they are
what makes a signature mismatch debuggable, so they are kept even though clients rarely read them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from ..protocol.errors import AwsError

_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)


def iso_z(moment: datetime) -> str:
    """`2026-01-01T00:00:00Z`, the form S3 uses for times inside error bodies."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hex_bytes(text: str) -> str:
    # S3 lists the bytes of StringToSign and CanonicalRequest as space-separated hex pairs, which
    # shows invisible differences (a stray \r, a non-ASCII character) that the text hides.
    return " ".join(f"{b:02x}" for b in text.encode("utf-8"))


def invalid_access_key_id(access_key: Optional[str] = None) -> AwsError:
    """The caller raises this when the access key is not configured (strict mode)."""
    fields = {"AWSAccessKeyId": access_key} if access_key else {}
    return AwsError(
        "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403, fields=fields
    )


def invalid_token(token: Optional[str]) -> AwsError:
    """A temporary access key sent without its session token, or with another one (strict mode)."""
    fields = {"Token-0": token} if token else {}
    return AwsError("InvalidToken", "The provided token is malformed or otherwise invalid.", 400, fields=fields)


def expired_token(token: Optional[str]) -> AwsError:
    """Temporary credentials past their Expiration (strict mode)."""
    fields = {"Token-0": token} if token else {}
    return AwsError("ExpiredToken", "The provided token has expired.", 400, fields=fields)


def signature_does_not_match(
    access_key: Optional[str],
    provided: Optional[str],
    string_to_sign: Optional[str] = None,
    canonical_request: Optional[str] = None,
) -> AwsError:
    fields: dict[str, str] = {}
    if access_key:
        fields["AWSAccessKeyId"] = access_key
    if string_to_sign is not None:
        fields["StringToSign"] = string_to_sign
    if provided is not None:
        fields["SignatureProvided"] = provided
    if string_to_sign is not None:
        fields["StringToSignBytes"] = _hex_bytes(string_to_sign)
    if canonical_request is not None:
        fields["CanonicalRequest"] = canonical_request
        fields["CanonicalRequestBytes"] = _hex_bytes(canonical_request)
    return AwsError("SignatureDoesNotMatch", _SIGNATURE_MISMATCH, 403, fields=fields)


def request_expired(now: datetime, expires_at: datetime, expires: Optional[int] = None) -> AwsError:
    fields: dict[str, object] = {}
    if expires is not None:
        fields["X-Amz-Expires"] = str(expires)
    fields["Expires"] = iso_z(expires_at)
    fields["ServerTime"] = iso_z(now)
    return AwsError("AccessDenied", "Request has expired", 403, fields=fields)


def request_not_yet_valid(now: datetime, request_time: str) -> AwsError:
    return AwsError(
        "AccessDenied",
        "Request is not valid yet",
        403,
        fields={"RequestTime": request_time, "ServerTime": iso_z(now)},
    )


def request_time_too_skewed(now: datetime, request_time: str, max_skew_seconds: int) -> AwsError:
    return AwsError(
        "RequestTimeTooSkewed",
        "The difference between the request time and the current time is too large.",
        403,
        fields={
            "RequestTime": request_time,
            "ServerTime": iso_z(now),
            "MaxAllowedSkewMilliseconds": str(max_skew_seconds * 1000),
        },
    )


def access_denied() -> AwsError:
    return AwsError("AccessDenied", "Access Denied", 403)


def missing_date() -> AwsError:
    return AwsError("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", 403)


# -- SigV4 Authorization header -------------------------------------------------------------------


def header_malformed(detail: str) -> AwsError:
    return AwsError("AuthorizationHeaderMalformed", f"The authorization header is malformed; {detail}", 400)


def header_missing_components() -> AwsError:
    return header_malformed(
        "the authorization header requires three components: Credential, SignedHeaders, and Signature."
    )


def header_malformed_component(component: str) -> AwsError:
    return header_malformed(f'the authorization component "{component}" is malformed.')


def credential_malformed(prefix: str) -> str:
    return f'{prefix}the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'


def credential_bad_terminal(prefix: str, terminal: str) -> str:
    return f'{prefix}incorrect terminal "{terminal}". This endpoint uses "aws4_request".'


def credential_bad_date(prefix: str, date: str) -> str:
    return f'{prefix}incorrect date format "{date}". This date in the credential must be in the format "yyyyMMdd".'


def unsupported_authorization_type(value: str) -> AwsError:
    return AwsError(
        "InvalidArgument",
        "Unsupported Authorization Type",
        400,
        fields={"ArgumentName": "Authorization", "ArgumentValue": value},
    )


def only_one_auth_mechanism(value: str) -> AwsError:
    return AwsError(
        "InvalidArgument",
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string "
        "parameter or the Authorization header should be specified",
        400,
        fields={"ArgumentName": "Authorization", "ArgumentValue": value},
    )


def sigv4a_not_supported() -> AwsError:
    return AwsError(
        "NotImplemented",
        "lakebox cannot check AWS4-ECDSA-P256-SHA256 (SigV4a) signatures; sign with AWS4-HMAC-SHA256.",
        501,
        sender_fault=False,
    )


# -- SigV4 presigned query --------------------------------------------------------------------------


def query_params_error(message: str) -> AwsError:
    return AwsError("AuthorizationQueryParametersError", message, 400)


QUERY_MISSING_PARAMS = (
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, "
    "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
)
QUERY_BAD_ALGORITHM = 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'
QUERY_BAD_DATE = "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
QUERY_EXPIRES_NOT_NUMBER = "X-Amz-Expires should be a number"
QUERY_EXPIRES_NEGATIVE = "X-Amz-Expires must be non-negative"
QUERY_EXPIRES_TOO_LARGE = (
    "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than "
    "604800 seconds"
)
QUERY_CREDENTIAL_PREFIX = "Error parsing the X-Amz-Credential parameter; "


def query_date_mismatch(credential_date: str, amz_date: str) -> AwsError:
    return query_params_error(
        f'Invalid credential date "{credential_date}". This date is not the same as X-Amz-Date: "{amz_date}".'
    )


def headers_not_signed(names: list[str]) -> AwsError:
    """A presigned S3 request carrying x-amz-* headers its X-Amz-SignedHeaders leaves out."""
    return AwsError(
        "AccessDenied",
        "There were headers present in the request which were not signed",
        403,
        fields={"HeadersNotSigned": ", ".join(names)},
    )


# -- SigV2 ---------------------------------------------------------------------------------------


def sigv2_header_invalid(value: str) -> AwsError:
    return AwsError(
        "InvalidArgument",
        "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
        400,
        fields={"ArgumentName": "Authorization", "ArgumentValue": value},
    )


def sigv2_query_incomplete() -> AwsError:
    return AwsError(
        "AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters", 403
    )


def sigv2_bad_expires(value: str) -> AwsError:
    return AwsError("AccessDenied", f"Invalid date (should be seconds since epoch): {value}", 403)


# -- x-amz-content-sha256 and the body ---------------------------------------------------------------


def missing_content_sha256() -> AwsError:
    return AwsError("InvalidRequest", "Missing required header for this request: x-amz-content-sha256", 400)


def invalid_content_sha256(value: str) -> AwsError:
    return AwsError(
        "InvalidArgument",
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER "
        "or a valid sha256 value.",
        400,
        fields={"ArgumentName": "x-amz-content-sha256", "ArgumentValue": value},
    )


def anonymous_signed_streaming() -> AwsError:
    return AwsError(
        "InvalidRequest",
        "Anonymous requests don't support this x-amz-content-sha256 value. "
        "Please use UNSIGNED-PAYLOAD or STREAMING-UNSIGNED-PAYLOAD-TRAILER.",
        400,
    )


def content_sha256_mismatch(client_value: str, computed: str) -> AwsError:
    return AwsError(
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        400,
        fields={"ClientComputedContentSHA256": client_value, "S3ComputedContentSHA256": computed},
    )


def incomplete_body() -> AwsError:
    return AwsError("IncompleteBody", "The request body terminated unexpectedly", 400)


def decoded_length_mismatch() -> AwsError:
    return AwsError(
        "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header", 400
    )


def malformed_trailer() -> AwsError:
    return AwsError(
        "MalformedTrailerError",
        "The request contained trailing data that was not well-formed or did not conform to our published schema.",
        400,
    )


def invalid_chunk_size(chunk_number: int, size: int) -> AwsError:
    return AwsError(
        "InvalidChunkSizeError",
        "Only the last chunk is allowed to have a size less than 8192 bytes",
        400,
        fields={"Chunk": str(chunk_number), "BadChunkSize": str(size)},
    )
