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
  taken inside the process) against the bare SQL (``bare_sql.py``); its peak memory against a
  bare window, reading only and once an entry is edited (the database library loaded);
- reports at scale (``report_scale.py``): a month of 4,000 entries and a quarter of 12,000
  against a tenth of each, with peak memory and PDF pages;
- the start-up counted in instructions (``--only instructions``, valgrind's callgrind, when
  installed): steady from run to run where wall-clock ratios on a shared machine are not.

Data folders are made once through the app's model code and cached (``datagen.py``); the
child-process timing, rows and report are in ``harness.py``, the start-up parts in ``startup.py``.
Medians of N (default 7) interleaved runs (app, bare, app, bare, ...) after one untimed warm-up. A part that is missing (a page or command
not delivered) is reported as SKIPPED with the reason; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks import datagen  # noqa: E402
from tests.benchmarks.harness import (  # noqa: E402
    HERE, PY, Row, Section, Skipped, checked, interleaved, machine, render, run_child,
)
from tests.benchmarks.startup import bench_instructions, bench_startup  # noqa: E402

FILTER_TEXT = "阳光花园"


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
    m = interleaved({"ledger_probe": app_cmd, "bare_sql": bare_cmd, "bare window": [PY, str(HERE / "bare_window.py")],
                     "typed": [*app_cmd, "typed"]}, repeat)
    app_runs, bare_runs = m["ledger_probe"].runs, m["bare_sql"].runs
    app = [json.loads(r.stdout.strip().splitlines()[-1]) for r in app_runs]
    bare = [json.loads(r.stdout.strip().splitlines()[-1]) for r in bare_runs]
    for key, label in (("open", "open (navigate → rows shown)"), ("filter", "filter by free text")):
        section.rows.append(Row(label, statistics.median(a[key] for a in app), statistics.median(b[key] for b in bare)))
    section.rows.append(Row("peak memory against a bare window", max(r.peak_mb for r in app_runs),
                            m["bare window"].peak_mb, unit="MB"))
    section.rows.append(Row("peak memory against the bare SQL (no Qt)", max(r.peak_mb for r in app_runs),
                            max(r.peak_mb for r in bare_runs), unit="MB"))
    section.rows.append(Row("peak memory once an entry is edited (the library for writing loaded)",
                            m["typed"].peak_mb, m["bare window"].peak_mb, unit="MB"))
    if app[0].get("debounce_ms"):
        section.notes.append(f"filter time excludes the search box's {app[0]['debounce_ms']} ms wait for typing to pause")
    section.notes.append(f"page shows {app[0]['rows']} rows ({app[0]['model']}), filter {app[0]['hits']};"
                         f" bare SQL reads {bare[0]['rows']} rows, filter {bare[0]['hits']}")
    section.notes.append("the probe builds the main window first (the 工作台 worked out from the 50,000 entries),"
                         " then opens the page: its peak is a session's, not the page's alone")
    return section


# ---------------------------------------------------------------- report

def bench_reports(repeat: int, log) -> Section:
    from tests.benchmarks.report_scale import bench_reports as measure

    return measure(repeat, log)


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
