from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dutyeval.api.routes import api
from dutyeval.web.forms import LoginForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("documents/", include("dutyeval.documents.urls")),
    path("draws/", include("dutyeval.draws.urls")),
    path("fieldwork/", include("dutyeval.fieldwork.urls")),
    path("surveys/", include("dutyeval.surveys.urls")),
    path("", include("dutyeval.panels.urls")),
    path("", include("dutyeval.web.urls")),
]

handler400 = "dutyeval.web.views.errors.bad_request"
