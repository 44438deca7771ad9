"""The demo's second tier and departments: a national office, 晋城市's office and city reviewer, and
泽州县's departments from the scheme's 牵头单位 with 县财政局 given an account."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from dutyeval.accounts.models import User
from dutyeval.evaluation.models import Cycle, Submission
from dutyeval.regions.models import Region

from . import services
from .models import Department


def _user(username: str, password_hash: str, **fields) -> User:
    user, _created = User.objects.update_or_create(username=username, defaults={"password": password_hash,
                                                                                 "is_active": True, **fields})
    return user


def add_demo_tiers(cycle: Cycle, password: str, county_code: str = "140525") -> list[tuple[str, str, str]]:
    """Users of the other tiers for the demo cycle; returns their logins (username, password, role)."""
    hashed = make_password(password)
    national = Region.objects.get_or_create(code="000000", defaults={"name": "全国", "level": "national"})[0]
    _user("national", hashed, role=User.Role.NATIONAL_ADMIN, region=national, display_name="国家督导办 赵处长")
    logins = [("national", password, "国家督导办管理员（全国）")]
    sub = Submission.objects.filter(cycle=cycle, region__code=county_code).select_related("region").first()
    if sub is None:
        return logins
    city = sub.region.parent
    if city is not None and city.level == Region.Level.CITY:
        tag = f"{city.code[:4]}"
        _user(f"city{tag}", hashed, role=User.Role.CITY_ADMIN, region=city, display_name=f"{city.name}督导办")
        _user(f"cityrev{tag}", hashed, role=User.Role.CITY_REVIEWER, region=city, display_name=f"{city.name}复核人员")
        logins += [(f"city{tag}", password, f"市级督导办管理员（{city.name}）"),
                   (f"cityrev{tag}", password, f"市级复核人员（{city.name}）")]
    coordinator = User.objects.filter(role=User.Role.COUNTY_COORDINATOR, region=sub.region).first()
    if coordinator is None:
        return logins
    services.add_scheme_departments(sub, coordinator)
    services.assign_defaults(sub, coordinator)
    finance = Department.objects.filter(region=sub.region, name__contains="财政").order_by("order").first()
    if finance is not None:
        username = f"c{sub.region.code}czj"
        _user(username, hashed, role=User.Role.DEPARTMENT, region=sub.region, department=finance,
              display_name=f"{sub.region.name}{finance.name}")
        logins.append((username, password, f"部门填报人员（{sub.region.name}{finance.name}）"))
    return logins
