"""``report``, ``submit`` and ``unlock`` as a script would run them."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from conftest import make_profile
from test_reports_data import fill_june

from models.store.settings import save_profile
from models.store.workspace import open_workspace
from cli_helpers import Completed, run_cli

ROOT = Path(__file__).resolve().parent.parent


def cli(data_dir: Path, *args: str) -> Completed:
    return run_cli("--data-dir", data_dir, *args)


def prepared(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    ws = open_workspace(data)
    try:
        save_profile(ws.db, make_profile())
        fill_june(ws, tmp_path, photos=1)
    finally:
        ws.close()
    return data


def test_report_submit_unlock_states(tmp_path):
    data = prepared(tmp_path)
    out = tmp_path / "out"
    r = cli(data, "report", "monthly", "--month", "2023-06", "--out", str(out))
    assert r.returncode == 0, r.stderr
    paths = [Path(line) for line in r.stdout.splitlines()]
    assert [p.name for p in paths] == ["钟楼区垃圾分类月度台账_南大街街道_2023年06月.xlsx",
                                       "钟楼区垃圾分类月度台账_南大街街道_2023年06月.pdf"]
    assert all(p.is_file() for p in paths)
    assert openpyxl.load_workbook(paths[0]).sheetnames[:3] == ["月度台账", "台账明细", "指标数据"]

    r = cli(data, "report", "quarterly", "--quarter", "2023Q2", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert [Path(line).name for line in r.stdout.splitlines()] == [
        "钟楼区垃圾分类季度工作进展_南大街街道_2023年第2季度.xlsx", "钟楼区垃圾分类季度工作进展_南大街街道_2023年第2季度.pdf"]

    r = cli(data, "submit", "--month", "2023-06")
    assert r.returncode == 0, r.stderr
    assert "已报送" in r.stdout
    r = cli(data, "entry", "add", "--task", "1", "--date", "2023-06-20", "--type", "联动会议", "--title", "补录",
            "--location", "南大街街道", "--participants", "10")
    assert r.returncode != 0 and "锁定" in r.stderr

    r = cli(data, "unlock", "--month", "2023-06")
    assert r.returncode == 2  # --reason is required
    r = cli(data, "unlock", "--month", "2023-06", "--reason", "补录遗漏台账")
    assert r.returncode == 0, r.stderr
    assert "第2版" in r.stdout

    r = cli(data, "report", "states", "--json")
    assert r.returncode == 0, r.stderr
    states = {(s["kind"], s["period"]): s for s in json.loads(r.stdout)}
    assert states[("monthly", "2023-06")]["label"] == "已解锁"
    assert states[("monthly", "2023-06")]["unlock_reason"] == "补录遗漏台账"
    assert states[("quarterly", "2023Q2")]["label"] == "已生成"
    assert states[("monthly", "2023-05")]["label"] == "未生成"


def test_submit_without_export_exports_into_the_data_folder(tmp_path):
    data = prepared(tmp_path)
    r = cli(data, "submit", "--quarter", "2023Q2")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert Path(lines[0]).parent == (data / "reports").resolve() and Path(lines[1]).is_file()
    assert "已报送" in lines[-1]
    r = cli(data, "report", "monthly", "--month", "2023-13", "--out", str(tmp_path))
    assert r.returncode == 2 and "格式不正确" in r.stderr
