"""Reports that grow linearly: a month of 4,000 entries and a quarter of 12,000.

    .venv/bin/python -m tests.benchmarks.report_scale [--repeat N]
    .venv/bin/python -m tests.benchmarks --only reports

Each export runs as ``main.py report monthly|quarterly`` in a child process, timed from the
parent, with its peak memory (ru_maxrss of the child) and the PDF's page count; the same
export of a tenth of the entries is measured beside it, so the ratios show how time and
memory grow with the data (linear: time ×10 or less, memory flat). Targets (issue 16):
month ≤ 5 s, quarter ≤ 15 s on the benchmark machine. Data folders are made through the
app's model code (``datagen.fill``) and cached under ``build/work/bench/``.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import datagen  # noqa: E402

VERSION = 1
MONTHS = ("2023-04", "2023-05", "2023-06")
# kind -> (entries per month, months filled, report command arguments)
SETS = {
    "month400": (400, MONTHS[2:], ["monthly", "--month", "2023-06"]),
    "month4k": (4000, MONTHS[2:], ["monthly", "--month", "2023-06"]),
    "quarter1200": (400, MONTHS, ["quarterly", "--quarter", "2023Q2"]),
    "quarter12k": (4000, MONTHS, ["quarterly", "--quarter", "2023Q2"]),
}
TARGETS = {"month4k": 5.0, "quarter12k": 15.0}


def prepare(kind: str, *, log=print) -> Path:
    per_month, months, _ = SETS[kind]
    folder = datagen.CACHE / f"reports-{kind}"
    stamp = {"version": VERSION, "datagen": datagen.VERSION, "kind": kind, "per_month": per_month, "months": list(months)}
    stamp_file = folder / "bench-stamp.json"
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    log(f"[data] making '{kind}' ({per_month} entries × {len(months)} months) in {folder} ...")
    ws = datagen.open_workspace(folder)
    try:
        datagen.save_profile(ws.db, datagen.profile())
        for n, month in enumerate(months):
            datagen.fill(ws, per_month, month=month, seed=2023 + n, log=log)
    finally:
        ws.close()
    stamp_file.write_text(json.dumps(stamp))
    return folder


def pdf_pages(path: Path) -> int:
    if not shutil.which("pdfinfo"):
        return 0
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    match = re.search(r"Pages:\s+(\d+)", out)
    return int(match.group(1)) if match else 0


def measure(kind: str, repeat: int, *, log=print) -> dict[str, float]:
    from tests.benchmarks.harness import checked, run_child

    data = prepare(kind, log=log)
    args = SETS[kind][2]
    times, cpus, peaks, pages = [], [], [], 0
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        for n in range(repeat + 1):  # the first run warms the caches and is not counted
            out = Path(tmp) / f"run{n}"
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            run = checked(run_child([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data), "report", *args,
                                     "--out", str(out), "--fill-date", "2023-07-03"]), f"report {kind}")
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if n:
                cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
                times.append(run.seconds)
                peaks.append(run.peak_mb)
            pdf = next(out.glob("*.pdf"))
            pages = pdf_pages(pdf)
    return {"seconds": statistics.median(times), "cpu": statistics.median(cpus), "peak_mb": statistics.median(peaks),
            "pages": pages}


def bench_reports(repeat: int, log):
    """A section for ``tests.benchmarks.run``: the big exports against a tenth of their entries."""
    from tests.benchmarks.harness import Row, Section

    section = Section("报表导出规模 reports that grow linearly (month 4,000 entries, quarter 12,000)")
    for big, small in (("month4k", "month400"), ("quarter12k", "quarter1200")):
        b, s = measure(big, repeat, log=log), measure(small, repeat, log=log)
        section.rows.append(Row(f"{big} export (bare: a tenth of the entries)", b["seconds"], s["seconds"]))
        section.rows.append(Row(f"{big} peak memory", b["peak_mb"], s["peak_mb"], unit="MB"))
        verdict = "ok" if b["seconds"] <= TARGETS[big] else "OVER TARGET"
        section.notes.append(f"{big}: {b['seconds']:.2f} s wall (target ≤ {TARGETS[big]:.0f} s, {verdict}), "
                             f"{b['cpu']:.2f} s CPU, {b['peak_mb']:.0f} MB, PDF {b['pages']} pages; {small}: "
                             f"{s['seconds']:.2f} s wall, {s['cpu']:.2f} s CPU, {s['peak_mb']:.0f} MB, {s['pages']} pages")
    section.notes.append("wall time includes waiting for the CPU on a shared machine; CPU time (user + system) does not")
    return section


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.report_scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from tests.benchmarks.harness import render

    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    print(render([bench_reports(args.repeat, log)], args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
