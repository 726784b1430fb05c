"""A printed reference's fields (tui.sources.gbt) as a CSL-JSON record, as far as a printed
string allows, so that every work has a record whatever it was read from.

The record is the item tui.cite.csljson.to_csl has always made of a printed reference for
the CSL styles and the CSL-JSON export (so those outputs do not change): names as printed,
split into family and given ("Teske N" -> Teske, "N."; the points are CSL's form of
initials, none are invented), a CJK name or an organisation as a `literal`; the year, or
the whole date a newspaper or online item prints; container, volume, issue with its
supplement ("4 Suppl 1"), page, DOI, PMID, URL and access date; the CSL type of the GB/T
code (a part of a book, printed with "//", is a chapter); `et al.` and a PII in `custom`,
as the CSL-JSON export writes them. Only the PMCID is added here.
"""

from __future__ import annotations

from tui.model import Work


def printed_to_csl(w: Work) -> dict:
    """The CSL record of a work read from a printed reference (without an `id`: the
    exporters give each item its citation key)."""
    from tui.cite.csljson import to_csl

    item = to_csl(w)
    item.pop("id", None)
    pmcid = w.extra.get("pmcid")
    if isinstance(pmcid, str) and pmcid.strip():
        item["PMCID"] = pmcid.strip()
    return item


# what each file importer notes in `extra`: the record came from a file, not a string
_SOURCE_MARKS = ("entry_type", "ris_type", "csl_type")


def is_printed(w: Work) -> bool:
    """Was this work read from a printed reference (its record made from its fields)?
    The BibTeX and RIS exports write such a work from its fields, as they always have:
    their field path keeps what the printed string has beyond CSL (PMID, PII, et al.)."""
    return not any(map(w.extra.__contains__, _SOURCE_MARKS))  # called per work by exports
