"""Helpers every view uses to fetch objects within the user's region scope."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from dutyeval.accounts import scoping
from dutyeval.evaluation.models import Submission


def submission_for(user, pk: int) -> Submission:
    sub = get_object_or_404(Submission.objects.select_related("region", "cycle", "cycle__scheme"), pk=pk)
    scoping.require_view(user, sub.region)
    return sub
