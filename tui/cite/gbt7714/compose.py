"""The publication part of each type and the whole reference (see layout for the pieces)."""

from __future__ import annotations

from tui.cite.gbt7714.layout import (
    _NETWORK,
    Options,
    anonymous,
    contribution,
    creators,
    dot,
    edition_text,
    host,
    is_online,
    journal_title,
    number,
    pages,
    title_block,
    translators,
    year_of,
)
from tui.cite.gbt7714.record import Rec


def serial(rec: Rec, opt: Options) -> str:
    """'Am J Clin Dermatol, 2024, 25(2): 213-226' / '文献, 2013(1): 56-75'."""
    year = "" if opt.author_date else year_of(rec)
    issue = " ".join(x for x in (number(rec.issue), rec.supplement) if x)
    issue = f"({issue})" if issue else ""
    vol = number(rec.volume)
    parts = [journal_title(rec.container)] if rec.container else []
    if vol:
        parts += [year] if year else []
        parts.append(vol + issue)
    elif year or issue:
        if year and issue:
            parts.append(f"{year}{issue}")
        elif year:
            # an article online first: no volume, issue or pages yet, dated to the day
            parts.append(rec.issued if not rec.page and len(rec.issued) > 4 else year)
        elif parts:
            parts[-1] += f" {issue}"  # author-date: "文献 (1): 56-75"
        else:
            parts.append(issue)
    text = ", ".join(parts)
    if rec.page:
        text += f": {pages(rec.page)}"
    return text


def periodical(rec: Rec, opt: Options) -> str:
    """A whole journal: '1984, 1(1)-. 武汉: 中华医学会湖北分会, 1984-'."""
    return dot(rec.volume, imprint(rec, opt, with_pages=False))


def newspaper(rec: Rec, opt: Options) -> str:
    """'人民日报, 2013-01-12(2)'."""
    date = "" if opt.author_date else rec.issued
    text = ", ".join(x for x in (rec.container, date) if x)
    if rec.page:
        text += f"({pages(rec.page)})"
    return text


def imprint(rec: Rec, opt: Options, *, with_pages: bool = True, fill: bool = True) -> str:
    """'北京: 科学出版社, 2010: 112', with the edition's fill-ins for an unknown place or
    publisher ([出版地不详], [S.l.], …); an online work leaves them out (2015 4.1.2-16)."""
    zh = rec.lang in ("zh", "ja", "ko")
    place, publisher = rec.place, rec.publisher
    online = is_online(rec, opt)
    if place and publisher:
        head = f"{place}: {publisher}"
    elif publisher:
        head = publisher if (online and opt.edition == "2015") or not fill else ("[出版地不详]" if zh else "[S.l.]") + (
            f": {publisher}")  # fmt: skip
    elif place:
        head = place if online or not fill else f"{place}: " + ("[出版者不详]" if zh else "[s.n.]")
    elif fill and not online:
        head = "[出版地不详: 出版者不详]" if zh else "[S.l.: s.n.]"
    else:
        head = ""
    year = rec.year or rec.issued
    if rec.code == "A" and len(rec.issued) > len(year):
        year = rec.issued  # an archive's document is dated to the day: "1931-11-07"
    text = ", ".join(x for x in (head, "" if opt.author_date else year) if x)
    if with_pages and rec.page:
        text += f": {pages(rec.page)}"
    return text


def dated(rec: Rec, opt: Options) -> str:
    """Online documents: 'place: publisher, year(issued)[accessed]' or '(issued)'."""
    pub = ": ".join(x for x in (rec.place, rec.publisher) if x)
    issued = rec.issued
    if rec.code in ("DS", "PP"):
        issued = rec.issued or rec.year
        who = rec.publisher or rec.repository
        return f"{who} ({issued})" if issued else who
    if pub:
        return f"{pub}, {rec.year}" + (f"({issued})" if issued and issued != rec.year else "")
    return f"({issued})" if issued else ""


def publication(rec: Rec, opt: Options) -> str:
    code = rec.code
    if rec.entry == "periodical":
        return periodical(rec, opt)
    if code == "J":
        return serial(rec, opt)
    if code == "N":
        return newspaper(rec, opt)
    if code in ("P",):
        text = "" if opt.author_date else rec.issued
        return text + (f": {pages(rec.page)}" if rec.page else "")
    if code == "S" and opt.edition == "2025":
        return ""
    if code in ("EB", "DS", "PP", "CP", "DB"):
        return dated(rec, opt)
    if code in ("R", "A") and not (rec.place or rec.publisher):
        if opt.edition == "2015" and is_online(rec, opt) and len(rec.issued) > 4:
            return (f"{rec.year} " if code == "A" else "") + f"({rec.issued})"
        text = "" if opt.author_date else rec.issued
        return text + (f": {pages(rec.page)}" if rec.page else "")
    if code == "A" and opt.edition == "2025":
        return imprint(rec, opt, fill=False)
    return imprint(rec, opt)


def version(rec: Rec) -> str:
    v = rec.version.strip()
    if not v:
        return ""
    return f"V{v}" if v[:1].isdigit() else v


def body(rec: Rec, opt: Options) -> str:
    """Everything before the access date, URL and identifiers."""
    names = creators(rec, opt)
    if opt.author_date:
        names = f"{names or anonymous(rec)}, {year_of(rec)}{opt.year_suffix}"
    out = dot(names, title_block(rec, opt))
    tr = translators(rec, opt)
    if contribution(rec):
        out = dot(out, tr) if tr else out
        h = host(rec, opt)
        if not rec.publisher and rec.code == "C":
            year = "" if opt.author_date else year_of(rec)
            tail = ", ".join(x for x in (h, year) if x)
            return out + "//" + tail + (f": {pages(rec.page)}" if rec.page else "")
        out = out + "//" + h
    else:
        out = dot(out, tr)
    if rec.code in ("DS", "PP"):
        out = dot(out, version(rec))
    out = dot(out, edition_text(rec))
    out = dot(out, publication(rec, opt))
    if rec.code == "CM" and rec.dimensions:
        out = dot(out, rec.dimensions)
    return out


def tail(rec: Rec, opt: Options, text: str) -> tuple[str, str]:
    """The access date after the publication part, then the URL and the DOI or CSTR."""
    network = rec.code in _NETWORK
    url = rec.url if opt.url or network else ""  # -nourl keeps the DOI, drops URL and date
    accessed = rec.accessed if url or network else ""
    if opt.edition == "2025" and not network:
        accessed = ""  # 2025 dates only what exists on the network alone
    if accessed:
        bare = text.endswith(f"[{rec.code}/OL]") or text.endswith(f"[{rec.code}]")
        text += f". [{accessed}]" if bare else f"[{accessed}]"
    ids = ""
    if url:
        ids = dot(ids, url)
    low = url.lower()
    if rec.doi and rec.doi.lower() not in low:
        ids = dot(ids, f"DOI:{rec.doi}")
    if rec.cstr and rec.cstr.lower() not in low:
        ids = dot(ids, f"CSTR:{rec.cstr}")
    return text, ids
