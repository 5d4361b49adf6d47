"""The ledger from a script: entry add/list/delete/restore, template, import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from cli_helpers import Completed, run_cli

ROOT = Path(__file__).resolve().parent.parent
INIT = ["init", "--unit", "南大街街道", "--operator", "张三", "--phone", "0519-88000000", "--reviewer", "李四"]
ADD6 = ["entry", "add", "--task", "6", "--date", "2023-06-12", "--type", "入户宣传", "--title", "6月入户宣传",
        "--measure", "households_reached=320"]


def cli(data_dir: Path, *args: str) -> Completed:
    return run_cli("--data-dir", data_dir, *args)


@pytest.fixture(scope="module")
def d(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("cli") / "data"
    assert cli(data_dir, *INIT).returncode == 0
    return data_dir


def listing(d: Path, *args: str) -> list[dict]:
    r = cli(d, "entry", "list", "--json", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_add_prints_the_id_and_list_shows_everything(d, tmp_path):
    photo = tmp_path / "入户.jpg"
    Image.new("RGB", (64, 48), "green").save(photo)
    r = cli(d, *ADD6, "--title", '=HYPERLINK("x")', "--location", "南大街社区", "--participants", "3",
            "--attach", photo, "--remarks", "😀")
    assert r.returncode == 0, r.stderr
    entry_id = int(r.stdout.strip())
    photo.unlink()  # the evidence lives in the data folder now
    entries = {e["id"]: e for e in listing(d, "--month", "2023-06", "--task", "6")}
    e = entries[entry_id]
    assert e["title"] == '=HYPERLINK("x")' and e["remarks"] == "😀"
    assert e["measures"] == {"households_reached": 320} and e["attachments"] == ["入户.jpg"]
    assert e["entry_date"] == "2023-06-12" and e["entry_type"] == "入户宣传" and e["participants"] == 3
    assert e["operator"] == "张三" and e["location"] == "南大街社区"
    assert entry_id not in {x["id"] for x in listing(d, "--month", "2023-07")}


INVALID = [
    (["--date", "2023-02-30"], "日期：请填写有效日期"),
    (["--measure", "households_reached=-1"], "入户宣传户数：应为不小于0的整数"),
    (["--participants", "-5"], "参与人数：应为不小于0的整数"),
    (["--title", ""], "标题：不能为空"),
    (["--measure", "oops"], "格式应为 CODE=VALUE"),
    (["--attach", "/nonexistent/x.jpg"], "佐证材料：x.jpg：找不到该文件"),
]


def test_invalid_input_exits_nonzero_and_writes_nothing(d):
    before = listing(d)
    for changes, message in INVALID:
        r = cli(d, *ADD6, *changes)
        assert r.returncode != 0 and r.stdout == "", changes
        assert message in r.stderr, (changes, r.stderr)
    assert listing(d) == before


def test_missing_required_measure_is_refused(d):
    r = cli(d, "entry", "add", "--task", "6", "--date", "2023-06-12", "--type", "入户宣传", "--title", "t")
    assert r.returncode != 0 and "入户宣传户数：“入户宣传”类台账必须填写" in r.stderr


def test_bad_attachment_means_no_entry_either(d, tmp_path):
    bad = tmp_path / "x.exe"
    bad.write_bytes(b"MZ")
    before = len(listing(d))
    r = cli(d, *ADD6, "--attach", bad)
    assert r.returncode != 0 and "不能添加.exe 文件" in r.stderr
    assert len(listing(d)) == before


def test_delete_and_restore(d):
    entry_id = int(cli(d, *ADD6, "--title", "将被删除").stdout)
    assert cli(d, "entry", "delete", str(entry_id)).returncode == 0
    assert entry_id not in {e["id"] for e in listing(d)}
    deleted = listing(d, "--deleted")
    assert [e["id"] for e in deleted] == [entry_id] and deleted[0]["deleted_at"]
    assert cli(d, "entry", "restore", str(entry_id)).returncode == 0
    assert entry_id in {e["id"] for e in listing(d)}
    r = cli(d, "entry", "delete", "99999")
    assert r.returncode != 0 and "找不到编号为 99999 的台账" in r.stderr


def test_template_and_import(d, tmp_path):
    template = tmp_path / "模板.xlsx"
    r = cli(d, "template", "--out", template)
    assert r.returncode == 0, r.stderr
    book = load_workbook(template)
    sheet = book["台账"]
    headers = [c.value for c in sheet[1]]
    rows = [[6, "2023-08-0%d" % n, "入户宣传", f"8月入户第{n}批"] for n in range(1, 4)]
    for n, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            sheet.cell(row=n, column=col, value=value)
        sheet.cell(row=n, column=headers.index("入户宣传户数（户）") + 1, value=50)
    sheet.cell(row=5, column=1, value=6)
    sheet.cell(row=5, column=2, value="2023-08-09")
    sheet.cell(row=5, column=3, value="不存在的类型")
    sheet.cell(row=5, column=4, value="坏行")
    book.save(tmp_path / "bad.xlsx")
    before = len(listing(d))
    r = cli(d, "import", tmp_path / "bad.xlsx")
    assert r.returncode != 0 and "第5行：台账类型：“不存在的类型”不是任务6的台账类型" in r.stderr
    assert len(listing(d)) == before
    sheet.delete_rows(5)
    book.save(tmp_path / "good.xlsx")
    r = cli(d, "import", tmp_path / "good.xlsx")
    assert r.returncode == 0, r.stderr
    assert "导入 3 条" in r.stdout
    r = cli(d, "import", tmp_path / "good.xlsx")
    assert "导入 0 条" in r.stdout and "跳过重复 3 条" in r.stdout
    assert len(listing(d, "--month", "2023-08")) == 3
    r = cli(d, "import", template.with_name("nothing.csv"))
    assert r.returncode != 0 and "找不到文件" in r.stderr


def test_a_text_field_is_listed_as_written_beside_the_numbers(d):
    """Task 16's 中转场名称 is a text field: the plain listing shows it, and the number
    beside it without trailing zeros (a text value once stopped `entry list` with an error)."""
    r = cli(d, "entry", "add", "--task", "16", "--date", "2023-05-10", "--type", "中转场建设", "--title", "玻璃中转场建成",
            "--measure", "site_name=北港中转场", "--measure", "site_area=200")
    assert r.returncode == 0, r.stderr
    shown = cli(d, "entry", "list", "--task", "16")
    assert shown.returncode == 0, shown.stderr
    assert "site_name=北港中转场" in shown.stdout and "site_area=200" in shown.stdout and "200.0" not in shown.stdout
