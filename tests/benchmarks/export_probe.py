"""Export one monthly report through the models API, as ``report monthly`` does.

``python -m tests.benchmarks.export_probe DATA_DIR MONTH OUT_DIR``: the benchmark's
stand-in while the ``report`` command is not registered (same code path below the CLI).
"""

import sys
from pathlib import Path

from models.reporting.export import export_monthly
from models.store.workspace import open_workspace


def main() -> int:
    data_dir, month, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    ws = open_workspace(data_dir)
    try:
        result = export_monthly(ws, month, out)
    finally:
        ws.close()
    print(result.xlsx)
    print(result.pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
