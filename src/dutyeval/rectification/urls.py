from django.urls import path

from . import views

urlpatterns = [
    path("rectification/", views.mine, name="rect-mine"),
    path("cycles/<int:pk>/rectification/", views.dashboard, name="rect-dashboard"),
    path("s/<int:pk>/rectification/", views.region, name="rect-region"),
    path("rtasks/<int:pk>/", views.task_detail, name="rect-task"),
    path("rvisits/<int:pk>/", views.followup_visit, name="rect-visit"),
    path("rfiles/<int:pk>/", views.evidence_file, name="rect-file"),
    path("rdocs/<int:pk>/", views.document_view, name="rect-doc"),
    path("rdocs/<int:pk>/file.docx", views.document_docx, name="rect-doc-docx"),
    path("rdocs/<int:pk>/file.pdf", views.document_pdf, name="rect-doc-pdf"),
]
