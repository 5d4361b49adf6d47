@echo off
rem Find a 64-bit Python 3.11 or later for run.bat and test.bat (call build\find_python.bat).
rem Sets PY to the command that runs it, or explains in Chinese and returns 1.
rem PySide6 has no 32-bit wheels, and "py -3" may well pick a 32-bit Python (pip then fails
rem with a confusing "no matching distribution"): every candidate is asked for its pointer
rem size and version. UTF-8 text: the caller has switched the console to code page 65001.
set "PY="
set "PYCHECK=import struct, sys; sys.exit(0 if struct.calcsize('P') == 8 and sys.version_info >= (3, 11) else 1)"
for %%V in (-3.11-64 -3.12-64 -3.13-64 -3-64) do (
    if not defined PY (
        py %%V -c "%PYCHECK%" >nul 2>&1 && set "PY=py %%V"
    )
)
if not defined PY (
    python -c "%PYCHECK%" >nul 2>&1 && set "PY=python"
)
if defined PY exit /b 0
echo.
echo 没有找到 64 位的 Python 3.11 或更高版本（已尝试 py -3.11-64、py -3.12-64、py -3.13-64、py -3-64 和 python）。
echo 本程序的界面库 PySide6 只有 64 位版本，32 位 Python 或 3.10 及更早的版本都不能用。
echo 请从 https://www.python.org/downloads/windows/ 下载“Windows installer (64-bit)”，
echo 安装时勾选“Add python.exe to PATH”，然后重新运行。
exit /b 1
