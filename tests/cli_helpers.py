"""Run the command line in this process, as a user's shell would see it.

Most CLI tests need no separate process: ``run_cli("--data-dir", d, "status")`` calls
``main.main`` with stdout/stderr captured and returns what a subprocess would (exit code,
output). Crash, lock and signal tests keep real processes.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import main as entry_point


@dataclass
class Completed:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: object) -> Completed:
    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = entry_point.main(argv)
        except SystemExit as exc:  # argparse: --help, usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return Completed(tuple(argv), int(code or 0), out.getvalue(), err.getvalue())
