"""The district summary (全区月度汇总) as a PDF: A4 landscape, header rows repeated on every
page, "第 X 页 共 Y 页" in the footer, a CJK TrueType font embedded (``models.reporting.fonts``).

Written into the file it is given; ``models.district.summary_report.export_summary`` makes it atomic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models.core.periods import month_title
from models.district.summary_data import ORGANISER, STATE_COLOURS, DistrictSummary, summary_code, summary_line
from models.reporting.textblock import header_text


def write_summary_pdf(summary: DistrictSummary, path: Path, *, data_dir: Path | None = None) -> None:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from models.reporting.fonts import register_report_fonts
    from models.reporting.pdf_grid import TextBlock
    from models.reporting.pdf_writer import TotalCanvas, draw_footer
    from models.reporting.textblock import font_measure

    fonts = register_report_fonts(data_dir=data_dir)  # the data folder's own fonts/ too
    body = ParagraphStyle("body", fontName=fonts.body, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    cell_c = ParagraphStyle("cellc", parent=cell, alignment=TA_CENTER)
    head = ParagraphStyle("head", parent=cell, fontName=fonts.title, alignment=TA_CENTER)
    title = ParagraphStyle("title", fontName=fonts.title, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=fonts.title, fontSize=11.5, leading=16, spaceBefore=8, spaceAfter=4)

    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def table(header: list[str], rows: list[list[str]], widths: list[float], *, colour_cols: tuple[int, ...] = (),
              centre_cols: tuple[int, ...] = ()) -> Table:
        def block(text: str, style: ParagraphStyle, width: float) -> TextBlock:
            # the reports' one line-breaking rule: numbers, dates and ratios stay whole
            align = "center" if style.alignment == TA_CENTER else "left"
            return TextBlock(text, font=style.fontName, size=style.fontSize, leading=style.leading, align=align)

        data = [[block(header_text(h, w * mm - 4, font_measure(head.fontName, head.fontSize)), head, w)
                 for h, w in zip(header, widths)]]
        for row in rows or [["（无）"] + [""] * (len(header) - 1)]:
            data.append([block(v, cell_c if i in colour_cols or i in centre_cols else cell, w)
                         for i, (v, w) in enumerate(zip(row, widths))])
        t = Table(data, colWidths=[w * mm for w in widths], repeatRows=1, splitByRow=1)
        style = [
            # Table sets each cell's font even for Paragraph cells: without this, unembedded Helvetica.
            ("FONTNAME", (0, 0), (-1, -1), fonts.body),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9E2EC")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 1.2), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
            ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ]
        for r, row in enumerate(rows, start=1):
            for c in colour_cols:
                colour = STATE_COLOURS.get(row[c])
                if colour:
                    style.append(("BACKGROUND", (c, r), (c, r), colors.HexColor("#" + colour)))
        t.setStyle(TableStyle(style))
        return t

    code = summary_code(summary)

    def on_page(canv: Any, _doc: Any) -> None:
        draw_footer(canv, left=f"汇总校验码 {code}", right=summary.title, font=fonts.body)

    story: list[Any] = [
        Paragraph(esc(summary.title), title),
        Paragraph(esc(f"汇总单位：{ORGANISER}　　生成时间：{summary.generated_at.replace('T', ' ')}　　汇总校验码：{code}"), body),
        Paragraph(esc(summary_line(summary)), body),
        Paragraph("一、报送情况", h2),
        table(["序号", "单位", "类别", "报送状态", "当前版本", "首次报送（生成时间）", "备注"], summary.completeness_rows(),
              [12, 60, 22, 24, 22, 40, 90], colour_cols=(3,), centre_cols=(0, 2, 4, 5)),
        CondPageBreak(50 * mm),  # never a section heading alone at a page's foot
        Paragraph("二、全区目标完成情况", h2),
        Paragraph("全区完成 = 各单位当前有效报表的完成值之和；校验失败的文件不计入。", body),
        Spacer(1, 2 * mm),
        table(["任务", "指标", "全区目标", "全区完成", "完成率", "状态", "已报单位", "各单位完成"], summary.totals_rows(),
              [12, 46, 20, 20, 16, 16, 18, 122], colour_cols=(5,), centre_cols=(0, 2, 3, 4, 6)),
        CondPageBreak(40 * mm),
        Paragraph("三、进度滞后的单位", h2),
        Paragraph("各单位当前有效报表中状态为 滞后、未达标 或 逾期 的指标（任务序号.指标（完成值/目标值，状态））；"
                  "逐项明细见 Excel 汇总表“进度滞后”表。", body),
        Spacer(1, 2 * mm),
        table(["单位", "滞后", "未达标", "逾期", "指标"], summary.behind_by_unit_rows(),
              [40, 12, 12, 12, 197], centre_cols=(1, 2, 3)),
        PageBreak(),
        Paragraph(f"四、各单位任务状态（{esc(month_title(summary.month))}）", h2),
        Paragraph("单元格为该任务各指标中最差的状态（逾期 > 未达标 > 滞后 > 未开展 > 进行中 > 达标）；"
                  "“—”表示任务适用但没有数据（未报送或报表中无此指标）；空白表示任务不适用于该单位。", body),
        Spacer(1, 2 * mm),
    ]
    mhead, mrows = summary.matrix_rows()
    seq_width = (273 - 44 - 18) / max(len(mhead) - 2, 1)
    story.append(table(mhead[:2] + [h.replace("任务", "") for h in mhead[2:]], mrows,
                       [44, 18] + [seq_width] * (len(mhead) - 2), colour_cols=tuple(range(1, len(mhead)))))
    ghead, grows = summary.grid_rows()
    story += [
        PageBreak(),
        Paragraph(f"五、全年报送情况（{summary.month[:4]}年）", h2),
        table(ghead, grows, [53] + [18.3] * 12, colour_cols=tuple(range(1, 13))),
        Spacer(1, 12 * mm),
        Paragraph("制表人：________________　　　审核人：________________　　　日期：____年____月____日", body),
    ]
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=15 * mm, title=summary.title, author=ORGANISER)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page,
              canvasmaker=lambda *a, **k: TotalCanvas(*a, font=fonts.body, **k))
