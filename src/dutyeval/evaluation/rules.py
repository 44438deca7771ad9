"""The workflow's error and the one rule "who may change a submission now", below every service that
needs them (workflow, evidence, the 报送文件, reports), so none of those has to import another."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from dutyeval.accounts import scoping

from .models import Submission


class WorkflowError(Exception):
    """A transition not allowed in the current state, or by this user. The message is for users."""


class NotAllowed(WorkflowError):
    """Refused because of who asks, whatever the state (the API answers 403, not 409)."""


class ItemError(str):
    """An error message about one indicator; `pk` lets a page show it next to that item's field."""

    def __new__(cls, message: str, pk: int):
        obj = super().__new__(cls, message)
        obj.pk = pk
        return obj


def require_editable(sub: Submission, user) -> None:
    if not scoping.can_edit_region_data(user, sub.region):
        raise NotAllowed(_("只有本县（市、区）填报联络员可以修改"))
    if not sub.editable:
        raise WorkflowError(_("材料已提交，退回前不能修改"))


def assigned_codes(sub: Submission, user, kind: str) -> set[str] | None:
    """What of a submission a department user fills (责任分工): the codes of `kind` ("item" or
    "element") assigned to their department. None for everyone else: no restriction by department."""
    if not scoping.is_department_user(user):
        return None
    return set(sub.assignments.filter(kind=kind, department_id=user.department_id, department__active=True)
               .values_list("code", flat=True))


def require_assigned(sub: Submission, user, kind: str, code: str) -> None:
    """A department user opens only what is assigned to their department (404 otherwise)."""
    allowed = assigned_codes(sub, user, kind)
    if allowed is not None and code not in allowed:
        raise Http404


def may_fill(sub: Submission, user, *, item: str | None = None) -> bool:
    """Whether a page shows this user editable fields (for one item, when given)."""
    if not (sub.editable and scoping.can_fill_region_data(user, sub.region)):
        return False
    allowed = assigned_codes(sub, user, "item") if item else None
    return allowed is None or item in allowed


def require_fillable(sub: Submission, user, *, items=(), elements=()) -> None:
    """The coordinator, or a department user for what is assigned to their department, may change
    these items' self scores and evidence and these elements' figures now. Another department's
    item is 404, like another region's."""
    if not scoping.can_fill_region_data(user, sub.region):
        raise NotAllowed(_("只有本县（市、区）填报联络员或责任部门可以修改"))
    for kind, codes in (("item", items), ("element", elements)):
        allowed = assigned_codes(sub, user, kind)
        if allowed is not None and not set(codes) <= allowed:
            raise Http404
    if not sub.editable:
        raise WorkflowError(_("材料已提交，退回前不能修改"))


def cycle_for(user, pk: int, *, run: bool = False):
    """A cycle the user sees (`run`: one the user's office runs), with its scheme and root; 404 else."""
    from django.shortcuts import get_object_or_404

    from .models import Cycle

    cycle = get_object_or_404(Cycle.objects.select_related("scheme", "root"), pk=pk)
    if not (scoping.runs_cycle(user, cycle) if run else scoping.sees_cycle(user, cycle)):
        raise Http404
    return cycle


def submission_for(user, pk: int, *, departments: bool = True) -> Submission:
    """A submission the user may see (404 otherwise), with what every page of it shows. Pages that
    show the whole submission (scorecard, Excel, report, balance) pass departments=False: a
    department user sees only its own share, through the overview, data and self-scoring pages."""
    if not departments and scoping.is_department_user(user):
        raise Http404
    sub = scoping.get_in_scope(user, Submission.objects.select_related("region", "cycle", "cycle__scheme"), pk=pk)
    require_panel_access(user, sub)  # a panel cycle's reviewers open only their own panels' regions
    return sub


# Review panels (the panels app, above this module) are read through their reverse relations
# (Submission.panel, Panel.members), so the rule every page obeys needs no import from above.
def uses_panels(cycle) -> bool:
    """A cycle is reviewed by panels once any of its submissions has one."""
    return Submission.objects.filter(cycle=cycle, panel__isnull=False).exists()


def require_panel_access(user, sub: Submission) -> None:
    """In a panel cycle a reviewer of the office opens only the regions of their own panels (404 else)."""
    pool = user.is_authenticated and user.role in scoping.REVIEWER_ROLES and user.region_id == sub.cycle.root_id
    if pool and uses_panels(sub.cycle) and not Submission.objects.filter(pk=sub.pk, panel__members__reviewer=user).exists():
        raise Http404
