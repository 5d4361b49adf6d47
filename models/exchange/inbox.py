"""What the 工作台 shows of received return notices (退回修改), read cheaply at start-up.

The notice machinery (signatures, unlocking, the report pipeline) lives in
``models.exchange.notices``; the 工作台 needs only which returned months still await their
correction, so this module reads two tables and imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.core.periods import month_title
from models.store.workspace import Workspace


@dataclass(frozen=True)
class PendingReturn:
    kind: str
    period: str
    version: int  # the version the district sent back
    reason: str
    issued_at: str

    @property
    def title(self) -> str:
        return f"{month_title(self.period)}月度台账（第{self.version}版）"


def pending_returns(ws: Workspace, *, limit: int = 50) -> list[PendingReturn]:
    """Received notices whose correction (a later version, submitted) has not gone out yet."""
    rows = list(ws.reader.query(
        "SELECT n.kind, n.period, n.version, n.reason, n.issued_at, s.state, s.version AS state_version"
        " FROM return_notices n LEFT JOIN period_states s ON s.kind = n.kind AND s.period = n.period"
        " WHERE n.direction = 'received' ORDER BY n.issued_at DESC, n.id DESC LIMIT ?", [limit]))
    return [PendingReturn(r["kind"], r["period"], int(r["version"]), r["reason"], r["issued_at"]) for r in rows
            if not (r["state"] == "submitted" and int(r["state_version"] or 0) > int(r["version"]))]
