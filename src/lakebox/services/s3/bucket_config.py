"""The simple bucket settings: tagging, policy, public access block, ownership controls, request
payment, transfer acceleration, notification and logging.

Why together: each is one document per bucket, validated as S3 validates it, stored whole in the
lake's per-bucket configuration store (`LakeStore.put_bucket_config`), and answered back as stored,
with S3's own "not configured" error or default when it was never set. Ownership controls decide
who owns new objects and whether ACLs are enabled (acl.py), the public access block refuses
public ACLs and policies (public_access.py), and the policy opens the bucket to other accounts or
shuts it to them, conditions included (bucket_policy.py). The others do not change how
requests are served yet: logging writes no logs and notifications are not sent. Those effects come
with later issues; what matters now is that tools which set and read these settings (Terraform,
the CLI, CDK) see S3's answers.
"""

from __future__ import annotations

import fnmatch
import json
import re
import uuid
from typing import Any

from ...protocol.context import RequestContext
from .acl import ACL_CONFIG as ACL
from .acl import BUCKET_OWNER_ENFORCED, BUCKET_OWNER_PREFERRED, OBJECT_WRITER, only_owner_full_control
from .acl import OWNERSHIP_CONFIG as OWNERSHIP
from .common import S3Base
from .errors import invalid_argument, invalid_request, invalid_tag, s3_error, translated
from .public_access import FLAGS as _PAB_FLAGS
from .public_access import PUBLIC_ACCESS_BLOCK, check_policy_not_blocked, is_public_policy
from .tagging import tag_set, validate_tags

# Names of the documents in the per-bucket configuration store (ACL and OWNERSHIP: see acl.py).
TAGGING = "tagging"
POLICY = "policy"
REQUEST_PAYMENT = "request_payment"
ACCELERATE = "accelerate"
NOTIFICATION = "notification"
LOGGING = "logging"

#: The one region whose buckets S3 does not name in a CrossLocationLoggingProhibitted error.
US_EAST_1 = "us-east-1"

MAX_BUCKET_TAGS = 50
OWNERSHIP_VALUES = (BUCKET_OWNER_PREFERRED, OBJECT_WRITER, BUCKET_OWNER_ENFORCED)
_POLICY_VERSIONS = ("2012-10-17", "2008-10-17")
_NOTIFICATION_LISTS = ("TopicConfigurations", "QueueConfigurations", "LambdaFunctionConfigurations")
#: Each notification list's ARN member, the service that ARN must name, and the name S3's errors give it.
_NOTIFICATION_TARGETS = {"TopicConfigurations": ("TopicArn", "sns", "Topic"),
                         "QueueConfigurations": ("QueueArn", "sqs", "Queue"),
                         "LambdaFunctionConfigurations": ("LambdaFunctionArn", "lambda", "CloudFunction")}
#: The event types S3 sends notifications for (the S3 User Guide's list).
NOTIFICATION_EVENTS = frozenset({
    "s3:TestEvent", "s3:IntelligentTiering", "s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated", "s3:LifecycleTransition", "s3:ObjectAcl:Put",
    "s3:ObjectCreated:*", "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:Post", "s3:ObjectCreated:Put", "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectRestore:*", "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete", "s3:ObjectRestore:Post", "s3:ObjectTagging:*", "s3:ObjectTagging:Delete",
    "s3:ObjectTagging:Put", "s3:ReducedRedundancyLostObject", "s3:Replication:*",
    "s3:Replication:OperationFailedReplication", "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationNotTracked", "s3:Replication:OperationReplicatedAfterThreshold"})
_ARN = re.compile(r"arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]+):(\d{12}):(.+)")


def _check_destination(member: str, entry: dict, bucket_region: str) -> None:
    """A notification's target as S3 checks it before anything else: an ARN of the list's service,
    in the bucket's Region, and events S3 knows. (Whether the queue, topic or function exists and
    lets S3 send to it, S3 checks next; lakebox serves none of those services and cannot.)"""
    field, service, argument = _NOTIFICATION_TARGETS[member]
    target = entry.get(field) or ""
    if not target.startswith("arn:") or target.count(":") < 5:
        raise invalid_argument("The ARN could not be parsed", argument, target)  # as recorded from S3
    match = _ARN.fullmatch(target)
    if match is None or match.group(2) != service:
        raise invalid_argument("The ARN is not well formed")
    if match.group(3) != bucket_region:
        raise invalid_argument("The notification destination service region is not valid for the bucket "
                               "location constraint")
    for event in entry.get("Events") or []:
        if event not in NOTIFICATION_EVENTS:
            raise invalid_argument("The event is not supported for notifications")
#: AWS refuses tag keys in its own `aws:` namespace on buckets with its own words, which differ
#: between PutBucketTagging and CreateBucket (and from object tagging's, see tagging.py).
_SYSTEM_TAGS_PUT = "System tags cannot be added/updated by requester"
_SYSTEM_TAGS_CREATE = (
    'User-defined tag keys can\'t start with "aws:". This prefix is reserved for system tags. '
    'Remove "aws:" from your tag keys and try again.'
)


def bucket_tag_set(raw: list, *, at_creation: bool = False) -> list[dict[str, str]]:
    """The tag set to store for a bucket (PutBucketTagging, or CreateBucket's Tags when
    `at_creation`), or the InvalidTag S3 answers it with.

    A system key is refused before the other checks: it is a question of who may write it, not of
    how the tag is spelled.
    """
    pairs = [(str(t.get("Key", "")), str(t.get("Value", ""))) for t in raw]
    for key, _ in pairs:
        if key.lower().startswith("aws:"):
            raise invalid_tag(_SYSTEM_TAGS_CREATE) if at_creation else invalid_tag(_SYSTEM_TAGS_PUT, key)
    return tag_set(validate_tags(pairs, MAX_BUCKET_TAGS, f"Bucket tag count cannot be greater than {MAX_BUCKET_TAGS}"))


def _malformed_policy(message: str) -> Exception:
    return s3_error("MalformedPolicy", message)


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def check_policy(text: str, bucket: str) -> None:
    """Refuse a bucket policy S3 would refuse (MalformedPolicy), without evaluating it.

    The grammar is IAM's: Statement is required, Version is optional but must be a known one, and
    each statement needs Effect, a principal, actions of S3 and resources of this bucket.
    """
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise _malformed_policy("Policies must be valid JSON and the first byte must be '{'")
    version = document.get("Version")
    if version is not None and version not in _POLICY_VERSIONS:
        raise _malformed_policy("The policy must contain a valid version string")
    statements = document.get("Statement")
    if statements is None:
        raise _malformed_policy("Missing required field Statement")
    statements = _as_list(statements)
    if not statements or not all(isinstance(s, dict) for s in statements):
        raise _malformed_policy("Could not parse the policy: Statement is not well formed!")
    for statement in statements:
        _check_statement(statement, bucket)


def _check_statement(statement: dict, bucket: str) -> None:
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise _malformed_policy(f"Invalid effect: {effect}")
    if "Principal" not in statement and "NotPrincipal" not in statement:
        raise _malformed_policy("Missing required field Principal")
    for element in ("Principal", "NotPrincipal"):
        if element in statement and not _is_principal(statement[element]):
            raise _malformed_policy("Invalid principal in policy")
    actions = statement.get("Action", statement.get("NotAction"))
    if actions is None:
        raise _malformed_policy("Missing required field Action")
    for action in _as_list(actions):
        if not isinstance(action, str) or not (action == "*" or action.lower().startswith("s3:")):
            raise _malformed_policy("Policy has invalid action")
    resources = statement.get("Resource", statement.get("NotResource"))
    if resources is None:
        raise _malformed_policy("Missing required field Resource")
    for resource in _as_list(resources):
        if not _is_bucket_resource(resource, bucket):
            raise _malformed_policy("Policy has invalid resource")


#: An IAM principal ARN: a 12-digit account (or CloudFront's legacy origin access identities)
#: and a root, user, role or session part.
_PRINCIPAL_ARN = re.compile(r"arn:aws(?:-[a-z-]+)?:(?:iam|sts)::(?:\d{12}|cloudfront):\S.*")
_PRINCIPAL_TYPES = ("AWS", "Service", "CanonicalUser", "Federated")


def _is_principal(value: Any) -> bool:
    """Whether a Principal (or NotPrincipal) element has a form S3 accepts: `*`, or a map of
    principal types to a value or list of values, where an AWS value is `*`, an account id or an
    IAM principal ARN (S3 answers anything else with "Invalid principal in policy")."""
    if value == "*":
        return True
    if not isinstance(value, dict) or not value:
        return False
    for kind, names in value.items():
        if kind not in _PRINCIPAL_TYPES:
            return False
        names = _as_list(names)
        if not names or not all(isinstance(n, str) and n for n in names):
            return False
        if kind == "AWS" and not all(n == "*" or re.fullmatch(r"\d{12}", n) or _PRINCIPAL_ARN.fullmatch(n)
                                     for n in names):
            return False
    return True


def _is_bucket_resource(resource: Any, bucket: str) -> bool:
    """`arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key-pattern`, wildcards allowed in the name."""
    if not isinstance(resource, str) or not resource.startswith("arn:aws:s3:::"):
        return resource == "*"
    name = resource[len("arn:aws:s3:::"):].split("/", 1)[0]
    return fnmatch.fnmatchcase(bucket, name)


class BucketConfigMixin(S3Base):
    """Put/Get/Delete of the simple bucket settings, over the lake's configuration store."""

    # Tagging

    def put_bucket_tagging(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params).name
        raw = (params.get("Tagging") or {}).get("TagSet") or []
        if not raw:
            # An empty tag set leaves the bucket without tags: GetBucketTagging then says NoSuchTagSet.
            return self.forget_config(params, TAGGING)
        self.store_config(bucket, TAGGING, {"TagSet": bucket_tag_set(raw)})
        return {"__status__": 204}

    def get_bucket_tagging(self, ctx: RequestContext, params: dict) -> dict:
        bucket, value = self.stored_config(params, TAGGING)
        if value is None:
            raise s3_error("NoSuchTagSet", BucketName=bucket)
        return {"TagSet": value["TagSet"]}

    def delete_bucket_tagging(self, ctx: RequestContext, params: dict) -> dict:
        return self.forget_config(params, TAGGING)

    # Policy (applied to other accounts and anonymous requests by access.py)

    def put_bucket_policy(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params).name
        text = params.get("Policy")
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode("utf-8", "replace")
        check_policy(text or "", bucket)
        check_policy_not_blocked(self.store, bucket, text)
        self.store_config(bucket, POLICY, {"Policy": text})
        return {"__status__": 204}

    def get_bucket_policy(self, ctx: RequestContext, params: dict) -> dict:
        bucket, value = self.stored_config(params, POLICY)
        if value is None:
            raise s3_error("NoSuchBucketPolicy", BucketName=bucket)
        return {"Policy": value["Policy"]}

    def delete_bucket_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self.forget_config(params, POLICY)

    def get_bucket_policy_status(self, ctx: RequestContext, params: dict) -> dict:
        """Whether the stored policy makes the bucket public, judged as BlockPublicPolicy judges it."""
        bucket, value = self.stored_config(params, POLICY)
        if value is None:
            raise s3_error("NoSuchBucketPolicy", BucketName=bucket)
        return {"PolicyStatus": {"IsPublic": is_public_policy(value["Policy"])}}

    # Public access block (what it blocks: public_access.py)

    def put_public_access_block(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params).name
        given = params.get("PublicAccessBlockConfiguration") or {}
        if not any(given.get(flag) is not None for flag in _PAB_FLAGS):
            raise s3_error("InvalidRequest", "Must specify at least one configuration.")
        self.store_config(bucket, PUBLIC_ACCESS_BLOCK, {flag: bool(given.get(flag, False)) for flag in _PAB_FLAGS})
        return {}

    def get_public_access_block(self, ctx: RequestContext, params: dict) -> dict:
        bucket, value = self.stored_config(params, PUBLIC_ACCESS_BLOCK)
        if value is None:
            raise s3_error("NoSuchPublicAccessBlockConfiguration", BucketName=bucket)
        return {"PublicAccessBlockConfiguration": value}

    def delete_public_access_block(self, ctx: RequestContext, params: dict) -> dict:
        return self.forget_config(params, PUBLIC_ACCESS_BLOCK)

    # Ownership controls (they decide who owns new objects, see acl.new_object_acl)

    def put_bucket_ownership_controls(self, ctx: RequestContext, params: dict) -> dict:
        info = self.require_bucket(params)
        bucket = info.name
        rules = (params.get("OwnershipControls") or {}).get("Rules") or []
        if len(rules) != 1 or rules[0].get("ObjectOwnership") not in OWNERSHIP_VALUES:
            raise s3_error("MalformedXML")
        ownership = rules[0]["ObjectOwnership"]
        if ownership == BUCKET_OWNER_ENFORCED:
            # Disabling ACLs needs a bucket ACL that grants nothing beyond the owner's full control.
            with translated(bucket=bucket):
                current = self.store.get_bucket_config(bucket, ACL)
            if not only_owner_full_control(current, info.account_id):
                raise s3_error("InvalidBucketAclWithObjectOwnership")
        self.store_config(bucket, OWNERSHIP, {"ObjectOwnership": ownership})
        return {}

    def get_bucket_ownership_controls(self, ctx: RequestContext, params: dict) -> dict:
        bucket, value = self.stored_config(params, OWNERSHIP)
        if value is None:
            raise s3_error("OwnershipControlsNotFoundError", BucketName=bucket)
        return {"OwnershipControls": {"Rules": [{"ObjectOwnership": value["ObjectOwnership"]}]}}

    def delete_bucket_ownership_controls(self, ctx: RequestContext, params: dict) -> dict:
        return self.forget_config(params, OWNERSHIP)

    # Request payment

    def put_bucket_request_payment(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params).name
        payer = (params.get("RequestPaymentConfiguration") or {}).get("Payer")
        if payer not in ("Requester", "BucketOwner"):
            raise s3_error("MalformedXML")
        self.store_config(bucket, REQUEST_PAYMENT, {"Payer": payer})
        return {}

    def get_bucket_request_payment(self, ctx: RequestContext, params: dict) -> dict:
        _, value = self.stored_config(params, REQUEST_PAYMENT)
        return {"Payer": (value or {}).get("Payer", "BucketOwner")}

    # Transfer acceleration

    def put_bucket_accelerate_configuration(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params).name
        status = (params.get("AccelerateConfiguration") or {}).get("Status")
        if "." in bucket:  # recorded on S3: this comes before the document is looked at
            raise invalid_request("S3 Transfer Acceleration is not supported for buckets with periods (.) in their names")
        if status not in ("Enabled", "Suspended"):
            raise s3_error("MalformedXML")
        self.store_config(bucket, ACCELERATE, {"Status": status})
        return {}

    def get_bucket_accelerate_configuration(self, ctx: RequestContext, params: dict) -> dict:
        _, value = self.stored_config(params, ACCELERATE)
        # Never configured: S3 answers an empty configuration, not an error.
        return dict(value or {})

    # Notification (stored; events are delivered by a later issue)

    def put_bucket_notification_configuration(self, ctx: RequestContext, params: dict) -> dict:
        info = self.require_bucket(params)
        bucket = info.name
        config = params.get("NotificationConfiguration") or {}
        stored: dict = {}
        for member in _NOTIFICATION_LISTS:
            entries = [dict(e) for e in config.get(member) or []]
            for entry in entries:
                _check_destination(member, entry, info.region)
                # S3 names every configuration; one sent without an Id gets a generated one.
                entry.setdefault("Id", str(uuid.uuid4()))
            if entries:
                stored[member] = entries
        if config.get("EventBridgeConfiguration") is not None:
            stored["EventBridgeConfiguration"] = {}
        self.store_config(bucket, NOTIFICATION, stored)
        return {}

    def get_bucket_notification_configuration(self, ctx: RequestContext, params: dict) -> dict:
        _, value = self.stored_config(params, NOTIFICATION)
        return dict(value or {})

    # Logging (stored; no access log objects are written yet)

    def put_bucket_logging(self, ctx: RequestContext, params: dict) -> dict:
        source = self.require_bucket(params)
        bucket = source.name
        enabled = (params.get("BucketLoggingStatus") or {}).get("LoggingEnabled")
        if not enabled:
            # An empty BucketLoggingStatus is how logging is switched off.
            with translated(bucket=bucket):
                self.store.delete_bucket_config(bucket, LOGGING)
            return {}
        target_name = enabled.get("TargetBucket")
        target = self.store.get_bucket(target_name) if target_name else None
        if target is None:
            raise s3_error("InvalidTargetBucketForLogging", TargetBucket=target_name)
        if target.region != source.region:
            # Logs are delivered within a region. S3 names the source's region only when it is not
            # us-east-1 (recorded on S3, 2026).
            raise s3_error("CrossLocationLoggingProhibitted",
                           SourceBucketLocation=None if source.region == US_EAST_1 else source.region,
                           TargetBucketLocation=target.region)
        self.store_config(bucket, LOGGING, {"LoggingEnabled": dict(enabled)})
        return {}

    def get_bucket_logging(self, ctx: RequestContext, params: dict) -> dict:
        _, value = self.stored_config(params, LOGGING)
        return dict(value or {})
