"""Browser-form uploads: POST Object, an HTML form posted to the bucket as multipart/form-data.

Why it is its own area: the request carries no Authorization header and no object headers. The key,
the object's headers, its metadata and tags, and the authority to write all arrive as form fields,
and the authority is a signed POST policy rather than a signed request. So this module reads the
form (streaming, see `form_data`), checks the signer (strict mode; the signature math is in
`auth.post_policy`) and the policy (`post_conditions`, in every mode, on the wall clock), maps the
fields onto what PutObject would have received, and answers as S3 does: 204, 200, 201 with a
`PostResponse` document, or a 303 redirect.

The file is the last field. Everything the checks need comes before it, so a form that fails them is
refused before a byte of the file is stored; the file then streams into `LakeStore.put_object`
through a reader that enforces the policy's content-length-range while it counts.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Any, Optional
from urllib.parse import urlencode, urlsplit

from ...auth.clock import parse_iso_basic
from ...auth.info import AuthInfo
from ...auth.post_policy import SIGV2, SIGV4, SIGV4_ALGORITHM, PostSignature, parse_credential, verify_post_signature
from ...auth.sessions import check_session_token
from ...protocol.context import RequestContext
from ...storage.api import BucketInfo, ObjectInfo
from . import checksums, sse_c
from .common import S3Base, log
from .encryption import bucket_rule
from .errors import invalid_argument, s3_error, translated
from .form_data import FilePart, read_form
from .headers import check_key, object_meta, write_fields
from .hosts import object_url
from .objects import MAX_PUT_BYTES, request_body
from .post_conditions import decode_policy
from .tagging import validate_tags

#: The SigV4 and SigV2 signing fields, lower-cased, with the spelling S3 uses when one is missing.
_SIGV4_FIELDS = (
    ("x-amz-algorithm", "X-Amz-Algorithm"),
    ("x-amz-credential", "X-Amz-Credential"),
    ("x-amz-date", "X-Amz-Date"),
    ("x-amz-signature", "X-Amz-Signature"),
)
_SIGV2_FIELDS = (("awsaccesskeyid", "AWSAccessKeyId"), ("signature", "Signature"))

#: Form fields that stand for PutObject's headers, and the input member each one fills.
_FIELD_PARAMS = {
    "acl": "ACL",
    "cache-control": "CacheControl",
    "content-type": "ContentType",
    "content-disposition": "ContentDisposition",
    "content-encoding": "ContentEncoding",
    "content-language": "ContentLanguage",
    "content-md5": "ContentMD5",
    "expires": "Expires",
    "x-amz-storage-class": "StorageClass",
    "x-amz-website-redirect-location": "WebsiteRedirectLocation",
    "x-amz-server-side-encryption": "ServerSideEncryption",
    "x-amz-server-side-encryption-aws-kms-key-id": "SSEKMSKeyId",
    "x-amz-server-side-encryption-context": "SSEKMSEncryptionContext",
    "x-amz-server-side-encryption-customer-algorithm": "SSECustomerAlgorithm",
    "x-amz-server-side-encryption-customer-key": "SSECustomerKey",
    "x-amz-server-side-encryption-customer-key-md5": "SSECustomerKeyMD5",
    "x-amz-checksum-algorithm": "ChecksumAlgorithm",
}
_META_PREFIX = "x-amz-meta-"
_FILENAME = "${filename}"


def _missing_field(name: str) -> Exception:
    return invalid_argument(
        f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields.",
        name,
        "",
    )


class FormFields:
    """The fields before the file, by case-insensitive name, with ${filename} expanded.

    S3 reads a repeated field as its values joined by commas, and expands ${filename} in every field
    before it checks the policy. The variable becomes the last segment of the file part's filename
    (browsers may send a whole path); with no filename parameter at all S3 leaves it as it is.
    """

    def __init__(self, pairs: list[tuple[str, str]], filename: Optional[str]):
        if filename is not None:
            base = filename.replace("\\", "/").rsplit("/", 1)[-1]
            pairs = [(name, value.replace(_FILENAME, base)) for name, value in pairs]
        self._values: dict[str, list[str]] = {}
        #: Each field's name as the form spelt it first, in form order.
        self.names: list[str] = []
        for name, value in pairs:
            lowered = name.lower()
            if lowered not in self._values:
                self._values[lowered] = []
                self.names.append(name)
            self._values[lowered].append(value)

    def get(self, name: str) -> Optional[str]:
        values = self._values.get(name.lower())
        return None if values is None else ",".join(values)

    def has(self, name: str) -> bool:
        return name.lower() in self._values


class _SizedFile:
    """The file part, refused while it streams once it passes the allowed size (EntityTooLarge), and
    at its end when it is smaller than allowed (EntityTooSmall); storage then discards its temp file."""

    def __init__(self, part: FilePart, low: int, high: int):
        self._part = part
        self._low = low
        self._high = high
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._part.read(size)
        self.size += len(chunk)
        if self.size > self._high:
            # S3 reports the whole proposed size: count the rest without keeping it.
            while True:
                more = self._part.read(1 << 20)
                if not more:
                    break
                self.size += len(more)
            raise s3_error("EntityTooLarge", ProposedSize=self.size, MaxSizeAllowed=self._high)
        if not chunk and self.size < self._low:
            raise s3_error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size",
                           ProposedSize=self.size, MinSizeAllowed=self._low)
        return chunk


class PostUploadMixin(S3Base):
    def post_object(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        form = read_form(ctx.request.headers.get("content-type"), request_body(ctx, params))
        fields = FormFields(form.fields, form.file.filename if form.file is not None else None)
        key = fields.get("key")
        if key is None:
            raise _missing_field("key")
        if form.file is None:
            raise invalid_argument("POST requires exactly one file upload per request.", "file", 0)

        policy_text = fields.get("policy")
        signer = _claimed_signer(fields, policy_text is not None)
        self._authorize(ctx, bucket, key, policy_text, signer, fields.get("x-amz-security-token"))
        low, high = 0, MAX_PUT_BYTES
        if policy_text is not None:
            policy = decode_policy(policy_text)
            # The wall clock, as for any signature: a service clock moved forward must not expire it.
            policy.check_expiration(datetime.now(timezone.utc))
            policy.check_form(lambda name: bucket.name if name == "bucket" else fields.get(name), fields.names)
            low, policy_high = policy.size_range()
            if policy_high is not None:
                high = min(high, policy_high)

        check_key(key)
        request = _put_params(fields)
        meta = object_meta(ctx, request, _tags(fields.get("tagging")), bucket_rule(self.store, bucket.name))
        meta.acl = self.acl_for_write(ctx, bucket, request)
        body, algorithms, expected = checksums.write_checksums(ctx, request, _SizedFile(form.file, low, high))
        body, algorithms, expected = sse_c.seal_object(meta, request, body, algorithms, expected)
        with translated(bucket=bucket.name, key=key):
            info = self.store.put_object(bucket.name, key, body, meta, checksum_algorithms=algorithms,
                                         expected=expected)
        form.finish()
        log.debug("post s3://%s/%s (%d bytes)", bucket.name, key, info.size)
        self.replicate_after_write(info)
        return self._answer(ctx, fields, bucket, key, sse_c.plain_view(info))

    def _authorize(self, ctx: RequestContext, bucket: BucketInfo, key: str, policy_text: Optional[str],
                   signer: Optional[PostSignature], security_token: Optional[str] = None) -> None:
        """Who uploads, checked like any request (see the gateway's Authenticate handler).

        A policy signed by a configured key, or by temporary credentials STS issued, is verified in
        both modes; strict mode also refuses unknown keys, and checks a temporary key's session token
        (the form's x-amz-security-token) and expiry. An unsigned form is an anonymous upload: it
        needs a publicly writable bucket; a signed one needs the signer's account to be allowed to
        write (access.py).
        """
        if policy_text is None or signer is None:
            self.require_form_upload(None, bucket, key)
            return
        ctx.access_key = signer.access_key
        ctx.account_id = self.config.account_for(signer.access_key)
        credential = self.config.credentials.get(signer.access_key)
        session = None
        if credential is None and self.config.sessions is not None:
            session = self.config.sessions.get(signer.access_key)
        secret = credential.secret_key if credential is not None else session.secret_key if session is not None else None
        if secret is not None or self.config.auth == "strict":
            verify_post_signature(policy_text, signer, secret)
        if session is not None and self.config.auth == "strict":
            check_session_token(AuthInfo(access_key=signer.access_key, security_token=security_token), session,
                                self.config.clock.now())
        self.require_form_upload(ctx.account_id, bucket, key)

    def _answer(self, ctx: RequestContext, fields: FormFields, bucket: BucketInfo, key: str, info: ObjectInfo) -> dict:
        out: dict[str, Any] = write_fields(info)
        out.update(checksums.fields(info.checksums, info.checksum_type))
        out["Location"] = self._object_url(ctx, bucket.name, key)
        redirect = _redirect_url(fields, bucket.name, key, out["ETag"])
        if redirect is not None:
            out["Location"] = redirect
            out["__status__"] = 303
            return out
        status = (fields.get("success_action_status") or "").strip()
        if status == "200":
            out["__status__"] = 200
        elif status == "201":
            out["__status__"] = 201
            out["PostResponse"] = {"Location": out["Location"], "Bucket": bucket.name, "Key": key, "ETag": out["ETag"]}
        # Anything else, valid or not, is S3's default: 204 with no body.
        return out

    def _object_url(self, ctx: RequestContext, bucket: str, key: str) -> str:
        """The object's URL, addressed the way the form was (S3 encodes the key's slashes too).

        A form posted virtual-host style gets the virtual-host URL, without the region of a
        regional endpoint (`b.s3.us-west-2.<domain>` becomes `b.s3.<domain>`), as AWS answers; one
        posted path style keeps path style.
        """
        host = ctx.request.host or f"{self.config.host}:{self.config.port}"
        return object_url(ctx.request.scheme, host, bucket, key, bool(ctx.virtual_bucket), key_safe="")


def _claimed_signer(fields: FormFields, has_policy: bool) -> Optional[PostSignature]:
    """Who the form says signed its policy; None for an anonymous form.

    A policy needs a complete set of signing fields (S3 names the first one missing); signing fields
    without a policy are refused too, since they can only mean the form lost its policy.
    """
    v4 = any(fields.has(name) for name, _ in _SIGV4_FIELDS)
    v2 = any(fields.has(name) for name, _ in _SIGV2_FIELDS)
    if not has_policy:
        if v4 or v2:
            raise _missing_field("Policy")
        return None
    if not (v4 or v2):
        return None
    for name, spelling in _SIGV4_FIELDS if v4 else _SIGV2_FIELDS:
        if not fields.get(name):
            raise _missing_field(spelling)
    if not v4:
        return PostSignature(SIGV2, fields.get("awsaccesskeyid") or "", fields.get("signature") or "")
    algorithm = fields.get("x-amz-algorithm") or ""
    if algorithm != SIGV4_ALGORITHM:
        raise invalid_argument(f'X-Amz-Algorithm only supports "{SIGV4_ALGORITHM}"', "X-Amz-Algorithm", algorithm)
    credential = fields.get("x-amz-credential") or ""
    try:
        access_key, date, region, service = parse_credential(credential)
    except ValueError as exc:
        raise invalid_argument(str(exc), "X-Amz-Credential", credential) from None
    amz_date = fields.get("x-amz-date") or ""
    if parse_iso_basic(amz_date) is None:
        raise invalid_argument("X-Amz-Date must be formated via ISO8601 Long format", "X-Amz-Date", amz_date)
    return PostSignature(SIGV4, access_key, fields.get("x-amz-signature") or "", date, region, service)


def _put_params(fields: FormFields) -> dict:
    """The PutObject input the form's fields stand for."""
    params: dict[str, Any] = {}
    for name, member in _FIELD_PARAMS.items():
        value = fields.get(name)
        if value is not None:
            params[member] = value
    enabled = fields.get("x-amz-server-side-encryption-bucket-key-enabled")
    if enabled is not None:
        params["BucketKeyEnabled"] = enabled.strip().lower() == "true"
    for algorithm in checksums.ALGORITHMS:
        value = fields.get(checksums.header_name(algorithm))
        if value is not None:
            params[checksums.member(algorithm)] = value
    metadata = {n[len(_META_PREFIX):]: fields.get(n) for n in fields.names if n.lower().startswith(_META_PREFIX)}
    if metadata:
        params["Metadata"] = metadata
    return params


def _tags(document: Optional[str]) -> dict[str, str]:
    """The `tagging` field: a <Tagging><TagSet><Tag> document, as PutObjectTagging takes it.

    As on S3, an XML document without Tag elements means no tags, and text that is not XML is
    MalformedXML.
    """
    if document is None or not document.strip():
        return {}
    raw = document.encode("utf-8")
    # No S3 document uses a DTD, and entity declarations are the XML bomb's vehicle.
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise s3_error("MalformedXML")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError:
        raise s3_error("MalformedXML") from None
    pairs = []
    for element in root.iter():
        if _local(element.tag) == "Tag":
            parts = {_local(child.tag): child.text or "" for child in element}
            pairs.append((parts.get("Key", ""), parts.get("Value", "")))
    return validate_tags(pairs)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _redirect_url(fields: FormFields, bucket: str, key: str, etag: str) -> Optional[str]:
    """success_action_redirect (or the older `redirect`) with bucket, key and etag appended.

    S3 keeps the URL's own query and adds the three form-encoded (a slash in the key as %2F, the
    quoted ETag as %22...%22); a URL it cannot use (relative, not http) is ignored.
    """
    target = fields.get("success_action_redirect") or fields.get("redirect")
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    added = urlencode([("bucket", bucket), ("key", key), ("etag", etag)])
    joiner = "" if target.endswith(("?", "&")) else ("&" if parts.query else "?")
    return f"{target}{joiner}{added}"
