"""From the district's document to a unit that worked through 2023, through the CLI.

The district office imports next year's .docx, shows it, splits task 12's target among the
street offices, publishes one package; a unit with 2023 entries, communities and a submitted
November installs it, switches year and still exports December 2023. Damaged and tampered
packages are refused with a reason.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from main import main
from models.catalog.packages import PackageError, content_hash, read_package
from models.catalog.tasklists import available_years, tasklist_for_year
from tests.tasklist_fixtures import changed_rows, write_docx

STREETS = ["南大街街道", "荷花池街道", "新闸街道", "五星街道", "永红街道", "北港街道", "西林街道"]


def run(capsys, data_dir, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, data_dir, *args: str) -> str:
    code, out, err = run(capsys, data_dir, *args)
    assert code == 0, err
    return out


def init(capsys, data_dir, unit: str, *extra: str) -> None:
    ok(capsys, data_dir, "init", "--unit", unit, "--operator", "张三", "--phone", "0519-88000000", "--reviewer", "李四",
       *extra)


@pytest.fixture
def package(capsys, tmp_path) -> Path:
    """The district's 2024 package, task 12's 120 split among the seven street offices."""
    district = tmp_path / "district"
    source = write_docx(tmp_path / "钟楼区2024年生活垃圾分类工作任务清单.docx", changed_rows(2024), year=2024)
    init(capsys, district, "区垃分办")
    out = ok(capsys, district, "tasklist", "import", str(source), "--year", "2024")
    assert "任务 34 项" in out
    shown = json.loads(ok(capsys, district, "tasklist", "show", "--year", "2024", "--json"))
    assert len(shown) == 34
    t12 = next(t for t in shown if t["seq"] == 12)
    ind = t12["indicators"][0]
    assert (ind["district_target"], ind["target_setting"], ind["period"]) == (120, "standard_quota", "deadline")
    assert {"seq", "category", "target_text", "responsible", "deadline", "applies_to", "fields", "entry_types"} <= set(t12)
    assert t12["deadline"] == "2024-09-30"
    # the shares must add up to the district's figure
    code, _, err = run(capsys, district, "tasklist", "quota", "--year", "2024", "--task", "12", "南大街街道=20")
    assert code == 0
    code, _, err = run(capsys, district, "tasklist", "publish", "--year", "2024", "--out", str(tmp_path / "out"))
    assert code != 0 and "合计 20" in err and "120" in err
    shares = [f"{s}={n}" for s, n in zip(STREETS, [20, 18, 18, 16, 16, 16, 16])]
    ok(capsys, district, "tasklist", "quota", "--year", "2024", "--task", "12", *shares)
    out = ok(capsys, district, "tasklist", "publish", "--year", "2024", "--out", str(tmp_path / "out"))
    path = Path(out.strip())
    assert path.name == "钟楼区2024年任务清单.zip" and path.exists()
    return path


def _unit_with_2023(capsys, unit_dir: Path) -> None:
    init(capsys, unit_dir, "南大街街道", "--households", "12000", "--quota", "15")
    ok(capsys, unit_dir, "entry", "add", "--task", "6", "--date", "2023-12-12", "--type", "入户宣传",
       "--title", "十二月入户宣传", "--measure", "households_reached=3200")
    ok(capsys, unit_dir, "entry", "add", "--task", "6", "--date", "2023-11-10", "--type", "入户宣传",
       "--title", "十一月入户宣传", "--measure", "households_reached=100")
    ok(capsys, unit_dir, "community", "add", "青果巷小区", "--households", "860")
    ok(capsys, unit_dir, "community", "evaluate", "青果巷小区", "--date", "2023-06-02", "--total", "96.5")
    ok(capsys, unit_dir, "submit", "--month", "2023-11")


def test_next_year_end_to_end(capsys, tmp_path, package):
    unit_dir = tmp_path / "unit"
    _unit_with_2023(capsys, unit_dir)
    code, _, err = run(capsys, unit_dir, "year", "2024")
    assert code != 0 and "尚未导入2024年任务清单" in err
    code, _, err = run(capsys, unit_dir, "tasklist", "import", str(package), "--year", "2024")
    assert code != 0 and "区垃分办" in err  # a unit installs, it does not import

    out = ok(capsys, unit_dir, "tasklist", "install", str(package))
    assert "2024年" in out
    assert (unit_dir / "tasklists" / "2024.json").exists()
    assert available_years(data_dir=unit_dir) == [2023, 2024]
    assert ok(capsys, unit_dir, "settings", "--json").count('"year": 2023')  # installing does not switch

    ok(capsys, unit_dir, "year", "2024", "--households", "12500")
    profile = json.loads(ok(capsys, unit_dir, "settings", "--json"))
    assert (profile["year"], profile["households"], profile["standard_quota"]) == (2024, 12500, 20)  # quota from the package
    tasks = json.loads(ok(capsys, unit_dir, "tasks", "--json"))
    assert 34 in [t["seq"] for t in tasks] and next(t for t in tasks if t["seq"] == 12)["deadline"] == "2024-09-30"

    # 2023's history is all there and December 2023 is still reported, by 2023's list and settings
    entries = json.loads(ok(capsys, unit_dir, "entry", "list", "--month", "2023-12", "--json"))
    assert [e["title"] for e in entries] == ["十二月入户宣传"]
    status = {r["code"]: r for r in json.loads(ok(capsys, unit_dir, "status", "--month", "2023-12", "--json"))}
    # the fourth quarter over 2023's households (12000), not 2024's (12500)
    assert float(str(status["T6_DOOR_TO_DOOR"]["value"]).rstrip("%")) == pytest.approx(3300 / 12000 * 100, abs=0.06)
    out = ok(capsys, unit_dir, "report", "monthly", "--month", "2023-12", "--out", str(tmp_path / "rep"))
    xlsx = Path(out.split()[0])
    assert "2023年12月" in xlsx.name
    sheet = load_workbook(xlsx).active
    assert any("十二月入户宣传" in str(c.value) for row in sheet.iter_rows() for c in row if c.value) or \
        any("十二月入户宣传" in str(c.value) for ws in load_workbook(xlsx).worksheets for row in ws.iter_rows() for c in row if c.value)
    communities = json.loads(ok(capsys, unit_dir, "community", "list", "--json"))
    assert [c["name"] for c in communities] == ["青果巷小区"]
    # already 达标 in 2023: not new in 2024
    status24 = {r["code"]: r for r in json.loads(ok(capsys, unit_dir, "status", "--month", "2024-09", "--json"))}
    new_standard = next(r for c, r in status24.items() if c.startswith("T12_"))
    assert new_standard["value"] in ("0", "0个", 0) or str(new_standard["value"]).startswith("0")

    # back to 2023 and forth again: each year keeps its own figures
    ok(capsys, unit_dir, "year", "2023")
    profile = json.loads(ok(capsys, unit_dir, "settings", "--json"))
    assert (profile["year"], profile["households"], profile["standard_quota"]) == (2023, 12000, 15)
    code, _, err = run(capsys, unit_dir, "entry", "add", "--task", "6", "--date", "2023-11-20", "--type", "入户宣传",
                       "--title", "补录", "--measure", "households_reached=1")
    assert code != 0 and "锁定" in err  # November 2023 stays submitted and locked
    ok(capsys, unit_dir, "year", "2024")
    profile = json.loads(ok(capsys, unit_dir, "settings", "--json"))
    assert (profile["households"], profile["standard_quota"]) == (12500, 20)


def _rezip(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


def test_tampered_and_damaged_packages_are_refused(capsys, tmp_path, package):
    unit_dir = tmp_path / "unit"
    init(capsys, unit_dir, "南大街街道", "--households", "12000", "--quota", "15")

    def lower_target(name, data):
        return data.replace("新增达标小区120个".encode(), "新增达标小区12个".encode()) if name == "tasklist.json" else data

    tampered = _rezip(package, tmp_path / "tampered.zip", lower_target)
    code, _, err = run(capsys, unit_dir, "tasklist", "install", str(tampered))
    assert code != 0 and "tasklist.json" in err and "哈希不符" in err

    # rewriting the member's hash in the manifest as well still breaks the content hash
    def forge(name, data):
        if name == "tasklist.json":
            return lower_target(name, data)
        if name == "manifest.json":
            manifest = json.loads(data)
            import hashlib
            with zipfile.ZipFile(package) as zf:
                manifest["files"]["tasklist.json"] = hashlib.sha256(lower_target("tasklist.json", zf.read("tasklist.json"))).hexdigest()
            return json.dumps(manifest, ensure_ascii=False).encode()
        return data

    code, _, err = run(capsys, unit_dir, "tasklist", "install", str(_rezip(package, tmp_path / "forged.zip", forge)))
    assert code != 0 and "内容哈希不符" in err

    missing = _rezip(package, tmp_path / "missing.zip", lambda n, d: None if n == "quotas.json" else d)
    code, _, err = run(capsys, unit_dir, "tasklist", "install", str(missing))
    assert code != 0 and "quotas.json" in err

    cut = tmp_path / "cut.zip"
    cut.write_bytes(package.read_bytes()[: package.stat().st_size // 2])
    code, _, err = run(capsys, unit_dir, "tasklist", "install", str(cut))
    assert code != 0 and ("损坏" in err or "不是任务清单" in err)

    code, _, err = run(capsys, unit_dir, "tasklist", "install", str(tmp_path / "nothing.zip"))
    assert code != 0 and "无法读取" in err
    assert not (unit_dir / "tasklists" / "2024.json").exists()
    assert available_years(data_dir=unit_dir) == [2023]


def test_a_signed_package_is_unwrapped_and_still_hash_checked(tmp_path, package):
    """The exchange issue's signature wraps the zip unchanged; install takes the unwrapping half."""
    magic = b"SIGNED\n"
    signed = tmp_path / "signed.zip"
    signed.write_bytes(magic + package.read_bytes())
    seen = []

    def unwrap(data: bytes) -> bytes:
        seen.append(data[:7])
        if not data.startswith(magic):
            raise PackageError("签名无效：文件在签名后被改动过")
        return data[len(magic):]

    assert read_package(signed, unwrap=unwrap).signed and seen == [magic]
    assert not read_package(package, unwrap=unwrap).signed  # unsigned: hashes only
    forged = tmp_path / "forged.zip"
    forged.write_bytes(b"FORGED\n" + package.read_bytes())
    with pytest.raises(PackageError, match="签名无效"):
        read_package(forged, unwrap=unwrap)
    with pytest.raises(PackageError, match="不是任务清单文件|损坏"):
        read_package(signed)  # a signed file where no key check is wired is not taken as a zip


def test_installed_list_is_found_beside_the_bundled_ones(capsys, tmp_path, package):
    unit_dir = tmp_path / "unit"
    init(capsys, unit_dir, "南大街街道")
    ok(capsys, unit_dir, "tasklist", "install", str(package))
    tl = tasklist_for_year(2024, data_dir=unit_dir)
    assert tl.year == 2024 and len(tl.tasks) == 34 and tl.scoresheet.pass_score == 95
    assert tasklist_for_year(2023, data_dir=unit_dir).path.parent.name == "tasklists"  # bundled default
    manifest = json.loads((unit_dir / "tasklists" / "2024.manifest.json").read_text(encoding="utf-8"))
    assert manifest["content_hash"] == content_hash(manifest["files"])
    shown = json.loads(ok(capsys, unit_dir, "tasklist", "show", "--year", "2024", "--json"))
    assert len(shown) == 34 and "phrase" not in json.dumps(shown[0]["indicators"][:0])


def test_clerk_edits_the_draft_from_the_command_line(capsys, tmp_path):
    district = tmp_path / "district"
    source = write_docx(tmp_path / "2024.docx", changed_rows(2024), year=2024)
    init(capsys, district, "区垃分办")
    ok(capsys, district, "tasklist", "import", str(source), "--year", "2024")
    code, _, err = run(capsys, district, "tasklist", "edit", "--year", "2024", "--task", "4", "--units", "区总工会,团委,区城建局")
    assert code != 0 and "区城建局" in err  # unknown: refused, nothing saved
    ok(capsys, district, "tasklist", "edit", "--year", "2024", "--task", "4", "--units", "总工会,团区委,区妇联",
       "--deadline", "2024-10-31")
    code, _, err = run(capsys, district, "tasklist", "edit", "--year", "2024", "--task", "34", "--target", "T34_RATE3=abc")
    assert code != 0 and "不是数字" in err
    ok(capsys, district, "tasklist", "edit", "--year", "2024", "--task", "34", "--target", "T34_RATE3=95")
    shown = {t["seq"]: t for t in json.loads(ok(capsys, district, "tasklist", "show", "--year", "2024", "--json"))}
    assert shown[4]["applies_to"]["units"] == ["区总工会", "团区委", "区妇联"] and shown[4]["deadline"] == "2024-10-31"
    assert next(i for i in shown[34]["indicators"] if i["code"] == "T34_RATE3")["target"] == 95


def test_an_older_package_does_not_replace_a_newer_one(capsys, tmp_path, package):
    unit_dir = tmp_path / "unit"
    init(capsys, unit_dir, "南大街街道")
    ok(capsys, unit_dir, "tasklist", "install", str(package))
    manifest = unit_dir / "tasklists" / "2024.manifest.json"
    newer = json.loads(manifest.read_text(encoding="utf-8"))
    newer["published_at"] = "2099-01-01T00:00:00"
    manifest.write_text(json.dumps(newer), encoding="utf-8")
    code, _, err = run(capsys, unit_dir, "tasklist", "install", str(package))
    assert code != 0 and "旧" in err
