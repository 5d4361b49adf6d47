@echo off
rem Set up (first time) and run the whole test suite offscreen: test.bat [PYTEST ARGS]
rem Needs a 64-bit Python 3.11 or later (build\find_python.bat finds one or says so in Chinese).
setlocal
cd /d "%~dp0"
rem Chinese messages below are UTF-8: switch the console to code page 65001 and back after.
for /f "tokens=*" %%a in ('chcp') do for %%b in (%%a) do set "OLDCP=%%b"
chcp 65001 >nul
call :main %*
set "RC=%ERRORLEVEL%"
if defined OLDCP chcp %OLDCP:.=% >nul
exit /b %RC%

:main
call :check_venv
if exist .venv\Scripts\python.exe goto :venv_ready
call build\find_python.bat || exit /b 1
%PY% -m venv .venv || exit /b 1
:venv_ready
.venv\Scripts\python.exe -m pip install -q --disable-pip-version-check -r requirements-dev.txt || exit /b 1
set QT_QPA_PLATFORM=offscreen
.venv\Scripts\python.exe -m pytest %*
exit /b %ERRORLEVEL%

:check_venv
rem A .venv made earlier by a 32-bit or too old Python cannot install PySide6: make it anew.
if not exist .venv\Scripts\python.exe exit /b 0
.venv\Scripts\python.exe -c "import struct, sys; sys.exit(0 if struct.calcsize('P') == 8 and sys.version_info >= (3, 11) else 1)" >nul 2>&1 && exit /b 0
echo 现有的 .venv 不是由 64 位 Python 3.11 或更高版本创建的，正在重新创建……
rmdir /s /q .venv
exit /b 0
