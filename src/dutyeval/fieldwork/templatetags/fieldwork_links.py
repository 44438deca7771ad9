"""Links into field verification from shared pages (home), so web/views need not know this app."""

from django import template

from ..models import TeamMember

register = template.Library()


@register.inclusion_tag("fieldwork/_my_teams.html")
def my_field_teams(user):
    seats = TeamMember.objects.filter(user=user).select_related("team__cycle") if user.is_authenticated else []
    return {"seats": list(seats)}
