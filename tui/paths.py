"""Where shipped data and the user's database live."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The shipped data/ folder: installed as package `tui.data`, or the source tree's."""
    src = Path(__file__).resolve().parent.parent / "data"
    if src.is_dir():  # a source checkout or editable install run from the tree
        return src
    from importlib.resources import files

    return Path(str(files("tui.data")))


def shipped_review() -> Path:
    return data_dir() / "000_b90cea9157f310d4.txt"


def styles_dir() -> Path:
    return data_dir() / "styles"


def default_db_path() -> Path:
    """`READINGLIST_DB` if set, else library.json in the user's data directory."""
    env = os.environ.get("READINGLIST_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("readinglist", appauthor=False)) / "library.json"
