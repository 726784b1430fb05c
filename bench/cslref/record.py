"""Record citeproc-js's rendering of the Zotero fixtures for the tests (no Node in CI).

    .venv/bin/python -m bench.cslref.record

Writes tests/fixtures/cslref/<library>.<style>.json for every library in
tests/fixtures/zotero/ and every shipped CSL style: a header (citeproc-js version, date,
style file and its SHA-256, locale, library) and one entry per item, in the library's
order: `text`, citeproc-js's plain text whitespace-normalised and without the citation
number of a numeric style (as bench/cslref/compare.py compares it), and `html`, as
citeproc-js wrote it. tests/unit/test_cite_cslref.py compares our citations with `text`.

Run it again after changing a shipped .csl file or a fixture library, or to move to a
newer citeproc-js (`npm install citeproc@latest` in bench/cslref).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time

from bench.cslref.compare import (
    HERE,
    ROOT,
    ZOTERO_LIBRARIES,
    citeproc_js,
    entry_text,
    style_locale,
    style_path,
)
from tui.cite import CSL_FILES

TARGET = ROOT / "tests" / "fixtures" / "cslref"


def main() -> int:
    if not (HERE / "node_modules" / "citeproc").is_dir():
        print("run `npm install` in bench/cslref first", file=sys.stderr)
        return 2
    package = json.loads((HERE / "node_modules" / "citeproc" / "package.json").read_text())
    TARGET.mkdir(parents=True, exist_ok=True)
    date = time.strftime("%Y-%m-%d")
    for lib, path in ZOTERO_LIBRARIES.items():
        items = json.loads(path.read_text(encoding="utf-8"))
        for style in CSL_FILES:
            result = citeproc_js(style, items)
            errors = [e["id"] for e in result["entries"] if e["error"]]
            if errors:
                print(f"{lib} {style}: citeproc-js failed on {errors}", file=sys.stderr)
                return 1
            csl = style_path(style)
            doc = {
                "generated_by": "bench/cslref/record.py",
                "citeproc_npm": package["version"],
                "citeproc_processor": result["citeproc"],
                "date": date,
                "style": style,
                "csl": csl.name,
                "csl_sha256": hashlib.sha256(csl.read_bytes()).hexdigest(),
                "locale": style_locale(style),
                "library": str(path.relative_to(ROOT)),
                "rendering": "each item as the bibliography of that item alone",
                "text": "plain text, whitespace-normalised, citation number removed",
                "entries": [
                    {"id": e["id"], "text": entry_text(e), "html": e["html"].strip()}
                    for e in result["entries"]
                ],
            }
            out = TARGET / f"{lib}.{style}.json"
            out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", "utf-8")
            print(f"wrote {out.relative_to(ROOT)} ({len(items)} entries)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
