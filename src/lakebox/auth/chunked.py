"""aws-chunked bodies, decoded as a stream.

    signed:   <hex-size>;chunk-signature=<sig>\\r\\n<data>\\r\\n ... 0;chunk-signature=<sig>\\r\\n
              [<trailer>:<value>\\r\\n ... x-amz-trailer-signature:<sig>\\r\\n]\\r\\n
    unsigned: <hex-size>\\r\\n<data>\\r\\n ... 0\\r\\n[<trailer>:<value>\\r\\n ...]\\r\\n

`AwsChunkedBody` never holds more than one read buffer (64 KiB) plus what the caller asks for, so
a 5 GiB upload streams through it. Chunk signatures are checked as each chunk ends; bytes of a chunk
are handed out before its signature is known, which is safe because the storage layer commits
nothing until the body has been read to EOF, and EOF is only reported once every signature, the
trailers and the decoded length have been checked.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Iterable, Optional

from ..protocol.http import BodyStream
from . import errors
from .info import EMPTY_SHA256
from .sigv4 import ChunkSignatureChain

#: S3 refuses signed chunks below this size, except the last one that carries data.
MIN_SIGNED_CHUNK = 8192

_READ_SIZE = 64 * 1024
# A chunk header or trailer line is a few hundred bytes at most; anything longer is not aws-chunked.
_MAX_LINE = 16 * 1024
_HEX_SIZE = re.compile(r"^[0-9a-fA-F]{1,16}$")

_HEADER, _DATA, _DATA_END, _TRAILERS, _DONE = range(5)


class AwsChunkedBody(BodyStream):
    """The decoded bytes of an aws-chunked body.

    `decoded_length` is x-amz-decoded-content-length (also as `.length`, like other bodies), and
    `trailers` maps lower-cased trailer names to values once EOF has been reached. With a `chain`
    every chunk signature (and with `trailer_signed` the trailer signature) is verified.
    """

    def __init__(
        self,
        raw: BodyStream,
        *,
        decoded_length: Optional[int] = None,
        signed: bool = False,
        chain: Optional[ChunkSignatureChain] = None,
        trailer_signed: bool = False,
        expected_trailers: Iterable[str] = (),
        access_key: Optional[str] = None,
    ):
        super().__init__()
        self.decoded_length = decoded_length
        self.length = decoded_length
        self.trailers: dict[str, str] = {}
        self._raw = raw
        self._signed = signed
        self._chain = chain
        self._trailer_signed = trailer_signed
        self._expected_trailers = tuple(name.strip().lower() for name in expected_trailers if name.strip())
        self._access_key = access_key
        self._buf = bytearray()
        self._pos = 0
        self._raw_eof = False
        self._state = _HEADER
        self._remaining = 0
        self._declared = 0
        self._produced = 0
        self._chunks = 0
        self._last_size: Optional[int] = None
        self._chunk_signature: Optional[str] = None
        self._hasher = None
        self._trailer_lines: list[str] = []
        self._trailer_signature: Optional[str] = None

    # -- BodyStream -------------------------------------------------------------------------------

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return self.read_all()
        while size > 0:
            if self._state == _DATA:
                return self._read_data(size)
            if self._state == _DONE:
                return b""
            self._step()
        return b""

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()

    # -- framing ----------------------------------------------------------------------------------

    def _step(self) -> None:
        if self._state == _HEADER:
            self._chunk_header()
        elif self._state == _DATA_END:
            if self._read_line() != b"":
                raise errors.incomplete_body()
            self._check_chunk(self._hasher.hexdigest() if self._hasher is not None else EMPTY_SHA256)
            self._state = _HEADER
        elif self._state == _TRAILERS:
            self._trailer_line()

    def _chunk_header(self) -> None:
        line = self._read_line().decode("latin-1")
        size_text, _, extensions = line.partition(";")
        size_text = size_text.strip()
        if not _HEX_SIZE.match(size_text):
            raise errors.incomplete_body()
        size = int(size_text, 16)
        self._chunk_signature = None
        for extension in extensions.split(";") if extensions else ():
            name, _, value = extension.partition("=")
            if name.strip() == "chunk-signature":
                self._chunk_signature = value.strip()
        if self._signed and size and self._last_size is not None and self._last_size < MIN_SIGNED_CHUNK:
            raise errors.invalid_chunk_size(self._chunks, self._last_size)
        self._declared += size
        if self.decoded_length is not None and self._declared > self.decoded_length:
            raise errors.decoded_length_mismatch()
        if size == 0:
            self._check_chunk(EMPTY_SHA256)
            self._state = _TRAILERS
            return
        self._chunks += 1
        self._last_size = size
        self._remaining = size
        self._hasher = hashlib.sha256() if self._chain is not None else None
        self._state = _DATA

    def _read_data(self, size: int) -> bytes:
        wanted = min(size, self._remaining)
        buffered = len(self._buf) - self._pos
        if buffered:
            data = bytes(self._buf[self._pos : self._pos + min(wanted, buffered)])
            self._pos += len(data)
        else:
            # Nothing buffered: read straight from the transport, saving a copy on large bodies.
            data = self._raw.read(wanted) if not self._raw_eof else b""
            if not data:
                self._raw_eof = True
                raise errors.incomplete_body()
        self._remaining -= len(data)
        self._produced += len(data)
        if self._hasher is not None:
            self._hasher.update(data)
        if self._remaining == 0:
            self._state = _DATA_END
            if self._produced == self.decoded_length:
                # A reader that stops after exactly decoded_length bytes never asks for EOF; settle
                # the final chunk, trailers and signatures now so they are known (and checked) anyway.
                while self._state != _DONE:
                    self._step()
        return data

    def _check_chunk(self, data_sha256: str) -> None:
        if self._chain is None:
            return
        expected = self._chain.next_chunk(data_sha256)
        provided = self._chunk_signature
        if provided is None or not hmac.compare_digest(expected.encode(), provided.lower().encode("utf-8")):
            raise errors.signature_does_not_match(self._access_key, provided)

    def _trailer_line(self) -> None:
        line = self._read_line(allow_eof=True)
        if not line:
            # The blank line ends the body. A client that stops right after its last trailer line
            # has still sent everything that matters, so EOF there is accepted too.
            self._finish()
            return
        name, sep, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if not sep or not name:
            raise errors.malformed_trailer()
        value = value.strip()
        if name == "x-amz-trailer-signature":
            self._trailer_signature = value
        else:
            self.trailers[name] = value
            self._trailer_lines.append(f"{name}:{value}\n")

    def _finish(self) -> None:
        if self._chain is not None and self._trailer_signed:
            expected = self._chain.trailer("".join(self._trailer_lines))
            provided = self._trailer_signature
            if provided is None or not hmac.compare_digest(expected.encode(), provided.lower().encode("utf-8")):
                raise errors.signature_does_not_match(self._access_key, provided)
        if self.decoded_length is not None and self._produced != self.decoded_length:
            raise errors.decoded_length_mismatch()
        if any(name not in self.trailers for name in self._expected_trailers):
            raise errors.malformed_trailer()
        self._state = _DONE

    # -- buffer -----------------------------------------------------------------------------------

    def _fill(self) -> bool:
        if self._raw_eof:
            return False
        data = self._raw.read(_READ_SIZE)
        if not data:
            self._raw_eof = True
            return False
        if self._pos:
            del self._buf[: self._pos]
            self._pos = 0
        self._buf += data
        return True

    def _read_line(self, allow_eof: bool = False) -> Optional[bytes]:
        """The next line without its CR LF (a bare LF is accepted); None at a clean EOF if allowed."""
        scanned = 0  # bytes after _pos already searched, so a refill only scans the new ones
        while True:
            end = self._buf.find(b"\n", self._pos + scanned)
            if end >= 0:
                line = bytes(self._buf[self._pos : end])
                self._pos = end + 1
                return line[:-1] if line.endswith(b"\r") else line
            scanned = len(self._buf) - self._pos
            if scanned > _MAX_LINE:
                raise errors.incomplete_body()
            if not self._fill():
                if allow_eof and scanned == 0:
                    return None
                raise errors.incomplete_body()
