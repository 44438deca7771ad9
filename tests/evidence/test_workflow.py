"""Evidence in the workflow: required at submit (with the list of what is missing), frozen after
submission, seen within the region scope only."""

import pytest
from django.urls import reverse

from dutyeval.evaluation import services as workflow
from dutyeval.evaluation.services import WorkflowError
from dutyeval.evidence import services
from dutyeval.evidence.models import Evidence
from dutyeval.schemes.models import Indicator

from . import samples


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def required(world):
    return [i for i in Indicator.objects.filter(scheme=world.scheme, children__isnull=True).order_by("order")
            if services.requires_evidence(i)]


def test_the_shipped_scheme_requires_evidence_except_on_vetoes(world):
    items = required(world)
    assert len(items) > 30
    veto = Indicator.objects.get(scheme=world.scheme, code="V.3")
    assert veto.evidence and not services.requires_evidence(veto)


def test_submit_is_refused_with_the_list_of_what_is_missing_then_allowed(world, fill_all_self_scores, media):
    fill_all_self_scores(world.sub, world.county_filler, evidence=False)
    items = required(world)
    with pytest.raises(WorkflowError) as exc:
        workflow.submit_submission(world.sub, world.county_filler)
    message = str(exc.value)
    assert f"还有 {len(items)} 项指标未上传佐证材料" in message
    first = items[0]
    assert f"{first.code} {first.title}；" in message and f"{items[-1].code} {items[-1].title}" in message
    for ind in items[:-1]:
        services.upload_evidence(world.sub, ind, world.county_filler, samples.pdf(), f"{ind.code}.pdf")
    with pytest.raises(WorkflowError, match="还有 1 项指标未上传佐证材料") as exc:
        workflow.submit_submission(world.sub, world.county_filler)
    assert items[-1].code in str(exc.value) and items[0].title not in str(exc.value)
    services.upload_evidence(world.sub, items[-1], world.county_filler, samples.image("JPEG"), "照片.jpg")
    assert services.missing_evidence(world.sub) == []
    assert workflow.submit_submission(world.sub, world.county_filler).state == "submitted"


def test_the_submit_button_shows_the_missing_list(world, fill_all_self_scores, client_as, media):
    fill_all_self_scores(world.sub, world.county_filler, evidence=False)
    r = client_as(world.county_filler).post(reverse("submission-submit", args=[world.sub.pk]), follow=True)
    assert "未上传佐证材料" in r.content.decode()
    world.sub.refresh_from_db()
    assert world.sub.state == "draft"


def test_delete_while_editable_only_and_only_by_the_coordinator(world, fill_all_self_scores, media,
                                                                 django_capture_on_commit_callbacks):
    ind = required(world)[0]
    ev = services.upload_evidence(world.sub, ind, world.county_filler, samples.pdf(), "a.pdf")
    path = services.path_of(ev)
    for user in (world.other_filler, world.province_admin, world.reviewer):
        with pytest.raises(WorkflowError):
            services.delete_evidence(ev, user)
    fill_all_self_scores(world.sub, world.county_filler)
    workflow.submit_submission(world.sub, world.county_filler)
    with pytest.raises(WorkflowError, match="已提交"):
        services.delete_evidence(ev, world.county_filler)
    with pytest.raises(WorkflowError, match="已提交"):
        services.upload_evidence(world.sub, ind, world.county_filler, samples.pdf(), "b.pdf")
    assert Evidence.objects.filter(pk=ev.pk).exists() and path.exists()
    workflow.return_submission(world.sub, world.province_admin, "请补充材料")
    with django_capture_on_commit_callbacks(execute=True):  # the file goes when the deletion commits
        services.delete_evidence(ev, world.county_filler)
    assert not Evidence.objects.filter(pk=ev.pk).exists() and not path.exists()


@pytest.fixture
def pdf_evidence(world, media):
    ind = required(world)[0]
    return services.upload_evidence(world.sub, ind, world.county_filler, samples.pdf(), "县委会议纪要（2020）.pdf")


def test_download_is_an_attachment_of_the_detected_type(world, client_as, pdf_evidence):
    r = client_as(world.reviewer).get(reverse("evidence-download", args=[pdf_evidence.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("attachment;") and "filename*=utf-8''" in r["Content-Disposition"]
    assert r["X-Content-Type-Options"] == "nosniff"
    assert b"".join(r.streaming_content) == services.path_of(pdf_evidence).read_bytes()


def test_preview_is_inline_and_sandboxed_for_pdf_and_images_only(world, client_as, pdf_evidence, media):
    c = client_as(world.county_filler)
    r = c.get(reverse("evidence-preview", args=[pdf_evidence.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("inline")
    policy = r["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert r["X-Frame-Options"] == "SAMEORIGIN" and r["X-Content-Type-Options"] == "nosniff"
    word = services.upload_evidence(world.sub, pdf_evidence.indicator, world.county_filler, samples.docx(), "a.docx")
    assert c.get(reverse("evidence-preview", args=[word.pk])).status_code == 404
    assert c.get(reverse("evidence-download", args=[word.pk])).status_code == 200


def test_outside_the_scope_download_preview_and_delete_are_404(world, client_as, pdf_evidence):
    for user in (world.other_filler, world.outsider):
        c = client_as(user)
        for name in ("evidence-download", "evidence-preview"):
            assert c.get(reverse(name, args=[pdf_evidence.pk])).status_code == 404, (user, name)
        assert c.post(reverse("evidence-delete", args=[pdf_evidence.pk])).status_code == 404
        assert c.get(reverse("evidence-item", args=[world.sub.pk, pdf_evidence.indicator_id])).status_code == 404
    assert Evidence.objects.filter(pk=pdf_evidence.pk).exists()


def test_a_missing_file_on_disk_is_404_not_an_error(world, client_as, pdf_evidence):
    services.path_of(pdf_evidence).unlink()
    assert client_as(world.county_filler).get(reverse("evidence-download", args=[pdf_evidence.pk])).status_code == 404
