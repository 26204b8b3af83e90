"""Fixes for gaps in AWS's published service models, applied to the raw model JSON at load time.

Each patch says what is missing from the model and why lakebox needs it. Keep them all in this file.
"""

from __future__ import annotations

from typing import Callable

PatchFn = Callable[[dict], None]

_PATCHES: dict[str, list[PatchFn]] = {}


def patch(service: str) -> Callable[[PatchFn], PatchFn]:
    def register(fn: PatchFn) -> PatchFn:
        _PATCHES.setdefault(service, []).append(fn)
        return fn

    return register


def has_patches(service: str) -> bool:
    return bool(_PATCHES.get(service))


def apply(service: str, raw: dict) -> None:
    for fn in _PATCHES.get(service, ()):
        fn(raw)
