"""Shared by the data-safety tests: a ledger with entries and evidence, and fingerprints."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

from PIL import Image

from models.ledger.evidence import attach_file
from models.ledger.validation import EntryDraft
from models.ledger.entries import add_entry
from models.store.connection import sqlite_uri

TODAY = dt.date(2026, 11, 28)


def add_entries(ws, count: int, *, start: int = 0) -> list[int]:
    ids = []
    for n in range(start, start + count):
        draft = EntryDraft(task_seq=6, entry_date=f"2023-{n % 12 + 1:02d}-{n % 27 + 1:02d}", entry_type="入户宣传",
                           title=f"入户宣传第{n}次", measures={"households_reached": 10 + n})
        ids.append(add_entry(ws.db, ws.tasklist, ws.tasks(), draft, actor="张三", today=TODAY))
    return ids


def attach_photo(ws, entry_id: int, folder: Path, *, color: tuple[int, int, int]) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"照片-{entry_id}-{color[0]}-{color[1]}-{color[2]}.png"
    Image.new("RGB", (64, 48), color).save(path, "PNG")
    return attach_file(ws.db, ws.data_dir, entry_id, path, actor="张三").sha256


def filled(ws, tmp_path: Path, *, entries: int = 5, photos: int = 3) -> None:
    ids = add_entries(ws, entries)
    for n in range(photos):
        attach_photo(ws, ids[n % len(ids)], tmp_path / "src", color=(n * 40 % 256, 100, 200))


def fingerprint(data_dir: Path) -> dict:
    """Entries (all columns but nothing volatile), measures, links and every evidence hash."""
    conn = sqlite3.connect(sqlite_uri(data_dir / "ledger.db"), uri=True)
    try:
        entries = conn.execute("SELECT id, uid, task_seq, entry_date, title, deleted_at FROM entries ORDER BY id").fetchall()
        measures = conn.execute("SELECT * FROM entry_measures ORDER BY entry_id, code").fetchall()
        links = conn.execute("SELECT entry_id, sha256 FROM entry_evidence ORDER BY entry_id, sha256").fetchall()
        files = conn.execute("SELECT sha256, stored_path FROM evidence_files ORDER BY sha256").fetchall()
    finally:
        conn.close()
    hashes = {}
    for sha, stored in files:
        path = data_dir / stored
        hashes[stored] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    return {"entries": entries, "measures": measures, "links": links, "files": files, "hashes": hashes}


def tree(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with its hash (to prove a refused operation changed nothing)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "instance.lock" and "logs" not in p.parts
        and not p.name.endswith(("-wal", "-shm"))
    }
