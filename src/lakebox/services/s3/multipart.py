"""Multipart uploads: create, upload (and copy) parts, complete and abort (listings: multipart_listing).

Why its own area: large writes from boto3's transfer manager, Spark, s3fs and the AWS CLI all go this
way, and each step has its own S3 errors (part numbers 1-10,000, NoSuchUpload, EntityTooSmall,
InvalidPart, InvalidPartOrder, checksum-mode mismatches, and a conditional Complete's 409 when the key
changed after the upload began). Parts are staged by storage in the hidden store; only
CompleteMultipartUpload makes the object appear in the lake folder.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...storage import checksums as lake_checksums
from ...storage import errors as st
from ...storage.api import ObjectInfo, PartInfo, UploadInfo
from . import checksums, sse_c
from .common import S3Base, log, with_retries
from .conditions import parse_copy_range, refuse_unsupported_write_conditions, write_precondition
from .encryption import bucket_rule
from .expiration import abort_fields, expiration_fields
from .errors import (
    invalid_request,
    no_such_upload,
    part_error,
    s3_error,
    translated,
)
from .headers import (
    check_key,
    check_part_customer_key,
    encryption_fields,
    object_meta,
    quote_etag,
    unquote_etag,
    whole_seconds,
    write_fields,
)
from .hosts import object_url
from .objects import MAX_PUT_BYTES, check_part_number, declared_length, request_body
from .tagging import parse_tagging_header


def _part_checksums(part: PartInfo, shown: Iterable[str]) -> dict[str, Any]:
    """The part's checksums for the algorithms in `shown` (those the writer named, and the upload's)."""
    out = checksums.fields({a: v for a, v in part.checksums.items() if a in shown})
    out.pop("ChecksumType", None)  # part-level members carry none; it describes whole objects only
    return out


def _default_algorithm(upload: UploadInfo) -> Optional[str]:
    """The checksum S3 gives the object of an upload created without an algorithm: CRC64NVME.

    Not for SSE-C uploads: storage sees only their ciphertext, and their multipart objects answer
    no checksums (see sse_c.py).
    """
    if upload.checksum_algorithm or sse_c.is_sealed(upload.meta.encryption):
        return None
    return checksums.DEFAULT_ALGORITHM


def _default_part_algorithms(upload: UploadInfo) -> list[str]:
    """What storage also computes for each part, so that Complete combines the parts' CRC64NVMEs
    instead of reading the assembled object again."""
    default = _default_algorithm(upload)
    return [default] if default else []


def _upload_algorithms(upload: UploadInfo) -> list[str]:
    return [upload.checksum_algorithm] if upload.checksum_algorithm else []


def _check_part_checksums(upload: UploadInfo, parts: list, given: list[dict]) -> None:
    """What S3 decides about the part checksums a Complete names from the request alone.

    An upload created without an algorithm keeps no part checksums to compare with, so any part
    that names one is InvalidPart (even with the right value). With an algorithm, a part naming
    another one cannot match what was received: BadDigest. A value of the upload's own algorithm is
    compared with the stored one by storage, under the upload's lock (InvalidPart when it differs).

    S3 also refuses a COMPOSITE upload's Complete that leaves out a part's checksum ("The upload
    was created using a crc32 checksum. The complete request must include the checksum for each
    part."); lakebox accepts it, as Ceph's RGW does: the s3-tests suite completes its SHA-256
    uploads that way, and the stored part checksums are what the object's checksum is made of.
    """
    algorithm = upload.checksum_algorithm
    for number, _, sent in parts:
        if not sent:
            continue
        if algorithm is None:
            raise part_error(st.InvalidPartError(f"part {number}: the upload keeps no checksums", number),
                             upload.upload_id, given)
        other = next((a for a in sent if a != algorithm), None)
        if other is not None:
            raise s3_error("BadDigest",
                           f"The {other.lower()} you specified for part {number} did not match what we received.")


def _object_checksum_mismatch(algorithm: str) -> Exception:
    """BadDigest for a Complete's whole-object checksum: S3 names the algorithm in lower case here
    (a PutObject's mismatch names it in upper case)."""
    return s3_error("BadDigest", f"The {algorithm.lower()} you specified did not match the calculated checksum.")


class MultipartMixin(S3Base):
    def _upload(self, params: dict) -> UploadInfo:
        bucket = self.require_bucket(params).name
        key = params["Key"]
        upload_id = params["UploadId"]
        with translated(bucket=bucket, key=key, upload_id=upload_id):
            return self.store.get_upload(bucket, key, upload_id)

    def create_multipart_upload(self, ctx: RequestContext, params: dict) -> dict:
        bucket_info = self.require_bucket(params)
        bucket = bucket_info.name
        key = params["Key"]
        check_key(key)
        meta = object_meta(ctx, params, parse_tagging_header(params.get("Tagging")),
                           bucket_rule(self.store, bucket))
        meta.acl = self.acl_for_write(ctx, bucket_info, params)
        meta.extra.update(self.object_lock_for_write(ctx, bucket_info, params))
        sse_c.start_upload(meta)
        algorithm, checksum_type = checksums.upload_checksum_settings(params)
        with translated(bucket=bucket, key=key):
            upload = self.store.create_multipart_upload(
                bucket, key, meta, checksum_algorithm=algorithm, checksum_type=checksum_type
            )
        log.debug("created multipart upload %s for s3://%s/%s", upload.upload_id, bucket, key)
        out: dict[str, Any] = {"Bucket": bucket, "Key": key, "UploadId": upload.upload_id}
        out.update(encryption_fields(meta))
        if algorithm:
            out["ChecksumAlgorithm"] = algorithm
            out["ChecksumType"] = checksum_type
        out.update(abort_fields(self.store, upload))
        return out

    def upload_part(self, ctx: RequestContext, params: dict) -> dict:
        upload = self._upload(params)
        number = check_part_number(params.get("PartNumber"))
        customer_key = check_part_customer_key(upload.meta, params)
        body = request_body(ctx, params)
        length = declared_length(ctx, body)
        if length is not None and length > MAX_PUT_BYTES:
            raise s3_error("EntityTooLarge", ProposedSize=length, MaxSizeAllowed=MAX_PUT_BYTES)
        body, algorithms, expected = checksums.write_checksums(ctx, params, body, default=None)
        wanted = upload.checksum_algorithm
        if wanted and algorithms and algorithms[0] != wanted:
            raise invalid_request(
                f"Checksum Type mismatch occurred, expected checksum Type: {wanted.lower()}, "
                f"actual checksum Type: {algorithms[0].lower()}")
        shown = [*algorithms, *_upload_algorithms(upload)]
        body, algorithms, expected = sse_c.seal_part(upload, customer_key, number, body, algorithms, expected)
        # Storage adds the upload's own algorithm, so Complete can combine part checksums.
        with translated(bucket=upload.bucket, key=upload.key, upload_id=upload.upload_id):
            part = self.store.upload_part(
                upload, number, body, content_length=length, expected=expected,
                checksum_algorithms=[*algorithms, *_default_part_algorithms(upload)],
            )
        log.debug("uploaded part %d of upload %s (%d bytes)", number, upload.upload_id, part.size)
        out: dict[str, Any] = {"ETag": quote_etag(part.etag)}
        out.update(encryption_fields(upload.meta))
        out.update(_part_checksums(sse_c.plain_part(part, body), shown))
        return out

    def upload_part_copy(self, ctx: RequestContext, params: dict) -> dict:
        upload = self._upload(params)
        number = check_part_number(params.get("PartNumber"))
        check_part_customer_key(upload.meta, params)

        def attempt():
            src = self.copy_source(params)
            selected = parse_copy_range(params.get("CopySourceRange"), src.size)
            if sse_c.needs_streaming(src, upload.meta):
                return src, sse_c.copy_part(self.store, upload, number, src, selected.start, selected.end, params)
            return src, self.store.upload_part_copy(upload, number, src, selected.start, selected.end,
                                                    checksum_algorithms=_default_part_algorithms(upload))

        with translated(bucket=upload.bucket, key=upload.key, upload_id=upload.upload_id):
            src, part = with_retries(attempt)
        log.debug("copied part %d of upload %s from s3://%s/%s", number, upload.upload_id, src.bucket, src.key)
        result: dict[str, Any] = {"ETag": quote_etag(part.etag), "LastModified": whole_seconds(part.last_modified)}
        result.update(_part_checksums(part, _upload_algorithms(upload)))
        out: dict[str, Any] = {"CopyPartResult": result}
        out.update(encryption_fields(upload.meta))
        if src.version_id:
            out["CopySourceVersionId"] = src.version_id
        return out

    def complete_multipart_upload(self, ctx: RequestContext, params: dict) -> dict:
        refuse_unsupported_write_conditions(params)
        bucket = self.require_bucket(params).name
        key, upload_id = params["Key"], params["UploadId"]
        given = (params.get("MultipartUpload") or {}).get("Parts") or []
        if any(p.get("PartNumber") is None for p in given):
            raise s3_error("MalformedXML")
        if not given:
            # S3 looks the upload up first: an unknown one is NoSuchUpload. For a known one, the two
            # recordings we have differ by whether parts were uploaded: none at all is MalformedXML,
            # some is "You must specify at least one part".
            with translated(bucket=bucket, key=key, upload_id=upload_id):
                upload = self.store.get_upload(bucket, key, upload_id)
                uploaded = self.store.list_parts(upload)
            if not uploaded:
                raise s3_error("MalformedXML")
            raise invalid_request("You must specify at least one part")
        parts = [
            (int(p["PartNumber"]), unquote_etag(p.get("ETag") or ""), checksums.given_checksums(p)) for p in given
        ]
        try:
            upload = self.store.get_upload(bucket, key, upload_id)
        except st.NoSuchUploadError:
            # SDKs retry a Complete whose answer was lost; S3 answers the retry with the same result.
            info = self._completed_earlier(bucket, key, parts)
            if info is None:
                raise no_such_upload(upload_id) from None
        else:
            sse_c.check_completion_key(upload, params)
            _check_part_checksums(upload, parts, given)
            parts = sse_c.completion_parts(upload, parts)
            self._check_completion_mode(upload, params)
            self._check_object_size(upload, parts, params.get("MpuObjectSize"))
            self._check_object_checksum(upload, parts, params)
            try:
                with translated(bucket=bucket, key=key, upload_id=upload_id,
                                passthrough=(st.InvalidPartError, st.EntityTooSmallError, st.KeyChangedError)):
                    info = self.store.complete_multipart_upload(
                        upload, parts, precondition=write_precondition(params, key),
                        default_algorithm=_default_algorithm(upload),
                    )
            except (st.InvalidPartError, st.EntityTooSmallError) as exc:
                raise part_error(exc, upload_id, given) from None
            except st.KeyChangedError:
                # The condition held, but the key was written or deleted after the upload was
                # created: S3 refuses to complete it conditionally (a new upload must be started).
                condition = "If-Match" if params.get("IfMatch") is not None else "If-None-Match"
                raise s3_error("ConditionalRequestConflict", Condition=condition, Key=key) from None
            log.debug("completed upload %s into s3://%s/%s (%d parts)", upload_id, bucket, key, len(parts))
            self.replicate_after_write(info)
        out: dict[str, Any] = {
            "Location": object_url(ctx.request.scheme, ctx.request.host, bucket, key, bool(ctx.virtual_bucket)),
            "Bucket": bucket,
            "Key": key,
        }
        info = sse_c.plain_view(info)
        out.update(write_fields(info))
        out.update(checksums.fields(info.checksums, info.checksum_type))
        out.update(expiration_fields(self.store, bucket, info))
        return out

    def _completed_earlier(self, bucket: str, key: str, parts: list) -> Optional[ObjectInfo]:
        """The current object, if it is exactly what completing these parts produced."""
        info = self.find_object(bucket, key)
        if info is None or not info.parts:
            return None
        made_of = [(p.part_number, p.etag) for p in info.parts]
        return info if made_of == [(number, etag) for number, etag, _ in parts] else None

    @staticmethod
    def _check_completion_mode(upload: UploadInfo, params: dict) -> None:
        asked = params.get("ChecksumType")
        if asked is not None and str(asked).upper() != (upload.checksum_type or ""):
            # An upload created without a checksum has the "null" mode, in S3's words.
            raise invalid_request(
                f"The upload was created using the {upload.checksum_type or 'null'} checksum mode. The "
                "complete request must use the same checksum mode.")

    def _check_object_checksum(self, upload: UploadInfo, parts: list, params: dict) -> None:
        """A whole-object x-amz-checksum-* on Complete must match what the parts combine to.

        Checked before storage commits anything, from the checksums recorded with each part. A
        header for another algorithm than the upload's cannot match: S3 answers it with the same
        BadDigest, naming the upload's algorithm. An upload created without an algorithm ignores them.

        S3 also answers BadDigest to a FULL_OBJECT upload's value sent without x-amz-checksum-type,
        even a right one; lakebox checks the value instead, because the s3-tests suite's FULL_OBJECT
        uploads complete that way.
        """
        algorithm = upload.checksum_algorithm
        if algorithm is None:
            return
        sent = checksums.given_checksums(params)
        if any(other != algorithm for other in sent):
            raise _object_checksum_mismatch(algorithm)
        value = sent.get(algorithm)
        if value is None or sse_c.is_sealed(upload.meta.encryption):
            # A sealed (SSE-C) upload's part checksums in storage are over the ciphertext.
            return
        staged = {p.part_number: p for p in self.store.list_parts(upload)}
        chosen = [staged.get(number) for number, _, _ in parts]
        if not all(chosen):
            return  # storage answers InvalidPart for the missing part
        values = [p.checksums.get(algorithm) for p in chosen]
        if not all(values):
            raise _object_checksum_mismatch(algorithm)
        try:
            if upload.checksum_type == "FULL_OBJECT" and algorithm in checksums.FULL_OBJECT_CAPABLE:
                combined = lake_checksums.full_object_crc(algorithm, [(v, p.size) for v, p in zip(values, chosen)])
            else:
                combined = lake_checksums.composite(algorithm, values)
        except ValueError:
            raise _object_checksum_mismatch(algorithm) from None
        if lake_checksums.decode(value) != lake_checksums.decode(combined):
            raise _object_checksum_mismatch(algorithm)

    def _check_object_size(self, upload: UploadInfo, parts: list, declared: Optional[Any]) -> None:
        """x-amz-mp-object-size lets a client assert the final size before anything is committed."""
        if declared is None:
            return
        sizes = {p.part_number: p.size for p in self.store.list_parts(upload)}
        total = sum(sizes.get(number, 0) for number, _, _ in parts)
        if int(declared) != total:
            raise invalid_request(
                f"The provided 'x-amz-mp-object-size' header value {declared} does not match what was "
                f"computed: {total}")

    def abort_multipart_upload(self, ctx: RequestContext, params: dict) -> dict:
        """Abort an upload. S3 also answers 204 for some hours to an upload already completed or
        aborted, so cleanup code that aborts after completing (a common SDK pattern) succeeds."""
        bucket = self.require_bucket(params).name
        try:
            upload = self._upload(params)
            with translated(bucket=upload.bucket, key=upload.key, upload_id=upload.upload_id):
                self.store.abort_multipart_upload(upload)
        except AwsError as error:
            if error.code != "NoSuchUpload" or not self.store.upload_finished_lately(
                    bucket, params["Key"], params["UploadId"]):
                raise
            return {"__status__": 204}
        log.debug("aborted upload %s of s3://%s/%s", upload.upload_id, upload.bucket, upload.key)
        return {"__status__": 204}
