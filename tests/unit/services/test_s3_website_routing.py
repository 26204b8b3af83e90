"""S3 website redirects (services/s3/website_routing.py), one line per rule."""

from __future__ import annotations

import pytest

from lakebox.services.s3.website_routing import (Redirect, folder_redirect, index_key, redirect_all,
                                                  rule_redirect)
from lakebox.services.s3.website_endpoint import error_page, website_key
from lakebox.protocol.errors import AwsError

HOST = "b.s3-website.localhost:4566"
RULES = {"IndexDocument": {"Suffix": "index.html"}, "RoutingRules": [
    {"Condition": {"KeyPrefixEquals": "docs/"}, "Redirect": {"ReplaceKeyPrefixWith": "documents/"}},
    {"Condition": {"KeyPrefixEquals": "gone/"}, "Redirect": {"ReplaceKeyPrefixWith": ""}},
    {"Condition": {"KeyPrefixEquals": "img/"}, "Redirect": {"HostName": "cdn.example.com", "Protocol": "https"}},
    {"Condition": {"KeyPrefixEquals": "tmp/"}, "Redirect": {"HttpRedirectCode": "307"}},
    {"Condition": {"KeyPrefixEquals": "old", "HttpErrorCodeReturnedEquals": "404"},
     "Redirect": {"ReplaceKeyWith": "old-index.html"}},
    {"Condition": {"HttpErrorCodeReturnedEquals": "403"}, "Redirect": {"ReplaceKeyWith": "login.html"}},
]}


@pytest.mark.parametrize("key, error, expected", [
    ("docs/a.html", None, Redirect(f"http://{HOST}/documents/a.html", 301)),
    ("gone/deep/a.html", None, Redirect(f"http://{HOST}/deep/a.html", 301)),
    ("img/cat.png", None, Redirect("https://cdn.example.com/img/cat.png", 301)),
    ("tmp/x", None, Redirect(f"http://{HOST}/tmp/x", 307)),
    ("docs", None, None),  # the prefix is "docs/", not "docs"
    ("", None, None),  # the root never matches a prefix
    ("old/page", None, None),  # an error-code rule waits for the error
    ("old/page", 404, Redirect(f"http://{HOST}/old-index.html", 301)),
    ("old/page", 403, Redirect(f"http://{HOST}/login.html", 301)),
    ("new/page", 404, None),
    ("docs/a.html", 404, None),  # prefix-only rules do not apply to errors
    ("caf\u00e9 menu", 403, Redirect(f"http://{HOST}/login.html", 301)),
])
def test_rule_redirect(key, error, expected):
    assert rule_redirect(RULES, key, "http", HOST, error) == expected


def test_replaced_keys_are_percent_encoded_in_the_location():
    rules = {"RoutingRules": [{"Redirect": {"ReplaceKeyPrefixWith": "new/"}}]}
    assert rule_redirect(rules, "caf\u00e9 menu", "http", HOST).location == f"http://{HOST}/new/caf%C3%A9%20menu"


def test_the_first_matching_rule_wins():
    rules = {"RoutingRules": [{"Condition": {"KeyPrefixEquals": "a"}, "Redirect": {"ReplaceKeyWith": "first"}},
                              {"Condition": {"KeyPrefixEquals": "ab"}, "Redirect": {"ReplaceKeyWith": "second"}}]}
    assert rule_redirect(rules, "abc", "http", HOST).location.endswith("/first")


@pytest.mark.parametrize("target, path, location", [
    ({"HostName": "example.com"}, "/a/b.html", "http://example.com/a/b.html"),
    ({"HostName": "example.com", "Protocol": "https"}, "/", "https://example.com/"),
    ({"HostName": "example.com"}, "", "http://example.com/"),
])
def test_redirect_all(target, path, location):
    assert redirect_all({"RedirectAllRequestsTo": target}, "http", path) == Redirect(location, 301)


def test_no_redirect_all_without_it():
    assert redirect_all(RULES, "http", "/x") is None


@pytest.mark.parametrize("key, read", [
    ("", "index.html"), ("docs/", "docs/index.html"), ("docs", "docs"), ("a/b.html", "a/b.html"),
])
def test_index_key(key, read):
    assert index_key(key, RULES) == read


def test_folder_redirect_is_a_302_to_the_folder():
    assert folder_redirect("my docs") == Redirect("/my%20docs/", 302)


@pytest.mark.parametrize("path, key", [("/", ""), ("/a/b.html", "a/b.html"), ("/caf%C3%A9%20menu", "caf\u00e9 menu"),
                                       ("//double", "/double")])
def test_website_key(path, key):
    assert website_key(path) == key


def test_error_page_lists_the_error_then_the_error_documents_failure():
    error = AwsError("NoSuchKey", "The specified key does not exist.", 404, fields={"Key": "a<b"})
    document = AwsError("AccessDenied", "Access Denied", 403)
    page = error_page(error, "REQ1", document).decode()
    assert page.startswith("<html>\n<head><title>404 Not Found</title></head>\n<body>\n<h1>404 Not Found</h1>\n<ul>\n"
                           "<li>Code: NoSuchKey</li>\n<li>Message: The specified key does not exist.</li>\n"
                           "<li>Key: a&lt;b</li>\n<li>RequestId: REQ1</li>\n<li>HostId: ")
    assert page.endswith("</ul>\n<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n"
                         "<ul>\n<li>Code: AccessDenied</li>\n<li>Message: Access Denied</li>\n</ul>\n<hr/>\n"
                         "</body>\n</html>\n")
