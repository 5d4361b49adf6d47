"""The entry editor's typing kept against crashes: what is on screen as JSON-able data,
saved 1.5 s after the last keystroke, and put back on screen after a restart."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.core.errors import AppError
from models.ledger.drafts import save_unsaved
from models.ledger.validation import EntryDraft
from ui.evidence_widgets import AttachmentRole

if TYPE_CHECKING:
    from ui.entry_editor import EntryEditor

    _Base = EntryEditor
else:
    _Base = object

log = logging.getLogger(__name__)


class DraftKeeping(_Base):
    """Mixed into EntryEditor."""

    def state(self) -> dict[str, Any]:
        """What is on screen, as JSON-able data (kept against crashes)."""
        draft = self.draft()
        return {
            "entry_id": self.entry.id if self.entry else None,
            "draft": {**draft.__dict__, "entry_date": draft.entry_date.isoformat()},
            "files": [str(p) for p in self.evidence.pending_paths()],
            "removed": self.evidence.removed_ids(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        entry_id = state.get("entry_id")
        values = dict(state.get("draft") or {})
        values["entry_date"] = dt.date.fromisoformat(values["entry_date"]) if values.get("entry_date") else None
        if entry_id:
            self.load_entry(int(entry_id))
        else:
            self.new_entry()
        self._fill(EntryDraft(**values))
        for attachment_id in state.get("removed") or []:
            for i in range(self.evidence.list.count()):
                att = self.evidence.list.item(i).data(AttachmentRole)
                if att is not None and att.id == attachment_id:
                    self.evidence.list.item(i).setSelected(True)
        self.evidence.remove_selected()
        self.evidence.add_paths([Path(p) for p in state.get("files") or [] if Path(p).exists()])
        self._set_dirty(True)

    def keep_unsaved(self, *, force: bool = False) -> None:
        self._keep_timer.stop()
        if not self._dirty:
            return
        if self._background_writing() and not force:
            self._keep_timer.start()  # a background job is writing: try again when it is done
            return
        try:
            save_unsaved(self.ws.db, self.state())
        except AppError:  # e.g. the database is busy: the typing is still on screen; retry
            log.warning("could not keep the unsaved draft yet", exc_info=True)
            self._keep_timer.start()
