"""Start-up benchmarks: ``main.py --quit-after-startup`` against a bare window, timed
(first paint, interactive, whole process, CPU, peak memory) and counted in instructions
(valgrind's callgrind). See ``tests.benchmarks.run`` for the command."""

from __future__ import annotations

import re
import shutil
import statistics
from typing import Callable

from tests.benchmarks import datagen
from tests.benchmarks.harness import (
    HERE, PY, ROOT, Row, Run, Section, Skipped, checked, child_env, interleaved, run_child,
)

FROZEN = ROOT / "build" / "dist" / "ZhonglouLedger"


STARTUP_DATA = (("demo", "demo ledger (41 entries)"), ("year", "5,000 entries"), ("big", "50,000 entries"))
FROZEN_BARE = ROOT / "build" / "dist" / "BareWindow" / "BareWindow"


def _median(runs: list[Run], what: Callable[[Run], float]) -> float:
    return statistics.median(what(r) for r in runs)


def bench_startup(repeat: int, log) -> Section:
    section = Section("启动 start-up: launch → first paint / 工作台 interactive / exit (--quit-after-startup)")
    bare_cmd = [PY, str(HERE / "bare_window.py")]
    cmds: dict[str, list[str]] = {"bare": bare_cmd}
    for kind, _label in STARTUP_DATA:
        data = datagen.prepared(kind, log, env=child_env())
        cmds[kind] = [PY, str(ROOT / "main.py"), "--data-dir", str(data), "--quit-after-startup"]
    # A start with no view kept for it (a change outside the program, days away): worked out from the ledger,
    # not painted from the view kept at the last start (ui.app.NO_KEPT_VIEW_ENV).
    for kind in ("demo", "big"):
        cmds[f"{kind} worked out"] = ["/usr/bin/env", "ZL_NO_KEPT_VIEW=1", *cmds[kind]]
    frozen = FROZEN / "ZhonglouLedger"
    if frozen.exists() and FROZEN_BARE.exists():
        # A copy of its own: a start keeps the 工作台 for its program (its files' times are in the
        # key), so two programs taking turns on one folder would each work it out every time.
        own = datagen.CACHE / "demo-frozen"
        shutil.rmtree(own, ignore_errors=True)
        shutil.copytree(datagen.prepared("demo", log, env=child_env()), own)
        cmds["frozen"] = [str(frozen), "--data-dir", str(own), "--quit-after-startup"]
        cmds["frozen bare"] = [str(FROZEN_BARE)]
    else:
        section.notes.append("frozen bundle and frozen bare window not both built (bash build/build.sh; then"
                             " build/work/venv/bin/pyinstaller --onedir --name BareWindow --distpath build/dist"
                             " tests/benchmarks/bare_window.py): their rows are left out")
    m = interleaved(cmds, repeat)
    bare = m["bare"].runs
    bare_paint, bare_ready = _median(bare, lambda r: r.mark("first-paint")), _median(bare, lambda r: r.mark("interactive"))
    for kind, label in STARTUP_DATA:
        app = m[kind].runs
        section.rows.append(Row(f"{label}: first paint", _median(app, lambda r: r.mark("first-paint")), bare_paint))
        section.rows.append(Row(f"{label}: interactive", _median(app, lambda r: r.mark("interactive")), bare_ready))
        section.rows.append(Row(f"{label}: whole process", m[kind].seconds, m["bare"].seconds))
        section.rows.append(Row(f"{label}: CPU time, whole process", _median(app, lambda r: r.cpu),
                                _median(bare, lambda r: r.cpu)))
    for kind, label in (("demo", "demo ledger"), ("big", "50,000 entries")):
        worked = m[f"{kind} worked out"].runs
        section.rows.append(Row(f"{label}, 工作台 worked out (no view kept): interactive",
                                _median(worked, lambda r: r.mark("interactive")), bare_ready))
        section.rows.append(Row(f"{label}, 工作台 worked out: whole process", m[f"{kind} worked out"].seconds,
                                m["bare"].seconds))
        section.rows.append(Row(f"{label}, 工作台 worked out: peak memory", m[f"{kind} worked out"].peak_mb,
                                m["bare"].peak_mb, unit="MB"))
        section.rows.append(Row(f"{label}: peak memory", m[kind].peak_mb, m["bare"].peak_mb, unit="MB"))
    if "frozen" in m:
        fb = m["frozen bare"].runs
        section.rows.append(Row("frozen bundle, demo: first paint", _median(m["frozen"].runs, lambda r: r.mark("first-paint")),
                                _median(fb, lambda r: r.mark("first-paint"))))
        section.rows.append(Row("frozen bundle, demo: interactive", _median(m["frozen"].runs, lambda r: r.mark("interactive")),
                                _median(fb, lambda r: r.mark("interactive"))))
        section.rows.append(Row("frozen bundle, demo: peak memory", m["frozen"].peak_mb, m["frozen bare"].peak_mb, unit="MB"))
    section.notes.append("bare = bare_window.py (QApplication, a QMainWindow with a label, quit when idle);"
                         " its interactive mark is its quit")
    return section


def _instructions(cmd: list[str]) -> float:
    """Millions of instructions ``cmd`` executes (valgrind's callgrind, every process it starts:
    the frozen bundle's bootloader starts itself again)."""
    run = run_child(["valgrind", "--tool=callgrind", "--trace-children=yes", "--callgrind-out-file=/dev/null", *cmd])
    counts = [int(n.replace(",", "")) for n in re.findall(r"Collected : ([\d,]+)", run.stderr)]
    if run.code != 0 or not counts:
        raise RuntimeError(f"valgrind {cmd[0]} exited {run.code}:\n{run.stderr[-2000:]}")
    return sum(counts) / 1e6


def bench_instructions(repeat: int, log) -> Section:
    """The start-up counted in instructions: nearly the same from run to run, where wall-clock
    ratios on a shared machine move by 0.2 (one run each; ``repeat`` does not apply)."""
    if shutil.which("valgrind") is None:
        raise Skipped("valgrind is not installed (apt-get install valgrind)")
    section = Section("启动指令数 start-up in instructions executed (valgrind callgrind; one run each)")
    data = datagen.prepared("demo", log, env=child_env())
    start = [PY, str(ROOT / "main.py"), "--data-dir", str(data), "--quit-after-startup"]
    checked(run_child(start), "demo start")  # compiled, and the 工作台 kept, for the counted runs
    bare = _instructions([PY, str(HERE / "bare_window.py")])
    section.rows.append(Row("demo ledger, 工作台 as kept", _instructions(start), bare, unit="M"))
    section.rows.append(Row("demo ledger, 工作台 worked out", _instructions(["/usr/bin/env", "ZL_NO_KEPT_VIEW=1", *start]),
                            bare, unit="M"))
    frozen = FROZEN / "ZhonglouLedger"
    if frozen.exists() and FROZEN_BARE.exists():
        own = datagen.CACHE / "demo-frozen"
        if not own.exists():
            shutil.copytree(data, own)
        frozen_start = [str(frozen), "--data-dir", str(own), "--quit-after-startup"]
        checked(run_child(frozen_start), "frozen demo start")
        section.rows.append(Row("frozen bundle, demo, as kept", _instructions(frozen_start),
                                _instructions([str(FROZEN_BARE)]), unit="M"))
    section.notes.append("bare = bare_window.py (frozen rows: the bare window frozen the same way); M = millions")
    return section
