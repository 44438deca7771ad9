"""`{% evidence_cell indicator editable=can_edit %}`: an item's files (and, for its coordinator while
the submission is editable, the upload control), on the self-evaluation and review pages.

The files of the whole submission are read once per page and kept on the submission object."""

from django import template

from dutyeval.evidence.services import evidence_by_item
from dutyeval.evidence.views import cell_context

register = template.Library()


@register.inclusion_tag("evidence/_cell.html", takes_context=True)
def evidence_cell(context, indicator, editable=False):
    sub = context["sub"]
    cache = getattr(sub, "_evidence_by_item", None)
    if cache is None:
        cache = sub._evidence_by_item = evidence_by_item(sub)
    ctx = cell_context(context["request"].user, sub, indicator, editable=editable, files=cache.get(indicator.pk, []))
    ctx["csrf_token"] = context.get("csrf_token")
    return ctx
