"""Import a BibTeX (.bib) file as a collection of references.

The file is split into blocks (entries, @string, @preamble, @comment) by `_split`, a
linear splitter written here to bibtexparser 2.1's rules (see the note above it: its own
splitter is slow and unbounded on damaged files); bibtexparser still splits and parses
names that are braced or escaped.  Also done here: `#` concatenation and month macros,
and LaTeX decoding of only the fields meant for reading (a URL or DOI stays as written).
"""

from __future__ import annotations

import re

from tui.errors import ParseError
from tui.mapping.bibtex import bibtex_to_csl
from tui.model import CJK_CLASS, Review, Work
from tui.sources.latex import (
    _LATEX_CHARS,
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
from tui.sources.limits import (
    EXPANSION_FACTOR,
    MAX_BRACE_DEPTH,
    MAX_FIELD_CHARS,
    brace_depth_over,
    check_records,
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
    original = text
    text = prepare_text(text, source, "BibTeX")
    strings: dict[str, str] = {}
    entries: list[tuple] = []  # (entry, its fields resolved, notes)
    warnings: list[str] = []
    # what macros may add to the file in all: @string names that double each other
    # would otherwise make gigabytes out of a few hundred bytes
    budget = [EXPANSION_FACTOR * len(text) + MAX_FIELD_CHARS]
    empty = 0
    blocks = []  # split all first: a damaged structure is reported before a field's size
    for block in _split(text, source):
        if block[0] == "empty":
            empty += block[1]
            continue
        if block[0] == "entry":
            if not block[1].fields:  # @misc{key}: nothing to import, nothing to keep
                empty += 1
                continue
            check_records(len(blocks) + 1, source, f"line {block[1].line}", "entries")
        blocks.append(block)
    for block in blocks:
        kind = block[0]
        if kind == "string":
            _, key, value, line = block
            low = key.lower()
            if low in strings:
                warnings.append(f"line {line}: @string {key!r} defined again; the later one wins")
            try:
                strings[low], _ = _resolve(value, strings, budget)
            except _TooLong as exc:
                raise ParseError(
                    f"@string {key!r} {exc.why}", file=source, place=f"line {line}"
                ) from None
        else:
            entry = block[1]
            try:
                fields, notes, twice = _fields(entry, strings, budget)
            except _TooLong as exc:
                raise ParseError(
                    f"entry {entry.key!r}: field {exc.field!r} {exc.why}",
                    file=source,
                    place=f"line {entry.line}",
                ) from None
            if twice:
                warnings.append(
                    f"line {entry.line}: field(s) {', '.join(sorted(twice))} given twice;"
                    " the first value is used"
                )
            entries.append((entry, fields, notes))
    if not entries:
        what = f" ({empty} without fields)" if empty else " (nothing like @article{key, ...})"
        raise ParseError(f"no BibTeX entries found{what}", file=source)
    if empty:
        warnings.append(f"{empty} entries without any field skipped")
    _inherit(entries)
    people = _People()
    works = [_work(entry, fields, notes, people) for entry, fields, notes in entries]
    return finish(original, source, works, warnings=warnings)


# ---------------------------------------------------------------- splitting
#
# Written here rather than using bibtexparser's splitter (bibtexparser.parse_string):
# its pure-Python scanner visits every brace, quote, comma and newline through several
# method calls (a quarter of a 100,000-entry import), keeps splitting after the first
# damaged block (an unclosed `@article{x` repeated over 49 MB took minutes and 6 GB),
# and walks a file of `{` lines mark by mark (66 s for 50 MB).  This splitter follows
# the same rules as bibtexparser 2.1 (same blocks, keys and raw values; a `{`, `}` or
# `"` after a backslash is not a delimiter; in "..." braces do not count and {"} is a
# quote; an `@type{` at the start of a line ends an entry that is still open), but jumps
# between delimiters with str.find/str.count and compiled regexes, handles the common
# `key = {value},` with one regex match, and stops at the first error: every step is
# linear in the text.


class _Entry:
    """One @type{key, field = value, ...} block as written."""

    __slots__ = ("entry_type", "key", "fields", "raw", "line")

    def __init__(self, entry_type: str, key: str, fields: list, raw: str, line: int):
        self.entry_type = entry_type
        self.key = key
        self.fields = fields  # [(name as written, raw value, one {..}/".."/word?)]
        self.raw = raw
        self.line = line


class _TooLong(Exception):
    """A field or macro value over the limits (MAX_FIELD_CHARS, the file's budget)."""

    def __init__(self, why: str, field: str = ""):
        self.why = why
        self.field = field


_TOO_LONG = f"is longer than {MAX_FIELD_CHARS // 1048576} MB"
# checked before any LaTeX is decoded: the decoder's work grows with the depth
_TOO_DEEP = f"nests braces more than {MAX_BRACE_DEPTH} deep"


class _Abort(Exception):
    """A block cannot be read: `why` is the reason, the block is named by the caller."""

    def __init__(self, why: str):
        self.why = why


# any `@type{` or `@type(` starts a block outside entries (as in BibTeX)
_BLOCK_START = re.compile(r"@(\w*)[ \t]*([{(])")
# one at the start of a line (after blanks) also ends an entry still open there
_LINE_BLOCK_START = re.compile(r"\n[^\S\n]*@\w*[ \t]*[{(]")
# what may follow an entry's key / a field's name: the next delimiter
_KEY_MARK = {"}": re.compile(r'(?<!\\)[{}",=]|@\w*[ \t]*[{(]'),
             ")": re.compile(r'(?<!\\)[{}",=)]|@\w*[ \t]*[{(]')}  # fmt: skip
# delimiters that matter in a value outside braces and quotes
_VALUE_MARK = {"}": re.compile(r'(?<!\\)[{",}]'), ")": re.compile(r'(?<!\\)[{",)]')}
_NON_BLANK = re.compile(r"\S")
_PAREN_MARK = re.compile(r'(?<!\\)[{}")]')
# `name = value,` where the value is a {...} (nested once at most, no escaped brace),
# a plain "..." string or a bare word or number: most fields of most files
_BRACED = r"\{(?:[^{}\\]++|\\[^{}\\]|\{(?:[^{}\\]++|\\[^{}\\])*+\})*+\}"
_FAST_FIELD = {
    close: re.compile(
        r'\s*+([^\s=,{}"@()\\#]++)\s*+=\s*+(' + _BRACED + r'|"[^"{}\\]*+"|[^\s,{}"#()=\\@]++)'
        r"\s*+([," + close + "])"
    )
    for close in "})"
}


# a run of entries without fields, `@misc{key}` (not @comment, @preamble, @string): one
# regex step for up to 4096 of them (a longer repeat keeps backtracking state for each)
# instead of ~6 us of Python each: a 50 MB file of them took 38 s, now 2.6 s
_EMPTY_RUN = re.compile(
    r'(?:@(?!(?i:comment|preamble|string))\w+[ \t]*\{[ \t]*[^\s,{}"=@()#\\]*[ \t]*\}\s*){1,4096}'
)


def _split(text: str, source: str):
    """Yield ("string", key, raw value, line), ("entry", _Entry) and ("empty", count of
    entries without fields) in file order; @comment and @preamble are skipped; text
    between blocks is a comment."""
    n = len(text)
    pos = 0  # where the text not yet read begins
    line_pos, line_no = 0, 1  # a position and its line, moved forward only
    next_line_block = -1  # first line-start block start after the current one (cached)
    while True:
        m = _BLOCK_START.search(text, pos)
        start = m.start() if m else n
        _check_comment(text, pos, start, source, line_pos, line_no)
        if m is None:
            return
        line_no += text.count("\n", line_pos, start)
        line_pos = start
        empty = _EMPTY_RUN.match(text, start)
        if empty is not None:
            yield ("empty", text.count("@", start, empty.end()))
            pos = empty.end()
            continue
        if next_line_block <= start:
            lm = _LINE_BLOCK_START.search(text, start)
            next_line_block = lm.end() - len(lm.group().lstrip()) if lm else n
        limit = next_line_block  # an entry still open there is not closed
        etype = m.group(1).lower()
        close = "}" if m.group(2) == "{" else ")"
        body = m.end()
        try:
            if not etype:
                raise _Abort("'@' not followed by an entry type")
            if etype.startswith("comment"):
                end = _block_end(text, body, close, limit, quotes=False)
            elif etype.startswith("preamble"):
                end = _block_end(text, body, close, limit, quotes=True)
            elif etype.startswith("string"):
                eq = _KEY_MARK[close].search(text, body, limit)
                if eq is None:
                    raise _Abort(_unclosed(limit, n))
                if eq.group() != "=":
                    raise _Abort(f"expected '=' after the @string name, found {eq.group()!r}")
                end = _block_end(text, eq.end(), close, limit, quotes=True)
                key = text[body : eq.start()].strip()
                yield ("string", key, text[eq.end() : end - 1].strip(), line_no)
            else:
                entry, end = _entry(text, m, body, close, limit, n)
                entry.line = line_no
                yield ("entry", entry)
        except _Abort as exc:
            what = f"@{m.group(1)} entry" if etype else "entry"
            why = exc.why if etype else exc.why
            msg = why if why.startswith("'@'") else f"{what} {why}"
            raise ParseError(msg, file=source, place=f"line {line_no}") from None
        pos = end


def _unclosed(limit: int, n: int) -> str:
    if limit >= n:
        return "is never closed: unbalanced braces or quotes before the end of the file"
    return "is not closed (unbalanced braces or quotes) before the next '@'"


def _entry(text: str, m, body: int, close: str, limit: int, n: int):
    """Read the entry whose `@type{` is m; return it and the index after its end."""
    key_mark = _KEY_MARK[close]
    fast = _FAST_FIELD[close]
    mk = key_mark.search(text, body, limit)
    if mk is None:
        raise _Abort(_unclosed(limit, n))
    c = mk.group()
    key = text[body : mk.start()].strip()
    fields: list[tuple[str, str, bool]] = []
    if c == close:
        return _Entry(m.group(1).lower(), key, fields, text[m.start() : mk.end()], 0), mk.end()
    if c != ",":
        raise _Abort(f"has no comma after its key (found {c!r} first)")
    p = mk.end()
    while True:
        f = fast.match(text, p, limit)
        if f is not None:
            name, value, mark = f.groups()
            fields.append((name, value, True))
            if mark == ",":
                p = f.end()
                continue
            end = f.end()
            break
        mk = key_mark.search(text, p, limit)
        if mk is None:
            raise _Abort(_unclosed(limit, n))
        c = mk.group()
        if c == close:
            if text[p : mk.start()].strip():
                raise _Abort(
                    f"has a field name without '= value': {text[p : mk.start()].strip()!r}"
                )
            end = mk.end()
            break
        if c != "=":
            raise _Abort(f"is malformed: expected '=' after a field name, found {c!r}")
        vend = _value_end(text, mk.end(), close, limit, n)
        fields.append((text[p : mk.start()].strip(), text[mk.end() : vend].strip(), False))
        if text[vend] == ",":
            p = vend + 1
        else:
            end = vend + 1
            break
    return _Entry(m.group(1).lower(), key, fields, text[m.start() : end], 0), end


def _value_end(text: str, p: int, close: str, limit: int, n: int) -> int:
    """Index of the ',' or closing delimiter that ends the value starting at p."""
    marks = _VALUE_MARK[close]
    while True:
        mk = marks.search(text, p, limit)
        if mk is None:
            raise _Abort(_unclosed(limit, n))
        c = mk.group()
        if c == "{":
            p = _brace_end(text, mk.start(), limit, n)
        elif c == '"':
            p = _quote_end(text, mk.start(), limit, n)
        else:
            return mk.start()


def _brace_end(text: str, start: int, limit: int, n: int) -> int:
    """Index after the '}' that closes the '{' at start (a backslash escapes a brace).

    One step per '}' with C-speed counting of the '{' before it, so a run of opening
    braces costs nothing in Python."""
    depth = 1
    p = start + 1
    while True:
        q = text.find("}", p, limit)
        if q < 0:
            raise _Abort(_unclosed(limit, n))
        opened = text.count("{", p, q) - text.count("\\{", p, q)
        if text[q - 1] == "\\":  # not a delimiter
            depth += opened
        else:
            depth += opened - 1
        p = q + 1
        if depth == 0:
            return p


def _quote_end(text: str, start: int, limit: int, n: int) -> int:
    """Index after the '"' that closes the one at start (braces do not count inside,
    `\\"` and `{"}` are not closing quotes: bibtexparser's rules)."""
    p = start + 1
    while True:
        q = text.find('"', p, limit)
        if q < 0:
            raise _Abort(_unclosed(limit, n))
        p = q + 1
        if text[q - 1] == "\\":
            continue
        if text[q - 1] == "{" and q + 2 < n and text[q + 1] == "}":
            continue
        return p


def _block_end(text: str, p: int, close: str, limit: int, *, quotes: bool) -> int:
    """Index after the delimiter closing a @string, @preamble or @comment block."""
    n = len(text)
    if close == "}":
        return _brace_end(text, p - 1, limit, n)
    depth, in_quotes = 0, False
    while True:
        mk = _PAREN_MARK.search(text, p, limit)
        if mk is None:
            raise _Abort(_unclosed(limit, n))
        c = mk.group()
        p = mk.end()
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif c == '"':
            if depth == 0 and quotes:
                in_quotes = not in_quotes
        elif depth == 0 and not in_quotes:
            return p


def _check_comment(text: str, start: int, end: int, source: str, line_pos: int, line_no: int):
    """Text between entries is a comment to BibTeX, but a stray '}' there means braces
    inside an entry above did not balance; importing would silently lose fields.
    Counted with str.find/str.count: a file of 50 MB of braces is read at C speed."""
    q = text.find("}", start, end)
    if q < 0:
        return
    depth, p = 0, start
    while q >= 0:
        depth += text.count("{", p, q) - 1
        if depth < 0:
            first = _NON_BLANK.search(text, start, end).start()
            line = line_no + text.count("\n", line_pos, first)
            raise ParseError(
                "unbalanced braces: a '}' outside any entry (one too many above?)",
                file=source,
                place=f"line {line}",
            )
        p = q + 1
        q = text.find("}", p, end)


# ---------------------------------------------------------------- values


_WORD = re.compile(r"[^\s#]+")


def _resolve(raw, strings: dict[str, str], budget: list[int] | None = None):
    """A field's raw text to its value: {..} and ".." pieces, numbers, @string names
    and month macros, joined by '#'.  Unknown names are kept as written.

    Linear in the raw text and the value: no slicing of the rest at each '#'.  Raises
    _TooLong before building a value over MAX_FIELD_CHARS, or when the values built so
    far exceed `budget` (the file's allowance, decremented here)."""
    if not isinstance(raw, str):
        return str(raw), []
    parts: list[str] = []
    warnings: list[str] = []
    size = 0
    i, n = 0, len(raw)
    while i < n:
        if size > MAX_FIELD_CHARS:
            raise _TooLong(f"{_TOO_LONG} once its @string macros are expanded")
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
            m = _WORD.match(raw, i)
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
        size += len(parts[-1])
        while i < n and raw[i].isspace():
            i += 1
        if i < n:
            if raw[i] == "#":
                i += 1
            else:  # not a well-formed concatenation: keep the rest as it is
                parts.append(raw[i:])
                size += len(parts[-1])
                break
    if size > MAX_FIELD_CHARS:
        raise _TooLong(f"{_TOO_LONG} once its @string macros are expanded")
    if budget is not None:
        budget[0] -= size
        if budget[0] < 0:
            raise _TooLong(
                f"makes the @string macros expand to over {EXPANSION_FACTOR} times"
                " the file's size (macros that double each other?)"
            )
    return "".join(parts), warnings


_GROUP_MARK = re.compile(r'(?<!\\)[{}"]')


def _closing(raw: str, start: int, opener: str) -> int:
    """Index of the character closing the group opened at raw[start] (or the end).

    As the splitter reads it: a brace or quote after a backslash is no delimiter, and a
    '}' inside "..." does not end it."""
    depth = 0
    for m in _GROUP_MARK.finditer(raw, start + 1):
        ch = m.group()
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0 and opener == "{":
                return m.start()
            depth = depth - 1 if depth or opener == "{" else 0
        elif opener == '"' and depth == 0:
            return m.start()
    return len(raw)


_URL_MACRO = re.compile(r"\\url\{([^}]*)\}")
_ESCAPED = re.compile(r"\\([_%&#$~])")


def _verbatim(value: str) -> str:
    """A URL or DOI as written, without BibTeX escapes and protective braces."""
    if not value:
        return value
    if "\\" in value:
        value = _ESCAPED.sub(r"\1", _URL_MACRO.sub(r"\1", value))
    if "{" in value or "}" in value:
        value = value.replace("{", "").replace("}", "")
    return " ".join(value.split())


_AND = re.compile(r"[ \t\r\n]+and[ \t\r\n]+", re.IGNORECASE)
# `{A} and {B} and ...`, each name one braced group without braces or backslashes in it
# (how Chinese names and organisations are written): bibtexparser's splitter gives
# exactly the groups, so they are taken with a regex instead of its char-by-char loop
_BRACED_ITEM = r"\{[^{}\\]*\}"
_BRACED_LIST = re.compile(
    _BRACED_ITEM + r"(?:[ \t\r\n]+[aA][nN][dD][ \t\r\n]+" + _BRACED_ITEM + ")*"
)
_BRACED_ITEMS = re.compile(_BRACED_ITEM)
_ET_AL = ("", "")  # _one_name's answer for "others"


def _split_names(value: str) -> list[str]:
    """An and-list cut into names as bibtexparser cuts it (value already stripped)."""
    if "{" in value or "\\" in value:
        if "\\" not in value and _BRACED_LIST.fullmatch(value):
            return _BRACED_ITEMS.findall(value)
        from bibtexparser.middlewares.names import split_multiple_persons_names

        try:
            return split_multiple_persons_names(value)
        except Exception:
            return re.split(r"\s+and\s+", value)
    return _AND.split(value)  # nothing braced or escaped: bibtexparser's splitter cuts here


class _People:
    """The names of one file, each distinct name read once.

    A library names the same people again and again; a dict that lives as long as the
    import (rather than a bounded LRU cache, which a 100,000-entry file with 200,000
    distinct names overflowed, parsing every name twice) also makes the works share
    one string per name.  Calling it with an author/editor list gives (as printed, in
    full "Family, Given", ends with 'and others', the CSL names: dicts to be copied).
    """

    __slots__ = ("seen", "short")

    def __init__(self) -> None:
        # the name as written -> (as printed or None, in full, CSL name or None, others?)
        self.seen: dict[str, tuple] = {}
        # and the same for short values decoded (journals, volumes, languages repeat)
        self.short: dict[str, str] = {}

    def _read(self, piece: str) -> tuple:
        name = " ".join(piece.split())
        got = _plain_person(name)
        if got is None:  # anything else: each reading as _one_name and _csl_name say
            one, csl = _one_name(name), _csl_name(name)
            et_al = one is _ET_AL
            if et_al or one is None:
                one = (None, None)
            got = (one[0], one[1], dict(csl) if csl else None, et_al)
        self.seen[piece] = got
        return got

    def __call__(self, value: str) -> tuple[list[str], list[str], bool, list[dict]]:
        printed: list[str] = []
        full: list[str] = []
        csl: list[dict] = []
        et_al = False
        value = value.strip(" \r\n\t")
        if not value:
            return printed, full, et_al, csl
        seen = self.seen
        for piece in _split_names(value):
            got = seen.get(piece)  # (by the name as written: most need no clean-up)
            if got is None:
                got = self._read(piece)
            if got[0] is not None:
                printed.append(got[0])
                full.append(got[1])
            if got[2] is not None:
                csl.append(got[2])
            if got[3]:
                et_al = True
        return printed, full, et_al, csl


def _plain_person(name: str) -> tuple | None:
    """The two commonest names, read for the flat fields and the record at once, as
    _one_name and _csl_name read them: a plain "Family, Given", and a CJK name (often
    braced, "{金诗炜}").  None for any other name."""
    if name.count(",") == 1 and not _LATEX_CHARS.search(name):
        family, given = name.split(",")
        family_words, given_words = family.split(), given.split()
        if family_words and given_words:
            shown, whole = person(" ".join(family_words), " ".join(given_words))
            csl = dict(_plain_csl_name(family_words, given_words))
            return (shown, whole, csl, False) if shown else (None, None, csl, False)
        return None
    if "," not in name:
        plain = latex_to_text(name)
        if plain and not is_et_al(plain) and _cjk_name(plain):
            literal = plain.replace(" ", "")
            shown, whole = person("", literal=literal)
            return (shown or None, whole if shown else None, {"literal": literal}, False)
    return None


def _names(value: str) -> tuple[list[str], list[str], bool]:
    """An author/editor list: (as printed, in full "Family, Given", ends with 'and others')."""
    return _People()(value)[:3]


def _one_name(name: str) -> tuple[str, str] | None:
    """One name as printed and in full; _ET_AL for "others"; None for nothing."""
    if not name:
        return None
    if name.count(",") == 1 and not _LATEX_CHARS.search(name):
        # "Family, Given" in plain text: bibtexparser's name parser gives back the text
        # before the comma (von and last parts) and after it (the given names)
        family, given = name.split(",")
        if family.strip() and given.strip():
            shown, whole = person(" ".join(family.split()), " ".join(given.split()))
            return (shown, whole) if shown else None
    plain = latex_to_text(name)
    if is_et_al(plain):
        return _ET_AL
    if "," not in name and _cjk_name(plain):
        shown, whole = person("", literal=plain.replace(" ", ""))
    elif name.startswith("{") and name.endswith("}") and _closing(name, 0, "{") == len(name) - 1:
        shown, whole = person("", literal=plain)  # {World Health Organization}
    else:
        from bibtexparser.middlewares.names import parse_single_name_into_parts

        try:
            parts = parse_single_name_into_parts(name, strict=False)
            family = latex_to_text(" ".join(parts.last))
            given = latex_to_text(" ".join(parts.first))
            particle = latex_to_text(" ".join(parts.von))
        except Exception:
            family, given, particle = plain, "", ""
        shown, whole = person(family, given, particle=particle)
    return (shown, whole) if shown else None


def _csl_names(value: str) -> list[dict]:
    """An author/editor list as CSL names (structured: family, given, particles, suffix,
    or literal); "others" is left out (Work.et_al says it)."""
    return [dict(c) for c in _People()(value)[3]]  # (copies: the cache keeps its own)


def _csl_name(name: str) -> tuple | None:
    if not name:
        return None
    if name.count(",") == 1 and not _LATEX_CHARS.search(name):
        family, given = name.split(",")
        family_words, given_words = family.split(), given.split()
        if family_words and given_words:
            return _plain_csl_name(family_words, given_words)
    plain = latex_to_text(name)
    if is_et_al(plain):
        return None
    if "," not in name and _cjk_name(plain):
        return (("literal", plain.replace(" ", "")),)
    if name.startswith("{") and name.endswith("}") and _closing(name, 0, "{") == len(name) - 1:
        return (("literal", plain),)  # {World Health Organization}
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    try:
        parts = parse_single_name_into_parts(name, strict=False)
    except Exception:
        return (("literal", plain),)
    d = {
        "family": latex_to_text(" ".join(parts.last)),
        "given": latex_to_text(" ".join(parts.first)),
        "non-dropping-particle": latex_to_text(" ".join(parts.von)),
        "suffix": latex_to_text(" ".join(parts.jr)),
    }
    return tuple((k, v) for k, v in d.items() if v) or None


def _word_case(word: str) -> int:
    """bibtexparser's case of a plain word: its first letter's (1 upper, 0 lower), else -1."""
    for ch in word:
        if ch.isalpha():
            return 1 if ch.isupper() else 0
    return -1


def _plain_csl_name(family: list[str], given: list[str]) -> tuple:
    """A plain-text "von Last, First" (no braces, escapes or TeX, one comma; both sides
    not empty) split as bibtexparser's parse_single_name_into_parts splits it, without
    its char-by-char loop: the given names are the words after the comma; before it,
    the words up to the last lower-case one that is not the last word are the particle
    ("van der Berg"), the rest the family name."""
    split = 0
    if len(family) > 1:
        for i in range(len(family) - 2, -1, -1):
            if _word_case(family[i]) == 0:
                split = i + 1
                break
    d = (
        ("family", " ".join(family[split:])),
        ("given", " ".join(given)),
        ("non-dropping-particle", " ".join(family[:split])),
    )
    return tuple((k, v) for k, v in d if v)


def _cjk_name(name: str) -> bool:
    """Only CJK characters, spaces and middle dots (one regex match, not one per char)."""
    return _CJK_NAME.fullmatch(name) is not None


# has_cjk's characters (tui.model), \s (str.isspace's whitespace) and middle dots
_CJK_NAME = re.compile(CJK_CLASS[:-1] + r"\s·•]+")


# ---------------------------------------------------------------- one entry


def _fields(
    entry: _Entry, strings: dict[str, str], budget: list[int] | None = None
) -> tuple[dict[str, str], list[str], set]:
    """The entry's fields by lower-case name, its notes, and the names given twice."""
    fields: dict[str, str] = {}
    notes: list[str] = []
    twice: set[str] = set()
    for name, raw, single in entry.fields:
        key = name.lower()
        if key in fields:
            twice.add(key)
            continue
        if single and raw[0] in '{"':  # the splitter matched one {...} or "...": no scan
            if len(raw) - 2 > MAX_FIELD_CHARS:
                raise _TooLong(_TOO_LONG, name)
            # (no depth to check: the splitter's one match nests braces twice at most)
            fields[key] = raw[1:-1]
            continue
        try:
            value, warn = _resolve(raw, strings, budget)
        except _TooLong as exc:
            exc.field = name
            raise
        if brace_depth_over(value):
            raise _TooLong(_TOO_DEEP, name)
        if warn:
            notes.extend(f"{entry.key}: {key}: {w}" for w in warn)
        fields[key] = value
    return fields, notes, twice


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


def _work(entry, fields: dict[str, str], notes: list[str], people: _People | None = None) -> Work:
    people = people or _People()
    # Each value is decoded once, though both the flat fields and the record read it;
    # a short one once in the file
    decoded: dict[str, str] = {}
    short = people.short

    def decode(value: str) -> str:
        seen = short if len(value) <= 80 else decoded
        got = seen.get(value)
        if got is None:
            got = seen[value] = latex_to_text(value)
        return got

    get = fields.get

    def text(*names: str) -> str:
        for name in names:
            value = get(name)
            if value and not value.isspace():  # (not blank: as strip(), without a copy)
                return decode(value)
        return ""

    # ... and each name list is read once, for the flat fields and the record
    lists: dict[str, tuple] = {}

    def names(value: str) -> tuple:
        got = lists.get(value)
        if got is None:
            got = lists[value] = people(value)
        return got

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

    authors, authors_full, et_al, _ = names(fields.get("author", ""))
    editors, editors_full, _, _ = names(fields.get("editor", ""))
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
        if key in _CONSUMED or not value or value.isspace():
            continue
        if key == "month":
            extra["month"] = month_of(decode(value))
        elif key in _VERBATIM:
            extra[key] = _verbatim(value)
        else:
            extra[key] = decode(value)
    for key in ("school", "institution", "organization", "location"):
        if fields.get(key, "").strip() and publisher != text(key):
            extra[key] = text(key)
    if authors_full:
        extra["authors_full"] = authors_full
    if editors_full:
        extra["editors_full"] = editors_full

    csl, used = bibtex_to_csl(
        etype,
        entry.key.strip(),
        fields,
        text=decode,
        verbatim=_verbatim,
        names=lambda value: [c.copy() for c in names(value)[3]],  # (each work its own)
    )
    if used:
        extra["bibtex_fields"] = used
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
        lang=decode(fields.get("langid", "") or fields.get("language", "")) or "en",
        raw=entry.raw or "",
        extra=extra,
        warnings=notes,
        csl=csl,
    )
