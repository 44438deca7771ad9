"""dutyeval document_templates [--out DIR]: write the .docx templates of the four documents.

Without --out they go to the package's docx/ (what ships; run after changing docx_templates.py).
An office gives --out VAR_DIR/document_templates, edits them in Word or WPS, and from then on its
copies are used (docs/documents.md lists the placeholders to keep)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from dutyeval.documents.docx_templates import write_templates


class Command(BaseCommand):
    help = "写出四种公文的 Word 模板（docxtpl），供督导办修改"

    def add_arguments(self, parser):
        parser.add_argument("--out", help="输出目录（省略则更新随程序发布的模板）")

    def handle(self, *args, out=None, **options):
        for path in write_templates(Path(out) if out else None):
            self.stdout.write(str(path))
