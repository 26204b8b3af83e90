"""Kinesis's data model in lakebox: streams, shards, consumers, and the numbers AWS defines.

Hash keys: a partition key's MD5, read as a big-endian 128-bit integer, picks the open shard whose
HashKeyRange holds it. Shard i of N covers [i*floor(2**128/N), (i+1)*floor(2**128/N) - 1], the last
one ending at 2**128 - 1 (AWS's split; "12345" lands on shard 2 of 5).

Sequence numbers follow AWS's own layout (what its numbers decode to, and what clients that inspect
them expect): 47 hex digits, written as one decimal number of 56 digits,

    2 | shard creation, epoch s (9) | shard's last hex digit (1) | index (16) | 00 | arrival, epoch s (9) | shard (8) | 2

Ours take the stream's creation time for every shard, and the index is the record's offset in its
shard plus one. So numbers increase per shard, differ between a stream and a namesake re-created
in a later second, and lead straight back to the record. A shard's StartingSequenceNumber (index 0,
stamped with the creation time) is below every record of the shard and parses to offset -1, so
AFTER_SEQUENCE_NUMBER of it (what consumers do with a SubscribeToShard ContinuationSequenceNumber
on a shard that was still empty) reads from the first record. A closed shard's
EndingSequenceNumber has the largest index, stamped with the closing time, as on AWS.
`decode_sequence_number` reads AWS's older layouts too (versions 0 and 1), because the errors AWS
gives for a number depend on which one it is.

ARNs carry the partition of the region (`aws-cn` in cn-north-1, `aws-us-gov` in us-gov-*), as AWS's do.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from typing import Optional

from ...regions import partition_of

HASH_SPACE = 1 << 128
MAX_HASH_KEY = HASH_SPACE - 1


def uniform_ranges(count: int, start: int = 0, end: int = MAX_HASH_KEY) -> list[tuple[int, int]]:
    """`count` adjacent ranges splitting [start, end] as AWS does for a new stream."""
    width = (end - start + 1) // count
    ranges = [(start + i * width, start + (i + 1) * width - 1) for i in range(count)]
    ranges[-1] = (ranges[-1][0], end)
    return ranges


def hash_key_of(partition_key: str) -> int:
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


#: A record's number is `base + offset * SEQUENCE_INDEX_STEP + arrival seconds * SEQUENCE_SECOND_STEP`,
#: with `base = shard_sequence_base(...)` (which holds index 1): a linear layout, so that a page of
#: records is numbered without decoding anything.
SEQUENCE_INDEX_STEP = 1 << 80
SEQUENCE_SECOND_STEP = 1 << 36
MAX_SEQUENCE_INDEX = (1 << 63) - 1
#: AWS refuses creation times from here on (its numbers leave them room, its checks do not).
_MAX_CREATION_SECONDS = 16_025_175_000


def _shard_fields(epoch: int, shard_number: int) -> int:
    """The digits a shard's numbers share: version 2 (first and last digit), creation time and shard."""
    return (2 << 184) | (epoch << 148) | ((shard_number & 0xF) << 144) | ((shard_number & 0xFFFFFFFF) << 4) | 2


def shard_sequence_base(epoch: int, shard_number: int) -> int:
    """The number of the shard's offset 0 with arrival second 0 (see SEQUENCE_INDEX_STEP)."""
    return _shard_fields(epoch, shard_number) + SEQUENCE_INDEX_STEP


def sequence_number(epoch: int, shard_number: int, offset: int, arrival_ms: int) -> str:
    """The number of the record at `offset` of the shard, which arrived at `arrival_ms`."""
    return str(shard_sequence_base(epoch, shard_number) + offset * SEQUENCE_INDEX_STEP
               + (arrival_ms // 1000) * SEQUENCE_SECOND_STEP)


def starting_sequence_number(epoch: int, shard_number: int) -> str:
    """The number before every record of the shard (its SequenceNumberRange.StartingSequenceNumber)."""
    return str(_shard_fields(epoch, shard_number) + epoch * SEQUENCE_SECOND_STEP)


def ending_sequence_number(epoch: int, shard_number: int, closed_ms: int) -> str:
    """A closed shard's EndingSequenceNumber: above every number the shard ever gave."""
    return str(_shard_fields(epoch, shard_number) + MAX_SEQUENCE_INDEX * SEQUENCE_INDEX_STEP
               + (closed_ms // 1000) * SEQUENCE_SECOND_STEP)


@dataclass(frozen=True)
class SequenceFields:
    """What a sequence number encodes, in any of AWS's three layouts."""
    version: int
    created_s: int
    shard: int
    index: int = 0
    arrival_s: int = 0


_V0_BELOW = 1 << 124
_V0_END = 1 << 129
_V12_START = 1 << 185
_V12_END = 3 << 184


def decode_sequence_number(text: str) -> Optional[SequenceFields]:
    """The fields of a sequence number, or None where AWS finds it malformed (an unknown layout,
    an index with its top bit set, a creation time too far ahead). Numbers below 2**124 read as
    the oldest layout, as on AWS: `5` encodes shard 5."""
    if not (text.isascii() and text.isdigit()) or len(text) > 60:
        return None
    value = int(text)
    if value < _V0_BELOW:
        value += _V0_BELOW
    digits = f"{value:x}"
    if value < _V0_END:
        version = 0
    elif _V12_START < value < _V12_END and digits[-1] in "12":
        version = int(digits[-1])
    else:
        return None
    created = int(digits[1:10], 16)
    if version == 0:
        if created >= _MAX_CREATION_SECONDS:
            return None
        return SequenceFields(0, created, int(digits[28:32], 16))
    shard = int(digits[38:46], 16)
    shard = shard - (1 << 32) if shard >= 1 << 31 else shard  # a signed 32-bit number
    if version == 1:
        return SequenceFields(1, created, shard, int(digits[36:38], 16), int(digits[13:22], 16))
    index = int(digits[11:27], 16)
    if index > MAX_SEQUENCE_INDEX or created >= _MAX_CREATION_SECONDS:
        return None
    return SequenceFields(2, created, shard, index, int(digits[29:38], 16))


def parse_sequence_number(text: str) -> Optional[tuple[int, int, int]]:
    """(epoch, shard number, offset) of a number in our layout (version 2), or None; a shard's
    starting number has offset -1 (it comes before the record at offset 0)."""
    fields = decode_sequence_number(text)
    if fields is None or fields.version != 2:
        return None
    return fields.created_s, fields.shard, fields.index - 1


def shard_id(number: int) -> str:
    return f"shardId-{number:012d}"


MAX_SHARD_NUMBER = 2**31 - 1


def shard_number(shard_id_text: str) -> Optional[int]:
    """The number in `shardId-000000000003`. Like AWS, only the digits after the last '-' count
    (`shardId-5`, `5` and `x-5` all name shard 5), up to Java's largest int."""
    text = shard_id_text.rsplit("-", 1)[-1]
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_SHARD_NUMBER:
        return None
    return int(text)


@dataclass
class Shard:
    number: int
    hash_start: int
    hash_end: int
    created_ms: int
    parent: Optional[int] = None
    adjacent_parent: Optional[int] = None
    closed_ms: Optional[int] = None
    #: How many records the shard holds once closed (its log is sealed at that count).
    end_offset: Optional[int] = None

    @property
    def id(self) -> str:
        return shard_id(self.number)

    @property
    def is_open(self) -> bool:
        return self.closed_ms is None

    def holds(self, hash_key: int) -> bool:
        return self.hash_start <= hash_key <= self.hash_end


@dataclass
class Consumer:
    name: str
    arn: str
    created_ms: int
    status: str = "ACTIVE"


@dataclass
class Stream:
    id: int
    account: str
    region: str
    name: str
    created_ms: int
    mode: str = "PROVISIONED"
    status: str = "ACTIVE"
    retention_hours: int = 24
    encryption_type: str = "NONE"
    key_id: Optional[str] = None
    shard_metrics: list[str] = field(default_factory=list)
    max_record_kib: int = 1024
    shards: list[Shard] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    consumers: dict[str, Consumer] = field(default_factory=dict)
    policy: Optional[str] = None
    #: The warm throughput (MiB/s) asked of an on-demand stream; None until one is set.
    warm_mibps: Optional[int] = None

    @property
    def epoch(self) -> int:
        """The creation time (epoch seconds) that every one of the stream's sequence numbers carries."""
        return self.created_ms // 1000

    @property
    def arn(self) -> str:
        return f"arn:{partition_of(self.region)}:kinesis:{self.region}:{self.account}:stream/{self.name}"

    @property
    def stream_id(self) -> str:
        return f"{self.id:08d}-{self.created_ms:013d}"

    @property
    def open_shards(self) -> list[Shard]:
        return [s for s in self.shards if s.is_open]

    def shard(self, number: int) -> Optional[Shard]:
        for s in self.shards:
            if s.number == number:
                return s
        return None

    def route(self, hash_key: int) -> Shard:
        """The open shard whose range holds `hash_key` (the open shards always cover the hash space)."""
        starts, shards = self.routing_table()
        return shards[bisect.bisect_right(starts, hash_key) - 1]

    def routing_table(self) -> tuple[list[int], list[Shard]]:
        """Open shards sorted by starting hash key, cached: a stream object is never changed once
        published (the store changes a copy and calls `forget_routing` on it)."""
        table = self.__dict__.get("_routing")
        if table is None:
            ordered = sorted(self.open_shards, key=lambda s: s.hash_start)
            table = self.__dict__["_routing"] = ([s.hash_start for s in ordered], ordered)
        return table

    def forget_routing(self) -> None:
        self.__dict__.pop("_routing", None)

    def next_shard_number(self) -> int:
        return max((s.number for s in self.shards), default=-1) + 1

    def seq(self, shard: Shard, offset: int, arrival_ms: int) -> str:
        return sequence_number(self.epoch, shard.number, offset, arrival_ms)

    def starting_seq(self, shard: Shard) -> str:
        return starting_sequence_number(self.epoch, shard.number)

    def ending_seq(self, shard: Shard) -> str:
        return ending_sequence_number(self.epoch, shard.number, shard.closed_ms or self.created_ms)

    def seq_base(self, shard: Shard) -> int:
        """The shard's numbers are `seq_base + offset * SEQUENCE_INDEX_STEP + arrival s * SEQUENCE_SECOND_STEP`."""
        return shard_sequence_base(self.epoch, shard.number)
