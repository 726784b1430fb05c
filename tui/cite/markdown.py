"""A reading list as a Markdown document (GitHub task-list syntax).

    # 干细胞治疗硬皮病研究进展

    2/58 read, 1 reading

    - [x] TESKE N, FETT N. Recent advances …[J]. … DOI:10.1007/s40257-023-00831-2. ([doi](https://doi.org/10.1007/s40257-023-00831-2))
    - [ ] JERJEN R, … *(reading)*
      > my note

Decisions: "read" is `- [x]`, "unread" `- [ ]`, "reading" `- [ ]` with
*(reading)* after the citation (task lists have no third state); a note follows
as an indented quote, one line per line of the note. The link is the DOI, else
PubMed, else the work's URL. Markdown's active characters in the citation
(\\ ` * _ < >) are escaped; brackets are left alone (`[J]` followed by "." is
never a link).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from tui.model import State, Work

_ACTIVE = re.compile(r"([\\`*_<>])")


def escape(text: str) -> str:
    return _ACTIVE.sub(r"\\\1", " ".join(text.split()))


def link(work: Work) -> str:
    if work.doi.strip():
        return f"[doi](https://doi.org/{quote(work.doi.strip(), safe='/:;.-_~')})"
    if work.pmid.strip():
        return f"[PubMed](https://pubmed.ncbi.nlm.nih.gov/{quote(work.pmid.strip())}/)"
    if work.url.strip():
        return f"[link](<{work.url.strip()}>)"
    return ""


def state_of(work: Work, states: dict) -> State:
    for k in (work.ident, work.id, work.local_id):
        s = states.get(k)
        if s is not None:
            return s if isinstance(s, State) else State.from_dict(s)
    return State()


def export_markdown(
    works: list[Work],
    states: dict,
    format_one: Callable[[Work], str],
    title: str = "",
    labels: dict[str, str] | None = None,
) -> str:
    """`labels`: the names the reader gave the states (tui.settings); every state but
    read and unread is said after the citation, as *(reading)* is."""
    labels = labels or {}
    lines: list[str] = []
    if title.strip():
        lines += [f"# {escape(title)}", ""]
    got = [state_of(w, states) for w in works]
    counts: dict[str, int] = {}
    for st in got:
        counts[st.status] = counts.get(st.status, 0) + 1
    summary = f"{counts.get('read', 0)}/{len(works)} {escape(labels.get('read', 'read'))}"
    for status, n in counts.items():
        if status not in ("read", "unread"):
            summary += f", {n} {escape(labels.get(status, status))}"
    lines += [summary, ""]
    for work, st in zip(works, got, strict=True):
        box = "[x]" if st.status == "read" else "[ ]"
        text = escape(format_one(work))
        lk = link(work)
        line = f"- {box} {text}" + (f" ({lk})" if lk else "")
        if st.status not in ("read", "unread"):
            line += f" *({escape(labels.get(st.status, st.status))})*"
        lines.append(line)
        for note_line in st.note.strip().splitlines():
            lines.append(f"  > {escape(note_line)}" if note_line.strip() else "  >")
    return "\n".join(lines) + "\n"
