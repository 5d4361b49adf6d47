"""``consolidate`` and ``district status`` as the district office scripts them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from main import main
from models.store.settings import save_profile
from models.store.workspace import open_workspace
from test_consolidation import MONTH, make_unit_reports
from conftest import ROOT, make_profile


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_unit_reports(tmp_path_factory.mktemp("units"))


def _init(data_dir: Path, unit: str) -> Path:
    ws = open_workspace(data_dir)
    save_profile(ws.db, make_profile(unit))
    ws.close()
    return data_dir


def test_consolidate_imports_writes_summary_and_prints_each_unit(tmp_path, reports, capsys):
    data = _init(tmp_path / "district", "区垃分办")
    out = tmp_path / "汇总"
    code = main(["--data-dir", str(data), "consolidate", str(reports["nandajie"].parent), str(reports["hehuachi_v2"]),
                 "--month", MONTH, "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert f"汇总表：{out / '钟楼区垃圾分类月度汇总_2023年06月.xlsx'}" in printed
    assert f"汇总表：{out / '钟楼区垃圾分类月度汇总_2023年06月.pdf'}" in printed
    assert (out / "钟楼区垃圾分类月度汇总_2023年06月.pdf").stat().st_size > 0
    lines = printed.splitlines()
    start = next(n for n, line in enumerate(lines) if line.endswith("报送情况："))
    states = dict(line.split(" ", 1) for line in lines[start + 1:])
    assert len(states) == 30
    assert states["南大街街道"].startswith("已报送")
    assert states["荷花池街道"] == "已报送（第2版）"
    assert states["新闸街道"] == "校验失败"
    assert states["邹区镇"].startswith("迟报")
    assert states["区城管局"] == "未报送"


def test_district_status_json(tmp_path, reports, capsys):
    data = _init(tmp_path / "district", "区垃分办")
    assert main(["--data-dir", str(data), "consolidate", str(reports["nandajie"]), "--month", MONTH]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(data), "district", "status", "--month", MONTH, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["month"] == MONTH and payload["grace_days"] == 5
    units = {u["unit"]: u for u in payload["units"]}
    assert units["南大街街道"]["state"] == "已报送" and units["荷花池街道"]["state"] == "未报送"
    totals = {t["code"]: t for t in payload["district_totals"]}
    assert totals["T12_NEW_STANDARD"]["total"] == 2 and totals["T12_NEW_STANDARD"]["target"] == 104


def test_a_unit_installation_is_told_consolidation_is_for_the_district_office(tmp_path, reports, capsys):
    data = _init(tmp_path / "unit", "南大街街道")
    code = main(["--data-dir", str(data), "consolidate", str(reports["nandajie"]), "--month", MONTH])
    assert code == 2
    assert "区垃分办" in capsys.readouterr().err


def test_bad_month_is_refused(tmp_path, capsys):
    data = _init(tmp_path / "district", "区垃分办")
    assert main(["--data-dir", str(data), "district", "status", "--month", "2023-13"]) == 2
    assert "2023-13" in capsys.readouterr().err


def test_runs_as_a_script(tmp_path, reports):
    data = _init(tmp_path / "district", "区垃分办")
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data), "consolidate",
                           str(reports["zouqu"])], capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    assert "2023年6月报送情况：" in proc.stdout  # without --month: the month of the reports imported
    assert "邹区镇 迟报（第1版）" in proc.stdout
