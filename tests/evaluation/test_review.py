import pytest
from django.urls import reverse

from dutyeval.evaluation import services
from dutyeval.evaluation.models import ItemScore, Result
from dutyeval.evaluation.recompute import compute, result_items, store


@pytest.fixture
def submitted(world, fill_all_self_scores):
    fill_all_self_scores(world.sub, world.county_filler)
    return services.submit_submission(world.sub, world.county_filler)


def _manual(world):
    return world.scheme.indicators.filter(rule_kind="manual", children__isnull=True).order_by("order").first()


def _veto(world):
    return world.scheme.indicators.filter(rule_kind="veto", rule__params__manual=True).order_by("order").first()


def test_a_reviewer_score_replaces_the_self_score(world, submitted):
    item = _manual(world)
    assert services.save_review_scores(submitted, world.reviewer, {item.pk: ("0.5", "佐证不足", "")}) == []
    store(world.cycle, compute(world.cycle))
    items = result_items(Result.objects.get(submission=world.sub))
    assert items[item.code]["score"] == "0.50" and items[item.code]["who"] == "reviewer"
    assert "佐证不足" in items[item.code]["explanation"]


def test_a_reviewer_veto_caps_the_grade(world, submitted):
    veto = _veto(world)
    services.save_review_scores(submitted, world.reviewer, {veto.pk: ("", "存在弄虚作假", "yes")})
    store(world.cycle, compute(world.cycle))
    r = Result.objects.get(submission=world.sub)
    assert any(v.startswith(veto.code) for v in r.vetoes)
    cap = veto.rule.get("cap_grade") or world.scheme.grade_bands[-1]["name"]
    names = [b["name"] for b in world.scheme.grade_bands]
    assert names.index(r.grade) >= names.index(cap)


def test_counties_and_outsiders_cannot_review(world, submitted, client_as):
    item = _manual(world)
    for user in (world.county_filler, world.outsider):
        with pytest.raises(services.WorkflowError):
            services.save_review_scores(submitted, user, {item.pk: ("1", "", "")})
    assert client_as(world.county_filler).get(reverse("review", args=[world.sub.pk])).status_code == 404
    assert client_as(world.reviewer).get(reverse("review", args=[world.sub.pk])).status_code == 200


def test_drafts_cannot_be_reviewed_and_bad_scores_are_refused(world, submitted):
    item = _manual(world)
    with pytest.raises(services.WorkflowError):
        services.save_review_scores(world.other_sub, world.reviewer, {item.pk: ("1", "", "")})
    errors = services.save_review_scores(submitted, world.reviewer, {item.pk: ("999", "", "")})
    assert errors and ItemScore.objects.get(submission=world.sub, indicator=item).reviewer_score is None


def test_the_scorecard_shows_the_history_of_an_item(world, submitted, client_as):
    item = _manual(world)
    services.save_review_scores(submitted, world.reviewer, {item.pk: ("0.5", "", "")})
    store(world.cycle, compute(world.cycle))
    # the office: the county sees no reviewer's score before 公示 (release app)
    body = client_as(world.province_admin).get(reverse("scorecard", args=[world.sub.pk])).content.decode()
    assert "修改记录（2）" in body  # the self score, then the reviewer's
    assert "评审 reviewer" in body and "→ 0.50" in body
