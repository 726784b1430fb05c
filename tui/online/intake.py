"""Adding a looked-up work to the library, the same way for `readinglist add` and the
app's "Add by identifier" dialog (one write; the lookup itself is tasks.lookup)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.errors import ReadingListError
from tui.model import Review, Work

if TYPE_CHECKING:
    from tui.online.tasks import Identifier
    from tui.store import Library

ADDED = "added"  # the collection a work goes into when no other is named


def already_there(lib: Library, ident: Identifier) -> Work | None:
    """The work of the library that has this DOI or PMID (printed or fetched), if any."""
    for w in lib.works():
        if (ident.kind == "doi" and w.any_doi.lower() == ident.value.lower()) or (
            ident.kind == "pmid" and w.any_pmid == ident.value
        ):
            return w
    return None


def add_to_library(lib: Library, work: Work, into: str | None) -> Work:
    """Store `work` in review or collection `into` (None: the 'added' collection,
    made when it is not there yet); returns the stored work."""
    if into is None:
        try:
            into = lib.get_review(ADDED).key
        except ReadingListError:
            review = Review(key=ADDED, kind="collection", title_en="Added by identifier")
            into = lib.import_review(review, []).key
    return lib.add_work(into, work)
