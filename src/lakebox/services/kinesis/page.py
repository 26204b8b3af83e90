"""`ShardPage`: one shard's records as GetRecords and SubscribeToShard answer them.

A page wraps the shard log's `RecordPage` (the records still as the log stored them) with what turns
an offset into an AWS record: the shard's sequence-number base and steps (model.py: a record's
number is the base plus its offset and its arrival second, each times a step) and the stream's
encryption type. The Kinesis json serializer renders a page straight from those bytes (`entries`,
the `sequence_*` numbers and `encryption_type` are what it reads; see
protocol/serializers/kinesis_records.py); `shaped` gives
the records as the API shapes them, for the paths that need dicts (SubscribeToShard's events).
"""

from __future__ import annotations

from typing import Iterator, Optional

from ...storage.record_page import RecordPage
from . import common as c
from .model import SEQUENCE_INDEX_STEP, SEQUENCE_SECOND_STEP


class ShardPage:
    __slots__ = ("records", "sequence_base", "encryption_type")
    sequence_step = SEQUENCE_INDEX_STEP
    sequence_second_step = SEQUENCE_SECOND_STEP

    def __init__(self, records: RecordPage, sequence_base: int, encryption_type: Optional[str]):
        self.records = records
        self.sequence_base = sequence_base
        #: None when the stream is not encrypted (the member is then left out of each record).
        self.encryption_type = encryption_type if encryption_type not in (None, "NONE") else None

    def __len__(self) -> int:
        return len(self.records)

    @property
    def byte_size(self) -> int:
        """Partition keys plus data: what the page costs against the shard's read limit."""
        return self.records.byte_size

    def sequence_number(self, offset: int, arrival_ms: int) -> str:
        return str(self.sequence_base + offset * SEQUENCE_INDEX_STEP + arrival_ms // 1000 * SEQUENCE_SECOND_STEP)

    def entries(self) -> Iterator[tuple[int, int, bytes, bytes]]:
        """`(offset, arrival ms, partition key as UTF-8, data)` per record."""
        return self.records.entries()

    def shaped(self) -> list[dict]:
        """The records as the API shapes them (what the generic serializer renders)."""
        number = self.sequence_number
        extra = {"EncryptionType": self.encryption_type} if self.encryption_type else {}
        stamps: dict[int, object] = {}  # a batch's records share one arrival time: one datetime each
        return [{"SequenceNumber": number(offset, arrival),
                 "ApproximateArrivalTimestamp": stamps.get(arrival) or stamps.setdefault(arrival, c.timestamp(arrival)),
                 "Data": data, "PartitionKey": key.decode("utf-8"), **extra}
                for offset, arrival, key, data in self.entries()]
