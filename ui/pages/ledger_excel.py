"""台账录入's Excel actions: write the import template, import a filled-in workbook in the
background (all rows or none, each problem named by row and column)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from models.core.errors import AppError, ValidationError
from models.store.workspace import Workspace
from ui.ui_state import open_file, save_file

if TYPE_CHECKING:
    from ui.pages.ledger_page import LedgerPage

    _Base = LedgerPage
else:
    _Base = object


class ExcelActions(_Base):
    """Mixed into LedgerPage: uses its context, table model, count label and dialog hooks."""

    def choose_template(self) -> None:
        path = save_file(self, "保存导入模板", "台账导入模板.xlsx", "Excel 工作簿 (*.xlsx)", "ledger-excel")
        if path:
            self.save_template(path)

    def save_template(self, path: Path) -> None:
        from models.ledger.excel_template import write_template  # Excel code loads with its action

        try:
            write_template(path, self.ctx.ws.tasklist, self.tasks)
        except AppError as exc:
            self.warn("无法生成模板", str(exc), "")
            return
        self.inform("导入模板", f"已生成导入模板：\n{path}\n\n在“台账”表中填写后，点击“从 Excel 导入…”。")

    def choose_import(self) -> None:
        path = open_file(self, "选择要导入的台账", "Excel 工作簿 (*.xlsx)", "ledger-excel")
        if path:
            self.import_file(path)

    def import_file(self, path: Path) -> None:
        ws = self.ctx.ws
        actor = ws.require_profile().operator
        self.setEnabled(False)  # one writer at a time: the import owns the database until done
        self.count_label.setText("正在导入…")

        tasklist, tasks = ws.tasklist, self.tasks

        def work(own: Workspace, progress: Callable[[int, int, str], None]) -> Any:
            from models.ledger.excel_import import import_workbook  # Excel code loads with its action

            # The worker's own connection: the GUI's never joins the import's transaction.
            return import_workbook(own.db, path, tasklist, tasks, actor=actor, progress=progress)

        def done(result: Any) -> None:
            self.setEnabled(True)
            self.refresh()
            self.inform("导入完成", f"{path.name}：{result.summary()}")

        def failed(exc: Exception) -> None:
            self.setEnabled(True)
            self._after_reload(self.selected_entry_id())
            if isinstance(exc, ValidationError):
                lines = [f"{where}：{what}" for where, what in exc.problems]
                shown = "\n".join(lines[:15]) + (f"\n……共 {len(lines)} 处" if len(lines) > 15 else "")
                self.warn("未导入任何台账", f"{path.name} 有 {len(lines)} 处需要改正，改正后请重新导入：\n\n{shown}",
                          "\n".join(lines))
            elif isinstance(exc, AppError):
                self.warn("无法导入", str(exc), "")
            else:
                self.warn("无法导入", f"导入时出错：{exc}", "")

        self.ctx.runner.run_in_workspace(ws, work, done, failed,
                                         lambda done_, total, text: self.count_label.setText(text), writes=True)
