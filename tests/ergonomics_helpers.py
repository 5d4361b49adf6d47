"""What both ergonomics test files share: an entry, a locked month, the 台账录入 page with its
dialogs answered by the test."""

from __future__ import annotations

import datetime as dt

import pytest

from models.ledger.entries import add_entry
from models.ledger.validation import EntryDraft

TODAY = dt.date(2026, 11, 28)


def add(ws, **kw) -> int:
    values = dict(task_seq=6, entry_date="2023-06-12", entry_type="入户宣传", title="入户宣传", location="南大街社区",
                  measures={"households_reached": 320})
    values.update(kw)
    return add_entry(ws.db, ws.tasklist, ws.tasks(), EntryDraft(**values), actor="张三", today=TODAY)


def lock(ws, month: str) -> None:
    ws.db.execute("INSERT INTO period_states(kind, period, state, version, submitted_at)"
                  " VALUES ('monthly', ?, 'submitted', 1, '2023-06-03T10:00:00')", [month])


@pytest.fixture
def page(main_window):
    main_window.navigate("ledger")
    page = main_window.pages["ledger"]
    page.confirm = lambda title, text: True
    page.asked = []
    page.answer = "cancel"
    page.ask_unsaved = lambda: page.asked.append(1) or page.answer
    page.messages = []
    page.inform = lambda title, text: page.messages.append((title, text))
    page.warn = lambda title, text, details: page.messages.append((title, text + details))
    return page
