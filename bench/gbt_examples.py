"""How many of the GB/T 7714 standards' own example references we print exactly.

    .venv/bin/python -m bench.gbt_examples [--misses bench/out/gbt-misses.txt] [--json]

Each entry of tests/fixtures/gbt7714/examples-{2015,2025}.json is a complete example
reference of the standard (issue 12) with a BibTeX record we wrote for it.  The record
goes through readinglist's own BibTeX importer (tui.sources.bibtex, as `readinglist
import` reads a .bib) and is cited with tui.cite in the edition's style.  A citation
counts as exact when it equals the standard's string after `normalise`: punctuation
width and whitespace are ignored, nothing else (the issue's measure).

The style per edition is `gbt7714-2015` / `gbt7714-2025` once tui.cite knows them; until
then both editions are cited with `gbt7714` (today's single, 2015-based style), and the
report says which style was used.  Examples printed in the author-date system
(`system: author-date`) are cited with the edition's author-date style
(`gbt7714-<edition>-authoryear`) when it exists; they are counted like every other example.

Prints exact matches per edition and per document type, and writes every miss
(id, expected, got) to the --misses file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "gbt7714"
EDITIONS = ("2015", "2025")

# full-width and CJK punctuation -> the half-width character the half-width style prints
_PUNCT = str.maketrans(
    {
        "，": ",",
        "．": ".",
        "。": ".",
        "：": ":",
        "；": ";",
        "［": "[",
        "］": "]",
        "（": "(",
        "）": ")",
        "／": "/",
        "？": "?",
        "！": "!",
        "＆": "&",
        "－": "-",
        "∶": ":",
    }
)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Punctuation width and whitespace ignored (U+3000 and no-break spaces included)."""
    text = unicodedata.normalize("NFC", text).translate(_PUNCT)
    return _SPACE.sub("", text)


def load(edition: str) -> list[dict]:
    return json.loads((FIXTURES / f"examples-{edition}.json").read_text(encoding="utf-8"))


def style_for(edition: str, system: str = "numeric") -> str:
    """`gbt7714-<edition>` (`-authoryear` for the author-date examples) when tui.cite knows
    it, else `gbt7714` (one style for both)."""
    from tui.cite import check_style
    from tui.errors import NotFound

    for name in ([f"gbt7714-{edition}-authoryear"] if system == "author-date" else []) + [
        f"gbt7714-{edition}"
    ]:
        try:
            return check_style(name)
        except NotFound:
            pass
    return check_style("gbt7714")


def cite(entry: dict, style: str) -> str:
    """Import the entry's record as a .bib file is imported, then cite it."""
    from tui.cite import format_citation
    from tui.sources.bibtex import parse_bibtex

    _review, works = parse_bibtex(entry["record"], source=f"{entry['id']}.bib")
    return format_citation(works[0], style)


def cite_list(entries: list[dict], style: str) -> list[str]:
    """The entries as one reference list (author-date lists tell one author's works of one
    year apart by 'a', 'b'); an entry that fails is an '<error: …>' line, not a crash."""
    from tui.cite import format_bibliography
    from tui.sources.bibtex import parse_bibtex

    works, out = [], {}
    for i, entry in enumerate(entries):
        try:
            works.append((i, parse_bibtex(entry["record"], source=f"{entry['id']}.bib")[1][0]))
        except Exception as exc:
            out[i] = f"<error: {type(exc).__name__}: {exc}>"
    lines = format_bibliography([w for _, w in works], style).split("\n") if works else []
    out.update({i: line for (i, _), line in zip(works, lines, strict=True)})
    return [out[i] for i in range(len(entries))]


def measure(edition: str) -> dict:
    """{'style', 'total', 'exact', 'by_type': {code: [exact, total]}, 'misses': [...]}.

    Numeric examples are cited one by one; the author-date ones as one list (the
    standard prints them so)."""
    style = style_for(edition)
    by_type: dict[str, list[int]] = {}
    misses = []
    entries = load(edition)
    got_all = [""] * len(entries)
    for system in ("numeric", "author-date"):
        idx = [i for i, e in enumerate(entries) if e["system"] == system]
        if system == "numeric":
            for i in idx:
                try:
                    got_all[i] = cite(entries[i], style_for(edition, system))
                except Exception as exc:  # a record the importer rejects is a miss
                    got_all[i] = f"<error: {type(exc).__name__}: {exc}>"
        else:
            for i, line in zip(idx, cite_list([entries[i] for i in idx],
                                              style_for(edition, system)), strict=True):  # fmt: skip
                got_all[i] = line
    for entry, got in zip(entries, got_all, strict=True):
        counts = by_type.setdefault(entry["type"], [0, 0])
        counts[1] += 1
        if normalise(got) == normalise(entry["expected"]):
            counts[0] += 1
        else:
            misses.append({"id": entry["id"], "type": entry["type"],
                           "expected": entry["expected"], "got": got})  # fmt: skip
    exact = sum(c[0] for c in by_type.values())
    total = sum(c[1] for c in by_type.values())
    return {"style": style, "total": total, "exact": exact, "by_type": by_type, "misses": misses}


def type_order(counts: dict[str, list[int]]) -> list[str]:
    return sorted(counts, key=lambda code: (-counts[code][1], code))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--misses", default=str(ROOT / "bench" / "out" / "gbt-misses.txt"),
        help="where to write the misses (default: bench/out/gbt-misses.txt)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)

    results = {edition: measure(edition) for edition in EDITIONS}
    lines = []
    for edition, r in results.items():
        for m in r["misses"]:
            lines += [f"{edition} {m['id']} [{m['type']}]", f"  expected: {m['expected']}",
                      f"  got:      {m['got']}", ""]  # fmt: skip
    out = Path(args.misses)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")

    if args.json:
        counts = {e: {k: v for k, v in r.items() if k != "misses"} for e, r in results.items()}
        print(json.dumps(counts, ensure_ascii=False, indent=1))
        return 0
    for edition, r in results.items():
        share = 100 * r["exact"] / r["total"] if r["total"] else 0.0
        print(f"GB/T 7714-{edition} ({r['style']}): {r['exact']}/{r['total']} exact ({share:.0f}%)")
        print("  " + ", ".join(f"{t} {r['by_type'][t][0]}/{r['by_type'][t][1]}"
                               for t in type_order(r["by_type"])))  # fmt: skip
    print(f"misses written to {out}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
