"""The workflow's error and the one rule "who may change a submission now", below every service that
needs them (workflow, evidence, the 报送文件, reports), so none of those has to import another."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dutyeval.accounts import scoping

from .models import Submission


class WorkflowError(Exception):
    """A transition not allowed in the current state, or by this user. The message is for users."""


class ItemError(str):
    """An error message about one indicator; `pk` lets a page show it next to that item's field."""

    def __new__(cls, message: str, pk: int):
        obj = super().__new__(cls, message)
        obj.pk = pk
        return obj


def require_editable(sub: Submission, user) -> None:
    if not scoping.can_edit_region_data(user, sub.region):
        raise WorkflowError(_("只有本县（市、区）填报联络员可以修改"))
    if not sub.editable:
        raise WorkflowError(_("材料已提交，退回前不能修改"))


def submission_for(user, pk: int) -> Submission:
    """A submission the user may see (404 otherwise), with what every page of it shows."""
    return scoping.get_in_scope(user, Submission.objects.select_related("region", "cycle", "cycle__scheme"), pk=pk)
