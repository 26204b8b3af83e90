"""S3 static website hosting through the website endpoint (`<bucket>.s3-website.<domain>`), with
plain HTTP as a browser sends it. The Host header is set by each test, since `*.localhost` names
need not resolve here. Buckets are made public the way S3 wants it today: the public access block
removed and a bucket policy granting s3:GetObject (and s3:ListBucket, so a missing page is 404)."""

from __future__ import annotations

import json

import pytest
import requests


@pytest.fixture
def site(lakebox_server, s3, bucket):
    """A public bucket with a few pages; its website configured per test."""
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/public/*"},
            {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"},
        ],
    }))
    pages = {
        "public/index.html": ("<h1>home</h1>", "text/html"),
        "public/docs/index.html": ("docs home", "text/html"),
        "public/docs/guide.html": ("the guide", "text/html"),
        "public/app.js": ("let x = 1;", "application/javascript; charset=utf-8"),
        "public/errors/404.html": ("custom not found", "text/html"),
        "public/caf\u00e9 menu.txt": ("espresso", "text/plain"),
        "private/secret.html": ("secret", "text/html"),
    }
    for key, (body, content_type) in pages.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body.encode(), ContentType=content_type)
    return bucket


def get(server, bucket, path, method="GET", **kwargs):
    host = f"{bucket}.s3-website-us-east-1.localhost.localstack.cloud:{server.port}"
    kwargs.setdefault("allow_redirects", False)
    return requests.request(method, f"{server.endpoint_url}{path}", headers={"Host": host, **kwargs.pop("headers", {})},
                            **kwargs)


def configure(s3, bucket, **config):
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=config)


def error_items(response) -> dict:
    """The `<li>Name: value</li>` lines of an HTML error page, first block only."""
    first = response.text.split("</ul>")[0]
    return dict(line[4:-5].split(": ", 1) for line in first.splitlines() if line.startswith("<li>"))


# -- pages and index documents ------------------------------------------------------------------

def test_pages_are_served_with_their_object_headers(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"})
    put = s3.head_object(Bucket=site, Key="public/app.js")

    response = get(lakebox_server, site, "/public/app.js")

    assert response.status_code == 200
    assert response.text == "let x = 1;"
    assert response.headers["Content-Type"] == "application/javascript; charset=utf-8"
    assert response.headers["ETag"] == put["ETag"]
    assert response.headers["Content-Length"] == "10"


def test_a_folder_is_served_by_its_index_document(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"})

    assert get(lakebox_server, site, "/public/").text == "<h1>home</h1>"
    assert get(lakebox_server, site, "/public/docs/").text == "docs home"


def test_a_folder_named_without_its_slash_is_redirected_to_it(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"})

    response = get(lakebox_server, site, "/public/docs")

    assert response.status_code == 302
    assert response.headers["Location"] == "/public/docs/"
    assert response.content == b""


def test_percent_encoded_keys_are_decoded(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"})

    response = get(lakebox_server, site, "/public/caf%C3%A9%20menu.txt")

    assert (response.status_code, response.text) == (200, "espresso")


def test_conditional_and_range_requests_work_as_on_get_object(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"})
    etag = s3.head_object(Bucket=site, Key="public/docs/guide.html")["ETag"]

    assert get(lakebox_server, site, "/public/docs/guide.html", headers={"If-None-Match": etag}).status_code == 304
    ranged = get(lakebox_server, site, "/public/docs/guide.html", headers={"Range": "bytes=4-"})
    assert (ranged.status_code, ranged.text) == (206, "guide")


def test_head_answers_the_headers_without_a_body(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"})

    response = get(lakebox_server, site, "/public/", method="HEAD")

    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len("<h1>home</h1>"))
    assert response.content == b""


# -- errors ---------------------------------------------------------------------------------------

def test_a_missing_page_is_an_html_404_naming_the_key(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"})

    response = get(lakebox_server, site, "/public/nothing-here")

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.startswith("<html>\n<head><title>404 Not Found</title></head>\n<body>\n<h1>404 Not Found</h1>")
    items = error_items(response)
    assert items["Code"] == "NoSuchKey"
    assert items["Message"] == "The specified key does not exist."
    assert items["Key"] == "public/nothing-here"
    assert items["RequestId"] == response.headers["x-amz-request-id"]
    assert response.headers["x-amz-error-code"] == "NoSuchKey"
    assert response.headers["x-amz-error-detail-Key"] == "public/nothing-here"


def test_a_missing_folder_names_its_index_document(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"})

    response = get(lakebox_server, site, "/public/nowhere/")

    assert response.status_code == 404
    assert error_items(response)["Key"] == "public/nowhere/index.html"


def test_the_error_document_answers_with_the_errors_status(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"}, ErrorDocument={"Key": "public/errors/404.html"})

    response = get(lakebox_server, site, "/public/nothing-here")

    assert response.status_code == 404
    assert response.text == "custom not found"
    assert response.headers["ETag"] == s3.head_object(Bucket=site, Key="public/errors/404.html")["ETag"]


def test_a_missing_error_document_is_reported_below_the_error(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"}, ErrorDocument={"Key": "public/errors/gone.html"})

    response = get(lakebox_server, site, "/public/nothing-here")

    assert response.status_code == 404
    assert error_items(response)["Code"] == "NoSuchKey"
    heading = "<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>"
    assert heading in response.text
    assert "<li>Key: public/errors/gone.html</li>" in response.text.split(heading)[1]


def test_an_object_that_is_not_public_is_403(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"})

    response = get(lakebox_server, site, "/private/secret.html")

    assert response.status_code == 403
    assert "secret" not in response.text
    assert error_items(response)["Code"] == "AccessDenied"
    assert response.text.startswith("<html>\n<head><title>403 Forbidden</title></head>")


def test_a_bucket_without_website_configuration_is_404(lakebox_server, s3, site):
    response = get(lakebox_server, site, "/public/index.html")

    assert response.status_code == 404
    items = error_items(response)
    assert items["Code"] == "NoSuchWebsiteConfiguration"
    assert items["BucketName"] == site


def test_a_missing_bucket_is_404_no_such_bucket(lakebox_server):
    response = get(lakebox_server, "no-such-bucket-here", "/")

    assert response.status_code == 404
    items = error_items(response)
    assert (items["Code"], items["BucketName"]) == ("NoSuchBucket", "no-such-bucket-here")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_only_get_and_head_are_allowed(lakebox_server, s3, site, method):
    configure(s3, site, IndexDocument={"Suffix": "index.html"}, ErrorDocument={"Key": "public/errors/404.html"})

    response = get(lakebox_server, site, "/public/index.html", method=method, data=b"x")

    assert response.status_code == 405
    items = error_items(response)
    assert (items["Code"], items["Method"], items["ResourceType"]) == ("MethodNotAllowed", method, "OBJECT")
    assert s3.get_object(Bucket=site, Key="public/index.html")["Body"].read() == b"<h1>home</h1>"


def test_a_signed_request_gets_nothing_more_than_an_anonymous_one(lakebox_server, s3, site, raw):
    configure(s3, site, IndexDocument={"Suffix": "index.html"})
    host = f"{site}.s3-website-us-east-1.localhost.localstack.cloud:{lakebox_server.port}"

    response = raw.request("GET", "/private/secret.html", headers={"Host": host})

    assert response.status_code == 403


# -- redirects ------------------------------------------------------------------------------------

def test_an_object_with_a_redirect_location_is_a_301(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"})
    s3.put_object(Bucket=site, Key="public/old.html", Body=b"", WebsiteRedirectLocation="/public/docs/guide.html")

    response = get(lakebox_server, site, "/public/old.html")

    assert response.status_code == 301
    assert response.headers["Location"] == "/public/docs/guide.html"
    followed = get(lakebox_server, site, response.headers["Location"])
    assert followed.text == "the guide"


def test_redirect_all_requests_keeps_the_path(lakebox_server, s3, site):
    configure(s3, site, RedirectAllRequestsTo={"HostName": "www.example.com", "Protocol": "https"})

    response = get(lakebox_server, site, "/public/docs/guide.html")

    assert response.status_code == 301
    assert response.headers["Location"] == "https://www.example.com/public/docs/guide.html"


def test_routing_rules_redirect_by_prefix_and_by_error_code(lakebox_server, s3, site):
    host = f"{site}.s3-website-us-east-1.localhost.localstack.cloud:{lakebox_server.port}"
    configure(s3, site, IndexDocument={"Suffix": "index.html"}, RoutingRules=[
        {"Condition": {"KeyPrefixEquals": "manual/"}, "Redirect": {"ReplaceKeyPrefixWith": "public/docs/"}},
        {"Condition": {"KeyPrefixEquals": "moved/"},
         "Redirect": {"HostName": "archive.example.com", "Protocol": "https", "HttpRedirectCode": "307"}},
        {"Condition": {"HttpErrorCodeReturnedEquals": "404"}, "Redirect": {"ReplaceKeyWith": "public/index.html"}},
    ])

    by_prefix = get(lakebox_server, site, "/manual/guide.html")
    assert (by_prefix.status_code, by_prefix.headers["Location"]) == (301, f"http://{host}/public/docs/guide.html")
    followed = get(lakebox_server, site, by_prefix.headers["Location"].split(host, 1)[1])
    assert followed.text == "the guide"

    moved = get(lakebox_server, site, "/moved/page.html")
    assert (moved.status_code, moved.headers["Location"]) == (307, "https://archive.example.com/moved/page.html")

    on_error = get(lakebox_server, site, "/public/nothing-here")
    assert (on_error.status_code, on_error.headers["Location"]) == (301, f"http://{host}/public/index.html")
    # a page that exists is no error: the error rule leaves it alone
    assert get(lakebox_server, site, "/public/app.js").status_code == 200


# -- CORS -----------------------------------------------------------------------------------------

def test_the_buckets_cors_rules_apply_to_the_website(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"})
    s3.put_bucket_cors(Bucket=site, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET"]}]})
    origin = {"Origin": "https://app.example.com"}

    page = get(lakebox_server, site, "/public/app.js", headers=origin)
    assert page.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    preflight = get(lakebox_server, site, "/public/app.js", method="OPTIONS",
                    headers={**origin, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET"
    # an origin the rules do not name gets no CORS headers, and a refused preflight is 403
    other = get(lakebox_server, site, "/public/app.js", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in other.headers
    refused = get(lakebox_server, site, "/public/app.js", method="OPTIONS",
                  headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "GET"})
    assert refused.status_code == 403
    assert error_items(refused)["Code"] == "AccessForbidden"


def test_a_path_that_is_not_utf8_is_a_404_page(lakebox_server, s3, site):
    configure(s3, site, IndexDocument={"Suffix": "index.html"})

    response = get(lakebox_server, site, "/public/%FF%FE")

    assert response.status_code == 404
    assert error_items(response)["Code"] == "NoSuchKey"
