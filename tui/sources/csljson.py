"""Import a CSL-JSON file (Zotero's, Better BibTeX's, pandoc's, Mendeley's) as a collection.

CSL-JSON is a JSON list of items (https://citeproc-js.readthedocs.io/en/latest/csl-json/
markup.html).  The list is walked with `json.JSONDecoder.raw_decode` item by item so that
each reference keeps its own text as `raw`, and a damaged file is reported with the line
and the item where it goes wrong.  orjson reads the whole text first, so a cut-off file
(the usual damage) is reported at once, by line and column, without the walk.
"""

from __future__ import annotations

import json
import re

from tui.errors import ParseError
from tui.mapping import with_extra
from tui.model import Review, Work
from tui.sources import limits
from tui.sources.latex import (
    clean_doi,
    clean_pages,
    finish,
    is_et_al,
    month_of,
    person,
    prepare_text,
    split_supplement,
    year_of,
)
from tui.sources.limits import MAX_DEPTH, check_item, check_records, too_deep

__all__ = ["parse_csljson", "parse_cslyaml", "work_from_item", "views", "CSL_TYPES"]

# CSL item type -> GB/T 7714 type code ("article", a preprint, depends on a URL)
CSL_TYPES = {
    "article-journal": "J",
    "article-magazine": "J",
    "review": "J",
    "review-book": "J",
    "article-newspaper": "N",
    "book": "M",
    "chapter": "M",
    "classic": "M",
    "entry": "M",
    "entry-dictionary": "M",
    "entry-encyclopedia": "M",
    "collection": "G",
    "paper-conference": "C",
    "event": "C",
    "thesis": "D",
    "report": "R",
    "webpage": "EB",
    "post": "EB",
    "post-weblog": "EB",
    "patent": "P",
    "standard": "S",
    "dataset": "DS",
    "software": "CP",
    "database": "DB",
    "article": "Z",
    "manuscript": "Z",
    "personal_communication": "Z",
    "interview": "Z",
    "legislation": "Z",
    "legal_case": "Z",
    "bill": "Z",
    "document": "Z",
}
_CONTAINED = {
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "review",
    "review-book",
    "chapter",
    "entry",
    "entry-dictionary",
    "entry-encyclopedia",
    "paper-conference",
    "post",
    "post-weblog",
    "webpage",
    "article",
}
_MARKUP = re.compile(r"</?(?:i|b|sup|sub|sc|span)(?:\s[^>]*)?>", re.I)
# (CSL type, genre) -> GB/T 7714 type code, as tui.cite.csljson writes them
_GENRES = {("dataset", "database"): "DB", ("manuscript", "archive"): "A"}
_CONSUMED = {
    "custom",
    "id",
    "citation-key",
    "type",
    "title",
    "author",
    "editor",
    "container-title",
    "event-title",
    "issued",
    "volume",
    "issue",
    "page",
    "DOI",
    "PMID",
    "URL",
    "publisher",
    "publisher-place",
    "edition",
    "accessed",
    "language",
}


def parse_csljson(text: str, *, source: str = "") -> tuple[Review, list[Work]]:
    """Read a CSL-JSON file: one collection, one reference per item, in file order."""
    original = text
    text = prepare_text(text, source, "CSL-JSON")
    works = []
    for number, (item, raw, line) in enumerate(_items(text, source), start=1):
        works.append(_work(item, raw, f"item {number} (line {line})", source))
    return finish(original, source, works)


def parse_cslyaml(text: str, *, source: str = "") -> tuple[Review, list[Work]]:
    """Read a CSL-YAML file (pandoc's and Better BibTeX's: a list of items, or a mapping
    with `references:`): the same items as CSL-JSON, written in YAML. Read with YAML's
    safe loader only (no tags that construct objects, so a file cannot run code), after a
    pass over its events that refuses anchors and aliases (CSL-YAML never needs them, and
    an alias bomb shares one list a billion times) and counts its containers as the
    CSL-JSON reader does, so what the loader builds is bounded by the input."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 50 MB in seconds
    original = text
    text = prepare_text(text, source, "CSL-YAML")
    try:
        containers = depth = 0
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1
                raise ParseError(
                    "anchors and aliases (&name, *name) are not allowed in CSL-YAML",
                    file=source,
                    place=f"line {line}",
                )
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH + 2:  # the list, `references:`, then each item
                    raise ParseError(
                        f"nested more than {MAX_DEPTH} levels deep",
                        file=source,
                        place=f"line {event.start_mark.line + 1}",
                    )
                containers += 1
                if containers > limits.MAX_CONTAINERS:
                    raise ParseError(
                        f"too many YAML mappings and lists (more than"
                        f" {limits.MAX_CONTAINERS:,}); split the file",
                        file=source,
                    )
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not YAML"
        raise ParseError(f"not CSL-YAML: {problem}", file=source, place=place) from None
    if isinstance(data, dict) and isinstance(data.get("references"), list):
        data = data["references"]
    if not isinstance(data, list):
        raise ParseError("not CSL-YAML (a list of items, or `references:` with one)", file=source)
    check_records(len(data), source)
    works = []
    for number, item in enumerate(data, start=1):
        where = f"item {number}"
        if too_deep(item):
            raise ParseError(f"nested more than {MAX_DEPTH} levels deep", file=source, place=where)
        check_item(item, source, where)
        item = _yaml_dates(_plain(item))
        raw = json.dumps(item, ensure_ascii=False, indent=2)
        works.append(_work(item, raw, where, source))
    return finish(original, source, works)


def _plain(value):
    """YAML's own scalars as CSL-JSON has them: a date (2019-05-01) as its ISO text, for
    the date reader; anything else that JSON cannot hold as its string."""
    import datetime

    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _yaml_dates(item):
    """CSL-YAML's date forms as CSL-JSON's: pandoc-citeproc and Better BibTeX write a date
    as a list of {year, month, day} (two for a range), and pandoc reads EDTF text
    ('2019-05-01', '1994/1996'); CSL-JSON has {"date-parts": [[y, m, d], ...]}."""
    if not isinstance(item, dict):
        return item
    from tui.mapping import DATE_VARIABLES, parse_date

    out = dict(item)
    for var in DATE_VARIABLES:
        value = out.get(var)
        ends = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        if ends and all(isinstance(e, dict) and "date-parts" not in e for e in ends):
            parts, extra = [], {}
            for e in ends[:2]:
                p = [e[k] for k in ("year", "month", "day") if e.get(k) not in (None, "")]
                if p:
                    parts.append(p)
                for k in ("season", "circa", "literal", "raw"):
                    if e.get(k) not in (None, ""):
                        extra.setdefault(k, e[k])
            if parts or extra:
                out[var] = {"date-parts": parts, **extra} if parts else extra
        elif isinstance(value, str) and value.strip():
            out[var] = parse_date(value) or {"raw": value}
        elif isinstance(value, int) and not isinstance(value, bool):
            out[var] = {"date-parts": [[value]]}
    return out


def work_from_item(item: dict, raw: str, where: str, source: str) -> Work:
    """A work whose record is the CSL item `item` and whose flat fields are its views
    (the importers of formats that are read into the record first use this)."""
    return _work(item, raw, where, source)


def views(item: dict) -> dict:
    """The flat fields (tui.model.FLAT_VIEWS) that the CSL item `item` gives: the one
    function that computes them from a record, as the import of a collection sets them
    (`finish` then settles the language from the title and names)."""
    from tui.model import FLAT_VIEWS
    from tui.sources.latex import guess_lang

    w = _work(item, "", "the record", "")
    w.lang = guess_lang(w.title, w.authors, w.lang)
    return {k: getattr(w, k) for k in FLAT_VIEWS}


# ---------------------------------------------------------------- the JSON list


_line_memo: list = [None, 0, 1]  # text, position, line there: items come in order


def _line(text: str, pos: int) -> int:
    memo_text, memo_pos, memo_line = _line_memo
    if memo_text is not text or pos < memo_pos:
        memo_pos, memo_line = 0, 1
    line = memo_line + text.count("\n", memo_pos, pos)
    _line_memo[:] = [text, pos, line]
    return line


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n\r":
        i += 1
    return i


_QUOTE = re.compile(r'(?<!\\)(?:\\\\)*"')  # a quote after an even number of backslashes


def _check_whole(text: str, source: str) -> None:
    """Parse the whole text once with orjson (C, ~0.2 s for 50 MB) before walking it
    item by item: a cut-off or broken file is reported at once, by line and column,
    instead of after every item before the damage has been decoded and kept."""
    # counted first (an upper bound: braces in strings count too): what orjson builds
    # is bounded by it
    containers = text.count("{") + text.count("[")
    if containers > limits.MAX_CONTAINERS:
        raise ParseError(
            f"too many JSON objects and lists ({containers:,}; the limit is"
            f" {limits.MAX_CONTAINERS:,}); split the file",
            file=source,
        )
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency
        return
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        pos = min(max(exc.pos, 0), len(text))
        if "depth limit" in exc.msg:  # orjson stops at 1024 levels
            raise ParseError(
                f"not CSL-JSON: nested too deeply (an item may nest {MAX_DEPTH} levels)",
                file=source,
                place=f"line {text.count(chr(10), 0, pos) + 1}",
            ) from None
        # orjson refuses some text Python's json (used below) reads, e.g. NaN or a lone
        # surrogate; it then stops there, not at the end of the data
        if not text[pos:].strip() or exc.msg.startswith("unexpected end of data"):
            line_start = text.rfind("\n", 0, pos) + 1
            # JSON strings hold no newline: an open one began on the last line
            in_string = len(_QUOTE.findall(text, line_start, pos)) % 2
            what = "a string is not closed" if in_string else "it ends before the JSON does"
            line = text.count("\n", 0, pos) + 1
            column = pos - line_start + 1
            raise ParseError(
                f"the file is cut off ({what})",
                file=source,
                place=f"line {line}, column {column}",
            ) from None
        # any other damage (or nesting deeper than orjson's limit): the walk below
        # names the item and says what is wrong; it stops there


def _items(text: str, source: str) -> list[tuple[object, str, int]]:
    _check_whole(text, source)
    decoder = json.JSONDecoder()
    i = _skip(text, 0)
    if text[i] == "{":  # a single item, as some tools write it
        obj, end = _decode(decoder, text, i, source)
        _check_depth(obj, source, 1, _line(text, i))
        if _skip(text, end) < len(text):
            raise ParseError(
                "text after the end of the JSON object",
                file=source,
                place=f"line {_line(text, end)}",
            )
        return [(obj, text[i:end], _line(text, i))]
    if text[i] != "[":
        raise ParseError(
            "not CSL-JSON: expected a JSON list of items starting with '['",
            file=source,
            place=f"line {_line(text, i)}",
        )
    items: list[tuple[object, str, int]] = []
    i = _skip(text, i + 1)
    if i < len(text) and text[i] == "]":
        raise ParseError("no items (the JSON list is empty)", file=source)
    while True:
        if i >= len(text):
            raise ParseError(
                "the JSON list is cut off (no closing ']')",
                file=source,
                place=f"line {_line(text, len(text))}",
            )
        check_records(len(items) + 1, source, f"line {_line(text, i)}", "items")
        obj, end = _decode(decoder, text, i, source)
        items.append((obj, text[i:end], _line(text, i)))
        _check_depth(obj, source, len(items), items[-1][2])
        i = _skip(text, end)
        if i >= len(text):
            raise ParseError(
                "the JSON list is cut off (no closing ']')",
                file=source,
                place=f"line {_line(text, len(text))}",
            )
        if text[i] == ",":
            i = _skip(text, i + 1)
            continue
        if text[i] == "]":
            break
        raise ParseError(
            f"not valid JSON: expected ',' or ']' after item {len(items)}",
            file=source,
            place=f"line {_line(text, i)}",
        )
    end = _skip(text, i + 1)
    if end < len(text):
        raise ParseError(
            "text after the end of the JSON list", file=source, place=f"line {_line(text, end)}"
        )
    return items


def _check_depth(item, source: str, number: int, line: int) -> None:
    """Refuse an item nested deeper than any real one: what we keep of it is copied
    and written by code that recurses per level (a `note` object nested 500 deep ended
    in a RecursionError when the library was saved)."""
    if too_deep(item, MAX_DEPTH):
        raise ParseError(
            f"nested too deeply (more than {MAX_DEPTH} levels of objects and lists)",
            file=source,
            place=f"item {number} (line {line})",
        )
    check_item(item, source, f"item {number} (line {line})")  # 1 MB fields, 10,000 names


def _decode(decoder: json.JSONDecoder, text: str, i: int, source: str):
    try:
        return decoder.raw_decode(text, i)
    except json.JSONDecodeError as exc:
        rest = text[exc.pos :]
        unclosed = exc.msg.startswith("Unterminated string")
        msg = "a string is not closed" if unclosed else exc.msg
        if not rest.strip() or (unclosed and '"' not in rest[1:]):
            msg = f"the file is cut off ({msg})"
        else:
            msg = f"not valid JSON: {msg}"
        raise ParseError(msg, file=source, place=f"line {exc.lineno}") from None
    except RecursionError:
        raise ParseError(
            "not CSL-JSON: nested too deeply", file=source, place=f"line {_line(text, i)}"
        ) from None


# ---------------------------------------------------------------- one item


def _text(value) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, str):
        return " ".join(_MARKUP.sub("", value).split())
    if isinstance(value, list):  # some tools write ["ISSN 1", "ISSN 2"]
        return ", ".join(t for t in (_text(v) for v in value) if t)
    return ""


def _names(value, field: str, where: str, source: str) -> tuple[list[str], list[str], bool]:
    if value is None:
        return [], [], False
    if not isinstance(value, list):
        raise ParseError(f'"{field}" is not a list of names', file=source, place=where)
    printed: list[str] = []
    full: list[str] = []
    et_al = False
    for name in value:
        if isinstance(name, str):  # not CSL, but seen in the wild
            name = {"literal": name}
        if not isinstance(name, dict):
            raise ParseError(
                f'"{field}" holds something that is not a name', file=source, place=where
            )
        literal = _text(name.get("literal"))
        family = _text(name.get("family"))
        given = _text(name.get("given"))
        if is_et_al(literal or family) and not given:
            et_al = True
            continue
        particle = " ".join(
            p
            for p in (
                _text(name.get("dropping-particle")),
                _text(name.get("non-dropping-particle")),
            )
            if p
        )
        shown, whole = person(family, given, literal=literal, particle=particle)
        if shown:
            printed.append(shown)
            full.append(whole)
    return printed, full, et_al


def _date_parts(value, field: str, where: str, source: str) -> list:
    """The first date of a CSL date as [year, month, day] (as far as given)."""
    if value is None or value == "":
        return []
    if isinstance(value, (int, str)):  # not CSL, but common: "2019", 2019
        y = year_of(value)
        return [y] if y else []
    if not isinstance(value, dict):
        raise ParseError(f'"{field}" is not a CSL date', file=source, place=where)
    parts = value.get("date-parts")
    if parts is None:
        raw = value.get("raw") or value.get("literal") or ""
        y = year_of(raw) if isinstance(raw, (str, int)) else None
        return [y] if y else []
    if not isinstance(parts, list) or (parts and not isinstance(parts[0], list)):
        raise ParseError(f'"{field}" has malformed "date-parts"', file=source, place=where)
    out = []
    for p in parts[0][:3] if parts else []:
        try:
            out.append(int(str(p).strip()))
        except ValueError:
            break
    return out


def _iso(parts: list) -> str:
    if not parts:
        return ""
    out = f"{parts[0]:04d}"
    for p in parts[1:3]:
        out += f"-{p:02d}"
    return out


def _key(item: dict) -> str:
    key = _text(item.get("citation-key")) or _text(item.get("id"))
    # Zotero's ids are URLs ("http://zotero.org/users/1/items/ABCD1234"): no citation key
    if not key or re.search(r"[\s/{}\\,]", key):
        return ""
    return key


def _work(item, raw: str, where: str, source: str) -> Work:
    if not isinstance(item, dict):
        raise ParseError(
            'not a CSL-JSON item (an object with "type" and "title")', file=source, place=where
        )
    if not any(isinstance(item.get(k), str) and item.get(k).strip() for k in ("type", "title")):
        raise ParseError(
            'not a CSL-JSON item (it has no "type" or "title")', file=source, place=where
        )
    for k in ("type", "title", "container-title", "DOI", "URL"):
        v = item.get(k)
        if v is not None and not isinstance(v, (str, int, float, list)):
            raise ParseError(f'"{k}" is not text', file=source, place=where)
    record = item  # the lossless record, kept as the source wrote it
    # the views read Zotero's "Extra" lines in `note` as citeproc-js does
    item = with_extra(item)
    ctype = _text(item.get("type")).lower()
    authors, authors_full, et_al = _names(item.get("author"), "author", where, source)
    editors, editors_full, _ = _names(item.get("editor"), "editor", where, source)
    issued = _date_parts(item.get("issued"), "issued", where, source)
    accessed = _date_parts(item.get("accessed"), "accessed", where, source)
    url = _text(item.get("URL"))

    type_code = CSL_TYPES.get(ctype, "Z")
    genre = _text(item.get("genre")).lower()
    if (ctype, genre) in _GENRES:  # how tui.cite.csljson writes a database, an archive
        type_code = _GENRES[(ctype, genre)]
    elif type_code == "Z" and url:
        type_code = "EB"
    # "custom" (CSL-JSON 1.0.2) holds what has no CSL variable: our exporter's
    # et_al and pii; anything else in it stays in extra
    custom = dict(item["custom"]) if isinstance(item.get("custom"), dict) else {}
    if custom.get("et_al") is True:
        et_al = True
    pii = custom.pop("pii", "")
    pii = pii.strip() if isinstance(pii, str) else ""
    custom.pop("et_al", None)
    journal = ""
    if ctype in _CONTAINED or ctype not in CSL_TYPES:
        journal = _text(item.get("container-title"))
    if not journal and ctype == "paper-conference":
        journal = _text(item.get("event-title")) or _text(item.get("event"))

    extra: dict = {"csl_type": ctype} if ctype else {}
    if len(issued) > 1 and 1 <= issued[1] <= 12:
        extra["month"] = month_of(issued[1])
    if item.get("id") is not None and _text(item.get("id")) != _key(item):
        extra["id"] = _text(item.get("id"))
    for k, v in item.items():
        if k in _CONSUMED or v in (None, "", [], {}):
            continue
        if isinstance(v, (str, int, float)):
            extra[k] = _text(v) if isinstance(v, str) else v
        elif isinstance(v, list) and all(isinstance(x, str) for x in v):
            extra[k] = [_text(x) for x in v]
        elif isinstance(v, dict) and "date-parts" in v:
            try:
                extra[k] = _iso(_date_parts(v, k, where, source))
            except ParseError:
                extra[k] = v
        else:
            extra[k] = v
    if custom:
        extra["custom"] = custom
    if ctype not in _CONTAINED and ctype in CSL_TYPES and item.get("container-title"):
        extra["container-title"] = _text(item.get("container-title"))
    if authors_full:
        extra["authors_full"] = authors_full
    if editors_full:
        extra["editors_full"] = editors_full

    issue, supplement = split_supplement(_text(item.get("issue")))
    pmid = _text(item.get("PMID"))
    if not re.fullmatch(r"\d{1,9}", pmid):
        pmid = ""
    return Work(
        key=_key(item),
        authors=authors,
        et_al=et_al,
        title=_text(item.get("title")),
        type=type_code,
        journal=journal,
        year=issued[0] if issued and 0 < issued[0] < 10000 else None,
        volume=_text(item.get("volume")),
        issue=issue,
        supplement=supplement,
        pages=clean_pages(_text(item.get("page"))),
        doi=clean_doi(_text(item.get("DOI"))),
        pmid=pmid,
        pii=pii,
        url=url,
        accessed=_iso(accessed),
        publisher=_text(item.get("publisher")),
        place=_text(item.get("publisher-place")),
        edition=_text(item.get("edition")),
        editors=editors,
        lang=_text(item.get("language")) or "en",
        raw=raw,
        extra=extra,
        csl=record,
    )
