"""Evidence uploads: the type comes from the content, hostile files are refused and leave nothing
behind, sizes and quotas hold, and the SHA-256 on record is the file's."""

import hashlib
import io

import pytest
from collection.hostile_xlsx import bad_inputs

from dutyeval.audit.models import AuditLog
from dutyeval.evaluation.services import WorkflowError
from dutyeval.evidence import services
from dutyeval.evidence.models import Evidence
from dutyeval.schemes.models import Indicator

from . import samples


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files(media):
    return sorted(p.name for p in media.rglob("*") if p.is_file()) if media.exists() else []


@pytest.fixture
def item(world):
    """A leaf item whose scheme entry requires evidence."""
    return next(i for i in Indicator.objects.filter(scheme=world.scheme, children__isnull=True).order_by("order")
                if services.requires_evidence(i))


def upload(world, item, data, name):
    return services.upload_evidence(world.sub, item, world.county_filler, data, name)


@pytest.mark.parametrize("name, build, content_type", [
    ("纪要.pdf", samples.pdf, "application/pdf"),
    ("现场.png", lambda: samples.image("PNG"), "image/png"),
    ("现场.jpg", lambda: samples.image("JPEG"), "image/jpeg"),
    ("纪要.docx", samples.docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("统计表.xlsx", samples.xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_each_accepted_kind_is_stored_by_its_content(world, item, media, name, build, content_type):
    data = build()
    ev = upload(world, item, data, name)
    assert ev.content_type == content_type and ev.filename == name and ev.size == len(data)
    assert ev.sha256 == hashlib.sha256(data).hexdigest()
    stored = media / "evidence" / ev.stored_name
    assert stored.read_bytes() == data
    assert name not in ev.stored_name and "." not in ev.stored_name  # a random name, not the user's
    assert AuditLog.objects.filter(action="evidence.file.upload").count() == 1


@pytest.mark.parametrize("name, build, content_type", [
    ("照片.png", samples.pdf, "application/pdf"),  # a PDF named .png is a PDF
    ("纪要.pdf", lambda: samples.image("PNG"), "image/png"),
    ("表.docx", samples.xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("无扩展名", samples.docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_the_name_does_not_decide_the_type(world, item, media, name, build, content_type):
    ev = upload(world, item, build(), name)
    assert ev.content_type == content_type
    assert ev.download_name.endswith(ev.kind.suffix)


def _macro_docx() -> bytes:
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(samples.docx()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml", b"macroEnabled.main+xml")
            out.writestr(info, data)
        out.writestr("word/vbaProject.bin", b"\x00" * 64)
    return buf.getvalue()


HOSTILE = {
    "page.html": b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    "image.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "photo.png.exe": b"MZ\x90\x00" + b"\x00" * 200,
    "script.pdf": b"#!/bin/sh\nrm -rf /\n",
    "html-as.png": b"<html><body>not an image</body></html>",
    "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
    "truncated.png": samples.image("PNG")[:40],
    "broken.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 100,
    "macro.docx": _macro_docx(),
    "plain.zip.docx": b"PK\x05\x06" + b"\x00" * 18,
    "empty.pdf": b"",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_refused_and_leave_nothing(world, item, media, name):
    with pytest.raises(WorkflowError, match="未上传|文件是空的"):
        upload(world, item, HOSTILE[name], name)
    assert Evidence.objects.count() == 0 and _files(media) == []
    assert AuditLog.objects.filter(action="evidence.file.reject").exists()


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory):
    return bad_inputs(tmp_path_factory.mktemp("bad-inputs"))


TOOL_FILES = ["binary.txt", "empty.txt", "gb18030.txt", "huge.txt", "junk.pdf", "laughs.docx", "long-line.txt",
              "malformed.docx", "nested-numbers.txt", "not-a-docx.docx", "utf16.txt", "utf8-bom.txt", "zipbomb.docx"]


@pytest.mark.parametrize("name", TOOL_FILES)
def test_the_thirteen_bad_inputs_are_refused_through_the_page(world, item, client_as, media, hostile_dir, name):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    data = hostile_dir[name].read_bytes()
    r = client_as(world.county_filler).post(reverse("evidence-item", args=[world.sub.pk, item.pk]),
                                            {f"evidence-{item.pk}": SimpleUploadedFile(name, data)},
                                            headers={"HX-Request": "true"})
    if name == "huge.txt":  # past every upload's limit: refused while read; app.js tells the user
        assert r.status_code == 413 and r["X-Upload-Limit-MB"] == "20"
    else:
        assert r.status_code == 200
        assert 'class="err"' in r.content.decode()
    assert Evidence.objects.count() == 0 and _files(media) == []


class CountingFile(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.read_bytes = 0

    def read(self, n=-1):
        out = super().read(n)
        self.read_bytes += len(out)
        return out


def test_size_is_limited_while_reading(world, item, media, settings):
    settings.DUTYEVAL_EVIDENCE_MAX_BYTES = 100_000
    big = CountingFile(b"%PDF-1.7\n" + b"0" * 5_000_000)
    with pytest.raises(WorkflowError, match="过大"):
        upload(world, item, big, "big.pdf")
    assert big.read_bytes <= 100_000 + 1024 * 1024
    assert Evidence.objects.count() == 0 and _files(media) == []


def test_a_region_has_a_quota_on_stored_evidence(world, item, media, settings):
    data = samples.pdf()
    settings.DUTYEVAL_EVIDENCE_QUOTA_BYTES = len(data) * 2 + 10
    upload(world, item, data, "1.pdf")
    upload(world, item, data, "2.pdf")
    with pytest.raises(WorkflowError, match="配额"):
        upload(world, item, data, "3.pdf")
    assert Evidence.objects.count() == 2 and len(_files(media)) == 2
    # another county's quota is its own
    services.upload_evidence(world.other_sub, item, world.other_filler, data, "1.pdf")


def test_a_folder_in_the_name_is_dropped_and_control_characters_removed(world, item, media):
    ev = upload(world, item, samples.pdf(), "..\\..\\etc/pass\x00wd.pdf")
    assert ev.filename == "passwd.pdf"


def test_an_item_of_another_scheme_or_a_parent_item_is_refused(world, media):
    parent = Indicator.objects.filter(scheme=world.scheme, children__isnull=False).first()
    with pytest.raises(WorkflowError, match="不属于"):
        upload(world, parent, samples.pdf(), "a.pdf")
    assert _files(media) == []


def test_only_the_region_s_coordinator_uploads(world, item, media):
    for user in (world.other_filler, world.province_admin, world.reviewer):
        with pytest.raises(WorkflowError):
            services.upload_evidence(world.sub, item, user, samples.pdf(), "a.pdf")
    assert Evidence.objects.count() == 0 and _files(media) == []
