"""Bucket-level answers checked against AWS's recorded responses: tags and ARNs at creation, region
checks, non-empty versioned buckets, ExpectedBucketOwner's form, static website configuration, and
the exact codes and messages of a handful of refusals."""

from __future__ import annotations

import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from s3_helpers import RawS3, error_of, make_client

ALREADY_OWNED = "Your previous request to create the named bucket succeeded and you already own it."


def _error(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.response["Error"]


# CreateBucket with Tags


def test_create_bucket_with_tags_stores_them(s3):
    s3.create_bucket(Bucket="tagged", CreateBucketConfiguration={"Tags": [{"Key": "team", "Value": "data"},
                                                                          {"Key": "env", "Value": ""}]})
    assert s3.get_bucket_tagging(Bucket="tagged")["TagSet"] == [
        {"Key": "env", "Value": ""}, {"Key": "team", "Value": "data"}]


def test_create_bucket_with_empty_tags_stores_none(s3):
    s3.create_bucket(Bucket="untagged", CreateBucketConfiguration={"Tags": []})
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket="untagged")
    assert error_of(exc) == (404, "NoSuchTagSet")


@pytest.mark.parametrize("tags", [[{"Key": "k", "Value": "v"}], [{"Key": "other", "Value": "x"}]])
def test_recreate_own_bucket_in_us_east_1_with_tags_is_already_owned_by_you(s3, tags):
    s3.create_bucket(Bucket="retagged", CreateBucketConfiguration={"Tags": [{"Key": "k", "Value": "v"}]})
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="retagged", CreateBucketConfiguration={"Tags": tags})
    assert error_of(exc) == (409, "BucketAlreadyOwnedByYou")
    assert _error(exc)["Message"] == ALREADY_OWNED
    assert _error(exc)["BucketName"] == "retagged"
    # Without tags (or with none) the legacy us-east-1 re-create still succeeds and changes nothing.
    assert s3.create_bucket(Bucket="retagged")["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.create_bucket(Bucket="retagged", CreateBucketConfiguration={"Tags": []})["Location"] == "/retagged"
    assert s3.get_bucket_tagging(Bucket="retagged")["TagSet"] == [{"Key": "k", "Value": "v"}]


def test_create_bucket_with_invalid_tag_is_refused_and_creates_nothing(s3):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="badtags", CreateBucketConfiguration={"Tags": [{"Key": "k,2", "Value": "v"}]})
    assert error_of(exc) == (400, "InvalidTag")
    assert _error(exc)["Message"] == "The TagKey you have provided is invalid"
    assert _error(exc)["TagKey"] == "k,2"
    assert "badtags" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_create_bucket_with_system_tag_key_is_refused(s3):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="systags", CreateBucketConfiguration={"Tags": [{"Key": "aws:x", "Value": "v"}]})
    assert error_of(exc) == (400, "InvalidTag")
    assert _error(exc)["Message"] == (
        'User-defined tag keys can\'t start with "aws:". This prefix is reserved for system tags. '
        'Remove "aws:" from your tag keys and try again.')


# BucketArn


def test_create_bucket_and_list_buckets_answer_the_bucket_arn(lakebox_server, s3):
    assert s3.create_bucket(Bucket="arned")["BucketArn"] == "arn:aws:s3:::arned"
    eu = make_client(lakebox_server.endpoint_url, region="eu-west-1")
    created = eu.create_bucket(Bucket="arned-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert created["BucketArn"] == "arn:aws:s3:::arned-eu"
    listed = {b["Name"]: b["BucketArn"] for b in s3.list_buckets()["Buckets"]}
    assert listed == {"arned": "arn:aws:s3:::arned", "arned-eu": "arn:aws:s3:::arned-eu"}


def test_bucket_arn_names_the_partition_of_its_region(lakebox_server):
    china = make_client(lakebox_server.endpoint_url, region="cn-north-1")
    created = china.create_bucket(Bucket="in-china", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
    assert created["BucketArn"] == "arn:aws-cn:s3:::in-china"
    assert [b["BucketArn"] for b in china.list_buckets()["Buckets"]] == ["arn:aws-cn:s3:::in-china"]


# Region checks


@pytest.mark.parametrize("constraint", ["foo", "aws-global"])
def test_location_constraint_that_is_no_region_is_invalid(s3, constraint):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="nowhere", CreateBucketConfiguration={"LocationConstraint": constraint})
    assert error_of(exc) == (400, "InvalidLocationConstraint")
    assert _error(exc)["Message"] == "The specified location-constraint is not valid"
    assert _error(exc)["LocationConstraint"] == constraint


def test_us_east_1_is_the_global_endpoint_and_creates_buckets_in_any_region(s3):
    # boto3's us-east-1 client talks to s3.amazonaws.com, which takes any region's constraint.
    created = s3.create_bucket(Bucket="elsewhere", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    assert created["Location"] == "http://elsewhere.s3.amazonaws.com/"
    assert s3.head_bucket(Bucket="elsewhere")["BucketRegion"] == "ap-southeast-1"
    assert s3.get_bucket_location(Bucket="elsewhere")["LocationConstraint"] == "ap-southeast-1"


@pytest.mark.parametrize("constraint", ["bar", "aws-global", "us-west-2"])
def test_a_regional_endpoint_refuses_any_other_constraint_as_incompatible(lakebox_server, constraint):
    west = make_client(lakebox_server.endpoint_url, region="us-west-1")
    with pytest.raises(ClientError) as exc:
        west.create_bucket(Bucket="elsewhere", CreateBucketConfiguration={"LocationConstraint": constraint})
    assert error_of(exc) == (400, "IllegalLocationConstraintException")
    assert _error(exc)["Message"] == (f"The {constraint} location constraint is incompatible for the region specific "
                                      "endpoint this request was sent to.")
    assert "LocationConstraint" not in _error(exc)


def test_eu_is_eu_west_1s_old_name_and_get_bucket_location_answers_it(s3, lakebox_server):
    ireland = make_client(lakebox_server.endpoint_url, region="eu-west-1")
    ireland.create_bucket(Bucket="old-eu", CreateBucketConfiguration={"LocationConstraint": "EU"})
    assert ireland.get_bucket_location(Bucket="old-eu")["LocationConstraint"] == "EU"
    assert [b["BucketRegion"] for b in ireland.list_buckets(Prefix="old-eu")["Buckets"]] == ["eu-west-1"]
    s3.create_bucket(Bucket="old-eu-global", CreateBucketConfiguration={"LocationConstraint": "EU"})
    assert s3.head_bucket(Bucket="old-eu-global")["BucketRegion"] == "eu-west-1"
    ohio = make_client(lakebox_server.endpoint_url, region="us-east-2")
    with pytest.raises(ClientError) as exc:
        ohio.create_bucket(Bucket="not-in-eu", CreateBucketConfiguration={"LocationConstraint": "EU"})
    assert _error(exc)["Message"] == ("The EU location constraint is incompatible for the region specific "
                                      "endpoint this request was sent to.")


def test_list_buckets_with_unknown_region_is_invalid_argument(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.list_buckets(BucketRegion="eu-east-1")
    assert error_of(exc) == (400, "InvalidArgument")
    assert _error(exc)["Message"] == "Argument value eu-east-1 is not a valid AWS Region"
    assert _error(exc)["ArgumentName"] == "bucket-region"
    assert [b["Name"] for b in s3.list_buckets(BucketRegion="us-east-1")["Buckets"]] == [bucket]
    assert s3.list_buckets(BucketRegion="eu-west-1")["Buckets"] == []


# DeleteBucket on a versioned bucket


def test_delete_versioned_bucket_with_only_old_versions_asks_to_delete_all_versions(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["VersionId"]
    s3.delete_object(Bucket=bucket, Key="k")  # leaves the version and a delete marker
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert error_of(exc) == (409, "BucketNotEmpty")
    assert _error(exc)["Message"] == ("The bucket you tried to delete is not empty. "
                                      "You must delete all versions in the bucket.")
    assert _error(exc)["BucketName"] == bucket
    s3.delete_object(Bucket=bucket, Key="k", VersionId=version)
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)  # the delete marker alone still counts
    assert _error(exc)["Message"].endswith("You must delete all versions in the bucket.")


def test_delete_unversioned_non_empty_bucket_keeps_the_short_message(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert error_of(exc) == (409, "BucketNotEmpty")
    assert _error(exc)["Message"] == "The bucket you tried to delete is not empty"


# ExpectedBucketOwner


@pytest.mark.parametrize("expected", ["abcd", "0000", "0000000000020"])
def test_malformed_expected_bucket_owner_is_invalid_account_id(s3, bucket, expected):
    for call in (lambda: s3.get_bucket_tagging(Bucket=bucket, ExpectedBucketOwner=expected),
                 lambda: s3.list_objects_v2(Bucket=bucket, ExpectedBucketOwner=expected),
                 lambda: s3.delete_bucket(Bucket=bucket, ExpectedBucketOwner=expected)):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (400, "InvalidBucketOwnerAWSAccountID")
        assert _error(exc)["Message"] == (
            f"The value of the expected bucket owner parameter must be an AWS Account ID... [{expected}]")
    assert s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_well_formed_wrong_expected_bucket_owner_stays_access_denied(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_versioning(Bucket=bucket, ExpectedBucketOwner="123456789012")
    assert error_of(exc) == (403, "AccessDenied")


def test_unsigned_request_with_malformed_expected_bucket_owner_is_access_denied(lakebox_server, bucket):
    anonymous = make_client(lakebox_server.endpoint_url, signature_version=UNSIGNED)
    with pytest.raises(ClientError) as exc:
        anonymous.list_objects_v2(Bucket=bucket, ExpectedBucketOwner="abcd")
    assert error_of(exc) == (403, "AccessDenied")


# Static website configuration


def test_website_configuration_put_get_delete(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_website(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchWebsiteConfiguration")
    assert _error(exc)["Message"] == "The specified bucket does not have a website configuration"
    assert _error(exc)["BucketName"] == bucket
    config = {
        "IndexDocument": {"Suffix": "index.html"},
        "ErrorDocument": {"Key": "error.html"},
        "RoutingRules": [
            {"Condition": {"KeyPrefixEquals": "docs/"}, "Redirect": {"ReplaceKeyPrefixWith": "documents/"}},
            {"Condition": {"HttpErrorCodeReturnedEquals": "404"},
             "Redirect": {"HostName": "example.com", "Protocol": "https", "HttpRedirectCode": "302"}},
        ],
    }
    assert s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=config)["ResponseMetadata"][
        "HTTPStatusCode"] == 200
    got = s3.get_bucket_website(Bucket=bucket)
    got.pop("ResponseMetadata")
    assert got == config
    assert s3.delete_bucket_website(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_website(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchWebsiteConfiguration")
    # Deleting again, with nothing configured, succeeds as well.
    assert s3.delete_bucket_website(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_website_redirect_all_requests_is_stored(s3, bucket):
    config = {"RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "https"}}
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=config)
    got = s3.get_bucket_website(Bucket=bucket)
    assert got["RedirectAllRequestsTo"] == {"HostName": "example.com", "Protocol": "https"}
    assert "IndexDocument" not in got


@pytest.mark.parametrize("suffix, value", [("/index.html", "/index.html"), ("", None), ("a/b.html", "a/b.html")])
def test_website_index_suffix_must_be_a_plain_name(s3, bucket, suffix, value):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": suffix}})
    assert error_of(exc) == (400, "InvalidArgument")
    assert _error(exc)["Message"] == "The IndexDocument Suffix is not well formed"
    assert _error(exc)["ArgumentName"] == "IndexDocument"
    assert _error(exc).get("ArgumentValue") == value


def test_website_needs_index_document_or_redirect_all(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"ErrorDocument": {"Key": "error.html"}})
    assert error_of(exc) == (400, "InvalidArgument")
    assert _error(exc)["Message"] == ("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo "
                                      "is empty")
    assert _error(exc)["ArgumentName"] == "IndexDocument"
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_website(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchWebsiteConfiguration")


def test_website_redirect_all_cannot_be_combined(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
            "RedirectAllRequestsTo": {"HostName": "example.com"}, "IndexDocument": {"Suffix": "index.html"}})
    assert error_of(exc) == (400, "InvalidArgument")
    assert _error(exc)["Message"] == "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules."
    assert _error(exc)["ArgumentName"] == "RedirectAllRequestsTo"


def test_website_redirect_protocol_must_be_http_or_https(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
            "RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "ftp"}})
    assert error_of(exc) == (400, "InvalidRequest")
    assert _error(exc)["Message"] == ("Invalid protocol, protocol can be http or https. If not defined the protocol "
                                      "will be selected automatically.")


def test_website_routing_rule_cannot_replace_both_key_and_prefix(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "RoutingRules": [{"Redirect": {"ReplaceKeyPrefixWith": "a/", "ReplaceKeyWith": "b"}}]})
    assert error_of(exc) == (400, "InvalidRequest")
    assert _error(exc)["Message"] == "You can only define ReplaceKeyPrefix or ReplaceKey but not both."


def test_website_error_document_without_key_is_malformed_xml(raw, bucket):
    body = (b'<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            b"<IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument/></WebsiteConfiguration>")
    response = raw.request("PUT", f"/{bucket}", query="website", body=body)
    assert response.status_code == 400
    assert b"<Code>MalformedXML</Code>" in response.content


# Refusals with AWS's exact code and words


def test_put_bucket_versioning_without_status_is_illegal_configuration(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={})
    assert error_of(exc) == (400, "IllegalVersioningConfigurationException")
    assert _error(exc)["Message"] == "The Versioning element must be specified"


def test_put_empty_bucket_policy_is_malformed_policy(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_policy(Bucket=bucket, Policy="")
    assert error_of(exc) == (400, "MalformedPolicy")
    assert _error(exc)["Message"] == "Policies must be valid JSON and the first byte must be '{'"


def test_put_ownership_controls_without_rules_is_malformed_xml(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": []})
    assert error_of(exc) == (400, "MalformedXML")


@pytest.mark.parametrize("value", ["RandomValue", ""])
def test_create_bucket_with_unknown_object_ownership_names_the_value(s3, value):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="owned", ObjectOwnership=value)
    assert error_of(exc) == (400, "InvalidArgument")
    assert _error(exc)["Message"] == f"Invalid x-amz-object-ownership header: {value}"
    assert _error(exc)["ArgumentName"] == "x-amz-object-ownership"


def test_lifecycle_with_bad_transition_default_minimum_size_names_the_value(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, TransitionDefaultMinimumObjectSize="value",
            LifecycleConfiguration={"Rules": [{"ID": "r", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}}]})
    assert error_of(exc) == (400, "InvalidRequest")
    assert _error(exc)["Message"] == "Invalid TransitionDefaultMinimumObjectSize found: value"


def test_put_bucket_tagging_with_system_key_is_refused_as_system_tag(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "aws:prefixed", "Value": "v"}]})
    assert error_of(exc) == (400, "InvalidTag")
    assert _error(exc)["Message"] == "System tags cannot be added/updated by requester"
    assert _error(exc)["TagKey"] == "aws:prefixed"


def test_put_object_tagging_with_system_key_keeps_its_own_message(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "aws:prefixed", "Value": "v"}]})
    assert error_of(exc) == (400, "InvalidTag")
    assert _error(exc)["Message"] == "Your TagKey cannot be prefixed with aws:"



def test_a_request_signed_for_aws_global_is_malformed_as_s3_answers(lakebox_server):
    """Some SDKs sign with the endpoint-resolution pseudo-region `aws-global` (boto3 itself signs
    with us-east-1 then); S3 refuses such a request and creates nothing."""
    response = RawS3(lakebox_server.endpoint_url, region="aws-global").request("PUT", "/global-bucket")
    assert response.status_code == 400
    assert "<Code>AuthorizationHeaderMalformed</Code>" in response.text
    assert ("<Message>The authorization header is malformed; the region 'aws-global' is wrong; expecting "
            "'us-east-1'</Message>") in response.text
    assert "<Region>us-east-1</Region>" in response.text
    with pytest.raises(ClientError):
        make_client(lakebox_server.endpoint_url).head_bucket(Bucket="global-bucket")


def test_head_bucket_is_labelled_application_xml(s3, bucket):
    """S3 sends Content-Type: application/xml on HeadBucket too, though the answer has no body."""
    headers = s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"] == "application/xml"
    assert headers.get("content-length", "0") == "0"
