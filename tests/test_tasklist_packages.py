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
    new_standard = next(r for c, r in status24.items() if c and c.startswith("T12_"))
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
    """The package unzipped, changed and zipped again (as someone editing it would): a plain zip."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


def _lower_target(name, data):
    return data.replace("新增达标小区120个".encode(), "新增达标小区12个".encode()) if name == "tasklist.json" else data


def _split(signed: bytes) -> tuple[bytes, bytes]:
    """(signature header, zip) of a signed package."""
    at = signed.index(b"PK\x03\x04")
    return signed[:at], signed[at:]


def test_tampered_and_damaged_packages_are_refused(capsys, tmp_path, package):
    unit_dir = tmp_path / "unit"
    init(capsys, unit_dir, "南大街街道", "--households", "12000", "--quota", "15")
    header, inner = _split(package.read_bytes())
    assert header.startswith(b"ZLSIGNED1")  # the district signed it

    # edited inside the signature: the signature no longer matches
    plain = tmp_path / "plain.zip"
    plain.write_bytes(inner)
    edited = _rezip(plain, tmp_path / "edited.zip", _lower_target)
    resigned = tmp_path / "resigned.zip"
    resigned.write_bytes(header + edited.read_bytes())
    code, _, err = run(capsys, unit_dir, "tasklist", "install", str(resigned))
    assert code != 0 and "改动" in err

    # unzipped, edited and zipped again: no signature any more
    code, _, err = run(capsys, unit_dir, "tasklist", "install", str(edited))
    assert code != 0 and "没有区垃分办的签名" in err

    # one flipped byte, a cut file, no file
    flipped = bytearray(package.read_bytes())
    flipped[len(header) + 200] ^= 0xFF
    bad = tmp_path / "flipped.zip"
    bad.write_bytes(bytes(flipped))
    code, _, err = run(capsys, unit_dir, "tasklist", "install", str(bad))
    assert code != 0 and "改动" in err
    cut = tmp_path / "cut.zip"
    cut.write_bytes(package.read_bytes()[: package.stat().st_size // 2])
    code, _, err = run(capsys, unit_dir, "tasklist", "install", str(cut))
    assert code != 0 and ("损坏" in err or "改动" in err)
    code, _, err = run(capsys, unit_dir, "tasklist", "install", str(tmp_path / "nothing.zip"))
    assert code != 0 and "无法读取" in err
    assert not (unit_dir / "tasklists" / "2024.json").exists()
    assert available_years(data_dir=unit_dir) == [2023]


def test_another_key_is_refused_once_the_districts_is_known(capsys, tmp_path, package):
    unit_dir = tmp_path / "unit"
    init(capsys, unit_dir, "南大街街道")
    ok(capsys, unit_dir, "tasklist", "install", str(package))  # learns the district's key
    impostor = tmp_path / "impostor"
    init(capsys, impostor, "区垃分办")
    source = write_docx(tmp_path / "fake.docx", changed_rows(2024), year=2024)
    ok(capsys, impostor, "tasklist", "import", str(source), "--year", "2024")
    fake = Path(ok(capsys, impostor, "tasklist", "publish", "--year", "2024", "--out", str(tmp_path / "fake")).strip())
    code, _, err = run(capsys, unit_dir, "tasklist", "install", str(fake))
    assert code != 0 and "密钥" in err


def test_the_zip_inside_is_checked_by_its_hashes(tmp_path, package):
    """Below the signature: every member against the manifest, the manifest against its content hash."""
    _, inner = _split(package.read_bytes())
    plain = tmp_path / "plain.zip"
    plain.write_bytes(inner)
    assert read_package(plain).year == 2024
    with pytest.raises(PackageError, match="tasklist.json.*哈希不符"):
        read_package(_rezip(plain, tmp_path / "t.zip", _lower_target))

    def forge(name, data):
        if name == "tasklist.json":
            return _lower_target(name, data)
        if name == "manifest.json":
            import hashlib
            manifest = json.loads(data)
            with zipfile.ZipFile(plain) as zf:
                changed = _lower_target("tasklist.json", zf.read("tasklist.json"))
            manifest["files"]["tasklist.json"] = hashlib.sha256(changed).hexdigest()
            return json.dumps(manifest, ensure_ascii=False).encode()
        return data

    with pytest.raises(PackageError, match="内容哈希不符"):
        read_package(_rezip(plain, tmp_path / "forged.zip", forge))
    with pytest.raises(PackageError, match="quotas.json"):
        read_package(_rezip(plain, tmp_path / "missing.zip", lambda n, d: None if n == "quotas.json" else d))
    with pytest.raises(PackageError, match="没有区垃分办的签名"):
        read_package(plain, require_signed=True)
    with pytest.raises(PackageError, match="不是任务清单文件"):
        read_package(package)  # signed, read where nothing unwraps it


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


def test_installed_list_moves_with_the_ledger_to_a_new_pc(capsys, tmp_path, package):
    """The archive carries the database; the installed list rides in its settings and comes back."""
    unit_dir = tmp_path / "unit"
    init(capsys, unit_dir, "南大街街道", "--households", "12000", "--quota", "15")
    ok(capsys, unit_dir, "tasklist", "install", str(package))
    ok(capsys, unit_dir, "year", "2024", "--households", "12500")
    ok(capsys, unit_dir, "archive", "export", str(tmp_path / "move.zip"))
    new_pc = tmp_path / "new-pc"
    ok(capsys, new_pc, "archive", "import", str(tmp_path / "move.zip"))
    assert not (new_pc / "tasklists" / "2024.json").exists()  # the archive holds the database only
    tasks = json.loads(ok(capsys, new_pc, "tasks", "--json"))
    assert 34 in [t["seq"] for t in tasks]  # back on first use
    assert (new_pc / "tasklists" / "2024.json").exists()
    profile = json.loads(ok(capsys, new_pc, "settings", "--json"))
    assert (profile["year"], profile["households"]) == (2024, 12500)


def test_init_says_when_this_years_list_is_missing(capsys, tmp_path, monkeypatch):
    import datetime as dt

    class Later(dt.date):
        @classmethod
        def today(cls):
            return cls(2026, 2, 10)

    monkeypatch.setattr("models.cli.setup_cmds.dt.date", Later)
    code, out, err = run(capsys, tmp_path / "u", "init", "--unit", "南大街街道", "--operator", "张三",
                         "--phone", "0519-88000000", "--reviewer", "李四")
    assert code == 0 and "尚未导入2026年任务清单，请向区垃分办索取" in err and "2023年任务清单" in out
