"""Power cut: a writer killed with SIGKILL at random moments loses nothing it reported saved.

The writer adds entries through ``models.ledger.entries.add_entry`` (every third one with a
photo through ``models.ledger.evidence.attach_file``) and prints each id only after its
transaction committed. After many kills the ledger must hold every printed id, pass
``PRAGMA integrity_check`` and the full ``check`` (evidence files present, hashes right).
A second test kills a backup in progress: no half backup may ever be listed.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models.safety.backup import list_backups, verify_snapshot_db
from models.safety.integrity import check
from models.store.workspace import open_workspace

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

WRITER = r"""
import datetime as dt, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from PIL import Image
from models.ledger.evidence import attach_file
from models.ledger.validation import EntryDraft
from models.ledger.entries import add_entry
from models.store.workspace import open_workspace

data_dir, round_no = Path(sys.argv[2]), int(sys.argv[3])
ws = open_workspace(data_dir)
tasks = ws.tasks()
n = 0
while True:
    n += 1
    draft = EntryDraft(task_seq=6, entry_date="2023-05-%02d" % (n % 28 + 1), entry_type="入户宣传",
                       title="第%d轮第%d条" % (round_no, n), measures={"households_reached": n})
    entry_id = add_entry(ws.db, ws.tasklist, tasks, draft, actor="张三", today=dt.date(2026, 11, 28))
    print("entry", entry_id, flush=True)
    if n % 3 == 0:
        photo = data_dir.parent / ("src-%d-%d.png" % (round_no, n))
        Image.new("RGB", (32, 32), (round_no % 256, n % 256, 7)).save(photo)
        attach_file(ws.db, ws.data_dir, entry_id, photo, actor="张三")
        print("photo", entry_id, flush=True)
"""

BACKUPER = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from models.safety.backup import backup_now
while True:
    print(backup_now(Path(sys.argv[2]), kind="daily").info.path, flush=True)
"""


def _kill_after(script: str, args: list[str], delay: float) -> list[str]:
    proc = subprocess.Popen([sys.executable, "-c", script, str(ROOT), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err
    lines = out.split("\n")
    # A kill in the middle of a print leaves an unterminated last line: it was never reported.
    complete = lines[:-1]
    return [line for line in complete if line.strip()]


def test_killed_writer_loses_nothing_it_reported(ws):
    ws.close()
    rng = random.Random(20231128)
    reported: set[int] = set()
    with_photo: set[int] = set()
    deadline = time.monotonic() + 25
    rounds = 0
    while rounds < 30 and (rounds < 8 or time.monotonic() < deadline):
        rounds += 1
        # delays start inside start-up (imports, lock, open) and reach deep into writing
        for line in _kill_after(WRITER, [str(ws.data_dir), str(rounds)], rng.uniform(0.3, 2.0)):
            kind, entry_id = line.split()
            (reported if kind == "entry" else with_photo).add(int(entry_id))
    print(f"{rounds} kills, {len(reported)} entries reported, {len(with_photo)} with photo")
    assert len(reported) > 20, "the writer never got going; the test proved nothing"

    conn = sqlite3.connect(ws.db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        present = {r[0] for r in conn.execute("SELECT id FROM entries")}
        linked = {r[0] for r in conn.execute("SELECT entry_id FROM entry_evidence")}
    finally:
        conn.close()
    assert reported <= present, f"lost after SIGKILL: {sorted(reported - present)[:10]}"
    assert with_photo <= linked
    assert check(ws.data_dir) == []
    reopened = open_workspace(ws.data_dir)  # the lock died with the process
    reopened.close()


def test_killed_backup_never_leaves_a_half_backup(ws, tmp_path):
    from safety_helpers import filled

    filled(ws, tmp_path, entries=30, photos=6)
    ws.close()
    rng = random.Random(7)
    for _ in range(6):
        _kill_after(BACKUPER, [str(ws.data_dir)], rng.uniform(0.4, 1.5))
    infos = list_backups(ws.data_dir)
    print(f"{len(infos)} complete backups kept after 6 kills")
    for info in infos:
        assert verify_snapshot_db(info) == []
        for pool_path in info.evidence.values():
            assert (info.root / pool_path).is_file()
    assert check(ws.data_dir) == []
    assert not any(i.path.name.startswith(".tmp-") for i in infos)  # killed half-backups stay invisible
