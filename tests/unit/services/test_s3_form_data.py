"""The streaming multipart/form-data reader behind POST Object: fields first, then a file part read
straight from the stream up to its boundary, whatever sizes the stream hands out."""

from __future__ import annotations

import io

import pytest

from lakebox.protocol.errors import AwsError
from lakebox.services.s3.form_data import MAX_PRE_DATA_BYTES, boundary_of, header_params, read_form

BOUNDARY = "b0undary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def _body(*parts: tuple[str, bytes], filename_for_file: str = "photo.jpg", preamble: bytes = b"",
          epilogue: bytes = b"") -> bytes:
    out = [preamble]
    for name, value in parts:
        disposition = f'form-data; name="{name}"'
        if name == "file":
            disposition += f'; filename="{filename_for_file}"'
        out.append(f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n")
    out.append(f"--{BOUNDARY}--\r\n".encode() + epilogue)
    return b"".join(out)


class Dribble(io.RawIOBase):
    """A stream that returns at most `step` bytes a read, like a slow socket."""

    def __init__(self, data: bytes, step: int):
        self._data, self._pos, self._step = data, 0, step

    def read(self, size=-1):
        end = self._pos + min(self._step, size if size and size > 0 else self._step)
        chunk, self._pos = self._data[self._pos:end], min(end, len(self._data))
        return chunk


def _read_all(part, size=7):
    out = bytearray()
    while True:
        chunk = part.read(size)
        if not chunk:
            return bytes(out)
        out += chunk


def test_fields_in_order_then_the_file():
    body = _body(("key", b"user/${filename}"), ("Content-Type", b"text/plain"), ("file", b"hello"))
    form = read_form(CONTENT_TYPE, io.BytesIO(body))
    assert form.fields == [("key", "user/${filename}"), ("Content-Type", "text/plain")]
    assert form.file.filename == "photo.jpg"
    assert _read_all(form.file) == b"hello"
    form.finish()


@pytest.mark.parametrize("step", [1, 2, 3, 7, 11, 64, 1 << 20])
def test_file_content_that_looks_like_a_boundary_survives_any_chunking(step):
    tricky = b"\r\n--b0und\r\n--b0undar\r--b0undary-not\n" * 50 + b"\r\n-"
    body = _body(("key", b"k"), ("file", tricky), ("after", b"ignored"))
    form = read_form(CONTENT_TYPE, Dribble(body, step))
    assert _read_all(form.file, size=5) == tricky
    form.finish()


def test_large_file_streams_in_requested_sizes():
    data = bytes(range(256)) * 12000  # ~3 MiB
    form = read_form(CONTENT_TYPE, io.BytesIO(_body(("key", b"k"), ("file", data))))
    chunks = []
    while True:
        chunk = form.file.read(1 << 20)
        if not chunk:
            break
        assert len(chunk) <= 1 << 20
        chunks.append(chunk)
    assert b"".join(chunks) == data


def test_empty_file_and_fields_after_the_file_are_ignored():
    form = read_form(CONTENT_TYPE, io.BytesIO(_body(("key", b"k"), ("file", b""), ("submit", b"Upload"))))
    assert form.fields == [("key", "k")]
    assert form.file.read(10) == b""
    form.finish()


def test_preamble_and_transport_padding_are_skipped():
    body = (b"this is a preamble\r\n--b0undary  \t\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n"
            b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\ndata\r\n--b0undary--")
    form = read_form(CONTENT_TYPE, io.BytesIO(body))
    assert form.fields == [("key", "k")]
    assert form.file.filename is None  # no filename parameter: ${filename} stays as it is
    assert _read_all(form.file) == b"data"


def test_the_file_is_the_part_named_file_not_the_part_with_a_filename():
    body = (b'--b0undary\r\nContent-Disposition: form-data; name="key"; filename="key"\r\n\r\nk\r\n'
            b'--b0undary\r\nContent-Disposition: form-data; name="File"; filename="a.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\nabc\r\n--b0undary--\r\n")
    form = read_form(CONTENT_TYPE, io.BytesIO(body))
    assert form.fields == [("key", "k")]
    assert form.file.headers["content-type"] == "text/plain"
    assert _read_all(form.file) == b"abc"


def test_form_without_a_file_part():
    form = read_form(CONTENT_TYPE, io.BytesIO(_body(("key", b"k"))))
    assert form.file is None and form.fields == [("key", "k")]


def test_utf8_field_values():
    form = read_form(CONTENT_TYPE, io.BytesIO(_body(("x-amz-meta-name", "Zoë €".encode()), ("file", b""))))
    assert form.fields == [("x-amz-meta-name", "Zoë €")]


def _error(content_type, body):
    with pytest.raises(AwsError) as info:
        form = read_form(content_type, io.BytesIO(body))
        if form.file is not None:
            _read_all(form.file)
    return info.value.code, info.value.status


@pytest.mark.parametrize(
    "content_type,body",
    [
        ("multipart/form-data", _body(("key", b"k"))),  # no boundary
        (f"multipart/form-data; boundary={'x' * 71}", b""),  # longer than RFC 2046 allows
        (CONTENT_TYPE, b""),  # no delimiter at all
        (CONTENT_TYPE, b"--b0undary\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk"),  # truncated field
        (CONTENT_TYPE, b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nunfinished"),
        (CONTENT_TYPE, b"--b0undary\r\nno colon here\r\n\r\nx\r\n--b0undary--"),
        (CONTENT_TYPE, b"--b0undary\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b0undary--"),  # no name
        (CONTENT_TYPE, b"--b0undaryjunk\r\n"),
    ],
)
def test_malformed_bodies_are_malformed_post_requests(content_type, body):
    assert _error(content_type, body) == ("MalformedPOSTRequest", 400)


def test_fields_before_the_file_are_limited_to_20_kb():
    big = b"x" * (MAX_PRE_DATA_BYTES + 1)
    assert _error(CONTENT_TYPE, _body(("x-amz-meta-big", big), ("file", b"f"))) == (
        "MaxPostPreDataLengthExceeded", 400)
    # the file itself is not counted
    form = read_form(CONTENT_TYPE, io.BytesIO(_body(("key", b"k"), ("file", big * 3))))
    assert len(_read_all(form.file, size=1 << 16)) == len(big) * 3


def test_header_parameters():
    assert header_params('form-data; name="a"; filename="b.txt"') == ("form-data", {"name": "a", "filename": "b.txt"})
    assert header_params('Form-Data; NAME=plain;filename="C:\\dir\\f.txt"')[1] == {
        "name": "plain", "filename": "C:\\dir\\f.txt"}
    assert header_params(r'form-data; name="q\"uote"')[1] == {"name": 'q"uote'}
    assert boundary_of('multipart/form-data; boundary="quoted boundary"') == b"quoted boundary"
