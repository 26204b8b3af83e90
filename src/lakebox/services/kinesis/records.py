"""Record operations: PutRecord, PutRecords, GetShardIterator and GetRecords.

A put is acknowledged only once its records are durable: each shard's records of one request are
written with one `write`, then every touched shard's log is fsynced (shared with concurrent writers
by the log's group commit). A put that races a split or merge finds its shard sealed and is routed
again over the new shards, so no record ever lands in a closed shard.
"""

from __future__ import annotations

from typing import Optional

from ...protocol.context import RequestContext
from ...storage.shard_log import ShardSealed
from . import common as c
from .model import MAX_HASH_KEY, Shard, Stream, decode_sequence_number, hash_key_of, shard_id, shard_number
from .page import ShardPage
from .throttle import throughput_exceeded

MAX_PUT_RECORDS_BYTES = 10 << 20
MAX_GET_RECORDS_BYTES = 10 << 20


class RecordsMixin:
    # -- writes -------------------------------------------------------------------------------------

    def _writable_stream(self, ctx: RequestContext, params: dict) -> Stream:
        stream = c.stream_from(self, ctx, params)
        if stream.status not in ("ACTIVE", "UPDATING"):
            raise c.stream_missing(stream.name, ctx.account_id)
        return stream

    @staticmethod
    def _hash_key(entry: dict) -> int:
        explicit = entry.get("ExplicitHashKey")
        if explicit is None:
            return hash_key_of(entry["PartitionKey"])
        if not (explicit.isascii() and explicit.isdigit()) or int(explicit) > MAX_HASH_KEY:
            raise c.invalid(f"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
                            f"Specified value was {explicit}")
        return int(explicit)

    @staticmethod
    def _check_size(stream: Stream, entry: dict) -> int:
        size = len(entry["Data"]) + len(entry["PartitionKey"].encode("utf-8"))
        limit = stream.max_record_kib * 1024
        if size > limit:
            raise c.invalid(f"Record size {size} bytes (partition key plus data) exceeds the maximum record size "
                            f"of {limit} bytes for stream {stream.name}.")
        return size

    def _write(self, ctx: RequestContext, params: dict, entries: list[dict]
               ) -> tuple[Stream, list[Optional[tuple[Shard, int, int]]], dict[int, Shard]]:
        """Route, append and fsync `entries`; their (shard, offset, arrival ms) in request order, None for a record
        the shard's throughput limit refused (those are also returned, index -> shard)."""
        hash_keys = [self._hash_key(e) for e in entries]
        payloads = [(e["PartitionKey"].encode("utf-8"), e["Data"]) for e in entries]
        placed: list[Optional[tuple[Shard, int, int]]] = [None] * len(entries)
        throttled: dict[int, Shard] = {}
        remaining = list(range(len(entries)))
        pending = []
        for _attempt in range(10):
            stream = self._writable_stream(ctx, params)
            by_shard: dict[int, list[int]] = {}
            shards: dict[int, Shard] = {}
            for index in remaining:
                shard = stream.route(hash_keys[index])
                shards[shard.number] = shard
                by_shard.setdefault(shard.number, []).append(index)
            now = c.now_ms(self)
            remaining = []
            for number, indexes in by_shard.items():
                shard = shards[number]
                admitted = self.throttle.admit_writes((stream.id, number),
                                                      [len(payloads[i][0]) + len(payloads[i][1]) for i in indexes])
                if not all(admitted):
                    throttled.update((i, shard) for i, ok in zip(indexes, admitted) if not ok)
                    indexes = [i for i, ok in zip(indexes, admitted) if ok]
                    if not indexes:
                        continue
                log = self.store.log(stream, shard)
                try:
                    offsets = log.append_unsynced([payloads[i] for i in indexes], now)
                except ShardSealed:
                    remaining.extend(indexes)  # split or merged meanwhile: route again over the children
                    continue
                for i, (offset, arrival) in zip(indexes, offsets):
                    placed[i] = (shard, offset, arrival)
                pending.append((log, offsets[-1][0] + 1))
            if not remaining:
                self.store.wait_durable(pending)
                return stream, placed, throttled
            remaining.sort()  # keep the request's order within each shard
        raise c.AwsError("InternalFailureException", "The stream kept resharding under the put; try again.", 500,
                         sender_fault=False)

    def put_record(self, ctx: RequestContext, params: dict) -> dict:
        stream = self._writable_stream(ctx, params)
        self._check_size(stream, params)
        ordering = params.get("SequenceNumberForOrdering")
        if ordering and not self._valid_ordering(ordering):
            raise c.invalid(f"ExclusiveMinimumSequenceNumber {ordering} used in PutRecord "
                            f"on stream {stream.name} under account {ctx.account_id} is invalid.")
        stream, placed, throttled = self._write(ctx, params, [params])
        if throttled:
            raise throughput_exceeded(throttled[0].id, stream.name, ctx.account_id)
        shard, offset, arrival = placed[0]
        return {"ShardId": shard.id, "SequenceNumber": stream.seq(shard, offset, arrival),
                "EncryptionType": stream.encryption_type}

    def put_records(self, ctx: RequestContext, params: dict) -> dict:
        entries = params["Records"]
        stream = self._writable_stream(ctx, params)
        total = sum(self._check_size(stream, e) for e in entries)
        if total > MAX_PUT_RECORDS_BYTES:
            raise c.invalid(f"Records size {total} bytes exceeds the PutRecords limit of {MAX_PUT_RECORDS_BYTES} "
                            "bytes (partition keys included).")
        stream, placed, throttled = self._write(ctx, params, entries)
        results = []
        for index, spot in enumerate(placed):
            if spot is None:
                shard = throttled[index]
                results.append({"ErrorCode": "ProvisionedThroughputExceededException",
                                "ErrorMessage": throughput_exceeded(shard.id, stream.name, ctx.account_id).message})
                continue
            shard, offset, arrival = spot
            results.append({"SequenceNumber": stream.seq(shard, offset, arrival), "ShardId": shard.id})
        return {"FailedRecordCount": len(throttled), "EncryptionType": stream.encryption_type, "Records": results}

    def _valid_ordering(self, ordering: str) -> bool:
        """Whether a SequenceNumberForOrdering is one AWS takes: a number of its current layouts
        (versions 1 and 2) that does not come from the future."""
        fields = decode_sequence_number(ordering)
        return fields is not None and fields.version != 0 and fields.arrival_s * 1000 <= c.now_ms(self)

    # -- reads --------------------------------------------------------------------------------------

    def _trim_horizon(self, stream: Stream, shard: Shard) -> int:
        log = self.store.log(stream, shard)
        cutoff = c.now_ms(self) - stream.retention_hours * 3_600_000
        return max(log.start_offset, log.offset_at_time(cutoff))

    def start_offset(self, ctx: RequestContext, stream: Stream, shard: Shard, kind: str,
                     sequence_number: Optional[str], timestamp) -> int:
        """Where an iterator (or a subscription) of type `kind` starts in the shard's log."""
        log = self.store.log(stream, shard)
        by_sequence = kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")
        if kind in ("TRIM_HORIZON", "LATEST") and sequence_number is not None or by_sequence and not sequence_number:
            raise c.invalid("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                            "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
                            f"Request specified {kind} and {'no' if by_sequence else 'also a'} StartingSequenceNumber.")
        if by_sequence:
            fields = decode_sequence_number(sequence_number)
            where = (f"StartingSequenceNumber {sequence_number} used in GetShardIterator on shard {shard.id} in "
                     f"stream {stream.name} under account {ctx.account_id} is invalid")
            if fields is None:
                raise c.invalid(f"{where}.")
            if fields.shard != shard.number:
                raise c.invalid(f"Invalid StartingSequenceNumber. It encodes {shard_id(fields.shard)}, while "
                                f"it was used in a call to a shard with {shard.id}")
            if fields.version != 2 or fields.created_s != stream.epoch:
                if fields.version == 0:  # as AWS answers numbers of its oldest layout
                    raise c.AwsError("InternalFailure", status=500, sender_fault=False, bare=True)
                raise c.invalid(f"{where} because it did not come from this stream.")
            # A shard's StartingSequenceNumber (index 0) is offset -1: at it or after it is the first record.
            offset = fields.index - 1 + (1 if kind == "AFTER_SEQUENCE_NUMBER" else 0)
            if not shard.is_open:  # a closed shard's EndingSequenceNumber comes after its last record
                offset = min(offset, shard.end_offset or 0)
            return max(offset, 0)
        if kind == "TRIM_HORIZON":
            self.store.trim([stream], c.now_ms(self))
            return self._trim_horizon(stream, shard)
        if kind == "LATEST":
            return log.end_offset
        if kind == "AT_TIMESTAMP":
            if timestamp is None:
                raise c.invalid("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                                "Current request has no timestamp parameter.")
            at_ms, now = c.ms_of(timestamp), c.now_ms(self)
            if at_ms > now:
                raise c.invalid("The timestampInMillis parameter cannot be greater than the "
                                f"currentTimestampInMillis. timestampInMillis: {at_ms}, currentTimestampInMillis: {now}")
            return log.offset_at_time(at_ms)
        raise c.invalid(f"ShardIteratorType {kind} is not valid.")

    def get_shard_iterator(self, ctx: RequestContext, params: dict) -> dict:
        # AWS finds the shard by (stream, shard) at once: a missing stream reads as a missing shard.
        name = c.stream_name_from(ctx, params)
        c.check_shard_id_form(params["ShardId"], name, ctx.account_id)
        stream = self.store.find(ctx.account_id, ctx.region, name)
        if stream is None:
            raise c.shard_missing(shard_number(params["ShardId"]), name, ctx.account_id)
        shard = c.shard_from(stream, params["ShardId"])
        offset = self.start_offset(ctx, stream, shard, params["ShardIteratorType"],
                                   params.get("StartingSequenceNumber"), params.get("Timestamp"))
        return {"ShardIterator": c.encode_iterator(stream, shard, offset, c.now_ms(self))}

    def sequence_before(self, stream: Stream, shard: Shard, offset: int) -> str:
        """The number of the record before `offset` (a point to resume AFTER_SEQUENCE_NUMBER of),
        or the shard's starting number at offset 0. A record already trimmed by retention keeps its
        offset; its arrival second (which the number carries) is then the stream's creation."""
        if offset <= 0:
            return stream.starting_seq(shard)
        arrival = self.store.log(stream, shard).arrival_of(offset - 1)
        return stream.seq(shard, offset - 1, stream.created_ms if arrival is None else arrival)

    def records_page(self, stream: Stream, shard: Shard, offset: int, limit: int) -> tuple[ShardPage, int, int]:
        """(the records, the next offset, MillisBehindLatest) from `offset`."""
        log = self.store.log(stream, shard)
        start = max(offset, self._trim_horizon(stream, shard))
        page = ShardPage(log.read_page(start, limit, MAX_GET_RECORDS_BYTES), stream.seq_base(shard),
                         stream.encryption_type)
        next_offset = page.records.next_offset
        behind = log.arrival_of(next_offset) if next_offset < log.end_offset else None
        millis_behind = max(c.now_ms(self) - behind, 0) if behind is not None else 0
        return page, next_offset, millis_behind

    def get_records(self, ctx: RequestContext, params: dict) -> dict:
        stream_id, name, number, offset, issued = c.decode_iterator(params["ShardIterator"])
        now = c.now_ms(self)
        stream = self.store.find(ctx.account_id, ctx.region, name)
        if stream is None or stream.id != stream_id:
            # The iterator's shard went with its stream (a namesake created since has other shards).
            raise c.shard_missing(number, name, ctx.account_id)
        shard = c.shard_from(stream, f"shardId-{number:012d}")
        if now - issued > c.ITERATOR_LIFETIME_MS:
            raise c.expired_iterator(issued, now)
        if not self.throttle.admit_read((stream.id, shard.number)):
            raise throughput_exceeded(shard.id, stream.name, ctx.account_id)
        page, next_offset, millis_behind = self.records_page(stream, shard, offset, params.get("Limit", 10_000))
        self.throttle.charge_read((stream.id, shard.number), page.byte_size)
        # The page goes to the serializer as read: it renders the records to json in one pass.
        out: dict = {"Records": page, "MillisBehindLatest": millis_behind}
        if not shard.is_open and next_offset >= (shard.end_offset or 0):
            out["ChildShards"] = self.child_shards(stream, shard)
        else:
            out["NextShardIterator"] = c.encode_iterator(stream, shard, next_offset, now)
        return out

    @staticmethod
    def child_shards(stream: Stream, shard: Shard) -> list[dict]:
        # Children are the shards opened when this one closed over an overlapping hash range (an
        # UpdateShardCount child can cover more than its two recorded parents).
        children = [s for s in stream.shards if shard.number in (s.parent, s.adjacent_parent)
                    or (s.created_ms == shard.closed_ms and s.hash_start <= shard.hash_end
                        and s.hash_end >= shard.hash_start and s.number > shard.number)]
        return [{"ShardId": s.id,
                 "ParentShards": [Shard(p, 0, 0, 0).id for p in (s.parent, s.adjacent_parent) if p is not None],
                 "HashKeyRange": {"StartingHashKey": str(s.hash_start), "EndingHashKey": str(s.hash_end)}}
                for s in children]
