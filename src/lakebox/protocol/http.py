"""Transport-neutral HTTP request and response objects.

The gateway builds an `HttpRequest` from the ASGI scope; parsers read it; serializers produce an
`HttpResponse` that the gateway writes back. Bodies may stream: `BodyStream.read` is a blocking
call made from a worker thread, so providers are plain synchronous code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Union
from urllib.parse import parse_qsl, unquote


class Headers:
    """Case-insensitive, order-keeping multi-map of header names to values.

    Lookups go through a lower-cased index built on first use: a parser asks for every header
    member of an operation (PutObject has about 50), so a linear scan per lookup would dominate.
    """

    __slots__ = ("_items", "_index")

    def __init__(self, items: Iterable[tuple[str, str]] = ()):
        self._items: list[tuple[str, str]] = [(k, v) for k, v in items]
        self._index: Optional[dict[str, list[str]]] = None

    def _lookup(self) -> dict[str, list[str]]:
        index = self._index
        if index is None:
            index = {}
            for k, v in self._items:
                index.setdefault(k.lower(), []).append(v)
            self._index = index
        return index

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        values = self._lookup().get(name.lower())
        return values[0] if values else default

    def names(self) -> Iterable[str]:
        """The distinct header names present, lower-cased."""
        return self._lookup().keys()

    def get_all(self, name: str) -> list[str]:
        return list(self._lookup().get(name.lower(), ()))

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._lookup()

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __setitem__(self, name: str, value: str) -> None:
        if name.lower() in self._lookup():
            self.pop(name)
        self.add(name, value)

    def add(self, name: str, value: str) -> None:
        self._items.append((name, value))
        if self._index is not None:
            self._index.setdefault(name.lower(), []).append(value)

    def pop(self, name: str, default: Optional[str] = None) -> Optional[str]:
        lname = name.lower()
        if lname not in self._lookup():
            return default
        found = default
        kept = []
        for k, v in self._items:
            if k.lower() == lname:
                found = v
            else:
                kept.append((k, v))
        self._items = kept
        self._index = None
        return found

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def keys(self) -> list[str]:
        return [k for k, _ in self._items]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


class ClientGone(ConnectionError):
    """The client closed the connection while sending its request body."""


class BodyStream(io.RawIOBase):
    """A readable request body. Subclasses pull bytes from the transport on demand."""

    #: Whether the client has sent the whole body (a connection with bytes still to come must close).
    fully_received = True

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:  # pragma: no cover - interface
        raise NotImplementedError

    def readinto(self, buffer) -> int:
        """Lets `io.BufferedReader` and `shutil.copyfileobj` wrap any body stream."""
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read_all(self) -> bytes:
        chunks = []
        while True:
            chunk = self.read(1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


class BytesBody(BodyStream):
    """A body already in memory (tests, small control-plane requests)."""

    def __init__(self, data: bytes = b""):
        super().__init__()
        self._buf = io.BytesIO(data)
        self.length = len(data)

    def read(self, size: int = -1) -> bytes:
        return self._buf.read(size)


@dataclass
class HttpRequest:
    method: str
    path: str  # raw, percent-encoded path without the query string
    query: str = ""  # raw query string
    headers: Headers = field(default_factory=Headers)
    body: BodyStream = field(default_factory=BytesBody)
    scheme: str = "http"
    client: Optional[str] = None

    @property
    def host(self) -> str:
        return self.headers.get("host", "") or ""

    def query_params(self) -> list[tuple[str, str]]:
        """Decoded query pairs, blank values kept (S3 subresources like `?uploads` have none)."""
        return parse_qsl(self.query, keep_blank_values=True)

    def query_dict(self) -> dict[str, str]:
        return dict(self.query_params())

    @property
    def decoded_path(self) -> str:
        return unquote(self.path)

    def body_bytes(self) -> bytes:
        """Read (and cache) the whole body; for control-plane requests only."""
        cached = getattr(self, "_body_cache", None)
        if cached is None:
            cached = self.body.read_all()
            self._body_cache = cached
        return cached

    def body_bytes_within(self, limit: int) -> Optional[bytes]:
        """The whole body (cached, as `body_bytes`), or None as soon as it proves longer than `limit`.

        A declared length over the limit reads nothing; a body of unknown length is read no
        further than `limit + 1` bytes, so a huge document never sits in memory.
        """
        cached = getattr(self, "_body_cache", None)
        if cached is not None:
            return cached if len(cached) <= limit else None
        declared = getattr(self.body, "length", None)
        if declared is not None and declared > limit:
            return None
        chunks, size = [], 0
        while size <= limit:
            chunk = self.body.read(min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            return None
        self._body_cache = b"".join(chunks)
        return self._body_cache


ResponseBody = Union[bytes, Iterable[bytes]]


class PiecesBody:
    """A response body already in memory as many small pieces, sent in chunks of about `chunk` bytes.

    Why not one bytes object: joining a 14 MB GetRecords page into one buffer, and then the
    transport copying what the socket does not take at once into its own buffer, made two more
    copies of every page, in memory the kernel had to fault in and zero first. Sent in ~1 MiB
    chunks as the socket drains, those chunks reuse the same memory. `in_memory` tells the gateway
    that iterating never blocks, so it runs on the event loop rather than a worker thread.
    """

    in_memory = True

    def __init__(self, pieces: list, chunk: int = 1 << 20):
        self._pieces = pieces
        self._chunk = chunk
        self.length = sum(map(len, pieces))

    def __iter__(self) -> Iterator[bytes]:
        group: list = []
        size = 0
        for piece in self._pieces:
            group.append(piece)
            size += len(piece)
            if size >= self._chunk:
                yield b"".join(group)
                group, size = [], 0
        if group:
            yield b"".join(group)

    def to_bytes(self) -> bytes:
        return b"".join(self._pieces)


@dataclass
class HttpResponse:
    status: int = 200
    headers: Headers = field(default_factory=Headers)
    body: ResponseBody = b""

    def body_bytes(self) -> bytes:
        """Materialize the body (tests and small responses only)."""
        if isinstance(self.body, (bytes, bytearray)):
            return bytes(self.body)
        if isinstance(self.body, PiecesBody):
            return self.body.to_bytes()
        data = b"".join(self.body)
        close = getattr(self.body, "close", None)
        if close:
            close()
        return data
