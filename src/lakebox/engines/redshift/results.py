"""What a statement answers: its columns (Postgres type names) and rows, and its command tag.

Shared by the engine, the Postgres wire server and the Data API, which each render it their way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Column:
    name: str
    type_name: str


@dataclass
class Result:
    columns: list[Column]
    rows: list[tuple]
    command: str
    rowcount: int
