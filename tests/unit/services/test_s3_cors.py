"""S3 CORS rules: what a PutBucketCors document may hold, which rule a browser's request matches
(origins and headers with one wildcard, methods exactly, header names case-insensitively), and the
headers a matching rule grants."""

from __future__ import annotations

import pytest

from lakebox.protocol.errors import AwsError
from lakebox.services.s3.cors import (
    VARY,
    cors_headers,
    match_rule,
    parse_request_headers,
    resource_of,
    validate_configuration,
    wildcard_match,
)


def rule(origins, methods=("GET",), headers=None, **extra):
    out = {"AllowedOrigins": list(origins), "AllowedMethods": list(methods), **extra}
    if headers is not None:
        out["AllowedHeaders"] = list(headers)
    return out


# -- wildcards --------------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern,value,expected", [
    ("http://a.com", "http://a.com", True),
    ("http://a.com", "http://a.com:80", False),
    ("http://a.com", "HTTP://A.COM", False),
    ("*", "anything at all", True),
    ("http://*.example.com", "http://www.example.com", True),
    ("http://*.example.com", "http://a.b.example.com", True),
    ("http://*.example.com", "https://www.example.com", False),
    ("http://*.example.com", "http://example.com", False),
    ("*suffix", "foo.suffix", True),
    ("*suffix", "foo.suffix.get", False),
    ("start*end", "startend", True),  # the wildcard may stand for nothing
    ("start*end", "start12end", True),
    ("start*end", "0start12end", False),
    ("prefix*", "prefix", True),
    ("prefix*", "bla.prefix", False),
    ("ab*ba", "aba", False),  # prefix and suffix may not overlap
])
def test_wildcard_match(pattern, value, expected):
    assert wildcard_match(pattern, value) is expected


# -- matching -----------------------------------------------------------------------------------------


def test_first_rule_that_fits_wins():
    rules = [rule(["http://a.com"], ["PUT"]), rule(["*"], ["GET"], MaxAgeSeconds=1), rule(["*"], ["GET"])]
    assert match_rule(rules, "http://a.com", "GET") is rules[1]
    assert match_rule(rules, "http://a.com", "PUT") is rules[0]


def test_method_must_be_allowed_exactly():
    rules = [rule(["*"], ["GET", "HEAD"])]
    assert match_rule(rules, "http://a.com", "HEAD") is rules[0]
    assert match_rule(rules, "http://a.com", "PUT") is None
    assert match_rule(rules, "http://a.com", "get") is None


def test_origin_must_match_one_allowed_origin():
    rules = [rule(["http://a.com", "http://*.b.com"])]
    assert match_rule(rules, "http://x.b.com", "GET") is rules[0]
    assert match_rule(rules, "http://c.com", "GET") is None


def test_requested_headers_match_case_insensitively_with_wildcards():
    rules = [rule(["*"], headers=["X-Amz-*", "Content-Type"])]
    assert match_rule(rules, "o", "GET", ["x-amz-date", "content-type"]) is rules[0]
    assert match_rule(rules, "o", "GET", ["x-amz-date", "authorization"]) is None


def test_rule_without_allowed_headers_takes_no_requested_headers():
    rules = [rule(["*"])]
    assert match_rule(rules, "o", "GET") is rules[0]
    assert match_rule(rules, "o", "GET", ["x-amz-request-payer"]) is None


def test_star_allows_every_header():
    rules = [rule(["*"], headers=["*"])]
    assert match_rule(rules, "o", "GET", ["x-anything", "authorization"]) is rules[0]


def test_allowed_headers_are_compared_lower_cased():
    rules = [rule(["*"], headers=["x-AMZ-server-SIDE-encryption"])]
    assert match_rule(rules, "o", "GET", ["x-amz-server-side-encryption"]) is rules[0]


@pytest.mark.parametrize("value,expected", [
    (None, []),
    ("", []),
    ("X-Amz-Date", ["x-amz-date"]),
    ("x-amz-request-payer, X-Amz-Expected-Bucket-Owner", ["x-amz-request-payer", "x-amz-expected-bucket-owner"]),
    ("a,,b,", ["a", "b"]),
])
def test_parse_request_headers(value, expected):
    assert parse_request_headers(value) == expected


@pytest.mark.parametrize("value", ["bad header", "X-Custom:Header", "X(Custom)", "bad@char"])
def test_parse_request_headers_refuses_bad_names(value):
    with pytest.raises(ValueError):
        parse_request_headers(value)


# -- the granted headers ----------------------------------------------------------------------------


def test_headers_for_a_named_origin_allow_credentials():
    granted = rule(["http://a.com"], ["GET", "PUT"], headers=["*"], MaxAgeSeconds=3000,
                   ExposeHeaders=["ETag", "x-amz-request-id"])
    assert cors_headers(granted, "http://a.com", ["x-amz-date"]) == {
        "Access-Control-Allow-Origin": "http://a.com",
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "GET, PUT",
        "Access-Control-Allow-Headers": "x-amz-date",
        "Access-Control-Expose-Headers": "ETag, x-amz-request-id",
        "Access-Control-Max-Age": "3000",
        "Vary": VARY,
    }


def test_headers_for_a_wildcard_origin_echo_star_without_credentials():
    assert cors_headers(rule(["*"]), "http://random:1234") == {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET",
        "Vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
    }


def test_a_partial_wildcard_origin_is_echoed():
    headers = cors_headers(rule(["http://*.example.com"]), "http://www.example.com")
    assert headers["Access-Control-Allow-Origin"] == "http://www.example.com"
    assert headers["Access-Control-Allow-Credentials"] == "true"


def test_the_first_matching_origin_decides_the_echo():
    assert cors_headers(rule(["http://a.com", "*"]), "http://a.com")["Access-Control-Allow-Origin"] == "http://a.com"
    assert cors_headers(rule(["*", "http://a.com"]), "http://a.com")["Access-Control-Allow-Origin"] == "*"


def test_max_age_zero_is_sent():
    assert cors_headers(rule(["*"], MaxAgeSeconds=0), "o")["Access-Control-Max-Age"] == "0"


@pytest.mark.parametrize("path,expected", [
    ("/", ("", "")),
    ("/bucket", ("bucket", "")),
    ("/bucket/", ("bucket", "")),
    ("/bucket/a/b%20c", ("bucket", "a/b c")),
])
def test_resource_of(path, expected):
    assert resource_of(path) == expected


# -- configuration ----------------------------------------------------------------------------------


def test_a_valid_configuration_is_stored_with_its_members():
    config = {"CORSRules": [rule(["*"], ["GET", "PUT", "HEAD", "POST", "DELETE"], headers=["*"], ID="r1",
                                 MaxAgeSeconds=10, ExposeHeaders=["ETag"]), rule([""], ["GET"])]}
    assert validate_configuration(config) == config


def _error(config) -> tuple[int, str, str]:
    with pytest.raises(AwsError) as exc:
        validate_configuration(config)
    return exc.value.status, exc.value.code, exc.value.message


@pytest.mark.parametrize("config", [
    {},
    {"CORSRules": []},
    {"CORSRules": [{"AllowedMethods": ["GET"]}]},
    {"CORSRules": [{"AllowedOrigins": ["*"]}]},
    {"CORSRules": [rule(["*"])] * 101},
], ids=["no-rules", "empty-rules", "no-origins", "no-methods", "101-rules"])
def test_malformed_configurations(config):
    assert _error(config)[:2] == (400, "MalformedXML")


def test_a_hundred_rules_are_fine():
    assert len(validate_configuration({"CORSRules": [rule(["*"])] * 100})["CORSRules"]) == 100


@pytest.mark.parametrize("method", ["OPTIONS", "PATCH", "get", "MYMETHOD"])
def test_unsupported_method(method):
    assert _error({"CORSRules": [rule(["*"], ["GET", method])]}) == (
        400, "InvalidRequest", f"Found unsupported HTTP method in CORS config. Unsupported method is {method}")


def test_origin_with_two_wildcards():
    assert _error({"CORSRules": [rule(["http://*.a.*"])]}) == (
        400, "InvalidRequest", 'AllowedOrigin "http://*.a.*" can not have more than one wildcard.')


def test_allowed_header_with_two_wildcards():
    assert _error({"CORSRules": [rule(["*"], headers=["x-*-*"])]}) == (
        400, "InvalidRequest", 'AllowedHeader "x-*-*" can not have more than one wildcard.')


def test_allowed_header_with_a_bad_character():
    assert _error({"CORSRules": [rule(["*"], headers=["bad header"])]}) == (
        400, "InvalidRequest", 'AllowedHeader "bad header" contains invalid character.')


def test_rule_id_length():
    assert validate_configuration({"CORSRules": [rule(["*"], ID="i" * 255)]})
    assert _error({"CORSRules": [rule(["*"], ID="i" * 256)]})[:2] == (400, "InvalidArgument")
