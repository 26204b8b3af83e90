"""Kinesis's data model in lakebox: streams, shards, consumers, and the numbers AWS defines.

Hash keys: a partition key's MD5, read as a big-endian 128-bit integer, picks the open shard whose
HashKeyRange holds it. Shard i of N covers [i*floor(2**128/N), (i+1)*floor(2**128/N) - 1], the last
one ending at 2**128 - 1 (AWS's split; "12345" lands on shard 2 of 5).

Sequence numbers are 56-digit decimal strings, as on AWS. Ours pack
`4 | stream epoch (10 digits) | shard number (9 digits) | record offset (36 digits)`, so they increase
per shard, differ between a stream and a re-created namesake, and lead straight back to the record.

A shard's StartingSequenceNumber is not its first record's: on AWS it marks the point before every
record of the shard, so AFTER_SEQUENCE_NUMBER of it (what consumers do with a SubscribeToShard
ContinuationSequenceNumber on a shard that was still empty) reads from the first record. Ours is
`3 | epoch | shard | 0...0`, below every record of the shard, and parses to offset -1.

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
_OFFSET_DIGITS = 10**36
_SHARD_DIGITS = 10**9
_EPOCH_DIGITS = 10**10


def uniform_ranges(count: int, start: int = 0, end: int = MAX_HASH_KEY) -> list[tuple[int, int]]:
    """`count` adjacent ranges splitting [start, end] as AWS does for a new stream."""
    width = (end - start + 1) // count
    ranges = [(start + i * width, start + (i + 1) * width - 1) for i in range(count)]
    ranges[-1] = (ranges[-1][0], end)
    return ranges


def hash_key_of(partition_key: str) -> int:
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def sequence_number(epoch: int, shard_number: int, offset: int) -> str:
    return str(((4 * _EPOCH_DIGITS + epoch) * _SHARD_DIGITS + shard_number) * _OFFSET_DIGITS + offset)


def starting_sequence_number(epoch: int, shard_number: int) -> str:
    """The number before every record of the shard (its SequenceNumberRange.StartingSequenceNumber)."""
    return str(((3 * _EPOCH_DIGITS + epoch) * _SHARD_DIGITS + shard_number) * _OFFSET_DIGITS)


def parse_sequence_number(text: str) -> Optional[tuple[int, int, int]]:
    """(epoch, shard number, offset) of one of our sequence numbers, or None if it is not one; a
    shard's starting number has offset -1 (it comes before the record at offset 0)."""
    if not (text.isascii() and text.isdigit()) or len(text) != 56:
        return None
    value = int(text)
    rest, offset = divmod(value, _OFFSET_DIGITS)
    rest, shard = divmod(rest, _SHARD_DIGITS)
    lead, epoch = divmod(rest, _EPOCH_DIGITS)
    if lead == 3 and offset == 0:
        return epoch, shard, -1
    if lead != 4:
        return None
    return epoch, shard, offset


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
        return (self.created_ms // 1000) % _EPOCH_DIGITS

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

    def seq(self, shard: Shard, offset: int) -> str:
        return sequence_number(self.epoch, shard.number, offset)

    def starting_seq(self, shard: Shard) -> str:
        return starting_sequence_number(self.epoch, shard.number)

    def seq_base(self, shard: Shard) -> int:
        """The sequence number of the shard's offset 0, as an int: `str(base + offset)` is a record's."""
        return int(sequence_number(self.epoch, shard.number, 0))
