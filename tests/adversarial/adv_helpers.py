"""Shared by the adversarial tests: the ledger's fingerprint, crafted files, the CLI in-process."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest

from conftest import make_profile  # tests/conftest.py, loaded by pytest
from safety_helpers import filled

from models.safety import archive as archive_mod
from models.store.settings import save_profile
from models.store.workspace import open_workspace

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def fingerprint(data_dir: Path) -> dict:
    """Every table's rows (hashed) and every file of the evidence folder, backups' pool included."""
    db_path = data_dir / "ledger.db"
    tables: dict[str, str] = {}
    if db_path.exists():
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        conn.text_factory = bytes
        try:
            names = [r[0].decode() for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            for name in names:
                rows = conn.execute(f"SELECT * FROM [{name}] ORDER BY rowid").fetchall()
                tables[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        except sqlite3.DatabaseError:
            tables["<unreadable>"] = hashlib.sha256(db_path.read_bytes()).hexdigest()
        finally:
            conn.close()
    files = {}
    for folder in (data_dir / "evidence", data_dir / "backups" / "evidence"):
        if folder.exists():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    files[str(path.relative_to(data_dir))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"tables": tables, "files": files}


def tree(folder: Path, *, skip: tuple[str, ...] = ("logs", "instance.lock")) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part in skip for part in p.relative_to(folder).parts)
            and not p.name.endswith(("-wal", "-shm"))}


def run_cli(data_dir: Path, *args: str) -> tuple[int, str, str]:
    """The command as a script runs it, in this process (fast): (exit code, stdout, stderr)."""
    import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main.main(["--data-dir", str(data_dir), *args])
    return code, out.getvalue(), err.getvalue()


def assert_clear_refusal(code: int, err: str, *, expect: str | None = None) -> None:
    assert code != 0, err
    assert "Traceback" not in err and "程序内部错误" not in err, err
    assert CHINESE.search(err), err
    assert not re.search(r"[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}", err.replace("--force", "")), f"English text: {err}"
    if expect is not None:
        assert expect in err, err


def sealed_archive(path: Path, members: dict[str, bytes], *, manifest_extra: dict | None = None) -> Path:
    """An archive exactly as the program writes one (manifest of hashes, whole-file seal) around ``members``."""
    files = {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)} for name, data in members.items()}
    manifest = {"format": archive_mod.FORMAT, "version": 1, "app_version": "x", "created_at": "2026-11-28T10:00:00",
                "unit": "", "entries": 0, "evidence_files": 0, "missing_evidence": [], "files": files}
    manifest.update(manifest_extra or {})
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
        zf.comment = archive_mod.SEAL_PREFIX + b"0" * 64
    archive_mod._seal(path)
    return path


def db_bytes(build) -> bytes:
    """The bytes of a database file made by ``build(conn)`` (in a temp file, journal mode DELETE)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.db"
        conn = sqlite3.connect(path)
        try:
            build(conn)
            conn.commit()
        finally:
            conn.close()
        return path.read_bytes()


def copy_of_ledger(data_dir: Path, target: Path, change=None) -> Path:
    """A consistent copy of the ledger, optionally changed by ``change(conn)`` (a crafted candidate)."""
    src = sqlite3.connect(data_dir / "ledger.db")
    dest = sqlite3.connect(target)
    try:
        src.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")
        if change is not None:
            change(dest)
            dest.commit()
    finally:
        dest.close()
        src.close()
    return target


def _make_ledger(folder: Path, tmp_path: Path, *, unit: str = "南大街街道", backup: bool = True) -> Path:
    ws = open_workspace(folder)
    try:
        save_profile(ws.db, make_profile(unit))
        filled(ws, tmp_path / f"src-{folder.name}", entries=5, photos=3)
    finally:
        ws.close()
    if backup:
        from models.safety.backup import backup_now

        backup_now(folder, kind="manual")
    return folder


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """A closed data folder of 南大街街道: 5 entries, 3 photos, one verified backup."""
    return _make_ledger(tmp_path / "data", tmp_path)


@pytest.fixture
def other_ledger(tmp_path: Path) -> Path:
    """Another unit's data folder (邹区镇), closed, with a backup."""
    return _make_ledger(tmp_path / "other", tmp_path, unit="邹区镇")
