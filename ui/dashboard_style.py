"""The 工作台's own looks, added to the application's style sheet (``ui.app.configure_app``).

Count chips in their status's colour (``models.core.statuses``, the one home of the
colours), the reminder and return banners, the due list's panel. A sheet on the page, or one
per widget, is matched again for every widget put into the page: at start-up that was a fifth
of placing the page.
"""

from __future__ import annotations

from models.core import statuses as st


def dashboard_style() -> str:
    chips = "".join(f'QLabel#CountChip[tone="{n}"] {{ color:{st.color(status)}; }}\n'
                    for n, status in enumerate(st.STATUSES))
    return (
        "QLabel#CountChip { background:#ffffff; border:1px solid #d9e2ec; border-radius:12px; padding:3px 12px;"
        " font-weight:bold; }\n" + chips
        + "QLabel#Reminder { background:#fffaf0; color:#9c4221; border:1px solid #f6ad55; border-radius:6px;"
        " padding:8px 12px; font-weight:bold; }\n"
        "QLabel#ReturnNotice { background:#fff5f5; color:#9b2c2c; border:1px solid #fc8181; border-radius:6px;"
        " padding:8px 12px; }\n"
        "#DueSide { background:#eef2f7; border-radius:6px; }\n"
        "QLabel#DueTitle { font-weight:bold; font-size:11pt; color:#1f3a5f; }\n"
        "QScrollArea#DueScroll { background: transparent; border: none; }\n"
        "QScrollArea#DueScroll > QWidget > QWidget { background: transparent; }\n")
