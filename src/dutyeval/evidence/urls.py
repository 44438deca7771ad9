from django.urls import path

from . import views

urlpatterns = [
    path("s/<int:pk>/evidence/<int:indicator>/", views.item, name="evidence-item"),
    path("evidence/<int:pk>/delete/", views.delete, name="evidence-delete"),
    path("evidence/<int:pk>/download/", views.download, name="evidence-download"),
    path("evidence/<int:pk>/preview/", views.preview, name="evidence-preview"),
]
