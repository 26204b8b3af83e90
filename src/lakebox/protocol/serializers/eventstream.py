"""AWS's binary event-stream framing (`application/vnd.amazon.eventstream`), for streamed answers.

One message is: total length (u32), headers length (u32), CRC32 of those 8 bytes (u32), headers,
payload, CRC32 of everything before it (u32), all big-endian. A header is its name's length (u8),
the name, a value type (7 = string), the value's length (u16) and the value. botocore's
`EventStreamBuffer` reads exactly this.
"""

from __future__ import annotations

import struct
import zlib

_PRELUDE = struct.Struct(">II")
_STRING = 7


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode("utf-8"), value.encode("utf-8")
    return bytes([len(raw_name)]) + raw_name + bytes([_STRING]) + struct.pack(">H", len(raw_value)) + raw_value


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    raw_headers = b"".join(_header(name, value) for name, value in headers.items())
    prelude = _PRELUDE.pack(16 + len(raw_headers) + len(payload), len(raw_headers))
    head = prelude + struct.pack(">I", zlib.crc32(prelude))
    message = head + raw_headers + payload
    return message + struct.pack(">I", zlib.crc32(message))


def event_message(event_type: str, payload: bytes, content_type: str = "application/json") -> bytes:
    return encode_message({":message-type": "event", ":event-type": event_type, ":content-type": content_type},
                          payload)


def exception_message(code: str, payload: bytes, content_type: str = "application/json") -> bytes:
    return encode_message({":message-type": "exception", ":exception-type": code, ":content-type": content_type},
                          payload)
