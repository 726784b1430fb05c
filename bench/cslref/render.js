#!/usr/bin/env node
// citeproc-js (the CSL processor inside Zotero and Mendeley) as a reference renderer.
//
//   node render.js STYLE.csl LOCALE ITEMS.json [LOCALES_DIR] > entries.json
//
// Prints {"citeproc": version, "style", "locale", "build_ms", "render_ms",
// "entries": [{"id", "text", "html", "error"}]}: the bibliography entry of every item,
// in the order of ITEMS.json, once as plain text and once as HTML.
//
// Each item is rendered as the bibliography of that item alone (updateItems([id]),
// then makeBibliography()), so sorting, disambiguation (2020a/2020b), "———" for a
// repeated author and numbering across items never come in: the entry is what Zotero
// would print for a one-item list. A numeric style therefore numbers every entry "1";
// compare.py removes that number, as our formatter never prints one.
//
// Locales come from LOCALES_DIR (default: data/locales/, the CSL locales readinglist
// ships), so Node and tui.cite.citeproc_js see the same terms and date formats.
// LOCALE is forced (the `forceLang` argument of CSL.Engine), as tui.cite.csl loads
// Cite Them Right with en-GB whatever the style says.
"use strict";

const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");

function defaultLocalesDir() {
  // the CSL locales readinglist ships (data/locales/), so Node and tui.cite use the same terms
  const dir = path.resolve(__dirname, "..", "..", "data", "locales");
  if (fs.existsSync(dir)) return dir;
  throw new Error(`no locales in ${dir}; pass LOCALES_DIR`);
}

function main(argv) {
  if (argv.length < 3) {
    process.stderr.write("usage: node render.js STYLE.csl LOCALE ITEMS.json [LOCALES_DIR]\n");
    return 2;
  }
  const [stylePath, locale, itemsPath] = argv;
  const localesDir = argv[3] || defaultLocalesDir();
  const styleXml = fs.readFileSync(stylePath, "utf8");
  const items = JSON.parse(fs.readFileSync(itemsPath, "utf8"));
  const byId = new Map();
  for (const item of items) byId.set(String(item.id), item);

  // "en" -> "en-US" etc., as citeproc-py's locales.json names the primary dialects
  let primary = {};
  const localesJson = path.join(localesDir, "locales.json");
  if (fs.existsSync(localesJson)) {
    primary = JSON.parse(fs.readFileSync(localesJson, "utf8"))["primary-dialects"] || {};
  }
  const sys = {
    retrieveLocale(lang) {
      const names = [lang, primary[lang]].filter(Boolean);
      for (const name of names) {
        const file = path.join(localesDir, `locales-${name}.xml`);
        if (fs.existsSync(file)) return fs.readFileSync(file, "utf8");
      }
      return false; // citeproc-js falls back to en-US
    },
    // a deep copy: citeproc-js normalises the item it is given in place
    retrieveItem(id) {
      const item = byId.get(String(id));
      return item === undefined ? undefined : JSON.parse(JSON.stringify(item));
    },
  };

  const t0 = process.hrtime.bigint();
  const engine = new CSL.Engine(sys, styleXml, locale, true);
  const t1 = process.hrtime.bigint();
  const entries = [];
  for (const item of items) {
    const id = String(item.id);
    const entry = { id, text: "", html: "", error: null };
    try {
      engine.updateItems([id]);
      for (const format of ["html", "text"]) {
        engine.setOutputFormat(format);
        const bib = engine.makeBibliography();
        entry[format] = bib ? bib[1].join("") : "";
      }
    } catch (e) {
      entry.error = String((e && e.message) || e).split("\n")[0];
    }
    entries.push(entry);
  }
  const t2 = process.hrtime.bigint();
  const out = {
    citeproc: CSL.PROCESSOR_VERSION,
    style: path.basename(stylePath),
    locale,
    build_ms: Number(t1 - t0) / 1e6,
    render_ms: Number(t2 - t1) / 1e6,
    entries,
  };
  process.stdout.write(JSON.stringify(out, null, 1) + "\n");
  return 0;
}

process.exitCode = main(process.argv.slice(2));
