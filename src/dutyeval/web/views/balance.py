from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dutyeval.core.balance import QUALITY_INDICATORS
from dutyeval.regions.balance import county_balance

from .common import submission_for


@login_required
def county(request, pk: int):
    sub = submission_for(request.user, pk, departments=False)
    year = sub.cycle.data_year
    reports = county_balance(sub.region, year)
    charts = [
        {
            "level": r["level_name"],
            "names": [i["name"] for i in r["indicators"]],
            "cv": [i["cv"] for i in r["indicators"]],
            "max": r["indicators"][0]["cv_max"],
        }
        for r in reports
    ]
    return render(
        request,
        "web/balance.html",
        {"sub": sub, "year": year, "reports": reports, "charts": charts,
         "indicator_names": [i.name for i in QUALITY_INDICATORS]},
    )
