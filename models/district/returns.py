"""退回修改 at the district: a signed notice sending a unit's received month back.

The notice names the version returned and the reason; it is recorded (``return_notices``,
direction 'sent') and audit-logged, and ``district diff`` later shows the reason beside
what changed in the correction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from models.catalog.units import find_unit
from models.core.errors import AppError, ValidationError
from models.core.periods import parse_month
from models.reporting.files import atomic_write
from models.exchange.notices import ReturnNotice, new_return_notice, notice_file_name, notice_from_row, signed_notice
from models.store.audit import record_change
from models.store.workspace import Workspace

MAX_REASON = 200


@dataclass(frozen=True)
class SentNotice:
    notice: ReturnNotice
    path: Path


def return_for_correction(ws: Workspace, *, unit: str, month: str, reason: str, out_dir: Path,
                          actor: str | None = None) -> SentNotice:
    """Write the signed notice into ``out_dir`` and record it; the unit's current version is returned."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError([("退回原因", "请填写退回原因（如：任务12新增达标小区数与测评记录不符）")])
    if len(reason) > MAX_REASON:
        raise ValidationError([("退回原因", f"不能超过{MAX_REASON}个字")])
    found = find_unit(unit)
    if found is None or found.kind == "district":
        raise AppError(f"“{unit}”不是钟楼区的填报单位。")
    year, mon = parse_month(month)
    month = f"{year}-{mon:02d}"
    rows = list(ws.db.query("SELECT version FROM district_reports WHERE unit = ? AND kind = 'monthly' AND period = ?"
                            " AND status = 'ok' AND current = 1", [found.name, month]))
    if not rows:
        raise AppError(f"尚未收到{found.name}{year}年{mon}月的有效报表，无需退回。")
    actor = actor or (ws.profile.operator if ws.profile else "")
    notice = new_return_notice(unit=found.name, period=month, version=int(rows[0]["version"]), reason=reason,
                               issued_by=ws.unit.name)
    data = signed_notice(ws.db, notice)
    out_dir = Path(out_dir)
    path = out_dir / notice_file_name(notice)
    with ws.db.atomic():
        ws.db.execute(
            "INSERT INTO return_notices(direction, notice_id, unit, kind, period, version, reason, issued_at, issued_by,"
            " recorded_at) VALUES ('sent', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [notice.notice_id, notice.unit, notice.kind, notice.period, notice.version, notice.reason, notice.issued_at,
             notice.issued_by, dt.datetime.now().isoformat(timespec="seconds")])
        record_change(ws.db, actor=actor, action="return", table="district_reports", row_id=f"{found.name}:{month}",
                      after={"version": notice.version, "notice_id": notice.notice_id, "file": path.name}, reason=reason)
        atomic_write(path, lambda tmp: tmp.write_bytes(data))  # the row rolls back when the file cannot be written
    return SentNotice(notice, path)


def sent_notices(ws: Workspace, *, unit: str | None = None, month: str | None = None) -> list[ReturnNotice]:
    where, params = ["direction = 'sent'"], []
    if unit:
        where.append("unit = ?")
        params.append(unit)
    if month:
        where.append("period = ?")
        params.append(month)
    return [notice_from_row(r)
            for r in ws.db.query(f"SELECT * FROM return_notices WHERE {' AND '.join(where)} ORDER BY issued_at DESC",
                                 params)]
