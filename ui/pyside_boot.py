"""Loading PySide6 at start-up without the two costs it adds to every start.

1. **Compiling its own support code.** Shiboken carries the Python source of its signature
   support (``shibokensupport``: 13 modules) as a zip inside ``libshiboken`` and compiles it
   at every import (``exec_module`` in its bootstrap calls ``compile``): ~113 M instructions,
   about a sixth of a bare PySide6 window's start. ``import_pyside`` compiles it once and keeps
   the code objects in the user cache folder, as Python keeps ``__pycache__`` for files,
   keyed by each module's source (length and two checksums) and Python's bytecode version;
   the file carries its own checksum, so a damaged or stale one is compiled again and
   rewritten. Nothing else is compiled through it: it stands in for ``compile`` only while
   ``import PySide6`` runs and only for names under ``shibokensupport/``.
2. **Reading our sources.** PySide (6.11) reads the whole source of every module an import
   statement names once it is loaded (``inspect.getsource``, kept in ``linecache``:
   ``typing``, ``enum``, ``logging``…), to learn whether the module uses PySide and so might
   select its ``__feature__`` options (snake_case, true_property). This program selects none,
   so the answer changes nothing but speed: "uses PySide, no features" (0) is what PySide
   records for our Qt modules anyway, and lets its attribute lookups take their cached path
   ("ignore", -1, made every Qt call from such a module ~10% slower). The reading cost ~12 ms
   and ~2 MB at each start.
"""

from __future__ import annotations

import __future__
import builtins
import marshal
import os
import sys
import time
import zlib
from importlib._bootstrap_external import MAGIC_NUMBER  # type: ignore[attr-defined]  # frozen: already loaded
from pathlib import Path
from typing import Any

SUPPORT_PREFIX = "shibokensupport/"  # the file names shiboken's bootstrap compiles under
_CODE = type(compile("", "", "exec"))
_HEADER = 8  # crc32 and length of the marshalled table, 4 bytes each
_FUTURE_FLAGS = 0  # the compiler flags of every __future__ import: what compile inherits from its caller
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag
STALE_PART_SECONDS = 60  # a part file this old was left by a program killed while saving


def cache_file(folder: Path) -> Path:
    """Where the compiled support code is kept: one file per Python bytecode version and
    optimisation level (``-O`` drops asserts, ``-OO`` docstrings: a run from source with
    ``PYTHONOPTIMIZE`` shares the cache folder with the installed program)."""
    return folder / (f"shibokensupport-{sys.implementation.cache_tag}-{MAGIC_NUMBER.hex()}"
                     f"-opt{sys.flags.optimize}.bin")


class CompiledOnce:
    """``compile`` for shiboken's support modules, answered from (and saved to) ``path``."""

    def __init__(self, path: Path, real_compile: Any = compile):
        self.path = path
        self.real_compile = real_compile
        self.table: dict[str, tuple[tuple[int, int, int, int], Any]] = self._read()  # name: (key, code)
        self.changed = False

    def _read(self) -> dict:
        try:
            data = self.path.read_bytes()
        except OSError:
            return {}
        body = data[_HEADER:]
        if (len(data) < _HEADER or int.from_bytes(data[:4], "little") != zlib.crc32(body)
                or int.from_bytes(data[4:8], "little") != len(body)):
            return {}  # damaged or cut short: compiled again
        try:
            table = marshal.loads(body)
        except (ValueError, EOFError, TypeError):
            return {}
        return table if isinstance(table, dict) else {}

    def compile(self, source: Any, filename: Any, mode: str, flags: int = 0, dont_inherit: bool = False,
                optimize: int = -1, **kwargs: Any) -> Any:
        if not dont_inherit:  # the __future__ imports of the caller, as compile itself would take them
            flags |= sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS
        if (mode != "exec" or flags & ~_FUTURE_FLAGS or optimize != -1 or kwargs or type(filename) is not str
                or not filename.startswith(SUPPORT_PREFIX) or type(source) is not bytes):
            return self.real_compile(source, filename, mode, flags, True, optimize, **kwargs)
        key = (len(source), zlib.crc32(source), zlib.adler32(source), flags)
        kept = self.table.get(filename)
        if type(kept) is tuple and len(kept) == 2 and kept[0] == key and type(kept[1]) is _CODE:
            return kept[1]
        code = self.real_compile(source, filename, mode, flags, True)
        self.table[filename] = (key, code)
        self.changed = True
        return code

    def save(self) -> bool:
        """Write the table when something was compiled; False (and nothing left behind) when
        the folder cannot be written: the next start compiles again, as PySide does."""
        if not self.changed:
            return False
        body = marshal.dumps(self.table)
        part = self.path.with_name(f"{self.path.name}.{os.getpid()}.part")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._remove_stale_parts()
            part.write_bytes(zlib.crc32(body).to_bytes(4, "little") + len(body).to_bytes(4, "little") + body)
            os.replace(part, self.path)
        except OSError:  # a read-only or full folder
            try:
                part.unlink(missing_ok=True)
            except OSError:
                pass
            return False
        self.changed = False
        return True

    def _remove_stale_parts(self) -> None:
        """Part files of programs killed while saving (another one saving now is left alone)."""
        for stale in self.path.parent.glob(f"{self.path.name}.*.part"):
            try:
                if time.time() - stale.stat().st_mtime > STALE_PART_SECONDS:
                    stale.unlink()
            except OSError:
                pass


def import_pyside(cache_folder: Path | None) -> None:
    """``import PySide6`` with shiboken's support code compiled once per user (no folder:
    compiled as PySide does), then PySide's source scan answered without reading. Imported
    once: a later import statement would already go through PySide's hook (and its scan)."""
    if "PySide6" not in sys.modules:
        once = CompiledOnce(cache_file(cache_folder), builtins.compile) if cache_folder is not None else None
        if once is not None:
            builtins.compile = once.compile
        try:
            import PySide6  # noqa: F401 - shiboken, its signature support and PySide's import hook
        finally:
            if once is not None and builtins.compile == once.compile:  # not if someone else replaced it since
                builtins.compile = once.real_compile
        if once is not None:
            once.save()
    _no_source_scan()


def _no_source_scan() -> None:
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = _uses_pyside_without_features


def _uses_pyside_without_features(module: object) -> bool:
    return True
