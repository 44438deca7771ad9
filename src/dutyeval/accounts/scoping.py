"""Who may see and change what. Every view and API call goes through these functions.

A user acts for one region (STYLE.md §8). Offices (national, province, city) and reviewers see that
region's whole subtree; a region's coordinator and its department users see only their own region.
What an office may *decide* depends on the cycle: the office whose region is the cycle's root runs
it (publish, accept, return, correct); a city office in between reviews its counties first when
the province's calendar has a city review stage (设区市复核). The unscoped path is the Django admin,
for superusers only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from dutyeval.regions.models import Region

from .models import User

Role = User.Role

OFFICE_ROLES = (Role.NATIONAL_ADMIN, Role.PROVINCE_ADMIN, Role.CITY_ADMIN)
REVIEWER_ROLES = (Role.REVIEWER, Role.CITY_REVIEWER)
OWN_REGION_ROLES = (Role.COUNTY_COORDINATOR, Role.DEPARTMENT)  # see their own region only


def visible_regions(user) -> QuerySet[Region]:
    if not user.is_authenticated:
        return Region.objects.none()
    if user.is_superuser and user.region_id is None:
        return Region.objects.all()
    if user.region_id is None:
        return Region.objects.none()
    if user.role in OWN_REGION_ROLES:
        return Region.objects.filter(pk=user.region_id)
    return Region.objects.filter(code__startswith=user.region.prefix)


def can_view_region(user, region: Region) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser and user.region_id is None:
        return True
    if user.region_id is None:
        return False
    if user.role in OWN_REGION_ROLES:
        return region.pk == user.region_id
    return user.region.contains(region)


def can_edit_region_data(user, region: Region) -> bool:
    """Only the region's own coordinator fills its figures and self scores."""
    return user.is_authenticated and user.role == Role.COUNTY_COORDINATOR and region.pk == user.region_id


def can_fill_region_data(user, region: Region) -> bool:
    """The coordinator, and the region's department users for what is assigned to their department
    (departments.services says what that is)."""
    return (
        user.is_authenticated
        and user.region_id == region.pk
        and (user.role == Role.COUNTY_COORDINATOR or (user.role == Role.DEPARTMENT and user.department_id is not None))
    )


def is_department_user(user) -> bool:
    return user.is_authenticated and user.role == Role.DEPARTMENT


def can_administer(user, region: Region) -> bool:
    """An office administrator (national, province, city) whose region encloses `region`: opens cycles
    there, sees its overview."""
    return (
        user.is_authenticated
        and user.role in OFFICE_ROLES
        and user.region_id is not None
        and user.region.contains(region)
    )


def runs_cycle(user, cycle) -> bool:
    """The office that organises the cycle (its root region): publish, accept, return, urge, correct."""
    return user.is_authenticated and user.role in OFFICE_ROLES and user.region_id == cycle.root_id


def reviews_cycle(user, cycle) -> bool:
    """Scores a cycle's submissions: its own office, and reviewers acting for the cycle's root region."""
    return runs_cycle(user, cycle) or (
        user.is_authenticated and user.role in REVIEWER_ROLES and user.region_id == cycle.root_id
    )


def can_city_review(user, submission) -> bool:
    """The city office or city reviewer of a county, in a province cycle with a city review stage."""
    return (
        user.is_authenticated
        and user.role in (Role.CITY_ADMIN, Role.CITY_REVIEWER)
        and user.region_id is not None
        and user.region.level == Region.Level.CITY
        and user.region.contains(submission.region)
        and submission.cycle.has_city_review
    )


def sees_cycle(user, cycle) -> bool:
    """Opens a cycle's overview and results: whoever reviews it, offices above its root, and the city
    offices that review its counties (their list shows only their own counties)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser and user.region_id is None:
        return True
    if reviews_cycle(user, cycle) or can_administer(user, cycle.root):
        return True
    return (
        user.role in (Role.CITY_ADMIN, Role.CITY_REVIEWER)
        and user.region_id is not None
        and cycle.root.contains(user.region)
        and cycle.has_city_review
    )


def require_whole_view(user, region: Region) -> None:
    """Pages of a region's whole submission (reports, imports, scorecard): not for department users,
    who see only what is assigned to their department."""
    if is_department_user(user):
        raise Http404
    require_view(user, region)


def require_view(user, region: Region) -> None:
    # 404, not 403: a county must not learn which other submissions exist
    if not can_view_region(user, region):
        raise Http404


def require_edit(user, region: Region) -> None:
    require_view(user, region)
    if not can_edit_region_data(user, region):
        raise PermissionDenied("只有本县（市、区）填报联络员可以修改本地数据")


def require_fill(user, region: Region) -> None:
    require_view(user, region)
    if not can_fill_region_data(user, region):
        raise PermissionDenied("只有本县（市、区）填报联络员或责任部门可以修改本地数据")


def coordinators_of(region: Region):
    """Who is told about a region's own submission: its coordinators."""
    return User.objects.filter(role=Role.COUNTY_COORDINATOR, region=region, is_active=True)


def offices_over(region: Region, *, roles=(Role.PROVINCE_ADMIN,)):
    """Office administrators (by default the province's) of the regions that contain `region`."""
    codes, node = [], region
    while node is not None:
        codes.append(node.code)
        node = node.parent
    return User.objects.filter(role__in=roles, region__code__in=codes, is_active=True)


def cycle_office(cycle):
    """Who runs a cycle: the office administrators of its root region."""
    return User.objects.filter(role__in=OFFICE_ROLES, region=cycle.root, is_active=True)


def city_reviewers_of(region: Region):
    """Who reviews a county first in a cycle with 设区市复核: its city's office and city reviewers."""
    city = region.parent if region.level == Region.Level.COUNTY else None
    if city is None or city.level != Region.Level.CITY:
        return User.objects.none()
    return User.objects.filter(role__in=(Role.CITY_ADMIN, Role.CITY_REVIEWER), region=city, is_active=True)


def get_in_scope(user, queryset, *, region_of=lambda obj: obj.region, **lookup):
    """The one object `lookup` finds, if its region is in the user's scope; 404 otherwise (not found and
    not yours look the same)."""
    from django.shortcuts import get_object_or_404

    obj = get_object_or_404(queryset, **lookup)
    require_view(user, region_of(obj))
    return obj
