"""Our CSL citations against citeproc-js (Zotero's CSL processor), item by item.

    .venv/bin/python -m bench.cslref.compare [--styles apa mla] [--libraries apa-data]

Needs Node and `npm install` in bench/cslref once (issues 11 and 12 measure against
citeproc-js; nothing in tests/ runs Node: tests compare with tests/fixtures/cslref/,
written by bench/cslref/record.py).

For every shipped CSL style and every library it renders
  (a) citeproc-js on the ORIGINAL items (the reference),
  (b) our pipeline: the items imported with tui.sources.csljson, cited with tui.cite,
  (c) citeproc-js on OUR csl-json export of the imported items,
and counts exact matches of (b) and (c) with (a). (c) vs (a) measures what the record
loses on the way in and out (issue 11); (b) vs (c) what our renderer does differently
from citeproc-js with the same record (issue 12).

Libraries: the real Zotero CSL-JSON test libraries in tests/fixtures/zotero/, and the
shipped review's 58 works as our own csl-json export writes them (for it, (a) is
citeproc-js on that export, so (c) measures only the import/export round trip).
`review-page` is the same review read from its page, as the app shows it: (b) is then
our citation of each printed reference (its record made by the GB/T parser, with the
extras tui.cite.csl adds to such a record), against citeproc-js on its csl-json export.

The only normalisation is the one the issues allow: runs of whitespace (NBSP included)
become one space, and the ends are stripped. One more thing is removed, because our
formatter never prints it: the citation number ("1.") that citeproc-js puts before
the entry of a numeric style (every item is the first of its one-item list).

Per-item differences go to bench/cslref/out/diffs-<library>.txt and every output to
bench/cslref/out/results.json (git-ignored).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = HERE / "out"
FIXTURES = ROOT / "tests" / "fixtures" / "zotero"
sys.path.insert(0, str(ROOT))

from tui.cite import CSL_FILES, format_bibliography, format_citation  # noqa: E402
from tui.errors import ReadingListError  # noqa: E402
from tui.paths import shipped_review, styles_dir  # noqa: E402

# the real Zotero libraries (tests/fixtures/zotero/README.md says where they are from)
ZOTERO_LIBRARIES = {
    "apa-data": FIXTURES / "apa-data.json",
    "gbt7714-data": FIXTURES / "gbt7714-data.json",
}
LIBRARIES = [*ZOTERO_LIBRARIES, "review", "review-page"]

_WS = re.compile(r"\s+")
_MARGIN = re.compile(r'<div class="csl-left-margin">(.*?)</div>', re.S)
_TAG = re.compile(r"<[^>]+>")


def normalise(text: str) -> str:
    """The only normalisation the issues allow: whitespace (str.split counts NBSP)."""
    return _WS.sub(" ", text).strip()


def entry_text(entry: dict) -> str:
    """citeproc-js's plain-text entry without the citation number of a numeric style
    (found as the HTML's `csl-left-margin`), whitespace-normalised."""
    text = normalise(entry.get("text") or "")
    m = _MARGIN.search(entry.get("html") or "")
    if m:
        number = normalise(html.unescape(_TAG.sub("", m.group(1))))
        if number and text.startswith(number):
            text = text[len(number) :].lstrip()
    return text


def style_path(style: str) -> Path:
    return styles_dir() / CSL_FILES[style]


def style_locale(style: str) -> str:
    """The locale tui.cite.csl loads the style with: its own override, else the
    style's default-locale, else en-US."""
    from tui.cite.csl import STYLE_LOCALES

    path = style_path(style)
    if path.stem in STYLE_LOCALES:
        return STYLE_LOCALES[path.stem]
    m = re.search(r'default-locale="([^"]+)"', path.read_text(encoding="utf-8")[:4000])
    return m.group(1) if m else "en-US"


def citeproc_js(style: str, items: list[dict]) -> dict:
    """Run render.js on `items` in `style`; its JSON (entries in the items' order)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as f:
        json.dump(items, f, ensure_ascii=False)
        name = f.name
    try:
        cmd = ["node", str(HERE / "render.js"), str(style_path(style)), style_locale(style), name]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    finally:
        Path(name).unlink(missing_ok=True)
    if out.returncode != 0:
        raise SystemExit(f"render.js failed: {out.stderr.strip().splitlines()[-1:]}")
    result = json.loads(out.stdout)
    if len(result["entries"]) != len(items):
        raise SystemExit("render.js returned a different number of entries")
    return result


def library_text(name: str) -> str:
    """The CSL-JSON text of a library as a user would import it."""
    if name in ("review", "review-page"):
        from tui.sources import load_file

        _review, works = load_file(shipped_review())
        return format_bibliography(works, "csl-json")
    return ZOTERO_LIBRARIES[name].read_text(encoding="utf-8")


def import_works(name: str, text: str):
    if name == "review-page":  # read from the page itself, not from the export
        from tui.sources import load_file

        return load_file(shipped_review())[1]
    from tui.sources.csljson import parse_csljson

    _review, works = parse_csljson(text, source=f"{name}.json")
    return works


def ours(works, style: str) -> tuple[list[str], float]:
    """Our citation of each work (an error as 'ERROR: …'), and the warm ms per work."""
    format_citation(works[0], style)  # the style is loaded and cached: warm from here
    out = []
    t = time.perf_counter()
    for w in works:
        try:
            out.append(normalise(format_citation(w, style)))
        except ReadingListError as e:
            out.append(f"ERROR: {e}")
    return out, (time.perf_counter() - t) * 1000 / len(works)


COLD = """
import sys, time, json
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from tui.cite import format_citation
from tui.sources.csljson import parse_csljson
_r, works = parse_csljson(open({path!r}, encoding="utf-8").read(), source="x.json")
t1 = time.perf_counter()
format_citation(works[0], {style!r})
t2 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1]))
"""


def cold(style: str, text: str) -> tuple[float, float]:
    """A fresh Python process: (import + parse ms, first citation ms incl. style load)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as f:
        f.write(text)
        name = f.name
    try:
        code = COLD.format(root=str(ROOT), path=name, style=style)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    finally:
        Path(name).unlink(missing_ok=True)
    if out.returncode != 0:
        return float("nan"), float("nan")
    a, b = json.loads(out.stdout)
    return a * 1000, b * 1000


def classify(a: str, b: str, c: str) -> str:
    """Where a difference comes from: the record (c differs, b equals c), our renderer
    (c equals a, b does not), or both."""
    if b == a:
        return "match" if c == a else "match despite record loss"
    if c == a:
        return "renderer"
    return "record" if b == c else "record+renderer"


def run(styles: list[str], libraries: list[str], jobs: int) -> list[dict]:
    OUT.mkdir(exist_ok=True)
    rows, results = [], {}
    for lib in libraries:
        text = library_text(lib)
        original = json.loads(text)
        works = import_works(lib, text)
        if len(works) != len(original):
            raise SystemExit(f"{lib}: {len(original)} items but {len(works)} works imported")
        exported = json.loads(format_bibliography(works, "csl-json"))
        # citeproc-js runs (two at a time, the machine has two cores) while we format
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {
                (s, kind): pool.submit(citeproc_js, s, items)
                for s in styles
                for kind, items in (("a", original), ("c", exported))
            }
            lines = [f"# {lib}: citeproc-js on the original (a), ours (b), citeproc-js on our "
                     "export (c); whitespace normalised\n"]  # fmt: skip
            for s in styles:
                b, warm = ours(works, s)
                cold_import, cold_first = cold(s, text)
                ra, rc = futures[(s, "a")].result(), futures[(s, "c")].result()
                a = [entry_text(e) for e in ra["entries"]]
                c = [entry_text(e) for e in rc["entries"]]
                kinds = Counter()
                for item, x, y, z in zip(original, a, b, c, strict=True):
                    kind = classify(x, y, z)
                    kinds[kind] += 1
                    if y != x or z != x:
                        lines.append(
                            f"## {s} {lib} {item.get('id')} [{item.get('type')}] {kind}\n"
                            f"a: {x}\nb: {y}\nc: {z}\n"
                        )
                n = len(original)
                row = {
                    "style": s,
                    "library": lib,
                    "n": n,
                    "b": sum(x == y for x, y in zip(a, b, strict=True)),
                    "c": sum(x == z for x, z in zip(a, c, strict=True)),
                    "bc": sum(y == z for y, z in zip(b, c, strict=True)),
                    "kinds": dict(kinds),
                    "js_errors": sum(bool(e["error"]) for e in ra["entries"]),
                    "js_build_ms": ra["build_ms"],
                    "js_ms_per_item": ra["render_ms"] / n / 2,  # html and text: two renders
                    "ours_cold_import_ms": cold_import,
                    "ours_cold_first_ms": cold_first,
                    "ours_warm_ms": warm,
                }
                rows.append(row)
                results[f"{s}/{lib}"] = {
                    "row": row,
                    "items": [
                        {"id": item.get("id"), "type": item.get("type"), "a": x, "b": y, "c": z}
                        for item, x, y, z in zip(original, a, b, c, strict=True)
                    ],
                }
                print(_format_row(row), flush=True)
        (OUT / f"diffs-{lib}.txt").write_text("\n".join(lines), encoding="utf-8")
    version = json.loads((HERE / "node_modules" / "citeproc" / "package.json").read_text())
    meta = {"citeproc": version["version"], "date": time.strftime("%Y-%m-%d %H:%M")}
    (OUT / "results.json").write_text(
        json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    return rows


HEADER = (
    f"{'style':<10} {'library':<13} {'b=a':>9} {'c=a':>9} {'b=c':>9} "
    f"{'js build':>9} {'js/item':>8} {'cold imp':>9} {'cold 1st':>9} {'warm':>7}"
)


def _format_row(r: dict) -> str:
    n = r["n"]
    return (
        f"{r['style']:<10} {r['library']:<13} {r['b']:>4}/{n:<4} {r['c']:>4}/{n:<4} "
        f"{r['bc']:>4}/{n:<4} {r['js_build_ms']:7.0f}ms {r['js_ms_per_item']:6.2f}ms "
        f"{r['ours_cold_import_ms']:7.0f}ms {r['ours_cold_first_ms']:7.0f}ms "
        f"{r['ours_warm_ms']:5.2f}ms"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--styles", nargs="+", default=list(CSL_FILES), choices=list(CSL_FILES))
    ap.add_argument("--libraries", nargs="+", default=LIBRARIES, choices=LIBRARIES)
    ap.add_argument("--jobs", type=int, default=2, help="citeproc-js processes at a time")
    args = ap.parse_args()
    if not (HERE / "node_modules" / "citeproc").is_dir():
        print("run `npm install` in bench/cslref first", file=sys.stderr)
        return 2
    print("b: ours on the imported items; c: citeproc-js on our export; a: citeproc-js on the")
    print("original. js build: CSL.Engine(); js/item: one render; cold imp: fresh Python,")
    print("import + parse; cold 1st: first citation (style load); warm: ms per work after.")
    print(HEADER, flush=True)
    rows = run(args.styles, args.libraries, args.jobs)
    print("\nwhere (b) differs from (a):")
    total = Counter()
    for r in rows:
        total.update(r["kinds"])
    for kind, n in total.most_common():
        print(f"  {kind:<28} {n}")
    print(f"per-item differences: {OUT}/diffs-<library>.txt")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
