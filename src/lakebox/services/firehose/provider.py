"""The Amazon Data Firehose provider: delivery streams from DirectPut or a Kinesis stream to S3.

State is in `FirehoseStore`; delivery runs in `Deliverer`, a worker on the service clock. The lake
(S3's store) receives the objects, the Glue catalog gives conversion its schema, Kinesis is the
source of KinesisStreamAsSource streams, and CloudWatch Logs receives delivery errors when asked.
"""

from __future__ import annotations

from typing import Any

from ..base import Provider
from .delivery import Deliverer
from .records import RecordsMixin
from .store import FirehoseStore
from .streams import StreamsMixin


class FirehoseProvider(StreamsMixin, RecordsMixin, Provider):
    service_name = "firehose"

    def __init__(self, config: Any, *, lake, catalog, kinesis, logs=None):
        super().__init__(config)
        self.lake, self.catalog, self.kinesis, self.logs = lake, catalog, kinesis, logs
        #: The Redshift provider, set by `build_providers`, for the Redshift destination's COPY.
        self.redshift = None
        self.store = FirehoseStore(config.data_dir / ".lakebox" / "firehose")
        self.deliverer = Deliverer(self)
        config.clock.subscribe(self.deliverer.on_clock_jump)
        self.deliverer.start()

    def now_ms(self) -> int:
        return self.config.clock.now_ns() // 1_000_000

    def state(self) -> dict:
        return {"state": "running", "delivery_streams": len(self.store.all_streams())}

    def close(self) -> None:
        self.deliverer.stop()
        self.store.close()
