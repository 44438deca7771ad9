from django.urls import path

from . import views

app_name = "draws"

urlpatterns = [
    path("cycles/<int:pk>/", views.cycle_draws, name="cycle"),
    path("cycles/<int:pk>/new/", views.new_draw, name="new"),
    path("<int:pk>/", views.detail, name="draw"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/inputs/", views.add_input, name="input"),
    path("<int:pk>/draw/", views.make, name="make"),
    path("<int:pk>/frame.csv", views.frame_csv, name="frame-csv"),
    path("<int:pk>/record.json", views.record_json, name="record"),
]
