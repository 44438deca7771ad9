"""The shipped .docx templates are what docx_templates.py builds, and an office's edited copy wins."""

from __future__ import annotations

import zipfile

import pytest
from django.core.management import call_command

from dutyeval.documents import docx_templates
from dutyeval.documents.docx_templates import KINDS, SHIPPED, template_path


def _xml(path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml") + z.read("word/styles.xml") + z.read("word/footer1.xml")


@pytest.mark.parametrize("kind", KINDS)
def test_the_shipped_template_is_what_the_builder_makes(kind, tmp_path):
    call_command("document_templates", out=str(tmp_path))
    assert _xml(tmp_path / f"{kind}.docx") == _xml(SHIPPED / f"{kind}.docx"), (
        "the template in documents/docx/ is stale: run `dutyeval document_templates`"
    )


def test_an_offices_edited_template_is_used(settings, tmp_path, evaluated):
    from dutyeval.documents import services

    from .conftest import docx_text

    settings.VAR_DIR = tmp_path
    edited = tmp_path / "document_templates"
    edited.mkdir()
    doc = docx_templates.build_template("notice")
    doc.add_paragraph("（此件公开发布）")  # an office's own line at the end
    doc.save(edited / "notice.docx")
    assert template_path("notice") == edited / "notice.docx"
    gd = services.generate_document(evaluated.cycle, "notice", with_pdf=False)
    paragraphs, _ = docx_text(services.file_path(gd.docx_path).read_bytes())
    assert paragraphs[-1] == "（此件公开发布）"
