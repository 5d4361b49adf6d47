"""The district's reporting units (resources/units.json): names, kinds and the spellings the
lists use (aliases)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from models.catalog.datafile import Checker, read_json
from models.catalog.schema import UNIT_KINDS, Unit
from models.core.errors import DataFileError
from models.core.paths import resource_path


def load_units(path: Path | None = None) -> tuple[Unit, ...]:
    """The units (read once per file version: every ``Workspace.unit`` asks for them)."""
    path = path or resource_path("units.json")
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise DataFileError(f"找不到数据文件：{path}") from None
    return _cached_units(str(path), mtime)


@lru_cache(maxsize=4)
def _cached_units(path_text: str, mtime: float) -> tuple[Unit, ...]:
    path = Path(path_text)
    check = Checker(path)
    doc = read_json(path)
    units: list[Unit] = []
    seen: set[str] = set()
    for n, raw in enumerate(check.get(doc, "units", list, "文件"), start=1):
        where = f"第{n}个单位"
        name = check.get(raw, "name", str, where)
        kind = check.get(raw, "kind", str, f"单位 {name}")
        if kind not in UNIT_KINDS:
            raise check.fail(f"单位 {name}", f"字段 “kind” 应为 {'/'.join(UNIT_KINDS)} 之一")
        aliases = tuple(check.get(raw, "aliases", list, f"单位 {name}", optional=True) or ())
        for label in (name, *aliases):
            if label in seen:
                raise check.fail(f"单位 {name}", f"名称 “{label}” 重复")
            seen.add(label)
        units.append(Unit(name=name, kind=kind, aliases=aliases))
    return tuple(units)


def find_unit(name: str, units: tuple[Unit, ...] | None = None) -> Unit | None:
    """A unit by its name or one of its aliases."""
    for unit in units if units is not None else load_units():
        if name == unit.name or name in unit.aliases:
            return unit
    return None
