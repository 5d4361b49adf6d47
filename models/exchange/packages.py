"""Signed packages: any bytes (a notice, a task-list package) wrapped with a signature.

Layout: the line ``ZLSIGNED1``, one line of JSON (``kind``, ``public_key``, ``signature``,
``signed_at``, ``sha256`` and ``size`` of the payload), then the payload bytes unchanged.
The signature covers kind, time, size and the payload's SHA-256, so a flipped byte, a
swapped payload or a notice presented as a task list are all refused.

    blob = sign_package(db, payload, kind="tasklist")         # the sender
    package = verify_package(db, blob, kind="tasklist")       # a unit: signature + trust
    package = open_package(blob, kind="tasklist")             # signature only
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import sqlite_utils

from models.exchange.enrolment import DISTRICT_OWNER, trust_on_first_use
from models.store.keys import SignatureError, fingerprint, installation_signer, verify_signature

MAGIC = b"ZLSIGNED1\n"
MAX_HEADER = 4096
MAX_PACKAGE = 64 * 1024 * 1024
KIND_LABELS = {"notice": "退回通知", "tasklist": "任务清单包"}


@dataclass(frozen=True)
class Package:
    kind: str
    payload: bytes
    public_key: str
    signature: str
    signed_at: str
    first_use: bool = False  # verify_package: the sender's key was learned just now

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)


def _statement(kind: str, signed_at: str, size: int, sha256: str) -> bytes:
    return f"ZHONGLOU-PACKAGE-1\nkind={kind}\nsigned_at={signed_at}\nsize={size}\nsha256={sha256}".encode("utf-8")


def sign_package(db: sqlite_utils.Database, payload: bytes, *, kind: str) -> bytes:
    """``payload`` signed with this installation's key."""
    signer = installation_signer(db)
    signed_at = dt.datetime.now().isoformat(timespec="seconds")
    sha = hashlib.sha256(payload).hexdigest()
    header = {"kind": kind, "public_key": signer.public_key, "signed_at": signed_at, "size": len(payload), "sha256": sha,
              "signature": signer.sign(_statement(kind, signed_at, len(payload), sha))}
    return MAGIC + json.dumps(header, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n" + payload


def open_package(data: bytes, *, kind: str) -> Package:
    """Check the package's own signature; raises :class:`SignatureError` with a Chinese reason."""
    label = KIND_LABELS.get(kind, "文件")
    if len(data) > MAX_PACKAGE:
        raise SignatureError(f"文件过大，不是本程序的{label}")
    if not data.startswith(MAGIC):
        raise SignatureError(f"不是本程序的{label}（缺少签名）")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + MAX_HEADER)
    if end < 0:
        raise SignatureError(f"{label}已损坏（签名信息不完整）")
    try:
        header = json.loads(data[len(MAGIC):end].decode("ascii"))
        got_kind, public_key, signature = str(header["kind"]), str(header["public_key"]), str(header["signature"])
        signed_at, size, sha = str(header["signed_at"]), int(header["size"]), str(header["sha256"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise SignatureError(f"{label}已损坏（签名信息无法读取）") from None
    if got_kind != kind:
        raise SignatureError(f"这不是{label}（而是“{KIND_LABELS.get(got_kind, got_kind)}”）")
    payload = data[end + 1:]
    verify_signature(public_key, signature, _statement(kind, signed_at, size, sha))
    if len(payload) != size or hashlib.sha256(payload).hexdigest() != sha:
        raise SignatureError(f"{label}在签名后被改动过，已拒收")
    return Package(kind, payload, public_key, signature, signed_at)


def verify_package(db: sqlite_utils.Database, data: bytes, *, kind: str, owner: str = DISTRICT_OWNER,
                   source: str = "", actor: str = "") -> Package:
    """``open_package`` plus trust: the first package enrols the sender's key, another key is refused.

    Enrolment happens in the caller's transaction (or its own), so a caller that fails
    later rolls it back together with its own writes.
    """
    package = open_package(data, kind=kind)
    signed_at = package.signed_at
    sha = hashlib.sha256(package.payload).hexdigest()
    check = trust_on_first_use(db, owner=owner, statement=_statement(kind, signed_at, len(package.payload), sha),
                               public_key=package.public_key, signature=package.signature,
                               source=source or KIND_LABELS.get(kind, kind), actor=actor)
    return Package(kind, package.payload, package.public_key, package.signature, signed_at, first_use=check.first_use)
