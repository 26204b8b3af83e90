"""On-demand advantage: the account's minimum throughput billing commitment (DescribeAccountSettings,
UpdateAccountSettings) and the warm throughput it unlocks for on-demand streams
(UpdateStreamWarmThroughput, and WarmThroughputMiBps on CreateStream and UpdateStreamMode).

The commitment keeps the rules of AWS's MinimumThroughputBillingCommitmentInput: once ENABLED it runs
for at least 24 hours (EarliestAllowedEndAt); disabling it earlier only schedules its end for that
moment (ENABLED_UNTIL_EARLIEST_ALLOWED_END), and enabling it again before then cancels the schedule.
A scheduled end is settled whenever the commitment is read, on the service clock, so a clock advanced
past EarliestAllowedEndAt finds it DISABLED with EndedAt = EarliestAllowedEndAt, though no request
ran at that moment. It is kept per account and region in the Kinesis store, written through.

Warm throughput is for ON_DEMAND streams of an account whose commitment is in force (the
ValidationException Kinesis gives an operation that the stream's capacity mode or the account does not
support); AWS's default ceiling is 10 GiBps (LimitExceededException above it). lakebox scales at once,
as it creates streams at once, so the stream never lingers in UPDATING: CurrentMiBps is the target as
soon as the call returns, and never less than the open shards' own write capacity (1 MiB/s each, the
4 MiB/s of a new on-demand stream).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Optional

from ...protocol.context import RequestContext
from . import common as c
from .model import Stream
from .throttle import WRITE_BYTES_PER_S

ENABLED, DISABLED, ENDING = "ENABLED", "DISABLED", "ENABLED_UNTIL_EARLIEST_ALLOWED_END"
INPUT_STATUSES = (ENABLED, DISABLED)
MIN_COMMITMENT_MS = 24 * 3_600_000
MAX_WARM_MIBPS = 10 * 1024
#: What one shard takes in, as the throttle (when on) holds it to.
SHARD_WRITE_MIBPS = WRITE_BYTES_PER_S >> 20
_COMMITMENT_KEY = "minimum_throughput_billing_commitment"


@dataclass(frozen=True)
class Commitment:
    """One account's minimum throughput billing commitment; times in service-clock milliseconds."""

    status: str = DISABLED
    started_ms: Optional[int] = None
    earliest_end_ms: Optional[int] = None
    ended_ms: Optional[int] = None

    @property
    def in_force(self) -> bool:
        return self.status != DISABLED

    def settled(self, now_ms: int) -> "Commitment":
        """The commitment at `now_ms`: a scheduled end that has come is an end."""
        if self.status == ENDING and self.earliest_end_ms is not None and now_ms >= self.earliest_end_ms:
            return replace(self, status=DISABLED, ended_ms=self.earliest_end_ms)
        return self

    def enabled(self, now_ms: int) -> "Commitment":
        if self.status == DISABLED:
            return Commitment(ENABLED, started_ms=now_ms, earliest_end_ms=now_ms + MIN_COMMITMENT_MS)
        return replace(self, status=ENABLED)  # already in force; a scheduled end is cancelled

    def disabled(self, now_ms: int) -> "Commitment":
        if self.status == DISABLED:
            return self
        if self.earliest_end_ms is not None and now_ms < self.earliest_end_ms:
            return replace(self, status=ENDING)
        return replace(self, status=DISABLED, ended_ms=now_ms)

    def output(self) -> dict:
        out: dict = {"Status": self.status}
        for key, ms in (("StartedAt", self.started_ms), ("EndedAt", self.ended_ms),
                        ("EarliestAllowedEndAt", self.earliest_end_ms)):
            if ms is not None:
                out[key] = c.timestamp(ms)
        return out


class AccountSettingsMixin:
    # -- the commitment -----------------------------------------------------------------------------

    def commitment(self, ctx: RequestContext) -> Commitment:
        """The account's commitment as of now on the service clock."""
        saved = (self.store.account_settings(ctx.account_id, ctx.region) or {}).get(_COMMITMENT_KEY)
        return (Commitment(**saved) if saved else Commitment()).settled(c.now_ms(self))

    def describe_account_settings(self, ctx: RequestContext, params: dict) -> dict:
        return {"MinimumThroughputBillingCommitment": self.commitment(ctx).output()}

    def update_account_settings(self, ctx: RequestContext, params: dict) -> dict:
        status = params["MinimumThroughputBillingCommitment"]["Status"]
        if status not in INPUT_STATUSES:
            # The model's enum, which the generic validation leaves to each service.
            raise c.validation(f"1 validation error detected: Value '{status}' at "
                               "'minimumThroughputBillingCommitment.status' failed to satisfy constraint: Member "
                               f"must satisfy enum value set: [{', '.join(INPUT_STATUSES)}]")
        now = c.now_ms(self)
        current = self.commitment(ctx)
        changed = current.enabled(now) if status == ENABLED else current.disabled(now)
        settings = self.store.account_settings(ctx.account_id, ctx.region) or {}
        self.store.save_account_settings(ctx.account_id, ctx.region, {**settings, _COMMITMENT_KEY: asdict(changed)})
        return {"MinimumThroughputBillingCommitment": changed.output()}

    # -- warm throughput ----------------------------------------------------------------------------

    def check_warm_throughput(self, ctx: RequestContext, stream_name: str, mode: str, mibps: int) -> None:
        """Raise AWS's error unless a stream named `stream_name` in `mode` may be warmed to `mibps`."""
        if mode != "ON_DEMAND":
            raise c.validation(f"Warm throughput is only supported for data streams in ON_DEMAND capacity mode, and "
                               f"stream {stream_name} under account {ctx.account_id} is in {mode} capacity mode.")
        if not self.commitment(ctx).in_force:
            raise c.validation(f"Warm throughput is only supported for accounts with MinimumThroughputBillingCommitment "
                               f"enabled; it is not enabled for account {ctx.account_id} in {ctx.region}.")
        if mibps > MAX_WARM_MIBPS:
            raise c.limit_exceeded(f"Requested warm throughput of {mibps} MiBps for stream {stream_name} under "
                                   f"account {ctx.account_id} exceeds the limit of {MAX_WARM_MIBPS} MiBps.")

    def warm_throughput(self, ctx: RequestContext, stream: Stream) -> Optional[dict]:
        """WarmThroughput as DescribeStreamSummary reports it: on-demand streams of an account whose
        commitment is in force only (None otherwise)."""
        if stream.mode != "ON_DEMAND" or not self.commitment(ctx).in_force:
            return None
        return self._warm_output(stream)

    @staticmethod
    def _warm_output(stream: Stream) -> dict:
        out = {"CurrentMiBps": max(stream.warm_mibps or 0, len(stream.open_shards) * SHARD_WRITE_MIBPS)}
        if stream.warm_mibps is not None:
            out["TargetMiBps"] = stream.warm_mibps
        return out

    def update_stream_warm_throughput(self, ctx: RequestContext, params: dict) -> dict:
        stream = c.stream_from(self, ctx, params, active=True)
        mibps = params["WarmThroughputMiBps"]
        self.check_warm_throughput(ctx, stream.name, stream.mode, mibps)
        stream = self.store.update(stream, lambda s: setattr(s, "warm_mibps", mibps))
        return {"StreamName": stream.name, "StreamARN": stream.arn, "WarmThroughput": self._warm_output(stream)}
