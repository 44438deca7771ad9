from dutyeval.evaluation.models import Cycle


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from dutyeval.notifications.services import unread_count

    return {
        "unread_count": unread_count(user),
        "role_label": user.get_role_display() if user.role else ("系统管理员" if user.is_superuser else ""),
        # the newest published cycle this user may open (one pair of links: the bar must fit 1366 px);
        # every cycle is listed on 我的待办 and, drafts too, under 评价周期
        "nav_cycles": _nav_cycles(user),
    }


def _nav_cycles(user) -> list:
    from dutyeval.accounts import scoping

    if not user.region_id or user.role in scoping.OWN_REGION_ROLES:
        return []
    cycles = Cycle.objects.filter(root__code__startswith=user.region.prefix[:2], state="published").select_related("root")
    return [c for c in cycles[:6] if scoping.sees_cycle(user, c)][:1]
