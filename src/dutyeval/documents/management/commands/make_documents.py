"""dutyeval make_documents --cycle ID --kind self_report|feedback|provincial|notice [--region CODE] --out DIR

Generates documents from the data (a new draft version each, recorded and audited as from the web)
and writes their .docx and .pdf files to DIR. Without --region, a self report or feedback report is
made for every evaluated region (feedback only where the review is complete; the others are listed
with the reason). Bad input is refused with a message and nothing is written."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dutyeval.documents import services
from dutyeval.documents.models import REGIONAL_KINDS, DocumentJob, DocumentKind
from dutyeval.evaluation.models import Cycle, Submission
from dutyeval.regions.models import Region


class Command(BaseCommand):
    help = "生成公文（Word 与 PDF）：自查自评报告、评价督导报告、评价报告、评价结果通报"

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, required=True, help="评价周期编号")
        parser.add_argument("--kind", required=True, choices=DocumentKind.values, help="文种")
        parser.add_argument("--region", help="被评价区域代码（自查自评报告、评价督导报告；省略则全部区域）")
        parser.add_argument("--out", required=True, help="输出目录")
        parser.add_argument("--number", default="", help="发文字号（单份公文）")
        parser.add_argument("--no-pdf", action="store_true", help="只生成 Word 文件")

    def handle(self, *args, cycle, kind, region, out, number, no_pdf, **options):
        c = Cycle.objects.filter(pk=cycle).select_related("scheme", "root").first()
        if c is None:
            raise CommandError(f"评价周期 {cycle} 不存在")
        r = None
        if region:
            r = Region.objects.filter(code=region).first()
            if r is None or not Submission.objects.filter(cycle=c, region=r).exists():
                raise CommandError(f"区域代码 {region} 不是评价周期“{c.name}”的被评价区域")
        outdir = Path(out)
        t0 = time.perf_counter()
        if kind in REGIONAL_KINDS and r is None:
            job = DocumentJob.objects.create(cycle=c, kinds=[kind], pdf=not no_pdf)
            DocumentJob.objects.filter(pk=job.pk).update(state=DocumentJob.State.RUNNING)

            def progress(pct, message):
                self.stderr.write(f"\r{pct:3d}% {message}", ending="")

            generated, skipped = services.run_bulk(job, progress=progress)
            self.stderr.write("")
            DocumentJob.objects.filter(pk=job.pk).update(
                state=DocumentJob.State.DONE,
                progress=100,
                generated=generated,
                skipped=skipped,
                seconds=time.perf_counter() - t0,
                message=f"已生成 {generated} 份公文"
                + (f"，{len(skipped)} 份未生成" if skipped else "")
                + "（命令行）",
            )
            docs = list(c.documents.filter(kind=kind).order_by("region__code", "-version"))
            latest = {}
            for d in docs:
                latest.setdefault(d.region_id, d)
            docs = list(latest.values())
            for s in skipped:
                self.stderr.write(f"未生成：{s['reason']}")
        else:
            try:
                docs = [services.generate_document(c, kind, r, number=number, with_pdf=not no_pdf)]
            except services.DocumentRefused as exc:
                raise CommandError(str(exc)) from None
        outdir.mkdir(parents=True, exist_ok=True)
        written = 0
        for d in docs:
            for rel in (d.docx_path, d.pdf_path):
                if rel:
                    shutil.copyfile(services.file_path(rel), outdir / Path(rel).name)
                    written += 1
            if d.pdf_error:
                self.stderr.write(d.pdf_error)
        self.stdout.write(
            f"已生成 {len(docs)} 份公文，写入 {written} 个文件到 {outdir}，用时 {time.perf_counter() - t0:.1f} 秒"
        )
