"""Each document kind rendered as the office will print it: .docx → PDF (LibreOffice) → PNG pages
(pdftoppm -r 60). The PNGs are kept in var/document-renders/ to be looked at; the test checks what a
machine can: A4 pages, page numbers, Chinese text present (not empty boxes), the fonts embedded.

Skipped where LibreOffice or poppler is missing; scripts/setup.sh --test installs both, so CI runs it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from dutyeval.documents import services

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="LibreOffice (soffice) and poppler-utils are needed to render documents",
)


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, check=True, text=True).stdout


@pytest.mark.parametrize("kind", ["self_report", "feedback", "provincial", "notice"])
def test_each_document_kind_renders_as_an_official_document(evaluated, kind):
    w = evaluated
    region = w.zezhou if kind in ("self_report", "feedback") else None
    gd = services.generate_document(w.cycle, kind, region, user=w.province_admin)
    assert gd.pdf_error == "" and gd.pdf_path
    pdf = services.file_path(gd.pdf_path)
    info = _run("pdfinfo", str(pdf))
    assert "(A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    text = _run("pdftotext", "-layout", str(pdf), "-")
    first = text.split("\f")[0]
    assert "人民政府" in first and re.search(r"—\s*1\s*—", first)  # page number “— 1 —”
    if pages > 1:
        assert re.search(r"—\s*2\s*—", text.split("\f")[1])
    fonts = _run("pdffonts", str(pdf))
    assert "CJK" in fonts or "UKai" in fonts  # Chinese set in a Chinese font, embedded
    out = Path(settings.VAR_DIR) / "document-renders" / kind
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    _run("pdftoppm", "-png", "-r", "60", str(pdf), str(out / "page"))
    pngs = sorted(out.glob("page-*.png"))
    assert len(pngs) == pages
    from PIL import Image

    with Image.open(pngs[0]) as im:
        assert im.size[0] < im.size[1]  # portrait
        # the red letterhead (版头) is on the first page
        rgb = im.convert("RGB")
        red = sum(
            1
            for x in range(0, rgb.width, 2)
            for y in range(0, rgb.height // 3, 2)
            if (p := rgb.getpixel((x, y)))[0] > 180 and p[1] < 80 and p[2] < 80
        )
        assert red > 50


def test_the_bulk_job_converts_each_batch_to_pdf(evaluated, django_capture_on_commit_callbacks):
    from dutyeval.documents.models import GeneratedDocument

    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_bulk(evaluated.cycle, ["self_report", "feedback"], evaluated.province_admin)
    docs = list(GeneratedDocument.objects.all())
    assert len(docs) == 3
    for gd in docs:
        assert gd.pdf_error == "" and services.file_path(gd.pdf_path).read_bytes()[:5] == b"%PDF-"
