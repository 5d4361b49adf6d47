"""The Qt client: only widgets, models for views and wiring; all logic is in ``models``.

Importing it loads PySide6 and answers PySide's question about every later import without
reading the module's source (``_no_source_scan``).
"""

import sys

import PySide6  # noqa: F401 - shiboken and PySide's import hook


def _no_source_scan() -> None:
    """PySide (6.11) reads the whole source of every module an import statement names once it
    is loaded (``inspect.getsource``, kept in ``linecache``: ``typing``, ``enum``, ``logging``…),
    to learn whether the module uses PySide and so might select its ``__feature__`` options
    (snake_case, true_property). This program selects none, so the answer changes nothing but
    speed: "uses PySide, no features" (0) is what PySide records for our Qt modules anyway,
    and lets its attribute lookups take their cached path ("ignore", -1, made every Qt call
    from such a module ~10% slower). The reading cost ~12 ms and ~2 MB at each start."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = _uses_pyside_without_features


def _uses_pyside_without_features(module: object) -> bool:
    return True


_no_source_scan()
