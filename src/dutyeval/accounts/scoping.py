"""Who may see and change what. Every view and API call goes through these functions.

A user acts for one region (STYLE.md §8): province admins and reviewers see that region's whole
subtree; county coordinators see and change only their own county. The unscoped path is the
Django admin, for superusers only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from dutyeval.regions.models import Region

from .models import User

Role = User.Role


def visible_regions(user) -> QuerySet[Region]:
    if not user.is_authenticated:
        return Region.objects.none()
    if user.is_superuser and user.region_id is None:
        return Region.objects.all()
    if user.region_id is None:
        return Region.objects.none()
    if user.role == Role.COUNTY_COORDINATOR:
        return Region.objects.filter(pk=user.region_id)
    return Region.objects.filter(code__startswith=user.region.prefix)


def can_view_region(user, region: Region) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser and user.region_id is None:
        return True
    if user.region_id is None:
        return False
    if user.role == Role.COUNTY_COORDINATOR:
        return region.pk == user.region_id
    return user.region.contains(region)


def can_edit_region_data(user, region: Region) -> bool:
    """Only the region's own coordinator fills its figures and self scores."""
    return user.is_authenticated and user.role == Role.COUNTY_COORDINATOR and region.pk == user.region_id


def can_administer(user, region: Region) -> bool:
    """Return / accept submissions, see the overview: the province administrator of an enclosing region."""
    return (
        user.is_authenticated
        and user.role == Role.PROVINCE_ADMIN
        and user.region_id is not None
        and user.region.contains(region)
    )


def can_review(user, region: Region) -> bool:
    return (
        user.is_authenticated
        and user.role in (Role.REVIEWER, Role.PROVINCE_ADMIN)
        and user.region_id is not None
        and user.region.contains(region)
    )


def require_view(user, region: Region) -> None:
    # 404, not 403: a county must not learn which other submissions exist
    if not can_view_region(user, region):
        raise Http404


def require_edit(user, region: Region) -> None:
    require_view(user, region)
    if not can_edit_region_data(user, region):
        raise PermissionDenied("只有本县（市、区）填报联络员可以修改本地数据")


def coordinators_of(region: Region):
    """Who is told about a region's own submission: its coordinators."""
    return User.objects.filter(role=Role.COUNTY_COORDINATOR, region=region, is_active=True)


def offices_over(region: Region):
    """Who is told when a region submits: the office administrators of the regions that contain it."""
    codes, node = [], region
    while node is not None:
        codes.append(node.code)
        node = node.parent
    return User.objects.filter(role=Role.PROVINCE_ADMIN, region__code__in=codes, is_active=True)


def get_in_scope(user, queryset, *, region_of=lambda obj: obj.region, **lookup):
    """The one object `lookup` finds, if its region is in the user's scope; 404 otherwise (not found and
    not yours look the same)."""
    from django.shortcuts import get_object_or_404

    obj = get_object_or_404(queryset, **lookup)
    require_view(user, region_of(obj))
    return obj
