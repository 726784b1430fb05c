"""The footer: as many keys as the width allows, chosen by the key registry's ranks.

Textual's Footer shows every binding with `show=True` in a row and cuts off the rest at
the right edge, so at 80 columns `s`, `n` and `o` fell off while `tab` stayed. This one
picks the keys to show by their rank in tui/app/keys.py (lowest first, while they fit),
then shows them in the registry's order (grouped by task), with the palette key kept
on the right. Below COMPACT_BELOW columns it uses Textual's compact spacing to fit more.

It is one widget that draws its line itself, in the look of Textual's Footer (whose
FooterKey widgets, one per key, were a third of the first screen's widgets: each one
styled, laid out and composed again on every resize and change of bindings). A click
on a key presses it, as on Textual's.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from tui.app.keys import footer_order, footer_rank

COMPACT_BELOW = 100
_DIM = Style(dim=True)


def key_width(key: str, description: str, compact: bool) -> int:
    """Cells one key takes: its key and description, with Textual's Footer spacing."""
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


class KeyFooter(Widget, can_focus=False):
    """Footer showing the keys that fit, by rank (see the module docstring)."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "footer-key--key",
        "footer-key--description",
        "footer-key--separator",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .footer-key--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        # (start, end, key) of each key drawn, for clicks
        self._spans: list[tuple[int, int, str, bool]] = []

    @property
    def compact(self) -> bool:
        return self.size.width < COMPACT_BELOW

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.refresh()

    def _items(self, width: int) -> tuple[list[tuple[str, str, str, bool]], tuple | None]:
        """The keys to draw, in order (key, shown, description, enabled), and the
        palette key (the same) or None."""
        app = self.app
        active = self.screen.active_bindings
        shown: dict[str, tuple] = {}
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in shown:  # "v,x": one entry
                shown[binding.action] = (binding, enabled)
        room = width
        palette = None
        if app.ENABLE_COMMAND_PALETTE:
            found = active.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                b = found.binding
                palette = (b.key, app.get_key_display(b), b.description, found.enabled)
                # (its own spacing: a border on the left, padding on the right unless compact)
                room -= key_width(palette[1], b.description, False) + 2 - self.compact
        items = [(a, app.get_key_display(b), b.description) for a, (b, _e) in shown.items()]
        chosen = choose(items, room, self.compact)
        keys = []
        for action in sorted(shown, key=footer_order):
            if action in chosen:
                binding, enabled = shown[action]
                shown_key = app.get_key_display(binding)
                keys.append((binding.key, shown_key, binding.description, enabled))
        return keys, palette

    def _part(
        self, shown: str, description: str, enabled: bool, compact: bool, base: Style
    ) -> list[Segment]:
        key_style = base + self.get_component_rich_style("footer-key--key")
        description_style = base + self.get_component_rich_style("footer-key--description")
        if not enabled:
            key_style += _DIM
            description_style += _DIM
        if compact:
            return [Segment(shown, key_style), Segment(" " + description, description_style)]
        return [Segment(f" {shown} ", key_style), Segment(description + " ", description_style)]

    def render_line(self, y: int) -> Strip:
        # The one line as segments, the footer's own style under each (a Rich Text
        # through render() drew the same, with 1-2 ms of conversion on every redraw)
        width = self.size.width
        base = self.rich_style
        if y:
            return Strip.blank(width, base)
        keys, palette = self._items(width)
        compact = self.compact
        segments: list[Segment] = []
        x = 0
        self._spans = []
        for key, shown, description, enabled in keys:
            start = x
            for segment in self._part(shown, description, enabled, compact, base):
                segments.append(segment)
                x += cell_len(segment.text)
            self._spans.append((start, x, key, enabled))
            if compact:
                segments.append(Segment(" ", base))
                x += 1
        if palette is not None:
            key, shown, description, enabled = palette
            separator = base + self.get_component_rich_style("footer-key--separator")
            # (as Textual's: the palette key is always spaced compactly, with a cell to
            # its right: padding, or in a compact footer a margin)
            tail = [
                Segment("▏", separator),
                *self._part(shown, description, enabled, True, base),
                Segment(" ", base),
            ]
            gap = width - x - sum(cell_len(segment.text) for segment in tail)
            if gap >= 0:
                segments.append(Segment(" " * gap, base))
                x += gap
                self._spans.append((x + 1, width, key, enabled))
                segments += tail
        return Strip(segments).adjust_cell_length(width, base)

    def on_click(self, event: events.Click) -> None:
        for start, end, key, enabled in self._spans:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
