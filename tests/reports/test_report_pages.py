from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dutyeval.collection.models import DataValue
from dutyeval.reports.models import ReportDocument

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def upload(client, sub, name, data):
    return client.post(reverse("report-upload", args=[sub.pk]), {"file": SimpleUploadedFile(name, data)})


def test_a_report_is_analysed_and_its_anomalies_flagged(world, client_as, media):
    c = client_as(world.county_filler)
    r = upload(c, world.sub, "越城区.txt", (SEEDS / "002_f38a59b6a3b78320.txt").read_bytes())
    doc = ReportDocument.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("report", args=[doc.pk])
    assert any(a["kind"] == "unit_typo" and "亿万元" in a["quote"] for a in doc.anomalies)
    body = c.get(r["Location"]).content.decode()
    assert "18.87亿万元" in body and 'class="anom error"' in body
    # the stored file is outside the web root, under a random name
    assert not doc.stored_name.startswith("越城区") and doc.stored_name.endswith(".txt")
    assert (media / "reports" / doc.stored_name).read_bytes() == (SEEDS / "002_f38a59b6a3b78320.txt").read_bytes()


def test_accepting_a_figure_records_it_as_extracted_with_its_quote(world, client_as, media):
    c = client_as(world.county_filler)
    text = "2020年，全县小学生均一般公共预算教育支出13660.70元，比上年增长4.22%。".encode()
    upload(c, world.sub, "r.txt", text)
    doc = ReportDocument.objects.get()
    index = next(i for i, f in enumerate(doc.figures) if f["element"] == "per_student_budget_primary")
    c.post(reverse("report-accept", args=[doc.pk, index]))
    v = DataValue.objects.get(region=world.zezhou, year=2020, element__code="per_student_budget_primary")
    assert v.value == Decimal("13660.70") and v.source == "extracted" and "13660.70元" in v.quote
    assert v.author == world.county_filler


def test_another_county_cannot_see_or_accept(world, client_as, media):
    upload(client_as(world.county_filler), world.sub, "r.txt", "巩固率达到109.74%。".encode())
    doc = ReportDocument.objects.get()
    c = client_as(world.other_filler)
    assert c.get(reverse("report", args=[doc.pk])).status_code == 404
    assert c.post(reverse("report-accept", args=[doc.pk, 0])).status_code == 404


def test_reviewers_see_the_anomaly_list_on_the_submission(world, client_as, media):
    upload(client_as(world.county_filler), world.sub, "r.txt", "九年义务教育巩固率达到109.74%，投入xx万元。".encode())
    body = client_as(world.reviewer).get(reverse("submission", args=[world.sub.pk])).content.decode()
    assert 'id="report-anomalies"' in body and "109.74%" in body


def test_junk_is_refused_with_a_clear_message(world, client_as, media):
    c = client_as(world.county_filler)
    r = upload(c, world.sub, "r.docx", b"PK\x03\x04 not a real docx")
    assert r.status_code == 200 and "Word" in r.content.decode()
    # an unreadable file is refused, not kept (see test_hostile_uploads.py)
    assert not ReportDocument.objects.exists()
    r = upload(c, world.sub, "r.exe", b"MZ")
    assert "只支持" in r.content.decode()
