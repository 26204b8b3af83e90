"""`GlueTransform`: the base of the transform classes, whose `apply` runs the transform once.

Why classes at all: Glue's documented style is `ApplyMapping.apply(frame=..., mappings=...)`, and
`describe()` lists a transform's arguments for tooling. Each subclass's `__call__` does the work by
calling the DynamicFrame method of the same meaning.
"""

from __future__ import annotations

import inspect
from typing import Any


class GlueTransform:
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        return cls()(*args, **kwargs)

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    @classmethod
    def describeArgs(cls) -> list[dict]:
        params = list(inspect.signature(cls.__call__).parameters.values())[1:]
        return [{"name": p.name, "optional": p.default is not inspect.Parameter.empty,
                 "default": None if p.default is inspect.Parameter.empty else repr(p.default)}
                for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]

    @classmethod
    def describeReturn(cls) -> dict:
        return {"type": "DynamicFrame"}

    @classmethod
    def describeTransform(cls) -> str:
        return (cls.__doc__ or "").strip()

    @classmethod
    def describeErrors(cls) -> list:
        return []

    @classmethod
    def describe(cls) -> dict:
        return {"transform": {"name": cls.name(), "description": cls.describeTransform()},
                "args": cls.describeArgs(), "returns": cls.describeReturn(), "raises": cls.describeErrors()}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError(f"{type(self).__name__} does not implement __call__")
