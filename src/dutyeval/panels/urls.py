from django.urls import path

from . import views

urlpatterns = [
    path("cycles/<int:pk>/panels/", views.cycle_panels, name="panels"),
    path("panels/experts/", views.experts, name="panel-experts"),
    path("s/<int:pk>/panel/", views.panel, name="panel"),
    path("s/<int:pk>/panel/file/<int:file>/", views.finding_file, name="panel-file"),
    path("s/<int:pk>/supplement/", views.supplement, name="supplement"),
]
