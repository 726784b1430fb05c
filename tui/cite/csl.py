"""Citations in any CSL style, one plain-text line per work, by citeproc-js.

The engine is citeproc-js, Zotero's CSL processor (tui.cite.citeproc_js; the choice
and its measurements: docs/CSL-ENGINE.md). What is left here is ours, not the engine's:

- finding the style (a dependent style names its parent) and its locale: the style's
  `default-locale`, else en-US; Cite Them Right is a British guide and loads en-GB;
- the input is a CSL-JSON item (`format_item`); a Work is rendered from its record,
  `csljson.csl_item` (issue 11's lossless record: an item imported from Zotero,
  BibTeX or RIS reaches citeproc-js as the source gave it, so it prints what Zotero
  prints), with our extras only where the record lacks them (`render_data`):
  - `et al.` in the source with only the first authors known (CSL cannot say it): a
    placeholder author is added and printed as "et al."; where the style shortens
    the list itself it disappears like any author. Not when the record's own names
    already end in "et al." (a Zotero item that lists it as a name);
  - for a record we made ourselves from a printed reference (a review page, a GB/T
    string: `tui.mapping.printed`) or from a work's fields, what the printed string
    says and CSL puts elsewhere: a supplement as `supplement-number`, an article
    number as `number`, "04" as 4.
"""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from tui.cite import citeproc_js
from tui.cite.csljson import csl_item, to_csl
from tui.cite.gbt7714 import number
from tui.errors import NotFound, ParseError
from tui.mapping.printed import is_printed
from tui.model import Work
from tui.paths import styles_dir
from tui.sources.latex import is_et_al

CSL_NS = "http://purl.org/net/xbiblio/csl"
# locale to load a style with, where its file names none and en-US would be wrong
STYLE_LOCALES = {"harvard-cite-them-right": "en-GB"}
ET_AL_PLACEHOLDER = "Zzqetalplaceholderzz"
_PLACEHOLDER_RE = re.compile(
    r"\s*[,;]?\s*(?:(?:&|and|und|et|y)\s+)?" + ET_AL_PLACEHOLDER + r"\.?", re.IGNORECASE
)

# styles (file stems) whose CSL handles `supplement-number` / `number` for articles
SUPPLEMENT_NUMBER_STYLES = {
    "apa",
    "american-medical-association",
    "modern-language-association",
    "chicago-author-date",
}
ARTICLE_NUMBER_STYLES = {
    "apa",
    "american-medical-association",
    "chicago-author-date",
    "nlm-citation-sequence",
}
_SUPPLEMENT = re.compile(r"^(?:suppl(?:ement)?|supp|s)\.?\s*(\w+)$", re.IGNORECASE)
# Journals that number articles instead of paging them (BioMed Central, Frontiers,
# MDPI, PLOS, Cochrane, Nature's and eLife's online journals). Our own list: nothing
# in a reference string tells an article number ("30") from a single page ("254").
_ARTICLE_NUMBER_JOURNALS = re.compile(
    r"^(?:BMC\b|Front\b|PLoS\b|Sci Rep$|Nat Commun$|Commun Biol$|eLife$|Cells$|"
    r"Int J Mol Sci$|J Clin Med$|Nutrients$|Cancers(?: \(Basel\))?$|Biomedicines$|"
    r"Molecules$|Int J Environ Res Public Health$|Arthritis Res Ther$|"
    r"Stem Cell Res Ther$|J Transl Med$|Cochrane Database Syst Rev$|Trials$|"
    r"Genome Biol$|Crit Care$|Respir Res$|J Neuroinflammation$|Mol Cancer$|"
    r"J Hematol Oncol$|J Exp Clin Cancer Res$|Orphanet J Rare Dis$)",
    re.IGNORECASE,
)

_lock = threading.RLock()
_cache: dict[str, Style] = {}


@dataclass(frozen=True)
class Style:
    path: Path  # the independent style actually loaded
    xml: str
    lang: str
    numeric: bool


def _parent_id(text: str) -> str:
    m = re.search(r'<link[^>]*rel="independent-parent"[^>]*/?>', text)
    if not m:
        return ""
    href = re.search(r'href="([^"]+)"', m.group(0))
    return href.group(1) if href else ""


def resolve_style_file(path: str | Path) -> Path:
    """The independent style to load for `path` (a dependent style names its parent)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFound(f"style file not found: {p}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ParseError(f"cannot read the style ({e.__class__.__name__})", file=str(p)) from None
    if "<bibliography" in text:
        return p
    parent = _parent_id(text)
    if parent:
        name = parent.rstrip("/").rsplit("/", 1)[-1]
        for candidate in (p.parent / f"{name}.csl", styles_dir() / f"{name}.csl"):
            if candidate.is_file():
                return candidate
        raise NotFound(
            f"{p.name} is a dependent style: put its parent {name}.csl "
            f"(from github.com/citation-style-language/styles) next to it"
        )
    raise ParseError("not a CSL style with a bibliography", file=str(p))


def load_style(path: str | Path) -> Style:
    """The style at `path` (its parent if dependent), checked and cached by path.

    The engine itself is built lazily, at the first work not found in the cache."""
    key = str(path)
    style = _cache.get(key)
    if style is not None:
        return style
    with _lock:
        real = resolve_style_file(path)
        xml = real.read_text(encoding="utf-8-sig")
        try:
            root = ET.fromstring(xml.encode("utf-8"))
        except ET.ParseError as e:
            raise ParseError(f"not a CSL style: {e}", file=str(path)) from None
        if root.tag != f"{{{CSL_NS}}}style" or root.find(f"{{{CSL_NS}}}bibliography") is None:
            raise ParseError("the style has no bibliography", file=str(path))
        lang = STYLE_LOCALES.get(real.stem) or root.get("default-locale") or "en-US"
        category = root.find(f"{{{CSL_NS}}}info/{{{CSL_NS}}}category[@citation-format]")
        numeric = category is not None and category.get("citation-format") == "numeric"
        style = _cache[key] = Style(real, xml, lang, numeric)
        return style


def is_numeric(path: str | Path) -> bool:
    """True for a style whose citations are numbers (`<category citation-format="numeric">`)."""
    return load_style(path).numeric


def build(path: str | Path) -> None:
    """Build the engine for the style now (the app does this in a worker at start)."""
    style = load_style(path)
    citeproc_js.build(style.xml, style.lang)


def format_item(item: dict, path: str | Path) -> str:
    """One CSL-JSON item in the CSL style at `path`: one line of plain text, no number."""
    style = load_style(path)
    text = citeproc_js.render(item, style.xml, style.lang)
    text = " ".join(text.split())
    if ET_AL_PLACEHOLDER in text:
        text = _PLACEHOLDER_RE.sub(", et al.", text)
        text = re.sub(r"([.?!])\.(?!\.)", r"\1", text)  # "et al.."
    return text.strip()


def article_number(work: Work) -> bool:
    """True when `work.pages` is an article number rather than a page.

    One locator, no range, and either an e-locator ("e0173487"), a Cochrane
    review number ("CD011819"), five digits or more (no journal volume has
    100,000 pages: "1108623", "10023"), or any number in a journal known to
    number its articles ("Arthritis Res Ther, 2019, 21(1):30").
    """
    page = work.pages.strip()
    if not page or re.search(r"[-\u2010-\u2015,+ ]", page):
        return False
    if re.fullmatch(r"e\d{3,}|CD\d{6}|\d{5,}", page):
        return True
    return page.isdigit() and bool(_ARTICLE_NUMBER_JOURNALS.match(work.journal.strip()))


def render_data(work: Work, stem: str = "") -> dict:
    """The CSL item citeproc-js is fed for a work in the style file `stem`: its record
    (`csl_item`) as it is, with our extras only where the record lacks them.

    An imported record (CSL-JSON, BibTeX, RIS, a database export) is the source's own
    item: changing it would print something else than Zotero prints from the same
    item, so only the et-al placeholder is added (the record cannot hold "et al.").
    A record made from our flat fields (a printed reference: `tui.mapping.printed`,
    or a work without a record) says in CSL what the printed string says: volume and
    issue as numbers ("04" -> "4"), a supplement as `supplement-number` and an article
    number as `number` where that style prints them. A BibTeX or RIS record gets what
    it lacks from the work's fields (`_file_extras`). docs/CSL-ENGINE.md lists each."""
    d = csl_item(work, id="item")
    if not work.csl or is_printed(work):
        d.pop("custom", None)  # et_al and pii: said below, or printed by no style
        _printed_extras(work, d, stem)
    elif any(k in work.extra for k in _BIBTEX_RIS):
        _file_extras(work, d)
    authors = d.get("author")
    if work.et_al and isinstance(authors, list) and authors and not _ends_et_al(authors):
        d["author"] = [*authors, {"literal": ET_AL_PLACEHOLDER}]
    return d


# what the BibTeX and RIS importers note in `extra` (a CSL-JSON item, a MEDLINE or WoS
# record: `csl_type`, and their record is rendered as it is)
_BIBTEX_RIS = ("entry_type", "ris_type")
# Scopus's and Web of Science's document types, which their BibTeX `type` and RIS `M3`
# carry and the importers keep as CSL `genre`: not a genre a style should print
# ("… hysterons [Article]. Journal of Applied Physics")
_DOCUMENT_TYPES = frozenset(
    ("article", "review", "letter", "editorial", "note", "erratum", "book", "book chapter",
     "conference paper", "conference review", "proceedings paper", "short survey",
     "article in press", "data paper", "retracted", "meeting abstract", "early access")
)  # fmt: skip


def _file_extras(work: Work, d: dict) -> None:
    """A BibTeX or RIS record, where it lacks what the work's fields hold: the fields
    read the file with our own rules (a page from RIS's article-number tags, a
    conference's proceedings from T2, a DOI written as a URL made bare), the record
    with the mapping table's; a style prints the record's variable where it has one."""
    base = to_csl(work, id="item")
    for var in ("title", "container-title", "issued", "volume", "issue", "page",
                "publisher", "publisher-place", "edition", "URL", "accessed"):  # fmt: skip
        if d.get(var) in (None, "", [], {}) and base.get(var):
            d[var] = base[var]
    if work.doi and str(d.get("DOI", "")).strip() != work.doi:
        d["DOI"] = work.doi  # "http://dx.doi.org/10.…": every style adds its own prefix
    if str(d.get("genre", "")).strip().casefold() in _DOCUMENT_TYPES:
        d.pop("genre")


def _printed_extras(work: Work, d: dict, stem: str) -> None:
    if "volume" in d:
        d["volume"] = number(str(d["volume"]))
    supplement = _SUPPLEMENT.match(work.supplement.strip())
    if supplement and stem in SUPPLEMENT_NUMBER_STYLES:
        d["supplement-number"] = supplement.group(1)
        if work.issue.strip():
            d["issue"] = number(work.issue)
        else:
            d.pop("issue", None)
    elif "issue" in d:
        d["issue"] = " ".join(number(x) for x in str(d["issue"]).split(" ", 1))
    if "page" in d and stem in ARTICLE_NUMBER_STYLES and d.get("type") == "article-journal":
        if article_number(work):
            d["number"] = d.pop("page")


def _ends_et_al(names: list) -> bool:
    """Does the record's own name list end in "et al." (Zotero items list it as a name)?"""
    last = names[-1]
    if not isinstance(last, dict):
        return is_et_al(str(last))
    return not last.get("given") and is_et_al(str(last.get("literal") or last.get("family") or ""))


def format_work(work: Work, path: str | Path) -> str:
    """One work in the CSL style at `path`, as one line of plain text without a number."""
    text = format_item(render_data(work, load_style(path).path.stem), path)
    if not text:  # a work with next to no data: better the GB/T line than nothing
        from tui.cite.gbt7714 import format_work as gbt

        text = work.raw or gbt(work)
    return text
