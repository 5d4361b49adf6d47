"""What every page is given: the open workspace, the task runner, and navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from models.store.workspace import Workspace
from ui.worker import TaskRunner


@dataclass
class PageContext:
    ws: Workspace
    runner: TaskRunner
    # navigate("ledger", task=6) switches page and calls that page's on_show(task=6)
    navigate: Callable[..., None]
    # Pages call this after changing data other pages show (entries, profile, ...)
    data_changed: Callable[[], None]

    def __post_init__(self) -> None:
        self.extra: dict[str, Any] = {}
