"""S3's response serializer: the generic rest-xml serializer plus what S3's wire format adds.

- Document elements carry S3's names, which botocore's model lacks for output shapes (clients
  ignore the root name, but scripts that read the XML and other SDKs see it), and S3's namespace,
  except for a shape that declares an empty one (PostObject's PostResponse has none on S3).
- GetBucketLocation cannot be modeled: the region is the text of the root element itself.
- Errors are a bare `<Error>` document with `<RequestId>` and `<HostId>`, no envelope.
- HEAD errors have no body (HTTP), so the status line and headers are all a client sees.
- A user metadata value (x-amz-meta-*) with any non-ASCII character goes out as an RFC 2047
  encoded word of its UTF-8 bytes (`=?UTF-8?B?...?=`), as S3 documents; an ASCII value goes out as
  it is. The header stays ASCII whatever the value holds. Other headers (Content-Disposition from
  a browser form can hold any character) are encoded the same way only when a raw header could
  not carry them, that is beyond ISO-8859-1.

Providers steer the status and raw headers with `result["__status__"]` and `result["__headers__"]`,
documented in `serializers.rest_xml`.
"""

from __future__ import annotations

import base64
from typing import Any, Optional

from botocore.model import OperationModel, Shape

from ..errors import AwsError
from ..http import HttpResponse
from .rest_xml import XML_DECLARATION, RestXMLResponseSerializer, escape_attr, escape_text, host_id

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
#: What S3 names itself in the Server header; scripts and tests that compare raw answers look at it.
SERVER = "AmazonS3"

#: S3's document element for operations whose output body is the output structure itself.
ROOT_ELEMENTS = {
    "CompleteMultipartUpload": "CompleteMultipartUploadResult",
    "CreateMultipartUpload": "InitiateMultipartUploadResult",
    "CreateSession": "CreateSessionResult",
    "DeleteObjects": "DeleteResult",
    "GetBucketAccelerateConfiguration": "AccelerateConfiguration",
    "GetBucketAcl": "AccessControlPolicy",
    "GetBucketCors": "CORSConfiguration",
    "GetBucketLifecycle": "LifecycleConfiguration",
    "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    "GetBucketLocation": "LocationConstraint",
    "GetBucketLogging": "BucketLoggingStatus",
    "GetBucketNotification": "NotificationConfiguration",
    "GetBucketNotificationConfiguration": "NotificationConfiguration",
    "GetBucketRequestPayment": "RequestPaymentConfiguration",
    "GetBucketTagging": "Tagging",
    "GetBucketVersioning": "VersioningConfiguration",
    "GetBucketWebsite": "WebsiteConfiguration",
    "GetObjectAcl": "AccessControlPolicy",
    "GetObjectAttributes": "GetObjectAttributesResponse",
    "GetObjectTagging": "Tagging",
    "ListBucketAnalyticsConfigurations": "ListBucketAnalyticsConfigurationResult",
    "ListBucketIntelligentTieringConfigurations": "ListBucketIntelligentTieringConfigurationsOutput",
    "ListBucketInventoryConfigurations": "ListInventoryConfigurationsResult",
    "ListBucketMetricsConfigurations": "ListMetricsConfigurationsResult",
    "ListBuckets": "ListAllMyBucketsResult",
    "ListDirectoryBuckets": "ListAllMyDirectoryBucketsResult",
    "ListMultipartUploads": "ListMultipartUploadsResult",
    "ListObjectVersions": "ListVersionsResult",
    "ListObjects": "ListBucketResult",
    "ListObjectsV2": "ListBucketResult",
    "ListParts": "ListPartsResult",
}


def _unsendable(char: str) -> bool:
    """Not printable ASCII (a tab passes): such a value cannot go out as it is."""
    return not (" " <= char <= "~" or char == "\t")


def mail_safe(value: str) -> str:
    """S3's presentation of a user metadata value: as is when printable ASCII, else one RFC 2047
    encoded word of its UTF-8 bytes. As recorded on S3, the encoding is chosen the way JavaMail
    chooses it: "Q" when printable characters outnumber the others, "B" otherwise."""
    unsendable = sum(1 for char in value if _unsendable(char))
    if not unsendable:
        return value
    data = value.encode("utf-8")
    if len(value) - unsendable > unsendable:
        return "=?UTF-8?Q?" + "".join(_q_byte(byte) for byte in data) + "?="
    return "=?UTF-8?B?" + base64.b64encode(data).decode("ascii") + "?="


def _q_byte(byte: int) -> str:
    if byte == 0x20:
        return "_"
    if byte < 0x20 or byte >= 0x7F or byte in b"=_?":
        return f"={byte:02X}"
    return chr(byte)


class S3ResponseSerializer(RestXMLResponseSerializer):
    #: S3's element order where it differs from the model's. SAX-style clients (the Java SDK)
    #: depend on it: ListAllMyBucketsResult names the owner before the buckets, and a listing
    #: gives its parameters (Name first) before the entries, which close the document.
    LEADING_MEMBERS = {
        "ListBucketsOutput": ("Owner",),
        "ListObjectsOutput": ("Name", "Prefix", "Marker", "NextMarker", "MaxKeys", "Delimiter", "IsTruncated",
                              "EncodingType"),
        "ListObjectsV2Output": ("Name", "Prefix", "ContinuationToken", "NextContinuationToken", "KeyCount",
                                "MaxKeys", "Delimiter", "StartAfter", "IsTruncated", "EncodingType"),
        "ListObjectVersionsOutput": ("Name", "Prefix", "KeyMarker", "VersionIdMarker", "NextKeyMarker",
                                     "NextVersionIdMarker", "MaxKeys", "Delimiter", "IsTruncated", "EncodingType"),
        "ListMultipartUploadsOutput": ("Bucket", "KeyMarker", "UploadIdMarker", "NextKeyMarker", "NextUploadIdMarker",
                                       "Delimiter", "Prefix", "MaxUploads", "IsTruncated", "EncodingType"),
        "ListPartsOutput": ("Bucket", "Key", "UploadId", "Initiator", "Owner", "StorageClass", "PartNumberMarker",
                            "NextPartNumberMarker", "MaxParts", "IsTruncated", "ChecksumAlgorithm", "ChecksumType"),
    }

    #: ListVersionsResult gives versions and delete markers in one run, in key order (newest first
    #: within a key), as SAX-style clients (the Java SDK's version listing) read them.
    INTERLEAVED_MEMBERS = {"ListObjectVersionsOutput": ("Versions", "DeleteMarkers")}

    def _add_request_id_headers(self, response: HttpResponse, request_id: str) -> None:
        super()._add_request_id_headers(response, request_id)
        response.headers["Server"] = SERVER  # on every answer of S3, errors included

    def _prefixed_header_text(self, shape: Shape, value: Any) -> str:
        return mail_safe(super()._prefixed_header_text(shape, value))

    def _single_header_text(self, shape: Shape, value: Any) -> str:
        text = super()._single_header_text(shape, value)
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            return mail_safe(text)
        return text

    def _root_name(self, operation: OperationModel, shape: Shape, member_name: Optional[str]) -> str:
        if member_name is None and operation.name in ROOT_ELEMENTS:
            return ROOT_ELEMENTS[operation.name]
        return super()._root_name(operation, shape, member_name)

    def _root_namespace(self, shape: Shape) -> Optional[str]:
        if shape.serialization.get("xmlNamespace") == "":
            # A shape that declares an empty namespace goes out bare, as S3 sends it (PostObject's
            # PostResponse, patched in by patches.py).
            return None
        return super()._root_namespace(shape) or S3_NAMESPACE

    def _serialize_body(self, operation: OperationModel, shape: Shape, result: dict, response: HttpResponse):
        if operation.name == "GetBucketLocation":
            return self._location_document(result, response)
        return super()._serialize_body(operation, shape, result, response)

    @staticmethod
    def _location_document(result: dict, response: HttpResponse) -> bytes:
        # us-east-1 is an empty, self-closed element, exactly as S3 sends it (Java's SDK reads the
        # raw document); botocore reads it back as None.
        region = result.get("LocationConstraint") or ""
        response.headers["Content-Type"] = "application/xml"
        opening = f'{XML_DECLARATION}<LocationConstraint xmlns="{escape_attr(S3_NAMESPACE)}"'
        if not region:
            return (opening + "/>").encode("utf-8")
        return f"{opening}>{escape_text(region)}</LocationConstraint>".encode("utf-8")

    def _error_document(self, error: AwsError, request_id: str) -> str:
        return (
            f"{XML_DECLARATION}<Error><Code>{escape_text(error.code)}</Code>"
            f"<Message>{escape_text(error.message)}</Message>{self._error_fields(error)}"
            f"<RequestId>{escape_text(request_id)}</RequestId><HostId>{host_id(request_id)}</HostId></Error>"
        )
