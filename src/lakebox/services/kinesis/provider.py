"""The Kinesis Data Streams provider: the operation modules over one `KinesisStore`.

Every operation of the model is defined by one of the mixins; one a newer model adds answers 501
NotImplemented through the base class.
"""

from __future__ import annotations

import logging
from typing import Any

from ...protocol.context import RequestContext
from ..base import Provider
from .account_settings import AccountSettingsMixin
from .consumers import ConsumersMixin
from .input_checks import check_patterns, combined_validation_error
from .records import RecordsMixin
from .resharding import ReshardingMixin
from .settings import SettingsMixin
from .store import KinesisStore
from .streams import StreamsMixin
from .subscriptions import ActiveSubscriptions, SubscriptionsMixin
from .throttle import ShardThrottle

log = logging.getLogger("lakebox.kinesis")


class KinesisProvider(StreamsMixin, RecordsMixin, ReshardingMixin, SettingsMixin, AccountSettingsMixin, ConsumersMixin,
                      SubscriptionsMixin, Provider):
    service_name = "kinesis"

    def __init__(self, config: Any):
        super().__init__(config)
        self.store = KinesisStore(config.data_dir / ".lakebox" / "kinesis")
        self.subscriptions = ActiveSubscriptions()
        self.throttle = ShardThrottle(bool(getattr(config, "kinesis_throughput_limits", False)))
        config.clock.subscribe(self._trim_after_clock_jump)
        self._trim_after_clock_jump(None)

    def dispatch(self, ctx: RequestContext, params: dict) -> dict:
        check_patterns(ctx, params)
        return super().dispatch(ctx, params)

    def check_target(self, ctx: RequestContext, _uri_params: dict) -> None:
        """Called by the gateway when the input breaks the model: the patterns join that error."""
        error = combined_validation_error(ctx)
        if error is not None:
            raise error

    def _trim_after_clock_jump(self, _now) -> None:
        """Retention is measured on the service clock: a jump may expire whole segments at once."""
        dropped = self.store.trim(self.store.all_streams(), self.config.clock.now_ns() // 1_000_000)
        if dropped:
            log.info("kinesis retention dropped %d segment(s)", dropped)

    def state(self) -> dict:
        return {"state": "running", "streams": len(self.store.all_streams())}

    def close(self) -> None:
        self.store.close()
