"""Kinesis requests: the json parser, plus the CBOR form the Java SDK and the KCL send.

A request with `Content-Type: application/x-amz-cbor-1.1` carries the same structure as the json
form, encoded as CBOR: blobs are byte strings and timestamps are tag 1 over epoch milliseconds
(`_epoch_datetime`), which reach the parser as bytes and aware datetimes. Both are accepted as they come; everything else
(operation look-up from X-Amz-Target, type checks, unknown members) is the json parser's.

PutRecords carries up to 500 records, and the generic walk (a method dispatch per member of each)
is most of the cost of reading one. Well-typed records are read here in one loop; anything else
goes through the generic walk, so a bad request still gets exactly the generic error.
"""

from __future__ import annotations

import binascii
import datetime as dt
from typing import Any

import cbor2
import orjson
from botocore.model import OperationModel, Shape

from ..http import HttpRequest
from .json import JSONRequestParser, canonical_tail, serialization_error

CBOR_CONTENT_TYPE = "application/x-amz-cbor-1.1"


def is_cbor(request: HttpRequest) -> bool:
    return (request.headers.get("Content-Type") or "").split(";")[0].strip().lower() == CBOR_CONTENT_TYPE


#: Epoch values above this are milliseconds: as seconds they would lie after the year 5000.
_MILLIS_FROM = 100_000_000_000


def _epoch_datetime(value: Any, immutable: bool = False) -> dt.datetime:
    """Tag 1 (epoch time) as AWS's Kinesis CBOR carries it: whole milliseconds, as the Java SDK and
    the KCL send them; a value small enough to be seconds (as generic CBOR encoders write it) is
    read as seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("error decoding epoch-form datetime")
    seconds = value / 1000 if abs(value) >= _MILLIS_FROM else value
    try:
        return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError(f"error decoding epoch-form datetime: {exc}") from exc


class KinesisRequestParser(JSONRequestParser):
    def parse(self, request: HttpRequest, operation: OperationModel, uri_params: dict[str, Any]) -> dict:
        if not is_cbor(request):
            if operation.name == "PutRecords":
                fast = _put_records_fast(request.body_bytes())
                if fast is not None:
                    return fast
            return super().parse(request, operation, uri_params)
        raw = request.body_bytes()
        try:
            body = cbor2.loads(raw, semantic_decoders={1: _epoch_datetime}) if raw else {}
        except (cbor2.CBORDecodeError, ValueError, TypeError) as exc:
            raise serialization_error(f"Unable to parse the request body as CBOR: {exc}") from exc
        shape = operation.input_shape
        if shape is None:
            return {}
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise self._mismatch(body, shape)
        return self._parse_shape(body, shape)

    def _parse_blob(self, value: Any, shape: Shape) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return super()._parse_blob(value, shape)

    def _parse_timestamp(self, value: Any, shape: Shape):
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return super()._parse_timestamp(value, shape)


_PUT_RECORDS_MEMBERS = frozenset({"StreamName", "StreamARN", "StreamId"})
_ENTRY_MEMBERS = frozenset({"Data", "PartitionKey", "ExplicitHashKey"})


def _put_records_fast(raw: bytes) -> Any:
    """PutRecords' input when every member has the expected JSON type, else None (the generic walk
    then reads it, and reports whatever is wrong exactly as for any operation)."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("Records"), list):
        return None
    parsed: dict[str, Any] = {}
    for name, value in body.items():
        if name == "Records" or value is None:
            continue
        if name not in _PUT_RECORDS_MEMBERS or not isinstance(value, str):
            return None
        parsed[name] = value
    records = []
    decode = binascii.a2b_base64
    for entry in body["Records"]:
        if type(entry) is not dict or not _ENTRY_MEMBERS.issuperset(entry):
            return None
        data, key = entry.get("Data"), entry.get("PartitionKey")
        if type(data) is not str or type(key) is not str:
            return None
        try:
            blob = decode(data, strict_mode=True)
        except (binascii.Error, ValueError, TypeError):  # unpadded, junk, or Python 3.10
            return None  # the generic walk answers it in the front end's words
        if data[-1:] == "=" and not canonical_tail(data):
            return None
        record = {"Data": blob, "PartitionKey": key}
        explicit = entry.get("ExplicitHashKey")
        if explicit is not None:
            if type(explicit) is not str:
                return None
            record["ExplicitHashKey"] = explicit
        records.append(record)
    parsed["Records"] = records
    return parsed
