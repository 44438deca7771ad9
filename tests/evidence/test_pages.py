"""Evidence on the self-evaluation page (upload beside each item, htmx fragment) and the review page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dutyeval.evaluation import services as workflow
from dutyeval.evidence import services
from dutyeval.evidence.models import Evidence
from dutyeval.schemes.models import Indicator

from . import samples


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def item(world):
    return next(i for i in Indicator.objects.filter(scheme=world.scheme, children__isnull=True).order_by("order")
                if services.requires_evidence(i))


def test_the_self_evaluation_page_has_an_upload_control_per_item(world, client_as, item):
    html = client_as(world.county_filler).get(reverse("self-evaluation", args=[world.sub.pk])).content.decode()
    assert f'name="evidence-{item.pk}"' in html
    assert reverse("evidence-item", args=[world.sub.pk, item.pk]) in html
    assert "尚未上传佐证材料" in html
    # the area form still saves with Enter: the upload buttons are not submit buttons
    assert 'type="button" class="btn secondary small ev-up"' in html


def test_an_htmx_upload_answers_with_the_item_s_fragment(world, client_as, item, media):
    r = client_as(world.county_filler).post(
        reverse("evidence-item", args=[world.sub.pk, item.pk]),
        {f"evidence-{item.pk}": SimpleUploadedFile("<img src=x>纪要.pdf", samples.pdf()), "score-1": "ignored"},
        headers={"HX-Request": "true"})
    html = r.content.decode()
    assert r.status_code == 200 and html.lstrip().startswith(f'<div class="evidence" id="evidence-{item.pk}">')
    assert "&lt;img src=x&gt;纪要.pdf" in html and "<img src=x>" not in html  # the user's name is escaped
    ev = Evidence.objects.get()
    assert reverse("evidence-preview", args=[ev.pk]) in html and "<iframe" in html


def test_a_plain_upload_redirects_to_the_item_page(world, client_as, item, media):
    c = client_as(world.county_filler)
    url = reverse("evidence-item", args=[world.sub.pk, item.pk])
    r = c.post(url, {"file": SimpleUploadedFile("a.png", samples.image("PNG"))})
    assert r.status_code == 302 and r["Location"] == url
    html = c.get(url).content.decode()
    assert "已上传《a.png》" in html and 'class="ev-thumb"' in html


def test_delete_through_the_page(world, client_as, item, media):
    ev = services.upload_evidence(world.sub, item, world.county_filler, samples.pdf(), "a.pdf")
    r = client_as(world.county_filler).post(reverse("evidence-delete", args=[ev.pk]), headers={"HX-Request": "true"})
    assert r.status_code == 200 and "已删除《a.pdf》" in r.content.decode()
    assert not Evidence.objects.exists()


def test_a_reviewer_cannot_upload_or_delete(world, client_as, item, media):
    ev = services.upload_evidence(world.sub, item, world.county_filler, samples.pdf(), "a.pdf")
    c = client_as(world.reviewer)
    assert c.post(reverse("evidence-item", args=[world.sub.pk, item.pk]),
                  {"file": SimpleUploadedFile("b.pdf", samples.pdf())}).status_code == 403
    assert c.post(reverse("evidence-delete", args=[ev.pk])).status_code == 403
    assert Evidence.objects.count() == 1


def test_reviewers_see_the_files_beside_each_item(world, client_as, item, fill_all_self_scores, media):
    ev = services.upload_evidence(world.sub, item, world.county_filler, samples.pdf(), "县委常委会会议纪要.pdf")
    fill_all_self_scores(world.sub, world.county_filler)
    workflow.submit_submission(world.sub, world.county_filler)
    html = client_as(world.reviewer).get(reverse("review", args=[world.sub.pk])).content.decode()
    assert "县委常委会会议纪要.pdf" in html and reverse("evidence-download", args=[ev.pk]) in html
    assert "ev-del" not in html and "ev-up" not in html  # read-only beside the item
