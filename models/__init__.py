"""The application without a screen: store, catalog, ledger, indicators, reports.

Nothing in this package may import Qt; ``tests/test_layout.py`` proves it.
"""

APP_NAME = "钟楼区垃圾分类工作台账"
APP_ID = "ZhonglouWasteLedger"
__version__ = "0.1.0"
