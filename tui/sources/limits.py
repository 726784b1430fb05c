"""Bounds on the work an importer does, all derived from the input size limit.

An import reads at most MAX_BYTES; everything it builds is bounded in proportion, so
that no file under the limit (however hostile) makes an import take minutes or
gigabytes, and a refusal is one line naming the place.  The numbers sit far above
anything real: the 100,000-entry benchmark library is 41 MB of BibTeX, ~400 bytes an
entry; no real field reaches a megabyte; no real CSL-JSON item nests deeper than 5.
"""

from __future__ import annotations

import re

from tui.errors import ParseError

MAX_BYTES = 50 * 1024 * 1024
# records (entries, items, references) one file may hold: one per 256 bytes of the limit
MAX_RECORDS = MAX_BYTES // 256
# JSON objects and lists in one file: a real item holds about ten in 1-2 KB; this allows
# one per 32 bytes of the limit (decoding 50 MB of `{},` took 1.7 GB before)
MAX_CONTAINERS = MAX_RECORDS * 8
# characters in one field or one @string macro once expanded
MAX_FIELD_CHARS = 1024 * 1024
# all macro-expanded text of one file: this many times the file's length, plus one field
EXPANSION_FACTOR = 4
# how deep objects and lists may nest inside one imported record (a CSL-JSON item with
# its names and dates is 4 deep); Python's json and our copies recurse per level
MAX_DEPTH = 32
# brace groups nested in one BibTeX field: real titles protect a word or two, 3-4 deep;
# the LaTeX decoder's work grows with the depth (12,500 x `{\em ` took 16 s)
MAX_BRACE_DEPTH = 100
# values of one kind in one record (names per role, keywords, repeated RIS/MEDLINE
# tags): the largest author lists (physics collaborations) hold about 5,000 names
MAX_VALUES = 10_000


def check_records(count: int, source: str, place: str = "", what: str = "records") -> None:
    """Refuse the file when it holds more than MAX_RECORDS records."""
    if count > MAX_RECORDS:
        raise ParseError(
            f"too many {what} (more than {MAX_RECORDS:,}, the limit for one file);"
            " split it into smaller files",
            file=source,
            place=place,
        )


def too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether dicts/lists in `value` nest deeper than `limit` (a scalar is depth 0).

    Walked with an explicit stack, not recursion: the point is to check a value that
    recursion could not walk."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


_BRACES = re.compile(r"(?<!\\)[{}]")


def brace_depth_over(value: str, limit: int = MAX_BRACE_DEPTH) -> bool:
    """Whether unescaped braces in `value` nest deeper than `limit` (one linear pass,
    only when there are that many opening braces at all)."""
    if value.count("{") <= limit:
        return False
    depth = 0
    for m in _BRACES.finditer(value):
        if m.group() == "{":
            depth += 1
            if depth > limit:
                return True
        elif depth:
            depth -= 1
    return False


def check_field(value: str | int, source: str, place: str, what: str) -> None:
    """Refuse a field of any importer over MAX_FIELD_CHARS (`value`: the text or its
    length), naming the record."""
    if (value if isinstance(value, int) else len(value)) > MAX_FIELD_CHARS:
        raise ParseError(
            f"{what} is longer than {MAX_FIELD_CHARS // 1048576} MB", file=source, place=place
        )


def check_values(count: int, source: str, place: str, what: str) -> None:
    """Refuse a record with more than MAX_VALUES values of one kind (names, tags)."""
    if count > MAX_VALUES:
        raise ParseError(
            f"{what}: more than {MAX_VALUES:,} in one record", file=source, place=place
        )


def check_item(item: object, source: str, place: str) -> None:
    """Refuse a decoded record (a CSL-JSON/YAML item) with a string over MAX_FIELD_CHARS
    or a list or object of more than MAX_VALUES entries anywhere in it, naming the
    field. Walked with an explicit stack (the depth is checked before, too_deep)."""
    stack: list[tuple[str, object]] = [("", item)]
    while stack:
        name, node = stack.pop()
        if isinstance(node, str):
            check_field(node, source, place, f"field {name!r}")
        elif isinstance(node, dict):
            what = f"{name!r} entries" if name else "fields"
            check_values(len(node), source, place, what)
            for key, value in node.items():
                key = str(key)
                check_field(key, source, place, "a field name")
                stack.append((name or key, value))  # named by its CSL variable
        elif isinstance(node, list):
            check_values(len(node), source, place, f"{name!r} values")
            stack.extend((name, value) for value in node)
