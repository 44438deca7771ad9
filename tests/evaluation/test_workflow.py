import pytest

from dutyeval.audit.models import AuditLog
from dutyeval.evaluation import services
from dutyeval.evaluation.models import Submission


def test_a_county_cannot_submit_with_unscored_items(world):
    with pytest.raises(services.WorkflowError, match="未自评打分"):
        services.submit_submission(world.sub, world.county_filler)


def test_submit_locks_and_return_unlocks(world, fill_all_self_scores):
    fill_all_self_scores(world.sub, world.county_filler)
    sub = services.submit_submission(world.sub, world.county_filler)
    assert sub.state == "submitted" and sub.submitted_by == world.county_filler
    with pytest.raises(services.WorkflowError, match="已提交"):
        services.save_narrative(sub, world.county_filler, "1", "改一下")
    with pytest.raises(services.WorkflowError):
        services.submit_submission(sub, world.county_filler)
    sub = services.return_submission(sub, world.province_admin, "请补充佐证材料")
    assert sub.state == "returned" and sub.return_reason == "请补充佐证材料"
    services.save_narrative(sub, world.county_filler, "1", "已补充")
    assert services.submit_submission(sub, world.county_filler).state == "submitted"
    actions = list(AuditLog.objects.filter(object_id=str(sub.pk)).values_list("action", flat=True))
    assert actions.count("evaluation.submission.submit") == 2 and "evaluation.submission.return" in actions


def test_return_needs_a_reason_and_the_right_person(world, fill_all_self_scores):
    fill_all_self_scores(world.sub, world.county_filler)
    sub = services.submit_submission(world.sub, world.county_filler)
    with pytest.raises(services.WorkflowError, match="退回原因"):
        services.return_submission(sub, world.province_admin, "  ")
    for user in (world.county_filler, world.reviewer, world.outsider):
        with pytest.raises(services.WorkflowError):
            services.return_submission(sub, user, "理由")
    assert Submission.objects.get(pk=sub.pk).state == "submitted"


def test_only_the_own_coordinator_submits(world, fill_all_self_scores):
    fill_all_self_scores(world.sub, world.county_filler)
    for user in (world.other_filler, world.province_admin):
        with pytest.raises(services.WorkflowError):
            services.submit_submission(world.sub, user)


def test_a_draft_cannot_be_accepted_or_returned(world):
    with pytest.raises(services.WorkflowError):
        services.accept_submission(world.sub, world.province_admin)
    with pytest.raises(services.WorkflowError):
        services.return_submission(world.sub, world.province_admin, "x")


def test_accept_after_submit(world, fill_all_self_scores):
    fill_all_self_scores(world.sub, world.county_filler)
    services.submit_submission(world.sub, world.county_filler)
    assert services.accept_submission(world.sub, world.province_admin).state == "accepted"


@pytest.mark.parametrize(
    "text, ok",
    [("abc", False), ("-1", False), ("999", False), ("NaN", False), ("Infinity", False), ("1.5", True), ("", True)],
)
def test_self_scores_are_validated_against_points(world, text, ok):
    leaf = next(i for i in services.manual_leaves(world.sub) if i.rule_kind == "manual" and i.points >= 2)
    errors = services.save_self_scores(world.sub, world.county_filler, {leaf.pk: (text, "")})
    assert (errors == []) is ok
