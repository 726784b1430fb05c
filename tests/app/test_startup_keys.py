"""Keys typed while the library is still opening (the first launch imports the shipped
review and writes the cache: seconds) are not lost, and go where the reader meant."""

from __future__ import annotations

import threading

from tests.helpers import SIZE, settle
from tui.app.app import ReadingListApp
from tui.store import Library


def slow_opener(path, gate: threading.Event, opened: list):
    """Opens a NEW library (the shipped review is imported) once `gate` is set."""

    def opener() -> Library:
        assert gate.wait(30)
        opened.append(Library(path))
        return opened[-1]

    return opener


async def test_filter_typed_while_the_new_library_opens(tmp_path):
    gate, opened = threading.Event(), []
    app = ReadingListApp(slow_opener(tmp_path / "library.json", gate, opened))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"lanc")
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.press(*"et")  # the library opened between two keys
        await settle(pilot)
        screen = app.main
        assert screen.filter_input.value == "lancet"
        assert app.focused is screen.filter_input  # the reader is still typing there
        assert screen.session.filter_text == "lancet"
        shown = [screen.refs.works[i] for i in screen.refs.rows]
        assert shown and len(shown) < len(screen.refs.works)
        assert all("lancet" in (w.journal or "").lower() + w.title.lower() for w in shown)
    opened[0].close()


async def test_a_key_that_needs_the_library_says_it_is_still_opening(tmp_path):
    gate, opened = threading.Event(), []
    app = ReadingListApp(slow_opener(tmp_path / "library.json", gate, opened))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")  # mark as reading: there is nothing to mark yet
        await pilot.pause()
        texts = [n.message for n in app._notifications]
        assert any("still opening" in t for t in texts)
        gate.set()
        await settle(pilot)
        screen = app.main
        assert screen.filter_input.value == ""
        assert app.focused is screen.refs
        assert not screen.library.states()  # nothing was marked behind the reader's back
    opened[0].close()


async def test_keys_queued_behind_slash_and_enter_go_where_the_focus_moves(library):
    """A burst of keys (typed while the app was busy, or pasted) is taken from the queue
    one by one: `/` and enter must move the focus before the next key is routed."""
    from textual import events

    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.main
        assert app.focused is screen.refs

        def burst(*keys: str) -> None:
            for key in keys:
                char = {"slash": "/", "enter": "\r"}.get(key, key)
                app.post_message(events.Key(key, char))

        burst("slash", *"lancet")  # n would open a note, a would add a work
        await settle(pilot)
        assert screen.filter_input.value == "lancet"
        assert app.screen is screen
        burst("enter", "j", "j")  # to the list, then two rows down
        await settle(pilot)
        assert screen.filter_input.value == "lancet"
        assert app.focused is screen.refs
        assert screen.refs.cursor == 2


async def test_keys_queued_before_slash_are_taken_by_the_list(library):
    """Keys typed ahead of `/` (at launch, while the terminal buffered them) act on the
    list they were typed into: two rows down and space marks the third work, and only
    what follows `/` goes into the filter."""
    from textual import events

    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.main
        third = screen.refs.works[screen.refs.rows[2]]
        keys = [("j", "j"), ("j", "j"), ("space", " "), ("slash", "/")]
        for key, char in keys + [(c, c) for c in "lancet"]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert screen.filter_input.value == "lancet"
        assert screen.library.state(third).status == "read"
        assert len(screen.library.states()) == 1


async def test_keys_typed_ahead_before_the_screen_is_mounted_wait_for_it(library):
    """At a cold start the terminal hands out what was typed ahead before the main screen
    has focused its list: those keys wait for it, so `jj␣` still marks the third work
    and `/lancet` still filters, in that order."""
    from textual import events

    burst = [("j", "j"), ("j", "j"), ("space", " "), ("slash", "/")] + [(c, c) for c in "lancet"]

    class TypedAhead(ReadingListApp):
        def get_default_screen(self):
            screen = super().get_default_screen()
            for key, char in burst:  # queued before the screen mounts
                self.post_message(events.Key(key, char))
            return screen

    app = TypedAhead(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.main
        third = screen.refs.works[2]
        assert screen.filter_input.value == "lancet"
        assert screen.library.state(third).status == "read"
        assert len(screen.library.states()) == 1
