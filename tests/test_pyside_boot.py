"""PySide6 loaded with shiboken's support code compiled once per user (ui.pyside_boot).

Shiboken compiles the Python source of its signature support at every import; the program
keeps the compiled code in the user cache. What a user relies on: the second start compiles
nothing of it, PySide still works (signatures, enums), and a damaged, stale or unwritable
cache costs only the compiling, never the start.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from ui.pyside_boot import SUPPORT_PREFIX, CompiledOnce, cache_file

ROOT = Path(__file__).resolve().parents[1]
SOURCE = b"def answer():\n    return 42\n"
NAME = SUPPORT_PREFIX + "signature/example.py"


class RecordingCompile:
    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, source, filename, mode, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN204
        self.names.append(filename)
        return compile(source, filename, mode, *args, **kwargs)


def _run(code) -> dict:  # noqa: ANN001
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - the test's own source
    return namespace


def test_support_code_is_compiled_once_and_answered_from_the_file(tmp_path):
    path = cache_file(tmp_path)
    first = RecordingCompile()
    once = CompiledOnce(path, first)
    assert _run(once.compile(SOURCE, NAME, "exec"))["answer"]() == 42
    assert first.names == [NAME]
    assert once.save() and path.is_file()

    second = RecordingCompile()
    again = CompiledOnce(path, second)
    assert _run(again.compile(SOURCE, NAME, "exec"))["answer"]() == 42
    assert second.names == []  # from the file
    assert again.save() is False  # nothing new: the file is not rewritten


def test_changed_source_is_compiled_again(tmp_path):
    path = cache_file(tmp_path)
    once = CompiledOnce(path, RecordingCompile())
    once.compile(SOURCE, NAME, "exec")
    once.save()
    recording = RecordingCompile()
    later = CompiledOnce(path, recording)  # a PySide upgrade: same name, new source
    changed = SOURCE.replace(b"42", b"43")
    assert _run(later.compile(changed, NAME, "exec"))["answer"]() == 43
    assert recording.names == [NAME]
    assert later.save()
    assert _run(CompiledOnce(path, RecordingCompile()).compile(changed, NAME, "exec"))["answer"]() == 43


@pytest.mark.parametrize("call", [
    (SOURCE, "typing-forward-ref.py", "exec"),          # not shiboken's support code
    (SOURCE.decode(), NAME, "exec"),                     # text, not the bytes the bootstrap reads
    (b"1 + 1", NAME, "eval"),                            # another mode
])
def test_anything_else_is_compiled_as_ever(tmp_path, call):
    recording = RecordingCompile()
    once = CompiledOnce(cache_file(tmp_path), recording)
    once.compile(*call)
    once.compile(*call)
    assert recording.names == [call[1], call[1]]
    assert once.save() is False


def test_the_callers_future_imports_are_what_compile_sees(tmp_path):
    """compile takes the __future__ imports of the code that calls it: standing in for it
    must not put its own module's in their place (nor share code compiled under other ones)."""
    once = CompiledOnce(cache_file(tmp_path), compile)
    callers = {}
    for name, head in (("plain", ""), ("future", "from __future__ import annotations\n")):
        callers[name] = {}
        exec(compile(head + "def call(c, src, name):\n    return c(src, name, 'exec')\n", f"{name}.py", "exec",  # noqa: S102
                     dont_inherit=True), callers[name])
    source = b"def f(x: int):\n    pass\nresult = f.__annotations__\n"
    for name in (NAME, "elsewhere.py"):  # kept or passed through alike
        assert _run(callers["plain"]["call"](once.compile, source, name))["result"] == {"x": int}
        assert _run(callers["future"]["call"](once.compile, source, name))["result"] == {"x": "int"}
        assert _run(callers["plain"]["call"](once.compile, source, name))["result"] == {"x": int}


def test_each_optimisation_level_has_its_own_file(tmp_path):
    names = set()
    for flags in ([], ["-O"], ["-OO"]):
        done = subprocess.run([sys.executable, *flags, "-c", "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
                               " from ui.pyside_boot import cache_file; print(cache_file(Path('.')).name)", str(ROOT)],
                              capture_output=True, text=True, timeout=60, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
        assert done.returncode == 0, done.stderr
        names.add(done.stdout.strip())
    assert len(names) == 3


def test_part_files_left_by_a_killed_program_are_removed_and_a_fresh_one_is_not(tmp_path):
    path = cache_file(tmp_path)
    stale, fresh = path.with_name(path.name + ".111.part"), path.with_name(path.name + ".222.part")
    for part in (stale, fresh):
        part.write_bytes(b"half written")
    old = stale.stat().st_mtime - 3600
    os.utime(stale, (old, old))
    once = CompiledOnce(path, RecordingCompile())
    once.compile(SOURCE, NAME, "exec")
    assert once.save()
    assert not stale.exists() and fresh.exists()  # another program may be saving that one now


def _valid_file(tmp_path) -> Path:
    path = cache_file(tmp_path)
    once = CompiledOnce(path, RecordingCompile())
    once.compile(SOURCE, NAME, "exec")
    once.save()
    return path


@pytest.mark.parametrize("damage", ["garbage", "cut short", "flipped byte", "not a table", "empty"])
def test_a_damaged_file_is_compiled_again_and_rewritten(tmp_path, damage):
    path = _valid_file(tmp_path)
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif damage == "cut short":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flipped byte":
        path.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    elif damage == "not a table":
        import marshal

        body = marshal.dumps([1, 2, 3])
        path.write_bytes(zlib.crc32(body).to_bytes(4, "little") + len(body).to_bytes(4, "little") + body)
    else:
        path.write_bytes(b"")
    recording = RecordingCompile()
    once = CompiledOnce(path, recording)
    assert _run(once.compile(SOURCE, NAME, "exec"))["answer"]() == 42
    assert recording.names == [NAME]
    assert once.save()
    assert CompiledOnce(path, RecordingCompile()).table.keys() == {NAME}  # whole again


def test_a_folder_that_cannot_be_written_costs_only_the_compiling(tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be")
    once = CompiledOnce(cache_file(blocker / "inner"), RecordingCompile())
    assert _run(once.compile(SOURCE, NAME, "exec"))["answer"]() == 42
    assert once.save() is False
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


# What ``import ui`` compiles of shiboken's support code, in a fresh interpreter.
CHILD = """
import builtins, json, sys
sys.path.insert(0, {root!r})
names = []
real = builtins.compile
def recording(source, filename, mode, *args, **kwargs):
    names.append(str(filename))
    return real(source, filename, mode, *args, **kwargs)
builtins.compile = recording
import ui
from PySide6.QtCore import QObject, QEvent
from shibokensupport.signature import get_signature
support = [n for n in names if n.startswith({prefix!r})]
try:
    QObject().setObjectName(1, 2)  # the message comes from the support code's error handler
except TypeError as error:
    message = str(error)
print(json.dumps({{"compiled": support, "compile_restored": builtins.compile is recording,
                   "signature": str(get_signature(QObject.setObjectName)), "error": message,
                   "enum": QEvent.Type.Paint.name}}))
"""


def _child(cache: Path) -> dict:
    env = dict(os.environ, ZL_CACHE_DIR=str(cache), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), prefix=SUPPORT_PREFIX)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_second_start_compiles_none_of_shibokens_support_code(tmp_path):
    first = _child(tmp_path)
    assert len(first["compiled"]) >= 5  # the signature package, compiled this once
    assert cache_file(tmp_path).is_file()
    second = _child(tmp_path)
    assert second["compiled"] == []
    for run in (first, second):  # PySide works as ever, and compile is itself again
        assert run["compile_restored"]
        assert run["signature"] == "(self, name: str, /) -> None"
        assert "setObjectName" in run["error"]
        assert run["enum"] == "Paint"


def test_a_damaged_cache_file_still_starts(tmp_path):
    _child(tmp_path)
    path = cache_file(tmp_path)
    path.write_bytes(path.read_bytes()[:1000])
    run = _child(tmp_path)
    assert len(run["compiled"]) >= 5 and run["enum"] == "Paint"
    assert _child(tmp_path)["compiled"] == []  # rewritten whole
