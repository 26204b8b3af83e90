"""Fixes for gaps in AWS's published service models, applied to the raw model JSON at load time.

Each patch says what is missing from the model and why lakebox needs it. Keep them all in this file.
"""

from __future__ import annotations

from typing import Callable

PatchFn = Callable[[dict], None]

_PATCHES: dict[str, list[PatchFn]] = {}


def patch(service: str) -> Callable[[PatchFn], PatchFn]:
    def register(fn: PatchFn) -> PatchFn:
        _PATCHES.setdefault(service, []).append(fn)
        return fn

    return register


def has_patches(service: str) -> bool:
    return bool(_PATCHES.get(service))


def apply(service: str, raw: dict) -> None:
    for fn in _PATCHES.get(service, ()):
        fn(raw)


#: A lakebox extension of an operation's `http` trait: the request's media type must be this for the
#: route to match (see `rest_router`). botocore ignores unknown keys in `http`.
REQUEST_CONTENT_TYPE = "requestContentType"


@patch("s3")
def _post_object(raw: dict) -> None:
    """S3's browser-form upload, POST Object: a form POST to the bucket, missing from botocore's model.

    AWS documents it ("Browser-Based Uploads Using POST") but ships no model for it, because no SDK
    calls it: a browser does. Without an operation the router answers the form with 501. The whole
    multipart body stays one unread streaming `Body`: the provider parses the form itself, so a large
    file flows from the socket to the lake file. The output is PutObject's headers plus `Location`,
    and the `PostResponse` document S3 sends (without a namespace) when success_action_status is 201.
    """
    shapes, operations = raw["shapes"], raw["operations"]
    if "PostObject" in operations:
        return
    put_output = shapes["PutObjectOutput"]["members"]
    header_members = {name: dict(m) for name, m in put_output.items() if m.get("location") == "header"}
    shapes["PostObjectRequest"] = {
        "type": "structure",
        "required": ["Bucket"],
        "members": {
            "Bucket": {"shape": "BucketName", "location": "uri", "locationName": "Bucket"},
            "Body": {"shape": "Body", "streaming": True},
        },
        "payload": "Body",
    }
    shapes["PostResponse"] = {
        "type": "structure",
        # S3 sends this document with no namespace at all; the S3 serializer honours the empty one.
        "xmlNamespace": "",
        "members": {
            "Location": {"shape": "Location"},
            "Bucket": {"shape": "BucketName"},
            "Key": {"shape": "ObjectKey"},
            "ETag": {"shape": "ETag"},
        },
    }
    shapes["PostObjectOutput"] = {
        "type": "structure",
        "members": {
            **header_members,
            "Location": {"shape": "Location", "location": "header", "locationName": "Location"},
            "PostResponse": {"shape": "PostResponse"},
        },
        "payload": "PostResponse",
    }
    operations["PostObject"] = {
        "name": "PostObject",
        # 204 is S3's answer when the form names no success_action_status (or an invalid one).
        "http": {"method": "POST", "requestUri": "/{Bucket}", "responseCode": 204,
                 REQUEST_CONTENT_TYPE: "multipart/form-data"},
        "input": {"shape": "PostObjectRequest"},
        "output": {"shape": "PostObjectOutput"},
        "documentation": "<p>Adds an object to a bucket from an HTML form (multipart/form-data).</p>",
    }
