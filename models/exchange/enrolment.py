"""Trust on first use: which installation's key speaks for whom.

At the district one row of ``known_keys`` per unit: the first valid signed report of a
unit enrols its key; later files must carry the same key, or they are 校验失败 with the
reason :data:`KEY_MISMATCH` and never counted. At a unit the same table holds the
district's key, learned from its first notice or task-list package (``DISTRICT_OWNER``).
Re-enrolment (a new PC set up without the archive) is an explicit act with a reason,
written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from models.core.errors import AppError, ValidationError
from models.store.keys import SignatureError, fingerprint, verify_signature
from models.store.audit import record_change

KEY_MISMATCH = "签名密钥与已登记的不符"
UNSIGNED = "文件没有签名（可能是旧版本程序导出的，或被改动过）"
DISTRICT_OWNER = "区垃分办"
MAX_REASON = 200


@dataclass(frozen=True)
class KnownKey:
    owner: str
    public_key: str
    fingerprint: str
    enrolled_at: str
    source: str


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on one signed file: ``problem`` empty when it may count."""

    public_key: str
    problem: str = ""
    first_use: bool = False

    @property
    def ok(self) -> bool:
        return not self.problem


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def known_key(db: sqlite_utils.Database, owner: str) -> KnownKey | None:
    rows = list(db.query("SELECT * FROM known_keys WHERE owner = ?", [owner]))
    return KnownKey(**rows[0]) if rows else None


def list_known_keys(db: sqlite_utils.Database) -> list[KnownKey]:
    """Newest enrolment first: the 汇总 page shows new keys at the top."""
    return [KnownKey(**r) for r in db.query("SELECT * FROM known_keys ORDER BY enrolled_at DESC, owner")]


def _owner_of(db: sqlite_utils.Database, public_key: str) -> str | None:
    rows = list(db.query("SELECT owner FROM known_keys WHERE public_key = ? LIMIT 1", [public_key]))
    return rows[0]["owner"] if rows else None


def check_signed(db: sqlite_utils.Database, *, owner: str, statement: bytes, public_key: str, signature: str) -> SignatureCheck:
    """Check a file's signature and that its key is the one enrolled for ``owner``; writes nothing."""
    public_key, signature = (public_key or "").strip(), (signature or "").strip()
    if not public_key or not signature:
        return SignatureCheck(public_key, UNSIGNED)
    try:
        verify_signature(public_key, signature, statement)
    except SignatureError as exc:
        return SignatureCheck(public_key, str(exc))
    enrolled = known_key(db, owner)
    if enrolled is not None and enrolled.public_key != public_key:
        return SignatureCheck(public_key, f"{KEY_MISMATCH}（已登记 {enrolled.fingerprint}，本文件 {fingerprint(public_key)}）；"
                                          "如该单位确已更换电脑，请核实后在“汇总”页重新登记")
    if enrolled is None:
        other = _owner_of(db, public_key)
        if other is not None:
            return SignatureCheck(public_key, f"{KEY_MISMATCH}：此签名密钥已登记为“{other}”的密钥，文件却自称“{owner}”")
    return SignatureCheck(public_key, first_use=enrolled is None)


def enrol(db: sqlite_utils.Database, *, owner: str, public_key: str, source: str, actor: str) -> KnownKey:
    """Remember ``public_key`` as ``owner``'s (inside the caller's transaction)."""
    row = {"owner": owner, "public_key": public_key, "fingerprint": fingerprint(public_key), "enrolled_at": _now(),
           "source": source}
    db.execute("INSERT INTO known_keys(owner, public_key, fingerprint, enrolled_at, source)"
               " VALUES (:owner, :public_key, :fingerprint, :enrolled_at, :source)", row)
    record_change(db, actor=actor, action="enrol", table="known_keys", row_id=owner,
                  after={"fingerprint": row["fingerprint"], "source": source})
    return KnownKey(**row)


def reset_enrolment(db: sqlite_utils.Database, *, owner: str, reason: str, actor: str) -> KnownKey:
    """Forget ``owner``'s key so its next valid file enrols a new one; the reason is audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError([("重新登记原因", "请填写原因（如：该单位更换电脑，已电话核对新密钥指纹）")])
    if len(reason) > MAX_REASON:
        raise ValidationError([("重新登记原因", f"不能超过{MAX_REASON}个字")])
    enrolled = known_key(db, owner)
    if enrolled is None:
        raise AppError(f"“{owner}”尚未登记签名密钥；收到其第一份有效报表时会自动登记。")
    with db.atomic():
        db.execute("DELETE FROM known_keys WHERE owner = ?", [owner])
        record_change(db, actor=actor, action="enrol_reset", table="known_keys", row_id=owner,
                      before={"fingerprint": enrolled.fingerprint, "public_key": enrolled.public_key,
                              "enrolled_at": enrolled.enrolled_at}, reason=reason)
    return enrolled


def trust_on_first_use(db: sqlite_utils.Database, *, owner: str, statement: bytes, public_key: str, signature: str,
                       source: str, actor: str) -> SignatureCheck:
    """``check_signed``, then enrol the key when it is the first; raises SignatureError when refused."""
    check = check_signed(db, owner=owner, statement=statement, public_key=public_key, signature=signature)
    if not check.ok:
        raise SignatureError(check.problem)
    if check.first_use:
        enrol(db, owner=owner, public_key=public_key, source=source, actor=actor)
    return check


def key_as_dict(key: KnownKey) -> dict[str, Any]:
    return {"owner": key.owner, "fingerprint": key.fingerprint, "enrolled_at": key.enrolled_at, "source": key.source}
