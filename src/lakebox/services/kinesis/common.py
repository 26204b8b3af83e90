"""What the Kinesis operation modules share: AWS's errors, stream look-up by name or ARN, iterators.

Every operation that names a stream by `StreamName` also accepts `StreamARN` (and both, if they
agree), so all of them find their stream through `stream_from`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
from typing import Any, Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .model import Shard, Stream, shard_id, shard_number

ITERATOR_LIFETIME_MS = 300_000
STREAM_ARN = re.compile(r"arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream/([a-zA-Z0-9_.-]+)")
CONSUMER_ARN = re.compile(r"(arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream/[a-zA-Z0-9_.-]+)/consumer/"
                          r"([a-zA-Z0-9_.-]+):(\d+)")


def invalid(message: str) -> AwsError:
    return AwsError("InvalidArgumentException", message, 400)


def not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message, 400)


def in_use(message: str) -> AwsError:
    return AwsError("ResourceInUseException", message, 400)


def limit_exceeded(message: str) -> AwsError:
    return AwsError("LimitExceededException", message, 400)


def stream_missing(name: str, account: str) -> AwsError:
    return not_found(f"Stream {name} under account {account} not found.")


def now_ms(provider) -> int:
    return provider.config.clock.now_ns() // 1_000_000


def stream_name_from(ctx: RequestContext, params: dict) -> str:
    """The stream named by `StreamName`, `StreamARN` or both (which must then agree)."""
    name, arn = params.get("StreamName"), params.get("StreamARN")
    if arn:
        match = STREAM_ARN.fullmatch(arn)
        if match is None:
            raise invalid(f"StreamARN {arn} is invalid.")
        region, account, arn_name = match.groups()
        if name and name != arn_name:
            raise invalid(f"StreamName {name} does not match the stream in StreamARN {arn}.")
        if (region, account) != (ctx.region, ctx.account_id):
            raise stream_missing(arn_name, account)
        return arn_name
    if not name:
        raise invalid("Either StreamName or StreamARN must be provided.")
    return name


def stream_from(provider, ctx: RequestContext, params: dict, *, active: bool = False) -> Stream:
    name = stream_name_from(ctx, params)
    stream = provider.store.find(ctx.account_id, ctx.region, name)
    if stream is None:
        raise stream_missing(name, ctx.account_id)
    if active and stream.status != "ACTIVE":
        raise in_use(f"Stream {name} under account {ctx.account_id} not ACTIVE, instead in state {stream.status}")
    return stream


def stream_from_arn(provider, ctx: RequestContext, arn: str) -> Stream:
    return stream_from(provider, ctx, {"StreamARN": arn})


def shard_from(stream: Stream, shard_id_text: str, *, resharding: bool = False) -> Shard:
    """The shard a ShardId names, or AWS's ResourceNotFoundException: "Could not find shard ..." for
    an id that names no shard number (and, in SplitShard and MergeShards, for any missing shard),
    "Shard ... does not exist" for a well-formed id that is not in the stream."""
    number = shard_number(shard_id_text)
    shard = stream.shard(number) if number is not None else None
    if shard is None:
        if number is None or resharding:
            shown = shard_id_text if number is None else shard_id(number)
            raise not_found(f"Could not find shard {shown} in stream {stream.name} under account {stream.account}.")
        raise shard_missing(number, stream.name, stream.account)
    return shard


def shard_missing(number: int, stream_name: str, account: str) -> AwsError:
    return not_found(f"Shard {shard_id(number)} in stream {stream_name} under account {account} does not exist")


def check_shard_id_form(shard_id_text: str, stream_name: str, account: str) -> None:
    """AWS reads a ShardId before it looks the stream up: one that names no shard number is "Could
    not find shard ..." even in a stream that does not exist."""
    if shard_number(shard_id_text) is None:
        raise not_found(f"Could not find shard {shard_id_text} in stream {stream_name} under account {account}.")


def validation(message: str) -> AwsError:
    """A model-level violation the generic validation leaves to the service, or an operation the
    stream's capacity mode does not support. (Regex patterns are checked in input_checks.py.)"""
    return AwsError("ValidationException", message, 400)


def timestamp(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)


def ms_of(value: dt.datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return int(value.timestamp() * 1000)


# -- shard iterators --------------------------------------------------------------------------------

#: AWS's iterators are base64 of an 8-byte version (1) and a payload in 16-byte blocks, 152 bytes at
#: the least; ours have the same outer form, so tools that check it accept them.
_ITERATOR_VERSION = (1).to_bytes(8, "big")
_ITERATOR_MIN_BYTES, _ITERATOR_BLOCK = 152, 16


def encode_iterator(stream: Stream, shard: Shard, offset: int, issued_ms: int) -> str:
    # A random tag makes every iterator handed out differ, as AWS's do, even two for one position
    # in the same millisecond.
    payload = json.dumps([stream.id, stream.name, shard.number, offset, issued_ms, os.urandom(6).hex()],
                         separators=(",", ":")).encode()
    size = max(_ITERATOR_MIN_BYTES, len(_ITERATOR_VERSION) + len(payload))
    size += -(size - _ITERATOR_MIN_BYTES) % _ITERATOR_BLOCK
    # JSON ignores the trailing blanks that fill the last block.
    return base64.b64encode((_ITERATOR_VERSION + payload).ljust(size)).decode()


def decode_iterator(token: str) -> tuple[int, str, int, int, int]:
    """(stream row id, stream name, shard number, offset, issued ms) of an iterator we handed out.

    AWS also takes the iterator wrapped in double quotes (as a shell or a json round trip may leave
    it), so one pair of surrounding quotes is dropped first."""
    if len(token) >= 2 and token[0] == token[-1] == '"':
        token = token[1:-1]
    try:
        raw = base64.b64decode(token, validate=True)
        if not raw.startswith(_ITERATOR_VERSION):
            raise ValueError(token)
        value: Any = json.loads(raw[len(_ITERATOR_VERSION):])
        if not isinstance(value, list) or len(value) not in (5, 6):  # 5: before the random tag
            raise ValueError(token)
        stream_id, name, number, offset, issued = value[:5]
        if not all(isinstance(v, int) for v in (stream_id, number, offset, issued)) or not isinstance(name, str):
            raise ValueError(token)
    except (ValueError, TypeError):
        raise invalid("Invalid ShardIterator.") from None
    return stream_id, name, number, offset, issued


def _java_time(ms: int) -> str:
    return timestamp(ms).strftime("%a %b %d %H:%M:%S UTC %Y")


def expired_iterator(issued_ms: int, now: int) -> AwsError:
    return AwsError("ExpiredIteratorException",
                    f"Iterator expired. The iterator was created at time {_java_time(issued_ms)} while right now it "
                    f"is {_java_time(now)} which is further in the future than the tolerated delay of "
                    f"{ITERATOR_LIFETIME_MS} milliseconds.", 400)


# -- paging -----------------------------------------------------------------------------------------

def encode_token(kind: str, key: Any, issued_ms: int) -> str:
    raw = json.dumps([kind, key, issued_ms], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_token(token: Optional[str], kind: str, key_type: type) -> tuple[Any, int]:
    """(key, issued ms) of a NextToken of `kind` whose key is a `key_type`; InvalidArgument otherwise."""
    try:
        got_kind, key, issued = json.loads(base64.urlsafe_b64decode(token or ""))
    except (ValueError, TypeError):
        raise invalid(f"NextToken {token} is invalid.") from None
    if got_kind != kind or not isinstance(key, key_type) or not isinstance(issued, int):
        raise invalid(f"NextToken {token} is invalid.")
    return key, issued
