"""Crafted archives (deliver 3): evidence paths from the content hash, nothing written outside evidence/."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from adv_helpers import assert_clear_refusal, copy_of_ledger, fingerprint, ledger, run_cli, sealed_archive, tree  # noqa: F401
from models.safety import archive as archive_mod
from models.safety.archive import export_archive, import_archive
from models.safety.backup import list_backups


def _png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buffer, "PNG")
    return buffer.getvalue()


def _evil_archive(ledger: Path, tmp_path: Path, stored_path_for, *, name: str = "evil",
                  original_name: str | None = None) -> tuple[Path, str]:
    """An archive whose database lists an attacker's file under ``stored_path_for(victim_sha, victim_path)``."""
    payload = _png((250, 1, 2))
    sha = hashlib.sha256(payload).hexdigest()
    conn = sqlite3.connect(ledger / "ledger.db")
    victim_sha, victim_path = conn.execute("SELECT sha256, stored_path FROM evidence_files ORDER BY sha256").fetchone()
    conn.close()
    stored = stored_path_for(victim_sha, victim_path)

    def change(c: sqlite3.Connection) -> None:
        c.execute("INSERT INTO evidence_files(sha256, size, ext, mime, stored_path, width, height, created_at)"
                  " VALUES (?, ?, 'png', 'image/png', ?, 32, 24, '2026-11-28T10:00:00')", [sha, len(payload), stored])
        c.execute("INSERT INTO entry_evidence(entry_id, sha256, original_name, added_at) VALUES (1, ?, ?, '2026-11-28T10:00:00')",
                  [sha, original_name or "照片.png"])

    db = copy_of_ledger(ledger, tmp_path / f"{name}.db", change)
    members = {"ledger.db": db.read_bytes(), "settings.json": b"{}"}
    # The file goes where the archive format puts it (evidence/aa/<sha>.png): only its row lies.
    members[f"evidence/{sha[:2]}/{sha}.png"] = payload
    conn = sqlite3.connect(db)
    for other_sha, other_path in conn.execute("SELECT sha256, stored_path FROM evidence_files WHERE sha256 != ?", [sha]):
        members[f"evidence/{other_sha[:2]}/{other_sha}.png"] = (ledger / other_path).read_bytes()
    conn.close()
    return sealed_archive(tmp_path / f"{name}.zip", members), sha


TARGETS = {
    "over_existing_photo": lambda victim_sha, victim_path: victim_path,
    "over_backup_copy": lambda victim_sha, victim_path: f"backups/evidence/{victim_sha[:2]}/{victim_sha}.png",
    "into_reports": lambda victim_sha, victim_path: "reports/月报.pdf",
    "parent_folder": lambda victim_sha, victim_path: "../outside.png",
    "absolute": lambda victim_sha, victim_path: "/tmp/zl-adversarial-outside.png",
    "ledger_itself": lambda victim_sha, victim_path: "ledger.db",
    "windows_drive": lambda victim_sha, victim_path: "C:/outside.png",
    "backslashes": lambda victim_sha, victim_path: "evidence\\..\\..\\outside.png",
}


@pytest.mark.parametrize("target", list(TARGETS))
def test_an_archive_cannot_write_where_its_rows_say(ledger, tmp_path, target):
    (ledger / "reports").mkdir(exist_ok=True)
    (ledger / "reports" / "月报.pdf").write_bytes(b"%PDF-1.4 the real report")
    evil, sha = _evil_archive(ledger, tmp_path, TARGETS[target], name=target)
    evidence_before = {k: v for k, v in fingerprint(ledger)["files"].items()}
    outside_before = tree(ledger.parent, skip=("logs", "instance.lock", "evidence", "backups", "data"))
    reports_before = tree(ledger / "reports")
    code, out, err = run_cli(ledger, "archive", "import", str(evil), "--force")
    assert code == 0, err
    after = fingerprint(ledger)["files"]
    for path, digest in evidence_before.items():
        assert after.get(path) == digest, f"{path} was overwritten"  # photos and backup copies untouched
    assert tree(ledger / "reports") == reports_before
    assert tree(ledger.parent, skip=("logs", "instance.lock", "evidence", "backups", "data")) == outside_before
    assert not Path("/tmp/zl-adversarial-outside.png").exists()
    conn = sqlite3.connect(ledger / "ledger.db")
    stored = conn.execute("SELECT stored_path FROM evidence_files WHERE sha256 = ?", [sha]).fetchone()[0]
    conn.close()
    assert stored == f"evidence/{sha[:2]}/{sha}.png"  # derived from the hash, not taken from the archive
    assert hashlib.sha256((ledger / stored).read_bytes()).hexdigest() == sha
    code, out, err = run_cli(ledger, "check")
    assert code == 0, out + err


def test_names_with_newlines_and_bidi_are_cleaned(ledger, tmp_path):
    evil, sha = _evil_archive(ledger, tmp_path, lambda s, p: p, name="names",
                              original_name="报告\n第二行\u202egnp.exe\x07")
    code, _, err = run_cli(ledger, "archive", "import", str(evil), "--force")
    assert code == 0, err
    code, out, err = run_cli(ledger, "entry", "show", "1", "--json")
    assert code == 0, err
    assert "报告 第二行gnp.exe" in out and "\u202e" not in out and "\\n第二行" not in out


def _members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "manifest.json"}


@pytest.mark.parametrize("kind", ["foreign_db", "newer_db", "garbled_row", "crc", "extra_member", "not_zip"])
def test_a_bad_archive_changes_nothing(ledger, tmp_path, kind):
    good = export_archive(ledger, tmp_path / "good.zip").path
    members = _members_of(good)
    bad = tmp_path / f"{kind}.zip"
    if kind == "foreign_db":
        members["ledger.db"] = (lambda: _foreign_db(tmp_path))()
        sealed_archive(bad, members)
    elif kind == "newer_db":
        members["ledger.db"] = copy_of_ledger(ledger, tmp_path / "n.db", lambda c: c.execute(
            "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) VALUES ('zhonglou_ledger', 'm999', 'x')")).read_bytes()
        sealed_archive(bad, members)
    elif kind == "garbled_row":
        members["ledger.db"] = copy_of_ledger(ledger, tmp_path / "g.db", lambda c: c.execute(
            "UPDATE entries SET title = CAST(X'FFFE41' AS TEXT) WHERE id = 3")).read_bytes()
        sealed_archive(bad, members)
    elif kind == "crc":
        raw = bytearray(good.read_bytes())
        with zipfile.ZipFile(good) as zf:
            info = zf.getinfo("ledger.db")
        local = info.header_offset
        name_len = int.from_bytes(raw[local + 26:local + 28], "little")
        extra_len = int.from_bytes(raw[local + 28:local + 30], "little")
        offset = local + 30 + name_len + extra_len + info.compress_size // 2
        raw[offset] ^= 0xFF  # a flipped byte inside a compressed member, then the seal recomputed
        bad.write_bytes(bytes(raw))
        archive_mod._seal(bad)
    elif kind == "extra_member":
        members["evidence/../../x.png"] = b"x"
        with zipfile.ZipFile(bad, "w") as zf:
            for name, data in members.items():
                zf.writestr(name, data)
            zf.comment = archive_mod.SEAL_PREFIX + b"0" * 64
        archive_mod._seal(bad)
    else:
        bad.write_bytes(b"PK\x03\x04 not really a zip")
    before = fingerprint(ledger)
    outside = tree(ledger.parent, skip=("logs", "instance.lock", "data"))
    code, _, err = run_cli(ledger, "archive", "import", str(bad), "--force")
    assert_clear_refusal(code, err)
    assert "CRC" not in err and "Bad" not in err
    assert fingerprint(ledger) == before
    assert tree(ledger.parent, skip=("logs", "instance.lock", "data")) == outside
    assert not list(ledger.glob(".import-*")) and not list(ledger.glob(".restore-*"))


def _foreign_db(tmp_path: Path) -> bytes:
    path = tmp_path / "foreign.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TABLE evidence_files (sha256 TEXT, stored_path TEXT)")
    conn.execute("CREATE TABLE settings (key TEXT, value TEXT)")
    conn.commit()
    conn.close()
    return path.read_bytes()


def test_import_into_a_new_folder_keeps_backups_pool_untouched(ledger, tmp_path):
    archive = export_archive(ledger, tmp_path / "move.zip").path
    pool_before = tree(ledger / "backups" / "evidence")
    target = tmp_path / "new-pc"
    result = import_archive(archive, target)
    assert result.entries == 5 and not result.missing_evidence
    assert tree(ledger / "backups" / "evidence") == pool_before
    assert list_backups(ledger)  # the source's backups are still there
