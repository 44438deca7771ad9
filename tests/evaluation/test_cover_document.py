"""The submission goes up as an official document: 文号, date, issuer, approval, the sealed PDF."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from dutyeval.audit.models import AuditLog
from dutyeval.evaluation import services
from dutyeval.evaluation.cover import CoverInvalid, normalize_number, record_cover_document
from dutyeval.evaluation.models import CoverDocument


def _pdf():
    from evidence.samples import pdf

    return pdf()


@pytest.mark.parametrize("typed, stored", [
    ("阳政办函〔2021〕174号", "阳政办函〔2021〕174号"),
    ("阳政办函[2021]174号", "阳政办函〔2021〕174号"),
    ("阳政办函（2021）174号", "阳政办函〔2021〕174号"),
    (" 泽政发 ［2021］ 3号 ", "泽政发〔2021〕3号"),
])
def test_document_numbers_are_stored_in_the_standard_form(typed, stored):
    assert normalize_number(typed) == stored


@pytest.mark.parametrize("number, day, issuer, field, message", [
    ("", date(2021, 10, 20), "县政府办", "number", "请填写文号"),
    ("阳政办函〔2021〕号", date(2021, 10, 20), "县政府办", "number", "格式不对"),
    ("阳政办函〔21〕5号", date(2021, 10, 20), "县政府办", "number", "格式不对"),
    ("阳政办函〔2018〕5号", date(2021, 10, 20), "县政府办", "number", "与成文日期"),
    ("阳政办函〔2021〕5号", None, "县政府办", "date", "请填写成文日期"),
    ("阳政办函〔2021〕5号", date.today() + timedelta(days=2), "县政府办", "date", "不能晚于今天"),
    ("阳政办函〔2021〕5号", date(2021, 10, 20), " ", "issuer", "请填写发文机关"),
])
def test_bad_document_fields_are_refused_by_field(world, evidence_media, number, day, issuer, field, message):
    with pytest.raises(CoverInvalid) as exc:
        record_cover_document(world.sub, world.county_filler, number=number, day=day, issuer=issuer)
    assert message in exc.value.errors[field]
    assert not CoverDocument.objects.exists()


def test_the_cover_letter_must_be_a_pdf_by_content(world, evidence_media):
    with pytest.raises(CoverInvalid) as exc:
        record_cover_document(world.sub, world.county_filler, number="泽政办函〔2021〕12号", day=date(2021, 10, 20),
                              issuer="泽州县人民政府办公室", upload=b"<html>not a pdf</html>", filename="x.pdf")
    assert "file" in exc.value.errors
    assert not CoverDocument.objects.exists()
    assert not any((evidence_media / "cover_letters").glob("*"))  # the refused file is gone


def test_submit_needs_the_document_and_the_office_sees_it(world, fill_all_self_scores, client_as, evidence_media):
    fill_all_self_scores(world.sub, world.county_filler, cover=False)
    with pytest.raises(services.WorkflowError, match="报送文件"):
        services.submit_submission(world.sub, world.county_filler)
    c = client_as(world.county_filler)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post(reverse("cover-record", args=[world.sub.pk]), {
        "number": "泽政办函〔2021〕12号", "date": "2021-10-20", "issuer": "泽州县人民政府办公室",
        "approval": "经县人民政府同意", "file": SimpleUploadedFile("报送文件.pdf", _pdf(), "application/pdf")})
    assert r.status_code == 302
    cover = CoverDocument.objects.get(submission=world.sub)
    assert cover.sha256 and cover.size > 0 and cover.recorded_by == world.county_filler
    assert AuditLog.objects.get(action="evaluation.cover.record").data["after"]["number"] == "泽政办函〔2021〕12号"
    services.submit_submission(world.sub, world.county_filler)
    office = client_as(world.province_admin)
    page = office.get(reverse("submission", args=[world.sub.pk])).content.decode()
    assert "泽政办函〔2021〕12号" in page and "经县人民政府同意" in page and "2021年10月20日" in page
    pdf = office.get(reverse("cover-download", args=[world.sub.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    # another county, and a province elsewhere, cannot fetch it
    assert client_as(world.other_filler).get(reverse("cover-download", args=[world.sub.pk])).status_code == 404
    assert client_as(world.outsider).get(reverse("cover-download", args=[world.sub.pk])).status_code == 404
    # after submission it cannot be changed (client_as logs the one test client in as each persona)
    c = client_as(world.county_filler)
    r = c.post(reverse("cover-record", args=[world.sub.pk]), {"number": "泽政办函〔2021〕13号", "date": "2021-10-21",
                                                              "issuer": "x"}, follow=True)
    assert "退回前不能修改" in r.content.decode()
    assert CoverDocument.objects.get(submission=world.sub).number == "泽政办函〔2021〕12号"


def test_a_refused_form_keeps_what_was_typed(world, client_as, evidence_media):
    c = client_as(world.county_filler)
    r = c.post(reverse("cover-record", args=[world.sub.pk]),
               {"number": "泽政办函2021-12", "date": "2021-10-20", "issuer": "泽州县人民政府办公室"}, follow=True)
    body = r.content.decode()
    assert "格式不对" in body and 'value="泽政办函2021-12"' in body and 'value="泽州县人民政府办公室"' in body
    # the reason sits right after its field
    field = body.index('value="泽政办函2021-12"')
    assert body.index("格式不对", field) - field < 200
    # shown once: a reload shows the form clean again
    assert "格式不对" not in c.get(reverse("submission", args=[world.sub.pk])).content.decode()
