"""The yearly task list package, signed: the district signs what it publishes, a unit installs
only what the district signed (its key learned from the first signed file, as for notices).

The package itself (``models/catalog/packages.py``) is a zip with SHA-256 hashes; signing
wraps it unchanged (``kind="tasklist"``), so a unit checks the signature, then the hashes.
"""

from __future__ import annotations

from pathlib import Path

from models.catalog.packages import Package, install_package, publish
from models.exchange.packages import sign_package, verify_package
from models.store.workspace import Workspace

KIND = "tasklist"


def publish_signed(ws: Workspace, year: int, out_dir: Path) -> tuple[Path, list[str]]:
    """The district's package for ``year``, signed with this installation's key."""
    return publish(ws.data_dir, year, out_dir, wrap=lambda data: sign_package(ws.db, data, kind=KIND))


def install_signed(ws: Workspace, path: Path | str) -> Package:
    """Check the district's signature (enrolling its key on first use), then the hashes, then keep it.

    One transaction: a package refused after its key was learned leaves the key unlearned.
    """
    path = Path(path)

    def unwrap(data: bytes) -> bytes:
        return verify_package(ws.db, data, kind=KIND, source=f"任务清单 {path.name}").payload

    with ws.db.atomic():
        return install_package(ws.data_dir, path, unwrap=unwrap, require_signed=True)
