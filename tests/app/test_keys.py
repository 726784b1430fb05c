"""One key registry (tui/app/keys.py): bindings, help, palette and README's table agree."""

from __future__ import annotations

from pathlib import Path

from tui.app import keys
from tui.app.screens.main import MainScreen

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_key_table_is_the_registry():
    # regenerate with: python -m tui.app.keys --write README.md
    assert keys.readme_table(README.read_text(encoding="utf-8")) == keys.markdown_table()


def test_a_changed_key_is_seen_in_readme(monkeypatch):
    changed = tuple(
        keys.Key(k.group, "S" if k.action == "choose_style" else k.shown, k.help, k.keys, k.action)
        for k in keys.KEYS
    )
    monkeypatch.setattr(keys, "KEYS", changed)
    assert keys.readme_table(README.read_text(encoding="utf-8")) != keys.markdown_table()


def test_every_binding_of_the_main_screen_comes_from_the_registry():
    bound = {(b.key, b.action) for b in MainScreen.BINDINGS}
    assert bound == {(k.keys, k.action) for k in keys.KEYS if k.keys and k.action}
    ranked = sorted((k for k in keys.KEYS if k.footer), key=lambda k: k.footer)
    assert [k.keys for k in ranked[:4]] == ["slash", "space", "c", "question_mark"]  # kept first


def test_help_and_palette_show_the_keys():
    sections = dict(keys.help_sections())
    assert ("space", "toggle read / unread") in sections["Reading status"]
    palette = {title: help_text for title, help_text, _ in keys.palette_entries()}
    assert palette["Toggle read"].endswith("(space)")
    assert palette["Copy citation"].endswith("(c)")
    assert palette["Mark read"] == "Mark the highlighted or selected works read"  # no key


def test_markdown_option_prints_the_table(capsys):
    assert keys.main(["--markdown"]) == 0
    assert capsys.readouterr().out == keys.markdown_table()
