"""This installation's Ed25519 key and the checks of other installations' signatures.

One key pair per installation (per data folder), made on first need — at set-up, or the
first export. It lives in the ledger database (table ``installation_key``), so the
move-to-new-PC archive, every backup and a restore carry it with the ledger; it is never
written anywhere else. Losing the data folder (and its backups) loses the key: the district
then has to re-enrol the unit (``district enroll --reset``).

Keys travel as base64 of the 32 raw public bytes; a fingerprint is the first 20 hex digits
of its SHA-256 in groups of four (``3F7A 91C2 …``), short enough to read over the phone.
Imports only core and store, so every layer may sign.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass

import sqlite_utils
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from models.core.errors import AppError

FINGERPRINT_GROUPS = 5


class SignatureError(AppError):
    """A signed file whose signature is missing, malformed or does not verify."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(str(text).strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("签名或密钥的格式无效") from None


def fingerprint(public_key: str) -> str:
    """``3F7A 91C2 0B5E 7D14 A6C8``: the key's SHA-256, short and grouped for a phone check."""
    digest = hashlib.sha256(_unb64(public_key)).hexdigest().upper()
    return " ".join(digest[i : i + 4] for i in range(0, 4 * FINGERPRINT_GROUPS, 4))


@dataclass(frozen=True)
class Signer:
    """The installation's private key; ``sign`` is pure, so a worker thread may use it."""

    _key: Ed25519PrivateKey

    @property
    def public_key(self) -> str:
        raw = self._key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return _b64(raw)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, data: bytes) -> str:
        """The base64 Ed25519 signature of ``data``."""
        return _b64(self._key.sign(data))


def verify_signature(public_key: str, signature: str, data: bytes) -> None:
    """Raise :class:`SignatureError` unless ``signature`` is ``public_key``'s over ``data``."""
    if not public_key or not signature:
        raise SignatureError("文件没有签名")
    raw_key, raw_sig = _unb64(public_key), _unb64(signature)
    if len(raw_key) != 32 or len(raw_sig) != 64:
        raise SignatureError("签名或密钥的格式无效")
    try:
        Ed25519PublicKey.from_public_bytes(raw_key).verify(raw_sig, data)
    except InvalidSignature:
        raise SignatureError("签名无效：文件在签名后被改动过") from None


def installation_signer(db: sqlite_utils.Database) -> Signer:
    """This installation's key, made (in its own transaction) the first time it is needed."""
    existing = existing_signer(db)
    if existing is not None:
        return existing
    key = Ed25519PrivateKey.generate()
    public = Signer(key).public_key
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    with db.atomic():
        # INSERT OR IGNORE: two threads asking at once end with one key, the first one.
        db.execute("INSERT OR IGNORE INTO installation_key(id, private_key, public_key, created_at) VALUES (1, ?, ?, ?)",
                   [_b64(raw), public, dt.datetime.now().isoformat(timespec="seconds")])
    return installation_signer(db)  # the stored one, which may be another thread's


def existing_signer(db: sqlite_utils.Database) -> Signer | None:
    """This installation's key if it has one; reads only (a read-only folder can show it)."""
    rows = list(db.query("SELECT private_key FROM installation_key WHERE id = 1"))
    return Signer(Ed25519PrivateKey.from_private_bytes(_unb64(rows[0]["private_key"]))) if rows else None


def installation_fingerprint(db: sqlite_utils.Database) -> str:
    """The fingerprint to read out on the phone; never makes a key (reading only)."""
    signer = existing_signer(db)
    return signer.fingerprint if signer is not None else "尚未生成（首次导出报表时生成）"
