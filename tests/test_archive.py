"""Moving to a new PC: one archive with a SHA-256 manifest; anything damaged is refused."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from models.safety import archive as archive_mod
from models.safety.archive import export_archive, import_archive
from models.safety.backup import MIRROR_SETTING, list_backups
from models.core.errors import AppError
from models.safety.integrity import check
from models.store.settings import get_setting, put_setting
from models.store.workspace import open_workspace
from safety_helpers import add_entries, filled, fingerprint, tree
from cli_helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def exported(ws, tmp_path) -> Path:
    filled(ws, tmp_path, entries=6, photos=3)
    put_setting(ws.db, MIRROR_SETTING, str(tmp_path / "usb-of-the-old-pc"))
    return export_archive(ws.data_dir, tmp_path / "迁移包").path


def test_archive_moves_entries_evidence_and_settings(ws, exported, tmp_path):
    assert exported.name == "迁移包.zip"
    new_pc = tmp_path / "new-pc" / "data"
    result = import_archive(exported, new_pc)
    assert result.entries == 6 and result.evidence_files == 3 and result.safety_copy is None
    assert fingerprint(new_pc) == fingerprint(ws.data_dir)
    assert check(new_pc) == []
    moved = open_workspace(new_pc)
    try:
        assert moved.profile == ws.profile
        assert get_setting(moved.db, MIRROR_SETTING) is None  # the old PC's USB path means nothing here
    finally:
        moved.close()
    assert not [p for p in new_pc.parent.iterdir() if p.name.startswith(".")]  # temp folder cleaned


def test_manifest_lists_every_file_with_its_hash(exported):
    with zipfile.ZipFile(exported) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = set(zf.namelist()) - {"manifest.json"}
    assert set(manifest["files"]) == names
    assert {"ledger.db", "settings.json"} <= names and len([n for n in names if n.startswith("evidence/")]) == 3
    assert all(len(meta["sha256"]) == 64 for meta in manifest["files"].values())


def _rewrite(src: Path, dst: Path, change) -> None:
    """A deliberate edit that even re-seals the file, so the inner checks must catch it."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        zout.comment = zin.comment
        for info in zin.infolist():
            data = zin.read(info)
            name, data = change(info.filename, data)
            if name is not None:
                zout.writestr(name, data)
    archive_mod._seal(dst)


def test_every_flipped_byte_region_is_refused_and_target_untouched(exported, tmp_path):
    raw = exported.read_bytes()
    target = tmp_path / "target"
    for n, offset in enumerate(range(7, len(raw), max(1, len(raw) // 40))):
        bad = bytearray(raw)
        bad[offset] ^= 0x01
        path = tmp_path / f"bad-{n}.zip"
        path.write_bytes(bytes(bad))
        with pytest.raises(AppError, match="迁移包|磁盘|找不到"):
            import_archive(path, target)
        assert tree(target) == {}, f"byte {offset} changed the target"


def test_altered_file_with_valid_zip_crc_is_refused_by_hash(exported, tmp_path):
    bad = tmp_path / "bad.zip"
    _rewrite(exported, bad, lambda n, d: (n, d[:-1] + bytes([d[-1] ^ 1]) if n.startswith("evidence/") else d))
    with pytest.raises(AppError, match="校验值与清单不符"):
        import_archive(bad, tmp_path / "t")


@pytest.mark.parametrize("evil", ["../../escape.txt", "/etc/evil", "evidence/../../x", "C:/x", "evidence\\..\\x"])
def test_path_traversal_is_refused(exported, tmp_path, evil):
    bad = tmp_path / "evil.zip"
    _rewrite(exported, bad, lambda n, d: (n, d))
    with zipfile.ZipFile(bad, "a") as zf:
        zf.writestr(evil, b"owned")
    archive_mod._seal(bad)
    with pytest.raises(AppError, match="不允许"):
        import_archive(bad, tmp_path / "t" / "data")
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "t").joinpath("data").exists()


def test_zip_bomb_is_refused_before_extracting(exported, tmp_path, monkeypatch):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps({"format": archive_mod.FORMAT, "files": {
            "ledger.db": {"sha256": "0" * 64, "size": 50_000_000}}}))
        zf.writestr("ledger.db", b"\0" * 50_000_000)
        zf.comment = archive_mod.SEAL_PREFIX + b"0" * 64
    archive_mod._seal(bomb)
    with pytest.raises(AppError, match="压缩炸弹"):
        import_archive(bomb, tmp_path / "t")
    monkeypatch.setattr(archive_mod, "MAX_TOTAL_BYTES", 1000)
    with pytest.raises(AppError, match="上限"):
        import_archive(exported, tmp_path / "t")
    assert not (tmp_path / "t").exists()


def test_target_with_entries_is_refused_unless_forced(ws, exported, make_ws, tmp_path):
    other = make_ws("荷花池街道")
    add_entries(other, 2)
    before = fingerprint(other.data_dir)
    with pytest.raises(AppError, match="已有 2 条台账"):
        import_archive(exported, other.data_dir)
    assert fingerprint(other.data_dir) == before
    result = import_archive(exported, other.data_dir, force=True, db=other.db)
    assert result.entries == 6 and result.safety_copy is not None
    assert fingerprint(other.data_dir)["entries"] == fingerprint(ws.data_dir)["entries"]
    assert any(b.kind == "pre-import" and b.entries == 2 for b in list_backups(other.data_dir))


def test_disk_full_during_export_leaves_no_file_and_keeps_the_old_one(ws, exported, monkeypatch):
    old = exported.read_bytes()
    real = archive_mod._write_member

    def full(zf, name, source, *, compress):
        if name.startswith("evidence/"):
            raise OSError(28, "No space left on device")
        return real(zf, name, source, compress=compress)

    monkeypatch.setattr(archive_mod, "_write_member", full)
    with pytest.raises(AppError, match="磁盘空间不足"):
        export_archive(ws.data_dir, exported)
    assert exported.read_bytes() == old
    assert not list(exported.parent.glob("*.part"))
    assert not [p for p in ws.data_dir.iterdir() if p.name.startswith(".export-")]


def test_cli_archive_round_trip_and_refusal(ws, exported, tmp_path):
    ws.close()
    cli = run_cli

    new = tmp_path / "cli-new"
    ok = cli("--data-dir", str(new), "archive", "import", str(exported))
    assert ok.returncode == 0, ok.stderr
    assert "6 条台账" in ok.stdout
    assert cli("--data-dir", str(new), "check").returncode == 0
    again = cli("--data-dir", str(new), "archive", "import", str(exported))
    assert again.returncode != 0 and "已有 6 条台账" in again.stderr
    bad = tmp_path / "bad.zip"
    raw = bytearray(exported.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    bad.write_bytes(bytes(raw))
    refused = cli("--data-dir", str(tmp_path / "cli-other"), "archive", "import", str(bad))
    assert refused.returncode != 0 and "迁移包" in refused.stderr and "Traceback" not in refused.stderr


def test_cli_refused_import_into_a_new_folder_leaves_no_folder(exported, tmp_path):
    bad = tmp_path / "bad.zip"
    raw = bytearray(exported.read_bytes())
    raw[100] ^= 0x10
    bad.write_bytes(bytes(raw))
    target = tmp_path / "never-created"
    result = subprocess.run([sys.executable, "main.py", "--data-dir", str(target), "archive", "import", str(bad)],
                            cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode != 0 and "没有任何改动" in result.stderr
    assert not target.exists()
