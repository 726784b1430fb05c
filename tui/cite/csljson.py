"""Work -> CSL-JSON (the data model of citeproc-js, Zotero, Pandoc and every CSL processor).

Decisions:
- CJK names and organisations become `{"literal": …}` so no style splits or
  initialises them (a processor would print `金, . 诗炜 .` in APA).
- Given names that are initials get points ("De Luca DA" -> family "De Luca",
  given "D. A."), so every style initialises them right.
- A supplement goes to `issue`: "Suppl 1" alone, or after the issue ("2 Suppl 1").
- Article numbers stay in `page`, as the source printed them: nothing in a
  reference string tells an article number ("1108623") from a page ("2063").
- Fields keep the source's text ("04" stays "04"); the CSL renderer normalises
  numbers for display.
- `et al.` in the source has no CSL variable: the known authors are listed and
  `"custom": {"et_al": true}` (CSL-JSON 1.0.2's place for data without a
  variable) keeps the fact, so the file reads back the same; so does
  `"custom": {"pii": …}` for a publisher item identifier printed as a DOI.
- The file is json.dumps(items, ensure_ascii=False, indent=2)'s text, written by orjson
  when that gives the same bytes (`_dumps`).
- Types come back unchanged through tui.sources.csljson: G is `collection`,
  DS `dataset`, DB `dataset` with `genre` "database", A `manuscript` with
  `genre` "archive" (CSL has neither a database nor an archive type).
"""

from __future__ import annotations

import json
import re

import orjson

from tui.cite.names import csl_given, split_name
from tui.model import Work, has_cjk

CSL_TYPES = {
    "J": "article-journal",
    "M": "book",
    "G": "collection",
    "C": "paper-conference",
    "D": "thesis",
    "R": "report",
    "N": "article-newspaper",
    "P": "patent",
    "S": "standard",
    "EB": "webpage",
    "DS": "dataset",
    "DB": "dataset",  # with "genre": "database" (CSL has no database type)
    "CP": "software",
    "A": "manuscript",  # with "genre": "archive" (GB/T 7714's 档案)
    "Z": "document",
}
# GB/T 7714 codes whose CSL type they share with another code: told apart by `genre`
CSL_GENRES = {"DB": "database", "A": "archive"}
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def csl_name(name: str) -> dict:
    author = split_name(name.strip(" ,;"))
    if author.literal:
        return {"literal": author.literal}
    if has_cjk(author.family + author.given):
        return {"literal": author.display()}
    d = {"family": author.family}
    given = csl_given(author)
    if given:
        d["given"] = given
    return d


def date_parts(text: str) -> dict | None:
    m = _ISO_DATE.match(text.strip())
    if not m:
        return None
    return {"date-parts": [[int(x) for x in m.groups() if x]]}


def csl_type(work: Work) -> str:
    code = (work.type or "J").upper().partition("/")[0]
    t = CSL_TYPES.get(code, "article-journal" if work.journal else "document")
    if t == "book" and work.journal:
        return "chapter"
    return t


def csl_item(
    work: Work, *, id: str | None = None, keep_id: bool = False, shallow: bool = False
) -> dict:
    """One work as a CSL-JSON item: its record as imported (lossless), or, for a work
    read from a printed reference, the item its fields make (`to_csl`).  `id` replaces
    the item's id, unless `keep_id` and the record has one of its own.  `shallow`: the
    record's nested values are shared, not copied (for a caller that only writes them out)."""
    if work.csl:
        d = dict(work.csl) if shallow else _json_copy(work.csl)
        if not (keep_id and d.get("id") not in (None, "")):
            d["id"] = id or work.key or work.id
        return d
    return to_csl(work, id=id)


def _json_copy(value):
    if isinstance(value, dict):
        return {k: _json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_copy(v) for v in value]
    return value


# flat fields copied as they are (trimmed), in the order the items list them;
# `abstract` is the printed one, else fetched online (Work.abstract)
_PLAIN_CSL = (
    ("pages", "page"),
    ("edition", "edition"),
    ("publisher", "publisher"),
    ("place", "publisher-place"),
    ("doi", "DOI"),
    ("pmid", "PMID"),
    ("url", "URL"),
    ("abstract", "abstract"),
)


def to_csl(work: Work, *, id: str | None = None) -> dict:
    """The CSL-JSON item a work's flat fields make: all a printed reference has, and what
    tui.cite.csl hands citeproc-js today (rendering from the lossless record instead is
    what is left of issue 12: citeproc-js takes every CSL 1.0.2 shape of real items)."""
    d: dict = {"id": id or work.key or work.id, "type": csl_type(work)}
    authors = [csl_name(a) for a in work.authors if a.strip(" ,;")]
    if authors:
        d["author"] = authors
    editors = [csl_name(a) for a in work.editors if a.strip(" ,;")]
    if editors:
        d["editor"] = editors
    if work.title:
        d["title"] = work.title.strip()
    if work.journal:
        d["container-title"] = work.journal.strip()
    date = work.extra.get("date") if isinstance(work.extra.get("date"), str) else ""
    issued = date_parts(date) if date else None
    if issued is None and work.year:
        issued = {"date-parts": [[int(work.year)]]}
    if issued:
        d["issued"] = issued
    if work.volume:
        d["volume"] = work.volume.strip()
    issue = " ".join(x for x in (work.issue.strip(), work.supplement.strip()) if x)
    if issue:
        d["issue"] = issue
    for attr, variable in _PLAIN_CSL:
        value = getattr(work, attr)
        if value:
            d[variable] = value.strip()
    if work.accessed:
        acc = date_parts(work.accessed)
        if acc:
            d["accessed"] = acc
    genre = CSL_GENRES.get((work.type or "").upper().partition("/")[0])
    if genre:
        d["genre"] = genre
    custom = {}
    if work.et_al:
        custom["et_al"] = True
    if work.pii:
        custom["pii"] = work.pii.strip()
    if custom:
        d["custom"] = custom
    lang = work.lang or ("zh" if work.is_chinese else "")
    if work.is_chinese and lang == "en":
        lang = "zh"
    if lang:
        d["language"] = lang
    return d


def format_csljson(works: list[Work], ids: list[str], tags: list[list[str]] | None = None) -> str:
    """The items; an imported item keeps its own id (so a Zotero library comes back
    unchanged) unless another item of this output already has it, then it gets `ids`'s.
    With `tags` (one list per work), the reader's tags as CSL's comma-separated keyword."""
    items, taken = [], set(ids)
    for w, i in zip(works, ids, strict=True):
        d = csl_item(w, id=i, keep_id=True, shallow=True)  # only its id and keyword change
        own = d.get("id")
        if own != i and (str(own) in taken or not w.csl.get("id")):
            d["id"] = i
        taken.add(str(d["id"]))
        items.append(d)
    if tags is not None:  # only when asked
        for item, t in zip(items, tags, strict=True):
            if t:
                item["keyword"] = ", ".join(t)
    return _dumps(items)


def _dumps(items: list) -> str:
    """json.dumps(items, ensure_ascii=False, indent=2), sooner: json's indenting encoder is
    pure Python (3.5 s for 100,000 items); orjson writes the same text except for floats (its
    own repr), NaN/Infinity (null), integers past 64 bits and lone surrogates (errors).  So
    both libraries' compact forms (json's in C) are compared first, and orjson's indented
    form is used only when they are the same bytes; otherwise json writes it as always."""
    try:
        fast = orjson.dumps(items)
        same = fast == json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode()
    except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
        same = False
    if same:
        return orjson.dumps(items, option=orjson.OPT_INDENT_2).decode()
    return json.dumps(items, ensure_ascii=False, indent=2)
