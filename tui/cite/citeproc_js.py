"""citeproc-js, the CSL processor inside Zotero and Mendeley, run in V8 (mini-racer).

Chosen by measurement over citeproc-py (docs/CSL-ENGINE.md): with the same CSL-JSON
item it prints what Zotero prints. This module only feeds it and caches its output:

- the processor is the npm package `citeproc` 2.4.63 (citeproc-js 1.4.61), vendored
  unmodified as data/citeproc/citeproc_commonjs.js (CPAL-1.0 or AGPL-3.0, its
  LICENSE next to it) and pinned by SHA-256: a changed file is refused, not run;
- locales are the CSL project's, vendored in data/locales/ (CC BY-SA 3.0);
- building a style costs what citeproc-js's token building costs (APA ~1 s, Chicago
  ~2 s on a 2-core machine; XML parsing is a few per cent of it), so every rendered
  entry is kept on disk, keyed by (processor, style file, locale, item): a cold
  `cite` of a work rendered before reads one small file. The cache is disposable:
  deleting it loses nothing, an unreadable or mismatched entry is ignored;
- one shim (`_SHIM`): citeproc-js finds a macro by walking the whole style tree at
  every call of it, a third of APA's build time; the shim indexes macros by name once.
  Pure speed: the measured output is the same with and without it.

Each item is rendered as a one-item bibliography, as bench/cslref/render.js does, and
the "1." a numeric style numbers that list with is removed (we never print one).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import threading
from pathlib import Path

from tui.errors import ReadingListError
from tui.paths import data_dir

# the vendored processor (npm `citeproc` 2.4.63); bench/cslref measures this version
JS_SHA256 = "55abba1a8b8b48c14323fd053f9646013b4b7a0c977938064ecf5195a502b9f1"
JS_VERSION = "citeproc 2.4.63"

_SHIM = r"""
(function () {
  var orig = CSL.XmlJSON.prototype.getNodesByName;
  CSL.XmlJSON.prototype.getNodesByName = function (node, name, attr, ret) {
    if (name !== "macro" || !attr || ret || node !== this.dataObj) {
      return orig.call(this, node, name, attr, ret);
    }
    if (!this.rlMacros || this.rlMacrosOf !== node) {
      var index = {}, all = orig.call(this, node, "macro");
      for (var i = 0; i < all.length; i++) {
        var key = all[i].attrs && all[i].attrs.name;
        (index[key] = index[key] || []).push(all[i]);
      }
      this.rlMacros = index;
      this.rlMacrosOf = node;
    }
    return (this.rlMacros[attr] || []).slice();
  };
})();
var RL = {locales: {}, items: {}, engines: {}};
RL.sys = {
  retrieveLocale: function (lang) { return RL.locales[lang] || false; },
  retrieveItem: function (id) {
    var item = RL.items[id];
    return item === undefined ? undefined : JSON.parse(JSON.stringify(item));
  }
};
RL.build = function (key, xml, lang) { RL.engines[key] = new CSL.Engine(RL.sys, xml, lang, true); };
RL.render = function (key, item) {
  var engine = RL.engines[key];
  RL.items = {};
  RL.items[item.id] = item;
  engine.updateItems([item.id]);
  engine.setOutputFormat("text");
  var bib = engine.makeBibliography();
  return bib ? bib[1].join("") : "";
};
"""

_NUMBER = re.compile(r"^\s*(?:\[1\]|1\.)\s*")
_LANG = re.compile(r'xml:lang="([^"]+)"')

_lock = threading.RLock()
_ctx = None
_styles: dict[str, tuple[str, bool]] = {}  # style key -> (key of the built engine, numeric)
_memo: dict[tuple[str, str], str] = {}
_skeys: dict[tuple[str, str], str] = {}  # (style XML, locale) -> style_key


class EngineError(ReadingListError):
    """citeproc-js cannot run here (mini-racer missing, the vendored file changed)."""


def js_path() -> Path:
    return data_dir() / "citeproc" / "citeproc_commonjs.js"


def locales_dir() -> Path:
    return data_dir() / "locales"


def cache_dir() -> Path | None:
    """Where rendered entries are kept: `READINGLIST_CACHE` if set ("" turns the
    cache off), else the user's cache directory."""
    env = os.environ.get("READINGLIST_CACHE")
    if env is not None:
        return Path(env).expanduser() / "csl" if env else None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("readinglist", appauthor=False)) / "csl"


def _context():
    global _ctx
    if _ctx is not None:
        return _ctx
    try:
        from py_mini_racer import MiniRacer
    except ImportError:
        raise EngineError(
            "CSL styles need the mini-racer package (V8): pip install mini-racer==0.14.1"
        ) from None
    try:
        source = js_path().read_bytes()
    except OSError:
        raise EngineError(f"the CSL processor is missing: {js_path()}") from None
    if hashlib.sha256(source).hexdigest() != JS_SHA256:
        raise EngineError(f"the CSL processor is not the tested {JS_VERSION}: {js_path()}")
    try:
        ctx = MiniRacer()
        ctx.eval("var module = {exports: {}}; var exports = module.exports;")
        ctx.eval(source.decode("utf-8"))
        ctx.eval("var CSL = module.exports;" + _SHIM)
    except Exception as e:  # a V8 that cannot start here
        raise EngineError(f"the CSL processor cannot start: {_first_line(e)}") from None
    _ctx = ctx
    atexit.register(_close)
    return ctx


def _close() -> None:
    """Free the V8 context before the interpreter shuts down.

    mini-racer runs V8's callbacks on an asyncio loop in a daemon thread and, left to
    the garbage collector, joins that thread from `MiniRacer.__del__` during interpreter
    teardown, when daemon threads no longer run: the process then hangs at exit (seen
    with two styles built). Closing it at exit, while the thread still runs, is clean."""
    global _ctx
    with _lock:
        ctx, _ctx = _ctx, None
        _styles.clear()
    if ctx is not None:
        ctx.close()


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else e.__class__.__name__


def _primary_dialects() -> dict[str, str]:
    try:
        data = json.loads((locales_dir() / "locales.json").read_text(encoding="utf-8"))
        return data.get("primary-dialects", {})
    except (OSError, ValueError):
        return {}


def _locale_xml(lang: str) -> str | None:
    primary = _primary_dialects()
    for name in (lang, primary.get(lang), primary.get(lang.split("-")[0])):
        if name:
            path = locales_dir() / f"locales-{name}.xml"
            if path.is_file():
                return path.read_text(encoding="utf-8")
    return None


def _locale_names(xml: str, lang: str) -> list[str]:
    """The locales an engine for this style loads: its own, en-US (citeproc-js's
    fallback) and any the style's <locale xml:lang> elements name."""
    return sorted({lang, "en-US", *_LANG.findall(xml)})


def style_key(xml: str, lang: str) -> str:
    """What a rendered entry depends on besides the item: the processor (the vendored
    file and our add-on script), the style, and the locale files it loads (a new
    version of readinglist may ship a changed locale: its entries must not be reused).
    Computed once per style and locale in a process."""
    known = _skeys.get((xml, lang))
    if known is None:
        known = _skeys[(xml, lang)] = _style_key(xml, lang)
    return known


def _style_key(xml: str, lang: str) -> str:
    h = hashlib.sha256(f"{JS_SHA256}\n{_SHIM}\n{lang}\n{xml}".encode())
    for name in _locale_names(xml, lang):
        h.update(f"\n{name}\n{_locale_xml(name) or ''}".encode())
    return h.hexdigest()


def item_key(item: dict) -> str:
    text = json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _cache_file(skey: str, ikey: str) -> Path | None:
    base = cache_dir()
    return base / skey[:24] / f"{ikey[:40]}.txt" if base else None


def _cache_read(skey: str, ikey: str) -> str | None:
    path = _cache_file(skey, ikey)
    if path is None:
        return None
    try:
        head, sep, text = path.read_bytes().decode("utf-8").partition("\n")
    except (OSError, UnicodeDecodeError):
        return None
    # the head names the key and the text's checksum: anything else is damaged, ignored
    return text if sep and head == _cache_head(skey, ikey, text) else None


def _cache_head(skey: str, ikey: str, text: str) -> str:
    return f"{skey}:{ikey}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _cache_write(skey: str, ikey: str, text: str) -> None:
    path = _cache_file(skey, ikey)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(f"{_cache_head(skey, ikey, text)}\n{text}".encode())
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only or full disk: the cache is only a cache


def _engine(xml: str, lang: str, skey: str) -> bool:
    """Build the engine for (style, locale) once per process; True for a numeric style."""
    known = _styles.get(skey)
    if known is not None:
        return known[1]
    ctx = _context()
    for name in _locale_names(xml, lang):
        text = _locale_xml(name)
        if text is not None:
            ctx.eval(f"RL.locales[{json.dumps(name)}] = {json.dumps(text)};")
    try:
        ctx.eval(f"RL.build({json.dumps(skey)}, {json.dumps(xml)}, {json.dumps(lang)});")
    except Exception as e:
        raise ReadingListError(f"citeproc-js cannot load this style: {_first_line(e)}") from None
    numeric = 'citation-format="numeric"' in xml
    _styles[skey] = (skey, numeric)
    return numeric


def render(item: dict, xml: str, lang: str) -> str:
    """The bibliography entry of one CSL-JSON item in the style `xml` and locale `lang`,
    as citeproc-js prints it in plain text, without a numeric style's number."""
    skey = style_key(xml, lang)
    ikey = item_key(item)
    with _lock:
        text = _memo.get((skey, ikey))
        if text is not None:
            return text
        text = _cache_read(skey, ikey)
        if text is None:
            numeric = _engine(xml, lang, skey)
            data = dict(item, id=f"i{ikey[:16]}")
            try:
                text = _context().call("RL.render", skey, data)
            except Exception as e:
                raise ReadingListError(
                    f"citeproc-js cannot format this work: {_first_line(e)}"
                ) from None
            text = text or ""
            if numeric:
                text = _NUMBER.sub("", text, count=1)
            _cache_write(skey, ikey, text)
        _memo[(skey, ikey)] = text
        return text


def build(xml: str, lang: str) -> None:
    """Build the engine for a style now (the app's preload), unless already built."""
    with _lock:
        _engine(xml, lang, style_key(xml, lang))
