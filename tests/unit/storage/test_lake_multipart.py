"""Multipart uploads: parts, completion (ETag, checksums, errors), abort and listing."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from lake_helpers import files_under, get, md5, put, read

from lakebox.storage import (EmptyPartListError, EntityTooSmallError, InvalidPartError, InvalidPartOrderError,
                             LakeStore, NoSuchBucketError, NoSuchUploadError, ObjectMeta)
from lakebox.storage import checksums as ck

MiB = 1024 * 1024


def upload_parts(store, upload, *bodies, **kwargs):
    return [store.upload_part(upload, n, io.BytesIO(body), **kwargs) for n, body in enumerate(bodies, 1)]


def done(parts):
    return [(p.part_number, p.etag, {}) for p in parts]


def test_complete_assembles_parts_with_multipart_etag(store, bucket, bucket_dir, data_dir):
    meta = ObjectMeta(content_type="application/x-parquet", user={"job": "7"})
    upload = store.create_multipart_upload(bucket, "big/file.bin", meta)
    a, b, c = os.urandom(5 * MiB), os.urandom(5 * MiB + 1), os.urandom(1234)
    parts = upload_parts(store, upload, a, b, c)
    assert [p.etag for p in parts] == [md5(a), md5(b), md5(c)]
    assert [p.size for p in parts] == [len(a), len(b), len(c)]
    info = store.complete_multipart_upload(upload, done(parts))
    expected_etag = hashlib.md5(bytes.fromhex(md5(a)) + bytes.fromhex(md5(b)) + bytes.fromhex(md5(c))).hexdigest()
    assert info.etag == f"{expected_etag}-3"
    assert info.size == len(a) + len(b) + len(c)
    assert info.meta == meta
    assert [(p.part_number, p.size, p.etag) for p in info.parts] == [(1, len(a), md5(a)), (2, len(b), md5(b)),
                                                                     (3, len(c), md5(c))]
    assert (bucket_dir / "big" / "file.bin").read_bytes() == a + b + c
    assert read(store, info, 5 * MiB - 2, 5 * MiB + 1) == (a + b)[5 * MiB - 2:5 * MiB + 2]
    head = store.head_object(bucket, "big/file.bin")
    assert head.etag == info.etag and len(head.parts) == 3
    assert files_under(data_dir / ".lakebox" / "uploads") == set()
    with pytest.raises(NoSuchUploadError):
        store.get_upload(bucket, "big/file.bin", upload.upload_id)


def test_single_small_part_is_allowed(store, bucket):
    upload = store.create_multipart_upload(bucket, "one", ObjectMeta())
    parts = upload_parts(store, upload, b"tiny")
    info = store.complete_multipart_upload(upload, done(parts))
    assert info.etag == hashlib.md5(hashlib.md5(b"tiny").digest()).hexdigest() + "-1"
    assert get(store, "one") == b"tiny"


def test_complete_may_use_a_subset_of_parts_and_quoted_etags(store, bucket):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta())
    p1, p2, p3 = upload_parts(store, upload, b"1" * (5 * MiB), b"2" * 10, b"3" * 10)
    info = store.complete_multipart_upload(upload, [(1, f'"{p1.etag}"', {}), (3, p3.etag, {})])
    assert get(store, "k") == b"1" * (5 * MiB) + b"3" * 10
    assert info.etag.endswith("-2")


def test_entity_too_small(store, bucket):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta())
    parts = upload_parts(store, upload, b"small", b"last")
    with pytest.raises(EntityTooSmallError) as err:
        store.complete_multipart_upload(upload, done(parts))
    assert (err.value.part_number, err.value.size) == (1, 5)
    assert store.get_upload(bucket, "k", upload.upload_id)  # still there, can be retried


def test_invalid_part(store, bucket):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta())
    (p1,) = upload_parts(store, upload, b"x", checksum_algorithms=["CRC32"])
    with pytest.raises(InvalidPartError):
        store.complete_multipart_upload(upload, [(1, md5(b"other"), {})])
    with pytest.raises(InvalidPartError):
        store.complete_multipart_upload(upload, [(1, p1.etag, {}), (2, p1.etag, {})])
    with pytest.raises(InvalidPartError):
        store.complete_multipart_upload(upload, [(1, p1.etag, {"CRC32": ck.compute("CRC32", b"y")})])
    info = store.complete_multipart_upload(upload, [(1, p1.etag, {"CRC32": ck.compute("CRC32", b"x")})])
    assert info.size == 1


def test_invalid_part_order(store, bucket):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta())
    p1, p2 = upload_parts(store, upload, b"a" * (5 * MiB), b"b")
    with pytest.raises(InvalidPartOrderError):
        store.complete_multipart_upload(upload, [(2, p2.etag, {}), (1, p1.etag, {})])
    with pytest.raises(InvalidPartOrderError):
        store.complete_multipart_upload(upload, [(1, p1.etag, {}), (1, p1.etag, {})])
    with pytest.raises(EmptyPartListError):
        store.complete_multipart_upload(upload, [])


def test_reuploading_a_part_replaces_it(store, bucket, data_dir):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta())
    store.upload_part(upload, 1, io.BytesIO(b"first"))
    second = store.upload_part(upload, 1, io.BytesIO(b"second"))
    assert [p.etag for p in store.list_parts(upload)] == [md5(b"second")]
    assert len(files_under(data_dir / ".lakebox" / "uploads")) == 1
    store.complete_multipart_upload(upload, done([second]))
    assert get(store, "k") == b"second"


def test_composite_checksum(store, bucket):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta(), checksum_algorithm="SHA256")
    assert upload.checksum_type == "COMPOSITE"
    bodies = [os.urandom(5 * MiB), os.urandom(100)]
    parts = upload_parts(store, upload, *bodies)
    assert [p.checksums for p in parts] == [{"SHA256": ck.compute("SHA256", b)} for b in bodies]
    given = [(p.part_number, p.etag, {"SHA256": p.checksums["SHA256"]}) for p in parts]
    info = store.complete_multipart_upload(upload, given)
    raw = b"".join(hashlib.sha256(b).digest() for b in bodies)
    assert info.checksums == {"SHA256": ck.b64(hashlib.sha256(raw).digest()) + "-2"}
    assert info.checksum_type == "COMPOSITE"
    assert store.head_object(bucket, "k").checksums == info.checksums


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME"])
def test_full_object_crc_checksum(store, bucket, algorithm):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta(), checksum_algorithm=algorithm,
                                           checksum_type="FULL_OBJECT")
    bodies = [os.urandom(5 * MiB), os.urandom(3 * MiB + 7)]
    parts = upload_parts(store, upload, *bodies)
    info = store.complete_multipart_upload(upload, done(parts))
    assert info.checksums == {algorithm: ck.compute(algorithm, b"".join(bodies))}
    assert info.checksum_type == "FULL_OBJECT"


def test_crc64nvme_defaults_to_full_object(store, bucket):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta(), checksum_algorithm="CRC64NVME")
    assert upload.checksum_type == "FULL_OBJECT"


def test_full_object_checksum_that_cannot_combine_is_computed_while_assembling(store, bucket):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta(), checksum_algorithm="SHA1",
                                           checksum_type="FULL_OBJECT")
    bodies = [os.urandom(5 * MiB), b"tail"]
    info = store.complete_multipart_upload(upload, done(upload_parts(store, upload, *bodies)))
    assert info.checksums == {"SHA1": ck.compute("SHA1", b"".join(bodies))}


def test_upload_part_verifies_digests(store, bucket):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta())
    from lakebox.storage import BadDigestError, ChecksumMismatchError, IncompleteBodyError

    with pytest.raises(ChecksumMismatchError):
        store.upload_part(upload, 1, io.BytesIO(b"abc"), expected={"CRC32": ck.compute("CRC32", b"abd")})
    with pytest.raises(BadDigestError):
        store.upload_part(upload, 1, io.BytesIO(b"abc"), expected={"MD5": ck.compute("MD5", b"abd")})
    with pytest.raises(IncompleteBodyError):
        store.upload_part(upload, 1, io.BytesIO(b"abc"), content_length=4)
    assert store.list_parts(upload) == []
    part = store.upload_part(upload, 1, io.BytesIO(b"abc"), checksum_algorithms=["CRC32C"])
    assert part.checksums == {"CRC32C": ck.compute("CRC32C", b"abc")}


def test_upload_part_copy_copies_a_range(store, bucket):
    src = put(store, "src", bytes(range(256)) * 100)
    upload = store.create_multipart_upload(bucket, "dst", ObjectMeta(), checksum_algorithm="CRC32")
    part = store.upload_part_copy(upload, 1, src, 10, 19)
    assert (part.size, part.etag) == (10, md5(bytes(range(10, 20))))
    assert part.checksums == {"CRC32": ck.compute("CRC32", bytes(range(10, 20)))}
    store.complete_multipart_upload(upload, done([part]))
    assert get(store, "dst") == bytes(range(10, 20))


def test_abort_removes_upload_and_parts(store, bucket, data_dir):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta())
    upload_parts(store, upload, b"a", b"b")
    store.abort_multipart_upload(upload)
    assert files_under(data_dir / ".lakebox" / "uploads") == set()
    with pytest.raises(NoSuchUploadError):
        store.get_upload(bucket, "k", upload.upload_id)
    with pytest.raises(NoSuchUploadError):
        store.upload_part(upload, 1, io.BytesIO(b"late"))
    with pytest.raises(NoSuchUploadError):
        store.abort_multipart_upload(upload)
    with pytest.raises(NoSuchUploadError):
        store.complete_multipart_upload(upload, [(1, md5(b"a"), {})])
    with pytest.raises(NoSuchUploadError):
        store.list_parts(upload)
    assert store.head_object(bucket, "k") is None


def test_get_upload_checks_bucket_and_key(store, bucket):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta(user={"a": "b"}))
    got = store.get_upload(bucket, "k", upload.upload_id)
    assert got == upload and got.meta.user == {"a": "b"}
    with pytest.raises(NoSuchUploadError):
        store.get_upload(bucket, "other", upload.upload_id)
    with pytest.raises(NoSuchUploadError):
        store.get_upload(bucket, "k", "nope")
    with pytest.raises(NoSuchBucketError):
        store.create_multipart_upload("missing-bucket", "k", ObjectMeta())


def test_failed_precondition_keeps_the_upload(store, bucket):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta())
    parts = upload_parts(store, upload, b"data")

    def refuse(current):
        raise RuntimeError("PreconditionFailed")

    with pytest.raises(RuntimeError):
        store.complete_multipart_upload(upload, done(parts), precondition=refuse)
    assert store.head_object(bucket, "k") is None
    assert store.complete_multipart_upload(upload, done(parts)).size == 4


def test_multipart_odd_key_goes_hidden(store, bucket):
    upload = store.create_multipart_upload(bucket, "../up/", ObjectMeta())
    store.complete_multipart_upload(upload, done(upload_parts(store, upload, b"x")))
    assert get(store, "../up/") == b"x"


def test_uploads_and_parts_survive_a_restart(data_dir, store, bucket):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta(content_type="c/t"))
    parts = upload_parts(store, upload, b"a" * (5 * MiB), b"b")
    store.close()
    again = LakeStore(data_dir)
    try:
        assert [p.etag for p in again.list_parts(upload)] == [p.etag for p in parts]
        info = again.complete_multipart_upload(again.get_upload(bucket, "k", upload.upload_id), done(parts))
        assert info.meta.content_type == "c/t"
        assert get(again, "k") == b"a" * (5 * MiB) + b"b"
    finally:
        again.close()


def test_orphan_upload_folders_are_removed_at_start(data_dir, store, bucket):
    orphan = data_dir / ".lakebox" / "uploads" / "deadbeef"
    orphan.mkdir()
    (orphan / "1-abc").write_bytes(b"x")
    live = store.create_multipart_upload(bucket, "k", ObjectMeta())
    store.upload_part(live, 1, io.BytesIO(b"y"))
    store.close()
    again = LakeStore(data_dir)
    try:
        assert sorted(os.listdir(data_dir / ".lakebox" / "uploads")) == [live.upload_id]
    finally:
        again.close()


def test_list_multipart_uploads(store, bucket):
    made = {}
    for key in ["a/1", "a/2", "b", "b", "c/x/y", "d"]:
        made.setdefault(key, []).append(store.create_multipart_upload(bucket, key, ObjectMeta()).upload_id)
    r = store.list_multipart_uploads(bucket)
    assert [(u.key, u.upload_id) for u in r.uploads] == [(k, i) for k in sorted(made) for i in made[k]]
    assert made["b"][0] < made["b"][1]  # ids sort by initiation
    assert not r.is_truncated

    r = store.list_multipart_uploads(bucket, delimiter="/")
    assert ([u.key for u in r.uploads], r.common_prefixes) == (["b", "b", "d"], ["a/", "c/"])

    r = store.list_multipart_uploads(bucket, prefix="c/", delimiter="/")
    assert ([u.key for u in r.uploads], r.common_prefixes) == ([], ["c/x/"])

    r = store.list_multipart_uploads(bucket, max_uploads=3)
    assert [u.key for u in r.uploads] == ["a/1", "a/2", "b"] and r.is_truncated
    assert (r.next_key_marker, r.next_upload_id_marker) == ("b", made["b"][0])
    r = store.list_multipart_uploads(bucket, key_marker=r.next_key_marker, upload_id_marker=r.next_upload_id_marker)
    assert [(u.key, u.upload_id) for u in r.uploads] == [("b", made["b"][1]), ("c/x/y", made["c/x/y"][0]),
                                                         ("d", made["d"][0])]
    r = store.list_multipart_uploads(bucket, key_marker="b")
    assert [u.key for u in r.uploads] == ["c/x/y", "d"]

    r = store.list_multipart_uploads(bucket, delimiter="/", max_uploads=1)
    assert (r.common_prefixes, r.next_key_marker, r.is_truncated) == (["a/"], "a/", True)
    r = store.list_multipart_uploads(bucket, delimiter="/", key_marker="a/")
    assert ([u.key for u in r.uploads], r.common_prefixes) == (["b", "b", "d"], ["c/"])


def test_delete_bucket_aborts_its_uploads(store, bucket, data_dir):
    upload = store.create_multipart_upload(bucket, "k", ObjectMeta())
    store.upload_part(upload, 1, io.BytesIO(b"x"))
    store.delete_bucket(bucket)
    assert files_under(data_dir / ".lakebox" / "uploads") == set()
    assert store.db.get_upload(upload.upload_id) is None
