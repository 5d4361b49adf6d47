"""The baseline for the ledger page: the bare SQL a table over the entries needs.

``python bare_sql.py DB TEXT`` prints JSON timings (seconds): ``open`` reads every live
entry newest first (what the page shows on opening); ``filter`` the same with a free-text
LIKE over the text columns (what typing in the search box asks).
"""

import json
import sqlite3
import sys
import time

COLUMNS = "id, task_seq, entry_date, entry_type, title, location, organizer, participants, remarks"


def main() -> int:
    db_path, text = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    conn = sqlite3.connect(db_path)
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM entries WHERE deleted_at IS NULL ORDER BY entry_date DESC, id DESC"
    ).fetchall()
    opened = time.perf_counter()
    like = f"%{text}%"
    hits = conn.execute(
        f"SELECT {COLUMNS} FROM entries WHERE deleted_at IS NULL AND (title LIKE ? OR content LIKE ?"
        " OR location LIKE ? OR organizer LIKE ? OR remarks LIKE ?) ORDER BY entry_date DESC, id DESC",
        [like] * 5,
    ).fetchall()
    filtered = time.perf_counter()
    print(json.dumps({"open": opened - started, "filter": filtered - opened, "rows": len(rows), "hits": len(hits)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
