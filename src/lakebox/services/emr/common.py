"""What every EMR area shares: ids and ARNs, the service's two error kinds, cluster lookups and Marker paging.

EMR answers bad requests in two ways, and clients tell them apart. The newer operations (DescribeCluster,
ListSteps, DescribeStep, CancelSteps, AddTags ...) raise `InvalidRequestException`, whose modeled body
carries an `ErrorCode` beside the `Message`; an unknown cluster there reads "Cluster id 'j-...' is not
valid.". The older job-flow operations (RunJobFlow, AddJobFlowSteps, TerminateJobFlows,
SetTerminationProtection ...) model only InternalServerError and answer bad input with the front end's
`ValidationException` ("Specified job flow ID does not exist.").

The ErrorCode values are lakebox's own: AWS documents the member but not its values.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import string
from typing import Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError

#: List operations return at most this many items per page, with a Marker for the next (as EMR does).
PAGE_SIZE = 50

_ID_ALPHABET = string.ascii_uppercase + string.digits

CLUSTER_TERMINAL = ("TERMINATED", "TERMINATED_WITH_ERRORS")
#: States in which a cluster accepts no new steps and no changes.
CLUSTER_ENDING = ("TERMINATING", *CLUSTER_TERMINAL)
STEP_ACTIVE = ("PENDING", "RUNNING", "CANCEL_PENDING")
STEP_DONE = ("COMPLETED", "CANCELLED", "FAILED", "INTERRUPTED")
#: AWS's limit on a cluster's PENDING, RUNNING and CANCEL_PENDING steps.
MAX_ACTIVE_STEPS = 256


def new_id(prefix: str) -> str:
    """`j-`, `s-`, `ig-` or `ci-` and 13 upper-case letters and digits, the form of EMR's ids."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(13))


def cluster_arn(region: str, account: str, cluster_id: str) -> str:
    return f"arn:aws:elasticmapreduce:{region}:{account}:cluster/{cluster_id}"


# -- errors ----------------------------------------------------------------------------------------------

def invalid_request(message: str, error_code: Optional[str] = None) -> AwsError:
    fields = {"ErrorCode": error_code} if error_code else {}
    return AwsError("InvalidRequestException", message, 400, fields=fields)


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


def cluster_not_valid(cluster_id: str) -> AwsError:
    return invalid_request(f"Cluster id '{cluster_id}' is not valid.", "INVALID_CLUSTER_ID")


def job_flow_not_found() -> AwsError:
    return validation("Specified job flow ID does not exist.")


def job_flow_ended() -> AwsError:
    return validation("A job flow that is shutting down, terminated, or finished may not be modified.")


# -- lookups ---------------------------------------------------------------------------------------------

def owned(cluster: Optional[dict], ctx: RequestContext) -> Optional[dict]:
    """The cluster if it belongs to the caller's account and region (ids are looked up globally)."""
    if cluster is not None and (cluster["Account"], cluster["Region"]) == (ctx.account_id, ctx.region):
        return cluster
    return None


def require_cluster(store, ctx: RequestContext, cluster_id: str, missing=None) -> dict:
    """The caller's cluster, or the operation's error for an unknown id (InvalidRequestException by
    default; the job-flow operations pass their ValidationException)."""
    found = owned(store.cluster(cluster_id), ctx)
    if found is None:
        raise (missing() if missing else cluster_not_valid(cluster_id))
    return found


# -- paging ----------------------------------------------------------------------------------------------

def page(items: list, marker: Optional[str], size: int = PAGE_SIZE) -> tuple[list, Optional[str]]:
    """One page of `items` (already in the order the operation returns them) and the next Marker.

    The Marker holds the id of the last item returned, so a page stays right when items are added
    at the front (new clusters, new steps) between calls. Items are dicts with an `Id`.
    """
    start = 0
    if marker:
        after = _read_marker(marker)
        ids = [item["Id"] for item in items]
        if after not in ids:
            # The item was the last of its kind and went away: nothing after it can be placed.
            return [], None
        start = ids.index(after) + 1
    chunk = items[start:start + size]
    more = start + size < len(items)
    return chunk, (_make_marker(chunk[-1]["Id"]) if more and chunk else None)


def _make_marker(last_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode("utf-8")).decode("ascii")


def _read_marker(marker: str) -> str:
    try:
        value = json.loads(base64.urlsafe_b64decode(marker.encode("ascii")))
        return str(value["after"])
    except (binascii.Error, ValueError, UnicodeError, KeyError, TypeError):
        raise invalid_request("Marker is not valid.", "INVALID_MARKER") from None
