"""A streaming multipart/form-data reader for S3's browser-form upload (POST Object).

Why not a general form parser: S3 reads a POST form in one pass. The fields come first and are small
(S3 caps everything before the file at 20 KB), the `file` field comes last and may be gigabytes, and
whatever follows the file is ignored. So the fields are read into memory, and the file part is
handed out as a reader that yields its bytes straight from the request stream and stops at the
boundary, so storage can hash and write it without the upload ever sitting in memory.

The framing is RFC 2046 §5.1 as RFC 7578 uses it: a preamble before the first boundary line is
skipped, transport padding after a boundary is allowed, a part may have no headers, and the part
named `file` is the file whatever its `filename` parameter says (clients such as `requests` give
every part a filename).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .errors import s3_error

#: S3's limit on the form data and boundaries before the file's content.
MAX_PRE_DATA_BYTES = 20480
#: Bytes after the file (trailing fields, the close delimiter) read before the response; beyond
#: this the rest is left unread and the gateway closes the connection instead.
MAX_EPILOGUE_BYTES = 1 << 20
#: How much the reader pulls from the request stream at a time.
READ_CHUNK = 64 * 1024
_MAX_BOUNDARY = 70
_MAX_HEADER_LINE = 8192


def malformed() -> Exception:
    return s3_error("MalformedPOSTRequest")


def _too_large() -> Exception:
    return s3_error("MaxPostPreDataLengthExceeded", MaxPostPreDataLengthBytes=MAX_PRE_DATA_BYTES)


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """`form-data; name="a"; filename="b.txt"` -> ("form-data", {"name": "a", "filename": "b.txt"}).

    Parameter names are case-insensitive (RFC 2045). Inside quotes a backslash escapes only `"` and
    `\\`: browsers percent-escape quotes instead, and old ones send Windows paths with bare
    backslashes, which must survive for ${filename} to take the last path segment.
    """
    head, _, rest = value.partition(";")
    params: dict[str, str] = {}
    pos, size = 0, len(rest)
    while pos < size:
        while pos < size and rest[pos] in " \t;":
            pos += 1
        eq = rest.find("=", pos)
        if eq < 0:
            break
        name = rest[pos:eq].strip().lower()
        pos = eq + 1
        if pos < size and rest[pos] == '"':
            pos += 1
            chars = []
            while pos < size and rest[pos] != '"':
                if rest[pos] == "\\" and pos + 1 < size and rest[pos + 1] in '"\\':
                    pos += 1
                chars.append(rest[pos])
                pos += 1
            pos += 1
            text = "".join(chars)
        else:
            end = rest.find(";", pos)
            end = size if end < 0 else end
            text = rest[pos:end].strip()
            pos = end
        params.setdefault(name, text)
    return head.strip().lower(), params


def boundary_of(content_type: Optional[str]) -> bytes:
    """The boundary of a multipart/form-data Content-Type; MalformedPOSTRequest without a usable one."""
    _, params = header_params(content_type or "")
    boundary = params.get("boundary", "")
    if not 1 <= len(boundary) <= _MAX_BOUNDARY:
        raise malformed()
    try:
        return boundary.encode("ascii")
    except UnicodeEncodeError:
        raise malformed() from None


class _Buffered:
    """The request stream with a look-ahead buffer, counting the bytes handed out."""

    def __init__(self, body: Any):
        self._body = body
        # A CRLF in front makes the first boundary line look like every other delimiter (RFC 2046
        # attaches the CRLF before a boundary to the boundary); it is not counted as received.
        self.buf = bytearray(b"\r\n")
        self.eof = False
        self.consumed = -2

    def fill(self, want: int) -> None:
        while len(self.buf) < want and not self.eof:
            chunk = self._body.read(max(READ_CHUNK, want - len(self.buf)))
            if not chunk:
                self.eof = True
            else:
                self.buf += chunk

    def take(self, count: int) -> bytes:
        data = bytes(self.buf[:count])
        del self.buf[:count]
        self.consumed += count
        return data


class FilePart:
    """The `file` part's content, read on demand; `read` returns b"" at the part's end."""

    def __init__(self, stream: _Buffered, delimiter: bytes, filename: Optional[str], headers: dict[str, str]):
        self._stream = stream
        self._delimiter = delimiter
        self.filename = filename
        self.headers = headers
        self.done = False

    def read(self, size: int = -1) -> bytes:
        if self.done:
            return b""
        if size is None or size <= 0:
            size = READ_CHUNK
        stream, span = self._stream, len(self._delimiter)
        stream.fill(size + span)
        at = stream.buf.find(self._delimiter)
        if at >= 0:
            count = min(size, at)
            self.done = count == at
            return stream.take(count)
        if stream.eof:
            # The body ended inside the file: no closing boundary, so the upload is incomplete.
            raise malformed()
        # Keep a possible partial delimiter at the end of the buffer for the next call.
        return stream.take(min(size, len(stream.buf) - (span - 1)))


@dataclass
class Form:
    """The fields before the file (names as sent, in order) and the file part, if there was one."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    file: Optional[FilePart] = None
    reader: Optional["FormReader"] = None

    def finish(self) -> None:
        """Read what follows the file (S3 ignores it) so the connection can serve the next request."""
        if self.reader is not None:
            self.reader.drain()


class FormReader:
    """Reads one multipart/form-data body: `read_form` returns the fields and the file part."""

    def __init__(self, body: Any, boundary: bytes):
        self._stream = _Buffered(body)
        self._delimiter = b"\r\n--" + boundary

    def read_form(self) -> Form:
        form = Form(reader=self)
        self._skip_through_delimiter(self._limited_read)
        while self._next_part_follows():
            disposition, params, headers = self._part_headers()
            name = params.get("name")
            if name is None:
                raise malformed()
            if disposition == "form-data" and name.lower() == "file":
                form.file = FilePart(self._stream, self._delimiter, params.get("filename"), headers)
                return form
            value = self._read_field()
            form.fields.append((name, value.decode("utf-8", "replace")))
        return form

    # -- framing -------------------------------------------------------------------------------

    def _limited_read(self, count: int) -> bytes:
        if self._stream.consumed + count > MAX_PRE_DATA_BYTES:
            raise _too_large()
        return self._stream.take(count)

    def _skip_through_delimiter(self, take) -> bytes:
        """Everything up to the next delimiter (returned), then the delimiter itself."""
        stream, span = self._stream, len(self._delimiter)
        out = bytearray()
        while True:
            stream.fill(span + READ_CHUNK)
            at = stream.buf.find(self._delimiter)
            if at >= 0:
                out += take(at)
                stream.take(span)
                return bytes(out)
            if stream.eof:
                raise malformed()
            out += take(len(stream.buf) - (span - 1))

    def _next_part_follows(self) -> bool:
        """After a delimiter: False for the close delimiter (`--`), True when a part follows."""
        stream = self._stream
        stream.fill(2)
        if stream.buf[:2] == b"--":
            return False
        # Transport padding (linear white space) may sit between the boundary and its CRLF.
        while True:
            stream.fill(1)
            if stream.buf[:1] in (b" ", b"\t"):
                self._limited_read(1)
                continue
            break
        stream.fill(2)
        if stream.buf[:2] != b"\r\n":
            raise malformed()
        self._limited_read(2)
        return True

    def _part_headers(self) -> tuple[str, dict[str, str], dict[str, str]]:
        headers: dict[str, str] = {}
        while True:
            line = self._line()
            if not line:
                break
            name, sep, value = line.partition(":")
            if not sep:
                raise malformed()
            headers[name.strip().lower()] = value.strip()
        disposition, params = header_params(headers.get("content-disposition", ""))
        return disposition, params, headers

    def _line(self) -> str:
        stream = self._stream
        while True:
            at = stream.buf.find(b"\r\n")
            if at >= 0:
                raw = self._limited_read(at)
                self._limited_read(2)
                break
            if stream.eof or len(stream.buf) > _MAX_HEADER_LINE:
                raise malformed()
            stream.fill(len(stream.buf) + READ_CHUNK)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")

    def _read_field(self) -> bytes:
        return self._skip_through_delimiter(self._limited_read)

    def drain(self) -> None:
        """Discard what follows the file part, up to MAX_EPILOGUE_BYTES."""
        stream = self._stream
        left = MAX_EPILOGUE_BYTES
        while left > 0:
            stream.fill(READ_CHUNK)
            if not stream.buf:
                return
            left -= len(stream.take(min(len(stream.buf), left)))


def read_form(content_type: Optional[str], body: Any) -> Form:
    """The form fields of a POST Object body and its file part (read lazily, see `FilePart`)."""
    return FormReader(body, boundary_of(content_type)).read_form()
