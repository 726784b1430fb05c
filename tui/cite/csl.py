"""Citations in any CSL style through citeproc-py, one plain-text line per work.

citeproc-py does the work; this module loads and caches styles and mends the
gaps of citeproc-py 0.11 that show in our data (each one is tested):

- the bibliography's citation number is removed from the style at load time, so
  numeric styles (AMA, Vancouver) do not glue it to the text ("1.Teske");
- CJK names reach it as literal names (see csljson.to_csl);
- it ignores the locale's punctuation-in-quote, so for en-US styles (MLA,
  Chicago) ".”" / ",”" are put back inside the closing quote ourselves;
- looking up a macro is an XPath search over the whole style each time, which
  makes Chicago's large style take ~60 ms per item; that and two other pure
  look-ups are memoised per style element (a small patch of citeproc's element
  classes, `_patch_citeproc`), bringing Chicago to ~10 ms; so are locale terms,
  locale options and date formats (XPath searches too), an `<if type>`'s split
  attribute and each item's reference, which halves the time again (profiled
  with cProfile: the per-item cost is rendering, not setting up a
  CitationStylesBibliography, which takes microseconds);
- `et al.` in the source with only the first authors known: CSL has no way to
  say so, so a placeholder author is added and rendered as "et al."; where the
  style shortens the list itself (Harvard, MLA) it disappears like any author;
  APA 7 (§9.8) never writes "et al." in a reference (up to 20 authors, then
  the first 19, ". . ." and the last). With three names known and the rest
  not, every APA-shaped output is false: the three alone claim the list is
  complete, and ". . ." claims 21 or more authors and needs a last one. We
  print "Jerjen, R., Nikpour, M., Krieg, T., et al.", which says exactly what
  is known and shows the writer which reference to complete. MLA 9 (§2.1.2)
  shortens three or more authors to the first and "et al." itself;
- Cite Them Right is a British guide: it is loaded with the en-GB locale.
- citeproc-py ignores `initialize="false"` on a name, so MLA and Chicago (which
  print given names in full) turned "Lin, Ruilian" into "Lin, R."; patched;
- title case (MLA, Chicago): citeproc-py capitalises only the first letter of
  each space-separated word and knows only CSL's short stop-word list, giving
  "Vs", "Per", "Before", "Treatment-related", "Stem/stromal". `_title_case`
  replaces it (CMOS 18 §8.159-161, MLA 9 §2.90-91): every preposition, "vs" and
  "versus" lower case, the last word capitalised, each element of a hyphenated
  compound or a slash pair capitalised, except (Chicago only) after a prefix
  that is not a word ("Non-myeloablative", "Anti-inflammatory");
- APA 7 (§6.17) writes titles in sentence case with the first word of a
  subtitle capitalised: "Morphea: The 2023 update";
- supplements go to CSL's `supplement-number` for the styles that print it
  (APA "9(Suppl. 1)", AMA "9(suppl 1)", MLA "vol. 9, supp. 1", Chicago "9
  (supp. 1)"); Citing Medicine writes a volume supplement "9 Suppl 1:P77"
  and an issue supplement "9(2 Suppl 1)"; Cite Them Right's style drops
  `supplement-number`, so it gets "9(Suppl 1)";
- article numbers (see `article_number`) go to CSL's `number`, which the styles
  print where the pages go ("10:1108623") and APA as "Article 1108623"; Cite
  Them Right's style drops `number`, so it gets them as pages without "p."
  (its template: "Volume(Issue), page range or article number"); MLA's prints
  `number` as an issue ("no. 3075" after "no. 19"), so there the page label
  becomes MLA's label for the location, "article 1108623", like "p."/"pp.";
- page-range-format: citeproc-py's abbreviation drops digits of a second
  number longer than the first (Vancouver "1-0" for 1-10, MLA "5–2" for
  5-12); ours (tui.cite.pagerange, CSL 1.0.2 Appendix V) replaces it;
- Vancouver: the NLM style runs the DOI into the PMID ("doi:10.1/x PubMed
  PMID: 1."); Citing Medicine writes "doi: 10.1/x. PubMed PMID: 1." (`_nlm_doi`).

Parsed styles are cached for the life of the process (loading takes a few ms,
formatting one item after that 1.5-4 ms; see bench/bench_cite.py).
"""

from __future__ import annotations

import re
import threading
import warnings
from pathlib import Path

from tui.cite.csljson import RENDER_TYPES, to_csl
from tui.cite.gbt7714 import number, pages
from tui.errors import NotFound, ParseError, ReadingListError
from tui.model import Work, has_cjk
from tui.paths import styles_dir

CSL_NS = "http://purl.org/net/xbiblio/csl"
_NS = {"cs": CSL_NS}
# locale to load a style with, where its file names none and en-US would be wrong
STYLE_LOCALES = {"harvard-cite-them-right": "en-GB"}
# Citing Medicine joins page ranges with a hyphen ("284-7") where citeproc-py uses
# the locale's en dash, and citeproc-py ignores the delimiter of the style's own
# date format ("[cited 2013Mar8]" for "[cited 2013 Mar 8]")
NLM_FIXES = {"nlm-citation-sequence"}
_NLM_DATE = re.compile(r"\b(\d{4})([A-Z][a-z]{2})(\d{1,2})?\b")
ET_AL_PLACEHOLDER = "Zzqetalplaceholderzz"

_cache: dict[str, object] = {}
_stems: dict[str, str] = {}
_keepalive: dict[
    str, list
] = {}  # every element of each cached style (see _patch_citeproc)  # style path -> name of the file actually loaded (a parent)
_lock = threading.RLock()
_patched = False

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
# styles whose CSL prints an article number given as `number` as an issue ("no.")
# or not at all: it goes in as a page, and the page label is replaced
_ARTICLE_LABEL = {"harvard-cite-them-right": "", "modern-language-association": "article "}
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

_PLACEHOLDER_RE = re.compile(
    r"\s*[,;]?\s*(?:(?:&|and|und|et|y)\s+)?" + ET_AL_PLACEHOLDER + r"\.?", re.IGNORECASE
)
_NUMBER_PREFIX = re.compile(r"^\s*(?:\[\d+\]|\d+\.)\s*")


def _patch_citeproc() -> None:
    """Memoise three pure look-ups of citeproc-py's style elements (see module doc).

    `get_macro` (an XPath search over the whole style), `get_layout` (an XPath
    search up the tree) and `calls_variable` (a walk of the element's subtree)
    depend only on the style, never on the item. Results are kept per element;
    every element of a cached style is kept alive (`_keepalive`), so lxml hands
    out the same Python object for it and the identity check below holds.
    """
    global _patched
    if _patched:
        return
    import citeproc.model as model

    def memo(original, key_arg=False):
        table: dict[tuple, tuple[object, object]] = {}

        if key_arg:

            def wrapper(self, name):
                root = self.get_root()
                entry = table.get((id(root), name))
                if entry is None or entry[0] is not root:
                    entry = table[(id(root), name)] = (root, original(self, name))
                return entry[1]

        else:

            def wrapper(self):
                entry = table.get((id(self),))
                if entry is None or entry[0] is not self:
                    entry = table[(id(self),)] = (self, original(self))
                return entry[1]

        return wrapper

    original_case = model.TextCased.case

    def case(self, text, language=None):
        if self.get("text-case") != "title" or language != "en":
            return original_case(self, text, language)
        return _title_case(text, prefix_rule=_root_stem(self).startswith("chicago"))

    model.TextCased.case = case

    original_initialize = model.Name.initialize

    def initialize(self, given, mark, context):
        if self.get("initialize", "true").lower() != "false":
            return original_initialize(self, given, mark, context)
        # CSL 1.0.1 `initialize="false"`: full given names stay, only initials
        # already there get the style's punctuation ("John A" -> "John A.")
        point = mark.strip()
        return " ".join(
            w[0] + point if re.fullmatch(r"[^\W\d_]\.?", w) and w[0].isupper() else w
            for w in given.split()
        )

    model.Name.initialize = initialize

    # page ranges: citeproc-py's abbreviation is wrong for a second number longer
    # than the first ("1-0" for 1-10); ours follows CSL 1.0.2 (see pagerange.py)
    from tui.cite.pagerange import last_page

    def _format_last_page(self, first, last):
        return last_page(first, last, self.get_root().get_option("page-range-format"))

    model.FormatNumber._format_last_page = _format_last_page
    model.CitationStylesElement.get_macro = memo(model.CitationStylesElement.get_macro, True)
    model.CitationStylesElement.get_layout = memo(model.CitationStylesElement.get_layout)
    model.Parent.calls_variable = memo(model.Parent.calls_variable)
    model.Text.calls_variable = memo(model.Text.calls_variable)
    # more pure look-ups: locale options and date formats (per style and name),
    # "is this date inside a locale" and a names element's substitute (per element)
    model.CitationStylesElement.get_locale_option = memo(
        model.CitationStylesElement.get_locale_option, True
    )
    model.CitationStylesElement.get_date = memo(model.CitationStylesElement.get_date, True)
    model.Date.is_locale_date = memo(model.Date.is_locale_date)
    model.Names.substitute = memo(model.Names.substitute)

    # the locale term look-up is an XPath search each time (a third of the calls
    # to lxml while rendering); it depends on the style and the arguments only
    get_term = model.CitationStylesElement.get_term
    terms: dict[tuple, tuple[object, object]] = {}

    def cached_term(self, name, form=None, fallback_locale=True, zero_padded=False):
        root = self.get_root()
        key = (id(root), name, form, fallback_locale, zero_padded)
        entry = terms.get(key)
        if entry is None or entry[0] is not root:
            term = get_term(self, name, form, fallback_locale, zero_padded)
            entry = terms[key] = (root, term)
        return entry[1]

    model.CitationStylesElement.get_term = cached_term

    # <if type="…">: the attribute split once per element, not once per test
    types: dict[int, tuple[object, list[str]]] = {}

    def _type(self, item):
        entry = types.get(id(self))
        if entry is None or entry[0] is not self:
            entry = types[id(self)] = (self, [t.lower() for t in self.get("type").split()])
        kind = item.reference.type
        return [t == kind for t in entry[1]]

    model.If._type = _type

    # item.reference walks item -> citation -> bibliography -> source each time
    # (hundreds of times per item): keep it on the item
    from citeproc.source import CitationItem

    def reference(self):
        try:
            return dict.__getitem__(self, "_tui_reference")
        except KeyError:
            ref = self.bibliography.source[self.key]
            dict.__setitem__(self, "_tui_reference", ref)
            return ref

    CitationItem.reference = property(reference)
    _patched = True


# Title case (our own: citeproc-py's is CSL's minimum, see the module doc).
# CSL's stop words plus the prepositions CMOS 18 §8.159 and MLA 9 §2.91 also
# lower-case, whatever their length.
MINOR_WORDS = frozenset(
    "a an and as at but by down for from in into nor of on onto or over so the till to up "
    "via with yet about above across after against along amid among around before behind "
    "below beneath beside besides between beyond despite during except inside near outside "
    "per through throughout toward towards under underneath unlike until upon versus vs vs. "
    "v v. within without".split()
)
# CMOS 18 §8.161 rule 3: the element after a prefix that is not a word stays lower case
PREFIXES = frozenset(
    "anti bi co counter de extra hyper hypo inter intra macro micro mid mini multi neo non "
    "post pre pro pseudo re semi sub super trans tri ultra un".split()
)
_root_stems: dict[int, str] = {}  # id of a cached style's root element -> its file stem
_WORD_PARTS = re.compile(r"([-/\u2010\u2011])")
_CORE = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


def _root_stem(element) -> str:
    return _root_stems.get(id(element.get_root()), "")


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def _title_word(word: str, *, force: bool, prefix_rule: bool) -> str:
    """One space-separated word: "treatment-related" -> "Treatment-Related"."""
    parts = _WORD_PARTS.split(word)
    out: list[str] = []
    prev = ""
    for i, part in enumerate(parts):
        if i % 2:  # a separator
            out.append(part)
            continue
        lead, core, tail = _CORE.match(part).groups()
        if core.islower():
            key = core.lower()
            if i == 0:
                up = force or key not in MINOR_WORDS
            elif parts[i - 1] == "/":
                up = key not in MINOR_WORDS
            else:
                up = key not in MINOR_WORDS and not (prefix_rule and prev.lower() in PREFIXES)
            if up:
                core = _cap(core)
        out.append(lead + core + tail)
        prev = core
    return "".join(out)


def _title_case(text, *, prefix_rule: bool = False) -> str:
    """Title case a citeproc-py string: first and last words and the first word
    after a colon or full stop always capitalised, minor words lower case."""
    from citeproc.string import NoCase

    words = list(text.words())
    output = []
    prev = ":"
    for i, word in enumerate(words):
        if isinstance(word, NoCase):
            output.append(word)
        else:
            force = prev in (":", ".", "?", "!") or i == len(words) - 1
            output.append(
                word.__class__(_title_word(str(word), force=force, prefix_rule=prefix_rule))
            )
        prev = str(word)[-1:]
    return " ".join(output)


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


def load_style(path: str | Path):
    """A parsed citeproc-py style, cached by path; number removed from the bibliography."""
    key = str(path)
    style = _cache.get(key)
    if style is not None:
        return style
    with _lock:
        style = _cache.get(key)
        if style is not None:
            return style
        _patch_citeproc()
        from citeproc import CitationStylesStyle

        real = resolve_style_file(path)
        locale = STYLE_LOCALES.get(real.stem)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                style = CitationStylesStyle(str(real), locale=locale, validate=False)
        except Exception as e:  # lxml syntax errors, unknown locales, bad CSL
            msg = str(e).splitlines()[0] if str(e) else e.__class__.__name__
            raise ParseError(f"citeproc-py cannot load this style: {msg}", file=str(path)) from None
        if style.root.bibliography is None:
            raise ParseError("the style has no bibliography", file=str(path))
        _strip_citation_number(style)
        if real.stem in NLM_FIXES:
            _nlm_doi(style)
        _keepalive[key] = list(style.root.iter())
        _root_stems[id(style.root)] = real.stem
        _stems[key] = real.stem
        _cache[key] = style
        return style


def is_numeric(path: str | Path) -> bool:
    """True for a style whose citations are numbers (`<category citation-format="numeric">`)."""
    style = load_style(path)
    found = style.root.xpath(".//cs:info/cs:category/@citation-format", namespaces=_NS)
    return "numeric" in found


def _strip_citation_number(style) -> None:
    """Remove the citation number from everything the bibliography renders."""
    root = style.root
    for el in root.xpath(".//cs:text[@variable='citation-number']", namespaces=_NS):
        if el.xpath("ancestor::cs:citation", namespaces=_NS):
            continue
        el.getparent().remove(el)
    bib = root.bibliography
    if bib.get("second-field-align") is not None:
        del bib.attrib["second-field-align"]


def _nlm_doi(style) -> None:
    """Citing Medicine's DOI: "…;19(1):165. doi: 10.1186/x. PubMed PMID: 28724445."

    nlm-citation-sequence.csl prints `doi:` glued to the DOI and no full stop
    after it, so the PMID that follows runs on ("doi:10.1186/x PubMed PMID: 1").
    Citing Medicine (and PubMed's own NLM citations) end every element with a
    full stop and write "doi: 10.…"; patched in the parsed style.
    """
    for el in style.root.xpath(".//cs:text[@variable='DOI']", namespaces=_NS):
        if el.get("prefix", "").strip().lower() == "doi:":
            el.set("prefix", "doi: ")
            el.set("suffix", ".")


def _punctuation_in_quote(style) -> bool:
    try:
        return style.root.get_locale_option("punctuation-in-quote").lower() == "true"
    except Exception:
        return False


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


def _capitalise_subtitle(title: str) -> str:
    """APA 7 §6.17: "Morphea: the 2023 update" -> "Morphea: The 2023 update"."""
    return re.sub(r"(: +)([a-z])", lambda m: m.group(1) + m.group(2).upper(), title)


def render_data(work: Work, stem: str = "") -> dict:
    """The CSL item given to citeproc-py for the style file `stem`: numbers as
    numbers, supplements and article numbers where that style wants them, the
    et-al placeholder."""
    d = to_csl(work, id="item")
    d["type"] = RENDER_TYPES.get(d["type"], d["type"])
    d.pop("custom", None)
    if "volume" in d:
        d["volume"] = number(d["volume"])
    supplement = _SUPPLEMENT.match(work.supplement.strip())
    if supplement and stem in SUPPLEMENT_NUMBER_STYLES:
        d["supplement-number"] = supplement.group(1)
        if work.issue.strip():
            d["issue"] = number(work.issue)
        else:
            d.pop("issue", None)
    elif "issue" in d:
        d["issue"] = " ".join(number(x) for x in d["issue"].split(" ", 1))
    if "page" in d:
        d["page"] = pages(d["page"])
        if (
            stem in ARTICLE_NUMBER_STYLES
            and d["type"] == "article-journal"
            and article_number(work)
        ):
            d["number"] = d.pop("page")
    if stem == "apa" and "title" in d:
        d["title"] = _capitalise_subtitle(d["title"])
    if work.et_al and d.get("author"):
        d["author"] = [*d["author"], {"literal": ET_AL_PLACEHOLDER}]
    return d


def clean(text: str, *, piq: bool, strip_number: bool) -> str:
    text = " ".join(text.split())
    if strip_number:
        text = _NUMBER_PREFIX.sub("", text, count=1)
    text = _PLACEHOLDER_RE.sub(", et al.", text)
    if piq:
        text = re.sub(r"”([.,])", r"\1”", text)
    text = re.sub(r"([.?!])\.(?!\.)", r"\1", text)  # "et al.." / "morphea?."
    text = re.sub(r"\.\s+\.", ".", text)
    text = re.sub(r"\s+([.,])", r"\1", text)
    return text.strip()


def _drop_repeated_title(text: str, title: str) -> str:
    """A work without authors: the style puts the title first in their place, and
    citeproc-py, unlike the CSL specification, prints it again where it would go."""
    found = list(re.finditer(re.escape(title.rstrip(".")), text, re.IGNORECASE))
    if len(found) < 2:
        return text
    m = found[1]
    start, end = m.start(), m.end()
    if start and text[start - 1] in "“‘\"'":
        start -= 1
    while end < len(text) and text[end] in ".”’\"',":
        end += 1
    while end < len(text) and text[end] == " ":
        end += 1
    return (text[:start] + text[end:]).strip()


def _two_literal_authors(text: str, authors: list[dict]) -> str:
    """ "王丽宁, & 胡炯" -> "王丽宁 & 胡炯".

    The comma before "&"/"and" with two authors exists because the first name is
    inverted ("Teske, N., & Fett, N."); CJK names are never inverted, so it goes.
    """
    if len(authors) != 2 or not all("literal" in a and has_cjk(a["literal"]) for a in authors):
        return text
    first, second = (a["literal"] for a in authors)
    m = re.match(f"{re.escape(first)}, (&|and) {re.escape(second)}", text)
    if not m:
        return text
    return f"{first} {m.group(1)} {second}" + text[m.end() :]


def format_work(work: Work, path: str | Path) -> str:
    """One work in the CSL style at `path`, as one line of plain text without a number."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    style = load_style(path)
    stem = _stems.get(str(path), Path(path).stem)
    data = render_data(work, stem)
    with _lock:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                bib = CitationStylesBibliography(style, CiteProcJSON([data]), formatter.plain)
                bib.register(Citation([CitationItem("item")]))
                rendered = bib.bibliography()
        except Exception as e:
            raise ReadingListError(
                f"style {Path(path).stem} cannot format {work.local_id}: "
                f"{e.__class__.__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            ) from None
    text = str(rendered[0]) if rendered else ""
    p = Path(path)
    text = clean(text, piq=_punctuation_in_quote(style), strip_number=p.parent != styles_dir())
    text = _two_literal_authors(text, data.get("author", []))
    if not data.get("author") and work.title.strip():
        text = _drop_repeated_title(text, work.title.strip())
    if stem in NLM_FIXES:
        text = re.sub(r":(\w+)–(\w+)", r":\1-\2", text)
        text = _NLM_DATE.sub(lambda m: " ".join(g for g in m.groups() if g), text)
        if work.supplement.strip() and not work.issue.strip() and data.get("volume"):
            # Citing Medicine: a volume supplement is "2011;9 Suppl 1:P77"
            text = text.replace(
                f";{data['volume']}({data['issue']}):", f";{data['volume']} {data['issue']}:", 1
            )
    if stem in _ARTICLE_LABEL and "page" in data and article_number(work):
        label = _ARTICLE_LABEL[stem]
        text = re.sub(rf"\bpp?\. (?={re.escape(data['page'])}\b)", label, text, count=1)
    if not text:  # a work with next to no data: better the GB/T line than nothing
        from tui.cite.gbt7714 import format_work as gbt

        text = work.raw or gbt(work)
    return text
