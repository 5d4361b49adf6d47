"""A new year's task list from the district's document to every unit's data folder.

Three steps, each a file in a data folder:

1. **Draft** (district office, ``models/catalog/drafts.py``): the document read and proposed,
   kept in ``<data>/tasklist_drafts/<year>.json`` for the clerk to confirm.
2. **Package** (district office): ``publish`` writes one zip for email or USB:
   ``manifest.json`` (year, title, the SHA-256 of every other member and a content hash over
   them), ``tasklist.json``, ``units.json``, ``scoresheet.json``, ``quotas.json``. Signing
   wraps the finished zip, unchanged, in the exchange package (``models/exchange``:
   ``sign_package(db, zip_bytes, kind="tasklist")``): ``publish(wrap=...)`` and
   ``install_package(unwrap=...)`` take the two halves (``models/exchange/tasklists.py``), so
   the zip and its hashes stay as they are.
3. **Install** (each unit): ``install_package`` checks the package and keeps the list in
   ``<data>/tasklists/<year>.json`` (+ ``.units.json``, ``.quotas.json``,
   ``.manifest.json``) and its score sheet in ``<data>/scoresheets/`` — where
   ``tasklist_for_year`` looks before the bundled lists. No admin rights are needed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from models.catalog.drafts import DraftError, draft_path, load_draft, quota_problems
from models.catalog.phrase_rules import FLAG_NO_TARGET
from models.catalog.locations import INSTALLED_DIR, available_years, tasklist_path
from models.catalog.schema import TaskList
from models.catalog.tasklists import load_tasklist, tasklist_for_year
from models.catalog.units import load_units
from models.core.errors import AppError, DataFileError
from models.core.fileio import fsync_dir, fsync_file, replace_with_retry
from models.core.paths import resource_path

PACKAGE_KIND = "zhonglou-tasklist"
PACKAGE_FORMAT = 1
MEMBERS = ("tasklist.json", "units.json", "scoresheet.json", "quotas.json")
_DRAFT_ONLY_TASK_KEYS = ("flags", "source_line", "carried_from")
_DRAFT_ONLY_INDICATOR_KEYS = ("rule", "status")


class PackageError(AppError):
    """A task list package that is damaged, tampered with or not a package at all."""


# ---------------------------------------------------------------- files

def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def content_hash(member_hashes: dict[str, str]) -> str:
    """One hash over the members: their names and SHA-256s, in name order."""
    text = "\n".join(f"{name}:{member_hashes[name]}" for name in sorted(member_hashes))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_list(draft: dict[str, Any], *, scoresheet_name: str) -> tuple[dict[str, Any], list[str]]:
    """The publishable task list of a draft, and what was left out of it."""
    left_out: list[str] = []
    tasks = []
    for raw in draft["tasks"]:
        task = {k: v for k, v in raw.items() if k not in _DRAFT_ONLY_TASK_KEYS}
        indicators = []
        for ind in raw["indicators"]:
            if ind.get("status") == "needs_target" and ind.get("target") is None:
                left_out.append(f"任务{raw['seq']}“{ind['name']}”未填写目标值，未列入")
                continue
            indicators.append({k: v for k, v in ind.items() if k not in _DRAFT_ONLY_INDICATOR_KEYS})
        task["indicators"] = indicators
        tasks.append(task)
    doc = {"format": 1, "year": draft["year"], "title": draft["title"], "source": draft.get("source", ""),
           "scoresheet": scoresheet_name, "notes": draft.get("notes", []), "tasks": tasks}
    return doc, left_out


def _base_scoresheet(year: int) -> dict[str, Any]:
    """The score sheet a new list starts from: the latest earlier (bundled) list's."""
    years = [y for y in available_years() if y <= year] or available_years()
    if not years:
        raise DataFileError("没有可用的达标小区评分表")
    base = tasklist_for_year(years[-1])
    sheet_file = base.path.parent.parent / "scoresheets" / json.loads(base.path.read_text(encoding="utf-8"))["scoresheet"]
    return json.loads(sheet_file.read_text(encoding="utf-8"))


def _check_list(members: dict[str, bytes], year: int) -> TaskList:
    """Load the list exactly as an installed unit will, from a scratch folder."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        units_path = root / "units.json"
        units_path.write_bytes(members["units.json"])
        doc = json.loads(members["tasklist.json"])
        (root / "scoresheets").mkdir()
        (root / "scoresheets" / doc["scoresheet"]).write_bytes(members["scoresheet.json"])
        (root / "tasklists").mkdir()
        list_path = root / "tasklists" / f"{year}.json"
        list_path.write_bytes(members["tasklist.json"])
        return load_tasklist(list_path, load_units(units_path))


def package_members(draft: dict[str, Any], units_path: Path | None = None) -> tuple[dict[str, bytes], list[str]]:
    """The package's files from a draft, checked; (members, warnings). Raises DraftError."""
    year = int(draft["year"])
    units_path = units_path or resource_path("units.json")
    units = load_units(units_path)
    sheet = _base_scoresheet(year)
    sheet["year"] = year
    if draft.get("pass_score"):
        sheet["pass_score"] = draft["pass_score"]
    scoresheet_name = f"{year}_community.json"
    doc, warnings = build_list(draft, scoresheet_name=scoresheet_name)
    blocking, quota_warnings = quota_problems(draft, units)
    warnings += quota_warnings
    for task in draft["tasks"]:
        warnings += [f"任务{task['seq']}：{f['message']}" for f in task.get("flags", [])
                     if f["kind"] not in (FLAG_NO_TARGET,) and f["kind"] != "no_indicator"]
    members = {
        "tasklist.json": _canonical(doc),
        "units.json": units_path.read_bytes(),
        "scoresheet.json": _canonical(sheet),
        "quotas.json": _canonical(draft.get("quotas") or {}),
    }
    try:
        _check_list(members, year)
    except DataFileError as exc:
        blocking.append(str(exc).replace(f"数据文件 {year}.json 有误：", ""))
    if blocking:
        raise DraftError(blocking)
    return members, warnings


def package_name(year: int) -> str:
    return f"钟楼区{year}年任务清单.zip"


def publish(data_dir: Path, year: int, out_dir: Path, *, publisher: str = "区垃分办",
            wrap: Callable[[bytes], bytes] | None = None) -> tuple[Path, list[str]]:
    """Write the year's package into ``out_dir`` and install it here too; (path, warnings). Raises DraftError."""
    draft = load_draft(data_dir, year)
    if draft is None:
        raise AppError(f"没有 {year} 年的清单草稿，请先用 tasklist import 导入区里的清单文件")
    members, warnings = package_members(draft)
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    manifest = {
        "kind": PACKAGE_KIND, "format": PACKAGE_FORMAT, "year": year, "title": draft["title"],
        "publisher": publisher, "published_at": dt.datetime.now().isoformat(timespec="seconds"),
        "files": hashes, "content_hash": content_hash(hashes),
    }
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / package_name(year)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", _canonical(manifest))
        for name, data in members.items():
            zf.writestr(name, data)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(wrap(buffer.getvalue()) if wrap is not None else buffer.getvalue())
    fsync_file(tmp)
    replace_with_retry(tmp, path)
    # The district office consolidates the units' reports of that year by the same list.
    plain = path.with_name(path.name + ".plain")
    plain.write_bytes(buffer.getvalue())
    try:
        install_package(data_dir, plain)
    finally:
        plain.unlink()
    return path, warnings


# ---------------------------------------------------------------- install

@dataclass(frozen=True)
class Package:
    year: int
    title: str
    manifest: dict[str, Any]
    manifest_bytes: bytes
    members: dict[str, bytes]
    signed: bool = False  # it came wrapped in a signature that ``unwrap`` accepted

    @property
    def quotas(self) -> dict[str, dict[str, int]]:
        return json.loads(self.members["quotas.json"])


# Unwrap a signed package: the zip inside, or an AppError with the reason (bad signature, unknown key).
Unwrap = Callable[[bytes], bytes]


def is_package(path: Path) -> bool:
    """Whether a dropped file looks like a task list package (before verifying it)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return json.loads(zf.read("manifest.json")).get("kind") == PACKAGE_KIND
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return False


def read_package(path: Path, *, unwrap: Unwrap | None = None, require_signed: bool = False) -> Package:
    """Open and verify a package; a damaged or altered one raises PackageError with the reason.

    ``require_signed``: a plain zip (no signature to unwrap) is refused — a unit installing
    what reached it by email or USB takes only what the district signed.
    """
    path = Path(path)
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PackageError(f"无法读取任务清单文件 {name}：{exc.strerror or exc}") from None
    signed = False
    if not data.startswith(b"PK") and unwrap is not None:  # a signed package: the zip inside
        data = unwrap(data)
        signed = True
    if require_signed and not signed:
        raise PackageError(f"{name} 没有区垃分办的签名（可能已被解压改动后重新打包），已拒绝导入。请向区垃分办重新索取")
    if not data.startswith(b"PK\x03\x04"):  # nothing before the zip: no smuggled bytes
        raise PackageError(f"{name} 不是任务清单文件，或文件已损坏")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        bad = zf.testzip()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise PackageError(f"{name} 不是任务清单文件，或文件已损坏（无法解压）") from None
    except Exception:  # zlib/CRC errors surface as several types
        raise PackageError(f"{name} 已损坏（压缩数据校验失败），请向区垃分办重新索取") from None
    if bad is not None:
        raise PackageError(f"{name} 已损坏（{bad} 校验失败），请向区垃分办重新索取")
    names = set(zf.namelist())
    if "manifest.json" not in names:
        raise PackageError(f"{name} 不是任务清单文件（缺少 manifest.json）")
    manifest_bytes = zf.read("manifest.json")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        raise PackageError(f"{name} 的清单说明（manifest.json）已损坏") from None
    if manifest.get("kind") != PACKAGE_KIND:
        raise PackageError(f"{name} 不是任务清单文件")
    if manifest.get("format") != PACKAGE_FORMAT:
        raise PackageError(f"{name} 的格式版本 {manifest.get('format')} 本程序不支持，请升级程序")
    hashes = manifest.get("files") or {}
    missing = [m for m in MEMBERS if m not in names or m not in hashes]
    if missing:
        raise PackageError(f"{name} 不完整：缺少 {'、'.join(missing)}")
    extra = names - set(MEMBERS) - {"manifest.json"}
    if extra:
        raise PackageError(f"{name} 含有不属于任务清单的文件：{'、'.join(sorted(extra))}")
    members = {m: zf.read(m) for m in MEMBERS}
    for member, blob in members.items():
        if hashlib.sha256(blob).hexdigest() != hashes[member]:
            raise PackageError(f"{name} 中的 {member} 与发布时不一致（内容哈希不符），文件可能被修改，已拒绝导入")
    if content_hash({m: hashes[m] for m in MEMBERS}) != manifest.get("content_hash"):
        raise PackageError(f"{name} 的内容哈希不符，文件可能被修改，已拒绝导入")
    year = manifest.get("year")
    if not isinstance(year, int):
        raise PackageError(f"{name} 的年度不正确")
    try:
        tasklist = json.loads(members["tasklist.json"])
        json.loads(members["quotas.json"])
    except ValueError:
        raise PackageError(f"{name} 中的任务清单不是有效的 JSON") from None
    if tasklist.get("year") != year:
        raise PackageError(f"{name} 的年度（{year}）与其中的任务清单（{tasklist.get('year')}）不一致")
    try:
        _check_list(members, year)
    except DataFileError as exc:
        raise PackageError(f"{name} 中的任务清单有误：{exc}") from None
    return Package(year=year, title=manifest.get("title", ""), manifest=manifest, manifest_bytes=manifest_bytes,
                   members=members, signed=signed)


def install_package(data_dir: Path, path: Path, *, unwrap: Unwrap | None = None,
                    require_signed: bool = False) -> Package:
    """Verify the package and keep its list in the data folder (replacing that year's earlier one)."""
    package = read_package(path, unwrap=unwrap, require_signed=require_signed)
    installed = Path(data_dir) / INSTALLED_DIR / f"{package.year}.manifest.json"
    if installed.exists():  # a corrected list replaces the earlier one, never the other way round
        try:
            before = json.loads(installed.read_text(encoding="utf-8")).get("published_at", "")
        except (UnicodeDecodeError, ValueError):
            before = ""
        if before > package.manifest.get("published_at", ""):
            raise PackageError(f"{Path(path).name} 是 {package.manifest.get('published_at')} 发布的，"
                               f"比已导入的 {package.year} 年清单（{before} 发布）旧，未导入")
    try:
        _keep_installed(Path(data_dir), package)
    except OSError as exc:
        raise AppError(f"无法把任务清单保存到数据文件夹 {data_dir}：{exc.strerror or exc}") from exc
    return package


def _keep_installed(data_dir: Path, package: Package) -> None:
    year = package.year
    doc = json.loads(package.members["tasklist.json"])
    folder = data_dir / INSTALLED_DIR
    sheets = data_dir / "scoresheets"
    folder.mkdir(parents=True, exist_ok=True)
    sheets.mkdir(parents=True, exist_ok=True)
    # Companions first, the list last: the list's presence is what makes the year available.
    (sheets / doc["scoresheet"]).write_bytes(package.members["scoresheet.json"])
    (folder / f"{year}.units.json").write_bytes(package.members["units.json"])
    (folder / f"{year}.quotas.json").write_bytes(package.members["quotas.json"])
    (folder / f"{year}.manifest.json").write_bytes(package.manifest_bytes)
    for companion in (sheets / doc["scoresheet"], folder / f"{year}.units.json", folder / f"{year}.quotas.json"):
        fsync_file(companion)
    target = folder / f"{year}.json"
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(package.members["tasklist.json"])
    fsync_file(tmp)
    replace_with_retry(tmp, target)
    fsync_dir(folder)


def list_origin(data_dir: Path, year: int) -> str:
    """Where the year's list comes from: 已安装 (data folder), 内置 (bundled), 草稿 or 无."""
    path = tasklist_path(year, data_dir=data_dir)
    if path is not None:
        return "已安装" if Path(data_dir) / INSTALLED_DIR in path.parents else "内置"
    return "草稿" if draft_path(data_dir, year).exists() else "无"
