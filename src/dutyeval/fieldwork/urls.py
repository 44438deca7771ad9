from django.urls import path

from . import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.my_teams, name="mine"),
    path("cycles/<int:pk>/", views.cycle_page, name="cycle"),
    path("cycles/<int:pk>/credibility/", views.credibility_page, name="credibility"),
    path("teams/<int:pk>/", views.team_page, name="team"),
    path("checks/<int:pk>/", views.checklist_page, name="checklist"),
    path("files/<int:file>/", views.file_download, name="file"),
    path("s/<int:pk>/", views.region_page, name="region"),
]
