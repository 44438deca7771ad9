from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("cycles/<int:pk>/", views.cycle_results, name="cycle"),
    path("cycles/<int:pk>/import/", views.upload, name="import"),
    path("cycles/<int:pk>/settings/", views.edit_settings, name="settings"),
    path("cycles/<int:pk>/export.xlsx", views.export, name="export"),
    path("survey-imports/<int:pk>/", views.preview, name="preview"),
    path("survey-imports/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("s/<int:pk>/", views.region_results, name="region"),
]
