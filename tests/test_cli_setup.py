"""``init`` and ``tasks`` as a script (and the checker) would run them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from cli_helpers import Completed, run_cli

ROOT = Path(__file__).resolve().parent.parent


def cli(data_dir: Path, *args: str) -> Completed:
    return run_cli("--data-dir", data_dir, *args)


INIT = ["init", "--operator", "张三", "--phone", "0519-88000000", "--reviewer", "李四", "--households", "12000", "--quota", "15"]


def test_init_then_tasks_json(tmp_path):
    d = tmp_path / "d"
    r = cli(d, *INIT, "--unit", "南大街街道")
    assert r.returncode == 0, r.stderr
    r = cli(d, "tasks", "--json")
    assert r.returncode == 0, r.stderr
    tasks = json.loads(r.stdout)
    assert [t["seq"] for t in tasks] == [1, 2, 3, 4, 5, 6, 7, 9, 11, 12, 14, 15, 16, 17, 19, 24, 27, 28, 31, 32, 33]
    t6 = next(t for t in tasks if t["seq"] == 6)
    assert t6["category"] == "习惯培养"
    assert t6["target_text"] == "持续开展入户宣传，每季度入户宣传居民户数不低于建成区居民总户数的25%"
    assert t6["deadline"] == "2023-12-31"
    assert t6["fields"] == [{"code": "households_reached", "name": "入户宣传户数", "unit": "户", "type": "int"}]
    assert t6["indicators"][0]["period"] == "quarter" and t6["indicators"][0]["target"] == 25
    assert "入户宣传" in t6["entry_types"]
    for t in tasks:
        assert {"seq", "category", "target_text", "deadline", "responsible", "indicators", "entry_types", "fields"} <= set(t)


def test_unknown_unit_is_refused_with_valid_names(tmp_path):
    r = cli(tmp_path / "d", *INIT, "--unit", "南大街")
    assert r.returncode != 0
    assert "不是钟楼区的填报单位" in r.stderr and "南大街街道" in r.stderr and "邹区镇" in r.stderr


def test_commands_before_init_explain_what_to_do(tmp_path):
    r = cli(tmp_path / "d", "tasks", "--json")
    assert r.returncode != 0 and "init" in r.stderr


def test_settings_reflect_init(tmp_path):
    d = tmp_path / "d"
    cli(d, *INIT, "--unit", "高新园区")
    r = cli(d, "settings", "--json")
    profile = json.loads(r.stdout)
    assert profile["unit"] == "邹区镇" and profile["households"] == 12000 and profile["standard_quota"] == 15


# --- output encoding: UTF-8 before argparse prints anything (Windows redirects in the ANSI code page)

def _cp1252_streams(monkeypatch):
    import io

    out = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")  # an English Windows PC, redirected
    err = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    return out, err


def _bytes(stream) -> bytes:
    stream.flush()
    return stream.buffer.getvalue()


def test_version_help_and_usage_errors_are_utf8_on_a_cp1252_stream(monkeypatch):
    import pytest

    import main
    from models import APP_NAME, __version__

    for argv, code, which, wanted in (
        (["--version"], 0, "out", f"{APP_NAME} {__version__}"),
        (["--help"], 0, "out", "数据文件夹"),
        (["report", "monthly", "--month"], 2, "err", "usage"),
    ):
        out, err = _cp1252_streams(monkeypatch)
        with pytest.raises(SystemExit) as done:
            main.main(argv)  # without use_utf8_output: UnicodeEncodeError ('charmap' codec)
        assert done.value.code == code, argv
        assert wanted in _bytes(out if which == "out" else err).decode("utf-8"), argv


def test_version_is_utf8_when_the_environment_says_otherwise():
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8")}
    env.update(LC_ALL="C", PYTHONIOENCODING="cp1252")
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--version"], capture_output=True, env=env,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "钟楼区垃圾分类工作台账" in done.stdout.decode("utf-8")
