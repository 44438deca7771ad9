"""The .docx templates (docxtpl) that lay out every document as GB/T 9704-2012 公文.

The templates are files an office can edit in Word or WPS: letterhead, wording around the
placeholders, fonts, table widths. `build_template(kind)` builds the shipped ones (in docx/, written
by `dutyeval document_templates`, which also gives an office fresh copies to edit); an office's edited copy in VAR_DIR/document_templates/<kind>.docx
takes precedence (`template_path`). The placeholders are Jinja tags ({{ title }}, {%p for b in body %}
…); docs/documents.md lists them.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from dutyeval.core.documents.model import BODY_PT, FONTS, LINE_PT, MARGINS_MM, PAGE_NUMBER_PT, TITLE_PT

KINDS = ("self_report", "feedback", "provincial", "notice")
SHIPPED = Path(__file__).parent / "docx"
RED = RGBColor(0xE6, 0x00, 0x12)
CHAR = Pt(BODY_PT)  # one character of 3号 text: the unit of GB/T 9704 indents ("空二字")

# table column widths (mm, the text block is 156 mm) and table type size per kind
TABLE_WIDTHS = {
    "self_report": [12, 60, 15, 19, 19, 31],
    "feedback": [12, 60, 15, 19, 19, 31],
    "notice": [12, 22, 28, 17, 15, 38, 24],
}

# columns of short figures (rank, points, scores, grade) are centred; names and text stay left
TABLE_CENTRED = {"self_report": {2, 3, 4}, "feedback": {2, 3, 4}, "notice": {0, 3, 4}}


def template_path(kind: str) -> Path:
    edited = Path(settings.VAR_DIR) / "document_templates" / f"{kind}.docx"
    return edited if edited.exists() else SHIPPED / f"{kind}.docx"


def _fonts(rpr, east: str, latin: str | None = None) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    latin = latin or east
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east), ("w:cs", latin)):
        fonts.set(qn(attr), value)


def _style(
    doc,
    name: str,
    *,
    font: str,
    size: float,
    bold=False,
    align=None,
    indent_chars=0.0,
    line=LINE_PT,
    color=None,
    page_break=False,
    right_chars=0.0,
    keep_next=False,
):
    st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = doc.styles["Normal"]
    st.quick_style = True
    st.font.size = Pt(size)
    st.font.bold = bold
    if color is not None:
        st.font.color.rgb = color
    _fonts(st.element.get_or_add_rPr(), font, "Times New Roman" if font == FONTS["body"] else None)
    pf = st.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(line)
    pf.space_before = pf.space_after = Pt(0)
    if align is not None:
        pf.alignment = align
    pf.first_line_indent = Pt(BODY_PT * indent_chars) if indent_chars else Pt(0)
    if right_chars:
        pf.right_indent = Pt(BODY_PT * right_chars)
    pf.page_break_before = page_break
    pf.keep_with_next = keep_next
    pf.widow_control = True
    return st


def _page_number(footer, align) -> None:
    """— 1 — in 4号 宋体 digits, one character in from the outside edge (GB/T 9704 §7.5)."""
    p = footer.paragraphs[0]
    p.alignment = align
    pf = p.paragraph_format
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        pf.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        pf.left_indent = Pt(PAGE_NUMBER_PT)

    def run(text):
        r = p.add_run(text)
        r.font.size = Pt(PAGE_NUMBER_PT)
        _fonts(r._r.get_or_add_rPr(), FONTS["page_number"])
        return r

    run("— ")
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), " PAGE ")
    inner = run("1")
    fld.append(inner._r)
    p._p.append(fld)
    run(" —")


def _bottom_border(paragraph, color="E60012", size=8, space=6) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", str(size)), ("w:space", str(space)), ("w:color", color)):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.append(bdr)


def _tag(doc, text: str, style: str = "公文正文") -> None:
    doc.add_paragraph(text, style=style)


def _body_loop(doc, var: str) -> None:
    """The paragraphs of a body: each kind of paragraph with its own style; `lead` runs first
    (楷体 for （一）…。 leads, bold 仿宋 for 1.…。 leads: GB/T 9704 levels two and three)."""
    _tag(doc, f"{{%p for b in {var} %}}")
    _tag(doc, '{%p if b.kind == "h1" %}')
    _tag(doc, "{{ b.text }}", "公文一级标题")
    _tag(doc, '{%p elif b.kind == "h2" %}')
    _tag(doc, "{{ b.text }}", "公文二级标题")
    _tag(doc, '{%p elif b.kind == "heading" %}')
    _tag(doc, "{{ b.text }}", "公文小标题")
    _tag(doc, '{%p elif b.kind == "annex_note" %}')
    doc.add_paragraph("", style="公文正文")
    _tag(doc, "{{ b.text }}", "附件说明")
    _tag(doc, "{%p else %}")
    p = doc.add_paragraph("", style="公文正文")
    kai = p.add_run("{{ b.lead_kai }}")
    _fonts(kai._r.get_or_add_rPr(), FONTS["h2"])
    bold = p.add_run("{{ b.lead_bold }}")
    bold.bold = True
    p.add_run("{{ b.text }}")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endfor %}")


def _table(doc, widths: list[float], centred: set[int]) -> None:
    table = doc.add_table(rows=3, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row_index, row in enumerate(table.rows):
        for i, cell in enumerate(row.cells):
            cell.width = Mm(widths[i])
            p = cell.paragraphs[0]
            p.style = doc.styles["表头" if row_index == 0 else "表格文字"]
            if row_index == 0:
                p.add_run(f"{{{{ a.h{i} }}}}")
            elif row_index == 1:
                if i == 0:
                    p.add_run("{%tr for row in a.rows %}")
            else:
                if i == 0:
                    p.add_run("{%tr endfor %}")
    # the loop row: one cell per column, rich text (bold for subtotal rows)
    loop = table.add_row()
    for i, cell in enumerate(loop.cells):
        cell.width = Mm(widths[i])
        p = cell.paragraphs[0]
        p.style = doc.styles["表格文字"]
        if i in centred:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(f"{{{{r row.c{i} }}}}")
    # order: header, {%tr for%}, loop row, {%tr endfor%}
    tbl = table._tbl
    rows = tbl.findall(qn("w:tr"))
    tbl.remove(rows[3])
    rows[1].addnext(rows[3])
    # the header repeats on every page; a row never splits across two pages
    rows[0].get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for tr in rows[1:]:
        tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    # LibreOffice lays a table out by its grid, Word by the cell widths: set both, and the total
    for col, width in zip(table.columns, widths, strict=True):
        col.width = Mm(width)
    tblpr = tbl.tblPr
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.append(tblw)
    tblw.set(qn("w:w"), str(int(sum(widths) / 25.4 * 1440)))
    tblw.set(qn("w:type"), "dxa")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)


def build_template(kind: str):
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(15), Mm(21)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element.get_or_add_rPr(), FONTS["body"], "Times New Roman")
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    normal.paragraph_format.space_after = Pt(0)
    # Chinese text justifies and wraps by character; no automatic hyphenation or kerning surprises
    _style(
        doc, "公文正文", font=FONTS["body"], size=BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2
    )
    _style(doc, "公文标题", font=FONTS["title"], size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, line=35)
    _style(doc, "公文一级标题", font=FONTS["h1"], size=BODY_PT, indent_chars=2, keep_next=True)
    _style(doc, "公文二级标题", font=FONTS["h2"], size=BODY_PT, indent_chars=2, keep_next=True)
    _style(doc, "公文小标题", font=FONTS["h1"], size=BODY_PT, keep_next=True)
    # 附件说明: “附件：” two characters in; a second line aligns with the annex name (GB/T 9704 §7.3.5)
    note = _style(doc, "附件说明", font=FONTS["body"], size=BODY_PT, keep_next=True)
    note.paragraph_format.left_indent = Pt(BODY_PT * 5)
    note.paragraph_format.first_line_indent = Pt(-BODY_PT * 3)
    _style(doc, "主送机关", font=FONTS["body"], size=BODY_PT)
    _style(
        doc,
        "署名",
        font=FONTS["body"],
        size=BODY_PT,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        right_chars=4,
        keep_next=True,
    )
    _style(doc, "成文日期", font=FONTS["body"], size=BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    _style(doc, "署名前空行", font=FONTS["body"], size=BODY_PT, keep_next=True)
    _style(
        doc, "发文机关标志", font=FONTS["title"], size=26, align=WD_ALIGN_PARAGRAPH.CENTER, line=40, color=RED
    )
    _style(doc, "发文字号", font=FONTS["body"], size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(doc, "附件标识", font=FONTS["h1"], size=BODY_PT, page_break=True)
    _style(doc, "表头", font=FONTS["h1"], size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER, line=16)
    _style(doc, "表格文字", font=FONTS["body"], size=10.5, line=16)

    # 版头: 发文机关标志, 发文字号, red separator line
    doc.add_paragraph("{{ issuer_mark }}", style="发文机关标志")
    doc.add_paragraph("", style="发文字号")
    number = doc.add_paragraph("{{ number }}", style="发文字号")
    _bottom_border(number)
    doc.add_paragraph("", style="公文正文")
    doc.add_paragraph("{{r title }}", style="公文标题")
    doc.add_paragraph("", style="公文正文")
    _tag(doc, "{%p if addressee %}")
    doc.add_paragraph("{{ addressee }}", style="主送机关")
    _tag(doc, "{%p endif %}")
    _body_loop(doc, "body")
    # the 署名 never stands alone on a page: the 附件说明 (the body's last lines), the blank lines and
    # the 署名 keep with the date (GB/T 9704 §7.3.5.4: no page with only the signature)
    for _ in range(2):
        doc.add_paragraph("", style="署名前空行")
    doc.add_paragraph("{{ signature }}", style="署名")
    doc.add_paragraph("{{ date_text }}", style="成文日期")
    # annexes, each on a new page: 附件 label, title, text, table
    _tag(doc, "{%p for a in annexes %}")
    doc.add_paragraph("{{ a.label }}", style="附件标识")
    doc.add_paragraph("", style="公文正文")
    doc.add_paragraph("{{r a.title }}", style="公文标题")
    doc.add_paragraph("", style="公文正文")
    _body_loop(doc, "a.body")
    if kind in TABLE_WIDTHS:
        _tag(doc, "{%p if a.rows %}")
        _table(doc, TABLE_WIDTHS[kind], TABLE_CENTRED[kind])
        _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endfor %}")

    # page numbers: odd pages right, even pages left (outside edges)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    doc.core_properties.title = {
        "self_report": "自查自评报告",
        "feedback": "督导报告",
        "provincial": "评价报告",
        "notice": "评价结果通报",
    }[kind]
    doc.core_properties.author = "DutyEval"
    return doc


def write_templates(out: Path | None = None) -> list[Path]:
    out = out or SHIPPED
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in KINDS:
        path = out / f"{kind}.docx"
        build_template(kind).save(path)
        paths.append(path)
    return paths
