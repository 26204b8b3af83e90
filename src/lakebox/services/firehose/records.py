"""PutRecord and PutRecordBatch: records are acknowledged once they are durable in the buffer."""

from __future__ import annotations

import base64
import os

from ...protocol.context import RequestContext
from . import destination as dest
from .model import KINESIS_SOURCE, DeliveryStream

MAX_RECORD_BYTES = 1_000 * 1024
MAX_BATCH_BYTES = 4 * 1024 * 1024


def record_id(offset: int) -> str:
    """An opaque id, unique per record, in the shape of AWS's (a long base64 string)."""
    return base64.b64encode(os.urandom(40) + offset.to_bytes(8, "big")).decode()


class RecordsMixin:
    def _writable(self, ctx: RequestContext, params: dict) -> DeliveryStream:
        stream = self.stream_from(ctx, params)
        if stream.type == KINESIS_SOURCE:
            raise dest.invalid("This operation is not permitted on KinesisStreamAsSource delivery stream type.")
        return stream

    def _append(self, stream: DeliveryStream, datas: list[bytes]) -> list[int]:
        placed = self.store.buffer(stream).append([(b"", data) for data in datas], self.now_ms())
        return [offset for offset, _ in placed]

    def _encrypted(self, stream: DeliveryStream) -> bool:
        return bool(stream.encryption and stream.encryption.get("Status") == "ENABLED")

    def put_record(self, ctx: RequestContext, params: dict) -> dict:
        stream = self._writable(ctx, params)
        data = params["Record"]["Data"]
        if len(data) > MAX_RECORD_BYTES:
            raise dest.invalid(f"Record size {len(data)} exceeds the maximum of {MAX_RECORD_BYTES} bytes.")
        offset, = self._append(stream, [data])
        return {"RecordId": record_id(offset), "Encrypted": self._encrypted(stream)}

    def put_record_batch(self, ctx: RequestContext, params: dict) -> dict:
        stream = self._writable(ctx, params)
        datas = [record["Data"] for record in params["Records"]]
        for data in datas:
            if len(data) > MAX_RECORD_BYTES:
                raise dest.invalid(f"Record size {len(data)} exceeds the maximum of {MAX_RECORD_BYTES} bytes.")
        if sum(len(d) for d in datas) > MAX_BATCH_BYTES:
            raise dest.invalid("Records size exceeds 4 MiB limit")
        offsets = self._append(stream, datas)
        return {"FailedPutCount": 0, "Encrypted": self._encrypted(stream),
                "RequestResponses": [{"RecordId": record_id(o)} for o in offsets]}
