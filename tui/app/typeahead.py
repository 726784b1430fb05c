"""Keys typed before the main screen has focused its list wait for it (type-ahead).

The terminal buffers what the reader types while the program starts (a cold start of a
big library takes seconds before the first frame). Textual hands those keys out as soon
as its loop runs, before the main screen is mounted and has focused its list: they go to
the screen itself and are handled against whatever has the focus by then (a `/` among
them, a priority binding, has moved it to the filter). So `jj␣/lancet` typed ahead lost
the moves and the mark. The app holds the keys that arrive before the screen is ready
and hands them out, in order, once it is.
"""

from __future__ import annotations

from textual import events


class TypeAhead:
    """A mixin for the App: `hold_keys_until_mounted(screen)` before the screen mounts;
    the screen calls `release_keys()` once its first focus is set."""

    _held: list[events.Key] | None = None
    _holding_for: object = None

    def hold_keys_until_mounted(self, screen: object) -> None:
        self._held, self._holding_for = [], screen

    async def on_event(self, event: events.Event) -> None:
        if (
            self._held is not None
            and isinstance(event, events.Key)
            and not event.is_forwarded
            and self.screen is self._holding_for  # (another screen: keys as usual)
        ):
            self._held.append(event)
            return
        await super().on_event(event)

    async def release_keys(self) -> None:
        """Hand the held keys out in order (and any that arrive meanwhile), then stop
        holding."""
        held = self._held or []
        while held:
            await super().on_event(held.pop(0))
        self._held = self._holding_for = None
