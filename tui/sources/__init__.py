"""Importers: a review page (text/HTML), BibTeX, RIS and CSL-JSON files.

`load_file(path)` reads a file and dispatches on its extension (and, for unknown
extensions, on its first characters).  Every failure is a one-line `ParseError`
naming the file.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
from pathlib import Path

from tui.errors import ParseError, ReadingListError
from tui.model import Review, Work
from tui.perf import gc_paused
from tui.sources.gbt import parse_reference
from tui.sources.limits import MAX_BYTES, MAX_RECORDS, check_records
from tui.sources.page import parse_page

__all__ = ["load_file", "parse_page", "parse_reference", "MAX_BYTES", "MAX_RECORDS", "FORMATS"]

# extension -> (module, function, human name)
FORMATS = {
    ".txt": ("tui.sources.page", "parse_page", "review page"),
    ".html": ("tui.sources.page", "parse_page", "review page"),
    ".htm": ("tui.sources.page", "parse_page", "review page"),
    ".bib": ("tui.sources.bibtex", "parse_bibtex", "BibTeX"),
    ".bibtex": ("tui.sources.bibtex", "parse_bibtex", "BibTeX"),
    ".ris": ("tui.sources.ris", "parse_ris", "RIS"),
    ".json": ("tui.sources.csljson", "parse_csljson", "CSL-JSON"),
    ".yaml": ("tui.sources.csljson", "parse_cslyaml", "CSL-YAML"),
    ".yml": ("tui.sources.csljson", "parse_cslyaml", "CSL-YAML"),
    ".nbib": ("tui.sources.tagged", "parse_medline", "MEDLINE"),
    ".medline": ("tui.sources.tagged", "parse_medline", "MEDLINE"),
    ".cgi": ("tui.sources.tagged", "parse_tagged", "a database export"),
    ".ciw": ("tui.sources.tagged", "parse_wos", "Web of Science"),
}
_TAGGED = {
    "medline": FORMATS[".nbib"],
    "wos": FORMATS[".ciw"],
    "ovid": ("tui.sources.tagged", "parse_ovid", "Ovid"),
}


def load_file(path: str | os.PathLike) -> tuple[Review, list[Work]]:
    """Read a review page, .bib, .ris or CSL-JSON file into a review and its works."""
    p = Path(path)
    shown = str(path)
    try:
        if not p.exists():
            raise ParseError("no such file", file=shown)
        if p.is_dir():
            raise ParseError("is a directory, not a file", file=shown)
        if not p.is_file():  # a FIFO or device would block or never end
            raise ParseError("not a regular file", file=shown)
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ParseError(
                f"file too large ({size / 1048576:.0f} MB; the limit is 50 MB)", file=shown
            )
        data = p.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror or exc}", file=shown) from None
    if len(data) > MAX_BYTES:  # grew while we looked
        raise ParseError("file too large (the limit is 50 MB)", file=shown)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"not UTF-8 text (invalid byte at offset {exc.start}); save it as UTF-8",
            file=shown,
        ) from None
    if not text.strip():
        raise ParseError("empty file", file=shown)

    ext = p.suffix.lower()
    if ext == ".txt":  # a .txt may hold an exported BibTeX or RIS file
        module, func, kind = _sniff(text)
    else:
        module, func, kind = FORMATS.get(ext) or _sniff(text)
    try:
        parse = getattr(importlib.import_module(module), func)
    except (ModuleNotFoundError, AttributeError) as exc:
        if isinstance(exc, ModuleNotFoundError) and exc.name != module:
            raise
        raise ParseError(
            f"unsupported format ({kind} import is not available)", file=shown
        ) from None
    # Through a symlink the file is its target: the collection's name and title come
    # from the target's name, as when the target itself is imported (the link's name
    # would rename the collection on every import through it).
    name = Path(os.path.realpath(p)).name
    try:
        with gc_paused():
            review, works = parse(text, source=name)
    except ReadingListError as exc:
        if isinstance(exc, ParseError) and exc.file in ("", name, p.name) and shown != exc.file:
            # name the file as the user gave it, not only its base name
            raise ParseError(exc.detail, file=shown, place=exc.place) from None
        raise
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        # a parser written by hand may still trip on input it has never seen
        raise ParseError(f"cannot read as {kind}: {exc}", file=shown) from None
    except RecursionError:  # the importers refuse deep nesting first; a last guard
        raise ParseError(f"cannot read as {kind}: nested too deeply", file=shown) from None
    check_records(len(works), shown)  # each importer stops earlier; this covers them all
    if not review.source:
        review.source = name
    if not review.checksum:
        review.checksum = hashlib.sha256(data).hexdigest()
    return review, works


def _sniff(text: str) -> tuple[str, str, str]:
    head = text.lstrip()[:2000]
    if head.startswith("@"):
        return FORMATS[".bib"]
    if head.startswith("TY  -") or "\nTY  -" in head[:200]:
        return FORMATS[".ris"]
    if head.startswith(("[", "{")) and not head.startswith("[1]"):
        return FORMATS[".json"]
    from tui.sources.tagged import sniff_tagged

    tagged = sniff_tagged(head)
    if tagged:
        return _TAGGED[tagged]
    if head.startswith("---") and re.search(r"^(?:references:|- (?:id|type):)", head, re.M):
        return FORMATS[".yaml"]
    return FORMATS[".txt"]
