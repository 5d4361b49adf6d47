"""A rotating log in the data folder, so that errors never vanish.

The rotation is ``logging.handlers.RotatingFileHandler``'s rule (a new file once this one
would pass 2 MB, five old ones kept as app.log.1 … app.log.5), written on
``logging.FileHandler`` here: ``logging.handlers`` also loads sockets, pickle and queues,
which the GUI's start-up would pay for a file it only appends to.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

LOG_NAME = "app.log"
MAX_BYTES = 2_000_000
BACKUP_COUNT = 5


def log_path(data_dir: Path) -> Path:
    return data_dir / "logs" / LOG_NAME


class RotatingLog(logging.FileHandler):
    """Appends to ``path``; before a record would take it past ``max_bytes``, the file
    becomes ``path.1`` (``.1`` becomes ``.2`` and so on, the oldest is dropped)."""

    def __init__(self, path: Path, *, max_bytes: int = MAX_BYTES, backup_count: int = BACKUP_COUNT):
        super().__init__(path, encoding="utf-8")
        self.max_bytes = max_bytes
        self.backup_count = backup_count

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is not None and self.max_bytes > 0:
                size = self.stream.tell()
                if size and size + len(self.format(record).encode("utf-8")) + 1 > self.max_bytes:
                    self._rotate()
        except Exception:  # noqa: BLE001 - as logging does: never let logging raise
            self.handleError(record)
        super().emit(record)

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        base = self.baseFilename
        for n in range(self.backup_count - 1, 0, -1):
            if os.path.exists(f"{base}.{n}"):
                os.replace(f"{base}.{n}", f"{base}.{n + 1}")
        if self.backup_count > 0 and os.path.exists(base):
            os.replace(base, f"{base}.1")
        self.stream = self._open()


def setup_logging(data_dir: Path) -> Path:
    path = log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, RotatingLog):
            root.removeHandler(handler)
            handler.close()
    handler = RotatingLog(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path
