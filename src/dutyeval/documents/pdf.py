"""PDF from the .docx with LibreOffice headless, the same content as the Word file.

Each conversion runs with its own LibreOffice profile directory (two conversions sharing one
profile block each other or fail), and with a fontconfig file that maps the official font names
the documents use (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体) to the free fonts installed by
scripts/setup.sh, so the PDF shows Chinese and not empty boxes."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FONTS_CONF = Path(__file__).parent / "fonts" / "fonts.conf"
TIMEOUT = 600  # seconds for one batch


class PdfUnavailable(Exception):
    """LibreOffice is missing or failed: the message says so in Chinese; the .docx is still written."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(docx_files: list[Path], outdir: Path) -> list[Path]:
    """Convert .docx files to PDF in `outdir` with one LibreOffice process; returns the PDF paths
    in the same order. Raises PdfUnavailable with the reason."""
    exe = soffice()
    if exe is None:
        raise PdfUnavailable(
            "未安装 LibreOffice（soffice），无法生成 PDF；Word 文件已生成。"
            "请在服务器上安装 libreoffice-writer-nogui 后重新生成。"
        )
    if not docx_files:
        return []
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dutyeval-lo-") as profile:
        env = {**os.environ, "HOME": profile, "FONTCONFIG_FILE": str(FONTS_CONF)}
        cmd = [
            exe,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, docx_files),
        ]
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"LibreOffice 转换 PDF 超时（{TIMEOUT}秒）；Word 文件已生成。") from None
    pdfs = [outdir / (p.stem + ".pdf") for p in docx_files]
    missing = [p.name for p in pdfs if not p.exists()]
    if missing:
        detail = (proc.stderr or proc.stdout).decode(errors="replace").strip()[-200:]
        raise PdfUnavailable(f"LibreOffice 未能生成 PDF（{'、'.join(missing[:3])}）：{detail or '无输出'}")
    return pdfs
