"""Evidence files: content-addressed copies, checks, thumbnails, all-or-nothing saves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PIL import Image

from models.ledger import evidence_checks
from models.core.errors import AppError, ValidationError
from models.ledger.evidence import (
    add_entry_with_files,
    attach_file,
    attachments_for_entries,
    evidence_file,
    list_attachments,
    remove_attachment,
    thumbnail_path,
    update_entry_with_files,
)
from models.ledger.validation import EntryDraft
from models.ledger.entries import add_entry, audit_trail, get_entry
from models.ledger.locks import MonthLockedError

TODAY = dt.date(2026, 11, 28)


def make_draft(**kw) -> EntryDraft:
    values = dict(task_seq=6, entry_date="2023-06-12", entry_type="入户宣传", title="入户宣传",
                  measures={"households_reached": 100})
    values.update(kw)
    return EntryDraft(**values)


def new_entry(ws, **kw) -> int:
    return add_entry(ws.db, ws.tasklist, ws.tasks(), make_draft(**kw), actor="张三", today=TODAY)


def photo(path: Path, *, size=(400, 200), orientation: int | None = None, color="red") -> Path:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(path, "JPEG", exif=exif.tobytes())
    return path


def stored_files(data_dir: Path) -> list[Path]:
    root = data_dir / "evidence"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_photo_is_copied_and_survives_its_source_vanishing(ws, tmp_path):
    entry_id = new_entry(ws)
    source = photo(tmp_path / "现场照片.jpg")
    content = source.read_bytes()
    att = attach_file(ws.db, ws.data_dir, entry_id, source, actor="张三")
    source.unlink()  # the USB stick is pulled out
    path = evidence_file(ws.data_dir, att)
    assert path.read_bytes() == content
    assert att.stored_path == f"evidence/{att.sha256[:2]}/{att.sha256}.jpg"
    assert att.original_name == "现场照片.jpg" and att.is_image and att.mime == "image/jpeg"
    assert (att.width, att.height) == (400, 200)
    assert [a.id for a in list_attachments(ws.db, entry_id)] == [att.id]
    assert get_entry(ws.db, entry_id).evidence_count == 1
    assert [r["action"] for r in audit_trail(ws.db, entry_id)] == ["create", "attach"]
    assert not list((ws.data_dir / "evidence").rglob(".part-*"))


def test_exif_orientation_is_honoured(ws, tmp_path):
    entry_id = new_entry(ws)
    att = attach_file(ws.db, ws.data_dir, entry_id, photo(tmp_path / "竖拍.jpg", orientation=6), actor="张三")
    assert (att.width, att.height) == (200, 400)  # shown upright: portrait
    with Image.open(thumbnail_path(ws.data_dir, att)) as thumb:
        assert thumb.height > thumb.width
    assert (ws.data_dir / "thumbnails").is_dir()


def test_same_file_is_stored_once(ws, tmp_path):
    first, second = new_entry(ws), new_entry(ws, title="第二条")
    source = photo(tmp_path / "a.jpg")
    copy = tmp_path / "b.jpg"
    copy.write_bytes(source.read_bytes())
    a1 = attach_file(ws.db, ws.data_dir, first, source, actor="张三")
    again = attach_file(ws.db, ws.data_dir, first, copy, actor="张三")
    a2 = attach_file(ws.db, ws.data_dir, second, copy, actor="张三")
    assert again.id == a1.id and len(list_attachments(ws.db, first)) == 1
    assert a2.stored_path == a1.stored_path and a2.original_name == "b.jpg"
    assert len(stored_files(ws.data_dir)) == 1
    found = attachments_for_entries(ws.db, [first, second, 999])
    assert [len(found[first]), len(found[second]), len(found[999])] == [1, 1, 0]


def test_documents_are_accepted_by_content(ws, tmp_path):
    entry_id = new_entry(ws)
    pdf = tmp_path / "通知.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    doc = tmp_path / "方案.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    from openpyxl import Workbook
    book = Workbook()
    book.save(tmp_path / "统计.xlsx")
    for source in (pdf, doc, tmp_path / "统计.xlsx"):
        att = attach_file(ws.db, ws.data_dir, entry_id, source, actor="张三")
        assert not att.is_image and att.width is None
    assert [a.ext for a in list_attachments(ws.db, entry_id)] == ["pdf", "doc", "xlsx"]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("病毒.exe", b"MZ" + b"\0" * 100, "不能添加.exe 文件"),
        ("说明.txt", b"hello", "不能添加.txt 文件"),
        ("假的.pdf", b"not a pdf at all", "与扩展名 .pdf 不符"),
        ("坏图.jpg", b"\xff\xd8\xff garbage", "图片文件已损坏"),
        ("空.png", b"", "空的"),
    ],
)
def test_refused_files_say_why(ws, tmp_path, name, content, words):
    entry_id = new_entry(ws)
    source = tmp_path / name
    source.write_bytes(content)
    with pytest.raises(AppError, match=words):
        attach_file(ws.db, ws.data_dir, entry_id, source, actor="张三")
    assert list_attachments(ws.db, entry_id) == [] and stored_files(ws.data_dir) == []


def test_size_limit_has_a_clear_message(ws, tmp_path, monkeypatch):
    monkeypatch.setattr(evidence_checks, "MAX_FILE_SIZE", 1024)
    source = photo(tmp_path / "大.jpg", size=(800, 800))
    with pytest.raises(AppError, match="文件太大.*不能超过"):
        attach_file(ws.db, ws.data_dir, new_entry(ws), source, actor="张三")


def test_missing_source_is_refused(ws, tmp_path):
    with pytest.raises(AppError, match="找不到该文件"):
        attach_file(ws.db, ws.data_dir, new_entry(ws), tmp_path / "gone.jpg", actor="张三")


def test_remove_attachment_is_audited_and_month_lock_applies(ws, tmp_path):
    entry_id = new_entry(ws)
    att = attach_file(ws.db, ws.data_dir, entry_id, photo(tmp_path / "a.jpg"), actor="张三")
    remove_attachment(ws.db, att.id, actor="王五")
    assert list_attachments(ws.db, entry_id) == []
    trail = audit_trail(ws.db, entry_id)
    assert trail[-1]["action"] == "detach" and trail[-1]["before"]["original_name"] == "a.jpg"
    ws.db.execute("INSERT INTO period_states(kind, period, state, version) VALUES ('monthly', '2023-06', 'submitted', 1)")
    with pytest.raises(MonthLockedError):
        attach_file(ws.db, ws.data_dir, entry_id, photo(tmp_path / "b.jpg"), actor="张三")


def test_new_entry_with_files_is_all_or_nothing(ws, tmp_path):
    good = photo(tmp_path / "好.jpg")
    bad = tmp_path / "坏.exe"
    bad.write_bytes(b"MZ")
    with pytest.raises(ValidationError) as info:
        add_entry_with_files(ws.db, ws.data_dir, ws.tasklist, ws.tasks(), make_draft(title=""), [good, bad],
                             actor="张三", today=TODAY)
    fields = [f for f, _ in info.value.problems]
    assert "标题" in fields and "佐证材料" in fields and "坏.exe" in str(info.value)
    assert ws.db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 0
    assert stored_files(ws.data_dir) == []
    entry_id = add_entry_with_files(ws.db, ws.data_dir, ws.tasklist, ws.tasks(), make_draft(), [good],
                                    actor="张三", today=TODAY)
    assert [a.original_name for a in list_attachments(ws.db, entry_id)] == ["好.jpg"]


def test_update_with_files_adds_and_removes_in_one_save(ws, tmp_path):
    entry_id = new_entry(ws)
    old = attach_file(ws.db, ws.data_dir, entry_id, photo(tmp_path / "旧.jpg"), actor="张三")
    new = photo(tmp_path / "新.jpg", color="blue")
    with pytest.raises(ValidationError):  # bad entry: neither file change happens
        update_entry_with_files(ws.db, ws.data_dir, ws.tasklist, ws.tasks(), entry_id, make_draft(entry_date="x"),
                                add=[new], remove=[old.id], actor="张三", today=TODAY)
    assert [a.id for a in list_attachments(ws.db, entry_id)] == [old.id]
    update_entry_with_files(ws.db, ws.data_dir, ws.tasklist, ws.tasks(), entry_id, make_draft(title="新标题"),
                            add=[new], remove=[old.id], actor="张三", today=TODAY)
    assert [a.original_name for a in list_attachments(ws.db, entry_id)] == ["新.jpg"]
    assert get_entry(ws.db, entry_id).title == "新标题"


def test_stored_paths_cannot_escape_the_data_folder(ws):
    for bad in ("../ledger.db", "/etc/passwd", "thumbnails/x.jpg", "evidence/../../x"):
        with pytest.raises(AppError):
            evidence_file(ws.data_dir, bad)


def test_png_with_transparency_gets_a_thumbnail(ws, tmp_path):
    source = tmp_path / "截图.png"
    Image.new("RGBA", (300, 300), (0, 0, 255, 128)).save(source)
    att = attach_file(ws.db, ws.data_dir, new_entry(ws), source, actor="张三")
    assert att.ext == "png" and att.mime == "image/png"
    with Image.open(thumbnail_path(ws.data_dir, att)) as thumb:
        assert thumb.size == (160, 160)
