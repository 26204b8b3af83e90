"""What the logs operation modules share: AWS's errors, ARNs, paging tokens and group lookup.

The store raises plain domain errors; `translated()` turns them into the AWS errors here, once.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from typing import Any, Iterator, Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from . import store as st

GROUP_NAME = re.compile(r"[.\-_/#A-Za-z0-9]+")
#: The model's pattern for logGroupIdentifier (a name or a log group ARN without `:*`).
GROUP_IDENTIFIER = re.compile(r"[\w#+=/:,.@-]*", re.ASCII)


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message, 400)


def not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message, 400)


GROUP_MISSING = "The specified log group does not exist."
STREAM_MISSING = "The specified log stream does not exist."


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Turn the store's domain errors into CloudWatch Logs' errors."""
    try:
        yield
    except st.GroupNotFound:
        raise not_found(GROUP_MISSING) from None
    except st.StreamNotFound:
        raise not_found(STREAM_MISSING) from None
    except st.GroupExists:
        raise AwsError("ResourceAlreadyExistsException", "The specified log group already exists", 400) from None
    except st.TooManyTags as exc:
        raise AwsError("TooManyTagsException", f"A resource can have no more than 50 tags: {exc}", 400,
                       fields={"resourceName": str(exc)}) from None
    except st.StreamExists:
        raise AwsError("ResourceAlreadyExistsException", "The specified log stream already exists", 400) from None
    except st.GroupProtected as exc:
        raise AwsError("ValidationException", f"Log group {exc} has deletion protection enabled and cannot be deleted.",
                       400) from None


def group_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:logs:{region}:{account}:log-group:{name}"


def stream_arn(region: str, account: str, group: str, stream: str) -> str:
    return f"{group_arn(region, account, group)}:log-stream:{stream}"


def parse_group_arn(arn: str) -> tuple[str, str, str]:
    """(region, account, group name) of a log group ARN, with or without the trailing `:*`."""
    parts = arn.split(":", 6)
    if len(parts) != 7 or parts[0] != "arn" or parts[2] != "logs" or parts[5] != "log-group":
        raise invalid(f"Invalid resource ARN: {arn}")
    name = parts[6].removesuffix(":*")
    if ":" in name or not GROUP_NAME.fullmatch(name):
        raise invalid(f"Invalid resource ARN: {arn}")
    return parts[3], parts[4], name


def group_name_from(ctx: RequestContext, params: dict) -> str:
    """The group an operation names by `logGroupName` or `logGroupIdentifier` (a name or an ARN)."""
    name, identifier = params.get("logGroupName"), params.get("logGroupIdentifier")
    if name and identifier:
        # AWS answers this one from its request validation layer, hence ValidationException.
        raise AwsError("ValidationException", "LogGroup name and LogGroup ARN are mutually exclusive parameters.", 400)
    if identifier:
        if not GROUP_IDENTIFIER.fullmatch(identifier):
            # Notably the `arn` member of a described group: its trailing `:*` is not an identifier.
            # AWS leaves the value out of this message (as moto's AWS-verified tests record it).
            raise invalid("1 validation error detected: Value at 'logGroupIdentifier' failed to "
                          "satisfy constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*")
        if identifier.startswith("arn:"):
            region, account, name = parse_group_arn(identifier)
            if (region, account) != (ctx.region, ctx.account_id):
                raise not_found(GROUP_MISSING)
            return name
        return identifier
    if not name:
        raise invalid("Either LogGroupName or LogGroupIdentifier must be specified.")
    return name


# -- paging tokens ----------------------------------------------------------------------------------

def encode_token(kind: str, key: Any) -> str:
    """An opaque nextToken for a Describe*/Filter* page: the sort key of the last item returned."""
    return base64.urlsafe_b64encode(json.dumps([kind, key]).encode()).decode().rstrip("=")


def decode_token(token: Optional[str], kind: str) -> Any:
    if not token:
        return None
    try:
        got_kind, key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError):
        raise invalid("The specified nextToken is invalid.") from None
    if got_kind != kind:
        raise invalid("The specified nextToken is invalid.")
    return key


#: GetLogEvents tokens look like AWS's: `f/<56 digits>/s` and `b/<56 digits>/s`. The digits carry the
#: (timestamp, event id) key that the next page starts past.
_ID_DIGITS = 10**20
_EVENT_TOKEN = re.compile(r"([fb])/(\d{56})/s")


def event_token(direction: str, key: tuple[int, int]) -> str:
    ts, event_id = key
    return f"{direction}/{max(ts, 0) * _ID_DIGITS + max(event_id, 0):056d}/s"


def parse_event_token(token: str) -> tuple[str, tuple[int, int]]:
    match = _EVENT_TOKEN.fullmatch(token)
    if match is None:
        raise invalid("The specified nextToken is invalid.")
    value = int(match.group(2))
    return match.group(1), divmod(value, _ID_DIGITS)
