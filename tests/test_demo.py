"""The newcomers' demo: a populated quarter, evidence photos on disk, refused on a used ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from main import main
from models.ledger.communities import list_communities
from models.demo import build_demo
from models.core.errors import AppError
from models.ledger.evidence import evidence_file, list_attachments
from models.progress.indicators import progress
from models.ledger.entries import list_entries
from models.store.workspace import open_workspace


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["--data-dir", str(folder), "demo"]) == 0  # built once, through the command
    return folder


@pytest.fixture
def demo_ws(demo_dir):
    ws = open_workspace(demo_dir)
    yield ws, ws.profile.unit
    ws.close()


def test_demo_fills_a_quarter_for_most_tasks(demo_ws):
    ws, summary = demo_ws
    assert ws.profile.unit == "南大街街道" and "南大街街道" in summary
    entries = list_entries(ws.db)
    assert len(entries) >= 35
    assert {e.month for e in entries} == {"2023-04", "2023-05", "2023-06"}
    tasks_with_entries = {e.task_seq for e in entries}
    assert len(tasks_with_entries) >= 0.7 * len(ws.tasks())


def test_demo_statuses_show_every_colour(demo_ws):
    ws, _ = demo_ws
    statuses = {tp.status for tp in progress(ws, "2023-06")}
    assert {"达标", "进行中", "滞后", "逾期", "未开展"} <= statuses


def test_demo_photos_are_real_jpegs_attached(demo_ws):
    ws, _ = demo_ws
    photos = [a for e in list_entries(ws.db) for a in list_attachments(ws.db, e.id)]
    assert len(photos) >= 25
    path = evidence_file(ws.data_dir, photos[0])
    assert path.exists()
    with Image.open(path) as img:
        assert img.format == "JPEG" and img.size == (640, 420)


def test_demo_communities_around_the_95_line(demo_ws):
    ws, _ = demo_ws
    scores = sorted(e.total for c in list_communities(ws.db) for e in c.evaluations)
    assert 94.5 in scores and 95 in scores and len(scores) == 5


def test_demo_refused_on_a_ledger_with_entries(demo_ws):
    ws, _ = demo_ws
    with pytest.raises(AppError, match="已有台账"):
        build_demo(ws)


def test_demo_months_april_and_may_submitted_june_open(demo_ws):
    ws, _ = demo_ws
    from models.ledger.locks import is_month_locked

    assert is_month_locked(ws.db, "2023-04") and is_month_locked(ws.db, "2023-05")
    assert not is_month_locked(ws.db, "2023-06")
    assert len(list((ws.data_dir / "reports").glob("*.xlsx"))) == 2


def test_demo_command_refuses_a_second_run(demo_dir, capsys):
    assert main(["--data-dir", str(demo_dir), "demo"]) == 2
    assert "已有台账" in capsys.readouterr().err


def test_a_deadline_met_late_leaves_the_due_list_and_its_tile_says_when(demo_ws):
    """Task 11 (facilities in every community by 30 April) was met on 8 May in the demo. In May
    and June it is 逾期 with that day on its tile; the due list — what is left to do — no longer
    counts days for it ("已逾期 61 天" on 30 June would say it is still not done)."""
    import datetime as dt

    from models.progress.due import due_items

    ws, _ = demo_ws
    for month, as_of in (("2023-05", dt.date(2023, 5, 31)), ("2023-06", dt.date(2023, 6, 30))):
        tasks = progress(ws, month, as_of=as_of)
        task11 = next(tp for tp in tasks if tp.task.seq == 11)
        assert task11.status == "逾期"
        assert [r.completed_on for r in task11.indicators if r.status != "不适用"] == [dt.date(2023, 5, 8)]
        assert 11 not in {i.task_seq for i in due_items(ws, tasks, month=month, as_of=as_of)}
    before = progress(ws, "2023-05", as_of=dt.date(2023, 5, 5))  # overdue, not yet met: still due
    assert any(i.task_seq == 11 and i.overdue for i in due_items(ws, before, month="2023-05", as_of=dt.date(2023, 5, 5)))
