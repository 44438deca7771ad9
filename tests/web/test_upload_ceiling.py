"""A file larger than any upload accepts is refused while the request is read (413), before Django's
handlers buffer it to memory or /tmp; files within the ceiling reach the form, which applies its own."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse

from dutyeval import uploads
from dutyeval.reports.models import ReportDocument


@pytest.fixture
def small_ceiling(settings, monkeypatch, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG = False
    settings.DUTYEVAL_MAX_UPLOAD_BYTES = settings.DUTYEVAL_EVIDENCE_MAX_BYTES = 64 * 1024
    monkeypatch.setattr("dutyeval.core.textfacts.reader.MAX_BYTES", 64 * 1024)
    buffered = []
    real = TemporaryFileUploadHandler.receive_data_chunk
    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk",
                        lambda self, raw, start: buffered.append(len(raw)) or real(self, raw, start))
    return buffered


def test_an_oversized_file_is_refused_with_413_and_nothing_is_buffered_or_kept(world, client_as, small_ceiling):
    c = client_as(world.county_filler)
    big = SimpleUploadedFile("r.txt", b"x" * (3 * 1024 * 1024))
    r = c.post(reverse("report-upload", args=[world.sub.pk]), {"file": big})
    assert r.status_code == 413
    assert "文件过大" in r.content.decode() and "上限" in r.content.decode()
    assert small_ceiling == []  # the temporary-file handler never saw a byte
    assert ReportDocument.objects.count() == 0


def test_a_file_just_over_the_ceiling_is_stopped_while_read(world, client_as, small_ceiling):
    """The declared length is within the margin, so the refusal comes from counting the bytes."""
    c = client_as(world.county_filler)
    r = c.post(reverse("report-upload", args=[world.sub.pk]),
               {"file": SimpleUploadedFile("r.txt", b"x" * (64 * 1024 + 1))})
    assert r.status_code == 413 and ReportDocument.objects.count() == 0


def test_a_file_within_the_ceiling_reaches_the_form(world, client_as, small_ceiling):
    text = "2020年，全县小学生均一般公共预算教育支出13660.70元，比上年增长4.22%。".encode()
    r = client_as(world.county_filler).post(reverse("report-upload", args=[world.sub.pk]),
                                            {"file": SimpleUploadedFile("r.txt", text)})
    assert r.status_code == 302 and ReportDocument.objects.count() == 1


def test_the_ceiling_is_the_largest_limit_of_any_form(settings):
    settings.DUTYEVAL_MAX_UPLOAD_BYTES, settings.DUTYEVAL_EVIDENCE_MAX_BYTES = 1, 50 * 1024 * 1024
    assert uploads.largest_upload() == 50 * 1024 * 1024
