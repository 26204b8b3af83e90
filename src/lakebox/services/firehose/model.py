"""A delivery stream as lakebox keeps it: one JSON-able record, rewritten whole on every change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

DIRECT_PUT = "DirectPut"
KINESIS_SOURCE = "KinesisStreamAsSource"
DESTINATION_ID = "destinationId-000000000001"


@dataclass
class DeliveryStream:
    id: int
    account: str
    region: str
    name: str
    type: str
    created_ms: int
    updated_ms: Optional[int] = None
    status: str = "ACTIVE"
    version: int = 1
    #: The destination as ExtendedS3DestinationDescription shows it (defaults filled in).
    destination: dict = field(default_factory=dict)
    #: KinesisStreamSourceDescription for a KinesisStreamAsSource stream.
    source: Optional[dict] = None
    #: DirectPutSourceDescription (ThroughputHintInMBs) of a DirectPut stream created with one.
    direct_put: Optional[dict] = None
    tags: list = field(default_factory=list)
    #: DeliveryStreamEncryptionConfiguration, once StartDeliveryStreamEncryption was called.
    encryption: Optional[dict] = None
    #: IcebergDestinationDescription for a stream that writes Iceberg tables; `destination` then
    #: holds its S3Configuration (where failed records, and with AllData every record, go).
    iceberg: Optional[dict] = None
    #: RedshiftDestinationDescription (with the password) for a stream that loads a Redshift table;
    #: `destination` then holds its S3Configuration, where records are staged for COPY.
    redshift: Optional[dict] = None
    #: HttpEndpointDestinationDescription (with the access key) for a stream that POSTs to a URL;
    #: `destination` then holds its S3Configuration, for failed records and AllData backups.
    http: Optional[dict] = None

    @property
    def arn(self) -> str:
        return f"arn:aws:firehose:{self.region}:{self.account}:deliverystream/{self.name}"

    @property
    def buffering(self) -> tuple[int, int]:
        """(bytes, milliseconds) after which the buffer is delivered."""
        hints = (self.iceberg or self.http or self.destination).get("BufferingHints") or {}
        return int(hints.get("SizeInMBs", 5)) << 20, int(hints.get("IntervalInSeconds", 300)) * 1000
