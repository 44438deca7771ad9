"""Evidence (佐证材料): files a region attaches to an item of its self-evaluation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .detect import KINDS


class Evidence(models.Model):
    submission = models.ForeignKey("evaluation.Submission", verbose_name=_("自评材料"), on_delete=models.CASCADE,
                                   related_name="evidence")
    indicator = models.ForeignKey("schemes.Indicator", verbose_name=_("评价指标"), on_delete=models.PROTECT,
                                  related_name="+")
    filename = models.CharField(_("文件名"), max_length=255)  # as the user named it; shown escaped, never a path
    stored_name = models.CharField(max_length=100)  # random, under MEDIA_ROOT/evidence, outside the web root
    content_type = models.CharField(_("文件类型"), max_length=100)  # detected from the content (detect.py)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["indicator__order", "uploaded_at", "pk"]
        indexes = [models.Index(fields=["submission", "indicator"])]

    def __str__(self) -> str:
        return self.filename

    @property
    def kind(self):
        return KINDS.get(self.content_type)

    @property
    def previewable(self) -> bool:
        return bool(self.kind and self.kind.previewable)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def download_name(self) -> str:
        """The user's name, with the extension of what the file really is (a PDF named .png is saved as .pdf)."""
        from pathlib import PurePath

        kind = self.kind
        name = PurePath(self.filename)
        if kind is None or name.suffix.lower() == kind.suffix or (kind.suffix == ".jpg" and name.suffix.lower() == ".jpeg"):
            return self.filename
        return f"{name.stem or 'file'}{kind.suffix}"
