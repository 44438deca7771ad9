"""The signed-in user's own account: changing one's password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from dutyeval.audit.services import log_action


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new twice, AUTH_PASSWORD_VALIDATORS), in Chinese.

    Django keeps this session signed in and ends the user's other sessions (their hash no longer
    matches the password).
    """

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        log_action("accounts.password.change", actor=self.request.user)  # never the password itself
        messages.success(self.request, "密码已修改。下次登录请使用新密码。")
        return response


password_change = PasswordChangeView.as_view()
