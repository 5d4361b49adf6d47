"""Speed and memory benchmarks, side by side with bare PySide6/openpyxl/reportlab/SQL.

Run all of them with one command: ``python -m tests.benchmarks`` (see run.py).
Not collected by pytest (pytest.ini: norecursedirs = benchmarks).
"""
