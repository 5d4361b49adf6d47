"""退回修改: the district's signed notice that sends a unit's month back, and its import.

The district writes it (``models.district.returns``); the unit imports it with ``notice
import FILE`` (or drops it on the window). Import checks the signature, learns the
district's key from the first notice (trust on first use) and refuses any other key, checks
the notice is addressed to this unit, then — in one transaction — records it and reopens
the month with the district's reason in the audit log. The same notice twice changes
nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from models.core.errors import AppError
from models.core.periods import month_title
from models.exchange.enrolment import DISTRICT_OWNER
from models.store.keys import SignatureError
from models.exchange.packages import open_package, sign_package, verify_package
from models.reporting.submissions import reopen_returned
from models.store.workspace import Workspace

NOTICE_KIND = "notice"
NOTICE_SUFFIX = ".zlnotice"
NOTICE_TYPE = "return"
MAX_NOTICE_BYTES = 256 * 1024


@dataclass(frozen=True)
class ReturnNotice:
    notice_id: str
    unit: str
    kind: str
    period: str
    version: int
    reason: str
    issued_at: str
    issued_by: str

    @property
    def title(self) -> str:
        return f"{month_title(self.period)}月度台账（第{self.version}版）"

    def payload(self) -> bytes:
        data = {"type": NOTICE_TYPE, "notice_id": self.notice_id, "unit": self.unit, "kind": self.kind,
                "period": self.period, "version": self.version, "reason": self.reason, "issued_at": self.issued_at,
                "issued_by": self.issued_by}
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


@dataclass(frozen=True)
class NoticeImport:
    notice: ReturnNotice
    fingerprint: str
    first_use: bool  # the district's key was learned from this notice
    already: bool  # imported before: nothing changed

    def describe(self) -> str:
        if self.already:
            return f"此通知此前已导入：{self.notice.title}已退回修改。"
        text = (f"已导入区垃分办的退回通知：{self.notice.title}退回修改，原因：{self.notice.reason}。"
                f"该月已解锁，修改后请重新导出（将为第{self.notice.version + 1}版）并报送。")
        if self.first_use:
            text += f"\n首次收到区垃分办的签名，已记住其密钥指纹：{self.fingerprint}（可电话与区垃分办核对）。"
        return text


def new_return_notice(*, unit: str, period: str, version: int, reason: str, issued_by: str) -> ReturnNotice:
    return ReturnNotice(uuid.uuid4().hex, unit, "monthly", period, version, reason,
                        dt.datetime.now().isoformat(timespec="seconds"), issued_by)


def signed_notice(db: sqlite_utils.Database, notice: ReturnNotice) -> bytes:
    return sign_package(db, notice.payload(), kind=NOTICE_KIND)


def notice_file_name(notice: ReturnNotice) -> str:
    return f"退回通知_{notice.unit}_{month_title(notice.period)}_第{notice.version}版{NOTICE_SUFFIX}"


def _parse(payload: bytes) -> ReturnNotice:
    try:
        data: dict[str, Any] = json.loads(payload.decode("utf-8"))
        if data.get("type") != NOTICE_TYPE:
            raise ValueError
        notice = ReturnNotice(str(data["notice_id"]), str(data["unit"]), str(data["kind"]), str(data["period"]),
                              int(data["version"]), str(data["reason"]), str(data["issued_at"]), str(data["issued_by"]))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise AppError("通知内容无法读取，不是本程序的退回通知。") from None
    if notice.kind != "monthly" or notice.version < 1 or not notice.reason.strip():
        raise AppError("通知内容无效。")
    month_title(notice.period)  # raises for a malformed month
    return notice


def read_notice_file(path: Path | str) -> bytes:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_NOTICE_BYTES:
            raise AppError(f"{path.name} 过大，不是本程序的退回通知。")
        return path.read_bytes()
    except OSError as exc:
        raise AppError(f"无法读取 {path.name}（{exc.strerror or exc}）。") from exc


def peek_notice(data: bytes) -> ReturnNotice:
    """The notice a file holds, signature checked but no trust decision (for a preview)."""
    return _parse(open_package(data, kind=NOTICE_KIND).payload)


def import_notice(ws: Workspace, path: Path | str, *, actor: str | None = None) -> NoticeImport:
    """Check and apply a return notice; raises AppError (SignatureError for a bad signature)."""
    path = Path(path)
    data = read_notice_file(path)
    actor = actor or ws.require_profile().operator
    unit = ws.unit
    if unit.kind == "district":
        raise AppError("退回通知由区垃分办发给各单位，区垃分办自己的程序不能导入。")
    with ws.db.atomic():
        try:
            package = verify_package(ws.db, data, kind=NOTICE_KIND, owner=DISTRICT_OWNER, source=path.name, actor=actor)
        except SignatureError as exc:
            raise SignatureError(f"退回通知已拒收：{exc}") from None
        notice = _parse(package.payload)
        if notice.unit != unit.name:
            raise AppError(f"这份退回通知是发给“{notice.unit}”的，本程序的单位是“{unit.name}”，已拒收。")
        seen = list(ws.db.query("SELECT id FROM return_notices WHERE notice_id = ?", [notice.notice_id]))
        if seen:
            return NoticeImport(notice, package.fingerprint, False, True)
        ws.db.execute(
            "INSERT INTO return_notices(direction, notice_id, unit, kind, period, version, reason, issued_at, issued_by,"
            " recorded_at) VALUES ('received', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [notice.notice_id, notice.unit, notice.kind, notice.period, notice.version, notice.reason, notice.issued_at,
             notice.issued_by, dt.datetime.now().isoformat(timespec="seconds")])
        reopen_returned(ws, notice.kind, notice.period, version=notice.version,
                        reason=f"区垃分办退回修改：{notice.reason}", actor=f"{notice.issued_by}（退回通知）")
    return NoticeImport(notice, package.fingerprint, package.first_use, False)


def notice_from_row(r: dict) -> ReturnNotice:
    """A notice as the return_notices table keeps it (sent at the district, received at a unit)."""
    return ReturnNotice(r["notice_id"], r["unit"], r["kind"], r["period"], r["version"], r["reason"], r["issued_at"],
                        r["issued_by"])


def received_notices(db: sqlite_utils.Database, *, limit: int = 20) -> list[ReturnNotice]:
    """Return notices this unit received, newest first (the 工作台 shows them)."""
    rows = db.query("SELECT * FROM return_notices WHERE direction = 'received' ORDER BY issued_at DESC, id DESC LIMIT ?",
                    [limit])
    return [notice_from_row(r) for r in rows]


