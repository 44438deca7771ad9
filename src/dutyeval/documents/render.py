"""OfficialDoc → .docx through the kind's docxtpl template."""

from __future__ import annotations

import io

from docxtpl import DocxTemplate, RichText

from dutyeval.core.documents.model import Fig, OfficialDoc, Para, title_lines

from .docx_templates import template_path


def _para(p: Para) -> dict:
    kai = p.lead if p.lead.startswith("（") else ""
    return {
        "kind": p.kind,
        "text": p.body if p.kind == "p" else p.text,
        "lead_kai": kai,
        "lead_bold": "" if kai else p.lead,
    }


def _cell(value, bold: bool) -> RichText:
    text = value.text if isinstance(value, Fig) else str(value)
    return RichText(text, bold=bold)


def _title(text: str) -> RichText:
    return RichText("\n".join(title_lines(text)))


def context(doc: OfficialDoc) -> dict:
    annexes = []
    for n, a in enumerate(doc.annexes, start=1):
        entry = {
            "label": "附件" if len(doc.annexes) == 1 else f"附件{n}",
            "title": _title(a.title),
            "body": [_para(p) for p in a.body],
            "rows": [],
        }
        if a.table:
            entry.update({f"h{i}": h for i, h in enumerate(a.table.headers)})
            emphasis = a.table.emphasis or [False] * len(a.table.rows)
            entry["rows"] = [
                {f"c{i}": _cell(c, bold) for i, c in enumerate(row)}
                for row, bold in zip(a.table.rows, emphasis, strict=True)
            ]
        annexes.append(entry)
    return {
        "issuer_mark": doc.issuer_mark,
        "number": doc.number,
        "title": _title(doc.title),
        "addressee": doc.addressee,
        "body": [_para(p) for p in doc.body],
        "signature": doc.signature,
        "date_text": doc.date_text,
        "annexes": annexes,
    }


def render_docx(doc: OfficialDoc) -> bytes:
    tpl = DocxTemplate(template_path(doc.kind))
    # autoescape: narratives are user text, and a bare "<" or "&" would break the document's XML
    tpl.render(context(doc), autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()
