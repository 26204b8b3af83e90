"""American Soundex, the one algorithm behind Athena's (Trino's) soundex and Redshift's SOUNDEX/DIFFERENCE.

Why shared: both engines code a name the same way (the first letter, then the digits of the
consonants that follow, a run of one digit written once, vowels breaking a run and H or W not,
padded or cut to four characters); they differ only in which characters they accept, which their
callers decide: a letter outside A..Z that the coding reaches raises `UnmappedLetter` (Trino fails
on it; Redshift passes only A..Z). As in Commons Codec, which Trino uses, letters after the fourth
character is written are not looked at.
"""

from __future__ import annotations

#: The digit of each letter A..Z; 0 for the vowels (and Y), which write nothing but end a run.
_DIGITS = "01230120022455012623010202"


class UnmappedLetter(ValueError):
    """A letter Soundex has no digit for (outside A..Z)."""

    def __init__(self, letter: str):
        super().__init__(letter)
        self.letter = letter


def _digit(letter: str) -> str:
    index = ord(letter) - ord("A")
    if not 0 <= index < len(_DIGITS):
        raise UnmappedLetter(letter)
    return _DIGITS[index]


def code(letters: str) -> str:
    """The Soundex code of `letters`, upper-case letters ('' for none)."""
    if not letters:
        return ""
    out, last = [letters[0]], _digit(letters[0])
    for letter in letters[1:]:
        if len(out) == 4:
            break
        if letter in "HW":
            continue
        digit = _digit(letter)
        if digit != "0" and digit != last:
            out.append(digit)
        last = digit
    return "".join(out).ljust(4, "0")
