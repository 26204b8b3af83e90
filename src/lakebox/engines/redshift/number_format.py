"""TO_CHAR of a number: Redshift's (Postgres's) numeric format templates, which DuckDB has no form of.

A template is made of digit positions (`9` shows a digit or a blank, `0` a digit or a zero), the
decimal point (`.` or `D`), group separators (`,` or `G`), the currency sign (`$` or `L`), a sign
(`S` before or after, `MI` after, `PR` for angle brackets, else a leading minus or blank), and the
`FM` prefix, which drops the padding. The result is as wide as the template, right-aligned, with
one position for the sign; a number with more integer digits than the template has positions is
shown as `#`s, as Postgres shows it.

Registered on each session's DuckDB connection as `redshift_to_char_number(text, template)`; the
value arrives as its exact decimal text. TO_NUMBER, the other way, is `redshift_to_number`.
Imports nothing from lakebox.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Optional

#: A template TO_CHAR formats as a number, not as a date: digit positions and nothing a date has.
_NUMERIC = re.compile(r"(?i)^(FM)?[$L]?(S)?[90,.DG$L]*[90][90,.DG]*(S|MI|PR)?$")


def is_number_template(template: str) -> bool:
    return bool(_NUMERIC.match(template or ""))


def to_char_number(value: Optional[str], template: str) -> Optional[str]:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    text = template.upper()
    fill = text.startswith("FM")
    text = text[2:] if fill else text
    sign_mode = ""
    for suffix in ("MI", "PR", "S"):
        if text.endswith(suffix):
            sign_mode, text = suffix + ">", text[:-len(suffix)]
            break
    if text.startswith("S"):
        sign_mode, text = "<S", text[1:]
    currency = "$" if "$" in text or "L" in text else ""
    text = text.replace("$", "").replace("L", "").replace("D", ".").replace("G", ",")
    whole_template, _, fraction_template = text.partition(".")
    has_point = "." in text
    places = sum(ch in "90" for ch in fraction_template)
    rounded = abs(number).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole_digits, _, fraction_digits = f"{rounded:f}".partition(".")
    whole_digits = whole_digits.lstrip("0")
    positions = sum(ch in "90" for ch in whole_template)
    if len(whole_digits) > positions:
        body = "".join("#" if ch in "90" else ch for ch in whole_template)
        body += ("." + "#" * places) if has_point else ""
        return _signed(body, number < 0, sign_mode, currency, fill)
    if not whole_digits and not has_point:
        whole_digits = "0"  # zero with no fraction shows one 0, in the last position
    whole = _fill_whole(whole_template, whole_digits)
    fraction = (fraction_digits + "0" * places)[:places]
    if fill:
        keep = len(fraction_template.rstrip("9"))  # trailing 9 positions drop their zeros
        fraction = fraction[:max(keep, len(fraction.rstrip("0")))]
    body = whole + ("." + fraction if has_point else "")
    return _signed(body, number < 0, sign_mode, currency, fill)


def _fill_whole(template: str, digits: str) -> str:
    """The integer part, digits placed from the right. A `9` with no digit left is blank, a `0` is a
    zero, and so is every `9` right of the leftmost `0`; a separator shows only with a digit or a
    zero to its left."""
    first_zero = template.find("0")
    if first_zero >= 0:
        template = template[:first_zero] + template[first_zero:].replace("9", "0")
    out, remaining = [], list(digits)
    for index in range(len(template) - 1, -1, -1):
        ch = template[index]
        if ch in "90":
            out.append(remaining.pop() if remaining else ("0" if ch == "0" else " "))
        else:
            out.append(ch if remaining or "0" in template[:index] else " ")
    return "".join(reversed(out))


def _signed(body: str, negative: bool, mode: str, currency: str, fill: bool) -> str:
    stripped = body.lstrip(" ")
    pad = " " * (len(body) - len(stripped))
    digits = currency + stripped
    if mode == "MI>":
        text, tail = digits, "-" if negative else " "
        result = pad + text + tail
    elif mode == "PR>":
        result = pad + (f"<{digits}>" if negative else f" {digits} ")
    elif mode == "S>":
        result = pad + digits + ("-" if negative else "+")
    elif mode == "<S":
        result = pad + ("-" if negative else "+") + digits
    else:
        result = pad + ("-" if negative else " ") + digits
    if fill:
        result = result.strip(" ")
    return result


def template_scale(template: str) -> int:
    """The digits a numeric template has after its decimal point (`.` or `D`): TO_NUMBER's scale."""
    _, point, fraction = template.upper().replace("D", ".").partition(".")
    return sum(ch in "90" for ch in fraction) if point else 0


def to_number(text: Optional[str], template: str) -> Optional[str]:
    """TO_NUMBER(text, template): the number `text` shows, as decimal text (cast to the template's
    scale by the caller). Group separators, currency signs and blanks are dropped; a minus sign
    anywhere, or angle brackets (PR), make it negative. Text with no number in it raises, as it
    does in Redshift."""
    if text is None:
        return None
    negative = "-" in text or (text.strip().startswith("<") and text.strip().endswith(">"))
    kept = "".join(ch for ch in text if ch.isdigit() or ch == ".")
    try:
        number = Decimal(kept)
    except InvalidOperation:
        raise ValueError(f'invalid input syntax for type numeric: "{text}"') from None
    return f"{-number if negative else number:f}"
