"""The report assembly (the one source both files render) and a prepared June for the
other report tests (``fill_june``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PIL import Image

from models.ledger.evidence import add_entry_with_files
from models.progress.indicators import STATUSES
from models.ledger.validation import EntryDraft
from models.reporting.assembly import assemble_monthly, assemble_quarterly
from models.store.workspace import Workspace

FORMULA_TITLE = '=HYPERLINK("http://example.com","点我")'
JUNE = [
    # task, type, day, title, measures, participants
    (1, "联动会议", 3, "召开6月垃圾分类四级联动会议", {}, 35),
    (1, "党组织专题研究", 6, "街道党工委专题研究垃圾分类工作", {}, 12),
    (2, "分类成效测评", 9, "6月居民分类知晓率测评", {"awareness_rate": 92.5, "participation_rate": 81, "accuracy_rate": 78, "respondents": 200}, None),
    (6, "入户宣传", 12, "清潭社区入户宣传", {"households_reached": 850}, 20),
    (6, "入户宣传", 15, FORMULA_TITLE, {"households_reached": 400}, 8),
    (5, "主题宣传活动", 18, "“垃圾分类进万家”主题宣传", {}, 200),
]


def make_photos(folder: Path, count: int, *, size: tuple[int, int] = (640, 480)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"现场照片{n + 1}.jpg"
        Image.new("RGB", size, (40 + 30 * n % 200, 120, 160)).save(path, quality=80)
        paths.append(path)
    return paths


def fill_june(ws: Workspace, tmp_path: Path, *, photos: int = 3) -> list[int]:
    """Six June entries of 南大街街道; the first ``photos`` entries carry one photo each."""
    files = make_photos(tmp_path / "photos", photos)
    ids = []
    for n, (seq, etype, day, title, measures, people) in enumerate(JUNE):
        draft = EntryDraft(task_seq=seq, entry_date=dt.date(2023, 6, day), entry_type=etype, title=title,
                           content="组织社区、物业和志愿者开展工作。", location="南大街街道", organizer="街道城管科",
                           participants=people, measures=measures)
        ids.append(add_entry_with_files(ws.db, ws.data_dir, ws.tasklist, ws.tasks(), draft,
                                        files[n : n + 1] if n < photos else [], actor="张三"))
    return ids


def test_monthly_assembly_has_one_row_per_task_with_summaries(ws, tmp_path):
    fill_june(ws, tmp_path)
    report = assemble_monthly(ws, "2023-6", fill_date=dt.date(2023, 7, 3))
    assert report.period == "2023-06"
    assert report.title == "钟楼区生活垃圾分类工作月度台账（2023年6月）"
    assert [r.seq for r in report.rows] == [t.seq for t in ws.tasks()]
    task1 = next(r for r in report.rows if r.seq == 1)
    assert "本月记录台账2条" in task1.work_summary and "联动会议1次" in task1.work_summary
    assert "召开6月垃圾分类四级联动会议" in task1.work_summary
    task6 = next(r for r in report.rows if r.seq == 6)
    assert "入户宣传户数合计1250户" in task6.work_summary
    assert next(r for r in report.rows if r.seq == 3).work_summary == "本月无台账记录。"
    # evidence per task adds up to the detail sheet's files
    assert sum(r.evidence_count for r in report.rows) == sum(len(d.evidence_names) for d in report.details) == 3
    assert len(report.photos) == 3 and report.photos[0].caption.startswith("任务1　2023年6月3日")
    assert len(report.details) == 6 and report.details[0].date == dt.date(2023, 6, 3)
    assert {i.status for i in report.indicators} <= set(STATUSES)
    assert len(report.indicators) == sum(len(t.indicators) for t in ws.tasks())
    assert all(i.report_month == "2023-06" for i in report.indicators)
    assert report.version == 1 and report.fill_date_text == "2023年7月3日"


def test_categories_are_merged_as_runs_like_the_source_list(ws):
    report = assemble_monthly(ws, "2023-06")
    spans = report.category_spans()
    assert [name for _, _, name in spans] == ["习惯培养", "工作推动", "督导提高", "工作要求"]
    assert sum(count for _, count, _ in spans) == len(report.rows)
    for first, count, name in spans:
        assert all(r.category == name for r in report.rows[first : first + count])


def test_quarterly_assembly_covers_the_quarter(ws, tmp_path):
    fill_june(ws, tmp_path, photos=0)
    report = assemble_quarterly(ws, "2023q2", fill_date=dt.date(2023, 7, 5))
    assert report.period == "2023Q2" and report.report_month == "2023-06"
    assert report.title == "钟楼区生活垃圾分类季度工作进展（2023年第二季度）"
    assert report.columns[4].label == "本季度工作开展情况"
    assert len(report.details) == 6 and report.photos == []
    assert "本季度记录台账2条" in next(r for r in report.rows if r.seq == 1).work_summary


def test_same_inputs_give_the_same_content_digest(ws, tmp_path):
    fill_june(ws, tmp_path, photos=0)
    a = assemble_monthly(ws, "2023-06", fill_date=dt.date(2023, 7, 3), version=1)
    b = assemble_monthly(ws, "2023-06", fill_date=dt.date(2023, 7, 3), version=1)
    c = assemble_monthly(ws, "2023-06", fill_date=dt.date(2023, 7, 3), version=2)
    assert a.content_digest() == b.content_digest() != c.content_digest()
