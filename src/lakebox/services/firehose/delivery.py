"""Delivery: turns buffered records into S3 objects when the buffer's size or interval is reached.

Once a second of wall time, and at once when the service clock jumps (`lakebox clock advance 5m`
delivers a 300-second buffer), each active stream is checked: its pending records (from the DirectPut
buffer, or from every shard of its Kinesis source) are delivered when they reach the SizeInMBs of the
BufferingHints, or when the oldest has waited IntervalInSeconds on the service clock. A delivery:
1. reads up to SizeInMBs of records, oldest first;
2. runs the processors (de-aggregation, dynamic partitioning, delimiters) and the format conversion;
3. writes one object per partition (compressed, named `<prefix><stream>-<version>-<time>-<uuid>`)
   and the failed records under the ErrorOutputPrefix, through the lake (temp file, fsync, rename);
4. then commits how far each source was delivered, and drops the delivered part of the buffer.
A bucket that is missing keeps the records buffered, and the next pass tries again (AWS retries
delivery for up to 24 hours); the log says so once per stream, until a delivery succeeds again.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Any, Optional

from ...storage.api import ObjectMeta
from ...storage.errors import NoSuchBucketError, StorageError
from ..periodic import ClockedWorker
from . import compression, conversion, http_destination, iceberg_destination, prefixes, redshift_destination
from . import destination as dest
from .error_logging import log_delivery_error
from .model import KINESIS_SOURCE, DeliveryStream
from .partitioning import Failure, Item, error_line, process

log = logging.getLogger("lakebox.firehose")


class RetryLater(Exception):
    """The destination refused this delivery for now: the records stay buffered for the next pass."""


@dataclass
class HttpRetry:
    """A batch an HTTP endpoint has not accepted yet: every attempt carries the same request id."""

    request_id: str
    first_failure_ms: int
    attempts: int


class Source:
    """One log a stream delivers from, and the next offset to deliver."""

    def __init__(self, name: str, log_, next_offset: int):
        self.name, self.log, self.next_offset = name, log_, max(next_offset, log_.start_offset)

    @property
    def pending(self) -> int:
        return self.log.bytes_from(self.next_offset)

    @property
    def oldest_arrival(self) -> Optional[int]:
        return self.log.arrival_of(self.next_offset) if self.next_offset < self.log.end_offset else None


class Deliverer(ClockedWorker):
    def __init__(self, provider: Any):
        super().__init__("firehose-delivery", 1.0, log)
        self.provider = provider
        self._lock = threading.Lock()  # one pass at a time: the timer's and a clock jump's
        self._warned: set[int] = set()
        self._http_retries: dict[int, HttpRetry] = {}  # by stream id; a restart starts a batch afresh

    @property
    def store(self):
        return self.provider.store

    def run_once(self) -> int:
        """Deliver what is due in every stream; returns how many objects were written."""
        written = 0
        with self._lock:
            for stream in self.store.all_streams():
                if stream.status == "ACTIVE":
                    try:
                        written += self.deliver_due(stream)
                    except StorageError as exc:
                        log_delivery_error(self.provider.logs, stream, self.provider.now_ms(),
                                           *_storage_error(exc, stream))
                        if stream.id not in self._warned:
                            self._warned.add(stream.id)
                            log.warning("firehose %s: delivery to %s failed, records stay buffered: %s",
                                        stream.name, stream.destination.get("BucketARN"), exc)
                    except Exception:  # noqa: BLE001 - one stream's failure must not stop the others
                        if stream.id not in self._warned:
                            self._warned.add(stream.id)
                            log.exception("firehose %s: delivery failed, records stay buffered", stream.name)
        return written

    def sources(self, stream: DeliveryStream) -> list[Source]:
        progress = self.store.progress(stream)
        if stream.type != KINESIS_SOURCE:
            return [Source("buffer", self.store.buffer(stream), progress.get("buffer", 0))]
        kinesis = self.provider.kinesis
        arn = (stream.source or {}).get("KinesisStreamARN", "")
        name = arn.rsplit("/", 1)[-1]
        region, account = arn.split(":")[3:5]
        kstream = kinesis.store.find(account, region, name) if kinesis is not None else None
        if kstream is None:
            return []
        return [Source(f"shard-{shard.number}", kinesis.store.log(kstream, shard), progress.get(f"shard-{shard.number}", 0))
                for shard in kstream.shards]

    def deliver_due(self, stream: DeliveryStream) -> int:
        limit, interval = stream.buffering
        now = self.provider.now_ms()
        written = 0
        while self.store.is_live(stream):
            sources = self.sources(stream)
            pending = sum(s.pending for s in sources)
            arrivals = [a for a in (s.oldest_arrival for s in sources) if a is not None]
            if not arrivals or (pending < limit and now - min(arrivals) < interval):
                return written
            try:
                delivered = self._deliver(stream, sources, limit, now)
            except RetryLater:
                return written
            if delivered is None:
                return written
            written += delivered
        return written

    def _deliver(self, stream: DeliveryStream, sources: list[Source], limit: int, now: int) -> Optional[int]:
        """Deliver up to `limit` bytes of records; the objects written, or None if nothing was read."""
        records: list[tuple[bytes, int]] = []
        ends: dict[str, int] = {}
        budget = limit
        for source in sources:
            if budget <= 0:
                break
            page = source.log.read(source.next_offset, 1_000_000, max_bytes=max(budget, 1))
            if page:
                records += [(r.data, r.arrival_ms) for r in page]
                ends[source.name] = page[-1].offset + 1
                budget -= sum(len(r.data) for r in page)
        if not records:
            return None
        records.sort(key=lambda r: r[1])
        written = self._write(stream, records, now)
        if not self.store.is_live(stream):
            return None  # deleted meanwhile: its progress and buffer went with it
        for source in sources:
            if source.name in ends:
                self.store.advance(stream, source.name, ends[source.name])
                if source.name == "buffer":
                    source.log.drop_below(ends[source.name])
        self._warned.discard(stream.id)
        if stream.http is not None:
            log.info("firehose %s: delivered %d record(s) to %s (%d object(s) written to S3)", stream.name,
                     len(records), stream.http["EndpointConfiguration"]["Url"], written)
        else:
            log.info("firehose %s: delivered %d record(s) in %d object(s) to %s", stream.name, len(records), written,
                     stream.destination.get("BucketARN"))
        return written

    def _write(self, stream: DeliveryStream, records: list[tuple[bytes, int]], now: int) -> int:
        description = stream.destination
        bucket = dest.bucket_of(description)
        tz = prefixes.zone(description.get("CustomTimeZone"))
        if stream.iceberg is not None:
            return self._write_iceberg(stream, records, bucket, tz, now)
        if stream.redshift is not None:
            return self._write_redshift(stream, records, bucket, tz, now)
        if stream.http is not None:
            return self._write_http(stream, records, bucket, tz, now)
        items, failures = process(description, records)
        groups: dict[str, list[Item]] = {}
        for item in items:
            groups.setdefault(json.dumps(item.keys, sort_keys=True), []).append(item)
        written = 0
        config = dest.conversion(description)
        columns = None
        if config is not None and items:
            try:
                columns = conversion.table_columns(self.provider.catalog, stream.account, stream.region, config)
            except conversion.ConversionError as exc:
                failures += [Failure(i.data, i.arrival_ms, "DataFormatConversion.InvalidSchema", str(exc)) for i in items]
                groups = {}
        conversion_failures: list[Failure] = []
        for group in groups.values():
            oldest = min(i.arrival_ms for i in group)
            if config is not None:
                body, bad = conversion.convert(group, columns or [], config)
                conversion_failures += bad
                if body is None:
                    continue
                extension, content_type = conversion.extension(config), "application/octet-stream"
            else:
                fmt = description.get("CompressionFormat", "UNCOMPRESSED")
                body = b"".join(i.data for i in group)
                extension = compression.EXTENSIONS.get(fmt, "")
                content_type = compression.CONTENT_TYPES.get(fmt, "application/octet-stream")
                name = prefixes.object_suffix(stream.name, stream.version, oldest, tz, "")
                body = compression.compress(body, fmt, name)
            if description.get("FileExtension"):
                extension = description["FileExtension"]
            key = prefixes.evaluate(description.get("Prefix"), oldest, tz, partition_keys=group[0].keys) + \
                prefixes.object_suffix(stream.name, stream.version, oldest, tz, extension)
            self.provider.lake.put_object(bucket, key, body, ObjectMeta(content_type=content_type))
            written += 1
        written += self._write_backup(stream, records, tz)
        written += self._write_errors(stream, bucket, tz, failures, "processing-failed", now)
        written += self._write_errors(stream, bucket, tz, conversion_failures, "format-conversion-failed", now)
        return written

    def _write_iceberg(self, stream: DeliveryStream, records: list[tuple[bytes, int]], bucket: str, tz,
                       now: int) -> int:
        """An Iceberg stream's delivery: commits to its tables, failed records to its S3 bucket."""
        from ...engines.sql.iceberg_io import catalog_for

        config = stream.iceberg
        items, failures = process(config, records, extract=True)
        catalog = catalog_for(self.provider.catalog, self.provider.lake, stream.account, stream.region)
        commits, failed, error_prefixes = iceberg_destination.deliver(catalog, config, items)
        written = commits
        if config.get("S3BackupMode") == "AllData":
            written += self._write_raw(stream, bucket, stream.destination.get("Prefix"), records, tz)
        written += self._write_errors(stream, bucket, tz, failures, "processing-failed", now)
        by_prefix: dict[Optional[str], list[Failure]] = {}
        for failure in failed:
            by_prefix.setdefault(error_prefixes.get(id(failure)), []).append(failure)
        for prefix, group in by_prefix.items():
            written += self._write_errors(stream, bucket, tz, group, "iceberg-failed", now, prefix=prefix)
        return written

    def _write_redshift(self, stream: DeliveryStream, records: list[tuple[bytes, int]], bucket: str, tz,
                        now: int) -> int:
        """A Redshift stream's delivery: the records staged in S3, then COPY into the cluster's table."""
        config = stream.redshift
        items, failures = process(config, records)
        written = self._write_errors(stream, bucket, tz, failures, "processing-failed", now)
        if not items:
            return written
        fmt = stream.destination.get("CompressionFormat", "UNCOMPRESSED")
        oldest = items[0].arrival_ms
        name = prefixes.object_suffix(stream.name, stream.version, oldest, tz, compression.EXTENSIONS.get(fmt, ""))
        key = prefixes.evaluate(stream.destination.get("Prefix"), oldest, tz) + name
        body = compression.compress(b"".join(i.data for i in items), fmt, name)
        self.provider.lake.put_object(bucket, key, body, ObjectMeta(
            content_type=compression.CONTENT_TYPES.get(fmt, "application/octet-stream")))
        error = redshift_destination.load(self.provider.redshift, stream.account, config, bucket, key, fmt)
        if error is not None:
            log_delivery_error(self.provider.logs, stream, now, "Redshift.CopyFailed", error)
            log.warning("firehose %s: COPY of s3://%s/%s failed: %s", stream.name, bucket, key, error)
            written += self._write_errors(stream, bucket, tz, [Failure(
                f"s3://{bucket}/{key}".encode(), oldest, "Redshift.CopyFailed", error)], "redshift-failed", now)
        return written + 1

    def _write_http(self, stream: DeliveryStream, records: list[tuple[bytes, int]], bucket: str, tz,
                    now: int) -> int:
        """An HTTP endpoint stream's delivery: one POST of the processed records. A refused POST is
        retried (RetryLater) until RetryOptions.DurationInSeconds have passed since its first failure;
        then its records go to the error output as `http-endpoint-failed`."""
        config = stream.http
        items, failures = process(config, records)
        refused: list[Failure] = []
        attempts = 1
        if items:
            retry = self._http_retries.get(stream.id)
            request_id = retry.request_id if retry is not None else http_destination.new_request_id()
            attempts = (retry.attempts if retry is not None else 0) + 1
            attempt = http_destination.post(config, request_id, stream.arn, now, [i.data for i in items])
            if attempt.code is None:
                self._http_retries.pop(stream.id, None)
            else:
                log_delivery_error(self.provider.logs, stream, now, attempt.code, attempt.message,
                                   options=config.get("CloudWatchLoggingOptions"),
                                   destination=config["EndpointConfiguration"]["Url"])
                first = retry.first_failure_ms if retry is not None else now
                if now - first < int(config["RetryOptions"].get("DurationInSeconds", 300)) * 1000:
                    self._http_retries[stream.id] = HttpRetry(request_id, first, attempts)
                    if retry is None:
                        log.warning("firehose %s: %s refused delivery (%s), retrying: %s", stream.name,
                                    config["EndpointConfiguration"]["Url"], attempt.code, attempt.message)
                    raise RetryLater()
                self._http_retries.pop(stream.id, None)
                refused = [Failure(i.data, i.arrival_ms, attempt.code, attempt.message) for i in items]
        written = 0
        if config.get("S3BackupMode") == "AllData":
            written += self._write_copy(stream, stream.destination, records, tz)
        written += self._write_errors(stream, bucket, tz, failures, "processing-failed", now)
        written += self._write_errors(stream, bucket, tz, refused, "http-endpoint-failed", now, attempts=attempts)
        return written

    def _write_raw(self, stream: DeliveryStream, bucket: str, prefix: Optional[str],
                   records: list[tuple[bytes, int]], tz) -> int:
        oldest = records[0][1]
        key = prefixes.evaluate(prefix, oldest, tz) + prefixes.object_suffix(stream.name, stream.version, oldest, tz, "")
        self.provider.lake.put_object(bucket, key, b"".join(data for data, _ in records),
                                      ObjectMeta(content_type="application/octet-stream"))
        return 1

    def _write_backup(self, stream: DeliveryStream, records: list[tuple[bytes, int]], tz) -> int:
        """Source record backup: the records as they arrived, in the backup bucket."""
        config = dest.backup(stream.destination)
        if config is None:
            return 0
        return self._write_copy(stream, config, records, tz)

    def _write_copy(self, stream: DeliveryStream, config: dict, records: list[tuple[bytes, int]], tz) -> int:
        """The records as they arrived, in one object of the bucket, prefix and compression of `config`."""
        if not records:
            return 0
        oldest = records[0][1]
        fmt = config.get("CompressionFormat", "UNCOMPRESSED")
        name = prefixes.object_suffix(stream.name, stream.version, oldest, tz, compression.EXTENSIONS.get(fmt, ""))
        body = compression.compress(b"".join(data for data, _ in records), fmt, name)
        key = prefixes.evaluate(config.get("Prefix"), oldest, tz) + name
        self.provider.lake.put_object(dest.bucket_of(config), key, body,
                                      ObjectMeta(content_type=compression.CONTENT_TYPES.get(fmt, "application/octet-stream")))
        return 1

    def _write_errors(self, stream: DeliveryStream, bucket: str, tz, failures: list[Failure], kind: str,
                      now: int, prefix: Optional[str] = None, attempts: int = 1) -> int:
        if not failures:
            return 0
        log_delivery_error(self.provider.logs, stream, now, failures[0].code,
                           f"{len(failures)} record(s) failed and were written to the error output: "
                           f"{failures[0].message}")
        oldest = min(f.arrival_ms for f in failures)
        body = b"".join(error_line(f, now, {"attemptsMade": attempts} if attempts != 1 else None) for f in failures)
        key = prefixes.evaluate(prefix or stream.destination.get("ErrorOutputPrefix"), oldest, tz, error_type=kind) + \
            prefixes.object_suffix(stream.name, stream.version, oldest, tz, "")
        self.provider.lake.put_object(bucket, key, body, ObjectMeta(content_type="application/octet-stream"))
        log.info("firehose %s: %d record(s) failed (%s), written to s3://%s/%s", stream.name, len(failures), kind,
                 bucket, key)
        return 1


def _storage_error(exc: StorageError, stream: DeliveryStream) -> tuple[str, str]:
    """The errorCode and message Firehose logs for a delivery the lake refused."""
    if isinstance(exc, NoSuchBucketError):
        return "S3.NoSuchBucket", "The specified bucket does not exist."
    return "S3.InternalError", f"Delivery to {stream.destination.get('BucketARN')} failed: {exc}"
