"""设区市复核: a province cycle of counties with a city review stage passes each county's submission
through its city office first; the province sees the city's opinion and recommended grade."""

from datetime import date

import pytest

from dutyeval.audit.models import AuditLog
from dutyeval.evaluation import city_review, services
from dutyeval.evaluation.models import CityReview, CycleStage, Submission
from dutyeval.notifications.models import Notification


@pytest.fixture
def two_tier(world, django_user_model):
    """The world's cycle with a 设区市复核 stage, and 晋城市's office and reviewer."""
    CycleStage.objects.create(cycle=world.cycle, kind="city_review", starts=date(2021, 6, 1), ends=date(2021, 6, 15))
    jincheng = world.zezhou.parent
    world.city_admin = django_user_model.objects.create(username="jc_admin", role="city_admin", region=jincheng)
    world.city_reviewer = django_user_model.objects.create(username="jc_rev", role="city_reviewer", region=jincheng)
    taiyuan = world.shanxi.children.get(code="140100")
    world.other_city = django_user_model.objects.create(username="ty_admin", role="city_admin", region=taiyuan)
    return world


def _submitted(w, fill):
    fill(w.sub, w.county_filler)
    return services.submit_submission(w.sub, w.county_filler)


def test_submission_goes_to_the_city_first_and_the_province_cannot_accept_it_yet(two_tier, fill_all_self_scores):
    w = two_tier
    sub = _submitted(w, fill_all_self_scores)
    assert sub.state == "submitted" and services.needs_city_review(sub)
    told = set(Notification.objects.filter(kind="submitted").values_list("user__username", flat=True))
    assert told == {"jc_admin", "jc_rev"}  # the city is told, not yet the province
    for act in (lambda: services.accept_submission(sub, w.province_admin),
                lambda: services.return_submission(sub, w.province_admin, "x")):
        with pytest.raises(services.WorkflowError, match="设区市复核"):
            act()


def test_city_forwards_with_opinion_and_grade_then_the_province_accepts(two_tier, fill_all_self_scores):
    w = two_tier
    sub = _submitted(w, fill_all_self_scores)
    sub = city_review.forward_to_province(sub, w.city_reviewer, "数据与佐证一致，建议优秀。", "优秀")
    assert sub.state == "forwarded"
    review = CityReview.objects.get(submission=sub)
    assert (review.opinion, review.recommended_grade, review.reviewed_by) == ("数据与佐证一致，建议优秀。", "优秀",
                                                                            w.city_reviewer)
    assert Notification.objects.filter(user=w.province_admin, kind="forwarded").exists()
    log = AuditLog.objects.get(action="evaluation.submission.city_forward")
    assert log.data["grade"] == "优秀" and log.data["from"] == "submitted"
    assert services.accept_submission(sub, w.province_admin).state == "accepted"


def test_city_can_return_with_a_reason_and_the_county_resubmits(two_tier, fill_all_self_scores):
    w = two_tier
    sub = _submitted(w, fill_all_self_scores)
    with pytest.raises(services.WorkflowError, match="退回原因"):
        city_review.return_by_city(sub, w.city_admin, " ")
    sub = city_review.return_by_city(sub, w.city_admin, "缺少编制数据佐证")
    assert sub.state == "returned" and sub.return_reason == "缺少编制数据佐证"
    assert services.submit_submission(sub, w.county_filler).state == "submitted"


@pytest.mark.parametrize("opinion, grade, message", [
    ("", "优秀", "复核意见"), ("好", "", "建议等次"), ("好", "特等", "建议等次"), ("长" * 4001, "优秀", "4000"),
])
def test_bad_forward_is_refused_and_changes_nothing(two_tier, fill_all_self_scores, opinion, grade, message):
    w = two_tier
    sub = _submitted(w, fill_all_self_scores)
    with pytest.raises(services.WorkflowError, match=message):
        city_review.forward_to_province(sub, w.city_admin, opinion, grade)
    assert Submission.objects.get(pk=sub.pk).state == "submitted" and not CityReview.objects.exists()


def test_only_the_countys_own_city_reviews(two_tier, fill_all_self_scores):
    w = two_tier
    sub = _submitted(w, fill_all_self_scores)
    for user in (w.other_city, w.province_admin, w.reviewer, w.county_filler):
        with pytest.raises(services.WorkflowError, match="设区市"):
            city_review.forward_to_province(sub, user, "意见", "优秀")
    # and the city cannot take the province's decision
    with pytest.raises(services.WorkflowError):
        services.accept_submission(city_review.forward_to_province(sub, w.city_admin, "意见", "良好"), w.city_admin)


def test_without_a_city_review_stage_the_province_decides_directly(world, fill_all_self_scores, django_user_model):
    city = django_user_model.objects.create(username="jc", role="city_admin", region=world.zezhou.parent)
    sub = _submitted(world, fill_all_self_scores)
    assert not services.needs_city_review(sub)
    with pytest.raises(services.WorkflowError):
        city_review.forward_to_province(sub, city, "意见", "优秀")
    assert services.accept_submission(sub, world.province_admin).state == "accepted"


def test_forwarded_submission_is_locked_for_the_county(two_tier, fill_all_self_scores):
    w = two_tier
    sub = city_review.forward_to_province(_submitted(w, fill_all_self_scores), w.city_admin, "意见", "良好")
    with pytest.raises(services.WorkflowError):
        services.save_narrative(sub, w.county_filler, "1", "改")
    from dutyeval.collection.services import YearClosed, save_values

    with pytest.raises(YearClosed):
        save_values(w.zezhou, w.cycle.data_year, {"enrol_primary": "1"}, user=w.county_filler, source="entered")


def test_pages_show_the_city_form_to_the_city_and_the_opinion_to_the_province(two_tier, fill_all_self_scores,
                                                                              client_as):
    from django.urls import reverse

    w = two_tier
    sub = _submitted(w, fill_all_self_scores)
    url = reverse("submission", args=[sub.pk])
    page = client_as(w.city_reviewer).get(url).content.decode()
    assert "city-forward-btn" in page and "优秀" in page
    r = client_as(w.city_reviewer).post(reverse("submission-city-review", args=[sub.pk]),
                                        {"decision": "forward", "opinion": "", "recommended_grade": "良好"})
    assert r.status_code == 302
    page = client_as(w.city_reviewer).get(url).content.decode()
    assert "复核报送须填写复核意见" in page and 'value="良好" selected' in page  # what was chosen is kept
    client_as(w.city_reviewer).post(reverse("submission-city-review", args=[sub.pk]),
                                    {"decision": "forward", "opinion": "建议良好等次", "recommended_grade": "良好"})
    page = client_as(w.province_admin).get(url).content.decode()
    assert "建议良好等次" in page and 'id="city-grade"' in page and "审核通过" in page
    # the city office sees the cycle's overview, with its own counties only
    overview = client_as(w.city_admin).get(reverse("cycle", args=[w.cycle.pk]))
    assert overview.status_code == 200
    assert client_as(w.other_city).get(reverse("cycle", args=[w.cycle.pk])).status_code == 200


def test_a_city_runs_its_own_cycle_for_its_counties(world, client_as, django_user_model):
    """绍政教督办〔2022〕2号: the city office opens, publishes and decides its own cycle; its reviewer
    scores it; the province's office does not decide it."""
    from datetime import timedelta

    from django.urls import reverse

    from dutyeval.evaluation import cycles

    jincheng = world.zezhou.parent
    city_admin = django_user_model.objects.create(username="jc", role="city_admin", region=jincheng)
    city_rev = django_user_model.objects.create(username="jcr", role="city_reviewer", region=jincheng)
    today = date.today()
    draft = cycles.CycleDraft(
        name="晋城市2027年对县级政府履行教育职责评价", scheme=world.scheme, year=2027, data_year=2026, level="county",
        late_policy="ask", excluded=[], area_years={}, stages={
            "self_evaluation": (today, today + timedelta(days=20))})
    cycle = cycles.save_draft(city_admin, jincheng, draft)
    n = cycles.publish_cycle(cycle, city_admin)
    assert n == jincheng.children.filter(level="county").count()
    assert not cycle.has_city_review  # the city is the organiser, there is no tier in between
    with pytest.raises(services.WorkflowError):
        cycles.publish_cycle(cycle, world.province_admin)
    sub = Submission.objects.get(cycle=cycle, region=world.zezhou)
    from dutyeval.accounts import scoping

    assert scoping.runs_cycle(city_admin, cycle) and not scoping.runs_cycle(world.province_admin, cycle)
    assert scoping.reviews_cycle(city_rev, cycle) and not scoping.reviews_cycle(world.reviewer, cycle)
    assert client_as(city_admin).get(reverse("cycle", args=[cycle.pk])).status_code == 200
    assert client_as(city_rev).get(reverse("review", args=[sub.pk])).status_code == 200
    # an office of another city sees nothing of it
    taiyuan = django_user_model.objects.create(username="ty", role="city_admin",
                                               region=world.shanxi.children.get(code="140100"))
    assert client_as(taiyuan).get(reverse("cycle", args=[cycle.pk])).status_code == 404
    assert client_as(taiyuan).get(reverse("submission", args=[sub.pk])).status_code == 404
