"""CSL 1.0.2 page-range-format (Appendix V), written here because citeproc-py's is wrong.

citeproc-py 0.11 (`FormatNumber._format_last_page`) compares the two numbers
character by character without aligning them, so a second number longer than
the first loses digits: Vancouver (minimal) printed 1-10 as "1-0", e1-e10 as
"e1-0" and S1-S12 as "S1-2"; MLA (minimal-two) printed 5-12 as "5–2". It also
never expands a range printed abbreviated ("213-26"), and for "chicago" it
tests digits of the strings rather than the numbers. `csl._patch_citeproc`
makes citeproc-py call `last_page` below instead.

The rules (CSL 1.0.2 specification, Appendix V):

- "expanded": 42–45, 321–328, 2787–2816;
- "minimal": all digits repeated in the second number are left out:
  42–5, 321–8, 2787–816 (also MEDLINE's rule: 12-9, 21-30, 304-10, 1199-205);
- "minimal-two": as minimal, but at least two digits kept when the second
  number has two or more: 42–45, 321–28, 2787–816;
- "chicago-15" (and "chicago", its alias in CSL 1.0.2), CMOS 15 §9.64: first
  number under 100 or a multiple of 100, all digits (3–10, 100–104, 1100–1123);
  101–109 in each hundred, the changed part only (107–8, 1002–6); otherwise two
  digits or more as needed (321–25, 415–532); four-digit numbers of which three
  digits change, all digits (1496–1504);
- "chicago-16", CMOS 16 §9.61: the same without the four-digit rule (1496–504).

Both ends are only compared when they are plain numbers, optionally with the
same letter prefix ("e91-e104", "S1-S12"). The specification says nothing about
prefixes; we keep a prefixed range as printed unless digits are actually left
out, and then drop the repeated letter too, as Citing Medicine does
("Headache. 2002;42 Suppl 2:S93-9"). So S1-S12, e1-e10 and e91-e104 stay whole.
A range we cannot read as one (different prefixes, the second number not larger
than the first, roman numerals) is left exactly as printed.
"""

from __future__ import annotations

import re

_PART = re.compile(r"^([A-Za-z]*)(\d+)$")
FORMATS = ("expanded", "minimal", "minimal-two", "chicago", "chicago-15", "chicago-16")


def _changed(first: str, last: str) -> str:
    """The digits of `last` from the first one that differs from `first` (same length)."""
    if len(first) != len(last):
        return last
    for i, (a, b) in enumerate(zip(first, last, strict=True)):
        if a != b:
            return last[i:]
    return last[-1:]


def _keep(first: str, last: str, fmt: str) -> str:
    """The digits of the (expanded) second number that `fmt` prints."""
    if fmt == "expanded":
        return last
    minimal = _changed(first, last)
    if fmt == "minimal":
        return minimal
    two = last[-2:] if len(minimal) < 2 <= len(last) else minimal
    if fmt == "minimal-two":
        return two
    # chicago, chicago-15, chicago-16
    n = int(first)
    if n < 100 or n % 100 == 0:
        return last
    if fmt != "chicago-16" and len(first) == 4 == len(last) and len(minimal) >= 3:
        return last
    if 1 <= n % 100 <= 9:
        return minimal
    return two


def last_page(first: str, last: str, fmt: str | None) -> str:
    """What to print after the range delimiter for `first`-`last` in format `fmt`.

    >>> last_page("1", "10", "minimal"), last_page("213", "226", "minimal-two")
    ('10', '26')
    >>> last_page("S93", "S99", "minimal"), last_page("e91", "e104", "minimal")
    ('9', 'e104')
    """
    if fmt not in FORMATS:
        return last  # no page-range-format: "rendered without reformatting"
    a, b = _PART.match(first.strip()), _PART.match(last.strip())
    if not a or not b:
        return last
    prefix, n1 = a.groups()
    prefix2, n2 = b.groups()
    if prefix2 and prefix2 != prefix:
        return last
    if len(n2) < len(n1):  # printed abbreviated: "213-26" is 213-226
        n2 = n1[: len(n1) - len(n2)] + n2
    if int(n2) <= int(n1):
        return last
    kept = _keep(n1, n2, fmt)
    if prefix and len(kept) == len(n2):
        return prefix + n2  # nothing left out: the prefix stays ("S1-S12")
    return kept


def format_range(text: str, fmt: str | None, delimiter: str = "–") -> str:
    """A whole page value, ranges separated by commas: "34-36, 87-91" -> "34–6, 87–91"."""
    out = []
    for item in text.split(","):
        first, sep, last = item.strip().replace("\u2013", "-").partition("-")
        if not sep or "-" in last:
            out.append(item.strip())
            continue
        out.append(f"{first.strip()}{delimiter}{last_page(first, last, fmt)}")
    return ", ".join(out)
