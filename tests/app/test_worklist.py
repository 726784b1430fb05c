"""The virtual work list on its own: 100,000 rows, cursor keys, clicks, cut columns."""

from __future__ import annotations

import time

from rich.cells import cell_len
from textual.app import App

from tui.app.widgets.worklist import WorkList, fit, short_authors
from tui.model import State, Work

N = 100_000


def works(n: int) -> list[Work]:
    return [
        Work(
            review="big",
            kind="reference",
            n=i + 1,
            authors=[f"Author{i} A", "Other B", "Third C"],
            et_al=True,
            title=f"Title number {i + 1} about stem cells",
            journal="J Test",
            year=1990 + i % 30,
            doi=f"10.1/{i}",
        )
        for i in range(n)
    ]


class ListApp(App):
    CSS = "WorkList { height: 1fr; }"

    def __init__(self, items: list[Work], states: dict[str, State]) -> None:
        super().__init__()
        self.items = items
        self.states = states
        self.highlights: list[int | None] = []

    def compose(self):
        yield WorkList("reference", "References", id="list")

    def on_mount(self) -> None:
        wl = self.query_one(WorkList)
        wl.set_works(self.items, self.states)
        wl.focus()

    def on_work_list_highlighted(self, event: WorkList.Highlighted) -> None:
        self.highlights.append(event.work.n if event.work else None)


async def test_hundred_thousand_rows_move_and_render_quickly():
    items = works(N)
    states = {items[N - 1].ident: State(status="read")}
    app = ListApp(items, states)
    async with app.run_test(size=(100, 30)) as pilot:
        wl = app.query_one(WorkList)
        assert wl.virtual_size.height == N
        assert wl.count_read() == 1
        await pilot.press("end")
        assert wl.highlighted.n == N
        assert round(wl.scroll_y) == N - wl.scrollable_content_region.height
        last = wl.render_line(wl.scrollable_content_region.height - 1).text
        assert last.startswith(f" {N} ✓")
        await pilot.press("home", "pagedown")
        assert wl.highlighted.n == wl.scrollable_content_region.height
        await pilot.press("pageup", "down")
        assert wl.highlighted.n == 2
        assert app.highlights[-1] == 2
        start = time.perf_counter()
        for y in range(wl.scrollable_content_region.height):
            wl.render_line(y)
        assert time.perf_counter() - start < 0.5  # visible rows only, whatever N is


async def test_filtered_rows_keep_the_highlighted_work():
    items = works(1000)
    app = ListApp(items, {})
    async with app.run_test(size=(100, 30)) as pilot:
        wl = app.query_one(WorkList)
        wl.cursor = 500
        await pilot.pause()
        wl.set_rows(list(range(0, 1000, 100)) + [500], filtered=True)  # unsorted tail
        wl.set_rows(sorted({*range(0, 1000, 100), 500}), filtered=True)
        assert wl.highlighted.n == 501
        wl.set_rows([1, 2, 3], filtered=True)  # gone: back to the first match
        assert wl.highlighted.n == 2
        wl.set_rows([], filtered=True)
        assert wl.highlighted is None
        await pilot.pause()
        assert app.highlights[-1] is None
        assert wl.render_line(0).text.strip() == wl.empty_text


async def test_click_moves_the_cursor():
    app = ListApp(works(50), {})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.click(WorkList, offset=(5, 4))
        assert app.query_one(WorkList).highlighted.n == 5


def test_fit_cuts_on_cell_boundaries():
    assert fit("abc", 5) == "abc  "
    assert fit("abcdef", 4) == "abc…"
    # 12 cells into 6: a third ideograph would leave no room for "…", so two and a pad
    assert fit("干细胞治疗硬皮病", 6) == "干细… "
    assert fit("干细胞治疗硬皮病", 7) == "干细胞…"
    assert cell_len(fit("a干细胞", 4)) == 4
    assert fit("x", 0) == ""


def test_short_authors():
    assert short_authors(Work(authors=["Teske N", "Fett N"])) == "Teske N, Fett N"
    assert short_authors(Work(authors=["A B", "C D", "E F"], et_al=True)) == "A B et al."
    assert short_authors(Work(authors=["金诗炜", "李四", "王五", "赵六"])) == "金诗炜 等"
    assert short_authors(Work(authors=[])) == ""
