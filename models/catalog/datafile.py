"""Reading the catalog's JSON files with errors that name the file, the task and the field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from models.core.errors import DataFileError


class Checker:
    """Reads fields of a JSON object and fails with file/task/field named."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, message: str) -> DataFileError:
        return DataFileError(f"数据文件 {self.path.name} 有误：{where}：{message}")

    def get(self, obj: Any, key: str, kind: type | tuple[type, ...], where: str, *, optional: bool = False) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(where, "应为对象（{...}）")
        if key not in obj or obj[key] is None:
            if optional:
                return None
            raise self.fail(where, f"缺少字段 “{key}”")
        value = obj[key]
        if kind in (int, float, (int, float)) and isinstance(value, bool):
            raise self.fail(where, f"字段 “{key}” 应为数字")
        if not isinstance(value, kind):
            raise self.fail(where, f"字段 “{key}” 类型不正确")
        if isinstance(value, str) and not value.strip() and not optional:
            raise self.fail(where, f"字段 “{key}” 不能为空")
        return value

    def date(self, obj: Any, key: str, where: str) -> dt.date:
        text = self.get(obj, key, str, where)
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise self.fail(where, f"字段 “{key}” 应为日期 YYYY-MM-DD，实为 “{text}”") from None


def read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise DataFileError(f"找不到数据文件：{path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(f"数据文件 {path.name} 不是有效的 JSON（UTF-8）：{exc}") from None
