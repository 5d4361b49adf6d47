"""The yearly task list package, signed: the district signs what it publishes, a unit installs
only what the district signed (its key learned from the first signed file, as for notices).

The package itself (``models/catalog/packages.py``) is a zip with SHA-256 hashes; signing
wraps it unchanged (``kind="tasklist"``), so a unit checks the signature, then the hashes.
An installed package is also kept in the ledger's settings, so it travels with the database —
in backups and in the archive that moves a unit to a new PC — and a data folder that lost
its ``tasklists/`` files gets them back when it is next opened.
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

from models.catalog.packages import Package, install_package, publish
from models.core.errors import AppError
from models.exchange.packages import sign_package, verify_package
from models.store.settings import get_setting, put_setting
from models.store.workspace import Workspace
from models.store.years import INSTALLED_PACKAGES_KEY, missing_installed_years

KIND = "tasklist"
PACKAGES_KEY = INSTALLED_PACKAGES_KEY  # {"2024": {"content_hash", "zip": base64 of the verified zip}}


def publish_signed(ws: Workspace, year: int, out_dir: Path) -> tuple[Path, list[str]]:
    """The district's package for ``year``, signed with this installation's key."""
    return publish(ws.data_dir, year, out_dir, wrap=lambda data: sign_package(ws.db, data, kind=KIND))


def install_signed(ws: Workspace, path: Path | str) -> Package:
    """Check the district's signature (enrolling its key on first use), then the hashes, then keep it.

    One transaction: a package refused after its key was learned leaves the key unlearned.
    """
    path = Path(path)
    inner: list[bytes] = []

    def unwrap(data: bytes) -> bytes:
        inner.append(verify_package(ws.db, data, kind=KIND, source=f"任务清单 {path.name}").payload)
        return inner[-1]

    with ws.db.atomic():
        package = install_package(ws.data_dir, path, unwrap=unwrap, require_signed=True)
        stored = get_setting(ws.db, PACKAGES_KEY, {}) or {}
        stored[str(package.year)] = {"content_hash": package.manifest["content_hash"],
                                     "zip": base64.b64encode(inner[-1]).decode("ascii")}
        put_setting(ws.db, PACKAGES_KEY, stored)
    return package


def restore_installed_lists(ws: Workspace) -> list[int]:
    """Put back the installed lists this ledger holds but its folder lacks (after a move or a restore)."""
    restored = []
    stored = get_setting(ws.db, PACKAGES_KEY, {}) or {}
    for year in missing_installed_years(ws.conn, ws.data_dir):
        record = stored.get(str(year))
        if not record:
            continue
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / f"{year}.zip"
            copy.write_bytes(base64.b64decode(record["zip"]))
            try:
                install_package(ws.data_dir, copy)  # the hashes are checked again
            except AppError:
                continue  # a damaged copy is not installed; the unit installs the package again
        restored.append(year)
    return restored
