"""Account regional namespaces for general purpose buckets (S3, March 2026).

A bucket created with `x-amz-bucket-namespace: account-regional` lives in the creating account's
own slice of the global namespace. Its name is a prefix the user picks plus a suffix naming the
account and the bucket's region: `<prefix>-<12-digit account>-<region>-an`, for example
`sales-000000000000-us-east-1-an`. S3 creates it only for that account, in that region, and only
when the request asks for that namespace, so no other account can ever take such a name. The AWS
CLI's `aws s3 mb` asks for it for any name ending in `-an`.

Asked for in the account regional namespace, a name with no such suffix is refused with
`InvalidNamespaceHeader`, one whose suffix is not the caller's own account and region (or is all
there is of it) with `InvalidBucketNamespace`; so is a name with a suffix asked for in the global
namespace. Otherwise the bucket is like any other.
"""

from __future__ import annotations

import re
from typing import Optional

from .errors import s3_error

ACCOUNT_REGIONAL = "account-regional"
GLOBAL = "global"

#: The account regional suffix: `-`, a 12-digit account id, a region code, `-an`.
_SUFFIX = re.compile(r"-(\d{12})-([a-z]{2,4}(?:-[a-z]+)+-\d+)-an$")


def check_bucket_namespace(name: str, namespace: Optional[str], account_id: str, region: str) -> None:
    """Refuse a bucket name that does not belong to the namespace the request asked for."""
    if namespace in (None, GLOBAL):
        if _SUFFIX.search(name):
            raise s3_error(
                "InvalidBucketNamespace",
                "The requested bucket name ends with an account regional namespace suffix; create it "
                "with the account-regional bucket namespace.", BucketName=name)
        return
    if namespace != ACCOUNT_REGIONAL:
        raise s3_error("InvalidArgument", f"Invalid x-amz-bucket-namespace header: {namespace}",
                       ArgumentName="x-amz-bucket-namespace", ArgumentValue=namespace)
    suffix = f"-{account_id}-{region}-an"
    if name.endswith("-an") and (not name.endswith(suffix) or len(name) == len(suffix)):
        # A namespace suffix, but not the caller's own (the AWS CLI's own tests, run against S3,
        # expect this code for `aws s3 mb s3://xyz-an`).
        raise s3_error(
            "InvalidBucketNamespace",
            f"A bucket in the account regional namespace must be named <prefix>{suffix}, for the "
            "account that creates it and the Region it is created in.", BucketName=name)
    if not name.endswith(suffix):
        # No suffix at all: S3's code and words for this case (as moto, following S3, has them).
        raise s3_error(
            "InvalidNamespaceHeader",
            "The requested bucket name did not include the account-regional namespace suffix, but the provided "
            "x-amz-bucket-namespace header value is account-regional. Specify "
            f"{suffix} as the bucket name suffix to create a bucket in your account-regional namespace, or "
            "remove the header.", BucketName=name)
