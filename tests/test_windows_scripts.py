"""The Windows files, read on Linux: installer script and its Chinese messages, the PowerShell
build and smoke test, the .bat launchers, .gitattributes.

No Windows PC runs these here, so what can be checked by reading is checked: the settings
the issue asks for, that every message the wizard uses is translated with its placeholders
kept, that the PowerShell scripts parse (tree-sitter's PowerShell grammar, when installed),
that the smoke test does what smoke_test.sh does. Files are read as Windows tools read them:
UTF-8 with BOM, CRLF line ends (tolerated: splitlines()).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from models import APP_ID
from tests.conftest import ROOT

BUILD = ROOT / "build"
WINDOWS_FILES = [ROOT / "run.bat", ROOT / "test.bat", BUILD / "find_python.bat", BUILD / "build.ps1",
                 BUILD / "smoke_test.ps1", BUILD / "installer.iss", BUILD / "zh-CN.isl"]
PY_CHECK = "struct.calcsize('P') == 8 and sys.version_info >= (3, 11)"


def text_of(path: Path) -> str:
    """The text with LF line ends (the files are CRLF in a checkout, LF in the repository)."""
    return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")


def lines_of(path: Path) -> list[str]:
    return text_of(path).splitlines()


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# ---------------------------------------------------------------- line ends and encodings


def test_gitattributes_keeps_crlf_for_windows_files():
    rules = {line.split()[0]: line.split()[1:] for line in lines_of(ROOT / ".gitattributes")
             if line.strip() and not line.startswith("#")}
    for pattern in ("*.bat", "*.ps1", "*.iss", "*.isl"):
        assert "eol=crlf" in rules.get(pattern, []), pattern


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout")
def test_git_checks_out_the_windows_files_with_crlf():
    names = [str(p.relative_to(ROOT)) for p in WINDOWS_FILES]
    out = subprocess.run(["git", "check-attr", "eol", "--", *names], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert out.count(": eol: crlf") == len(names), out


def test_files_with_chinese_text_have_a_bom_where_windows_tools_need_it():
    """PowerShell 5.1 reads a .ps1 without BOM in the ANSI code page; ISCC likewise for old files."""
    for path in WINDOWS_FILES:
        if path.suffix in (".ps1", ".iss", ".isl") and _has_cjk(text_of(path)):
            assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path


# ---------------------------------------------------------------- installer


def _iss_sections(path: Path) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in lines_of(path):
        stripped = line.strip()
        if re.fullmatch(r"\[[A-Za-z]+\]", stripped):
            current = stripped[1:-1]
            sections.setdefault(current, [])
        elif stripped and not stripped.startswith(";") and current:
            sections[current].append(stripped)
    return sections


def _directives(lines: list[str]) -> dict[str, str]:
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def test_installer_uses_our_chinese_messages_over_default_isl():
    languages = _iss_sections(BUILD / "installer.iss")["Languages"]
    assert languages == ['Name: "zh"; MessagesFile: "compiler:Default.isl,zh-CN.isl"']
    assert (BUILD / "zh-CN.isl").is_file()  # relative to the script's folder


def test_installer_stops_with_a_clear_message_before_inno_setup_6_3():
    lines = [line.strip() for line in lines_of(BUILD / "installer.iss")]
    start = next(i for i, line in enumerate(lines) if re.fullmatch(r"#if Ver < EncodeVer\(6,\s*3,\s*0\)", line))
    assert lines[start + 1].startswith("#error ") and "6.3" in lines[start + 1] and "Inno Setup 7" in lines[start + 1]
    assert lines[start + 2] == "#endif"
    first_section = next(i for i, line in enumerate(lines) if line.startswith("[Setup]"))
    assert start < first_section


def test_installer_installs_per_user_without_admin_and_keeps_data_in_localappdata():
    sections = _iss_sections(BUILD / "installer.iss")
    setup = _directives(sections["Setup"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["PrivilegesRequiredOverridesAllowed"] == "dialog"
    assert setup["DefaultDirName"].startswith("{autopf}\\")  # %LOCALAPPDATA%\Programs per user
    assert setup["ArchitecturesAllowed"] == setup["ArchitecturesInstallIn64BitMode"] == "x64compatible"
    # nothing deletes the data folder: only the program's own _internal on upgrade
    assert sections.get("InstallDelete") == ['Type: filesandordirs; Name: "{app}\\_internal"']
    assert "UninstallDelete" not in sections
    text = text_of(BUILD / "installer.iss")
    assert "{localappdata}" not in text.lower() and f"%LOCALAPPDATA%\\{APP_ID}" in text


# Messages the wizard of this script shows (Inno Setup 6.1+ names), with the placeholders
# the English Default.isl has: a translation that drops one shows a wrong or empty text.
WIZARD_MESSAGES = {
    "SetupAppTitle": set(), "SetupWindowTitle": {"%1"}, "UninstallAppTitle": set(), "UninstallAppFullTitle": {"%1"},
    "ErrorTitle": set(), "ConfirmTitle": set(), "InformationTitle": set(),
    "SetupAppRunningError": {"%1", "%n"}, "UninstallAppRunningError": {"%1", "%n"},
    "WinVersionTooLowError": {"%1", "%2"}, "OnlyOnTheseArchitectures": {"%1", "%n"},
    "PrivilegesRequiredOverrideTitle": set(), "PrivilegesRequiredOverrideInstruction": set(),
    "PrivilegesRequiredOverrideText1": {"%1"}, "PrivilegesRequiredOverrideText2": {"%1"},
    "PrivilegesRequiredOverrideAllUsers": set(), "PrivilegesRequiredOverrideAllUsersRecommended": set(),
    "PrivilegesRequiredOverrideCurrentUser": set(), "PrivilegesRequiredOverrideCurrentUserRecommended": set(),
    "ExitSetupTitle": set(), "ExitSetupMessage": {"%n"},
    "ButtonBack": set(), "ButtonNext": set(), "ButtonInstall": set(), "ButtonOK": set(), "ButtonCancel": set(),
    "ButtonYes": set(), "ButtonNo": set(), "ButtonFinish": set(), "ButtonBrowse": set(), "ButtonWizardBrowse": set(),
    "ButtonNewFolder": set(), "ClickNext": set(), "BrowseDialogTitle": set(), "BrowseDialogLabel": set(),
    "NewFolderName": set(), "WelcomeLabel1": {"[name]"}, "WelcomeLabel2": {"[name/ver]", "%n"},
    "WizardSelectDir": set(), "SelectDirDesc": {"[name]"}, "SelectDirLabel3": {"[name]"},
    "SelectDirBrowseLabel": set(), "DiskSpaceMBLabel": {"[mb]"}, "DiskSpaceGBLabel": {"[gb]"},
    "DirExistsTitle": set(), "DirExists": {"%1", "%n"}, "DirDoesntExistTitle": set(), "DirDoesntExist": {"%1", "%n"},
    "InvalidPath": {"%n"}, "InvalidDrive": set(), "DiskSpaceWarningTitle": set(), "DiskSpaceWarning": {"%1", "%2", "%n"},
    "WizardSelectTasks": set(), "SelectTasksDesc": set(), "SelectTasksLabel2": {"[name]"},
    "WizardReady": set(), "ReadyLabel1": {"[name]"}, "ReadyLabel2a": set(), "ReadyLabel2b": set(),
    "ReadyMemoDir": set(), "ReadyMemoTasks": set(),
    "WizardPreparing": set(), "PreparingDesc": {"[name]"}, "ApplicationsFound": set(), "ApplicationsFound2": set(),
    "CloseApplications": set(), "DontCloseApplications": set(), "ErrorCloseApplications": set(),
    "WizardInstalling": set(), "InstallingLabel": {"[name]"},
    "FinishedHeadingLabel": {"[name]"}, "FinishedLabel": {"[name]"}, "FinishedLabelNoIcons": {"[name]"},
    "ClickFinish": set(), "RunEntryExec": {"%1"}, "SetupAborted": {"%n"},
    "StatusClosingApplications": set(), "StatusCreateDirs": set(), "StatusExtractFiles": set(),
    "StatusCreateIcons": set(), "StatusSavingUninstall": set(), "StatusRunProgram": set(), "StatusRollback": set(),
    "ConfirmUninstall": {"%1"}, "UninstallStatusLabel": {"%1"}, "UninstalledAll": {"%1"},
    "UninstalledMost": {"%1", "%n"}, "WizardUninstalling": set(), "StatusUninstalling": {"%1"},
    "UninstallDisplayNameMark64Bit": set(), "UninstallDisplayNameMarkAllUsers": set(),
    "UninstallDisplayNameMarkCurrentUser": set(),
}
CUSTOM_MESSAGES = {"CreateDesktopIcon": set(), "AdditionalIcons": set(), "LaunchProgram": {"%1"},
                   "NameAndVersion": {"%1", "%2"}, "UninstallProgram": {"%1"}}
NOT_CHINESE = {"ComponentSize1", "ComponentSize2", "UninstallDisplayNameMark", "UninstallDisplayNameMarks"}


def _isl() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    section = ""
    for line in lines_of(BUILD / "zh-CN.isl"):
        if not line.strip() or line.startswith(";"):
            continue
        if line.startswith("["):
            section = line.strip()[1:-1]
            out.setdefault(section, {})
            continue
        key, sep, value = line.partition("=")
        assert sep and key not in out[section], f"malformed or repeated: {line}"
        out[section][key] = value
    return out


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%[1-9n]|\[(?:name/ver|name|mb|gb)\]", text))


def test_zh_cn_isl_is_simplified_chinese():
    options = _isl()["LangOptions"]
    assert options["LanguageName"] == "简体中文"
    assert options["LanguageID"] == "$0804"


@pytest.mark.parametrize(("section", "wanted"), [("Messages", WIZARD_MESSAGES), ("CustomMessages", CUSTOM_MESSAGES)])
def test_every_message_the_wizard_shows_is_translated_with_its_placeholders(section, wanted):
    messages = _isl()[section]
    missing = sorted(set(wanted) - set(messages))
    assert not missing, f"untranslated: {missing}"
    for key, value in messages.items():
        assert value.strip(), key
        assert key in NOT_CHINESE or _has_cjk(value), f"{key} is not Chinese: {value}"
        assert not re.search(r"%[^1-9n%]", value), f"{key}: stray %: {value}"
        if key in wanted:
            assert _placeholders(value) == wanted[key], f"{key}: {value}"


def test_every_custom_message_the_script_uses_is_in_our_messages():
    used = set(re.findall(r"\{cm:(\w+)", text_of(BUILD / "installer.iss")))
    assert used and used <= set(_isl()["CustomMessages"])


# ---------------------------------------------------------------- PowerShell


def _parse_errors(path: Path) -> list[str]:
    tsp = pytest.importorskip("tree_sitter_powershell")
    from tree_sitter import Language, Parser

    source = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    tree = Parser(Language(tsp.language())).parse(source)
    errors: list[str] = []

    def walk(node) -> None:
        if node.type == "ERROR" or node.is_missing:
            errors.append(f"line {node.start_point[0] + 1}: {source[node.start_byte:node.end_byte][:60]!r}")
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    return errors


@pytest.mark.parametrize("name", ["build.ps1", "smoke_test.ps1"])
def test_powershell_scripts_parse(name):
    assert _parse_errors(BUILD / name) == []


def test_build_ps1_requires_64_bit_python_3_11_and_says_so_in_chinese():
    text = text_of(BUILD / "build.ps1")
    assert PY_CHECK in text
    for candidate in ('@("py", "-3.11-64")', '@("py", "-3-64")', '@("python")'):
        assert candidate in text
    assert "没有找到 64 位的 Python 3.11 或更高版本" in text


def test_build_ps1_tolerates_native_stderr_and_checks_exit_codes():
    text = text_of(BUILD / "build.ps1")
    assert '$ErrorActionPreference = "Stop"' in text
    assert len(re.findall(r"& \$(?:Exe|Command\[0\]) @", text)) == 3  # the only native calls
    # each function that calls a native program switches to Continue and reads $LASTEXITCODE
    for function in re.split(r"\nfunction ", text)[1:]:
        if re.search(r"& \$(?:Exe|Command\[0\]) @", function):
            assert '$ErrorActionPreference = "Continue"' in function and "$LASTEXITCODE" in function
            assert "finally" in function  # and restores the preference


def test_build_ps1_finds_inno_setup_6_and_7_machine_wide_and_per_user():
    text = text_of(BUILD / "build.ps1")
    assert '@("Inno Setup 7", "Inno Setup 6")' in text
    for root in ("$env:ProgramFiles", "${env:ProgramFiles(x86)}", '(Join-Path $env:LOCALAPPDATA "Programs")'):
        assert root in text
    assert '[version]"6.3"' in text


def test_build_ps1_smoke_tests_the_bundle_before_making_the_installer():
    text = text_of(BUILD / "build.ps1")
    smoke = text.index('"smoke_test.ps1") -NoBuild')
    assert text.index("pyinstaller.spec") < smoke < text.index("Find-Iscc\n", smoke)


def _cli_commands_sh() -> list[list[str]]:
    text = text_of(BUILD / "smoke_test.sh").replace("\\\n", " ")
    return [re.findall(r'"[^"]*"|\S+', m) for m in re.findall(r'"\$CLI" --data-dir "\$DATA" ([^\n)]*)', text)
            if m.strip() != "--quit-after-startup"]  # the console program's window: below


def _cli_commands_ps1() -> list[list[str]]:
    text = re.sub(r",\s*\n\s*", ", ", text_of(BUILD / "smoke_test.ps1"))
    return [re.findall(r'"([^"]*)"|(\$\w+)', m) for m in re.findall(r'Invoke-Cli @\("--data-dir", \$Data, ([^)]*)\)', text)]


def test_smoke_test_ps1_runs_the_same_commands_as_smoke_test_sh():
    sh = [[w.strip('"') for w in cmd if not w.startswith('"$') and not w.startswith("$")] for cmd in _cli_commands_sh()]
    ps1 = [[a for a, var in cmd if a] for cmd in _cli_commands_ps1()]
    assert [c[:2] for c in sh] == [c[:2] for c in ps1] == [["init", "--unit"], ["entry", "add"], ["report", "monthly"]]
    assert sh == ps1  # same unit, title, measures: the same entry


def test_smoke_test_ps1_checks_fonts_and_starts_the_gui_through_start_process_wait():
    text = text_of(BUILD / "smoke_test.ps1")
    assert "Test-FontsEmbedded $pdf.FullName" in text and "/FontFile[23]?" in text
    start = re.search(r"Start-Process -FilePath \$Gui -ArgumentList @\((.*?)\)\s*`?\s*-Wait -PassThru", text, re.S)
    assert start and '"--quit-after-startup"' in start.group(1)
    assert "$gui.ExitCode -ne 0" in text
    assert text.rstrip().endswith("exit $result")


def test_both_smoke_tests_start_the_console_programs_window_and_check_the_kept_support_code():
    """The console program starts without Qt's runtime hooks (pyinstaller.spec): its window
    must still open; the windowed program's second start must use shiboken's compiled code."""
    sh, ps1 = text_of(BUILD / "smoke_test.sh"), text_of(BUILD / "smoke_test.ps1")
    assert '"$CLI" --data-dir "$DATA" --quit-after-startup' in sh
    assert re.search(r'Start-Process -FilePath \$script:Cli -ArgumentList @\("--data-dir", "`"\$Data`"", "--quit-after-startup"\)', ps1)
    assert "$console.ExitCode -ne 0" in ps1
    for text in (sh, ps1):
        assert "shibokensupport-*.bin" in text and "compiled shiboken's support code again" in text


def test_smoke_font_check_logic_agrees_with_pdffonts(ws, tmp_path):
    """The regular expressions of Test-FontsEmbedded, run in Python on a real report."""
    from models.reporting.export import export_monthly
    from test_reports_data import fill_june

    fill_june(ws, tmp_path, photos=1)
    pdf = export_monthly(ws, "2023-06", tmp_path / "out").pdf
    text = pdf.read_bytes().decode("latin-1")
    objects = re.split(r"\bendobj\b", text)
    fonts = [o for o in objects if re.search(r"/Type\s*/Font\b(?!Descriptor)", o)]
    descriptors = [o for o in objects if re.search(r"/Type\s*/FontDescriptor\b", o)]
    assert fonts and all("/FontDescriptor" in f or "/DescendantFonts" in f for f in fonts)
    assert descriptors and all(re.search(r"/FontFile[23]?\s", d) for d in descriptors)
    if shutil.which("pdffonts"):
        rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        assert len(rows) == len(fonts) and all(r.split()[-5] == "yes" for r in rows)


# ---------------------------------------------------------------- .bat


def test_run_and_test_bat_require_64_bit_python_3_11_through_find_python():
    finder = text_of(BUILD / "find_python.bat")
    assert PY_CHECK in finder
    assert "for %%V in (-3.11-64 -3.12-64 -3.13-64 -3-64) do" in finder
    assert 'python -c "%PYCHECK%"' in finder
    assert "没有找到 64 位的 Python 3.11 或更高版本" in finder
    for name in ("run.bat", "test.bat"):
        text = text_of(ROOT / name)
        assert "call build\\find_python.bat || exit /b 1" in text
        assert "%PY% -m venv .venv" in text
        assert "py -3 " not in text  # may be a 32-bit Python
        assert PY_CHECK in text  # an old 32-bit .venv is made anew


@pytest.mark.parametrize("name", ["run.bat", "test.bat"])
def test_bat_switches_to_utf8_before_any_chinese_line_and_labels_exist(name):
    lines = lines_of(ROOT / name)
    chcp = next(i for i, line in enumerate(lines) if line.strip() == "chcp 65001 >nul")
    assert all(line.isascii() for line in lines[:chcp])
    labels = {line.strip()[1:].lower() for line in lines if line.startswith(":")}
    for target in re.findall(r"(?:call|goto) :(\w+)", "\n".join(lines)):
        assert target.lower() in labels, target
