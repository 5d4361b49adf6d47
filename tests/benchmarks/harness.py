"""What every benchmark uses: a child process timed from the parent with its own peak
memory (``os.wait4``), interleaved runs of several commands, and the report's rows, sections
and rendering (``tests.benchmarks.run`` is the command)."""

from __future__ import annotations

import os
import platform
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
PY = sys.executable


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
