from django.urls import path

from . import views

urlpatterns = [
    path("cycles/<int:pk>/release/", views.release, name="release"),
    path("s/<int:pk>/appeals/", views.appeals, name="appeals"),
]
