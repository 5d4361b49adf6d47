@echo off
rem Set up (first time) and run the whole test suite offscreen: test.bat [PYTEST ARGS]
setlocal
cd /d "%~dp0"
if not exist .venv\Scripts\python.exe (py -3 -m venv .venv || python -m venv .venv)
.venv\Scripts\python.exe -m pip install -q --disable-pip-version-check -r requirements-dev.txt || exit /b 1
set QT_QPA_PLATFORM=offscreen
.venv\Scripts\python.exe -m pytest %*
