"""Which CSL engine: citeproc-py + our patches vs citeproc-js in V8 (mini-racer), on the
SAME CSL-JSON items, both compared with citeproc-js under Node (the reference).

    .venv/bin/python -m bench.cslengine [--styles apa mla] [--libraries review]

Needs Node and `npm install` in bench/cslref (the reference), and citeproc-py 0.11.1
installed (candidate A; it is no longer a dependency: `pip install citeproc-py==0.11.1`).
The items are the original ones (the Zotero libraries in tests/fixtures/zotero/, the
shipped review as our csl-json export writes it), fed to each engine directly, so
what the record loses on import is out of the picture: only the engine is measured.
docs/CSL-ENGINE.md has the results and the decision.

(A) citeproc-py 0.11.1 with the 14 patches of tui/cite/csl.py as it was before the
    switch (git show 3afadb4:tui/cite/csl.py; written to bench/out/csl_py_old.py),
    its rendering path fed the CSL-JSON item instead of a Work;
(B) tui.cite.citeproc_js: citeproc-js 1.4.61 in mini-racer, disk cache off.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT))
os.environ["READINGLIST_CACHE"] = ""  # measure the engine, not the cache

from bench.cslref.compare import (  # noqa: E402
    LIBRARIES,
    entry_text,
    library_text,
    normalise,
    style_locale,
    style_path,
)
from bench.cslref.compare import citeproc_js as node_render  # noqa: E402
from tui.cite import CSL_FILES  # noqa: E402

OLD_COMMIT = "3afadb4"  # the last commit with citeproc-py as the engine
# citeproc-py 0.11 predates CSL 1.0.2 types: A rendered these as their nearest 1.0.1 type
# (tui.cite.csljson.RENDER_TYPES at OLD_COMMIT)
OLD_RENDER_TYPES = {
    "collection": "book",
    "standard": "report",
    "software": "book",
    "document": "article",
    "dataset": "dataset",
}


def old_csl_module():
    """tui/cite/csl.py as it was with citeproc-py (candidate A), imported from a copy."""
    OUT.mkdir(exist_ok=True)
    path = OUT / "csl_py_old.py"
    src = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{OLD_COMMIT}:tui/cite/csl.py"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    path.write_text(src, encoding="utf-8")
    import importlib.util

    spec = importlib.util.spec_from_file_location("csl_py_old", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def render_py(mod, item: dict, path: str) -> str:
    """Candidate A: the lowest level of the old format_work, fed a CSL-JSON item: the
    same citeproc-py call and the same clean-ups, without the Work-based pre-processing
    (supplements, article numbers, et-al placeholder: the item says these itself)."""
    import re
    import warnings

    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    style = mod.load_style(path)
    stem = Path(path).stem
    data = {k: v for k, v in item.items() if k not in ("custom",)}
    data["id"] = "item"
    data["type"] = OLD_RENDER_TYPES.get(data.get("type", ""), data.get("type", ""))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bib = CitationStylesBibliography(style, CiteProcJSON([data]), formatter.plain)
            bib.register(Citation([CitationItem("item")]))
            rendered = bib.bibliography()
    except Exception as e:
        return f"ERROR: {e.__class__.__name__}"
    text = str(rendered[0]) if rendered else ""
    text = mod.clean(text, piq=mod._punctuation_in_quote(style), strip_number=False)
    text = mod._two_literal_authors(text, data.get("author", []))
    title = str(data.get("title", "")).strip()
    if not data.get("author") and title:
        text = mod._drop_repeated_title(text, title)
    if stem in mod.NLM_FIXES:
        text = re.sub(r":(\w+)–(\w+)", r":\1-\2", text)
        text = mod._NLM_DATE.sub(lambda m: " ".join(g for g in m.groups() if g), text)
    return text


COLD = """
import os, sys, time, json
os.environ["READINGLIST_CACHE"] = {cache!r}
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from tui.cite import format_citation
from tui.sources.csljson import parse_csljson
_r, works = parse_csljson(open({lib!r}, encoding="utf-8").read(), source="x.json")
t1 = time.perf_counter()
format_citation(works[{n}], {style!r})
print(json.dumps([t1 - t0, time.perf_counter() - t1]))
"""


def cold_b(style: str, library: Path, cache: str, n: int = 0) -> tuple[float, float]:
    """A fresh process citing one work with the current engine: (import s, cite s)."""
    code = COLD.format(cache=cache, root=str(ROOT), lib=str(library), n=n, style=style)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode:
        return float("nan"), float("nan")
    return tuple(json.loads(out.stdout))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--styles", nargs="+", default=list(CSL_FILES), choices=list(CSL_FILES))
    ap.add_argument("--libraries", nargs="+", default=LIBRARIES, choices=LIBRARIES)
    ap.add_argument("--no-py", action="store_true", help="skip candidate A")
    args = ap.parse_args()
    from tui.cite import citeproc_js as js

    mod = None if args.no_py else old_csl_module()
    print(f"{'style':<10} {'library':<13} {'A py=ref':>9} {'B js=ref':>9} "
          f"{'A ms/it':>8} {'B ms/it':>8} {'B build':>8}")  # fmt: skip
    results = {}
    for lib in args.libraries:
        items = json.loads(library_text(lib))
        for s in args.styles:
            ref = [entry_text(e) for e in node_render(s, items)["entries"]]
            path = str(style_path(s))
            xml = style_path(s).read_text(encoding="utf-8")
            lang = style_locale(s)
            a, ta = [], 0.0
            if mod is not None:
                render_py(mod, items[0], path)
                t = time.perf_counter()
                a = [normalise(render_py(mod, it, path)) for it in items]
                ta = (time.perf_counter() - t) * 1000 / len(items)
            t = time.perf_counter()
            js.build(xml, lang)
            build = time.perf_counter() - t
            t = time.perf_counter()
            b = [normalise(js.render(it, xml, lang)) for it in items]
            tb = (time.perf_counter() - t) * 1000 / len(items)
            na = sum(x == y for x, y in zip(ref, a, strict=True)) if a else 0
            nb = sum(x == y for x, y in zip(ref, b, strict=True))
            n = len(items)
            print(f"{s:<10} {lib:<13} {na:>4}/{n:<4} {nb:>4}/{n:<4} {ta:7.2f} {tb:7.2f} "
                  f"{build:7.2f}s", flush=True)  # fmt: skip
            results[f"{s}/{lib}"] = {
                "n": n, "A": na, "B": nb, "A_ms": ta, "B_ms": tb, "B_build_s": build,
                "diffs": [
                    {"id": it.get("id"), "ref": r, "A": x if a else None, "B": y}
                    for it, r, x, y in zip(items, ref, a or [None] * n, b, strict=True)
                    if r != y or (a and r != x)
                ],
            }  # fmt: skip
    OUT.mkdir(exist_ok=True)
    (OUT / "cslengine.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print("\ncold `cite` of one work in a fresh process (B, the current engine):")
    lib = ROOT / "tests" / "fixtures" / "zotero" / "apa-data.json"
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for s in args.styles:
            miss = cold_b(s, lib, tmp)
            hit = cold_b(s, lib, tmp)
            print(f"  {s:<10} cache miss: import {miss[0]:.2f}s + cite {miss[1]:.2f}s;"
                  f" cache hit: import {hit[0]:.2f}s + cite {hit[1]:.3f}s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
