from django import template
from django.utils import timezone

from dutyeval.accounts import scoping

register = template.Library()


@register.inclusion_tag("panels/_supplement_notice.html", takes_context=True)
def supplement_notice(context, sub):
    """One line on a region's submission page: the panel's open requests for 补充材料 (its coordinator only)."""
    from dutyeval.panels.models import SupplementRequest

    user = context["request"].user
    if not scoping.can_edit_region_data(user, sub.region):
        return {"requests": []}
    reqs = list(SupplementRequest.objects.filter(submission=sub, state=SupplementRequest.State.OPEN)
                .select_related("indicator"))
    return {"sub": sub, "requests": reqs, "first": min((r.deadline for r in reqs), default=None),
            "today": timezone.localdate()}
