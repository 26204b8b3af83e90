"""Per-shard throughput limits, off by default, for testing a producer's or consumer's retries.

With `LAKEBOX_KINESIS_THROUGHPUT_LIMITS=on` (or `Config(kinesis_throughput_limits=True)`), each shard
takes at most 1,000 records and 1 MiB of writes per second, and serves 5 GetRecords calls and
2 MiB of reads per second. Over the limit, a put or read gets `ProvisionedThroughputExceededException`
(PutRecords fails only the records over the limit, each with that ErrorCode). As on AWS, a
GetRecords call that returns 10 MiB uses up five seconds of the shard's read budget, so reads in the
next 5 seconds are throttled. Rates are measured on the wall clock (they are about real load).
"""

from __future__ import annotations

import threading
import time
from collections import deque

from ...protocol.errors import AwsError

WRITE_RECORDS_PER_S = 1000
WRITE_BYTES_PER_S = 1 << 20
READ_CALLS_PER_S = 5
READ_BYTES_PER_S = 2 << 20


def throughput_exceeded(shard_id: str, stream: str, account: str) -> AwsError:
    return AwsError("ProvisionedThroughputExceededException",
                    f"Rate exceeded for shard {shard_id} in stream {stream} under account {account}.", 400)


class _ShardBudget:
    __slots__ = ("window_start", "records", "bytes", "reads", "read_blocked_until")

    def __init__(self) -> None:
        self.window_start = 0.0
        self.records = 0
        self.bytes = 0
        self.reads: deque[float] = deque()
        self.read_blocked_until = 0.0


class ShardThrottle:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._lock = threading.Lock()
        self._budgets: dict[tuple[int, int], _ShardBudget] = {}

    def _budget(self, key: tuple[int, int]) -> _ShardBudget:
        budget = self._budgets.get(key)
        if budget is None:
            budget = self._budgets[key] = _ShardBudget()
        return budget

    def admit_writes(self, key: tuple[int, int], sizes: list[int]) -> list[bool]:
        """Which of these records (in order) fit in the shard's write budget this second."""
        if not self.enabled:
            return [True] * len(sizes)
        now = time.monotonic()
        with self._lock:
            budget = self._budget(key)
            if now - budget.window_start >= 1.0:
                budget.window_start, budget.records, budget.bytes = now, 0, 0
            admitted = []
            for size in sizes:
                ok = budget.records + 1 <= WRITE_RECORDS_PER_S and budget.bytes + size <= WRITE_BYTES_PER_S
                if ok:
                    budget.records += 1
                    budget.bytes += size
                admitted.append(ok)
            return admitted

    def admit_read(self, key: tuple[int, int]) -> bool:
        if not self.enabled:
            return True
        now = time.monotonic()
        with self._lock:
            budget = self._budget(key)
            while budget.reads and now - budget.reads[0] >= 1.0:
                budget.reads.popleft()
            if now < budget.read_blocked_until or len(budget.reads) >= READ_CALLS_PER_S:
                return False
            budget.reads.append(now)
            return True

    def charge_read(self, key: tuple[int, int], size: int) -> None:
        """Spend `size` bytes of the shard's read budget: reads wait until it has refilled."""
        if not self.enabled or size <= READ_BYTES_PER_S:
            return
        with self._lock:
            budget = self._budget(key)
            budget.read_blocked_until = max(budget.read_blocked_until, time.monotonic()) + size / READ_BYTES_PER_S
