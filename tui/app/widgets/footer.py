"""The footer: as many keys as the width allows, chosen by the key registry's ranks.

Textual's Footer shows every binding with `show=True` in a row and cuts off the rest at
the right edge, so at 80 columns `s`, `n` and `o` fell off while `tab` stayed. This one
picks the keys to show by their rank in tui/app/keys.py (lowest first, while they fit),
then shows them in the registry's order (grouped by task), with the palette key kept
on the right. Below COMPACT_BELOW columns it uses Textual's compact style to fit more.

Only `compose` is ours: it mirrors Footer.compose without the binding groups (the
registry has none), adding the choice of what fits.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tui.app.keys import footer_order, footer_rank

COMPACT_BELOW = 100


def key_width(key: str, description: str, compact: bool) -> int:
    """Cells a FooterKey takes (its padding and margin as Footer's CSS sets them)."""
    return cell_len(key) + cell_len(description) + (2 if compact else 3)


def choose(items: list[tuple[str, str, str]], room: int, compact: bool) -> set[str]:
    """The actions of `items` (action, key shown, description) that fit `room` cells,
    taken by their footer rank, lowest first, up to the first that does not fit (a
    smaller key of a lower rank never takes the place of a more useful one)."""
    chosen: set[str] = set()
    for action, key, description in sorted(items, key=lambda item: footer_rank(item[0])):
        width = key_width(key, description, compact)
        if width > room:
            break
        chosen.add(action)
        room -= width
    return chosen


class KeyFooter(Footer):
    """Footer showing the keys that fit, by rank (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._width = 0

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:
            self._width = event.size.width
            self.compact = self._width < COMPACT_BELOW
            self.call_after_refresh(self.recompose)

    def compose(self) -> ComposeResult:
        import os

        if os.environ.get("NOFOOTER"):
            return
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        shown: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in shown:  # "v,x": one entry
                shown[binding.action] = (binding, enabled, tooltip)
        room = self._width or self.app.size.width
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                key = self.app.get_key_display(palette.binding)
                # (its own CSS: a border on the left, padding on the right unless compact)
                room -= key_width(key, palette.binding.description, False) + 2 - self.compact
        items = [
            (action, self.app.get_key_display(binding), binding.description)
            for action, (binding, _enabled, _tooltip) in shown.items()
        ]
        chosen = choose(items, room, self.compact)
        for action in sorted(shown, key=footer_order):
            binding, enabled, tooltip = shown[action]
            if action in chosen:
                yield FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    disabled=not enabled,
                    tooltip=tooltip,
                ).data_bind(compact=Footer.compact)
        if palette is not None:
            binding = palette.binding
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not palette.enabled,
                tooltip=binding.tooltip or binding.description,
            )
