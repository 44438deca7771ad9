"""Report uploads: size checked while reading, refused files leave nothing behind, a quota per region."""

import io

import pytest
from collection.hostile_xlsx import bad_inputs
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dutyeval.evaluation.services import WorkflowError
from dutyeval.reports import services
from dutyeval.reports.models import ReportDocument

TEXT = "2020年，全县小学生均一般公共预算教育支出13660.70元，比上年增长4.22%。".encode()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files(media):
    return sorted(p.name for p in media.rglob("*") if p.is_file()) if media.exists() else []


class CountingFile(io.BytesIO):
    """A file-like that records how much was read from it."""

    def __init__(self, data):
        super().__init__(data)
        self.read_bytes = 0
        self.name = "big.txt"

    def read(self, n=-1):
        out = super().read(n)
        self.read_bytes += len(out)
        return out


def test_size_is_checked_while_reading_and_reading_stops(world, media):
    big = CountingFile(b"a" * (services.MAX_BYTES + 10 * 1024 * 1024))
    with pytest.raises(WorkflowError, match="过大"):
        services.upload_report(world.sub, world.county_filler, big, "big.txt")
    assert big.read_bytes <= services.MAX_BYTES + services.CHUNK
    assert _files(media) == [] and ReportDocument.objects.count() == 0


def test_a_file_that_cannot_be_read_as_a_report_is_not_kept(world, client_as, media):
    r = client_as(world.county_filler).post(reverse("report-upload", args=[world.sub.pk]),
                                            {"file": SimpleUploadedFile("r.docx", b"PK\x03\x04broken")})
    assert r.status_code == 200
    assert _files(media) == [] and ReportDocument.objects.count() == 0


def test_a_region_has_a_quota_on_stored_report_bytes(world, client_as, media, settings):
    settings.DUTYEVAL_REPORT_QUOTA_BYTES = len(TEXT) * 2 + 10
    c = client_as(world.county_filler)
    url = reverse("report-upload", args=[world.sub.pk])
    for _ in range(2):
        assert c.post(url, {"file": SimpleUploadedFile("r.txt", TEXT)}).status_code == 302
    r = c.post(url, {"file": SimpleUploadedFile("r.txt", TEXT)})
    assert r.status_code == 200 and "配额" in r.content.decode()
    assert ReportDocument.objects.count() == 2 and len(_files(media)) == 2


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory):
    return bad_inputs(tmp_path_factory.mktemp("bad-inputs"))


ACCEPTED = {"gb18030.txt", "utf8-bom.txt", "utf16.txt"}  # legitimate reports in awkward encodings


def _names():
    from collection.hostile_xlsx import TOOL, hostile_workbooks

    tool = ["binary.txt", "empty.txt", "gb18030.txt", "huge.txt", "junk.pdf", "laughs.docx", "long-line.txt",
            "malformed.docx", "nested-numbers.txt", "not-a-docx.docx", "utf16.txt", "utf8-bom.txt", "zipbomb.docx"]
    return (tool if TOOL.exists() else []) + sorted(hostile_workbooks())


@pytest.mark.parametrize("name", _names())
def test_every_hostile_file_is_refused_cleanly_by_the_report_upload(world, client_as, media, hostile_dir, name):
    data = hostile_dir[name].read_bytes()
    r = client_as(world.county_filler).post(reverse("report-upload", args=[world.sub.pk]),
                                            {"file": SimpleUploadedFile(name, data)})
    assert r.status_code < 500
    if name in ACCEPTED or ReportDocument.objects.filter(state=ReportDocument.State.DONE).exists():
        # a readable report (odd encodings, long lines of digits) is stored and analysed: not an attack
        return
    # refused with the form's message, or (huge.txt, past every upload's limit) 413 while being read
    assert r.status_code == (413 if name == "huge.txt" else 200)
    assert ReportDocument.objects.count() == 0 and _files(media) == []


def test_two_uploads_read_at_once_cannot_both_pass_the_quota(world, media, settings, monkeypatch):
    """The quota is checked again under a lock when the record is made: an upload that finished
    reading while another was stored (each saw the bytes kept before) is refused, its file removed."""
    settings.DUTYEVAL_REPORT_QUOTA_BYTES = len(TEXT) + 10
    real_store = services.uploads.store_stream
    landed = []

    def store_while_another_lands(*args, **kw):
        stored = real_store(*args, **kw)
        if not landed:  # the other upload finishes while this one is read
            landed.append(True)
            services.upload_report(world.sub, world.county_filler, TEXT, "first.txt")
        return stored

    monkeypatch.setattr(services.uploads, "store_stream", store_while_another_lands)
    with pytest.raises(WorkflowError, match="配额"):
        services.upload_report(world.sub, world.county_filler, TEXT, "second.txt")
    assert list(ReportDocument.objects.values_list("filename", flat=True)) == ["first.txt"]
    assert len(_files(media)) == 1


def test_an_upload_that_lands_after_the_submission_was_submitted_is_not_kept(world, media, monkeypatch):
    real_store = services.uploads.store_stream

    def store_then_submit(*args, **kw):
        stored = real_store(*args, **kw)
        type(world.sub).objects.filter(pk=world.sub.pk).update(state="submitted")
        return stored

    monkeypatch.setattr(services.uploads, "store_stream", store_then_submit)
    with pytest.raises(WorkflowError, match="已提交"):
        services.upload_report(world.sub, world.county_filler, TEXT, "late.txt")
    assert ReportDocument.objects.count() == 0 and _files(media) == []
