"""Every S3 error lakebox answers, in one table, and the helpers that build them.

Why one table: S3 clients (and the compatibility suites) match on the exact code, HTTP status and
often the message, so each error is written down once, with AWS's wording, and the provider only
ever refers to it by code. Storage domain errors are translated here too, at the boundary, so the
area modules never see a `StorageError`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from typing import Any, Iterator, Optional

from ...protocol.errors import AwsError
from ...storage import errors as st

#: code -> (HTTP status, AWS's default message)
ERRORS: dict[str, tuple[int, str]] = {
    "AccessDenied": (403, "Access Denied"),
    # A CORS preflight no rule allows (sic: "evalution"); cors.py words the other refusals.
    "AccessForbidden": (
        403,
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
        "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not "
        "whitelisted by the resource's CORS spec.",
    ),
    "AccessControlListNotSupported": (400, "The bucket does not allow ACLs"),
    "BadDigest": (400, "The Content-MD5 you specified did not match what we received."),
    "BadRequest": (400, "Bad Request"),
    "BucketAlreadyExists": (
        409,
        "The requested bucket name is not available. The bucket namespace is shared by all users of "
        "the system. Please select a different name and try again.",
    ),
    "BucketAlreadyOwnedByYou": (
        409,
        "Your previous request to create the named bucket succeeded and you already own it.",
    ),
    "BucketNotEmpty": (409, "The bucket you tried to delete is not empty"),
    # A conditional CompleteMultipartUpload whose key was written or deleted after the upload began.
    "ConditionalRequestConflict": (
        409, "The conditional request cannot succeed due to a conflicting operation against this resource."
    ),
    # PutBucketLogging to a target bucket in another region (sic: S3's spelling, and its trailing space).
    "CrossLocationLoggingProhibitted": (403, "Cross S3 location logging not allowed. "),
    "EntityTooLarge": (400, "Your proposed upload exceeds the maximum allowed size"),
    "EntityTooSmall": (400, "Your proposed upload is smaller than the minimum allowed size"),
    "IllegalVersioningConfigurationException": (400, "The Versioning element must be specified"),
    "IllegalLocationConstraintException": (
        400,
        "The {} location constraint is incompatible for the region specific endpoint this request was sent to.",
    ),
    "IncompleteBody": (400, "You did not provide the number of bytes specified by the Content-Length HTTP header"),
    "InvalidArgument": (400, "Invalid Argument"),
    "InvalidBucketAclWithObjectOwnership": (
        400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"
    ),
    "InvalidBucketName": (400, "The specified bucket is not valid."),
    "InvalidBucketNamespace": (400, "The requested bucket name is not valid for the requested bucket namespace."),
    "InvalidNamespaceHeader": (400, "The x-amz-bucket-namespace header does not match the requested bucket name."),
    # The value is appended in brackets by the one caller (common.check_expected_bucket_owner).
    "InvalidBucketOwnerAWSAccountID": (400, "The value of the expected bucket owner parameter must be an AWS Account ID..."),
    "InvalidDigest": (400, "The Content-MD5 you specified was invalid."),
    "InvalidEncryptionAlgorithmError": (
        400, "The Encryption request you specified is not valid. Supported value: AES256."
    ),
    "InvalidLocationConstraint": (400, "The specified location-constraint is not valid"),
    "ObjectAlreadyInActiveTierError": (403, "This object is already in the active tier."),
    "InvalidObjectState": (403, "The operation is not valid for the current state of the object."),
    "InvalidPart": (
        400,
        "One or more of the specified parts could not be found.  The part may not have been uploaded, "
        "or the specified entity tag may not match the part's entity tag.",
    ),
    "InvalidPartNumber": (416, "The requested partnumber is not satisfiable"),
    "InvalidPartOrder": (
        400,
        "The list of parts was not in ascending order. Parts must be ordered by part number.",
    ),
    "InvalidPolicyDocument": (
        400,
        "The content of the form does not meet the conditions specified in the policy document.",
    ),
    "InvalidRange": (416, "The requested range is not satisfiable"),
    "InvalidRequest": (400, "Invalid Request"),
    "InvalidStorageClass": (400, "The storage class you specified is not valid"),
    "InvalidTag": (400, "The tag provided was not a valid tag."),
    "InvalidTargetBucketForLogging": (400, "The target bucket for logging does not exist"),
    "KeyTooLongError": (400, "Your key is too long"),
    "MaxMessageLengthExceeded": (400, "Your request was too big."),
    "MalformedXML": (
        400,
        "The XML you provided was not well-formed or did not validate against our published schema",
    ),
    "MalformedPOSTRequest": (400, "The body of your POST request is not well-formed multipart/form-data."),
    # sic: S3's own spelling and grammar.
    "MaxPostPreDataLengthExceeded": (400, "Your POST request fields preceeding the upload file was too large."),
    "MalformedACLError": (
        400,
        "The XML you provided was not well-formed or did not validate against our published schema",
    ),
    "MalformedPolicy": (400, "Policies must be valid JSON and the first byte must be '{'"),
    "MetadataTooLarge": (400, "Your metadata headers exceed the maximum allowed metadata size"),
    "MissingContentLength": (411, "You must provide the Content-Length HTTP header."),
    "MissingRequestBodyError": (400, "Request Body is empty"),
    "MissingSecurityHeader": (400, "Your request was missing a required header"),
    "NoSuchBucket": (404, "The specified bucket does not exist"),
    "NoSuchBucketPolicy": (404, "The bucket policy does not exist"),
    "NoSuchCORSConfiguration": (404, "The CORS configuration does not exist"),
    "NoSuchKey": (404, "The specified key does not exist."),
    "NoSuchLifecycleConfiguration": (404, "The lifecycle configuration does not exist"),
    # sic: "a ObjectLock", as S3 words it on the wire.
    "NoSuchObjectLockConfiguration": (404, "The specified object does not have a ObjectLock configuration"),
    "NoSuchUpload": (
        404,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have "
        "been aborted or completed.",
    ),
    "NoSuchPublicAccessBlockConfiguration": (404, "The public access block configuration was not found"),
    "NoSuchTagSet": (404, "The TagSet does not exist"),
    "NoSuchVersion": (404, "The specified version does not exist."),
    "NoSuchWebsiteConfiguration": (404, "The specified bucket does not have a website configuration"),
    "NoSuchConfiguration": (404, "The specified configuration does not exist."),
    "IdMismatch": (400, "Document ID does not match the specified configuration ID."),
    "InvalidS3DestinationBucket": (400, "Invalid bucket ARN."),
    "TooManyConfigurations": (
        400,
        "You are attempting to create a new configuration but have already reached the 1,000-configuration limit.",
    ),
    "MethodNotAllowed": (405, "The specified method is not allowed against this resource."),
    "InvalidBucketState": (409, "The request is not valid with the current state of the bucket."),
    "NotImplemented": (501, "A header you provided implies functionality that is not implemented"),
    "ObjectLockConfigurationNotFoundError": (404, "Object Lock configuration does not exist for this bucket"),
    "OwnershipControlsNotFoundError": (404, "The bucket ownership controls were not found"),
    "PreconditionFailed": (412, "At least one of the pre-conditions you specified did not hold"),
    "ReplicationConfigurationNotFoundError": (404, "The replication configuration was not found"),
    "RestoreAlreadyInProgress": (409, "Object restore is already in progress"),
    "SlowDown": (503, "Please reduce your request rate."),
    "UnexpectedContent": (400, "This request does not support content"),
}

#: S3's minimum size of every part of a multipart upload but the last.
MIN_PART_SIZE = 5 * 1024 * 1024

#: The checksum algorithms whose mismatch message names them as AWS does.
_CHECKSUM_MISMATCH = "The {} you specified did not match the calculated checksum."


def s3_error(code: str, message: Optional[str] = None, *, headers: Optional[dict] = None, **fields: Any) -> AwsError:
    """The AwsError for `code`, with the table's status and (unless given) its message.

    Keyword fields become extra elements of the XML error body, named as S3 names them
    (`Key`, `BucketName`, `ArgumentName` ...); None values are left out.
    """
    status, default = ERRORS[code]
    return AwsError(
        code,
        default if message is None else message,
        status,
        fields={k: v for k, v in fields.items() if v is not None},
        headers=headers,
    )


def no_such_bucket(name: str) -> AwsError:
    return s3_error("NoSuchBucket", BucketName=name)


def no_such_key(key: str) -> AwsError:
    return s3_error("NoSuchKey", Key=key)


def no_such_upload(upload_id: str) -> AwsError:
    return s3_error("NoSuchUpload", UploadId=upload_id)


def invalid_argument(message: str, name: Optional[str] = None, value: Any = None) -> AwsError:
    return s3_error(
        "InvalidArgument",
        message,
        ArgumentName=name,
        ArgumentValue=None if value is None else str(value),
    )


def invalid_request(message: str) -> AwsError:
    return s3_error("InvalidRequest", message)


def precondition_failed(condition: str) -> AwsError:
    return s3_error("PreconditionFailed", Condition=condition)


def invalid_tag(message: str, key: Optional[str] = None, value: Optional[str] = None) -> AwsError:
    """InvalidTag naming the offending tag: its key, and its value when the value is at fault."""
    return s3_error("InvalidTag", message, TagKey=key, TagValue=value)


def checksum_mismatch(algorithm: str) -> AwsError:
    return s3_error("BadDigest", _CHECKSUM_MISMATCH.format(algorithm.upper()))


def part_error(exc: st.StorageError, upload_id: str, given: list[dict]) -> AwsError:
    """InvalidPart or EntityTooSmall about one part named in a CompleteMultipartUpload.

    S3 names the part in the error body with the ETag the request sent for it, without its quotes,
    so a client can tell which of its parts to upload again.
    """
    number = getattr(exc, "part_number", None)
    sent = next((p.get("ETag") for p in given if number is not None and int(p["PartNumber"]) == number), None)
    if sent is not None:
        sent = sent.strip().strip('"')
    if isinstance(exc, st.EntityTooSmallError):
        return s3_error("EntityTooSmall", ProposedSize=exc.size, MinSizeAllowed=MIN_PART_SIZE,
                        PartNumber=number, ETag=sent)
    return s3_error("InvalidPart", UploadId=upload_id, PartNumber=number, ETag=sent)


def from_storage(exc: st.StorageError, *, bucket: str = "", key: str = "", upload_id: str = "") -> AwsError:
    """Translate a storage domain error into the S3 error a client expects.

    The caller passes what it was working on, because the domain errors carry only what storage
    knows, while S3 names the bucket, key or upload in the error body.
    """
    if isinstance(exc, st.NoSuchBucketError):
        return no_such_bucket(exc.bucket or bucket)
    if isinstance(exc, st.NoSuchKeyError):
        return no_such_key(exc.key or key)
    if isinstance(exc, st.NoSuchVersionError):
        return s3_error("NoSuchVersion", Key=exc.key or key, VersionId=exc.version_id)
    if isinstance(exc, st.NoSuchUploadError):
        return no_such_upload(upload_id)
    if isinstance(exc, st.BucketNotEmptyError):
        return s3_error("BucketNotEmpty", BucketName=bucket)
    if isinstance(exc, st.InvalidPartOrderError):
        return s3_error("InvalidPartOrder", UploadId=upload_id)
    if isinstance(exc, st.InvalidPartError):
        return s3_error("InvalidPart", UploadId=upload_id)
    if isinstance(exc, st.EntityTooSmallError):
        return s3_error(
            "EntityTooSmall",
            ProposedSize=exc.size,
            MinSizeAllowed=MIN_PART_SIZE,
            PartNumber=exc.part_number,
        )
    if isinstance(exc, st.BadDigestError):
        # Recorded from S3: the digest it calculated in base64, the one it expected in hex for an
        # object, but as sent (base64) for a part.
        expected = exc.expected if upload_id else _hex_digest(exc.expected)
        return s3_error("BadDigest", ExpectedDigest=expected, CalculatedDigest=exc.calculated)
    if isinstance(exc, st.ChecksumMismatchError):
        return checksum_mismatch(exc.algorithm)
    if isinstance(exc, st.IncompleteBodyError):
        return s3_error("IncompleteBody")
    if isinstance(exc, st.BucketExistsError):
        return s3_error("BucketAlreadyExists", BucketName=exc.existing.name)
    if isinstance(exc, st.InvalidBucketNameError):
        return s3_error("InvalidBucketName", BucketName=bucket)
    if isinstance(exc, st.KeyTooLongError):
        return s3_error("KeyTooLongError", MaxSizeAllowed=1024)
    if isinstance(exc, st.InvalidKeyError):
        return invalid_argument("Object key must be valid UTF-8 and not empty", "key", key)
    if isinstance(exc, st.EmptyPartListError):
        return s3_error("MalformedXML")
    if isinstance(exc, st.InvalidVersionIdError):
        return invalid_argument("Invalid version id specified", "version-id-marker", exc.version_id)
    if isinstance(exc, st.ObjectChangedError):
        # The object kept changing under a read or copy that already retried: ask the client to
        # retry, as S3 does when a key is hammered.
        return s3_error("SlowDown")
    # Anything else is a storage bug or an environment failure (disk full ...): let the gateway log
    # it once as an internal error with the request id rather than guessing a client error.
    raise exc


@contextlib.contextmanager
def translated(*, bucket: str = "", key: str = "", upload_id: str = "", passthrough: tuple = ()) -> Iterator[None]:
    """Run a storage call and turn its domain errors into S3 errors about `bucket`/`key`/`upload_id`.

    Errors listed in `passthrough` are left for the caller, which answers them by context.
    """
    try:
        yield
    except passthrough:
        raise
    except st.StorageError as exc:
        raise from_storage(exc, bucket=bucket, key=key, upload_id=upload_id) from None


def _hex_digest(b64: str) -> str:
    try:
        return base64.b64decode(b64, validate=True).hex()
    except (binascii.Error, ValueError):
        return b64
