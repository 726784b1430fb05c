"""BibTeX records through bibtexparser (v2 API: Library, Entry, Field, write_string).

Decisions:
- Keys: the work's own `key` when it has one, else tui.sources.keys.make_key
  ("sullivan2018myeloablative", "jin2025jiwang"); unique within one output: a
  repeated key gets "a", "b", … appended.
- Names: "Family, Given" joined by " and "; CJK names and organisations in braces
  so BibTeX never splits them ("{金诗炜}"); given names that are initials get points
  ("De Luca, D. A.") so BibTeX styles abbreviate them right; et al. in the source
  becomes " and others", BibTeX's own way to say it.
- Page ranges use "--"; a supplement goes to `number` ("Suppl 1", or "2 Suppl 1").
- PMID in `pmid` (what Zotero and JabRef write), language in `language` ("en", "zh"),
  a PII printed where a DOI belongs in `pii`.
- Types come back unchanged through tui.sources.bibtex: G (汇编) is BibLaTeX's
  @collection, DS @dataset; N, DB and A share @article, @dataset and @misc
  with J, DS and Z and say which they are in `entrysubtype` (BibLaTeX's field
  for that: "newspaper", "database", "archive").
- `&`, `%`, `$`, `#` and `_` are escaped in text fields; doi and url are left verbatim.
- Titles: BibTeX styles lower-case titles (change.case$ "t"), which turns "SCT"
  into "sct" and "mRNA" into "mrna"; each word they would damage is wrapped in
  braces (`protect_title`): a capital after the first letter (SCT, mRNA,
  CD34-selected, TGF-βR1), digits with a capital (Th17), a lone capital that is
  not the first word ("T cells"). An ordinary capitalised word is left alone,
  so is a title with CJK text (not case-changed by Chinese BibTeX styles).
  tui.sources.bibtex strips the braces again on import.
"""

from __future__ import annotations

import re

from tui.cite.csljson import csl_name
from tui.model import Work, has_cjk

ENTRY_TYPES = {
    "J": "article",
    "N": "article",  # entrysubtype = {newspaper}, BibLaTeX's way
    "M": "book",
    "G": "collection",
    "C": "inproceedings",
    "D": "phdthesis",
    "R": "techreport",
    "P": "patent",
    "S": "standard",
    "EB": "online",
    "DS": "dataset",
    "DB": "dataset",  # entrysubtype = {database}
    "CP": "software",
    "A": "misc",  # entrysubtype = {archive}
}
# GB/T 7714 codes that share an entry type with another: told apart by entrysubtype
ENTRY_SUBTYPES = {"N": "newspaper", "DB": "database", "A": "archive"}
_ESCAPE = re.compile(r"(?<!\\)([&%$#_])")
_KEY_BAD = re.compile(r"[\s,{}()\"'#%~\\=]+")


def _escape(text: str) -> str:
    text = " ".join(text.split())
    text = _ESCAPE.sub(r"\\\1", text)
    # unbalanced braces would break the record: drop them
    if text.count("{") != text.count("}"):
        text = text.replace("{", "").replace("}", "")
    return text


_TOKEN = re.compile(r"^([\"'“‘(\[]*)(.*?)([\"'”’)\],.:;!?]*)$")


def _needs_braces(word: str, first: bool) -> bool:
    if not word or "{" in word or "}" in word or "\\" in word:
        return False
    if any(ch.isupper() for ch in word[1:]):
        return True
    if word[0].isupper() and any(ch.isdigit() for ch in word):
        return True
    return len(word) == 1 and word.isupper() and not first


def protect_title(title: str) -> str:
    """Braces around the words a BibTeX style would lower-case wrongly.

    >>> protect_title("CD34-selected HSCT for SSc: the ASSIST trial")
    '{CD34-selected} {HSCT} for {SSc}: the {ASSIST} trial'
    """
    if has_cjk(title):
        return title
    out = []
    for i, token in enumerate(title.split(" ")):
        lead, word, tail = _TOKEN.match(token).groups()
        if _needs_braces(word, first=i == 0):
            token = f"{lead}{{{word}}}{tail}"
        out.append(token)
    return " ".join(out)


def bib_name(name: str) -> str:
    d = csl_name(name)
    if "literal" in d:
        return "{" + _escape(d["literal"]) + "}"
    family = _escape(d["family"])
    return f"{family}, {_escape(d['given'])}" if d.get("given") else family


def bib_names(names: list[str], et_al: bool = False) -> str:
    out = [bib_name(n) for n in names if n.strip(" ,;")]
    if et_al and out:
        out.append("others")
    return " and ".join(out)


def entry_type(work: Work) -> str:
    code = (work.type or "J").upper().partition("/")[0]
    t = ENTRY_TYPES.get(code, "misc")
    if t == "book" and work.journal:
        return "incollection"
    return t


def fields_of(work: Work) -> list[tuple[str, str]]:
    t = entry_type(work)
    f: list[tuple[str, str]] = []
    subtype = ENTRY_SUBTYPES.get((work.type or "").upper().partition("/")[0])
    if subtype:
        f.append(("entrysubtype", subtype))
    if work.authors:
        f.append(("author", bib_names(work.authors, work.et_al)))
    if work.editors:
        f.append(("editor", bib_names(work.editors)))
    if work.title:
        f.append(("title", protect_title(_escape(work.title))))
    if work.journal:
        container = "journal" if t == "article" else "booktitle"
        f.append((container, _escape(work.journal)))
    if work.year:
        f.append(("year", str(work.year)))
    if work.volume:
        f.append(("volume", _escape(work.volume)))
    issue = " ".join(x for x in (work.issue.strip(), work.supplement.strip()) if x)
    if issue:
        f.append(("number", _escape(issue)))
    if work.pages:
        p = re.sub(r"\s*[-\u2010-\u2015]+\s*", "--", work.pages.strip())
        f.append(("pages", _escape(p)))
    if work.edition:
        f.append(("edition", _escape(work.edition)))
    if work.publisher:
        key = {"phdthesis": "school", "techreport": "institution"}.get(t, "publisher")
        f.append((key, _escape(work.publisher)))
    if work.place:
        f.append(("address", _escape(work.place)))
    if work.doi:
        f.append(("doi", work.doi.strip()))
    if work.pmid:
        f.append(("pmid", work.pmid.strip()))
    if work.pii:
        f.append(("pii", work.pii.strip()))
    if work.url:
        f.append(("url", work.url.strip()))
    if work.abstract:  # printed, else fetched online (Work.abstract)
        f.append(("abstract", work.abstract.strip()))
    if work.accessed:
        f.append(("urldate", work.accessed.strip()))
    lang = "zh" if work.is_chinese else (work.lang or "")
    if lang:
        f.append(("language", lang))
    return f


def clean_key(key: str) -> str:
    return _KEY_BAD.sub("", key)


def citation_keys(works: list[Work]) -> list[str]:
    """One key per work, unique within the list (a repeated key gets a, b, … appended)."""
    from tui.sources.keys import make_key

    bases = [clean_key(w.key) or clean_key(make_key(w)) or "item" for w in works]
    taken = set()
    out = []
    for base in bases:
        key, i = base, 0
        while key in taken:
            key = base + _suffix(i)
            i += 1
        taken.add(key)
        out.append(key)
    return out


def _suffix(i: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa'."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(97 + r) + s
    return s


def format_bibtex(works: list[Work], keys: list[str]) -> str:
    import bibtexparser
    from bibtexparser.model import Entry, Field

    lib = bibtexparser.Library()
    for work, key in zip(works, keys, strict=True):
        fields = [Field(k, "{" + v + "}") for k, v in fields_of(work)]
        lib.add(Entry(entry_type(work), key, fields))
    fmt = bibtexparser.BibtexFormat()
    fmt.indent = "  "
    fmt.block_separator = "\n"
    return bibtexparser.write_string(lib, unparse_stack=[], bibtex_format=fmt).strip()
