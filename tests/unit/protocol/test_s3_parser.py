"""S3 request parsing beyond the botocore round trip: streaming bodies, wire variants other clients
send, and the errors S3 answers malformed input with."""

from __future__ import annotations

import datetime as dt

import pytest

from lakebox.protocol.errors import AwsError
from lakebox.protocol.http import BodyStream, BytesBody, Headers, HttpRequest
from lakebox.protocol.parsers import create_parser
from lakebox.protocol.parsers.rest_xml import split_header_list
from lakebox.protocol.parsers.s3 import S3RequestParser
from lakebox.protocol.specs import load_service_model

MODEL = load_service_model("s3")
PARSER = S3RequestParser(MODEL)


class UnreadableBody(BodyStream):
    """A body that fails if anyone reads it: streaming payloads must reach the provider unread."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the parser read a streaming body")


def _parse(method, path, query="", headers=(), body=b""):
    request = HttpRequest(
        method=method,
        path=path,
        query=query,
        headers=Headers(headers),
        body=body if isinstance(body, BodyStream) else BytesBody(body),
    )
    operation, uri_params = PARSER.find_operation(request)
    return operation.name, PARSER.parse(request, operation, uri_params)


@pytest.mark.parametrize(
    "method,query,operation",
    [("PUT", "", "PutObject"), ("PUT", "partNumber=1&uploadId=u", "UploadPart")],
)
def test_streaming_body_is_passed_through_unread(method, query, operation):
    body = UnreadableBody()
    name, params = _parse(method, "/bkt/big.bin", query, [("Content-Length", "5368709120")], body)
    assert name == operation
    assert params["Body"] is body
    assert params["ContentLength"] == 5368709120


def test_metadata_names_are_lower_cased_and_values_kept():
    _, params = _parse(
        "PUT",
        "/bkt/k",
        headers=[("X-Amz-Meta-Owner", "Alice Smith"), ("x-amz-meta-run_id", "42"), ("Content-Type", "text/csv")],
    )
    assert params["Metadata"] == {"owner": "Alice Smith", "run_id": "42"}
    assert params["ContentType"] == "text/csv"


def test_copy_source_header_is_kept_as_sent():
    name, params = _parse(
        "PUT",
        "/bkt/k",
        headers=[("x-amz-copy-source", "/src/a%20b.txt?versionId=v1"), ("x-amz-metadata-directive", "REPLACE")],
    )
    assert name == "CopyObject"
    assert params["CopySource"] == "/src/a%20b.txt?versionId=v1"
    assert params["MetadataDirective"] == "REPLACE"


def test_content_md5_and_checksum_headers_are_kept_as_sent():
    name, params = _parse(
        "PUT",
        "/bkt/k",
        headers=[
            ("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="),
            ("x-amz-checksum-sha256", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="),
            ("x-amz-sdk-checksum-algorithm", "SHA256"),
        ],
    )
    assert name == "PutObject"
    assert params["ContentMD5"] == "1B2M2Y8AsgTpgAmY7PhCfg=="
    assert params["ChecksumSHA256"] == "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="
    assert params["ChecksumAlgorithm"] == "SHA256"


def test_aws_chunked_is_not_the_content_encoding_and_decoded_length_is_the_size():
    _, params = _parse(
        "PUT",
        "/bkt/k",
        headers=[
            ("Content-Encoding", "aws-chunked,gzip"),
            ("Content-Length", "8300"),
            ("x-amz-decoded-content-length", "8192"),
        ],
    )
    assert params["ContentEncoding"] == "gzip"
    assert params["ContentLength"] == 8192
    _, params = _parse("PUT", "/bkt/k", headers=[("Content-Encoding", "aws-chunked")])
    assert "ContentEncoding" not in params


def test_header_timestamps_accept_rfc822_and_iso8601():
    _, params = _parse(
        "GET",
        "/bkt/k",
        headers=[("If-Modified-Since", "Fri, 02 Jan 2026 03:04:05 GMT"), ("If-Unmodified-Since", "2026-01-02T03:04:05Z")],
    )
    expected = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert params["IfModifiedSince"] == expected
    assert params["IfUnmodifiedSince"] == expected


def test_bad_integer_query_value_is_invalid_argument():
    with pytest.raises(AwsError) as info:
        _parse("GET", "/bkt", "list-type=2&max-keys=ten")
    assert (info.value.code, info.value.status) == ("InvalidArgument", 400)


def test_xml_body_without_namespace_and_pretty_printed_is_read():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
    <CreateBucketConfiguration>
      <LocationConstraint>eu-west-1</LocationConstraint>
    </CreateBucketConfiguration>"""
    name, params = _parse("PUT", "/new-bucket", body=body)
    assert name == "CreateBucket"
    assert params == {"Bucket": "new-bucket", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}}


def test_empty_body_leaves_the_payload_member_out():
    _, params = _parse("PUT", "/new-bucket")
    assert params == {"Bucket": "new-bucket"}


def test_delete_objects_reads_flattened_list_and_escaped_characters():
    body = (
        b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>'
        b"<Object><Key>a&amp;b&lt;c&#xD;&#xA;.txt</Key></Object><Object><Key>d</Key><VersionId>v2</VersionId></Object>"
        b"</Delete>"
    )
    name, params = _parse("POST", "/bkt", "delete", body=body)
    assert name == "DeleteObjects"
    assert params["Delete"] == {
        "Objects": [{"Key": "a&b<c\r\n.txt"}, {"Key": "d", "VersionId": "v2"}],
        "Quiet": True,
    }


def test_acl_grantee_type_comes_from_the_xsi_attribute():
    body = (
        b'<AccessControlPolicy><AccessControlList><Grant>'
        b'<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">'
        b"<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission>"
        b"</Grant></AccessControlList></AccessControlPolicy>"
    )
    _, params = _parse("PUT", "/bkt", "acl", body=body)
    grant = params["AccessControlPolicy"]["Grants"][0]
    assert grant["Grantee"] == {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}
    assert grant["Permission"] == "READ"


@pytest.mark.parametrize(
    "body",
    [
        b"<Tagging><TagSet><Tag><Key>k</Key></TagSet></Tagging>",
        b"not xml at all",
        b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><Tagging><TagSet/></Tagging>',
    ],
    ids=["unbalanced", "text", "doctype"],
)
def test_malformed_xml_body(body):
    with pytest.raises(AwsError) as info:
        _parse("PUT", "/bkt", "tagging", body=body)
    error = info.value
    assert (error.code, error.status) == ("MalformedXML", 400)
    assert error.message == (
        "The XML you provided was not well-formed or did not validate against our published schema"
    )


def test_bad_value_inside_xml_is_malformed_xml():
    body = b"<Delete><Object><Key>k</Key></Object><Quiet>maybe</Quiet></Delete>"
    with pytest.raises(AwsError) as info:
        _parse("POST", "/bkt", "delete", body=body)
    assert info.value.code == "MalformedXML"


def test_header_list_items_split_on_commas_outside_quotes():
    assert split_header_list('ETag, ObjectSize,"a,b","say \\"hi\\""') == ["ETag", "ObjectSize", "a,b", 'say "hi"']
    _, params = _parse("GET", "/bkt/k", "attributes", [("x-amz-object-attributes", "ETag,ObjectSize")])
    assert params["ObjectAttributes"] == ["ETag", "ObjectSize"]


def test_factory_picks_the_s3_parser():
    assert type(create_parser(MODEL)) is S3RequestParser


# -- document size limits ------------------------------------------------------------------------

class CountingBody(BodyStream):
    """A body of unknown length (chunked transfer) that counts what the parser reads of it."""

    length = None

    def __init__(self, size: int):
        super().__init__()
        self.left, self.read_bytes = size, 0

    def read(self, size: int = -1) -> bytes:
        n = self.left if size < 0 else min(size, self.left)
        self.left -= n
        self.read_bytes += n
        return b" " * n


def test_a_declared_length_over_the_limit_is_refused_before_reading():
    with pytest.raises(AwsError) as info:
        _parse("PUT", "/bkt", query="versioning", body=b" " * 1025)
    assert (info.value.code, info.value.status) == ("MaxMessageLengthExceeded", 400)
    assert info.value.fields == {"MaxMessageLengthBytes": "1024"}


def test_a_body_of_unknown_length_is_read_one_byte_past_the_limit_and_no_further():
    body = CountingBody(50 * 1024 * 1024)
    with pytest.raises(AwsError) as info:
        _parse("POST", "/bkt", query="delete", body=body)
    assert info.value.code == "MaxMessageLengthExceeded"
    assert body.read_bytes == 2_048_001


def test_an_operation_with_no_recorded_limit_gets_two_mib():
    with pytest.raises(AwsError) as info:
        _parse("PUT", "/bkt", query="policy", body=CountingBody(3 * 1024 * 1024))
    assert info.value.fields == {"MaxMessageLengthBytes": "2097152"}


def test_a_document_at_the_limit_is_parsed():
    document = b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
    body = document + b" " * (1024 - len(document))
    name, params = _parse("PUT", "/bkt", query="versioning", body=body)
    assert name == "PutBucketVersioning"
    assert params["VersioningConfiguration"] == {"Status": "Enabled"}


def test_streaming_bodies_have_no_document_limit():
    name, params = _parse("PUT", "/bkt/key", body=UnreadableBody())
    assert name == "PutObject"
