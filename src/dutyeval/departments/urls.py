from django.urls import path

from . import views

urlpatterns = [
    path("s/<int:pk>/departments/", views.page, name="departments"),
]
