"""build/bootstrap.sh: after a set-up that succeeded, ./run.sh checks nothing through apt,
pip or the font and library caches; a held apt lock is waited for, then explained in Chinese.

Runs the real script in a copy of the checkout with fake apt-get, pip (a fake .venv python),
fc-list and ldconfig on PATH, each recording how it was called.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FAKE = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
{body}
"""


def tool(folder: Path, name: str, log: Path, body: str = "exit 0") -> None:
    path = folder / name
    path.write_text(FAKE.format(log=log, body=body), encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture
def checkout(tmp_path: Path):
    """A copy of the set-up files, a fake venv python, and fake system tools."""
    if shutil.which("bash") is None or os.name != "posix":
        pytest.skip("bootstrap.sh is the Linux set-up")
    repo = tmp_path / "repo"
    (repo / "build").mkdir(parents=True)
    shutil.copy(ROOT / "build" / "bootstrap.sh", repo / "build" / "bootstrap.sh")
    for name in ("requirements.txt", "requirements-dev.txt"):
        shutil.copy(ROOT / name, repo / name)
    log = tmp_path / "calls.log"
    log.touch()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    venv_bin = repo / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    tool(venv_bin, "python", log)  # "python -m pip install ..." is recorded, installs nothing
    tool(bin_dir, "fc-list", log, "echo '/usr/share/fonts/x.ttc: WenQuanYi Micro Hei'")
    tool(bin_dir, "ldconfig", log, "echo 'libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libxkbcommon-x11.so.0"
         " libfontconfig.so.1 libdbus-1.so.3 libglib-2.0.so.0 libxcb-cursor.so.0 libxcb-icccm.so.4"
         " libxcb-keysyms.so.1 libxcb-shape.so.0'")
    tool(bin_dir, "apt-get", log)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    return repo, bin_dir, log, env


def bootstrap(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "build/bootstrap.sh", "runtime"], cwd=repo, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=60)


def calls(log: Path) -> list[str]:
    lines = log.read_text(encoding="utf-8").splitlines()
    log.write_text("", encoding="utf-8")
    return lines


def test_after_a_complete_set_up_nothing_is_checked_until_the_requirements_change(checkout):
    repo, _bin, log, env = checkout
    first = bootstrap(repo, env)
    assert first.returncode == 0, first.stderr
    made = calls(log)
    assert any(c.startswith("python -m pip install") for c in made) and any(c.startswith("ldconfig") for c in made)
    again = bootstrap(repo, env)
    assert again.returncode == 0 and again.stderr == ""
    assert calls(log) == []  # no apt, no pip, no fc-list, no ldconfig
    with (repo / "requirements.txt").open("a", encoding="utf-8") as fh:
        fh.write("# a new pin\n")
    assert bootstrap(repo, env).returncode == 0
    assert any(c.startswith("python -m pip install") for c in calls(log))


def test_a_held_apt_lock_is_waited_for_then_explained_in_chinese(checkout):
    repo, bin_dir, log, env = checkout
    if (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")).exists():
        tool(bin_dir, "ldconfig", log, "true")  # then the Qt libraries are what is missing
    else:
        tool(bin_dir, "fc-list", log, "true")
    tool(bin_dir, "apt-get", log, 'case "$*" in *install*) echo "E: Could not get lock /var/lib/dpkg/lock-frontend.'
         ' It is held by process 4242 (unattended-upgr)" >&2; exit 100;; esac')
    if os.geteuid() != 0:
        tool(bin_dir, "sudo", log, 'shift; exec "$@"')  # "sudo -n CMD": allowed without a password
    done = bootstrap(repo, env)
    assert done.returncode == 0  # the program still starts; what it lacks has been said
    installs = [c for c in calls(log) if "install" in c and c.startswith("apt-get")]
    assert installs and "DPkg::Lock::Timeout=300" in installs[0]
    assert "另一个安装程序" in done.stderr and "apt-get install" in done.stderr
    assert "Could not get lock" not in done.stderr  # apt's own English stays out
    assert not (repo / ".venv" / ".bootstrap-runtime").exists()  # looked for again next time
