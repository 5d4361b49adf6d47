"""One command for every benchmark, side by side in one run, with ratios.

    .venv/bin/python -m tests.benchmarks [--repeat N] [--only startup,export,ledger,reports,instructions] [--json FILE]

Each measurement is a separate child process, timed from the parent (wall clock) and
with its peak memory read from ``os.wait4`` (ru_maxrss of that child alone):

- start-up: ``main.py --quit-after-startup`` over the demo ledger, a year of data (5,000
  entries) and 50,000 entries against a bare PySide6 window (``bare_window.py``): first
  paint (the window's frame and navigation drawn), interactive (the 工作台 showing the
  unit's statuses, when ``--quit-after-startup`` quits), the whole process, and peak
  memory. Both print ``zl-mark`` lines on the monotonic clock the parent shares (set by
  ``ZL_STARTUP_MARKS``), so the times run from the parent's launch of the child. The
  frozen bundle too, against a bare window frozen the same way, when both are built;
- monthly export of a heavy month (500 entries, 100 photos of 12 MP) through
  ``main.py report monthly`` against ``bare_export.py`` writing the same cells, table and
  photos with plain openpyxl/reportlab;
- ledger page open and free-text filter over 50,000 entries (``ledger_probe.py``, times
  taken inside the process) against the bare SQL (``bare_sql.py``);
- reports at scale (``report_scale.py``): a month of 4,000 entries and a quarter of 12,000
  against a tenth of each, with peak memory and PDF pages;
- the start-up counted in instructions (``--only instructions``, valgrind's callgrind, when
  installed): steady from run to run where wall-clock ratios on a shared machine are not.

Data folders are made once through the app's model code and cached (``datagen.py``).
Medians of N (default 7) interleaved runs (app, bare, app, bare, ...) after one untimed warm-up. A part that is missing (a page or command
not delivered) is reported as SKIPPED with the reason; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import datagen  # noqa: E402

PY = sys.executable
FROZEN = ROOT / "build" / "dist" / "ZhonglouLedger"
FILTER_TEXT = "阳光花园"


class Skipped(Exception):
    """A part of the app this benchmark needs is not there (yet)."""


@dataclass
class Run:
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str
    code: int
    started: float = 0.0  # perf_counter just before launch
    cpu: float = 0.0  # user + system CPU seconds of the child (less swayed by other load)

    def mark(self, name: str) -> float:
        """Seconds from launch to the child's ``zl-mark NAME`` line (NaN when absent)."""
        for line in self.stderr.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "zl-mark" and parts[1] == name:
                return float(parts[2]) - self.started
        return float("nan")


@dataclass
class Row:
    name: str
    app: float
    bare: float
    unit: str = "s"
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.app / self.bare if self.bare else float("nan")


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str = ""


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["ZL_STARTUP_MARKS"] = "1"
    return env


def run_child(cmd: list[str], *, timeout: float = 900) -> Run:
    """Run ``cmd``; wall time and the child's own peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=ROOT, env=child_env())
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        # ru_maxrss is in KiB on Linux
        return Run(seconds, usage.ru_maxrss / 1024, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), proc.returncode, started,
                   usage.ru_utime + usage.ru_stime)


def checked(run: Run, what: str) -> Run:
    if run.code != 0:
        raise RuntimeError(f"{what} exited {run.code}:\n{run.stderr[-2000:]}")
    return run


@dataclass
class Measured:
    seconds: float  # median
    fastest: float
    peak_mb: float
    runs: list[Run]


def interleaved(cmds: dict[str, list[str]], repeat: int, *, before: dict[str, Callable[[], None]] | None = None,
                warm_up: bool = True) -> dict[str, Measured]:
    """Run each command ``repeat`` times, taking turns (a, b, c, a, b, c, ...), so that load
    from other work on the machine falls on all of them alike; one untimed warm-up each
    (disk cache, .pyc files). ``before[name]`` runs untimed before each run of ``name``."""
    before = before or {}
    if warm_up:
        for name, cmd in cmds.items():
            before.get(name, lambda: None)()
            checked(run_child(cmd), name)
    runs: dict[str, list[Run]] = {name: [] for name in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            before.get(name, lambda: None)()
            runs[name].append(checked(run_child(cmd), name))
    return {name: Measured(statistics.median(r.seconds for r in rs), min(r.seconds for r in rs),
                           max(r.peak_mb for r in rs), rs) for name, rs in runs.items()}


# ---------------------------------------------------------------- start-up

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


# ---------------------------------------------------------------- monthly export

def _has_command(name: str) -> bool:
    import main as app_main

    parser = app_main.build_parser()
    for action in parser._subparsers._group_actions if parser._subparsers else []:  # noqa: SLF001
        if name in getattr(action, "choices", {}):
            return True
    return False


def _export_spec(xlsx: Path, data: Path) -> dict:
    """What the bare script must write: the cells of the app's own xlsx, its main table,
    the month's photos with captions, and the font the app embeds."""
    from openpyxl import load_workbook

    from models.ledger.evidence import attachments_for_entries, evidence_file
    from models.ledger.entries import list_entries
    from models.reporting.fonts import _bundled, default_candidates  # noqa: F401
    from models.store.workspace import open_workspace

    wb = load_workbook(xlsx)
    sheets = [{"title": ws.title, "rows": [[c for c in row] for row in ws.iter_rows(values_only=True)]}
              for ws in wb.worksheets]
    main_rows = [row for row in sheets[0]["rows"] if any(v not in (None, "") for v in row)]
    header = next((i for i, row in enumerate(main_rows) if "序号" in [str(v) for v in row]), 0)
    images = []
    ws = open_workspace(data)
    try:
        entries = {e.id: e for e in list_entries(ws.db, month=datagen.HEAVY_MONTH)}
        for entry_id, atts in attachments_for_entries(ws.db, list(entries)).items():
            e = entries[entry_id]
            for att in atts:
                path = evidence_file(ws.data_dir, att)
                if path.suffix.lower() in (".jpg", ".jpeg", ".png"):
                    images.append({"path": str(path), "caption": f"任务{e.task_seq} {e.entry_date} {e.title}"})
    finally:
        ws.close()
    body, _title = default_candidates()
    font = next((str(c.path) for c in body if c.path.is_file()), "")
    if not font:
        raise Skipped("no CJK TrueType font on this machine for the bare PDF")
    # json cannot hold datetimes; the bare script writes the same values as text
    for sheet in sheets:
        sheet["rows"] = [[v if isinstance(v, (int, float, str, type(None))) else str(v) for v in row]
                         for row in sheet["rows"]]
    table = [[v if isinstance(v, (int, float, str, type(None))) else str(v) for v in row] for row in main_rows[header:]]
    return {"sheets": sheets, "table": table, "images": images, "font": font,
            "title": str(main_rows[0][0]) if main_rows else "月度台账"}


def bench_export(repeat: int, log) -> Section:
    section = Section("月度报表导出 monthly export, heavy month (500 entries, 100 photos of 12 MP)")
    try:
        import models.reporting  # noqa: F401
    except ImportError as exc:
        raise Skipped(f"models.reporting is not there yet ({exc})") from None
    data = datagen.prepare("heavy", log=log)
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        out_app, out_bare = Path(tmp) / "app", Path(tmp) / "bare"
        if _has_command("report"):
            app_cmd = [PY, str(ROOT / "main.py"), "--data-dir", str(data), "report", "monthly",
                       "--month", datagen.HEAVY_MONTH, "--out", str(out_app)]
        else:
            section.notes.append("the `report` command is not registered: timed export_monthly() through"
                                 " tests/benchmarks/export_probe.py instead")
            app_cmd = [PY, "-m", "tests.benchmarks.export_probe", str(data), datagen.HEAVY_MONTH, str(out_app)]
        first = checked(run_child(app_cmd), "report monthly")
        xlsx = sorted(out_app.glob("*.xlsx"))
        pdf = sorted(out_app.glob("*.pdf"))
        if not xlsx or not pdf:
            raise RuntimeError(f"report monthly wrote no xlsx/pdf in {out_app}: {first.stdout}")
        spec_file = Path(tmp) / "spec.json"
        spec = _export_spec(xlsx[0], data)
        spec_file.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        bare_cmd = [PY, str(HERE / "bare_export.py"), str(spec_file), str(out_bare)]
        # the app keeps downscaled photos: its first export is timed without them
        m = interleaved({"bare_export.py": bare_cmd, "first export": app_cmd, "again": app_cmd}, repeat,
                        before={"first export": lambda: _drop_photo_cache(data)})
        bare, cold, warm = m["bare_export.py"], m["first export"], m["again"]
        cells = sum(len(r) for s in spec["sheets"] for r in s["rows"])
        section.rows.append(Row("xlsx + pdf, first export (whole process)", cold.seconds, bare.seconds))
        section.rows.append(Row("xlsx + pdf, again (downscaled photos kept)", warm.seconds, bare.seconds))
        section.rows.append(Row("peak memory", max(cold.peak_mb, warm.peak_mb), bare.peak_mb, unit="MB"))
        section.notes.append(
            f"same content: {len(spec['sheets'])} sheets / {cells} cells, main table {len(spec['table'])} rows,"
            f" {len(spec['images'])} photos; sizes app {_mb(xlsx[0])}+{_mb(pdf[0])} MB,"
            f" bare {_mb(out_bare / 'bare.xlsx')}+{_mb(out_bare / 'bare.pdf')} MB (xlsx+pdf)")
        section.notes.append("the app adds what the bare script skips: data assembly and indicators, merged cells,"
                             " print setup, the hash sheet, atomic writes, page X of Y (two PDF passes)")
    return section


def _drop_photo_cache(data: Path) -> None:
    for cached in (data / "thumbnails").glob("*_report*.jpg"):
        cached.unlink()


def _mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f}"


# ---------------------------------------------------------------- ledger page

def bench_ledger(repeat: int, log) -> Section:
    section = Section("台账录入 ledger page, 50,000 entries (times inside the process)")
    data = datagen.prepare("big", log=log)
    app_cmd = [PY, "-m", "tests.benchmarks.ledger_probe", str(data), FILTER_TEXT]
    first = run_child(app_cmd)
    if first.code == 3:
        raise Skipped(first.stderr.strip())
    checked(first, "ledger_probe")
    bare_cmd = [PY, str(HERE / "bare_sql.py"), str(data / "ledger.db"), FILTER_TEXT]
    # The memory target is against a bare window (a GUI process), not against a
    # Python without Qt: both are reported.
    m = interleaved({"ledger_probe": app_cmd, "bare_sql": bare_cmd, "bare window": [PY, str(HERE / "bare_window.py")]},
                    repeat)
    app_runs, bare_runs = m["ledger_probe"].runs, m["bare_sql"].runs
    app = [json.loads(r.stdout.strip().splitlines()[-1]) for r in app_runs]
    bare = [json.loads(r.stdout.strip().splitlines()[-1]) for r in bare_runs]
    for key, label in (("open", "open (navigate → rows shown)"), ("filter", "filter by free text")):
        section.rows.append(Row(label, statistics.median(a[key] for a in app), statistics.median(b[key] for b in bare)))
    section.rows.append(Row("peak memory against a bare window", max(r.peak_mb for r in app_runs),
                            m["bare window"].peak_mb, unit="MB"))
    section.rows.append(Row("peak memory against the bare SQL (no Qt)", max(r.peak_mb for r in app_runs),
                            max(r.peak_mb for r in bare_runs), unit="MB"))
    if app[0].get("debounce_ms"):
        section.notes.append(f"filter time excludes the search box's {app[0]['debounce_ms']} ms wait for typing to pause")
    section.notes.append(f"page shows {app[0]['rows']} rows ({app[0]['model']}), filter {app[0]['hits']};"
                         f" bare SQL reads {bare[0]['rows']} rows, filter {bare[0]['hits']}")
    section.notes.append("the probe builds the main window first (the 工作台 worked out from the 50,000 entries),"
                         " then opens the page: its peak is a session's, not the page's alone")
    return section


# ---------------------------------------------------------------- report

def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        ram = f"{mem_kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        ram = "? RAM"
    try:
        from PySide6 import __version__ as pyside
    except ImportError:
        pyside = "?"
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), {ram}, "
            f"Python {platform.python_version()}, PySide6 {pyside}")


def render(sections: list[Section], repeat: int) -> str:
    lines = [f"Machine: {machine()}", f"Median of {repeat} interleaved runs after a warm-up; ratio = app / bare.", ""]
    for s in sections:
        lines.append(f"== {s.title}")
        if s.skipped:
            lines.append(f"   SKIPPED: {s.skipped}")
        else:
            lines.append(f"   {'':44} {'app':>9} {'bare':>9} {'ratio':>7}")
            for r in s.rows:
                fmt = "{:9.3f}" if r.unit == "s" else "{:9.0f}"
                lines.append(f"   {r.name + ' (' + r.unit + ')':44} {fmt.format(r.app)} {fmt.format(r.bare)} {r.ratio:6.2f}x")
        lines.extend(f"   note: {n}" for n in s.notes)
        lines.append("")
    return "\n".join(lines)


def bench_reports(repeat: int, log) -> Section:
    from tests.benchmarks.report_scale import bench_reports as measure

    return measure(repeat, log)


# ---------------------------------------------------------------- instructions

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


BENCHES = {"startup": bench_startup, "export": bench_export, "ledger": bench_ledger, "reports": bench_reports,
           "instructions": bench_instructions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per measurement (median)")
    parser.add_argument("--only", default=",".join(BENCHES), help="comma-separated: " + ",".join(BENCHES))
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    sections: list[Section] = []
    failed = False
    for name in [n.strip() for n in args.only.split(",") if n.strip()]:
        if name not in BENCHES:
            parser.error(f"unknown benchmark {name!r}")
        log(f"[bench] {name} ...")
        started = time.perf_counter()
        try:
            sections.append(BENCHES[name](args.repeat, log))
        except Skipped as exc:
            sections.append(Section(name, skipped=str(exc)))
            failed = True
        except Exception as exc:  # one broken part must not hide the others' figures
            sections.append(Section(name, skipped=f"ERROR {type(exc).__name__}: {exc}"))
            failed = True
        log(f"[bench] {name} done in {time.perf_counter() - started:.0f} s")
    print(render(sections, args.repeat))
    if args.json:
        args.json.write_text(json.dumps(
            {"machine": machine(), "repeat": args.repeat,
             "sections": [{"title": s.title, "skipped": s.skipped, "notes": s.notes,
                           "rows": [{"name": r.name, "unit": r.unit, "app": r.app, "bare": r.bare, "ratio": r.ratio}
                                    for r in s.rows]} for s in sections]},
            ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
