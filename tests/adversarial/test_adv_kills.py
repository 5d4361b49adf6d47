"""Nothing left behind (deliver 8): each job is SIGKILLed at a random point, then the next run cleans up.

The jobs are slowed a little per file (a sleep around the per-file step) so that the
kill lands inside them, not before or after; the kill itself is a real SIGKILL.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from adv_helpers import fingerprint, run_cli
from conftest import make_profile
from models.ledger.evidence import attach_file
from models.safety.archive import export_archive
from models.safety.backup import backup_now, list_backups
from models.store.settings import save_profile
from models.store.workspace import open_workspace
from safety_helpers import add_entries

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
PHOTOS = 12

PRELUDE = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
data, extra = Path(sys.argv[2]), Path(sys.argv[3])
def slow(module, name, delay=0.04):
    real = getattr(module, name)
    def wrapper(*a, **k):
        time.sleep(delay)
        return real(*a, **k)
    setattr(module, name, wrapper)
"""
GO = """
print("go", flush=True)
"""

JOBS = {
    "backup": """
from models.safety import backup
slow(backup, "copy_verified")
slow(backup, "snapshot_database", 0.3)
print("go", flush=True)
backup.backup_now(data, kind="manual")
""",
    "archive_export": """
from models.safety import archive
slow(archive, "_write_member")
print("go", flush=True)
archive.export_archive(data, extra / "move.zip")
""",
    "archive_import": """
from models.safety import archive, restore
slow(archive, "_extract_verified")
slow(restore, "copy_verified")
print("go", flush=True)
archive.import_archive(extra / "move.zip", data, force=True)
""",
    "restore": """
from models.safety import restore
slow(restore, "copy_verified")
slow(restore, "_swap_file", 0.2)
print("go", flush=True)
restore.restore_backup(data, sorted((data / "backups").glob("2*"))[-1])
""",
    "report_export": """
from models.reporting import export, photos, xlsx_writer
from models.store.workspace import open_workspace
slow(photos, "_downscale", 0.08)
slow(xlsx_writer, "write_xlsx", 0.5)  # the staged files exist by then
ws = open_workspace(data)
print("go", flush=True)
export.export_monthly(ws, "2023-01", extra / "reports")
""",
}

LEFTOVER_GLOBS = [".import-*", ".export-*", ".restore-*", ".previous-*", "backups/.tmp-*", "**/.part-*", "*.restoring"]


def _ledger(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    ws = open_workspace(data)
    try:
        save_profile(ws.db, make_profile())
        ids = add_entries(ws, 4)
        rng = random.Random(7)
        src = tmp_path / "src"
        src.mkdir()
        for n in range(PHOTOS):
            path = src / f"照片{n}.png"
            Image.frombytes("RGB", (120, 90), bytes(rng.getrandbits(8) for _ in range(120 * 90 * 3))).save(path)
            attach_file(ws.db, data, ids[n % len(ids)], path, actor="张三")
    finally:
        ws.close()
    return data


def _leftovers(data: Path, extra: Path) -> list[str]:
    found = [str(p) for pattern in LEFTOVER_GLOBS for p in data.glob(pattern)]
    found += [str(p) for p in data.parent.glob(f".{data.name}-import-*")]
    found += [str(p) for p in extra.rglob("*.part*")]
    return found


def _entries_and_evidence(data: Path) -> tuple:
    fp = fingerprint(data)
    tables = {k: v for k, v in fp["tables"].items() if k not in ("settings", "audit_log", "report_exports", "revision")}
    files = {k: v for k, v in fp["files"].items() if not k.startswith("backups")}
    return tables, files


@pytest.mark.parametrize("job", list(JOBS))
def test_a_killed_job_leaves_nothing_once_the_program_runs_again(tmp_path, job):
    data = _ledger(tmp_path)
    extra = tmp_path / "extra"
    extra.mkdir()
    if job in ("archive_import", "restore"):
        backup_now(data, kind="manual")
        export_archive(data, extra / "move.zip")
        if job == "restore":
            shutil.rmtree(data / "evidence")  # the restore has every file to copy back
        else:
            shutil.rmtree(data / "evidence")
    before = _entries_and_evidence(data)
    rng = random.Random(hash(job) & 0xFFFF)
    outcomes = []
    for attempt in range(2):
        proc = subprocess.Popen([sys.executable, "-u", "-c", PRELUDE + JOBS[job], str(ROOT), str(data), str(extra)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
        assert proc.stdout.readline().strip() == "go", proc.stderr.read()  # imports done, the job starts
        time.sleep(0.05 + rng.random() * 0.4)  # a random point inside the job (~0.5-1 s long)
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        outcomes.append(proc.returncode)
        assert "Traceback" not in err, err
    assert -signal.SIGKILL in outcomes, "the kill never landed"
    # The next run of the program (any command) or of the job itself removes what is left.
    code, out, err = run_cli(data, "entry", "list")
    assert code == 0, err
    if job == "report_export":
        ws = open_workspace(data)
        try:
            from models.reporting.export import export_monthly
            export_monthly(ws, "2023-01", extra / "reports")
        finally:
            ws.close()
    if job == "archive_export":
        export_archive(data, extra / "move.zip")
    assert _leftovers(data, extra) == []
    # and the ledger is whole: as before, or (restore, import) the restored one, checked
    code, out, err = run_cli(data, "check")
    if job in ("archive_import", "restore"):
        tables, _ = _entries_and_evidence(data)
        assert tables == before[0]  # same ledger content restored or kept
    else:
        assert _entries_and_evidence(data) == before
        assert code == 0, out + err


def test_a_kill_between_setting_the_ledger_aside_and_renaming_the_new_one_in(tmp_path):
    """The one moment of a swap where ledger.db does not exist: the next start puts it back."""
    data = _ledger(tmp_path)
    before = _entries_and_evidence(data)
    aside = data / ".previous-0123456789abcdef"
    aside.mkdir()
    os.replace(data / "ledger.db", aside / "ledger.db")
    (data / ".restore-abc").mkdir()
    (data / ".restore-abc" / "ledger.db").write_bytes(b"half")
    code, out, err = run_cli(data, "entry", "list")
    assert code == 0 and out.count("入户宣传第") == 4, err
    assert _entries_and_evidence(data) == before
    assert _leftovers(data, tmp_path / "none") == []
