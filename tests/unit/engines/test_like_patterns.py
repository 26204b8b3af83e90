"""SQL LIKE patterns as regular expressions (engines/like_patterns.py), with and without an escape."""

from __future__ import annotations

import re

import pytest

from lakebox.engines.like_patterns import like_regex


@pytest.mark.parametrize("pattern, escape, matching, other", [
    ("t_n", None, ["t_n", "t%n", "txn"], ["tn", "t__n"]),
    ("t%", None, ["t", "t.*?", "t\nx"], ["x"]),
    ("a.b", None, ["a.b"], ["axb"]),                      # regular-expression characters are plain
    ("t\\_n", "\\", ["t_n"], ["txn", "t\\_n"]),           # the escaped _ matches only itself
    ("t\\\\_n", "\\", ["t\\_n", "t\\%n"], ["t_n"]),       # an escaped backslash, then any one character
    ("t\\%", "\\", ["t%"], ["tx"]),
    ("end\\", "\\", ["end\\"], ["end"]),                  # a trailing escape character is literal
    ("t\\_n", None, ["t\\xn"], ["t_n"]),                  # without an escape, a backslash is plain
])
def test_like_regex(pattern, escape, matching, other):
    regex = re.compile(like_regex(pattern, escape), re.DOTALL)
    assert [s for s in matching if not regex.fullmatch(s)] == []
    assert [s for s in other if regex.fullmatch(s)] == []
