"""Format 1 -> 2: give each stored work its lossless record (`csl`).

Format 1 stored the flat fields only.  A work imported from CSL-JSON, BibTeX or RIS
kept its source text in `raw` (the item, the entry, the record), so its record is
rebuilt by reading that text again with today's importer; every stored field (the
review, number, key, identifiers, what the reader sees) is left exactly as it was, so
reading state, notes and identities (Work.ident) are untouched.  A printed reference
gets the record its stored fields give (tui.mapping.printed), as a new import would.  Text that no longer reads (or a
BibTeX entry that needed the file's @string macros) keeps no record: nothing is lost,
the export then uses the fields, as format 1 did.
"""

from __future__ import annotations

import json

from tui.errors import ReadingListError


def record_of(doc: dict) -> dict:
    """The CSL record a format-1 work document's source text gives, or {}."""
    raw = doc.get("raw")
    extra = doc.get("extra")
    if not isinstance(raw, str) or not raw.strip() or not isinstance(extra, dict):
        return {}
    try:
        if "csl_type" in extra:
            item = json.loads(raw)
            return item if isinstance(item, dict) else {}
        if "entry_type" in extra:
            from tui.sources.bibtex import parse_bibtex

            _r, works = parse_bibtex(raw, source="upgrade.bib")
        elif "ris_type" in extra:
            from tui.sources.ris import parse_ris

            _r, works = parse_ris(raw, source="upgrade.ris")
        else:  # a printed reference: its record is what its stored fields give
            from tui.mapping.printed import printed_to_csl
            from tui.model import Work

            return printed_to_csl(Work.from_dict(doc))
    except (ReadingListError, ValueError, TypeError, KeyError, IndexError, RecursionError):
        return {}
    if len(works) != 1:
        return {}
    w = works[0]
    if "bibtex_fields" in w.extra:
        extra.setdefault("bibtex_fields", w.extra["bibtex_fields"])
    for k in ("ris_tags", "ris_fields"):
        if k in w.extra:
            extra.setdefault(k, w.extra[k])
    return w.csl


def upgrade_works(works: dict) -> int:
    """Add `csl` to every work document of a format-1 file that can have one (in place);
    the number of works given a record."""
    n = 0
    for doc in works.values():
        if isinstance(doc, dict) and not doc.get("csl"):
            if isinstance(doc.get("extra"), dict):
                doc["extra"] = dict(doc["extra"])  # record_of adds to it; the caller's stays
            csl = record_of(doc)
            if csl:
                doc["csl"] = csl
                n += 1
    return n
