"""A report's signature and its 核验码 on paper.

``report_signature`` signs what the info sheet says (``digest.signed_statement``); the xlsx
writer stores the result, the PDF prints the code on every footer and, on page 1, beside a
QR code holding the same text. Drawing is one function the PDF's page callback calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.units import mm

from models.store.keys import Signer
from models.reporting.digest import CODE_LABEL, FORMAT, signed_statement, verification_code

QR_SIZE = 20 * mm
QR_QUIET = 2  # modules of white border; zbar and phone cameras need one


@dataclass(frozen=True)
class ReportSignature:
    public_key: str
    signature: str

    @property
    def code(self) -> str:
        return verification_code(self.signature)


def report_meta_for_signing(report: Any, digest: str) -> dict[str, Any]:
    """The signed fields of a report, as its info sheet will hold them."""
    return {"format": FORMAT, "kind": report.kind, "unit": report.unit, "period": report.period,
            "version": report.version, "generated_at": report.generated_at.isoformat(timespec="seconds"),
            "data_sha256": digest}


def report_signature(signer: Signer, report: Any, digest: str) -> ReportSignature:
    """Ed25519 is deterministic: the workbook and the PDF, signing apart, get one code."""
    return ReportSignature(signer.public_key, signer.sign(signed_statement(report_meta_for_signing(report, digest))))


def code_text(code: str) -> str:
    return f"{CODE_LABEL}：{code}"


def draw_verification(canvas: Any, *, page: int, code: str, font: str, page_size: tuple[float, float],
                      margin_x: float, footer_y: float, top: float) -> None:
    """The 核验码 above every footer's right end; on page 1 also a QR code in the top right corner.

    ``top`` is the y of the frame's top edge: the QR sits in the margin and the frame's
    first line, right of the centred title.
    """
    if not code:
        return
    canvas.saveState()
    canvas.setFont(font, 8.5)
    width = page_size[0]
    canvas.drawRightString(width - margin_x, footer_y + 3.6 * mm, code_text(code))
    if page == 1:
        left = width - margin_x - QR_SIZE
        bottom = top - QR_SIZE + 9 * mm
        _draw_qr(canvas, code, left, bottom)
        canvas.setFont(font, 8)
        canvas.drawRightString(left - 1.5 * mm, bottom + QR_SIZE / 2 - 1.5 * mm, code_text(code))
    canvas.restoreState()


def _draw_qr(canvas: Any, text: str, left: float, bottom: float) -> None:
    """The QR modules as filled squares (reportlab's QR encoder; renderPDF would add an
    unembedded Helvetica to the page, which the PDF must not carry)."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(text)
    qr.make()
    count = qr.getModuleCount()
    cell = QR_SIZE / (count + 2 * QR_QUIET)
    canvas.setFillColorRGB(0, 0, 0)
    for row in range(count):
        for col in range(count):
            if qr.isDark(row, col):
                x = left + (col + QR_QUIET) * cell
                y = bottom + QR_SIZE - (row + QR_QUIET + 1) * cell
                canvas.rect(x, y, cell, cell, stroke=0, fill=1)
