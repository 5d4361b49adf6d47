"""build/collect.py on both PySide6 wheel layouts, on Linux (trees from tests/wheel_layouts.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.wheel_layouts import LINUX_WHEEL, WINDOWS_WHEEL, make_tree, wheel_toc


def _load_collect():
    spec = importlib.util.spec_from_file_location("zl_build_collect", ROOT / "build" / "collect.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


collect = _load_collect()


@pytest.fixture
def windows_pyside(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "win-site-packages", WINDOWS_WHEEL)


@pytest.fixture
def linux_pyside(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "linux-site-packages", LINUX_WHEEL)


def _bundled_names(datas: list[tuple[str, str]]) -> list[str]:
    return sorted(Path(source).name for source, _dest in datas)


def test_windows_layout_translations_found_without_qt_folder(windows_pyside: Path) -> None:
    datas = collect.qt_translation_datas(windows_pyside, ask_qt=False)
    assert _bundled_names(datas) == ["qt_zh_CN.qm", "qtbase_zh_CN.qm"]
    assert all(Path(src).parent == windows_pyside / "translations" for src, _ in datas)
    assert {dest for _, dest in datas} == {"resources/translations"}


def test_windows_layout_with_the_folder_qlibraryinfo_reports(windows_pyside: Path) -> None:
    reported = windows_pyside / "translations"
    datas = collect.qt_translation_datas(windows_pyside, reported)
    assert all(Path(src).parent == reported for src, _ in datas)


def test_linux_layout_translations(linux_pyside: Path) -> None:
    datas = collect.qt_translation_datas(linux_pyside, ask_qt=False)
    assert _bundled_names(datas) == ["qt_zh_CN.qm", "qtbase_zh_CN.qm"]
    assert all(Path(src).parent == linux_pyside / "Qt" / "translations" for src, _ in datas)


def test_a_wrong_qlibraryinfo_answer_falls_back_to_the_wheel_layout(windows_pyside: Path, tmp_path: Path) -> None:
    datas = collect.qt_translation_datas(windows_pyside, tmp_path / "nowhere")
    assert all(Path(src).parent == windows_pyside / "translations" for src, _ in datas)


def test_missing_translations_name_every_folder_tried(tmp_path: Path) -> None:
    package = tmp_path / "PySide6"
    package.mkdir()
    with pytest.raises(SystemExit) as caught:
        collect.qt_translation_datas(package, tmp_path / "reported", ask_qt=False)
    message = str(caught.value)
    assert "qtbase_zh_CN.qm" in message
    for folder in (tmp_path / "reported", package / "translations", package / "Qt" / "translations"):
        assert str(folder) in message


def test_the_installed_pyside6_translations_are_found_through_qlibraryinfo() -> None:
    reported = collect.reported_translations_dir()
    assert reported is not None
    datas = collect.qt_translation_datas()
    assert all(Path(src).is_file() for src, _ in datas)
    assert Path(datas[0][0]).parent == reported


@pytest.mark.parametrize("layout", ["windows", "linux"])
def test_only_zh_cn_qt_translations_survive_the_filter(layout: str, request: pytest.FixtureRequest) -> None:
    package: Path = request.getfixturevalue(f"{layout}_pyside")
    toc = wheel_toc(package.parent, package, (".qm", ".dll", ".so", ".py"))
    kept = collect.keep_zh_cn_translations(toc)
    kept_qm = sorted(Path(dest).name for dest, _src, _kind in kept if dest.endswith(".qm"))
    assert kept_qm and all("_zh_CN" in name for name in kept_qm)
    assert "qtbase_de.qm" not in kept_qm and "qt_zh_TW.qm" not in kept_qm
    assert len(kept) == len(toc) - sum(1 for d, _s, _k in toc if d.endswith(".qm") and "_zh_CN" not in d)


def test_filter_takes_windows_separators_and_leaves_our_own_files() -> None:
    assert collect.is_foreign_qt_translation("PySide6\\translations\\qtbase_de.qm")
    assert collect.is_foreign_qt_translation("PySide6/Qt/translations/qt_fr.qm")
    assert not collect.is_foreign_qt_translation("PySide6\\translations\\qtbase_zh_CN.qm")
    assert not collect.is_foreign_qt_translation("resources/translations/qtbase_zh_CN.qm")
    assert not collect.is_foreign_qt_translation("resources/tasklists/2023.json")


def test_platform_plugin_check_per_platform(windows_pyside: Path, linux_pyside: Path) -> None:
    win = [(d.replace("/", "\\"), s, k) for d, s, k in wheel_toc(windows_pyside.parent, windows_pyside, (".dll",))]
    linux = wheel_toc(linux_pyside.parent, linux_pyside, (".so",))
    assert collect.platform_plugin_present(win, "win32")
    assert not collect.platform_plugin_present(linux, "win32")
    assert collect.platform_plugin_present(linux, "linux")
    assert not collect.platform_plugin_present([e for e in win if "qwindows" not in e[0]], "win32")
