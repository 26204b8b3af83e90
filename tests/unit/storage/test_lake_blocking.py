"""Inline sections: hashing a file written from outside refuses to run on the event loop."""

import pytest

from lakebox.storage import blocking
from lakebox.storage.lake import LakeStore


def test_adopting_an_outside_file_inline_raises_would_block_and_works_on_a_worker(tmp_path):
    store = LakeStore(tmp_path)
    store.create_bucket("lake", "000000000000", "us-east-1")
    (tmp_path / "s3" / "lake" / "file.csv").write_bytes(b"a,b\n1,2\n")
    with blocking.inline_section(), pytest.raises(blocking.WouldBlock):
        store.head_object("lake", "file.csv")
    assert not blocking.in_inline_section()
    info = store.head_object("lake", "file.csv")
    assert info.size == 8
    # once described, the inline read needs no hashing
    with blocking.inline_section():
        assert store.head_object("lake", "file.csv").etag == info.etag
