"""Shared by the report tests: uploaded files go to a temporary MEDIA_ROOT, and a text is uploaded as
a county would upload it (test modules may still choose their own `media`)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dutyeval.reports.models import ReportDocument


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def upload_text():
    """upload_text(client, world, text) → the analysed ReportDocument of the county's submission."""

    def upload(client, world, text):
        client.post(reverse("report-upload", args=[world.sub.pk]),
                    {"file": SimpleUploadedFile("r.txt", text.encode())})
        return ReportDocument.objects.get()

    return upload
