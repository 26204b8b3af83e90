"""PostObject, the browser-form upload that lakebox's spec patches add to S3's model: its routing (a
multipart/form-data POST to the bucket, nothing else), its unread streaming body, and its responses.

botocore has no client method for it, so these tests stand in for the round-trip oracle."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import botocore.session
import pytest

from lakebox.protocol.errors import AwsError
from lakebox.protocol.http import BytesBody, Headers, HttpRequest
from lakebox.protocol.parsers.s3 import S3RequestParser
from lakebox.protocol.serializers.s3 import S3ResponseSerializer
from lakebox.protocol.specs import load_service_model

MODEL = load_service_model("s3")
PARSER = S3RequestParser(MODEL)
SERIALIZER = S3ResponseSerializer(MODEL)
FORM = "multipart/form-data; boundary=b0undary"


def _request(method, path, query="", content_type=None, body=b""):
    headers = [("Content-Type", content_type)] if content_type else []
    return HttpRequest(method=method, path=path, query=query, headers=Headers(headers), body=BytesBody(body))


def test_post_object_is_a_patch_not_in_botocore():
    assert "PostObject" in MODEL.operation_names
    assert "PostObject" not in botocore.session.get_session().get_service_model("s3").operation_names


@pytest.mark.parametrize(
    "path,query,content_type",
    [
        ("/bkt", "", FORM),
        ("/bkt/", "", FORM),
        ("/bkt", "", "Multipart/Form-Data; boundary=x"),  # media types are case-insensitive
        ("/bkt", "", "multipart/form-data"),  # a missing boundary is the provider's error to give
        ("/bkt", "foo=bar", FORM),  # unknown query keys are ignored, as for every S3 route
    ],
)
def test_form_post_to_bucket_routes_to_post_object(path, query, content_type):
    operation, params = PARSER.find_operation(_request("POST", path, query, content_type))
    assert operation.name == "PostObject"
    assert params == {"Bucket": "bkt"}


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/mixed; boundary=x"])
def test_bucket_post_that_is_not_a_form_is_precondition_failed(content_type):
    # S3's answer: 412, naming the enclosure type a bucket POST must have.
    with pytest.raises(AwsError) as info:
        PARSER.find_operation(_request("POST", "/bkt", "", content_type))
    assert (info.value.code, info.value.status) == ("PreconditionFailed", 412)
    assert info.value.fields == {"Condition": "Bucket POST must be of the enclosure-type multipart/form-data"}


def test_sub_resources_win_over_the_form_upload():
    operation, _ = PARSER.find_operation(_request("POST", "/bkt", "delete", FORM))
    assert operation.name == "DeleteObjects"


@pytest.mark.parametrize("method,path", [("POST", "/"), ("PATCH", "/bkt")])
def test_form_to_other_resources_is_method_not_allowed(method, path):
    with pytest.raises(AwsError) as info:
        PARSER.find_operation(_request(method, path, "", FORM))
    assert (info.value.code, info.value.status) == ("MethodNotAllowed", 405)


def test_body_is_passed_on_unread():
    body = BytesBody(b"--b0undary\r\n...")
    request = HttpRequest(method="POST", path="/bkt", headers=Headers([("Content-Type", FORM)]), body=body)
    operation, uri_params = PARSER.find_operation(request)
    params = PARSER.parse(request, operation, uri_params)
    assert params["Bucket"] == "bkt"
    assert params["Body"] is body
    assert body.read() == b"--b0undary\r\n..."


def _serialize(result):
    return SERIALIZER.serialize_response(MODEL.operation_model("PostObject"), dict(result), "REQ1")


def test_default_response_is_204_with_etag_and_location_headers_and_no_body():
    response = _serialize({"ETag": '"abc"', "Location": "http://h/bkt/k"})
    assert response.status == 204
    assert response.headers["ETag"] == '"abc"'
    assert response.headers["Location"] == "http://h/bkt/k"
    assert response.body_bytes() == b""


def test_201_response_is_a_post_response_document_without_namespace():
    document = {"Location": "http://h/bkt/a%2Fb", "Bucket": "bkt", "Key": "a/b", "ETag": '"abc"'}
    response = _serialize({"ETag": '"abc"', "Location": document["Location"], "__status__": 201,
                           "PostResponse": document})
    assert response.status == 201
    root = ET.fromstring(response.body_bytes())
    # S3 sends PostResponse bare; clients read it with find('Key'), no namespace map.
    assert root.tag == "PostResponse"
    assert [(child.tag, child.text) for child in root] == list(document.items())


def test_200_and_303_responses_have_no_body():
    assert _serialize({"ETag": '"abc"', "__status__": 200}).body_bytes() == b""
    redirect = _serialize({"ETag": '"abc"', "Location": "http://app/done?bucket=b", "__status__": 303})
    assert redirect.status == 303
    assert redirect.headers["Location"] == "http://app/done?bucket=b"
    assert redirect.body_bytes() == b""
