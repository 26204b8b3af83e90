"""The Amazon EMR provider: clusters, steps run on local Spark, their instance groups or fleets, their
managed scaling and auto-termination policies, their logs, the releases, and the account's settings
and security configurations.

State is in `EmrStore` (`<data>/.lakebox/emr/emr.db`); each live cluster's steps run on a worker of
`StepRunner`, which starts their drivers through the Spark engine. The lake (S3's store) provides the
step scripts and receives the step logs. Built lazily: no JVM starts until a step runs.
"""

from __future__ import annotations

from typing import Any

from ...engines.spark import status as spark_status
from ..base import Provider
from .account_settings import AccountSettingsMixin
from .clusters import ClustersMixin
from .fleets import InstanceFleetsMixin
from .groups import InstanceGroupsMixin
from .instances import InstancesMixin
from .job_flows import JobFlowsMixin
from .policies import PoliciesMixin
from .releases import ReleasesMixin
from .step_runner import StepRunner
from .steps import StepsMixin
from .store import EmrStore


class EmrProvider(ClustersMixin, StepsMixin, InstancesMixin, InstanceGroupsMixin, InstanceFleetsMixin,
                  PoliciesMixin, JobFlowsMixin, ReleasesMixin, AccountSettingsMixin, Provider):
    service_name = "emr"

    def __init__(self, config: Any, *, lake):
        super().__init__(config)
        self.lake = lake
        self.store = EmrStore(config.data_dir / ".lakebox" / "emr")
        self.runner = StepRunner(self.store, lake, config, self.now)
        self.runner.start()

    def now(self) -> float:
        """The service clock in epoch seconds, to the millisecond EMR's timestamps carry."""
        return round(self.config.clock.now_ns() / 1e9, 3)

    def state(self) -> dict:
        return {"state": "running", "live_clusters": len(self.store.live_clusters()),
                "running_steps": self.runner.running_drivers(), "spark": spark_status()}

    def close(self) -> None:
        self.runner.close()
        self.store.close()
