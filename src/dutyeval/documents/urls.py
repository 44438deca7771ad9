from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("cycles/<int:pk>/", views.cycle_documents, name="cycle"),
    path("cycles/<int:pk>/generate/", views.generate, name="generate"),
    path("cycles/<int:pk>/bulk/", views.bulk, name="bulk"),
    path("cycles/<int:pk>/job/", views.job_status, name="job"),
    path("cycles/<int:pk>/cases/", views.cases, name="cases"),
    path("cycles/<int:pk>/results.xlsx", views.results_xlsx, name="results-xlsx"),
    path("<int:pk>/", views.document, name="document"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/file.docx", views.download_docx, name="docx"),
    path("<int:pk>/file.pdf", views.download_pdf, name="pdf"),
]
