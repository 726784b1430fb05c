"""The main screen's online jobs: fetch abstracts, resolve identifiers, add by identifier.

Each job asks the services in a thread worker (tui.online.tasks, which writes
nothing) and reports by message: progress to the bar shown here, then its result.
The library is written once, on the main thread, when the result arrives; escape
cancels a running job, and its result (if it still comes) is dropped, so a cancelled
job writes nothing. No network is one line, and the app goes on as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.containers import Horizontal
from textual.worker import get_current_worker

from tui.app.messages import OnlineDone, OnlineFailed, OnlineProgress
from tui.errors import ReadingListError
from tui.model import Work
from tui.session import ALL_WORKS
from tui.text import inert

if TYPE_CHECKING:
    from textual.widgets import Label, ProgressBar

    from tui.app.screens.main import MainScreen
    from tui.online.match import Outcome

VERBS = {"fetch": "Fetching abstracts", "resolve": "Resolving identifiers", "add": "Looking up"}


class _Cancelled(Exception):
    """Raised in the worker's thread at the next work once the reader pressed escape."""


class OnlineBar(Horizontal):
    """A one-line progress bar while an online job runs (hidden otherwise)."""

    DEFAULT_CSS = """
    OnlineBar { height: 1; display: none; padding: 0 1; }
    OnlineBar.-running { display: block; }
    OnlineBar #online-label { width: auto; margin-right: 2; }
    """

    def __init__(self, main: MainScreen, **kwargs) -> None:
        super().__init__(**kwargs)
        self.main = main
        self.job = 0  # the running job's number; a message of another job is stale
        self.running = ""  # its kind ("" when none runs)
        self._parts: tuple[Label, ProgressBar] | None = None  # made when first shown

    def _made(self) -> tuple[Label, ProgressBar]:
        """The label and the bar, made and mounted the first time a job runs: the first
        screen neither imports nor styles widgets it does not show."""
        if self._parts is None:
            from textual.widgets import Label, ProgressBar

            label = Label("", id="online-label", markup=False)
            bar = ProgressBar(total=None, show_eta=False, id="online-progress")
            self._parts = (label, bar)
            self.mount(label, bar)
        return self._parts

    @property
    def label(self) -> Label:
        return self._made()[0]

    @property
    def bar(self) -> ProgressBar:
        return self._made()[1]

    # --- starting and stopping -------------------------------------------------------

    def start(self, kind: str) -> None:
        """Start job `kind` on the works shown (add: after asking for the identifier)."""
        if self.running:
            self.notify(f"{VERBS[self.running]} already (escape stops it).", markup=False)
            return
        if kind == "add":
            from tui.app.screens.online import AddScreen

            into = self._into()
            self.app.push_screen(AddScreen(into or "the 'added' collection"), self._add)
            return
        from tui.online.tasks import needs_resolving

        session = self.main.session
        works = [w for k in ("reference", "related") for w in session.lists[k].works]
        if kind == "fetch":
            works = [w for w in works if w.any_doi or w.any_pmid]
            none = "No work shown has a DOI or PMID to fetch with (L resolves them)."
        else:
            works = [w for w in works if needs_resolving(w)]
            none = "Every work shown has a DOI and a PMID already."
        if not works:
            self.notify(none, markup=False)
            return
        self._begin(kind, len(works))
        self._run(self.job, kind, works, None, self._pref())

    def _begin(self, kind: str, total: int | None) -> None:
        self.job += 1
        self.running = kind
        self.bar.update(total=total, progress=0)
        self.label.update(f"{VERBS[kind]} (escape stops)")
        self.add_class("-running")

    def _end(self) -> None:
        self.job += 1  # whatever the worker still sends is stale
        self.running = ""
        self.remove_class("-running")

    def cancel(self) -> bool:
        """Stop the running job (escape); nothing it found is written. False: none ran."""
        if not self.running:
            return False
        verb = VERBS[self.running]
        self.workers.cancel_group(self, "online")
        self._end()
        self.notify(f"{verb}: stopped; nothing was written.", markup=False)
        return True

    def _pref(self) -> object:
        """The `online` pref (base URLs, email, rates), read here on the main thread."""
        return self.main.library.get_pref("online")

    # --- the thread ------------------------------------------------------------------

    @work(thread=True, group="online", exit_on_error=False, description="online")
    def _run(self, job: int, kind: str, works: list[Work], ident: object, pref: object) -> None:
        worker = get_current_worker()

        def progress(done: int, total: int, w: Work) -> None:
            if worker.is_cancelled:
                raise _Cancelled
            self.post_message(OnlineProgress(job, done, total, w.local_id))

        try:
            from tui.online import tasks
            from tui.online.http import Client, Offline, Settings

            with Client(Settings.load(pref)) as client:
                if kind == "fetch":
                    result: object = tasks.fetch(client, works, tasks.FETCH_FIELDS, progress)
                elif kind == "resolve":
                    result = tasks.resolve(client, works, progress)
                else:
                    assert isinstance(ident, tasks.Identifier)
                    result = tasks.lookup(client, ident)
        except _Cancelled:
            return
        except ReadingListError as err:
            if not worker.is_cancelled:
                self.post_message(OnlineFailed(job, str(err), isinstance(err, Offline)))
            return
        except Exception as err:  # a bug must not take the reader's session with it
            self.post_message(OnlineFailed(job, f"{type(err).__name__}: {err}"))
            return
        if not worker.is_cancelled:
            self.post_message(OnlineDone(job, kind, result))

    # --- results, on the main thread -------------------------------------------------

    @on(OnlineProgress)
    def _progress(self, message: OnlineProgress) -> None:
        message.stop()
        if message.job == self.job and self.running:
            self.bar.update(total=message.total, progress=message.done)
            label = inert(message.label, keep_newlines=False)
            self.label.update(f"{VERBS[self.running]} {label} (escape stops)")

    @on(OnlineFailed)
    def _failed(self, message: OnlineFailed) -> None:
        message.stop()
        if message.job != self.job:
            return
        self._end()
        title = "Offline" if message.offline else "Online"
        self.notify(message.error, title=title, severity="warning", markup=False)

    @on(OnlineDone)
    def _done(self, message: OnlineDone) -> None:
        message.stop()
        if message.job != self.job:
            return
        self._end()
        try:
            if message.kind == "fetch":
                assert isinstance(message.result, dict)
                self._fetched(message.result)
            elif message.kind == "resolve":
                assert isinstance(message.result, list)
                self._resolved(message.result)
            else:
                assert isinstance(message.result, Work)
                self._added(message.result)
        except ReadingListError as err:
            self.main.write_failed(err, "Not saved", "error")

    def _fetched(self, changes: dict[str, dict]) -> None:
        self.main.library.set_fetched(changes)  # the one write
        abstracts = sum(1 for c in changes.values() if "abstract" in c)
        self.main.reload()
        self.notify(
            f"Fetched data for {len(changes)} works ({abstracts} abstracts).",
            title="Fetched",
            markup=False,
        )

    def _resolved(self, outcomes: list[Outcome]) -> None:
        from tui.online.tasks import resolution_changes

        changes = resolution_changes(outcomes)
        self.main.library.set_fetched(changes)  # the sure ones: the one write
        unsure = [o for o in outcomes if o.work.id not in changes and o.unsure]
        missing = len(outcomes) - len(changes) - len(unsure)
        self.main.reload()
        self.notify(
            f"{len(changes)} resolved, {len(unsure)} unsure, {missing} not found.",
            title="Resolved",
            markup=False,
        )
        if unsure:
            from tui.app.screens.online import ConfirmMatchesScreen

            self.app.push_screen(
                ConfirmMatchesScreen(unsure), lambda ids: self._confirmed(unsure, ids)
            )

    def _confirmed(self, unsure: list[Outcome], ids: list[str] | None) -> None:
        """Write only the unsure matches the reader ticked, marked as confirmed."""
        from tui.online.tasks import resolution_changes

        if not ids:
            self.notify("No unsure match was written.", markup=False)
            return
        changes = resolution_changes(unsure, set(ids))
        try:
            self.main.library.set_fetched(changes)
        except ReadingListError as err:
            self.main.write_failed(err, "Not saved", "error")
            return
        self.main.reload()
        self.notify(f"{len(changes)} confirmed matches written.", markup=False)

    # --- add by identifier -----------------------------------------------------------

    def _into(self) -> str | None:
        """Where an added work goes: the collection shown, else the 'added' collection."""
        review = self.main.session.review
        key = self.main.session.review_key
        if key != ALL_WORKS and review is not None and review.kind == "collection":
            return review.key
        return None

    def _add(self, text: str | None) -> None:
        if not text:
            return
        from tui.online.intake import already_there
        from tui.online.tasks import parse_identifier

        try:
            ident = parse_identifier(text)  # a bad identifier asks nothing
        except ReadingListError as err:
            self.notify(str(err), title="Not added", severity="warning", markup=False)
            return
        there = already_there(self.main.library, ident)
        if there is not None:
            self.notify(f"Already in the library: {there.id}.", markup=False)
            self._show(there)
            return
        self._begin("add", None)
        self.label.update(Text(f"Looking up {inert(text, keep_newlines=False)} (escape stops)"))
        self._run(self.job, "add", [], ident, self._pref())

    def _added(self, work: Work) -> None:
        from tui.online.intake import add_to_library

        stored = add_to_library(self.main.library, work, self._into())  # the one write
        self._show(stored)
        title = inert(stored.title, keep_newlines=False)
        self.notify(f"Added {stored.id}: {title}", title="Added", markup=False)

    def _show(self, w: Work) -> None:
        """Open the review holding `w` with `w` highlighted."""
        main = self.main
        if main.session.review_key not in (w.review, ALL_WORKS):
            main.open_review(w.review)
        else:
            main.reload()
        target = main.refs if w.kind == "reference" else main.rels
        main.action_clear_filter()
        target.move_to_work(w.id)
        target.focus()
