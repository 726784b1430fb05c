"""BibTeX records, written here in bibtexparser's layout (it reads them back:
tui.sources.bibtex): "@type{key,", one "  field = {value}," per line, a blank line
between entries.

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

import functools
import re

from tui.cite.csljson import csl_name
from tui.mapping.bibtex import BIBTEX_MAP, csl_to_bibtex
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


def _plain(text: str) -> bool:
    """Would _escape leave `text` as it is, braces and all (none here)?"""
    return (
        text.isprintable()
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
        and not ("&" in text or "%" in text or "$" in text or "#" in text or "_" in text)
        and not ("{" in text or "}" in text)
    )


def _escape(text: str) -> str:
    # whitespace as one space each: most values already are, which isprintable() says in C
    # (every whitespace character but the space is unprintable) without a split and a join
    if not text.isprintable() or "  " in text or text[:1] == " " or text[-1:] == " ":
        text = " ".join(text.split())
    # most values have nothing to escape: five `in` tests cost a tenth of _ESCAPE's search
    if "&" in text or "%" in text or "$" in text or "#" in text or "_" in text:
        text = _ESCAPE.sub(r"\\\1", text)
    # unbalanced braces would break the record: drop them
    if ("{" in text or "}" in text) and text.count("{") != text.count("}"):
        text = text.replace("{", "").replace("}", "")
    return text


# (DOTALL and \Z: a word may hold a line break, which the title keeps)
_TOKEN = re.compile(r"([\"'“‘(\[]*)(.*?)([\"'”’)\],.:;!?]*)\Z", re.DOTALL)


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
    first, space, rest = title.partition(" ")
    first = _protect_first(first)
    if not space:
        return first
    if rest.islower():  # no capital after the first word: nothing more to protect
        return first + " " + rest
    return " ".join([first, *map(_protect_later, rest.split(" "))])


def _protect(token: str, first: bool) -> str:
    lead, word, tail = _TOKEN.match(token).groups()
    if _needs_braces(word, first):
        return f"{lead}{{{word}}}{tail}"
    return token


# a library's titles share their words: each distinct word is looked at once
@functools.lru_cache(maxsize=65536)
def _protect_first(token: str) -> str:
    return _protect(token, True)


@functools.lru_cache(maxsize=65536)
def _protect_later(token: str) -> str:
    return _protect(token, False)


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
    if key.isalnum():  # the usual key ("teske2024recent"): nothing of _KEY_BAD is alphanumeric
        return key
    return _KEY_BAD.sub("", key)


def citation_keys(works: list[Work]) -> list[str]:
    """One key per work, unique within the list (a repeated key gets a, b, … appended)."""
    # (tui.sources.keys, 16 ms to import, only for a work with no key or a key taken)
    bases = [clean_key(w.key) or clean_key(_make_key(w)) or "item" for w in works]
    taken = set()
    out = []
    for base in bases:
        key, i = base, 0
        while key in taken:
            from tui.sources.keys import suffix

            key = base + suffix(i)
            i += 1
        taken.add(key)
        out.append(key)
    return out


def _make_key(work: Work) -> str:
    from tui.sources.keys import make_key

    return make_key(work)


# our own notes in Work.extra, not fields of the source entry
_NOT_FIELDS = {"entry_type", "authors_full", "editors_full", "bibtex_fields", "month", "date"}


def _csl_bib_name(name: dict) -> str:
    if type(name) is dict and len(name) == 2:
        family, given = name.get("family"), name.get("given")
        if type(family) is str and type(given) is str:
            # the usual shape, {"family", "given"}: as _any_csl_bib_name writes it, sooner
            # (not cached: at 100,000 works a cache of names or values cost more than it saved)
            if " " in family:
                family = "{" + family + "}"  # "De Luca" is one family name, not von + last
            return _escape(f"{family}, {given}" if family and given else family or given)
    return _any_csl_bib_name(name)


def _any_csl_bib_name(name: dict) -> str:
    if not isinstance(name, dict):
        return "{" + _escape(str(name)) + "}"
    if name.get("literal"):
        return "{" + _escape(str(name["literal"])) + "}"
    family = " ".join(str(p) for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    if " " in str(name.get("family", "")) and not name.get("non-dropping-particle"):
        family = "{" + family + "}"  # "De Luca" is one family name, not von + last
    given = " ".join(str(p) for p in (name.get("given"), name.get("dropping-particle")) if p)
    parts = [family, str(name["suffix"]), given] if name.get("suffix") else [family, given]
    return _escape(", ".join(p for p in parts if p))


def _csl_bib_names(value) -> str:
    # The usual list, every name {"family", "given"} of plain text with no space in a
    # family name (nothing to brace): the names joined as they are written, then looked
    # at once for anything _escape would change in any one of them (a special, a brace,
    # an odd space: none in the whole means none in each). Else name by name.
    if type(value) is list:
        parts = []
        for name in value:
            if type(name) is not dict or len(name) != 2:
                break
            family, given = name.get("family"), name.get("given")
            if type(family) is not str or type(given) is not str or " " in family:
                break
            parts.append(f"{family}, {given}" if family and given else family or given)
        else:
            text = " and ".join(parts)
            if _plain(text):
                return text
    return " and ".join(map(_csl_bib_name, value))


def record_entry(work: Work) -> tuple[str, list[tuple[str, str]]]:
    """A work with a lossless record as an entry through the table of tui.mapping.bibtex,
    plus the source's fields that have no CSL variable, under their own names."""
    extra = work.extra
    used = extra.get("bibtex_fields") or {}
    etype, fields = csl_to_bibtex(work.csl, used, names=_csl_bib_names, escape=_escape)
    from_bibtex = bool(extra.get("entry_type"))  # read from BibTeX: its own type and fields
    if from_bibtex:
        etype = str(extra["entry_type"])
    et_al = work.et_al
    out = []
    for k, v in fields:  # one pass: "and others", names as written, title, pages
        if k in _NAME_FIELDS:
            if et_al and k == "author":
                v += " and others"
            if from_bibtex:
                v = _names_as_written(work, k, v)
        elif k == "title" or k == "pages":
            v = _finish(k, v)
        out.append((k, v))
    if from_bibtex:
        have = {k for k, _ in fields}
        for k, v in extra.items():
            if k in _NOT_FIELDS or k in have or not isinstance(v, str):
                continue
            out.append((k, _finish(k, v if k in _VERBATIM else _escape(v))))
    return etype, out


def _finish(field: str, value: str) -> str:
    if field == "title":
        return protect_title(value)
    return value.replace("\u2013", "--") if field == "pages" else value


# BibTeX's name-list fields and their CSL variables (the first row of each field)
_NAME_FIELDS: dict[str, str] = {}
for _name, _var, _kind in BIBTEX_MAP:
    if _kind == "names":
        _NAME_FIELDS.setdefault(_name, _var)


def _names_as_written(work: Work, field: str, value: str) -> str:
    """A name list as the entry wrote it ("Brigitte Goldstein") when that reads as the same
    names as the record's ("Goldstein, Brigitte"), so the field comes back as it came."""
    written = work.extra.get(field)
    if not isinstance(written, str) or written == value:
        return value
    from tui.sources.bibtex import _csl_names

    if _csl_names(written) != work.csl.get(_NAME_FIELDS[field]):
        return value
    return _escape(written)


_VERBATIM = {"doi", "url", "file", "eprint", "pmid", "pmcid", "pii", "isbn", "issn", "urldate"}


def format_bibtex(works: list[Work], keys: list[str], tags: list[list[str]] | None = None) -> str:
    """`tags` (one list per work): the reader's tags as `keywords` (only when asked).

    The records are written here, not through bibtexparser's Library and writer: building
    its Entry and Field objects and checking the keys again took a fifth of the time of an
    export of 100,000 works, for a layout that is this fixed one (two-space indent, one
    blank line between entries, every value in braces; `citation_keys` made the keys
    unique)."""
    from tui.mapping.printed import is_printed

    out: list[str] = []
    for i, (work, key) in enumerate(zip(works, keys, strict=True)):
        if work.csl and not is_printed(work):
            etype, pairs = record_entry(work)
        else:
            etype, pairs = entry_type(work), fields_of(work)
        if tags is not None and tags[i]:  # beside the record's own keywords, never twice
            mine = _escape(", ".join(tags[i]))
            at = next((j for j, (k, _v) in enumerate(pairs) if k.lower() == "keywords"), None)
            if at is None:
                pairs.append(("keywords", mine))
            else:
                pairs[at] = (pairs[at][0], pairs[at][1] + ", " + mine)
        body = ",\n".join([f"  {k} = {{{v}}}" for k, v in pairs])
        out.append(f"@{etype}{{{key},\n{body}\n}}\n" if pairs else f"@{etype}{{{key},\n}}\n")
    return "\n".join(out).strip()
