from django.urls import include, path

from dutyeval.reports import views as reports

from .views import (
    balance,
    correction,
    cover,
    cycle,
    cycle_setup,
    data,
    results,
    review,
    schools,
    scoring,
    submission,
)
from .views.account import password_change
from .views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", cycle.home, name="home"),
    path("notifications/read/", cycle.read_all, name="notifications-read"),
    path("account/password/", password_change, name="password-change"),
    path("schools/", schools.schools, name="schools"),
    path("cycles/", cycle_setup.cycle_list, name="cycle-list"),
    path("cycles/new/", cycle_setup.cycle_edit, name="cycle-new"),
    path("cycles/<int:pk>/edit/", cycle_setup.cycle_edit, name="cycle-edit"),
    path("cycles/<int:pk>/publish/", cycle_setup.cycle_publish, name="cycle-publish"),
    path("cycles/<int:pk>/urge/", cycle_setup.urge, name="cycle-urge"),
    path("cycles/<int:pk>/", cycle.overview, name="cycle"),
    path("cycles/<int:pk>/results/", results.results, name="results"),
    path("cycles/<int:pk>/job/", results.job_status, name="cycle-job"),
    path("cycles/<int:pk>/recompute/", results.recompute, name="cycle-recompute"),
    path("s/<int:pk>/", submission.detail, name="submission"),
    path("s/<int:pk>/submit/", submission.submit, name="submission-submit"),
    path("s/<int:pk>/return/", submission.return_, name="submission-return"),
    path("s/<int:pk>/accept/", submission.accept, name="submission-accept"),
    path("s/<int:pk>/allow-late/", cycle_setup.allow_late, name="submission-allow-late"),
    path("s/<int:pk>/cover/", cover.record, name="cover-record"),
    path("s/<int:pk>/cover.pdf", cover.download, name="cover-download"),
    path("s/<int:pk>/data/<slug:area>/", data.area_form, name="data-area"),
    path("s/<int:pk>/excel/", data.excel, name="data-excel"),
    path("s/<int:pk>/correct/", correction.correct, name="data-correct"),
    path("s/<int:pk>/excel/template.xlsx", data.excel_template, name="data-template"),
    path("imports/<int:pk>/errors.xlsx", data.import_errors, name="import-errors"),
    path("s/<int:pk>/self/", scoring.self_evaluation, name="self-evaluation"),
    path("s/<int:pk>/scorecard/", scoring.scorecard, name="scorecard"),
    path("s/<int:pk>/balance/", balance.county, name="balance"),
    path("s/<int:pk>/review/", review.review, name="review"),
    path("s/<int:pk>/reports/", reports.upload, name="report-upload"),
    path("reports/<int:pk>/", reports.detail, name="report"),
    path("reports/<int:pk>/accept/<int:index>/", reports.accept, name="report-accept"),
    path("s/<int:pk>/city-review/", submission.city_review, name="submission-city-review"),
    path("", include("dutyeval.evidence.urls")),
    path("", include("dutyeval.departments.urls")),
    path("", include("dutyeval.release.urls")),
]
