"""Import a BibTeX (.bib) file as a collection of references.

bibtexparser v2 splits the file into blocks (entries, @string, @preamble, comments) and
reports what it cannot parse; it splits author lists and names.  What it does not do,
done here: `#` concatenation and month macros (its ResolveStringReferencesMiddleware only
replaces a whole value that is a single @string name), and decoding only the fields meant
for reading (its LaTeX decoding middleware would also mangle URLs and DOIs).
"""

from __future__ import annotations

import logging
import re

from tui.errors import ParseError
from tui.model import Review, Work
from tui.sources.latex import (
    clean_doi,
    clean_pages,
    finish,
    is_et_al,
    latex_to_text,
    month_of,
    person,
    prepare_text,
    split_supplement,
    year_of,
)

__all__ = ["parse_bibtex", "BIBTEX_TYPES"]

# BibTeX / BibLaTeX entry type -> GB/T 7714 type code ("misc" depends on a URL)
BIBTEX_TYPES = {
    "article": "J",
    "periodical": "J",
    "suppperiodical": "J",
    "book": "M",
    "mvbook": "M",
    "booklet": "M",
    "inbook": "M",
    "bookinbook": "M",
    "suppbook": "M",
    "incollection": "M",
    "suppcollection": "M",
    "collection": "G",
    "mvcollection": "G",
    "reference": "M",
    "inreference": "M",
    "manual": "M",
    "inproceedings": "C",
    "conference": "C",
    "proceedings": "C",
    "mvproceedings": "C",
    "phdthesis": "D",
    "mastersthesis": "D",
    "thesis": "D",
    "techreport": "R",
    "report": "R",
    "patent": "P",
    "standard": "S",
    "newspaper": "N",
    "online": "EB",
    "electronic": "EB",
    "www": "EB",
    "webpage": "EB",
    "dataset": "DS",
    "data": "DS",
    "software": "CP",
    "unpublished": "Z",
    "misc": "Z",
}

# (entry type, entrysubtype) -> GB/T 7714 type code: BibLaTeX's newspaper article,
# and the subtypes tui.cite.bibtex writes for a database and an archive
_SUBTYPES = {
    ("article", "newspaper"): "N",
    ("dataset", "database"): "DB",
    ("misc", "archive"): "A",
}

# entry types whose container is a book or proceedings named in `booktitle`
_IN_BOOK = {"inbook", "incollection", "inproceedings", "conference", "bookinbook", "inreference"}

_MONTH_MACROS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}

# fields read into Work attributes (everything else goes to Work.extra)
_CONSUMED = {
    "author",
    "editor",
    "title",
    "journal",
    "journaltitle",
    "booktitle",
    "year",
    "date",
    "volume",
    "number",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pii",
    "url",
    "publisher",
    "school",
    "institution",
    "organization",
    "address",
    "location",
    "edition",
    "urldate",
}
# fields whose text is an identifier or address, not prose: never LaTeX-decoded
_VERBATIM = {"doi", "url", "file", "eprint", "pmid", "pmcid", "pii", "isbn", "issn", "urldate"}


def parse_bibtex(text: str, *, source: str = "") -> tuple[Review, list[Work]]:
    """Read a .bib file: one collection, one reference per entry, in file order."""
    import bibtexparser
    from bibtexparser import model as bm

    original = text
    text = prepare_text(text, source, "BibTeX")
    # bibtexparser logs each block it cannot parse; we report the first one ourselves,
    # in one line, so its log records must not reach the terminal.
    log = logging.getLogger("bibtexparser")
    level, log.level = log.level, logging.CRITICAL
    try:
        library = bibtexparser.parse_string(text, parse_stack=[])
    except Exception as exc:  # the splitter should report, not raise; be safe
        raise ParseError(f"cannot read as BibTeX ({_one_line(str(exc))})", file=source) from None
    finally:
        log.setLevel(level)

    strings: dict[str, str] = {}
    entries: list[tuple] = []  # (entry, its fields resolved, notes)
    warnings: list[str] = []
    for block in library.blocks:
        line = f"line {(block.start_line or 0) + 1}"
        if isinstance(block, bm.DuplicateBlockKeyBlock):
            dup = block.ignore_error_block
            if isinstance(dup, bm.String):
                warnings.append(f"{line}: @string {dup.key!r} defined again; the later one wins")
                strings[dup.key.lower()], _ = _resolve(dup.value, strings)
                continue
            block = dup  # an entry with a key used before: kept, renamed in finish()
        elif isinstance(block, bm.DuplicateFieldKeyBlock):
            warnings.append(
                f"{line}: field(s) {', '.join(sorted(block.duplicate_keys))} given twice;"
                " the first value is used"
            )
            block = block.ignore_error_block
        elif isinstance(block, bm.ParsingFailedBlock):
            raise ParseError(_failure(block), file=source, place=line)

        if isinstance(block, bm.String):
            strings[block.key.lower()], _ = _resolve(block.value, strings)
        elif isinstance(block, bm.Entry):
            entries.append((block, *_fields(block, strings)))
        elif isinstance(block, bm.ImplicitComment):
            _check_stray_braces(block.comment, source, line)
    if not entries:
        raise ParseError("no BibTeX entries found (nothing like @article{key, ...})", file=source)
    _inherit(entries)
    works = [_work(entry, fields, notes) for entry, fields, notes in entries]
    return finish(original, source, works, warnings=warnings)


# ---------------------------------------------------------------- errors


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 160 else text[:157] + "..."


def _failure(block) -> str:
    m = re.match(r"@\s*([A-Za-z]\w*)", block.raw or "")
    what = f"@{m.group(1)} entry" if m else "entry"
    reason = getattr(block.error, "abort_reason", None) or str(block.error)
    reason = _one_line(reason)
    if "end of file" in reason:
        return f"{what} is never closed: unbalanced braces or quotes before the end of the file"
    if "Unexpected block start" in reason:
        return f"{what} is not closed (unbalanced braces or quotes) before the next '@'"
    if not m:
        return f"'@' not followed by an entry type ({reason.rstrip('.')})"
    return f"malformed {what}: {reason}"


def _check_stray_braces(comment: str, source: str, line: str) -> None:
    """Text between entries is a comment to BibTeX, but a stray '}' there means braces
    inside an entry above did not balance; importing would silently lose fields."""
    depth = 0
    for ch in comment:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise ParseError(
                    "unbalanced braces: a '}' outside any entry (one too many above?)",
                    file=source,
                    place=line,
                )


# ---------------------------------------------------------------- values


def _resolve(raw, strings: dict[str, str]) -> tuple[str, list[str]]:
    """A field's raw text to its value: {..} and ".." pieces, numbers, @string names
    and month macros, joined by '#'.  Unknown names are kept as written."""
    if not isinstance(raw, str):
        return str(raw), []
    parts: list[str] = []
    warnings: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        while i < n and raw[i].isspace():
            i += 1
        if i >= n:
            break
        c = raw[i]
        if c == "{":
            j = _closing(raw, i, "{")
            parts.append(raw[i + 1 : j])
            i = j + 1
        elif c == '"':
            j = _closing(raw, i, '"')
            parts.append(raw[i + 1 : j])
            i = j + 1
        else:
            m = re.match(r"[^\s#]+", raw[i:])
            token = m.group(0) if m else raw[i:]
            low = token.lower()
            if token.isdigit():
                parts.append(token)
            elif low in strings:
                parts.append(strings[low])
            elif low in _MONTH_MACROS:
                parts.append(_MONTH_MACROS[low])
            else:
                parts.append(token)
                warnings.append(f"undefined @string {token!r}")
            i += len(token)
        while i < n and raw[i].isspace():
            i += 1
        if i < n:
            if raw[i] == "#":
                i += 1
            else:  # not a well-formed concatenation: keep the rest as it is
                parts.append(raw[i:])
                break
    return "".join(parts), warnings


def _closing(raw: str, start: int, opener: str) -> int:
    """Index of the character closing the group opened at raw[start] (or the end)."""
    depth = 0
    for k in range(start + 1, len(raw)):
        ch = raw[k]
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0 and opener == "{":
                return k
            depth -= 1
        elif ch == '"' and opener == '"' and depth == 0:
            return k
    return len(raw)


def _verbatim(value: str) -> str:
    """A URL or DOI as written, without BibTeX escapes and protective braces."""
    value = re.sub(r"\\url\{([^}]*)\}", r"\1", value)
    value = re.sub(r"\\([_%&#$~])", r"\1", value)
    return " ".join(value.replace("{", "").replace("}", "").split())


def _names(value: str) -> tuple[list[str], list[str], bool]:
    """An author/editor list: (as printed, in full "Family, Given", ends with 'and others')."""
    from bibtexparser.middlewares.names import (
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    printed: list[str] = []
    full: list[str] = []
    et_al = False
    try:
        names = split_multiple_persons_names(value)
    except Exception:
        names = re.split(r"\s+and\s+", value)
    for name in names:
        name = " ".join(name.split())
        if not name:
            continue
        if is_et_al(latex_to_text(name)):
            et_al = True
            continue
        plain = latex_to_text(name)
        if "," not in name and _cjk_name(plain):
            shown, whole = person("", literal=plain.replace(" ", ""))
        elif (
            name.startswith("{") and name.endswith("}") and _closing(name, 0, "{") == len(name) - 1
        ):
            shown, whole = person("", literal=plain)  # {World Health Organization}
        else:
            try:
                parts = parse_single_name_into_parts(name, strict=False)
                family = latex_to_text(" ".join(parts.last))
                given = latex_to_text(" ".join(parts.first))
                particle = latex_to_text(" ".join(parts.von))
            except Exception:
                family, given, particle = plain, "", ""
            shown, whole = person(family, given, particle=particle)
        if shown:
            printed.append(shown)
            full.append(whole)
    return printed, full, et_al


def _cjk_name(name: str) -> bool:
    from tui.model import has_cjk

    return bool(name) and all(has_cjk(ch) or ch.isspace() or ch in "·•" for ch in name)


# ---------------------------------------------------------------- one entry


def _fields(entry, strings: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    fields: dict[str, str] = {}
    notes: list[str] = []
    for f in entry.fields:
        key = f.key.strip().lower()
        if key in fields:
            continue
        value, warn = _resolve(f.value, strings)
        fields[key] = value
        notes.extend(f"{entry.key}: {key}: {w}" for w in warn)
    return fields, notes


def _inherit(entries: list[tuple]) -> None:
    """`crossref = {parent}`: a paper takes the fields it lacks from its proceedings or
    book (BibTeX's rule), the parent's title becoming its booktitle."""
    by_key = {entry.key.lower(): fields for entry, fields, _ in entries}
    for entry, fields, notes in entries:
        parent_key = fields.get("crossref", "").strip().lower()
        if not parent_key:
            continue
        parent = by_key.get(parent_key)
        if parent is None or parent is fields:
            notes.append(f"{entry.key}: crossref {parent_key!r} not found in the file")
            continue
        for key, value in parent.items():
            if key == "title":
                fields.setdefault("booktitle", value)
            elif key not in ("crossref", "ids", "entrysetfield"):
                fields.setdefault(key, value)


def _work(entry, fields: dict[str, str], notes: list[str]) -> Work:

    def text(*names: str) -> str:
        for name in names:
            if fields.get(name, "").strip():
                return latex_to_text(fields[name])
        return ""

    etype = entry.entry_type.lower()
    url = _verbatim(fields.get("url", ""))
    if not url and "\\url" in fields.get("howpublished", ""):
        url = _verbatim(re.search(r"\\url\{([^}]*)\}", fields["howpublished"]).group(1))
    type_code = BIBTEX_TYPES.get(etype, "Z")
    subtype = fields.get("entrysubtype", "").strip("{} ").lower()
    if (etype, subtype) in _SUBTYPES:  # how our exporter (and BibLaTeX) says N, DB, A
        type_code = _SUBTYPES[(etype, subtype)]
    elif etype in ("misc", "unpublished") and url:
        type_code = "EB"

    authors, authors_full, et_al = _names(fields.get("author", ""))
    editors, editors_full, _ = _names(fields.get("editor", ""))
    if etype in _IN_BOOK:
        container = text("booktitle", "journal", "journaltitle")
    else:
        container = text("journal", "journaltitle")
        if not container and etype not in ("book", "proceedings", "collection", "mvbook"):
            container = text("booktitle")

    pmid = _verbatim(fields.get("pmid", ""))
    if not pmid and fields.get("eprinttype", "").strip("{} ").lower() == "pubmed":
        pmid = _verbatim(fields.get("eprint", ""))
    publisher = text("publisher")
    if not publisher:
        publisher = text("school", "institution", "organization")

    extra: dict = {"entry_type": etype}
    for key, value in fields.items():
        if key in _CONSUMED or not value.strip():
            continue
        if key == "month":
            extra["month"] = month_of(latex_to_text(value))
        elif key in _VERBATIM:
            extra[key] = _verbatim(value)
        else:
            extra[key] = latex_to_text(value)
    for key in ("school", "institution", "organization", "location"):
        if fields.get(key, "").strip() and publisher != text(key):
            extra[key] = text(key)
    if authors_full:
        extra["authors_full"] = authors_full
    if editors_full:
        extra["editors_full"] = editors_full

    year = year_of(fields.get("year", "")) or year_of(fields.get("date", ""))
    if "date" in fields and fields["date"].strip():
        extra["date"] = _verbatim(fields["date"])
    accessed = _verbatim(fields.get("urldate", ""))
    issue, supplement = split_supplement(text("number", "issue"))
    title = text("title")
    if not title and etype in ("book", "mvbook", "collection", "mvcollection", "proceedings"):
        title = text("booktitle")  # JabRef writes a collection's own title there
    return Work(
        key=entry.key.strip(),
        authors=authors,
        et_al=et_al,
        title=title,
        type=type_code,
        journal=container,
        year=year,
        volume=text("volume"),
        issue=issue,
        supplement=supplement,
        pages=clean_pages(text("pages")),
        doi=clean_doi(_verbatim(fields.get("doi", ""))),
        pmid=pmid,
        pii=_verbatim(fields.get("pii", "")),
        url=url,
        accessed=accessed,
        publisher=publisher,
        place=text("address", "location"),
        edition=text("edition"),
        editors=editors,
        lang=_lang_hint(fields),
        raw=entry.raw or "",
        extra=extra,
        warnings=notes,
    )


def _lang_hint(fields: dict[str, str]) -> str:
    return latex_to_text(fields.get("langid", "") or fields.get("language", "")) or "en"
