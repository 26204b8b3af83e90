"""The cluster and step state machines, as pure functions over the stored documents.

Callers load a cluster and its steps inside one store transaction, apply one of these, and save
what changed; nothing here touches the store, a thread or a process. That keeps every rule of EMR's
documented behaviour in one place:

- a cluster is STARTING only until RunJobFlow returns (there is no EC2 to boot; bootstrap actions are
  recorded, not run), then RUNNING while it has steps to run and WAITING when idle if
  KeepJobFlowAliveWhenNoSteps is true; otherwise it terminates after its last step (TERMINATED,
  ALL_STEPS_COMPLETED);
- a failed step's ActionOnFailure: TERMINATE_CLUSTER / TERMINATE_JOB_FLOW end the cluster
  (TERMINATED_WITH_ERRORS, STEP_FAILURE) and cancel the steps behind it; CANCEL_AND_WAIT cancels them
  and the cluster waits; CONTINUE goes on. A termination-protected cluster is not terminated by a
  step: it cancels and waits instead. With StepConcurrencyLevel above 1 neither cancelling nor
  terminating happens (AWS documents the same for a level raised while a step runs);
- a cluster created with no steps and without KeepJobFlowAliveWhenNoSteps waits STARTUP_GRACE
  seconds (service clock) for steps before it ends: on AWS such a cluster takes minutes to boot, and
  steps added meanwhile (AddJobFlowSteps right after RunJobFlow) run before it terminates;
- a cluster with an auto-termination policy (policies.py) terminates once it has had no step pending
  or running for IdleTimeout seconds (service clock), counted from the latest of its becoming ready,
  the policy being attached, and any step being added or ending. The API has no reason code for it:
  the cluster ends TERMINATED with ALL_STEPS_COMPLETED and a message naming the idle timeout;
- a cluster with a running driver cannot end at once: it is TERMINATING until its worker has
  stopped the driver, then it takes the state kept in `EndState`.
"""

from __future__ import annotations

from typing import Optional

from .common import CLUSTER_ENDING, CLUSTER_TERMINAL

RUNNING_MESSAGE = "Running step"
WAITING_MESSAGE = "Cluster ready to run steps."
TERMINATE_ACTIONS = ("TERMINATE_CLUSTER", "TERMINATE_JOB_FLOW")
RESTART_REASON = "lakebox restarted"
#: Seconds a cluster made without steps (and without keep-alive) waits for its first step.
STARTUP_GRACE = 60.0


def reason(code: Optional[str], message: str) -> dict:
    return {"Code": code, "Message": message} if code else {"Message": message}


def _in_flight(steps: list[dict]) -> list[dict]:
    return [s for s in steps if s["State"] in ("RUNNING", "CANCEL_PENDING")]


def cancel_pending(steps: list[dict], now: float) -> None:
    for step in steps:
        if step["State"] == "PENDING":
            step["State"], step["Ended"] = "CANCELLED", now


def end_cluster(cluster: dict, steps: list[dict], state: str, code: str, message: str, now: float) -> None:
    """Terminate now, or go TERMINATING until the worker has stopped the drivers still running."""
    cluster["Reason"] = reason(code, message)
    cluster["EndState"] = state
    if _in_flight(steps):
        cluster["State"] = "TERMINATING"
    else:
        cluster["State"], cluster["Ended"] = state, now


def terminate(cluster: dict, steps: list[dict], now: float) -> None:
    """TerminateJobFlows: the pending steps are cancelled and the cluster ends (USER_REQUEST)."""
    if cluster["State"] in CLUSTER_ENDING:
        return
    cancel_pending(steps, now)
    end_cluster(cluster, steps, "TERMINATED", "USER_REQUEST", "Terminated by user request", now)


def finish_step(cluster: dict, steps: list[dict], step: dict, state: str, now: float,
                failure: Optional[dict] = None) -> None:
    """Record how a step ended (COMPLETED, FAILED or CANCELLED) and apply its ActionOnFailure."""
    step["State"], step["Ended"] = state, now
    if failure:
        step["FailureDetails"] = failure
    if state == "FAILED" and cluster["State"] not in CLUSTER_ENDING:
        _on_failure(cluster, steps, step, now)
    settle(cluster, steps, now)


def _on_failure(cluster: dict, steps: list[dict], step: dict, now: float) -> None:
    action = step.get("ActionOnFailure") or "CONTINUE"
    if action == "CONTINUE" or cluster.get("StepConcurrencyLevel", 1) > 1:
        return
    cancel_pending(steps, now)
    if action in TERMINATE_ACTIONS and not cluster.get("TerminationProtected"):
        end_cluster(cluster, steps, "TERMINATED_WITH_ERRORS", "STEP_FAILURE", "Shut down as step failed", now)


def settle(cluster: dict, steps: list[dict], now: float) -> None:
    """The cluster's state once its steps have changed."""
    state = cluster["State"]
    if state in CLUSTER_TERMINAL:
        return
    if state == "TERMINATING":
        if not _in_flight(steps):
            cluster["State"], cluster["Ended"] = cluster.get("EndState") or "TERMINATED", now
        return
    if cluster.get("Ready") is None:
        cluster["Ready"] = now
    if any(s["State"] in ("PENDING", "RUNNING", "CANCEL_PENDING") for s in steps):
        if state != "RUNNING":
            cluster["State"], cluster["Reason"] = "RUNNING", reason(None, RUNNING_MESSAGE)
    elif _idle_too_long(cluster, steps, now):
        timeout = cluster["AutoTerminationPolicy"]["IdleTimeout"]
        end_cluster(cluster, steps, "TERMINATED", "ALL_STEPS_COMPLETED",
                    f"Auto-termination policy: the cluster was idle for {timeout:g} seconds", now)
    elif cluster.get("KeepAlive") or grace_ends(cluster, steps, now) is not None:
        if state != "WAITING":
            cluster["State"], cluster["Reason"] = "WAITING", reason(None, WAITING_MESSAGE)
    else:
        failed = any(s["State"] == "FAILED" for s in steps)
        end_cluster(cluster, steps, "TERMINATED", "ALL_STEPS_COMPLETED",
                    "Steps completed with errors" if failed else "Steps completed", now)


def grace_ends(cluster: dict, steps: list[dict], now: float) -> Optional[float]:
    """When a step-less, auto-terminating cluster stops waiting for its first step (None: not waiting)."""
    if steps or cluster.get("KeepAlive"):
        return None
    ends = cluster["Created"] + STARTUP_GRACE
    return ends if now < ends else None


def _idle_too_long(cluster: dict, steps: list[dict], now: float) -> bool:
    ends = idle_ends(cluster, steps)
    return ends is not None and ends <= now


def idle_ends(cluster: dict, steps: list[dict]) -> Optional[float]:
    """When an idle cluster's auto-termination policy ends it (None: no policy, or a step is active)."""
    policy = cluster.get("AutoTerminationPolicy")
    if not policy or any(s["State"] in ("PENDING", "RUNNING", "CANCEL_PENDING") for s in steps):
        return None
    marks = [cluster.get("Ready") or cluster["Created"], policy["Attached"]]
    marks += [s[key] for s in steps for key in ("Created", "Ended") if s.get(key) is not None]
    return max(marks) + policy["IdleTimeout"]


def next_change(cluster: dict, steps: list[dict], now: float) -> Optional[float]:
    """When an idle cluster must be settled again without any event: its grace or its idle time ends."""
    times = [t for t in (grace_ends(cluster, steps, now), idle_ends(cluster, steps)) if t is not None]
    return min(times) if times else None


def recover(cluster: dict, steps: list[dict], now: float, log_files: Optional[dict] = None) -> None:
    """After a restart: the drivers that were running are gone. Their steps end (FAILED, or CANCELLED
    when a cancel or a termination was already under way) and the cluster's rules apply as if they
    had failed just now, so the steps still pending run next. `log_files`: step id -> its stderr.gz URI."""
    for step in _in_flight(steps):
        if step["State"] == "CANCEL_PENDING" or cluster["State"] == "TERMINATING":
            step["State"], step["Ended"] = "CANCELLED", now
            continue
        failure = {"Reason": RESTART_REASON,
                   "Message": "The step was running when lakebox stopped; its driver did not survive the restart."}
        if (log_files or {}).get(step["Id"]):
            failure["LogFile"] = log_files[step["Id"]]
        finish_step(cluster, steps, step, "FAILED", now, failure)
    settle(cluster, steps, now)
