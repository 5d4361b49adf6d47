@echo off
rem Set up (first time) and start the program: run.bat [ARGS]
setlocal
cd /d "%~dp0"
if not exist .venv\Scripts\python.exe (py -3 -m venv .venv || python -m venv .venv)
.venv\Scripts\python.exe -m pip install -q --disable-pip-version-check -r requirements.txt || exit /b 1
.venv\Scripts\python.exe main.py %*
