from dutyeval.evaluation.models import Cycle


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from dutyeval.notifications.services import unread_count

    return {
        "unread_count": unread_count(user),
        "role_label": user.get_role_display() if user.role else ("系统管理员" if user.is_superuser else ""),
        # the two newest published cycles; all of them (drafts too) are under 评价周期
        "nav_cycles": Cycle.objects.filter(root__code__startswith=user.region.prefix[:2], state="published")[:2]
        if user.region_id and user.role != "county_coordinator"
        else [],
    }
